//! Import, reconcile and Events API catch-up against a fake WorkOS REST API
//! on 127.0.0.1 that serves WorkOS-shaped pages (two objects a page, so
//! every list spans several pages).

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use portico_server::workos::catch_up::catch_up;
use portico_server::workos::import::import;
use portico_server::workos::schedule::{run_once, SyncSchedule};
use serde_json::json;
use support::workos::{at, event, membership, organization, user, FakeWorkos, FakeWorkosData};
use support::{Auth, TestApp};

const ACME: &str = "org_01HACMEAAAAAAAAAAAAAAAAAAA";
const GLOBEX: &str = "org_01HGLOBEXBBBBBBBBBBBBBBBBB";
const INITECH: &str = "org_01HINITECHCCCCCCCCCCCCCCCC";

fn workos_data() -> FakeWorkosData {
    FakeWorkosData {
        organizations: vec![
            organization(ACME, "Acme", &at(10, 0)),
            organization(GLOBEX, "Globex", &at(10, 0)),
            organization(INITECH, "Initech", &at(10, 0)),
        ],
        users: vec![
            user("user_ada", "ada@acme.test", "Ada", "Lovelace", &at(10, 0)),
            user("user_bob", "bob@acme.test", "Bob", "Byte", &at(10, 0)),
            user("user_cy", "cy@acme.test", "Cy", "Pher", &at(10, 0)),
            user("user_dee", "dee@globex.test", "Dee", "Bug", &at(10, 0)),
            user("user_eve", "Eve@Globex.test", "Eve", "Ning", &at(10, 0)),
        ],
        memberships: vec![
            membership("om_ada", "user_ada", ACME, "admin", "active", &at(10, 0)),
            membership("om_bob", "user_bob", ACME, "member", "pending", &at(10, 0)),
            membership("om_cy", "user_cy", ACME, "member", "inactive", &at(10, 0)),
            membership("om_dee", "user_dee", GLOBEX, "admin", "active", &at(10, 0)),
        ],
        ..Default::default()
    }
}

/// Everything but the time of the last reconcile.
async fn state_without_reconcile_time(app: &TestApp) -> String {
    app.workos_fingerprint()
        .await
        .lines()
        .filter(|line| !line.starts_with("reconciled_at|"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn import_pages_through_everything_and_rerunning_changes_nothing() {
    let app = TestApp::new().await;
    // Eve is already known by email, from before WorkOS.
    let (status, eve) = app
        .put(
            "/v1/users",
            Auth::Secret,
            json!({ "keys": { "email": "eve@globex.test" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let workos = FakeWorkos::start(workos_data(), 2).await;

    let report = import(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(report.refused, Vec::<String>::new());
    assert_eq!(
        (
            report.organizations.applied,
            report.users.applied,
            report.memberships.applied
        ),
        (3, 5, 4)
    );
    assert_eq!(
        (
            app.count("companies").await,
            app.count("users").await,
            app.count("memberships").await
        ),
        (3, 5, 4)
    );
    assert_eq!(
        app.member_rows(ACME).await,
        vec![
            ("ada@acme.test".into(), "active".into(), "admin".into()),
            ("bob@acme.test".into(), "pending".into(), "member".into()),
            ("cy@acme.test".into(), "inactive".into(), "member".into()),
        ]
    );
    let eve_id: String = sqlx::query_scalar(
        "SELECT user_id FROM user_keys WHERE key_name = 'workos_user_id' AND key_value = 'user_eve'",
    )
    .fetch_one(&app.db.reader)
    .await
    .unwrap();
    assert_eq!(eve_id, eve["id"], "matched by email, gained the WorkOS id");

    // It paged: every list was asked again after a cursor, with every
    // membership status, under the API key.
    let requests = workos.requests();
    assert!(
        requests.contains(&format!("/organizations?limit=100&after={GLOBEX}")),
        "{requests:#?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/user_management/users?limit=100&after=user_dee")),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|r| r.contains("after=om_bob")
            && r.contains(&format!("organization_id={ACME}"))
            && r.contains("statuses=active&statuses=inactive&statuses=pending")),
        "{requests:#?}"
    );
    assert_eq!(requests.len(), 2 + 3 + (2 + 1 + 1));

    let before = state_without_reconcile_time(&app).await;
    app.clock.advance(3600);
    let again = import(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(again.changes(), 0, "{again:?}");
    assert_eq!(
        (
            again.organizations.unchanged,
            again.users.unchanged,
            again.memberships.unchanged
        ),
        (3, 5, 4)
    );
    assert_eq!(state_without_reconcile_time(&app).await, before);
}

#[tokio::test]
async fn reconcile_repairs_drift_and_reports_conflicts() {
    let app = TestApp::new().await;
    let workos = FakeWorkos::start(workos_data(), 2).await;
    import(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    // A Portico user with another WorkOS id already has the address a new
    // WorkOS user is about to bring.
    let (status, _) = app
        .put(
            "/v1/users",
            Auth::Secret,
            json!({ "keys": { "workos_user_id": "user_old", "email": "fay@acme.test" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // While no events reached us: Acme renamed, Cy's membership deleted,
    // Bob accepted his invitation and changed his address, Fay joined.
    workos.edit(|data| {
        data.organizations[0] = organization(ACME, "Acme Corp", &at(11, 0));
        data.memberships.retain(|m| m["id"] != "om_cy");
        data.memberships[1] =
            membership("om_bob", "user_bob", ACME, "member", "active", &at(11, 0));
        data.users[1] = user("user_bob", "robert@acme.test", "Bob", "Byte", &at(11, 0));
        data.users
            .push(user("user_fay", "fay@acme.test", "Fay", "Ng", &at(11, 0)));
    });
    app.clock.advance(86_400);
    let report = import(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(report.organizations.applied, 1);
    assert_eq!(report.users.applied, 1);
    assert_eq!(report.memberships.applied, 1);
    assert_eq!(report.memberships_removed, 1);
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    assert!(
        report.refused[0].starts_with("user_fay:"),
        "{:?}",
        report.refused
    );
    assert!(
        report.refused[0].contains("workos_user_id=user_old"),
        "{:?}",
        report.refused
    );

    assert_eq!(
        app.member_rows(ACME).await,
        vec![
            ("ada@acme.test".into(), "active".into(), "admin".into()),
            ("robert@acme.test".into(), "active".into(), "member".into()),
        ]
    );
    let name: String = sqlx::query_scalar(
        "SELECT c.name FROM companies c JOIN company_keys k ON k.company_id = c.id WHERE k.key_value = ?",
    )
    .bind(ACME)
    .fetch_one(&app.db.reader)
    .await
    .unwrap();
    assert_eq!(name, "Acme Corp");
    assert_eq!(
        app.count("users").await,
        6,
        "Fay was refused, not duplicated"
    );
}

#[tokio::test]
async fn catch_up_resumes_from_the_persisted_cursor() {
    let app = TestApp::workos().await;
    let data = FakeWorkosData {
        events: vec![
            event(
                "event_01",
                "organization.created",
                organization(ACME, "Acme", &at(10, 0)),
            ),
            event(
                "event_02",
                "user.created",
                user("user_ada", "ada@acme.test", "Ada", "L", &at(10, 0)),
            ),
            event("event_03", "session.created", json!({ "id": "session_1" })),
            event(
                "event_04",
                "organization_membership.created",
                membership("om_ada", "user_ada", ACME, "admin", "active", &at(10, 0)),
            ),
            event(
                "event_05",
                "organization_membership.created",
                membership(
                    "om_ghost",
                    "user_ghost",
                    ACME,
                    "member",
                    "active",
                    &at(10, 0),
                ),
            ),
        ],
        ..Default::default()
    };
    let workos = FakeWorkos::start(data, 2).await;

    let first = catch_up(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(first.outcomes.applied, 3, "{first:?}");
    assert_eq!(
        first.refused.len(),
        1,
        "the membership of an unknown user: {first:?}"
    );
    assert!(first.refused[0].contains("event_05"));
    assert_eq!(
        first.cursor.as_deref(),
        Some("event_05"),
        "moved past the refused event"
    );
    assert_eq!(app.count("memberships").await, 1);
    let requests = workos.requests();
    assert!(
        requests[0].starts_with(
            "/events?limit=100&events=organization.created&events=organization.updated"
        ),
        "{requests:?}"
    );
    assert!(
        !requests[0].contains("after="),
        "no cursor yet: {requests:?}"
    );
    assert!(!requests[0].contains("session.created"));
    let stored: String =
        sqlx::query_scalar("SELECT value FROM workos_sync_state WHERE name = 'events_cursor'")
            .fetch_one(&app.db.reader)
            .await
            .unwrap();
    assert_eq!(stored, "event_05");

    // Down for a while; meanwhile WorkOS recorded more. One of them was
    // delivered by webhook before we went down.
    let rename = event(
        "event_06",
        "organization.updated",
        organization(ACME, "Acme Corp", &at(11, 0)),
    );
    app.deliver_ok(&rename, "applied").await;
    workos.edit(|data| {
        data.events.push(rename.clone());
        data.events.push(event(
            "event_07",
            "organization_membership.updated",
            membership("om_ada", "user_ada", ACME, "admin", "inactive", &at(11, 0)),
        ));
        data.events.push(event(
            "event_08",
            "organization_membership.updated",
            membership("om_ada", "user_ada", ACME, "member", "active", &at(10, 500)),
        ));
        data.requests.clear();
    });
    app.clock.advance(7 * 86_400);

    let second = catch_up(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    let requests = workos.requests();
    assert!(
        requests[0].starts_with("/events?limit=100&after=event_05&events="),
        "resumed from the stored cursor: {requests:?}"
    );
    assert_eq!(
        second.duplicates, 1,
        "the webhook's event is not applied twice: {second:?}"
    );
    assert_eq!(
        (second.outcomes.applied, second.outcomes.stale),
        (1, 1),
        "{second:?}"
    );
    assert_eq!(second.cursor.as_deref(), Some("event_08"));
    assert_eq!(
        app.member_rows(ACME).await[0].1,
        "inactive",
        "the older event_08 did not win"
    );

    // Nothing new: one request, nothing changes.
    let before = app.workos_fingerprint().await;
    let third = catch_up(&app.db, &workos.client(), app.clock.as_ref())
        .await
        .unwrap();
    assert_eq!(third.cursor.as_deref(), Some("event_08"));
    assert_eq!(third.outcomes.applied + third.duplicates, 0);
    assert_eq!(app.workos_fingerprint().await, before);
}

#[tokio::test]
async fn serve_catches_up_every_round_and_reconciles_when_due() {
    let app = TestApp::new().await;
    let workos = FakeWorkos::start(workos_data(), 100).await;
    let schedule = SyncSchedule {
        catch_up_every: Duration::from_secs(60),
        reconcile_every: Duration::from_secs(86_400),
    };
    let lists = |requests: Vec<String>| {
        (
            requests.iter().filter(|r| r.starts_with("/events")).count(),
            requests
                .iter()
                .filter(|r| r.starts_with("/organizations"))
                .count(),
        )
    };

    run_once(&app.db, &workos.client(), app.clock.as_ref(), schedule).await;
    assert_eq!(
        lists(workos.requests()),
        (1, 1),
        "never reconciled: reconcile now"
    );
    assert_eq!(app.count("companies").await, 3);

    workos.edit(|data| data.requests.clear());
    app.clock.advance(3600);
    run_once(&app.db, &workos.client(), app.clock.as_ref(), schedule).await;
    assert_eq!(
        lists(workos.requests()),
        (1, 0),
        "reconciled an hour ago: catch up only"
    );

    workos.edit(|data| data.requests.clear());
    app.clock.advance(86_400);
    run_once(&app.db, &workos.client(), app.clock.as_ref(), schedule).await;
    assert_eq!(
        lists(workos.requests()),
        (1, 1),
        "a day later: reconcile again"
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_an_error_and_writes_nothing() {
    let app = TestApp::new().await;
    let workos = FakeWorkos::start(workos_data(), 2).await;
    let client =
        portico_server::workos::api::WorkosClient::new(&workos.base_url, "sk_wrong").unwrap();
    let before = app.workos_fingerprint().await;
    let error = import(&app.db, &client, app.clock.as_ref())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("401"), "{error}");
    let error = catch_up(&app.db, &client, app.clock.as_ref())
        .await
        .unwrap_err();
    assert!(error.to_string().contains("401"), "{error}");
    assert_eq!(app.workos_fingerprint().await, before);
}
