//! What the end-to-end tests (and benchmarks) drive: the Portico server as a
//! child process, chromedriver, and a minimal W3C WebDriver client for a
//! headless Chromium. Plain HTTP on loopback only.

pub mod bench;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

pub type Result<T> = std::result::Result<T, String>;

/// A required environment variable, set by `cargo xtask test`.
pub fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{name} is not set: run the end-to-end tests with `cargo xtask test`, which builds what they need")
    })
}

/// A `portico-server` child process, stopped when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    pub fn start(binary: &Path, args: &[&str]) -> Result<Server> {
        let mut child = Command::new(binary)
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("Portico listening on ") {
                        break url.trim().to_owned();
                    }
                }
                _ => return Err("the server exited before listening".to_owned()),
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, url })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// chromedriver on a free loopback port, stopped when dropped.
pub struct Chromedriver {
    child: Child,
    pub url: String,
}

impl Chromedriver {
    pub fn start() -> Result<Chromedriver> {
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
        let port = free_port()?;
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {binary}: {e}"))?;
        let driver = Chromedriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut response) = ureq::get(&format!("{}/status", driver.url)).call() {
                let status: Value = response.body_mut().read_json().unwrap_or_default();
                if status["value"]["ready"] == true {
                    return Ok(driver);
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err("chromedriver did not become ready".to_owned())
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium session.
pub struct Browser {
    session: String,
    agent: ureq::Agent,
}

/// Flags for Chromium on a machine with no network but loopback.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,1000",
];

impl Browser {
    pub fn start(driver: &Chromedriver) -> Result<Browser> {
        Browser::start_with(driver, &[])
    }

    /// `extra_args` add Chromium flags, e.g. `--force-dark-mode`.
    pub fn start_with(driver: &Chromedriver, extra_args: &[&str]) -> Result<Browser> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let mut args: Vec<&str> = CHROMIUM_ARGS.to_vec();
        args.extend_from_slice(extra_args);
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "args": args, "binary": "/usr/bin/chromium" },
                "goog:loggingPrefs": { "browser": "ALL" }
            }}
        });
        let mut response = agent
            .post(&format!("{}/session", driver.url))
            .send_json(&capabilities)
            .map_err(|e| format!("new session: {e}"))?;
        let body: Value = response.body_mut().read_json().map_err(|e| e.to_string())?;
        let session = body["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session: {body}"))?;
        Ok(Browser {
            session: format!("{}/session/{session}", driver.url),
            agent,
        })
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.session);
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, Some(body)) => self.agent.post(&url).send_json(&body),
            (_, None) => self.agent.post(&url).send_json(json!({})),
        };
        let mut response = response.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let body: Value = response.body_mut().read_json().map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {status}: {}", body["value"]));
        }
        Ok(body["value"].clone())
    }

    pub fn goto(&self, url: &str) -> Result<()> {
        self.command("POST", "/url", Some(json!({ "url": url })))
            .map(|_| ())
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Waits until the JavaScript expression `condition` is truthy.
    pub fn wait_for(&self, condition: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let script = format!("return !!({condition});");
        loop {
            if self.execute(&script, vec![])? == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let html = self
                    .execute("return document.body.innerHTML;", vec![])
                    .unwrap_or_default();
                return Err(format!(
                    "timed out waiting for {condition}; the page is:\n{html}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `textContent` of the first match, trimmed.
    pub fn text(&self, selector: &str) -> Result<String> {
        let value = self.execute(
            "const el = document.querySelector(arguments[0]); return el ? el.textContent.trim() : null;",
            vec![json!(selector)],
        )?;
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element {selector}"))
    }

    pub fn count(&self, selector: &str) -> Result<u64> {
        self.execute(
            "return document.querySelectorAll(arguments[0]).length;",
            vec![json!(selector)],
        )?
        .as_u64()
        .ok_or_else(|| "not a number".to_owned())
    }

    /// The browser console's error entries since the last call.
    pub fn console_errors(&self) -> Result<Vec<String>> {
        let entries = self.command("POST", "/se/log", Some(json!({ "type": "browser" })))?;
        Ok(entries
            .as_array()
            .map(|list| {
                list.iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let data = self.command("GET", "/screenshot", None)?;
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.command("DELETE", "", None);
    }
}

/// How the portal's first data arrived, read from the page's Performance
/// API: the provider marks `portico:mount` and `portico:data`.
#[derive(Debug, Clone)]
pub struct MountTiming {
    pub mount_to_data_ms: f64,
    /// API requests started after mount.
    pub api_requests: u64,
    /// The round trips the first data waited for (one request each): the
    /// chain of API requests ending at the `/v1/portal` response that
    /// delivered the first data (the last one to end before the
    /// `portico:data` mark), each link a request that ended before the
    /// next one started.
    ///
    /// Only that chain: a request that merely started after the portal read
    /// ended (identify, or the members list on a slow load, which run
    /// beside the read) is no link of it. Taking the longest chain among
    /// every request that ended before the data counted those in about 1
    /// load in 20, and made a budget on the count flaky.
    pub critical_requests: Vec<String>,
}

pub fn mount_timing(browser: &Browser) -> Result<MountTiming> {
    let value = browser.execute(
        r#"
        const mount = performance.getEntriesByName('portico:mount')[0];
        const data = performance.getEntriesByName('portico:data')[0];
        if (!mount || !data) return null;
        const path = e => new URL(e.name).pathname;
        const api = performance.getEntriesByType('resource')
          .filter(e => e.name.includes('/v1/') && e.startTime >= mount.startTime);
        const delivered = api
          .filter(e => path(e) === '/v1/portal' && e.responseEnd <= data.startTime + 0.5)
          .sort((a, b) => b.responseEnd - a.responseEnd)[0];
        const chain = e => {
          let longest = [];
          for (const p of api) {
            if (p !== e && p.responseEnd <= e.startTime) {
              const before = chain(p);
              if (before.length > longest.length) longest = before;
            }
          }
          return longest.concat([path(e)]);
        };
        return {
          mount_to_data_ms: data.startTime - mount.startTime,
          api_requests: api.length,
          critical_requests: delivered ? chain(delivered) : [],
        };
        "#,
        vec![],
    )?;
    if value.is_null() {
        return Err("the page has no portico:mount / portico:data marks".to_owned());
    }
    let critical_requests: Vec<String> = value["critical_requests"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Ok(MountTiming {
        mount_to_data_ms: value["mount_to_data_ms"].as_f64().unwrap_or_default(),
        api_requests: value["api_requests"].as_u64().unwrap_or_default(),
        critical_requests,
    })
}

/// A directory to serve: an example page with the portal module next to it
/// (at `/portico/`), as a host would deploy it. Removed when dropped.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// `index` becomes `/index.html`; `files` are (path in the site, source).
    pub fn new(index: &Path, files: &[(&str, &Path)]) -> Result<Site> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        copy(index, &dir.path().join("index.html"))?;
        let elements = env_path("PORTICO_ELEMENTS");
        for name in ["portico.js", "portico_wasm_bg.wasm"] {
            copy(&elements.join(name), &dir.path().join("portico").join(name))?;
        }
        for (target, source) in files {
            copy_tree(source, &dir.path().join(target))?;
        }
        Ok(Site { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {}: {e}", from.display()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if from.is_dir() {
        for entry in std::fs::read_dir(from)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        copy(from, to)
    }
}

/// Where screenshots go, for people to look at: `target/screenshots/`.
pub fn save_screenshot(browser: &Browser, name: &str) -> Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(name);
    std::fs::write(&path, browser.screenshot()?).map_err(|e| e.to_string())?;
    Ok(path)
}
