//! `cargo xtask bench`: the numbers of issue 7, each next to its budget.
//!
//! 1. bundle: the release bundle's bytes and the wasm's largest items;
//! 2. mount: mount → data in headless Chromium, requests on the critical
//!    path, work after the data arrived;
//! 3. scale: 1,000 entitlements (and 500 members) rendered and updated;
//! 4. server: `GET /v1/portal` and `POST /v1/identify` under `wrk`.
//!
//! Prints a table, writes `target/bench/<name>.json`, and fails only when a
//! stable budget is exceeded (the bundle's bytes, requests on the critical
//! path) or something could not be measured. Timings are
//! printed and saved, never enforced: they depend on the machine.

mod api;
pub mod bundle;
mod load;
mod mount;
mod report;
mod scale;

use std::path::PathBuf;
use std::process::Command;

use portico_e2e::{bench::install_recorder, Browser, Chromedriver};
use serde_json::json;

use crate::process::{cargo, output, run};
use crate::{build_bundle, root, step, tools};
use report::{format_ms, write_json, Table};

/// The sections, in the order they run; `cargo xtask bench scale` (say)
/// runs only the named ones.
const SECTIONS: [&str; 4] = ["bundle", "mount", "scale", "server"];

pub fn bench(args: &[String]) -> Result<(), String> {
    if args.first().map(String::as_str) == Some("serve-scale") {
        return serve_scale();
    }
    if let Some(unknown) = args.iter().find(|a| !SECTIONS.contains(&a.as_str())) {
        return Err(format!(
            "no bench section named {unknown:?}; the sections are {}",
            SECTIONS.join(", ")
        ));
    }
    let wanted = |section: &str| args.is_empty() || args.iter().any(|a| a == section);
    tools::setup(tools::Needs::all())?;
    install_bench_tools()?;
    let dist = if wanted("mount") || wanted("scale") {
        build_bundle()?
    } else {
        PathBuf::new()
    };
    step("building the server (--profile server: opt-level 3, thin LTO)");
    run(cargo().args([
        "build",
        "--profile",
        "server",
        "--package",
        "portico-server",
    ]))?;
    let server = root().join("target/server/portico-server");
    let out = root().join("target/bench");
    let scratch = out.join("scratch");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;

    let mut table = Table::default();
    let mut errors: Vec<String> = Vec::new();
    // Timings mean little without the machine's load beside them: a build
    // next door can double them.
    let mut loads: Vec<(&str, f64)> = Vec::new();
    // And without the machine's speed: the same build's timings differed
    // by a fifth to a half between machines of the same kind.
    let mut dom_workload: Option<f64> = None;
    let mut sample_load = |after: &'static str| {
        if let Some(load) = load_average() {
            loads.push((after, load));
        }
    };
    sample_load("start");
    let mut record = |name: &str, result: Result<(), String>| {
        if let Err(e) = result {
            println!("\n  {name}: could not measure: {e}");
            errors.push(format!("{name}: {e}"));
        }
    };

    if wanted("bundle") {
        step("bundle: bytes, and the wasm's largest items");
        record("bundle", bundle::run_bundle(&out, &mut table));
    }

    if wanted("mount") || wanted("scale") {
        step("starting headless Chromium");
        match start_browser() {
            Ok((driver, browser)) => {
                match portico_e2e::bench::dom_workload_ms(&browser) {
                    Ok(ms) => dom_workload = Some(ms),
                    Err(e) => println!("\n  the machine's DOM workload: could not measure: {e}"),
                }
                if wanted("mount") {
                    step("mount to rendered: the demo, 20 page loads");
                    record(
                        "mount",
                        mount::run_mount(&browser, &server, &dist, &scratch, &out, &mut table),
                    );
                    sample_load("mount");
                }
                if wanted("scale") {
                    step("scale: 1,000 entitlements and 500 members");
                    record(
                        "scale",
                        scale::run_scale(&browser, &server, &dist, &scratch, &out, &mut table),
                    );
                    sample_load("scale");
                }
                drop(browser);
                drop(driver);
            }
            Err(e) => record("browser", Err(e)),
        }
    }

    if wanted("server") {
        step(&format!(
            "server: wrk -t{} -c{} -d{}s against GET /v1/portal and POST /v1/identify",
            load::THREADS,
            load::CONNECTIONS,
            load::SECONDS
        ));
        record(
            "server",
            load::run_load(&server, &scratch, &out, &mut table),
        );
        sample_load("server");
    }

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let shown: Vec<String> = loads.iter().map(|(_, l)| format!("{l:.1}")).collect();
    table.info(
        format!("machine: 1-min load average ({cores} cores)"),
        shown.join(" / "),
    );
    if let Some(ms) = dom_workload {
        table.info(
            "machine: 1,000 list rows built with plain DOM calls (median)",
            format_ms(ms),
        );
    }
    table.print();
    write_json(
        &out,
        "summary",
        &json!({
            "rows": table.to_json(),
            "errors": errors,
            "cores": cores,
            "dom_workload_ms": dom_workload,
            "load_average_1min": loads.iter().map(|(after, l)| json!({ "after": after, "load": l })).collect::<Vec<_>>(),
        }),
    )?;
    println!(
        "\nresults: {}/{{bundle,mount,scale,server,summary}}.json",
        out.display()
    );
    let failed: Vec<String> = table
        .failed()
        .iter()
        .map(|r| format!("{}: {} (budget {})", r.measure, r.value, r.budget))
        .chain(errors)
        .collect();
    if failed.is_empty() {
        println!("every stable budget holds (timings are shown, never enforced)");
        Ok(())
    } else {
        Err(format!("bench failed:\n  {}", failed.join("\n  ")))
    }
}

/// `cargo xtask bench serve-scale`: the scale section's seeded server and
/// page, left running for a profiler.
fn serve_scale() -> Result<(), String> {
    tools::setup(tools::Needs::all())?;
    let dist = build_bundle()?;
    run(cargo().args([
        "build",
        "--profile",
        "server",
        "--package",
        "portico-server",
    ]))?;
    let scratch = root().join("target/bench/scratch");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    scale::serve(
        &root().join("target/server/portico-server"),
        &dist,
        &scratch,
    )
}

/// The 1-minute load average (Linux), if the machine says.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn start_browser() -> Result<(Chromedriver, Browser), String> {
    let driver = Chromedriver::start()?;
    let browser = Browser::start(&driver)?;
    install_recorder(&browser)?;
    Ok((driver, browser))
}

/// wrk (Debian) for the load test; twiggy (crates.io) for the wasm's
/// largest items.
fn install_bench_tools() -> Result<(), String> {
    // `wrk --version` exits non-zero: that it runs at all is enough.
    if Command::new("wrk").arg("--version").output().is_err() {
        println!("    installing wrk (Debian)");
        tools::apt_install(&["wrk"])?;
    }
    if output(tools::command("twiggy").arg("--version")).is_none() {
        println!("    installing twiggy (crates.io)");
        if run(tools::command("cargo").args(["install", "twiggy", "--locked"])).is_err() {
            run(tools::command("cargo").args(["install", "twiggy"]))?;
        }
    }
    Ok(())
}
