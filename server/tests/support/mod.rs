//! A Portico server over a real SQLite file in a temporary directory, driven
//! through the full router (extractors, middleware, error bodies) without a
//! socket, with a clock the test controls.

#![allow(dead_code)]

pub mod workos;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use portico_server::catalog::Catalog;
use portico_server::clock::ManualClock;
use portico_server::db::Db;
use portico_server::payments::sandbox::SandboxPayments;
use portico_server::{router, AppState, Settings};
use portico_types::Timestamp;
use serde_json::{json, Value};
use tempfile::TempDir;
use tower::ServiceExt;

pub const SECRET_KEY: &str = "sk_test_0123456789abcdefghijklmnop";
pub const NOW: &str = "2026-11-23T09:30:00Z";

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub db: Db,
    pub payments: Arc<SandboxPayments>,
    _dir: TempDir,
}

pub enum Auth<'a> {
    None,
    Secret,
    Bearer(&'a str),
}

pub enum Body2<'a> {
    Empty,
    Json(Value),
    Raw(&'a str, &'a str),
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with(false).await
    }

    pub async fn demo() -> TestApp {
        TestApp::with(true).await
    }

    async fn with(demo: bool) -> TestApp {
        TestApp::configured(demo, |_| {}).await
    }

    /// A server whose settings the test adjusts (e.g. a WorkOS webhook
    /// secret).
    pub async fn with_settings(demo: bool, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::configured(demo, adjust).await
    }

    /// A server whose settings `configure` adjusts first (AuthKit, the
    /// billing role gate, rate limits, a directory to serve, WorkOS).
    pub async fn configured(demo: bool, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("portico.db").display());
        let db = Db::connect(&url).await.expect("open test database");
        let clock = Arc::new(ManualClock::new(Timestamp::parse_rfc3339(NOW).unwrap()));
        let mut settings = Settings {
            secret_key: SECRET_KEY.into(),
            token_secret: b"test-token-secret-of-at-least-32-bytes".to_vec(),
            allowed_origins: vec!["https://app.example.com".into()],
            demo,
            serve_dir: None,
            ..Settings::default()
        };
        configure(&mut settings);
        let payments = Arc::new(SandboxPayments::new());
        let state = AppState::with_payments(
            db.clone(),
            Catalog::demo(),
            &settings,
            clock.clone(),
            payments.clone(),
        );
        if demo {
            portico_server::demo::seed(&db, clock.now_ts())
                .await
                .expect("seed demo");
        }
        TestApp {
            router: router(state.clone(), &settings),
            state,
            clock,
            db,
            payments,
            _dir: dir,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Auth<'_>,
        body: Body2<'_>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        match auth {
            Auth::None => {}
            Auth::Secret => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {SECRET_KEY}"))
            }
            Auth::Bearer(token) => {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"))
            }
        }
        let body = match body {
            Body2::Empty => Body::empty(),
            Body2::Json(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            Body2::Raw(content_type, text) => {
                request = request.header(header::CONTENT_TYPE, content_type);
                Body::from(text.to_owned())
            }
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!("response is not JSON: {}", String::from_utf8_lossy(&bytes))
            })
        };
        (status, value)
    }

    pub async fn get(&self, path: &str, auth: Auth<'_>) -> (StatusCode, Value) {
        self.call(Method::GET, path, auth, Body2::Empty).await
    }

    pub async fn post(&self, path: &str, auth: Auth<'_>, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, auth, Body2::Json(body)).await
    }

    pub async fn put(&self, path: &str, auth: Auth<'_>, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, auth, Body2::Json(body)).await
    }

    /// A portal token minted through the API with the secret key.
    pub async fn token(&self, org: &str, user: Option<&str>) -> String {
        let mut body = json!({ "company": { "name": "workos_organization_id", "value": org } });
        if let Some(user) = user {
            body["user"] = json!({ "name": "workos_user_id", "value": user });
        }
        let (status, token) = self.post("/v1/portal-tokens", Auth::Secret, body).await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        token["token"].as_str().unwrap().to_owned()
    }

    pub async fn identify(
        &self,
        token: &str,
        org: &str,
        org_name: &str,
        user: &str,
        email: &str,
    ) -> (StatusCode, Value) {
        self.post(
            "/v1/identify",
            Auth::Bearer(token),
            json!({
                "company": { "keys": { "workos_organization_id": org }, "name": org_name },
                "user": { "keys": { "workos_user_id": user, "email": email }, "name": "Ada Lovelace" }
            }),
        )
        .await
    }

    pub fn now(&self) -> Timestamp {
        portico_server::clock::Clock::now(self.clock.as_ref())
    }

    /// Records usage for `org` with the secret key (`increment` or `set`),
    /// as a host's server does; it must be accepted.
    pub async fn usage(&self, org: &str, feature: &str, quantity: u64, mode: &str) {
        let (status, body) = self
            .post(
                "/v1/usage",
                Auth::Secret,
                serde_json::json!({
                    "company": { "workos_organization_id": org },
                    "feature": feature,
                    "quantity": quantity,
                    "mode": mode,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// Gives `org` (identified first) a paid, active subscription that
    /// started `days_ago`, as if bought long ago (no trial, no invoice).
    pub async fn subscribe(
        &self,
        org: &str,
        plan: &str,
        interval: &str,
        days_ago: i64,
        addons: &[(&str, u32)],
    ) {
        let (status, _) = self
            .put(
                "/v1/companies",
                Auth::Secret,
                serde_json::json!({ "keys": { "workos_organization_id": org } }),
            )
            .await;
        assert!(status.is_success());
        let company_id: String = sqlx::query_scalar(
            "SELECT company_id FROM company_keys WHERE key_name = 'workos_organization_id' AND key_value = ?",
        )
        .bind(org)
        .fetch_one(&self.db.reader)
        .await
        .unwrap();
        let start = self.now().add_days(-days_ago);
        let months = if interval == "year" { 12 } else { 1 };
        let (period_start, period_end) = self.now().period_window(start, months);
        sqlx::query(
            "INSERT INTO subscriptions (company_id, plan_id, billing_interval, status, current_period_start,
                 current_period_end, cancel_at_period_end, created_at, updated_at)
             VALUES (?, ?, ?, 'active', ?, ?, 0, ?, ?)",
        )
        .bind(&company_id)
        .bind(plan)
        .bind(interval)
        .bind(period_start.0)
        .bind(period_end.0)
        .bind(start.0)
        .bind(start.0)
        .execute(&self.db.writer)
        .await
        .unwrap();
        for (addon, quantity) in addons {
            sqlx::query(
                "INSERT INTO subscription_addons (company_id, addon_id, quantity) VALUES (?, ?, ?)",
            )
            .bind(&company_id)
            .bind(addon)
            .bind(i64::from(*quantity))
            .execute(&self.db.writer)
            .await
            .unwrap();
        }
    }

    /// Runs the renewal sweep at the test clock's time.
    pub async fn renew(&self) -> usize {
        portico_server::domain::billing::renewals::renew_due(
            &self.db,
            &self.state.catalog,
            self.state.payments.as_ref(),
            self.now(),
        )
        .await
        .unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.db.reader)
            .await
            .unwrap()
    }

    /// Every row that matters, as text: compare before and after a refused
    /// request to prove nothing changed.
    pub async fn fingerprint(&self) -> String {
        let queries = [
            "SELECT id || '|' || COALESCE(name, '') || '|' || traits || '|' || updated_at FROM companies ORDER BY id",
            "SELECT company_id || '|' || key_name || '|' || key_value FROM company_keys ORDER BY 1",
            "SELECT id || '|' || COALESCE(name, '') || '|' || traits || '|' || updated_at FROM users ORDER BY id",
            "SELECT user_id || '|' || key_name || '|' || key_value FROM user_keys ORDER BY 1",
            "SELECT company_id || '|' || user_id || '|' || status || '|' || COALESCE(role, '') FROM memberships ORDER BY 1",
            "SELECT id || '|' || kind FROM events ORDER BY 1",
            "SELECT company_id || '|' || plan_id || '|' || billing_interval || '|' || status || '|' || current_period_start
                 || '|' || current_period_end || '|' || cancel_at_period_end || '|' || COALESCE(scheduled_change, '')
                 || '|' || revision FROM subscriptions ORDER BY 1",
            "SELECT company_id || '|' || addon_id || '|' || quantity FROM subscription_addons ORDER BY 1",
            "SELECT id || '|' || status || '|' || total FROM invoices ORDER BY id",
            "SELECT id || '|' || status || '|' || amount FROM payments ORDER BY id",
            "SELECT company_id || '|' || balance FROM account_credits ORDER BY 1",
            "SELECT id || '|' || company_id || '|' || feature_id || '|' || quantity FROM usage_events ORDER BY id",
            "SELECT company_id || '|' || feature_id || '|' || value FROM usage_gauges ORDER BY 1",
        ];
        let mut out = String::new();
        for query in queries {
            let rows: Vec<String> = sqlx::query_scalar(query)
                .fetch_all(&self.db.reader)
                .await
                .unwrap();
            out.push_str(&rows.join("\n"));
            out.push_str("\n--\n");
        }
        out
    }
}

trait NowTs {
    fn now_ts(&self) -> Timestamp;
}

impl NowTs for ManualClock {
    fn now_ts(&self) -> Timestamp {
        portico_server::clock::Clock::now(self)
    }
}

pub fn entitlement<'a>(snapshot: &'a Value, feature: &str) -> &'a Value {
    snapshot["entitlements"]
        .as_array()
        .and_then(|list| list.iter().find(|e| e["feature_id"] == feature))
        .unwrap_or_else(|| panic!("no entitlement {feature} in {snapshot}"))
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {body}"))
}
