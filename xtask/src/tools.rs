//! The tools the build and tests need, installed on demand and only when
//! missing or at the wrong version. Everything comes from crates.io, npm or
//! Debian: nothing downloads a binary from elsewhere.

use std::path::PathBuf;
use std::process::Command;

use crate::process::{output, run};
use crate::root;

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// trunk 0.22 needs a newer rustc than this machine's.
const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from npm's binaryen: Debian 12's version 108 produces modules
/// Chromium rejects.
const BINARYEN_VERSION: &str = "132";
/// esbuild from npm (its platform binary comes from npm too): bundles and
/// minifies the module's JavaScript.
const ESBUILD_VERSION: &str = "0.28.2";

#[derive(Clone, Copy)]
pub struct Needs {
    /// Chromium and chromedriver, for tests.
    pub browser: bool,
}

impl Needs {
    pub fn all() -> Needs {
        Needs { browser: true }
    }
}

fn tools_dir() -> PathBuf {
    root().join("target/tools")
}

fn cargo_bin_dir() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default();
    cargo_home.join("bin")
}

/// A command with the project's tools first on PATH.
pub fn command(program: &str) -> Command {
    let mut paths = vec![tools_dir().join("node_modules/.bin"), cargo_bin_dir()];
    if let Some(existing) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    let mut command = Command::new(program);
    if let Ok(path) = std::env::join_paths(paths) {
        command.env("PATH", path);
    }
    command
}

fn version_of(program: &str, args: &[&str]) -> Option<String> {
    output(command(program).args(args))
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
fn locked_wasm_bindgen_version() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
            {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen".to_owned())
}

pub fn setup(needs: Needs) -> Result<(), String> {
    println!("==> checking tools");
    let targets =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    // The portal module rebuilds the standard library for size (see
    // elements.rs), which needs its source.
    let components = output(Command::new("rustup").args(["component", "list", "--installed"]))
        .unwrap_or_default();
    if !components.lines().any(|c| c.trim() == "rust-src") {
        run(Command::new("rustup").args(["component", "add", "rust-src"]))?;
    }

    let bindgen = locked_wasm_bindgen_version()?;
    let installed = version_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.split_whitespace().nth(1) != Some(bindgen.as_str()) {
        println!("    installing wasm-bindgen-cli {bindgen} (a few minutes, once)");
        // Not --locked: its lock file pins a crate version the registry lacks.
        run(command("cargo").args(["install", "wasm-bindgen-cli", "--version", &bindgen]))?;
    }

    let trunk = version_of("trunk", &["--version"]).unwrap_or_default();
    if trunk.split_whitespace().nth(1) != Some(TRUNK_VERSION) {
        println!("    installing trunk {TRUNK_VERSION} (several minutes, once)");
        run(command("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }

    let wasm_opt = version_of("wasm-opt", &["--version"]).unwrap_or_default();
    if !wasm_opt.contains(&format!("version {BINARYEN_VERSION}")) || !in_tools("wasm-opt") {
        println!("    installing wasm-opt (binaryen {BINARYEN_VERSION}, from npm)");
        npm_install("binaryen", BINARYEN_VERSION)?;
    }

    let esbuild = version_of("esbuild", &["--version"]).unwrap_or_default();
    if esbuild.trim() != ESBUILD_VERSION || !in_tools("esbuild") {
        println!("    installing esbuild {ESBUILD_VERSION} (from npm)");
        npm_install("esbuild", ESBUILD_VERSION)?;
    }

    if needs.browser && !(PathBuf::from(CHROMIUM).exists() && PathBuf::from(CHROMEDRIVER).exists())
    {
        println!("    installing chromium and chromium-driver (Debian)");
        apt_install(&["chromium", "chromium-driver"])?;
    }
    Ok(())
}

/// Whether `program` is installed in the project's own tools folder (one
/// found elsewhere on PATH may be another version).
fn in_tools(program: &str) -> bool {
    tools_dir().join("node_modules/.bin").join(program).exists()
}

/// `npm install package@version` into the project's tools folder.
fn npm_install(package: &str, version: &str) -> Result<(), String> {
    std::fs::create_dir_all(tools_dir()).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(tools_dir())
        .arg(format!("{package}@{version}")))
}

/// `apt-get install` of Debian packages (through `sudo -n` unless root).
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut command = if root_user {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !root_user {
            command.args(["-n", "apt-get"]);
        }
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut command)
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend_from_slice(packages);
    apt(&install).map_err(|e| {
        format!(
            "{e}; install the Debian package(s) {}",
            packages.join(" and ")
        )
    })
}
