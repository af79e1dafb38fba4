//! The HTTP API against a real SQLite file: identify and upserts by key,
//! token scoping, usage, and the error body for bad input.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::{entitlement, error_code, Auth, Body2, TestApp};

const ORG_A: &str = "org_01AAAAAAAAAAAAAAAAAAAAAAAA";
const ORG_B: &str = "org_01BBBBBBBBBBBBBBBBBBBBBBBB";
const USER_A: &str = "user_01AAAAAAAAAAAAAAAAAAAAAA";
const USER_B: &str = "user_01BBBBBBBBBBBBBBBBBBBBBB";

#[tokio::test]
async fn identify_creates_then_updates_without_duplicating() {
    let app = TestApp::new().await;
    let token = app.token(ORG_A, Some(USER_A)).await;

    let (status, body) = app
        .identify(&token, ORG_A, "Acme", USER_A, "Ada@Acme.test")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(body["event_id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(
        (
            app.count("companies").await,
            app.count("users").await,
            app.count("memberships").await
        ),
        (1, 1, 1)
    );

    // Same keys, new name and traits: the same records are updated.
    let (status, _) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({
                "company": { "keys": { "workos_organization_id": ORG_A }, "name": "Acme Corp", "traits": { "tier": "gold" } },
                "user": { "keys": { "workos_user_id": USER_A }, "traits": { "seats_wanted": 3 } }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        (
            app.count("companies").await,
            app.count("users").await,
            app.count("memberships").await
        ),
        (1, 1, 1)
    );
    assert_eq!(app.count("events").await, 2, "each identify is recorded");

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(snapshot["company"]["name"], "Acme Corp");
    assert_eq!(snapshot["company"]["keys"]["workos_organization_id"], ORG_A);
    assert_eq!(
        snapshot["user"]["name"], "Ada Lovelace",
        "a name not sent again is kept"
    );
    assert_eq!(
        snapshot["user"]["keys"]["email"], "ada@acme.test",
        "emails are stored lower-cased"
    );
    let traits: String = sqlx::query_scalar("SELECT traits FROM companies")
        .fetch_one(&app.db.reader)
        .await
        .unwrap();
    assert_eq!(traits, r#"{"tier":"gold"}"#);
}

#[tokio::test]
async fn keys_matching_two_records_conflict_and_change_nothing() {
    let app = TestApp::new().await;
    let (status, _) = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "workos_organization_id": ORG_A }, "name": "A" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "stripe_customer_id": "cus_B" }, "name": "B" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let before = app.fingerprint().await;

    // One key names A, the other B.
    let (status, body) = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "workos_organization_id": ORG_A, "stripe_customer_id": "cus_B" }, "name": "Merged?" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "conflicting_keys");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("belong to different companies"),
        "{message}"
    );
    assert!(
        message.contains("workos_organization_id=") && message.contains("stripe_customer_id=cus_B"),
        "{message}"
    );
    assert_eq!(app.fingerprint().await, before);

    // Through identify too, with a browser token for A.
    let token = app.token(ORG_A, None).await;
    let (status, body) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({ "company": { "keys": { "workos_organization_id": ORG_A, "stripe_customer_id": "cus_B" } } }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "conflicting_keys")
    );
    assert_eq!(app.fingerprint().await, before);

    // A record cannot hold two values for one key name.
    let (status, body) = app
        .put("/v1/companies", Auth::Secret, json!({ "keys": { "stripe_customer_id": "cus_B", "workos_organization_id": "org_OTHER" } }))
        .await;
    assert_eq!(status, StatusCode::OK, "B gains a WorkOS id: {body}");
    let before = app.fingerprint().await;
    let (status, body) = app
        .put("/v1/companies", Auth::Secret, json!({ "keys": { "stripe_customer_id": "cus_B", "workos_organization_id": "org_THIRD" } }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "conflicting_keys"),
        "{body}"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already has workos_organization_id=org_OTHER"));
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn users_matched_by_email_gain_their_workos_id() {
    let app = TestApp::new().await;
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": ORG_A } }),
    )
    .await;
    let (status, first) = app
        .put("/v1/users", Auth::Secret, json!({ "keys": { "email": "ada@acme.test" }, "name": "Ada", "company": { "workos_organization_id": ORG_A } }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let token = app.token(ORG_A, Some(USER_A)).await;
    let (status, _) = app
        .identify(&token, ORG_A, "Acme", USER_A, "ADA@acme.test")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(
        app.count("users").await,
        1,
        "matched by email, not duplicated"
    );
    let (status, record) = app
        .put(
            "/v1/users",
            Auth::Secret,
            json!({ "keys": { "workos_user_id": USER_A } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["id"], first["id"]);
    assert_eq!(
        record["keys"],
        json!({ "email": "ada@acme.test", "workos_user_id": USER_A })
    );
}

#[tokio::test]
async fn a_token_only_ever_reaches_its_own_company() {
    let app = TestApp::new().await;
    let token_a = app.token(ORG_A, Some(USER_A)).await;
    let token_b = app.token(ORG_B, Some(USER_B)).await;
    assert_eq!(
        app.identify(&token_a, ORG_A, "A Inc", USER_A, "a@a.test")
            .await
            .0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.identify(&token_b, ORG_B, "B Inc", USER_B, "b@b.test")
            .await
            .0,
        StatusCode::ACCEPTED
    );
    app.usage(ORG_B, "api_calls", 77, "increment").await;

    let (_, a) = app.get("/v1/portal", Auth::Bearer(&token_a)).await;
    assert_eq!(a["company"]["name"], "A Inc");
    assert_eq!(entitlement(&a, "api_calls")["usage"], 0);
    let (_, b) = app.get("/v1/portal", Auth::Bearer(&token_b)).await;
    assert_eq!(b["company"]["name"], "B Inc");
    assert_eq!(entitlement(&b, "api_calls")["usage"], 77);

    // A's token cannot identify as B, nor as another user of A.
    let before = app.fingerprint().await;
    let (status, body) = app
        .identify(&token_a, ORG_B, "Hijacked", USER_A, "a@a.test")
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{body}"
    );
    let (status, _) = app
        .identify(&token_a, ORG_A, "A Inc", USER_B, "b@b.test")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token_a),
            json!({ "company": { "keys": { "workos_organization_id": ORG_A } } }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a token with a user must identify that user"
    );
    assert_eq!(app.fingerprint().await, before);

    // Rewriting the token's claims to B breaks its signature.
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (signed, signature) = token_a.rsplit_once('.').unwrap();
    let claims = String::from_utf8(engine.decode(&signed[3..]).unwrap())
        .unwrap()
        .replace(ORG_A, ORG_B);
    let forged = format!("pt_{}.{signature}", engine.encode(claims));
    let (status, body) = app.get("/v1/portal", Auth::Bearer(&forged)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
}

#[tokio::test]
async fn expired_garbled_and_missing_tokens_are_rejected() {
    let app = TestApp::new().await;
    let token = app.token(ORG_A, None).await;
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&token)).await.0,
        StatusCode::OK
    );

    app.clock.advance(15 * 60);
    let (status, body) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "token_expired")
    );

    for garbled in ["pt_", "pt_abc.def", "not-a-token", "pt_e30.AAAA"] {
        let (status, body) = app.get("/v1/portal", Auth::Bearer(garbled)).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::UNAUTHORIZED, "unauthenticated"),
            "{garbled}"
        );
    }
    let (status, body) = app.get("/v1/portal", Auth::None).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );

    let (status, body) = app
        .post("/v1/portal-tokens", Auth::Secret, json!({ "company": { "name": "workos_organization_id", "value": ORG_A }, "ttl_seconds": 3600 }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        "tokens live 15 minutes at most"
    );
}

#[tokio::test]
async fn secret_keys_and_portal_tokens_are_not_interchangeable() {
    let app = TestApp::new().await;
    let token = app.token(ORG_A, None).await;
    let (status, body) = app.get("/v1/portal", Auth::Secret).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("never send the secret key from a browser"));
    let (status, body) = app
        .post("/v1/usage", Auth::Bearer(&token), json!({ "company": { "workos_organization_id": ORG_A }, "feature": "api_calls", "quantity": 1 }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let (status, _) = app
        .put(
            "/v1/companies",
            Auth::Bearer("sk_test_wrong_key_0000000000000"),
            json!({ "keys": { "a": "b" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("companies").await, 0);
}

#[tokio::test]
async fn usage_feeds_entitlements() {
    let app = TestApp::new().await;
    let token = app.token(ORG_A, Some(USER_A)).await;
    app.identify(&token, ORG_A, "Acme", USER_A, "a@a.test")
        .await;
    let usage = |quantity: u64, key: Option<&str>| {
        let mut body = json!({ "company": { "workos_organization_id": ORG_A }, "feature": "api_calls", "quantity": quantity });
        if let Some(key) = key {
            body["idempotency_key"] = json!(key);
        }
        body
    };

    let (status, body) = app
        .post("/v1/usage", Auth::Secret, usage(600, Some("batch-1")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({ "feature_id": "api_calls", "usage": 600, "counted": true })
    );
    let (_, body) = app
        .post("/v1/usage", Auth::Secret, usage(600, Some("batch-1")))
        .await;
    assert_eq!(
        body["counted"], false,
        "a repeated idempotency key is counted once"
    );
    let (_, body) = app.post("/v1/usage", Auth::Secret, usage(500, None)).await;
    assert_eq!(body["usage"], 1100);
    app.usage(ORG_A, "projects", 2, "set").await;

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(snapshot["plan"]["id"], "free");
    let api = entitlement(&snapshot, "api_calls");
    assert_eq!(
        (api["usage"].as_u64(), api["limit"].as_u64()),
        (Some(1100), Some(1000))
    );
    assert_eq!(
        (api["over_limit"].as_bool(), api["access"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        api["resets_at"], "2026-12-01T00:00:00Z",
        "calendar months without a subscription"
    );
    let projects = entitlement(&snapshot, "projects");
    assert_eq!(
        (projects["usage"].as_u64(), projects["access"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(
        entitlement(&snapshot, "seats")["usage"],
        1,
        "the identified user holds a seat"
    );
    assert_eq!(entitlement(&snapshot, "sso")["access"], false);

    // A new month starts from zero.
    app.clock
        .set(portico_types::Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap());
    let token = app.token(ORG_A, Some(USER_A)).await;
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(entitlement(&snapshot, "api_calls")["usage"], 0);
    assert_eq!(
        entitlement(&snapshot, "projects")["usage"],
        2,
        "holdings do not reset"
    );
}

#[tokio::test]
async fn a_company_not_yet_identified_sees_the_default_plan() {
    let app = TestApp::new().await;
    let token = app.token("org_NEVER_SEEN", None).await;
    let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot["company"], json!(null));
    assert_eq!(snapshot["plan"]["id"], "free");
    assert_eq!(entitlement(&snapshot, "api_calls")["usage"], 0);
    assert_eq!(snapshot["plans"].as_array().unwrap().len(), 3);
    assert_eq!(app.count("companies").await, 0, "reading writes nothing");
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let app = TestApp::new().await;
    let token = app.token(ORG_A, None).await;
    let before = app.fingerprint().await;

    let (status, body) = app
        .call(
            Method::POST,
            "/v1/identify",
            Auth::Bearer(&token),
            Body2::Raw("application/json", "{\"company\": "),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let (status, body) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({ "user": { "keys": {} } }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("company"),
        "{body}"
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/identify",
            Auth::Bearer(&token),
            Body2::Raw("text/plain", "{}"),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let (status, body) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({ "company": { "keys": {} } }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );
    let (status, body) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({ "company": { "keys": { "Bad Name": "x" } } }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );

    let usage = |feature: &str, org: &str| json!({ "company": { "workos_organization_id": org }, "feature": feature, "quantity": 1 });
    let (status, body) = app
        .post("/v1/usage", Auth::Secret, usage("teleport", ORG_A))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "unknown_feature")
    );
    let (status, body) = app
        .post("/v1/usage", Auth::Secret, usage("api_calls", "org_UNKNOWN"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "company_not_found")
    );
    let (status, body) = app
        .post("/v1/usage", Auth::Secret, usage("seats", ORG_A))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );
    let (status, body) = app
        .post(
            "/v1/usage",
            Auth::Secret,
            json!({ "company": {}, "feature": "api_calls", "quantity": -1 }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
    );

    let huge = format!(
        "{{\"company\": {{\"keys\": {{\"k\": \"{}\"}}}}}}",
        "x".repeat(100_000)
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/identify",
            Auth::Bearer(&token),
            Body2::Raw("application/json", &huge),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    let (status, body) = app.get("/v1/nothing-here", Auth::None).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found")
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn demo_endpoints_exist_only_in_demo_mode() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get("/v1/demo/accounts", Auth::None).await.0,
        StatusCode::NOT_FOUND
    );

    let demo = TestApp::demo().await;
    let (status, accounts) = demo.get("/v1/demo/accounts", Auth::None).await;
    assert_eq!(status, StatusCode::OK);
    let acme = &accounts[0];
    assert_eq!(acme["organization"]["name"], "Acme Corp");
    let (status, token) = demo
        .post(
            "/v1/demo/portal-tokens",
            Auth::None,
            json!({ "organization_id": acme["organization"]["id"], "user_id": acme["user"]["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, snapshot) = demo
        .get("/v1/portal", Auth::Bearer(token["token"].as_str().unwrap()))
        .await;
    assert_eq!(snapshot["plan"]["name"], "Pro");
    assert_eq!(snapshot["subscription"]["status"], "active");
    assert_eq!(snapshot["user"]["name"], "Ada Lovelace");
    assert_eq!(
        entitlement(&snapshot, "seats")["usage"],
        3,
        "pending and inactive members hold no seat"
    );
    assert_eq!(entitlement(&snapshot, "api_calls")["usage"], 48_210);

    // Seeding again, a day later (a demo restart), duplicates nothing.
    let tables = [
        "companies",
        "company_keys",
        "users",
        "user_keys",
        "memberships",
        "subscriptions",
        "usage_events",
        "usage_gauges",
    ];
    let mut before = Vec::new();
    for table in tables {
        before.push(demo.count(table).await);
    }
    demo.clock.advance(86_400);
    portico_server::demo::seed(
        &demo.db,
        portico_server::clock::Clock::now(demo.clock.as_ref()),
    )
    .await
    .unwrap();
    let mut after = Vec::new();
    for table in tables {
        after.push(demo.count(table).await);
    }
    assert_eq!(after, before, "re-seeding is idempotent");
}
