//! `cargo xtask <command>`: everything a newcomer or CI runs, set-up
//! included. Each command installs what it needs, idempotently, from the
//! registries this project is allowed to reach (crates.io, npm, Debian).

mod bench;
mod bindgen_output;
mod dead_data;
mod elements;
mod function_table;
mod process;
mod size;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use process::{cargo, run, ServerProcess};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo [--bind ADDR]   build the portal and run it with the server on SQLite
  test                 run every test: lint, unit, server, browser, end-to-end
  size                 build the release bundle and print its size
  bench [SECTION..]    bundle size, mount time, scale and server load, against the budgets
                       (sections: bundle, mount, scale, server; default all);
                       `bench serve-scale` serves the scale page for a profiler
  setup                install the tools the other commands need";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("test") => test(),
        Some("size") => size_command(),
        Some("bench") => bench::bench(&args[1..]),
        Some("setup") => tools::setup(tools::Needs::all()),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: {message}");
            ExitCode::FAILURE
        }
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

pub fn step(title: &str) {
    println!("\n==> {title}");
}

fn build_bundle() -> Result<PathBuf, String> {
    step("building the release bundle (trunk build --release)");
    run(tools::command("trunk")
        .args(["build", "--release"])
        .current_dir(root()))?;
    Ok(root().join("dist"))
}

fn demo(args: &[String]) -> Result<(), String> {
    let bind = match args {
        [] => "127.0.0.1:8080".to_owned(),
        [flag, addr] if flag == "--bind" => addr.clone(),
        _ => return Err(USAGE.to_owned()),
    };
    tools::setup(tools::Needs { browser: false })?;
    let dist = build_bundle()?;
    step("building the server");
    run(cargo().args(["build", "--package", "portico-server"]))?;
    let data = root().join("target/demo");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    let database = format!("sqlite://{}", data.join("portico.db").display());
    step("starting the demo");
    let server = ServerProcess::start(&[
        "--demo",
        "--database-url",
        &database,
        "--serve-dir",
        &dist.display().to_string(),
        "--bind",
        &bind,
    ])?;
    println!("\n  Portico demo: {}/", server.url);
    println!(
        "  Pick a signed-in WorkOS user at the top right. Data lives in {}.",
        data.display()
    );
    println!("  Ctrl-C stops it.\n");
    server.wait()
}

/// The React example host (Vite, from npm), built into examples/react/dist.
fn build_react_example() -> Result<PathBuf, String> {
    step("building the React example (npm ci, vite build)");
    let example = root().join("examples/react");
    run(std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&example))?;
    run(std::process::Command::new("npx")
        .args(["vite", "build", "--logLevel", "warn"])
        .current_dir(&example))?;
    Ok(example.join("dist"))
}

/// Builds the portal module, prints its size and saves it in
/// target/bench/size.json.
fn measured_module() -> Result<(PathBuf, size::SizeReport), String> {
    let portal = elements::build()?;
    let report = size::measure(&portal)?;
    println!("\nthe portal module ({}):", portal.display());
    report.print();
    report.write_json(&root().join("target/bench/size.json"))?;
    Ok((portal, report))
}

fn size_command() -> Result<(), String> {
    tools::setup(tools::Needs { browser: false })?;
    measured_module()?;
    let demo = size::measure(&build_bundle()?)?;
    println!("\nthe demo page (host app included):");
    demo.print();
    Ok(())
}

fn test() -> Result<(), String> {
    tools::setup(tools::Needs::all())?;

    step("formatting (cargo fmt --check)");
    run(cargo().args(["fmt", "--all", "--check"]))?;

    step("lints (cargo clippy -D warnings), native and wasm");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "clippy",
        "--package",
        "portico",
        "--target",
        "wasm32-unknown-unknown",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("unit and server integration tests");
    run(cargo().args(["test", "--workspace", "--exclude", "portico-e2e"]))?;

    step("widget tests in headless Chromium, against a real server");
    run(cargo().args(["build", "--package", "portico-server"]))?;
    let scratch = root().join("target/xtask");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let fresh_database = |name: &str| {
        let database = scratch.join(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
        }
        format!("sqlite://{}", database.display())
    };
    {
        let server = ServerProcess::start(&[
            "--demo",
            "--database-url",
            &fresh_database("browser-tests.db"),
            "--bind",
            "127.0.0.1:0",
        ])?;
        // A second server that lets only admins change billing, for the
        // read-only member test (the first lets every viewer, as the demo
        // tokens carry no role).
        let gated = ServerProcess::start(&[
            "--demo",
            "--billing-roles",
            "admin",
            "--database-url",
            &fresh_database("browser-tests-gated.db"),
            "--bind",
            "127.0.0.1:0",
        ])?;
        // The widget tests, against both servers, in headless Chromium.
        let browser_tests = || {
            let mut command = cargo();
            command
                .args([
                    "test",
                    "--package",
                    "portico",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--test",
                    "browser",
                ])
                .env("PORTICO_TEST_API", &server.url)
                .env("PORTICO_TEST_GATED_API", &gated.url)
                .env("CHROMEDRIVER", tools::CHROMEDRIVER);
            command
        };
        run(browser_tests().env("WASM_BINDGEN_TEST_TIMEOUT", "300"))?;
        // Dates are written in the browser's time zone, by `Intl` or (in
        // US English) by the portal itself: the formatting tests again in
        // zones west of UTC, half an hour off it, and a day ahead of it.
        for zone in ["America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"] {
            run(browser_tests().args(["--", "format::"]).env("TZ", zone))?;
        }
    }

    let dist = build_bundle()?;
    let (portal, report) = measured_module()?;
    // Bytes are a stable figure, so this budget may fail the build.
    bench::bundle::check_budget(&report)?;
    let react = build_react_example()?;

    step("end-to-end: the built demo and examples, the real server, headless Chromium");
    run(cargo()
        .args([
            "test",
            "--package",
            "portico-e2e",
            "--",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("PORTICO_DIST", &dist)
        .env("PORTICO_ELEMENTS", &portal)
        .env("PORTICO_REACT_DIST", &react)
        .env(
            "PORTICO_SERVER_BIN",
            root().join("target/debug/portico-server"),
        )
        .env("CHROMEDRIVER", tools::CHROMEDRIVER))?;

    println!("\nall tests passed");
    Ok(())
}
