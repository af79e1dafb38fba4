//! `GET /v1/members` over members synced from WorkOS: who is in the token's
//! company, and seats (active memberships only) against the plan.

mod support;

use axum::http::StatusCode;
use portico_types::{Limit, MemberList, MembershipStatus};
use serde_json::Value;
use support::workos::{at, event, membership, organization, user};
use support::{entitlement, error_code, Auth, TestApp};

const ACME: &str = "org_01HACMEAAAAAAAAAAAAAAAAAAA";
const GLOBEX: &str = "org_01HGLOBEXBBBBBBBBBBBBBBBBB";

async fn synced() -> TestApp {
    let app = TestApp::workos().await;
    let mut n = 0;
    let mut send = |kind: &str, data: Value| {
        n += 1;
        event(&format!("event_{n:03}"), kind, data)
    };
    let events = vec![
        send(
            "organization.created",
            organization(ACME, "Acme", &at(10, 0)),
        ),
        send(
            "organization.created",
            organization(GLOBEX, "Globex", &at(10, 0)),
        ),
        send(
            "user.created",
            user("user_ada", "ada@acme.test", "Ada", "Lovelace", &at(10, 0)),
        ),
        send(
            "user.created",
            user("user_bob", "bob@acme.test", "Bob", "Byte", &at(10, 0)),
        ),
        send(
            "user.created",
            user("user_cy", "cy@acme.test", "Cy", "Pher", &at(10, 0)),
        ),
        send(
            "user.created",
            user("user_dee", "dee@acme.test", "", "", &at(10, 0)),
        ),
        send(
            "user.created",
            user("user_eve", "eve@globex.test", "Eve", "Ning", &at(10, 0)),
        ),
        send(
            "organization_membership.created",
            membership("om_ada", "user_ada", ACME, "admin", "active", &at(10, 0)),
        ),
        send(
            "organization_membership.created",
            membership("om_bob", "user_bob", ACME, "member", "pending", &at(10, 0)),
        ),
        send(
            "organization_membership.created",
            membership("om_cy", "user_cy", ACME, "member", "inactive", &at(10, 0)),
        ),
        send(
            "organization_membership.created",
            membership("om_dee", "user_dee", ACME, "member", "active", &at(10, 0)),
        ),
        send(
            "organization_membership.created",
            membership("om_eve", "user_eve", GLOBEX, "admin", "active", &at(10, 0)),
        ),
    ];
    for e in &events {
        app.deliver_ok(e, "applied").await;
    }
    app
}

async fn members(app: &TestApp, token: &str) -> MemberList {
    let (status, body) = app.get("/v1/members", Auth::Bearer(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn lists_synced_members_with_their_role_status_and_seats() {
    let app = synced().await;
    let token = app.token(ACME, Some("user_ada")).await;
    let list = members(&app, &token).await;

    let emails: Vec<_> = list
        .members
        .iter()
        .map(|m| m.email.clone().unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "ada@acme.test",
            "bob@acme.test",
            "cy@acme.test",
            "dee@acme.test"
        ]
    );
    let ada = &list.members[0];
    assert!(ada.user_id.starts_with("usr_"));
    assert_eq!(ada.workos_user_id.as_deref(), Some("user_ada"));
    assert_eq!(ada.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(ada.role.as_deref(), Some("admin"));
    assert_eq!(ada.status, MembershipStatus::Active);
    assert_eq!(ada.joined_at.to_rfc3339(), "2026-11-02T10:00:00Z");
    assert_eq!(list.members[1].status, MembershipStatus::Pending);
    assert_eq!(list.members[2].status, MembershipStatus::Inactive);
    assert_eq!(list.members[3].name, None, "no name in WorkOS: none here");

    // Seats: active memberships only; the free plan grants 3.
    assert_eq!(
        (list.seats.used, list.seats.pending, list.seats.inactive),
        (2, 1, 1)
    );
    assert_eq!(list.seats.limit, Limit::Count(3));
    assert_eq!(list.seats.available(), Some(1));
    // The portal counts seats the same way.
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(entitlement(&snapshot, "seats")["usage"], 2);

    // Accepting the invitation takes a seat; deactivating frees one.
    app.deliver_ok(
        &event(
            "event_accept",
            "organization_membership.updated",
            membership("om_bob", "user_bob", ACME, "member", "active", &at(11, 0)),
        ),
        "applied",
    )
    .await;
    app.deliver_ok(
        &event(
            "event_deactivate",
            "organization_membership.updated",
            membership("om_ada", "user_ada", ACME, "admin", "inactive", &at(11, 0)),
        ),
        "applied",
    )
    .await;
    // Ada is no longer an active member: her own token reads nothing now.
    let (status, _) = app.get("/v1/members", Auth::Bearer(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = app.token(ACME, Some("user_bob")).await;
    let list = members(&app, &token).await;
    assert_eq!(
        (list.seats.used, list.seats.pending, list.seats.inactive),
        (2, 0, 2)
    );

    // A deleted user is no longer a member.
    app.deliver_ok(
        &event(
            "event_gone",
            "user.deleted",
            user("user_dee", "dee@acme.test", "", "", &at(12, 0)),
        ),
        "applied",
    )
    .await;
    let list = members(&app, &token).await;
    assert_eq!(list.members.len(), 3);
    assert_eq!(list.seats.used, 1);
}

#[tokio::test]
async fn the_seat_limit_follows_the_plan() {
    let app = synced().await;
    let company_id: String =
        sqlx::query_scalar("SELECT company_id FROM company_keys WHERE key_value = ?")
            .bind(ACME)
            .fetch_one(&app.db.reader)
            .await
            .unwrap();
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
    let token = app.token(ACME, None).await;
    assert_eq!(members(&app, &token).await.seats.limit, Limit::Count(10));
}

#[tokio::test]
async fn a_token_sees_only_its_own_company() {
    let app = synced().await;
    let globex = members(&app, &app.token(GLOBEX, None).await).await;
    assert_eq!(globex.members.len(), 1);
    assert_eq!(globex.members[0].email.as_deref(), Some("eve@globex.test"));
    assert_eq!(
        (
            globex.seats.used,
            globex.seats.pending,
            globex.seats.inactive
        ),
        (1, 0, 0)
    );

    // A company nobody has synced or identified: nobody, on the default plan.
    let unknown = members(
        &app,
        &app.token("org_01HNOBODYNNNNNNNNNNNNNNNNN", None).await,
    )
    .await;
    assert!(unknown.members.is_empty());
    assert_eq!(unknown.seats.limit, Limit::Count(3));

    let (status, body) = app.get("/v1/members", Auth::None).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    let (status, body) = app.get("/v1/members", Auth::Secret).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
}
