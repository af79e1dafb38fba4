//! Mount to rendered: the built demo served by the real server (the
//! `--profile server` build, `--demo` on a fresh SQLite file) in headless
//! Chromium. Each page load reads the provider's marks: mount → data, the
//! API requests on the critical path (a stable figure: anything but one
//! fails the build), and the work after the data arrived, up to the next
//! frame. A second series delays every request by 40 ms, as a distant API
//! would: loopback hides whatever waits for the network.

use std::path::Path;
use std::time::Duration;

use portico_e2e::bench::{emulate_latency, load_and_watch, median_p90_of};
use portico_e2e::{mount_timing, Browser};
use serde_json::json;

use super::api::start_server;
use super::report::{format_ms, write_json, Status, Table};

/// Seeded by the demo: Acme, on Pro with usage.
const ACME: &str = "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT";
const WARM_UP: usize = 2;
const RUNS: usize = 20;
/// One frame at 60 Hz.
pub const FRAME_MS: f64 = 1000.0 / 60.0;
const WAIT: Duration = Duration::from_secs(30);
/// Added to every request in the second series: an API a continent away.
const LATENCY_MS: f64 = 40.0;

pub fn run_mount(
    browser: &Browser,
    server_binary: &Path,
    dist: &Path,
    scratch: &Path,
    out: &Path,
    table: &mut Table,
) -> Result<(), String> {
    let dist = dist.display().to_string();
    let server = start_server(
        server_binary,
        scratch,
        "mount",
        &["--demo", "--serve-dir", &dist],
    )?;
    let url = format!("{}/?org={ACME}", server.url);
    let mut runs = Vec::new();
    for run in 0..WARM_UP + RUNS {
        let render = load_and_watch(browser, &url, "[data-part=entitlement]", 1, WAIT)?;
        let timing = mount_timing(browser)?;
        if run >= WARM_UP {
            runs.push((render, timing));
        }
    }
    // The same over a network: every request delayed as by a distant API.
    emulate_latency(browser, LATENCY_MS)?;
    let mut distant = Vec::new();
    for run in 0..WARM_UP + RUNS {
        let render = load_and_watch(browser, &url, "[data-part=entitlement]", 1, WAIT);
        if run >= WARM_UP {
            distant.push(render);
        }
    }
    emulate_latency(browser, 0.0)?;
    let distant = distant.into_iter().collect::<Result<Vec<_>, _>>()?;
    drop(server);
    let (distant_shown, _) = median_p90_of(&distant, |r| r.mount_to_shown_ms);
    let (distant_frame, _) = median_p90_of(&distant, |r| r.data_to_frame_ms);

    let (mount_median, mount_p90) = median_p90_of(&runs, |(_, t)| t.mount_to_data_ms);
    let (shown_median, shown_p90) = median_p90_of(&runs, |(r, _)| r.data_to_shown_ms);
    let (frame_median, frame_p90) = median_p90_of(&runs, |(r, _)| r.data_to_frame_ms);
    let worst = runs
        .iter()
        .map(|(_, t)| &t.critical_requests)
        .max_by_key(|critical| critical.len())
        .ok_or("no page loads")?;

    table.row(
        format!("mount -> data, median of {RUNS} (p90)"),
        format!("{} ({})", format_ms(mount_median), format_ms(mount_p90)),
        "",
        Status::Info,
    );
    table.row(
        "API requests on the critical path (worst load)",
        worst.len().to_string(),
        "= 1 (one round trip)",
        if worst.len() == 1 {
            Status::Ok
        } else {
            Status::Fail
        },
    );
    table.row(
        "work after data: data -> next frame, median (p90)",
        format!("{} ({})", format_ms(frame_median), format_ms(frame_p90)),
        "<= 1 frame (16.7 ms)",
        if frame_median <= FRAME_MS {
            Status::Ok
        } else {
            Status::Over
        },
    );
    table.info(
        "  of which data -> DOM shows it, median (p90)",
        format!("{} ({})", format_ms(shown_median), format_ms(shown_p90)),
    );
    table.info(
        format!("with {LATENCY_MS} ms network latency: mount -> shown / data -> next frame"),
        format!(
            "{} / {}",
            format_ms(distant_shown),
            format_ms(distant_frame)
        ),
    );

    let loads: Vec<_> = runs
        .iter()
        .map(|(r, t)| {
            json!({
                "mount_to_data_ms": t.mount_to_data_ms,
                "data_to_shown_ms": r.data_to_shown_ms,
                "data_to_next_frame_ms": r.data_to_frame_ms,
                "api_requests": t.api_requests,
                "requests_before_data": t.critical_requests,
            })
        })
        .collect();
    write_json(
        out,
        "mount",
        &json!({
            "server": "portico-server built with --profile server, --demo, SQLite (WAL) on a temporary file",
            "page": "the release demo bundle (trunk build --release), headless Chromium",
            "runs": RUNS,
            "warm_up_runs": WARM_UP,
            "mount_to_data_ms": { "median": mount_median, "p90": mount_p90 },
            "data_to_shown_ms": { "median": shown_median, "p90": shown_p90 },
            "data_to_next_frame_ms": { "median": frame_median, "p90": frame_p90, "budget": FRAME_MS },
            "critical_path_requests": {
                "worst": worst.len(),
                "requests": worst,
                "budget": 1,
                "how": "the chain of API requests ending at the /v1/portal response that delivered the first data (e2e::mount_timing)",
            },
            "loads": loads,
            "with_network_latency": {
                "latency_ms": LATENCY_MS,
                "how": "Chromium network emulation (CDP Network.emulateNetworkConditions) on every request",
                "mount_to_shown_ms_median": distant_shown,
                "data_to_next_frame_ms_median": distant_frame,
            },
        }),
    )
}
