//! WorkOS test helpers: a server with a webhook secret, signed deliveries,
//! WorkOS-shaped objects and events, and a fake WorkOS REST API on
//! 127.0.0.1 that pages like the real one.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use http_body_util::BodyExt;
use portico_server::workos::signature::{sign, WebhookSettings};
use portico_types::Timestamp;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{TestApp, NOW};

pub const WEBHOOK_SECRET: &str = "whsec_test_portico_0123456789";
pub const WORKOS_API_KEY: &str = "sk_test_workos_fake_key";

/// Unix milliseconds of the test clock's "now".
pub fn now_millis() -> i64 {
    Timestamp::parse_rfc3339(NOW).unwrap().unix_millis()
}

impl TestApp {
    /// A server that accepts WorkOS webhooks signed with [`WEBHOOK_SECRET`].
    pub async fn workos() -> TestApp {
        TestApp::with_settings(false, |settings| {
            settings.workos_webhooks = WebhookSettings {
                secret: Some(WEBHOOK_SECRET.into()),
                ..Default::default()
            };
        })
        .await
    }

    /// POSTs `body` to the webhook endpoint with `signature` as the
    /// `WorkOS-Signature` header (none if `None`).
    pub async fn webhook_raw(&self, body: &str, signature: Option<&str>) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method("POST")
            .uri("/v1/webhooks/workos")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(signature) = signature {
            request = request.header("WorkOS-Signature", signature);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body.to_owned())).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!("response is not JSON: {}", String::from_utf8_lossy(&bytes))
        });
        (status, value)
    }

    /// Delivers an event signed as WorkOS would, now.
    pub async fn deliver(&self, event: &Value) -> (StatusCode, Value) {
        let body = event.to_string();
        let signature = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
        self.webhook_raw(&body, Some(&signature)).await
    }

    /// Delivers an event and expects it accepted with `outcome`.
    pub async fn deliver_ok(&self, event: &Value, outcome: &str) {
        let (status, body) = self.deliver(event).await;
        assert_eq!(status, StatusCode::OK, "{event}\n-> {body}");
        assert_eq!(body["outcome"], outcome, "{event}\n-> {body}");
        assert_eq!(body["event_id"], event["id"]);
    }

    /// [`TestApp::fingerprint`] plus soft deletes, the WorkOS link of
    /// memberships and the sync's own tables.
    pub async fn workos_fingerprint(&self) -> String {
        let mut out = self.fingerprint().await;
        let queries = [
            "SELECT id || '|' || COALESCE(deleted_at, '') FROM companies ORDER BY id",
            "SELECT id || '|' || COALESCE(deleted_at, '') FROM users ORDER BY id",
            "SELECT company_id || '|' || user_id || '|' || created_at || '|' || updated_at || '|' || COALESCE(workos_membership_id, '') FROM memberships ORDER BY 1",
            "SELECT id || '|' || outcome FROM workos_events ORDER BY 1",
            "SELECT workos_id || '|' || workos_updated_at || '|' || COALESCE(deleted_at, '') || '|' || synced_at FROM workos_objects ORDER BY 1",
            "SELECT name || '|' || value FROM workos_sync_state ORDER BY 1",
        ];
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

    /// The members of a company as (email, status, role), in list order.
    pub async fn member_rows(&self, org: &str) -> Vec<(String, String, String)> {
        sqlx::query_as(
            "SELECT COALESCE((SELECT key_value FROM user_keys e WHERE e.user_id = m.user_id AND e.key_name = 'email'), ''),
                    m.status, COALESCE(m.role, '')
             FROM company_keys k JOIN memberships m ON m.company_id = k.company_id
             WHERE k.key_name = 'workos_organization_id' AND k.key_value = ?
             ORDER BY 1",
        )
        .bind(org)
        .fetch_all(&self.db.reader)
        .await
        .unwrap()
    }
}

/// `2026-11-<day>T10:00:00.<ms>Z`: a WorkOS timestamp that orders by day,
/// then millisecond.
pub fn at(day: u32, millis: u32) -> String {
    format!("2026-11-{day:02}T10:00:00.{millis:03}Z")
}

pub fn organization(id: &str, name: &str, updated_at: &str) -> Value {
    json!({
        "object": "organization",
        "id": id,
        "name": name,
        "allow_profiles_outside_organization": false,
        "domains": [{ "object": "organization_domain", "id": "org_domain_1", "domain": "example.test", "state": "verified" }],
        "created_at": at(1, 0),
        "updated_at": updated_at,
    })
}

pub fn user(id: &str, email: &str, first: &str, last: &str, updated_at: &str) -> Value {
    json!({
        "object": "user",
        "id": id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "email_verified": true,
        "profile_picture_url": null,
        "created_at": at(1, 0),
        "updated_at": updated_at,
    })
}

pub fn membership(
    id: &str,
    user_id: &str,
    organization_id: &str,
    role: &str,
    status: &str,
    updated_at: &str,
) -> Value {
    json!({
        "object": "organization_membership",
        "id": id,
        "user_id": user_id,
        "organization_id": organization_id,
        "role": { "slug": role },
        "status": status,
        "created_at": at(2, 0),
        "updated_at": updated_at,
    })
}

pub fn event(id: &str, kind: &str, data: Value) -> Value {
    json!({ "object": "event", "id": id, "event": kind, "data": data, "created_at": at(20, 0) })
}

/// What the fake WorkOS API holds and what it was asked.
#[derive(Default)]
pub struct FakeWorkosData {
    pub organizations: Vec<Value>,
    pub users: Vec<Value>,
    pub memberships: Vec<Value>,
    pub events: Vec<Value>,
    /// Every request, as `path?query`.
    pub requests: Vec<String>,
}

/// A fake WorkOS REST API on 127.0.0.1. It serves at most `page_size`
/// objects a page, so a handful of objects spans several pages.
pub struct FakeWorkos {
    pub base_url: String,
    pub data: Arc<Mutex<FakeWorkosData>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeWorkos {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Chooses a list's items from the fake's data and the query.
type PickItems = fn(&FakeWorkosData, &[(String, String)]) -> Vec<Value>;

#[derive(Clone)]
struct FakeState {
    data: Arc<Mutex<FakeWorkosData>>,
    page_size: usize,
}

fn query_pairs(query: &Option<String>) -> Vec<(String, String)> {
    query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                name.to_owned(),
                value.replace("%2C", ",").replace("%3A", ":"),
            )
        })
        .collect()
}

fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// One page after the `after` cursor, WorkOS-shaped.
fn page(items: Vec<Value>, pairs: &[(String, String)], page_size: usize) -> Value {
    let limit: usize = values(pairs, "limit")
        .first()
        .and_then(|l| l.parse().ok())
        .unwrap_or(10);
    let start = match values(pairs, "after").first() {
        Some(after) => items
            .iter()
            .position(|item| item["id"] == *after)
            .map(|index| index + 1)
            .unwrap_or(items.len()),
        None => 0,
    };
    let end = (start + limit.min(page_size)).min(items.len());
    let data: Vec<Value> = items[start..end].to_vec();
    let after = if end < items.len() {
        data.last()
            .map(|item| item["id"].clone())
            .unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    json!({ "object": "list", "data": data, "list_metadata": { "before": null, "after": after } })
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {WORKOS_API_KEY}"))
}

async fn serve_list(
    state: FakeState,
    headers: HeaderMap,
    path: &str,
    query: Option<String>,
    pick: PickItems,
) -> axum::response::Response {
    let mut data = state.data.lock().unwrap();
    data.requests
        .push(format!("{path}?{}", query.clone().unwrap_or_default()));
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "message": "Unauthorized" })),
        )
            .into_response();
    }
    let pairs = query_pairs(&query);
    let items = pick(&data, &pairs);
    Json(page(items, &pairs, state.page_size)).into_response()
}

impl FakeWorkos {
    pub async fn start(data: FakeWorkosData, page_size: usize) -> FakeWorkos {
        let data = Arc::new(Mutex::new(data));
        let state = FakeState {
            data: data.clone(),
            page_size,
        };
        let app = Router::new()
            .route(
                "/organizations",
                get(
                    |State(s): State<FakeState>, h: HeaderMap, RawQuery(q): RawQuery| async move {
                        serve_list(s, h, "/organizations", q, |d, _| d.organizations.clone()).await
                    },
                ),
            )
            .route(
                "/user_management/users",
                get(
                    |State(s): State<FakeState>, h: HeaderMap, RawQuery(q): RawQuery| async move {
                        serve_list(s, h, "/user_management/users", q, |d, _| d.users.clone()).await
                    },
                ),
            )
            .route(
                "/user_management/organization_memberships",
                get(
                    |State(s): State<FakeState>, h: HeaderMap, RawQuery(q): RawQuery| async move {
                        serve_list(
                            s,
                            h,
                            "/user_management/organization_memberships",
                            q,
                            |d, pairs| {
                                let org = values(pairs, "organization_id");
                                let mut statuses = values(pairs, "statuses");
                                // Like WorkOS: only active memberships unless asked.
                                if statuses.is_empty() {
                                    statuses = vec!["active"];
                                }
                                d.memberships
                                    .iter()
                                    .filter(|m| org.iter().any(|o| m["organization_id"] == *o))
                                    .filter(|m| statuses.iter().any(|s| m["status"] == *s))
                                    .cloned()
                                    .collect()
                            },
                        )
                        .await
                    },
                ),
            )
            .route(
                "/events",
                get(
                    |State(s): State<FakeState>, h: HeaderMap, RawQuery(q): RawQuery| async move {
                        serve_list(s, h, "/events", q, |d, pairs| {
                            let types = values(pairs, "events");
                            d.events
                                .iter()
                                .filter(|e| types.iter().any(|t| e["event"] == *t))
                                .cloned()
                                .collect()
                        })
                        .await
                    },
                ),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeWorkos {
            base_url: format!("http://{address}"),
            data,
            server,
        }
    }

    pub fn client(&self) -> portico_server::workos::api::WorkosClient {
        portico_server::workos::api::WorkosClient::new(&self.base_url, WORKOS_API_KEY).unwrap()
    }

    pub fn requests(&self) -> Vec<String> {
        self.data.lock().unwrap().requests.clone()
    }

    pub fn edit(&self, change: impl FnOnce(&mut FakeWorkosData)) {
        change(&mut self.data.lock().unwrap());
    }
}

impl TestApp {
    /// The test clock's "now".
    pub fn clock_now(&self) -> Timestamp {
        portico_server::clock::Clock::now(self.clock.as_ref())
    }
}
