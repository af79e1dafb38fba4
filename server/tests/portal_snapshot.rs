//! What `GET /v1/portal` reads in its few combined queries: the company
//! with every key and its credit, the viewer only when a member, the
//! subscription's add-ons in order, and usage of every kind. Pinned here
//! because the reads are merged for speed (see `domain::portal`).

mod support;

use axum::http::StatusCode;
use serde_json::json;
use support::{entitlement, Auth, TestApp};

const ORG: &str = "org_01SNAPSHOTSNAPSHOTSNAPSHOT";
const OTHER_ORG: &str = "org_01OTHEROTHEROTHEROTHEROTH";
const MEMBER: &str = "user_01MEMBERMEMBERMEMBERMEMB";
const SECOND: &str = "user_01SECONDSECONDSECONDSEC";
const OUTSIDER: &str = "user_01OUTSIDEROUTSIDEROUTSI";

async fn company_id(app: &TestApp, org: &str) -> String {
    sqlx::query_scalar(
        "SELECT company_id FROM company_keys WHERE key_name = 'workos_organization_id' AND key_value = ?",
    )
    .bind(org)
    .fetch_one(&app.db.reader)
    .await
    .unwrap()
}

async fn user(app: &TestApp, user: &str, email: &str, org: &str) {
    let (status, body) = app
        .put(
            "/v1/users",
            Auth::Secret,
            json!({
                "keys": { "workos_user_id": user, "email": email },
                "name": format!("Name of {email}"),
                "company": { "workos_organization_id": org },
            }),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test]
async fn the_snapshot_reads_company_viewer_subscription_credit_and_usage() {
    let app = TestApp::new().await;
    let (status, body) = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "workos_organization_id": ORG, "crm_id": "crm-42" }, "name": "Snapshot Co" }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": OTHER_ORG } }),
    )
    .await;
    user(&app, MEMBER, "member@snap.test", ORG).await;
    user(&app, SECOND, "second@snap.test", ORG).await;
    user(&app, OUTSIDER, "outsider@snap.test", OTHER_ORG).await;
    // Add-ons stored out of order are listed by id.
    app.subscribe(
        ORG,
        "pro",
        "month",
        3,
        &[("sso_connection", 1), ("extra_seats", 3)],
    )
    .await;
    sqlx::query(
        "INSERT INTO account_credits (company_id, balance, updated_at) VALUES (?, 1234, 0)",
    )
    .bind(company_id(&app, ORG).await)
    .execute(&app.db.writer)
    .await
    .unwrap();
    for (feature, quantity, mode) in [
        ("api_calls", 700, "increment"),
        ("api_calls", 50, "increment"),
        ("projects", 4, "set"),
        ("storage_gb", 9, "set"),
    ] {
        app.usage(ORG, feature, quantity, mode).await;
    }

    let token = app.token(ORG, Some(MEMBER)).await;
    let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(status, StatusCode::OK, "{snapshot}");
    assert_eq!(snapshot["company"]["name"], "Snapshot Co");
    assert_eq!(
        snapshot["company"]["keys"],
        json!({ "crm_id": "crm-42", "workos_organization_id": ORG })
    );
    assert_eq!(snapshot["user"]["name"], "Name of member@snap.test");
    assert_eq!(
        snapshot["user"]["keys"],
        json!({ "email": "member@snap.test", "workos_user_id": MEMBER })
    );
    assert_eq!(
        snapshot["subscription"]["addons"],
        json!([
            { "addon_id": "extra_seats", "quantity": 3 },
            { "addon_id": "sso_connection", "quantity": 1 }
        ])
    );
    assert_eq!(
        snapshot["credit_balance"],
        json!({ "amount_minor": 1234, "currency": "USD" })
    );
    assert_eq!(
        snapshot["upcoming_invoice"]["credit_applied"]["amount_minor"],
        1234
    );
    assert_eq!(entitlement(&snapshot, "api_calls")["usage"], 750);
    assert_eq!(entitlement(&snapshot, "projects")["usage"], 4);
    assert_eq!(entitlement(&snapshot, "storage_gb")["usage"], 9);
    assert_eq!(
        entitlement(&snapshot, "seats")["usage"],
        2,
        "the two members of this company, not the other's"
    );
    assert_eq!(entitlement(&snapshot, "sso")["access"], true, "the add-on");

    // A user who is not a member, or no user at all: no viewer, the same
    // company.
    for token in [
        app.token(ORG, Some(OUTSIDER)).await,
        app.token(ORG, None).await,
    ] {
        let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
        assert_eq!(status, StatusCode::OK, "{snapshot}");
        assert_eq!(snapshot["user"], json!(null));
        assert_eq!(snapshot["company"]["name"], "Snapshot Co");
        assert_eq!(snapshot["credit_balance"]["amount_minor"], 1234);
    }

    // The other company: no subscription, no credit, its own member.
    let token = app.token(OTHER_ORG, Some(OUTSIDER)).await;
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(snapshot["user"]["keys"]["workos_user_id"], OUTSIDER);
    assert_eq!(snapshot["subscription"], json!(null));
    assert_eq!(snapshot["credit_balance"], json!(null));
    assert_eq!(snapshot["plan"]["id"], "free");
    assert_eq!(entitlement(&snapshot, "api_calls")["usage"], 0);
    assert_eq!(entitlement(&snapshot, "seats")["usage"], 1);
}

#[tokio::test]
async fn a_few_entitlements_read_alone_match_the_whole_portal() {
    let app = TestApp::new().await;
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": ORG } }),
    )
    .await;
    user(&app, MEMBER, "member@snap.test", ORG).await;
    app.subscribe(ORG, "pro", "month", 3, &[("sso_connection", 1)])
        .await;
    for (feature, quantity, mode) in [("api_calls", 1234, "increment"), ("projects", 7, "set")] {
        app.usage(ORG, feature, quantity, mode).await;
    }
    let token = app.token(ORG, Some(MEMBER)).await;
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;

    let (status, read) = app
        .get(
            "/v1/portal/entitlements?feature=projects&feature=api_calls&feature=sso&feature=seats",
            Auth::Bearer(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let listed: Vec<&str> = read["entitlements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["feature_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["projects", "api_calls", "sso", "seats"],
        "in the order asked for"
    );
    for (i, feature) in listed.iter().enumerate() {
        assert_eq!(&read["entitlements"][i], entitlement(&snapshot, feature));
    }
    assert_eq!(read["entitlements"][1]["usage"], 1234);
    assert_eq!(read["entitlements"][2]["access"], true, "the add-on counts");

    // A company not identified yet reads as the default plan, as the
    // portal does.
    let token = app.token(OTHER_ORG, None).await;
    let (status, read) = app
        .get(
            "/v1/portal/entitlements?feature=api_calls",
            Auth::Bearer(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["entitlements"][0]["usage"], 0);
    assert_eq!(read["entitlements"][0]["limit"], 1000);
}

#[tokio::test]
async fn an_entitlements_read_names_features_the_catalog_has() {
    let app = TestApp::new().await;
    let token = app.token(ORG, None).await;
    for (path, status, code, says) in [
        (
            "/v1/portal/entitlements?feature=api_calls&feature=no_such_thing",
            StatusCode::NOT_FOUND,
            "unknown_feature",
            "no_such_thing",
        ),
        (
            "/v1/portal/entitlements",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "at least one feature",
        ),
        (
            "/v1/portal/entitlements?features=api_calls",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "?feature=",
        ),
    ] {
        let (got, body) = app.get(path, Auth::Bearer(&token)).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(support::error_code(&body), code, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{path}: {message}");
    }
    let too_many = format!(
        "/v1/portal/entitlements?{}",
        vec!["feature=api_calls"; 101].join("&")
    );
    let (got, body) = app.get(&too_many, Auth::Bearer(&token)).await;
    assert_eq!(got, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(support::error_code(&body), "invalid_input");
    let (got, _) = app
        .get("/v1/portal/entitlements?feature=api_calls", Auth::None)
        .await;
    assert_eq!(got, StatusCode::UNAUTHORIZED);
}

/// What SQLite plans for the two usage reads: each sums from its own
/// covering index, never the table, and the few-features read seeks those
/// features' events of the period instead of walking every event of it
/// (see `domain::portal::load_usage`).
#[tokio::test]
async fn usage_reads_sum_from_their_covering_indexes() {
    use portico_server::domain::portal::{USAGE_OF_EVERY_FEATURE, USAGE_OF_SOME_FEATURES};

    let app = TestApp::new().await;
    let plan = |sql: &str| {
        let app = &app;
        let sql = format!("EXPLAIN QUERY PLAN {sql}");
        async move {
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&sql)
                .bind("company")
                .bind(0_i64)
                .bind(1_i64)
                .bind("[\"api_calls\"]")
                .fetch_all(&app.db.reader)
                .await
                .unwrap();
            rows.into_iter()
                .map(|(_, _, _, step)| step)
                .collect::<Vec<_>>()
        }
    };
    let every = plan(USAGE_OF_EVERY_FEATURE).await;
    assert!(
        every.iter().any(|s| s.starts_with(
            "SEARCH usage_events USING COVERING INDEX usage_events_by_period (company_id=? AND occurred_at>? AND occurred_at<?)"
        )),
        "{every:#?}"
    );
    let some = plan(USAGE_OF_SOME_FEATURES).await;
    assert!(
        some.iter().any(|s| s.starts_with(
            "SEARCH usage_events USING COVERING INDEX usage_events_by_feature (company_id=? AND feature_id=? AND occurred_at>? AND occurred_at<?)"
        )),
        "{some:#?}"
    );
}
