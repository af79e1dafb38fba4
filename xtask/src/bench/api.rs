//! The Portico API as the host's backend calls it (secret key), to seed
//! the companies, users, subscriptions and usage the benchmarks read, and
//! to mint portal tokens. Loopback only.

use std::path::Path;
use std::time::Duration;

use portico_e2e::Server;
use serde_json::{json, Value};

/// Only ever used against the bench's own throwaway servers.
pub const SECRET_KEY: &str = "sk_bench_0123456789abcdefghijklmnop";
const TOKEN_SECRET: &str = "bench-token-secret-0123456789abcdef";

pub struct Api {
    pub url: String,
    agent: ureq::Agent,
}

/// Starts `binary` on a fresh SQLite file in `dir` (WAL, as every file
/// database), on a free loopback port, with the bench's keys and browser
/// write limits off (load tests identify far more than 60 times a minute),
/// plus `extra` arguments.
pub fn start_server(
    binary: &Path,
    dir: &Path,
    name: &str,
    extra: &[&str],
) -> Result<Server, String> {
    let database = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    let database = format!("sqlite://{}", database.display());
    let mut args = vec![
        "--database-url",
        &database,
        "--bind",
        "127.0.0.1:0",
        "--secret-key",
        SECRET_KEY,
        "--token-secret",
        TOKEN_SECRET,
        "--write-rate-limit",
        "0",
    ];
    args.extend_from_slice(extra);
    Server::start(binary, &args)
}

impl Api {
    pub fn new(url: &str) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Api {
            url: url.to_owned(),
            agent,
        }
    }

    /// Sends `body` with the secret key; the answer's JSON, or an error
    /// naming the call unless it answered 2xx.
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.url);
        let authorization = format!("Bearer {SECRET_KEY}");
        let request = match method {
            "PUT" => self.agent.put(&url),
            _ => self.agent.post(&url),
        };
        let mut response = request
            .header("Authorization", &authorization)
            .send_json(body)
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let answer: Value = response.body_mut().read_json().unwrap_or_default();
        if !status.is_success() {
            return Err(format!("{method} {path} answered {status}: {answer}"));
        }
        Ok(answer)
    }

    pub fn company(&self, org: &str, name: &str) -> Result<(), String> {
        self.send(
            "PUT",
            "/v1/companies",
            &json!({ "keys": { "workos_organization_id": org }, "name": name }),
        )
        .map(|_| ())
    }

    /// A user who is an active member of `org`.
    pub fn member(&self, org: &str, user: &str, email: &str, name: &str) -> Result<(), String> {
        self.send(
            "PUT",
            "/v1/users",
            &json!({
                "keys": { "workos_user_id": user, "email": email },
                "name": name,
                "company": { "workos_organization_id": org },
            }),
        )
        .map(|_| ())
    }

    pub fn subscribe(&self, org: &str, plan: &str, addons: Value) -> Result<(), String> {
        self.send(
            "PUT",
            "/v1/subscriptions",
            &json!({
                "company": { "workos_organization_id": org },
                "plan_id": plan,
                "interval": "month",
                "addons": addons,
            }),
        )
        .map(|_| ())
    }

    /// `mode` is `increment` (metered) or `set` (limits).
    pub fn usage(&self, org: &str, feature: &str, quantity: u64, mode: &str) -> Result<(), String> {
        self.send(
            "POST",
            "/v1/usage",
            &json!({
                "company": { "workos_organization_id": org },
                "feature": feature,
                "quantity": quantity,
                "mode": mode,
            }),
        )
        .map(|_| ())
    }

    /// A portal token for `user` in `org`, as an admin; 15 minutes.
    pub fn portal_token(&self, org: &str, user: &str) -> Result<String, String> {
        let answer = self.send(
            "POST",
            "/v1/portal-tokens",
            &json!({
                "company": { "name": "workos_organization_id", "value": org },
                "user": { "name": "workos_user_id", "value": user },
                "role": "admin",
            }),
        )?;
        answer["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no token in {answer}"))
    }
}

/// `encodeURIComponent` for a query value.
pub fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
