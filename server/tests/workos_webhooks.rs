//! `POST /v1/webhooks/workos` against a real SQLite file: signatures
//! (verified on the raw bytes, refusals write nothing), every handled event
//! type, replays, out-of-order delivery, deletes, email-matched users and
//! conflicts.

mod support;

use axum::http::StatusCode;
use portico_server::workos::signature::sign;
use serde_json::{json, Value};
use support::workos::{at, event, membership, now_millis, organization, user, WEBHOOK_SECRET};
use support::{error_code, Auth, TestApp};

const ORG: &str = "org_01HACMEAAAAAAAAAAAAAAAAAAA";
const OTHER_ORG: &str = "org_01HGLOBEXBBBBBBBBBBBBBBBBB";
const ADA: &str = "user_01HADAAAAAAAAAAAAAAAAAAAAA";
const BOB: &str = "user_01HBOBBBBBBBBBBBBBBBBBBBBB";
const ADA_IN_ORG: &str = "om_01HADAINACMEAAAAAAAAAAAAAA";

/// A server with one organization, one user and their membership, all
/// from WorkOS.
async fn synced() -> TestApp {
    let app = TestApp::workos().await;
    app.deliver_ok(
        &event(
            "event_1",
            "organization.created",
            organization(ORG, "Acme", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_2",
            "user.created",
            user(ADA, "Ada@Acme.test", "Ada", "Lovelace", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_3",
            "organization_membership.created",
            membership(ADA_IN_ORG, ADA, ORG, "admin", "active", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    app
}

async fn company(app: &TestApp, org: &str) -> (String, Option<String>, Option<i64>) {
    sqlx::query_as(
        "SELECT c.id, c.name, c.deleted_at FROM companies c JOIN company_keys k ON k.company_id = c.id
         WHERE k.key_name = 'workos_organization_id' AND k.key_value = ?",
    )
    .bind(org)
    .fetch_one(&app.db.reader)
    .await
    .unwrap()
}

async fn user_row(app: &TestApp, workos_user_id: &str) -> (String, Option<String>, Option<i64>) {
    sqlx::query_as(
        "SELECT u.id, u.name, u.deleted_at FROM users u JOIN user_keys k ON k.user_id = u.id
         WHERE k.key_name = 'workos_user_id' AND k.key_value = ?",
    )
    .bind(workos_user_id)
    .fetch_one(&app.db.reader)
    .await
    .unwrap()
}

async fn email_of(app: &TestApp, user_id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT key_value FROM user_keys WHERE user_id = ? AND key_name = 'email'")
        .bind(user_id)
        .fetch_optional(&app.db.reader)
        .await
        .unwrap()
}

// ---- signatures ---------------------------------------------------------

fn signed_event() -> (String, Value) {
    let body = event(
        "event_sig",
        "organization.created",
        organization(ORG, "Acme", &at(10, 0)),
    );
    (body.to_string(), body)
}

async fn assert_refused(app: &TestApp, body: &str, signature: Option<&str>, says: &str) {
    let before = app.workos_fingerprint().await;
    let (status, response) = app.webhook_raw(body, signature).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{response}");
    assert_eq!(error_code(&response), "unauthenticated");
    let message = response["error"]["message"].as_str().unwrap();
    assert!(message.contains(says), "{message:?} should say {says:?}");
    assert_eq!(
        app.workos_fingerprint().await,
        before,
        "a refused delivery writes nothing"
    );
    assert_eq!(app.count("companies").await, 0);
}

#[tokio::test]
async fn a_valid_signature_is_accepted() {
    let app = TestApp::workos().await;
    let (body, _) = signed_event();
    let signature = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
    let (status, response) = app.webhook_raw(&body, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{response}");
    assert_eq!(
        response,
        json!({ "event_id": "event_sig", "outcome": "applied" })
    );
    assert_eq!(app.count("companies").await, 1);
}

#[tokio::test]
async fn a_signature_made_with_another_secret_is_refused() {
    let app = TestApp::workos().await;
    let (body, _) = signed_event();
    let signature = sign("whsec_someone_else", now_millis(), body.as_bytes());
    assert_refused(&app, &body, Some(&signature), "does not match").await;
}

#[tokio::test]
async fn a_tampered_body_is_refused() {
    let app = TestApp::workos().await;
    let (body, _) = signed_event();
    let signature = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
    let tampered = body.replace("Acme", "Evil");
    assert_ne!(tampered, body);
    assert_refused(&app, &tampered, Some(&signature), "does not match").await;
    // Even whitespace counts: the bytes are signed, not the JSON value.
    let reformatted = format!("{body} ");
    assert_refused(&app, &reformatted, Some(&signature), "does not match").await;
}

#[tokio::test]
async fn a_missing_signature_is_refused() {
    let app = TestApp::workos().await;
    let (body, _) = signed_event();
    assert_refused(&app, &body, None, "missing WorkOS-Signature").await;
}

#[tokio::test]
async fn a_stale_or_future_timestamp_is_refused() {
    let app = TestApp::workos().await;
    let (body, _) = signed_event();
    let old = sign(WEBHOOK_SECRET, now_millis() - 181_000, body.as_bytes());
    assert_refused(&app, &body, Some(&old), "outside the allowed 180 s").await;
    let future = sign(WEBHOOK_SECRET, now_millis() + 181_000, body.as_bytes());
    assert_refused(&app, &body, Some(&future), "outside the allowed").await;
    // A correct signature that was fine when sent is refused once the clock
    // has moved on: a captured delivery cannot be replayed later.
    let fresh = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
    app.clock.advance(181);
    assert_refused(&app, &body, Some(&fresh), "outside the allowed").await;
}

#[tokio::test]
async fn a_malformed_signature_header_is_refused() {
    let app = TestApp::workos().await;
    let (body, _) = signed_event();
    let good = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
    let mac = good.split("v1=").nth(1).unwrap();
    for header in [
        "garbage".to_owned(),
        format!("v1={mac}"),
        format!("t={}", now_millis()),
        format!("t=soon, v1={mac}"),
        format!("t={}, v1=not-hex", now_millis()),
        format!("t={}, v1={}", now_millis(), &mac[..10]),
    ] {
        assert_refused(&app, &body, Some(&header), "malformed").await;
    }
}

#[tokio::test]
async fn the_tolerance_is_configurable() {
    let app = TestApp::with_settings(false, |settings| {
        settings.workos_webhooks.secret = Some(WEBHOOK_SECRET.into());
        settings.workos_webhooks.tolerance = std::time::Duration::from_secs(600);
    })
    .await;
    let (body, _) = signed_event();
    let signature = sign(WEBHOOK_SECRET, now_millis() - 300_000, body.as_bytes());
    let (status, response) = app.webhook_raw(&body, Some(&signature)).await;
    assert_eq!(status, StatusCode::OK, "{response}");
}

#[tokio::test]
async fn without_a_secret_the_endpoint_refuses_everything() {
    let app = TestApp::new().await;
    let (body, _) = signed_event();
    let signature = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
    let before = app.workos_fingerprint().await;
    let (status, response) = app.webhook_raw(&body, Some(&signature)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{response}");
    assert!(response["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--workos-webhook-secret"));
    assert_eq!(app.workos_fingerprint().await, before);
}

#[tokio::test]
async fn signed_but_not_an_event_is_refused_clearly() {
    let app = TestApp::workos().await;
    for (body, status, code) in [
        ("{not json", StatusCode::BAD_REQUEST, "malformed_json"),
        (
            r#"{"id":"event_x"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            r#"{"id":"event_x","event":"user.created","data":{"id":"user_1"}}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ] {
        let signature = sign(WEBHOOK_SECRET, now_millis(), body.as_bytes());
        let (got, response) = app.webhook_raw(body, Some(&signature)).await;
        assert_eq!(
            (got, error_code(&response)),
            (status, code),
            "{body}: {response}"
        );
    }
    assert_eq!(app.count("workos_events").await, 0);
}

// ---- events ---------------------------------------------------------------

#[tokio::test]
async fn organizations_users_and_memberships_are_created_and_updated() {
    let app = synced().await;
    let (company_id, name, deleted) = company(&app, ORG).await;
    assert_eq!((name.as_deref(), deleted), (Some("Acme"), None));
    let (user_id, name, _) = user_row(&app, ADA).await;
    assert_eq!(name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        email_of(&app, &user_id).await.as_deref(),
        Some("ada@acme.test")
    );
    let (status, role, joined, link): (String, String, i64, String) = sqlx::query_as(
        "SELECT status, role, created_at, workos_membership_id FROM memberships WHERE company_id = ? AND user_id = ?",
    )
    .bind(&company_id)
    .bind(&user_id)
    .fetch_one(&app.db.reader)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), role.as_str(), link.as_str()),
        ("active", "admin", ADA_IN_ORG)
    );
    assert_eq!(
        joined,
        portico_types::Timestamp::parse_rfc3339("2026-11-02T10:00:00Z")
            .unwrap()
            .0,
        "joined when WorkOS created the membership"
    );

    // Updates change the same records.
    app.deliver_ok(
        &event(
            "event_4",
            "organization.updated",
            organization(ORG, "Acme Corp", &at(11, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_5",
            "user.updated",
            user(ADA, "ada@acme.test", "Ada", "King", &at(11, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_6",
            "organization_membership.updated",
            membership(ADA_IN_ORG, ADA, ORG, "member", "inactive", &at(11, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(company(&app, ORG).await.1.as_deref(), Some("Acme Corp"));
    assert_eq!(user_row(&app, ADA).await.1.as_deref(), Some("Ada King"));
    assert_eq!(
        app.member_rows(ORG).await,
        vec![("ada@acme.test".into(), "inactive".into(), "member".into())]
    );
    assert_eq!(
        (
            app.count("companies").await,
            app.count("users").await,
            app.count("memberships").await
        ),
        (1, 1, 1),
        "updated, never duplicated"
    );
    assert_eq!(app.count("workos_events").await, 6);

    // An update carrying what is already stored writes nothing but the event id.
    let before = app.fingerprint().await;
    app.deliver_ok(
        &event(
            "event_7",
            "organization.updated",
            organization(ORG, "Acme Corp", &at(12, 0)),
        ),
        "unchanged",
    )
    .await;
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_and_ignored() {
    let app = synced().await;
    let before = app.workos_fingerprint().await;
    for kind in [
        "dsync.user.created",
        "authentication.email_verification_succeeded",
        "session.created",
    ] {
        let (status, body) = app
            .deliver(&event("event_other", kind, json!({ "anything": true })))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["outcome"], "ignored");
    }
    assert_eq!(app.workos_fingerprint().await, before);
}

#[tokio::test]
async fn the_same_event_twice_changes_nothing_the_second_time() {
    let app = synced().await;
    let rename = event(
        "event_rename",
        "organization.updated",
        organization(ORG, "Acme Corp", &at(11, 0)),
    );
    app.deliver_ok(&rename, "applied").await;
    let after_first = app.workos_fingerprint().await;
    app.clock.advance(60);
    app.deliver_ok(&rename, "duplicate").await;
    assert_eq!(app.workos_fingerprint().await, after_first);

    // A replay of an older event id, even after later changes, is a duplicate too.
    app.deliver_ok(
        &event(
            "event_late",
            "organization.updated",
            organization(ORG, "Acme 2", &at(12, 0)),
        ),
        "applied",
    )
    .await;
    let before = app.workos_fingerprint().await;
    app.deliver_ok(&rename, "duplicate").await;
    assert_eq!(app.workos_fingerprint().await, before);
    assert_eq!(company(&app, ORG).await.1.as_deref(), Some("Acme 2"));
}

#[tokio::test]
async fn an_older_update_never_overwrites_a_newer_one() {
    let app = synced().await;
    // Newer first, then the older one arrives late, for every kind of object.
    app.deliver_ok(
        &event(
            "event_new_org",
            "organization.updated",
            organization(ORG, "Newer", &at(12, 1)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_new_user",
            "user.updated",
            user(ADA, "ada@new.test", "Ada", "Newer", &at(12, 1)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_new_om",
            "organization_membership.updated",
            membership(ADA_IN_ORG, ADA, ORG, "owner", "active", &at(12, 1)),
        ),
        "applied",
    )
    .await;
    let before = app.fingerprint().await;
    // One millisecond older.
    app.deliver_ok(
        &event(
            "event_old_org",
            "organization.updated",
            organization(ORG, "Older", &at(12, 0)),
        ),
        "stale",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_old_user",
            "user.updated",
            user(ADA, "ada@old.test", "Ada", "Older", &at(12, 0)),
        ),
        "stale",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_old_om",
            "organization_membership.updated",
            membership(ADA_IN_ORG, ADA, ORG, "member", "inactive", &at(11, 0)),
        ),
        "stale",
    )
    .await;
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(company(&app, ORG).await.1.as_deref(), Some("Newer"));
    let (user_id, name, _) = user_row(&app, ADA).await;
    assert_eq!(name.as_deref(), Some("Ada Newer"));
    assert_eq!(
        email_of(&app, &user_id).await.as_deref(),
        Some("ada@new.test")
    );
    assert_eq!(app.member_rows(ORG).await[0].1, "active");
    // The older events are recorded as handled, so a redelivery is a duplicate.
    app.deliver_ok(
        &event(
            "event_old_org",
            "organization.updated",
            organization(ORG, "Older", &at(12, 0)),
        ),
        "duplicate",
    )
    .await;
}

#[tokio::test]
async fn deleting_an_organization_keeps_its_billing_history() {
    let app = synced().await;
    let (company_id, _, _) = company(&app, ORG).await;
    let now = 1_795_426_200i64;
    sqlx::query(
        "INSERT INTO subscriptions (company_id, plan_id, billing_interval, status, current_period_start, current_period_end, created_at, updated_at)
         VALUES (?, 'pro', 'month', 'active', ?, ?, ?, ?)",
    )
    .bind(&company_id)
    .bind(now - 86_400)
    .bind(now + 86_400 * 20)
    .bind(now)
    .bind(now)
    .execute(&app.db.writer)
    .await
    .unwrap();
    sqlx::query("INSERT INTO usage_events (company_id, feature_id, quantity, occurred_at) VALUES (?, 'api_calls', 5, ?)")
        .bind(&company_id)
        .bind(now)
        .execute(&app.db.writer)
        .await
        .unwrap();
    sqlx::query("INSERT INTO usage_gauges (company_id, feature_id, value, updated_at) VALUES (?, 'projects', 2, ?)")
        .bind(&company_id)
        .bind(now)
        .execute(&app.db.writer)
        .await
        .unwrap();

    app.deliver_ok(
        &event(
            "event_del",
            "organization.deleted",
            organization(ORG, "Acme", &at(13, 0)),
        ),
        "applied",
    )
    .await;
    let (same_id, _, deleted_at) = company(&app, ORG).await;
    assert_eq!(same_id, company_id, "the company keeps its key");
    assert_eq!(deleted_at, Some(now), "soft-deleted");
    assert_eq!(
        (
            app.count("subscriptions").await,
            app.count("usage_events").await,
            app.count("usage_gauges").await
        ),
        (1, 1, 1),
        "billing history stays"
    );
    assert_eq!(
        app.count("memberships").await,
        0,
        "its memberships go: no seats taken"
    );
    assert_eq!(
        user_row(&app, ADA).await.2,
        None,
        "its members are not deleted"
    );

    // Deletion is final: a late update, a replay of creation or a second
    // delete change nothing.
    let before = app.workos_fingerprint().await;
    app.deliver_ok(
        &event(
            "event_late",
            "organization.updated",
            organization(ORG, "Zombie", &at(14, 0)),
        ),
        "already_deleted",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_late_om",
            "organization_membership.updated",
            membership(ADA_IN_ORG, ADA, ORG, "admin", "active", &at(14, 0)),
        ),
        "already_deleted",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_del_2",
            "organization.deleted",
            organization(ORG, "Acme", &at(13, 0)),
        ),
        "already_deleted",
    )
    .await;
    let after: String = app.workos_fingerprint().await;
    // Only the three event ids were recorded.
    assert_eq!(
        after.lines().filter(|l| l.starts_with("event_")).count(),
        before.lines().filter(|l| l.starts_with("event_")).count() + 3
    );
    assert_eq!(company(&app, ORG).await.1.as_deref(), Some("Acme"));
    assert_eq!(app.count("memberships").await, 0);
}

#[tokio::test]
async fn deleting_a_user_frees_their_email_and_seats() {
    let app = synced().await;
    let (user_id, _, _) = user_row(&app, ADA).await;
    app.deliver_ok(
        &event(
            "event_del",
            "user.deleted",
            user(ADA, "ada@acme.test", "Ada", "Lovelace", &at(13, 0)),
        ),
        "applied",
    )
    .await;
    let (same_id, _, deleted_at) = user_row(&app, ADA).await;
    assert_eq!(same_id, user_id);
    assert!(deleted_at.is_some());
    assert_eq!(
        email_of(&app, &user_id).await,
        None,
        "the address is released"
    );
    assert_eq!(app.count("memberships").await, 0);
    assert_eq!(company(&app, ORG).await.2, None, "the company stays");

    // The same address back as a new WorkOS user is a new user, not a conflict.
    app.deliver_ok(
        &event(
            "event_new",
            "user.created",
            user(BOB, "ada@acme.test", "Ada", "Again", &at(14, 0)),
        ),
        "applied",
    )
    .await;
    assert_ne!(user_row(&app, BOB).await.0, user_id);
    assert_eq!(app.count("users").await, 2);
}

#[tokio::test]
async fn deleting_a_membership_removes_only_that_membership() {
    let app = synced().await;
    app.deliver_ok(
        &event(
            "event_bob",
            "user.created",
            user(BOB, "bob@acme.test", "Bob", "B", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_bob_om",
            "organization_membership.created",
            membership("om_bob_1", BOB, ORG, "member", "pending", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(app.count("memberships").await, 2);
    app.deliver_ok(
        &event(
            "event_del",
            "organization_membership.deleted",
            membership(ADA_IN_ORG, ADA, ORG, "admin", "active", &at(13, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(
        app.member_rows(ORG).await,
        vec![("bob@acme.test".into(), "pending".into(), "member".into())]
    );
    assert!(user_row(&app, ADA).await.2.is_none(), "the user stays");

    // Re-invited: a new om_… for the same pair. The old membership's late
    // events touch nothing.
    app.deliver_ok(
        &event(
            "event_reinvite",
            "organization_membership.created",
            membership("om_ada_2", ADA, ORG, "member", "pending", &at(14, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_old_update",
            "organization_membership.updated",
            membership(ADA_IN_ORG, ADA, ORG, "admin", "active", &at(15, 0)),
        ),
        "already_deleted",
    )
    .await;
    assert_eq!(
        app.member_rows(ORG).await[0],
        ("ada@acme.test".into(), "pending".into(), "member".into())
    );
    // A delete of the old membership arriving after the re-invitation
    // leaves the new one alone.
    app.deliver_ok(
        &event(
            "event_old_delete",
            "organization_membership.deleted",
            membership("om_bob_0", BOB, ORG, "member", "active", &at(9, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(app.count("memberships").await, 2);
}

#[tokio::test]
async fn a_user_matched_by_email_gains_their_workos_id() {
    let app = TestApp::workos().await;
    // Known by email only, e.g. from an earlier server-side upsert.
    let (status, record) = app
        .put(
            "/v1/users",
            Auth::Secret,
            json!({ "keys": { "email": "ada@acme.test", "crm_id": "crm_7" }, "name": "A. Lovelace" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    app.deliver_ok(
        &event(
            "event_1",
            "user.created",
            user(ADA, "ADA@acme.test", "Ada", "Lovelace", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(app.count("users").await, 1, "matched, not duplicated");
    let (user_id, name, _) = user_row(&app, ADA).await;
    assert_eq!(user_id, record["id"]);
    assert_eq!(name.as_deref(), Some("Ada Lovelace"));
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT key_name, key_value FROM user_keys WHERE user_id = ? ORDER BY key_name",
    )
    .bind(&user_id)
    .fetch_all(&app.db.reader)
    .await
    .unwrap();
    assert_eq!(
        keys,
        vec![
            ("crm_id".into(), "crm_7".into()),
            ("email".into(), "ada@acme.test".into()),
            ("workos_user_id".into(), ADA.into())
        ]
    );
}

#[tokio::test]
async fn conflicting_keys_are_refused_with_409_and_change_nothing() {
    let app = synced().await;
    // Bob exists with his own WorkOS id and address.
    app.deliver_ok(
        &event(
            "event_bob",
            "user.created",
            user(BOB, "bob@acme.test", "Bob", "B", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    let before = app.workos_fingerprint().await;

    // WorkOS says Ada's address is now Bob's: that would merge two users.
    let (status, body) = app
        .deliver(&event(
            "event_clash",
            "user.updated",
            user(ADA, "bob@acme.test", "Ada", "L", &at(12, 0)),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "conflicting_keys");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bob@acme.test"),
        "{body}"
    );
    assert_eq!(
        app.workos_fingerprint().await,
        before,
        "nothing written, not even the event id"
    );

    // A new WorkOS user whose address is on a user with another WorkOS id.
    let (status, body) = app
        .deliver(&event(
            "event_clash_2",
            "user.created",
            user(
                "user_01HNEWNEWNEWNEWNEWNEWNEWNE",
                "ada@acme.test",
                "X",
                "Y",
                &at(12, 0),
            ),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "conflicting_keys");
    assert_eq!(app.workos_fingerprint().await, before);

    // Once the data is fixed, WorkOS's retry of the same event goes through.
    app.deliver_ok(
        &event(
            "event_bob_del",
            "user.deleted",
            user(BOB, "bob@acme.test", "Bob", "B", &at(11, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_clash",
            "user.updated",
            user(ADA, "bob@acme.test", "Ada", "L", &at(12, 0)),
        ),
        "applied",
    )
    .await;
}

#[tokio::test]
async fn a_membership_before_its_user_is_refused_until_the_user_arrives() {
    let app = TestApp::workos().await;
    app.deliver_ok(
        &event(
            "event_1",
            "organization.created",
            organization(ORG, "Acme", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    let om = event(
        "event_om",
        "organization_membership.created",
        membership(ADA_IN_ORG, ADA, ORG, "admin", "active", &at(10, 0)),
    );
    let before = app.workos_fingerprint().await;
    let (status, body) = app.deliver(&om).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(error_code(&body), "user_not_found");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not been synced yet"));
    assert_eq!(app.workos_fingerprint().await, before);
    let (status, body) = app
        .deliver(&event(
            "event_om_2",
            "organization_membership.created",
            membership("om_2", ADA, OTHER_ORG, "admin", "active", &at(10, 0)),
        ))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "company_not_found")
    );

    app.deliver_ok(
        &event(
            "event_2",
            "user.created",
            user(ADA, "ada@acme.test", "Ada", "L", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(&om, "applied").await;
    assert_eq!(app.count("memberships").await, 1);
}

#[tokio::test]
async fn identify_and_webhooks_meet_on_the_same_records() {
    let app = TestApp::workos().await;
    let token = app.token(ORG, Some(ADA)).await;
    let (status, _) = app
        .identify(&token, ORG, "Acme (from the browser)", ADA, "ada@acme.test")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    app.deliver_ok(
        &event(
            "event_1",
            "organization.updated",
            organization(ORG, "Acme", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    // Identify already stored this name and address.
    app.deliver_ok(
        &event(
            "event_2",
            "user.updated",
            user(ADA, "ada@acme.test", "Ada", "Lovelace", &at(10, 0)),
        ),
        "unchanged",
    )
    .await;
    // The identify-made membership is linked to its WorkOS membership.
    app.deliver_ok(
        &event(
            "event_3",
            "organization_membership.updated",
            membership(ADA_IN_ORG, ADA, ORG, "admin", "active", &at(10, 0)),
        ),
        "applied",
    )
    .await;
    assert_eq!(
        (
            app.count("companies").await,
            app.count("users").await,
            app.count("memberships").await
        ),
        (1, 1, 1)
    );
    assert_eq!(app.member_rows(ORG).await[0].2, "admin");
}
