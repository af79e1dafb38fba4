//! Server throughput: `wrk` at a fixed concurrency against the release
//! server (`--profile server`) on a fresh SQLite file (WAL), with browser
//! write limits off: `GET /v1/portal` for a seeded company (a subscription
//! with an add-on, usage, a member) and `POST /v1/identify` for the same
//! company and user. wrk and the server share this machine's cores, so the
//! numbers are printed and saved, never enforced.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::api::{start_server, Api};
use super::report::{format_count, format_ms, write_json, Status, Table};
use crate::root;

const ORG: &str = "org_bench_load";
const USER: &str = "user_bench_load";
const EMAIL: &str = "load@bench.test";
pub const THREADS: u32 = 2;
pub const CONNECTIONS: u32 = 32;
pub const SECONDS: u32 = 10;
const WARM_UP_SECONDS: u32 = 2;
const PORTAL_BUDGET_RPS: f64 = 5_000.0;
const PORTAL_BUDGET_P99_MS: f64 = 5.0;

/// What wrk measured, from the Lua `done` hook (exact, in microseconds).
#[derive(Debug, Clone)]
pub struct LoadResult {
    pub requests: u64,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub non_2xx: u64,
    pub socket_errors: u64,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds.max(f64::MIN_POSITIVE)
    }

    fn to_json(&self) -> Value {
        json!({
            "requests": self.requests,
            "seconds": self.seconds,
            "requests_per_second": self.per_second(),
            "latency_ms": { "p50": self.p50_ms, "p90": self.p90_ms, "p99": self.p99_ms, "max": self.max_ms },
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
        })
    }
}

/// Appended to every script: one parseable line at the end of the run.
const DONE_HOOK: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("portico-bench %d %d %.0f %.0f %.0f %.0f %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
"#;

fn parse(stdout: &str) -> Result<LoadResult, String> {
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("portico-bench "))
        .ok_or_else(|| format!("no result line in wrk's output:\n{stdout}"))?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .map(|n| n.parse::<f64>().map_err(|e| format!("{line}: {e}")))
        .collect::<Result<_, _>>()?;
    let [requests, duration_us, p50, p90, p99, max, non_2xx, socket_errors] = numbers[..] else {
        return Err(format!("unexpected wrk result line {line:?}"));
    };
    Ok(LoadResult {
        requests: requests as u64,
        seconds: duration_us / 1e6,
        p50_ms: p50 / 1e3,
        p90_ms: p90 / 1e3,
        p99_ms: p99 / 1e3,
        max_ms: max / 1e3,
        non_2xx: non_2xx as u64,
        socket_errors: socket_errors as u64,
    })
}

fn lua_string(text: &str) -> String {
    format!("{text:?}")
}

fn wrk(script: &Path, url: &str, seconds: u32) -> Result<LoadResult, String> {
    let output = Command::new("wrk")
        .arg(format!("-t{THREADS}"))
        .arg(format!("-c{CONNECTIONS}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "wrk failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    parse(&stdout)
}

fn seed(api: &Api) -> Result<String, String> {
    api.company(ORG, "Load Co")?;
    api.member(ORG, USER, EMAIL, "Load Tester")?;
    api.subscribe(
        ORG,
        "pro",
        json!([{ "addon_id": "extra_seats", "quantity": 2 }]),
    )?;
    api.usage(ORG, "api_calls", 48_210, "increment")?;
    api.usage(ORG, "projects", 7, "set")?;
    api.usage(ORG, "storage_gb", 12, "set")?;
    api.portal_token(ORG, USER)
}

pub fn run_load(
    server_binary: &Path,
    scratch: &Path,
    out: &Path,
    table: &mut Table,
) -> Result<(), String> {
    let catalog = root().join("server/catalog.toml").display().to_string();
    let server = start_server(server_binary, scratch, "load", &["--catalog", &catalog])?;
    let api = Api::new(&server.url);
    let token = seed(&api)?;
    let authorization = lua_string(&format!("Bearer {token}"));

    let portal = scratch.join("portal.lua");
    let identify = scratch.join("identify.lua");
    let identify_body = json!({
        "company": { "keys": { "workos_organization_id": ORG }, "name": "Load Co" },
        "user": { "keys": { "workos_user_id": USER, "email": EMAIL }, "name": "Load Tester" },
    })
    .to_string();
    let write = |path: &Path, text: String| {
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(
        &portal,
        format!(
            "wrk.method = \"GET\"\nwrk.headers[\"Authorization\"] = {authorization}\n{DONE_HOOK}"
        ),
    )?;
    write(
        &identify,
        format!(
            "wrk.method = \"POST\"\nwrk.headers[\"Authorization\"] = {authorization}\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = {}\n{DONE_HOOK}",
            lua_string(&identify_body)
        ),
    )?;

    let portal_url = format!("{}/v1/portal", server.url);
    let identify_url = format!("{}/v1/identify", server.url);
    wrk(&portal, &portal_url, WARM_UP_SECONDS)?;
    let reads = wrk(&portal, &portal_url, SECONDS)?;
    wrk(&identify, &identify_url, WARM_UP_SECONDS)?;
    let writes = wrk(&identify, &identify_url, SECONDS)?;
    drop(server);

    for (name, result) in [("GET /v1/portal", &reads), ("POST /v1/identify", &writes)] {
        if result.non_2xx > 0 || result.socket_errors > 0 {
            return Err(format!(
                "{name} under load: {} non-2xx answers and {} socket errors: the numbers would mean nothing",
                result.non_2xx, result.socket_errors
            ));
        }
    }

    let setup = format!("wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s");
    table.row(
        format!("server: GET /v1/portal, req/s ({setup})"),
        format_count(reads.per_second()),
        ">= 5,000/s",
        if reads.per_second() >= PORTAL_BUDGET_RPS {
            Status::Ok
        } else {
            Status::Over
        },
    );
    table.row(
        "server: GET /v1/portal, p50 / p99",
        format!("{} / {}", format_ms(reads.p50_ms), format_ms(reads.p99_ms)),
        "p99 < 5 ms",
        if reads.p99_ms < PORTAL_BUDGET_P99_MS {
            Status::Ok
        } else {
            Status::Over
        },
    );
    table.info(
        "server: POST /v1/identify, req/s",
        format_count(writes.per_second()),
    );
    table.info(
        "server: POST /v1/identify, p50 / p99",
        format!(
            "{} / {}",
            format_ms(writes.p50_ms),
            format_ms(writes.p99_ms)
        ),
    );

    write_json(
        out,
        "server",
        &json!({
            "server": "portico-server built with --profile server, --catalog server/catalog.toml, SQLite (WAL) on a temporary file, --write-rate-limit 0",
            "load": { "tool": "wrk", "threads": THREADS, "connections": CONNECTIONS, "seconds": SECONDS, "warm_up_seconds": WARM_UP_SECONDS },
            "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "note": "wrk and the server share the machine's cores",
            "portal": reads.to_json(),
            "portal_budget": { "requests_per_second": PORTAL_BUDGET_RPS, "p99_ms": PORTAL_BUDGET_P99_MS },
            "identify": writes.to_json(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_done_hook_line_is_parsed_in_milliseconds() {
        let out = "Running 10s test\nportico-bench 52000 10000000 1200 2500 4800 31000 0 0\n";
        let result = parse(out).unwrap();
        assert_eq!(result.requests, 52_000);
        assert_eq!(result.per_second(), 5_200.0);
        assert_eq!(
            (result.p50_ms, result.p99_ms, result.max_ms),
            (1.2, 4.8, 31.0)
        );
        assert!(parse("nothing").is_err());
    }

    #[test]
    fn lua_strings_are_quoted_and_escaped() {
        assert_eq!(lua_string(r#"{"a":"b"}"#), r#""{\"a\":\"b\"}""#);
    }
}
