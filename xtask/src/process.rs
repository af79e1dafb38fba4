//! Running commands, and the Portico server as a child process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::{root, tools};

/// `cargo` from the toolchain running xtask, in the workspace root, with the
/// project's tools on PATH.
pub fn cargo() -> Command {
    let mut command =
        tools::command(&std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(root());
    command
}

pub fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A running `portico-server`, stopped when dropped.
pub struct ServerProcess {
    child: Child,
    pub url: String,
}

impl ServerProcess {
    /// Starts the debug server binary with `args` and waits until it says
    /// where it listens.
    pub fn start(args: &[&str]) -> Result<ServerProcess, String> {
        let binary = root().join("target/debug/portico-server");
        let mut child = Command::new(&binary)
            .args(args)
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout from the server")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("Portico listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => {
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    return Err(format!("the server exited before listening ({status})"));
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(ServerProcess { child, url })
    }

    pub fn wait(mut self) -> Result<(), String> {
        let status = self.child.wait().map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("the server stopped: {status}"))
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
