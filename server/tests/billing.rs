//! Checkout, cancel/resume, invoices and renewals over HTTP against a real
//! SQLite file, with the sandbox payment provider and a test clock.
//!
//! The test clock stands at 2026-11-23T09:30:00Z; `subscribe(…, 22, …)`
//! starts a monthly period on Nov 1 09:30, so 8 of its 30 days are left.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use support::{entitlement, error_code, Auth, Body2, TestApp};

const ORG: &str = "org_01BILLINGAAAAAAAAAAAAAAAA";
const OTHER: &str = "org_01BILLINGBBBBBBBBBBBBBBBB";
const DAY: i64 = 86_400;

fn change(plan: &str, interval: &str, addons: &[(&str, u32)]) -> Value {
    json!({
        "plan_id": plan,
        "interval": interval,
        "addons": addons.iter().map(|(id, q)| json!({ "addon_id": id, "quantity": q })).collect::<Vec<_>>(),
    })
}

async fn ask_price(app: &TestApp, token: &str, request: &Value) -> (StatusCode, Value) {
    app.post("/v1/checkout/preview", Auth::Bearer(token), request.clone())
        .await
}

async fn confirm(
    app: &TestApp,
    token: &str,
    preview: &Value,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let body = json!({ "preview_id": preview["preview_id"], "request": preview["request"] });
    confirm_body(app, token, body, key).await
}

async fn confirm_body(
    app: &TestApp,
    token: &str,
    body: Value,
    key: Option<&str>,
) -> (StatusCode, Value) {
    use axum::body::Body;
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/v1/checkout")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

fn amounts(lines: &Value) -> Vec<(String, i64)> {
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["amount"]["amount_minor"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn setup(app: &TestApp, org: &str) -> String {
    let token = app.token(org, None).await;
    let (status, _) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({ "company": { "keys": { "workos_organization_id": org } } }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    token
}

#[tokio::test]
async fn a_first_purchase_starts_the_trial_and_renews_into_a_paid_year() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;

    let (status, preview) = ask_price(&app, &token, &change("pro", "year", &[])).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["change"], "new");
    assert_eq!(amounts(&preview["lines"]), vec![("trial".to_owned(), 0)]);
    assert_eq!(preview["due_now"]["amount_minor"], 0);
    assert_eq!(preview["recurring"]["amount_minor"], 49000);
    assert_eq!(preview["trial_ends_at"], "2026-12-07T09:30:00Z");
    assert!(preview["preview_id"].as_str().unwrap().starts_with("cp_"));

    let (status, result) = confirm(&app, &token, &preview, Some("first")).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["invoice"]["status"], "no_charge");
    assert_eq!(result["subscription"]["status"], "trialing");
    assert!(app.payments.paid().is_empty(), "a trial charges nothing");

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(snapshot["plan"]["id"], "pro");
    assert_eq!(
        snapshot["subscription"]["trial_ends_at"],
        "2026-12-07T09:30:00Z"
    );
    assert_eq!(entitlement(&snapshot, "seats")["limit"], 10);
    assert_eq!(
        snapshot["upcoming_invoice"]["charge_at"],
        "2026-12-07T09:30:00Z"
    );
    assert_eq!(
        snapshot["upcoming_invoice"]["amount_due"]["amount_minor"],
        49000
    );

    // The trial ends: the first year is charged.
    app.clock.advance(15 * DAY);
    assert_eq!(app.renew().await, 1);
    let paid = app.payments.paid();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].amount.amount_minor, 49000);
    let (_, snapshot) = app
        .get("/v1/portal", Auth::Bearer(&app.token(ORG, None).await))
        .await;
    assert_eq!(snapshot["subscription"]["status"], "active");
    assert_eq!(
        snapshot["subscription"]["current_period_start"],
        "2026-12-07T09:30:00Z"
    );
    assert_eq!(
        snapshot["subscription"]["current_period_end"],
        "2027-12-07T09:30:00Z"
    );
    assert_eq!(snapshot["invoices"][0]["reason"], "renewal");
    assert_eq!(snapshot["invoices"][0]["status"], "paid");
    assert_eq!(app.renew().await, 0, "nothing more is due");

    // One trial per company.
    app.post(
        "/v1/subscription/cancel",
        Auth::Bearer(&app.token(ORG, None).await),
        json!({}),
    )
    .await;
    app.clock.advance(400 * DAY);
    app.renew().await;
    let token = app.token(ORG, None).await;
    let (_, again) = ask_price(&app, &token, &change("pro", "month", &[])).await;
    assert_eq!(amounts(&again["lines"]), vec![("charge".to_owned(), 4900)]);
}

#[tokio::test]
async fn adding_seats_mid_period_charges_the_rest_of_the_month_once_per_key() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;

    let (status, preview) =
        ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 3)])).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["change"], "upgrade");
    // 3 seats × $8 × 8/30 of a month.
    assert_eq!(
        amounts(&preview["lines"]),
        vec![("proration_charge".to_owned(), 640)]
    );
    assert_eq!(preview["due_now"]["amount_minor"], 640);
    assert_eq!(preview["recurring"]["amount_minor"], 4900 + 2400);
    assert_eq!(preview["effective_at"], "2026-11-23T09:30:00Z");
    assert_eq!(preview["next_charge_at"], "2026-12-01T09:30:00Z");

    let (status, first) = confirm(&app, &token, &preview, Some("key-1")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["invoice"]["status"], "paid");
    assert_eq!(first["invoice"]["amount_charged"]["amount_minor"], 640);
    assert_eq!(
        first["subscription"]["addons"],
        json!([{ "addon_id": "extra_seats", "quantity": 3 }])
    );

    // The same key again: the same answer, no second charge.
    let (status, second) = confirm(&app, &token, &preview, Some("key-1")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second, first);
    assert_eq!(app.payments.paid().len(), 1);
    assert_eq!(app.count("invoices").await, 1);

    // The same key for something else is refused.
    let body = json!({ "preview_id": preview["preview_id"], "request": change("pro", "month", &[("extra_seats", 4)]) });
    let (status, error) = confirm_body(&app, &token, body, Some("key-1")).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_conflict")
    );

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(
        entitlement(&snapshot, "seats")["limit"],
        13,
        "10 from Pro + 3 extra"
    );
    assert_eq!(snapshot["upcoming_invoice"]["total"]["amount_minor"], 7300);
    assert_eq!(snapshot["invoices"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn monthly_to_yearly_credits_the_unused_month() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    let (_, preview) = ask_price(&app, &token, &change("pro", "year", &[])).await;
    assert_eq!(preview["change"], "interval_change");
    // floor(4900 × 8/30) = 1306 back; a full year from today.
    assert_eq!(
        amounts(&preview["lines"]),
        vec![
            ("proration_credit".to_owned(), -1306),
            ("charge".to_owned(), 49000)
        ]
    );
    assert_eq!(preview["total"]["amount_minor"], 47694);
    let (status, result) = confirm(&app, &token, &preview, None).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["subscription"]["interval"], "year");
    assert_eq!(
        result["subscription"]["current_period_end"],
        "2027-11-23T09:30:00Z"
    );
}

#[tokio::test]
async fn stale_previews_are_refused_not_repriced() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    let (_, two_seats) =
        ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 2)])).await;
    let (_, five_seats) =
        ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 5)])).await;

    // Confirming a preview with a different request.
    let body = json!({ "preview_id": two_seats["preview_id"], "request": five_seats["request"] });
    let (status, error) = confirm_body(&app, &token, body, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::CONFLICT, "stale_preview"),
        "{error}"
    );

    // The subscription changes under a preview.
    assert_eq!(
        confirm(&app, &token, &five_seats, None).await.0,
        StatusCode::OK
    );
    let before = app.fingerprint().await;
    let (status, error) = confirm(&app, &token, &two_seats, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::CONFLICT, "stale_preview")
    );
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("changed since the preview"));
    assert_eq!(app.fingerprint().await, before);

    // Too old.
    let (_, fresh) = ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 6)])).await;
    app.clock.advance(11 * 60);
    let token = app.token(ORG, None).await;
    let (status, error) = confirm(&app, &token, &fresh, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::CONFLICT, "stale_preview")
    );
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));

    // Forged or foreign.
    let forged = json!({ "preview_id": "cp_e30.AAAA", "request": fresh["request"] });
    let (status, error) = confirm_body(&app, &token, forged, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );
    let other = setup(&app, OTHER).await;
    app.subscribe(OTHER, "pro", "month", 22, &[]).await;
    let (_, theirs) = ask_price(&app, &other, &change("pro", "month", &[("extra_seats", 1)])).await;
    let before = app.fingerprint().await;
    let (status, error) = confirm(&app, &token, &theirs, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_declined_payment_changes_nothing_but_is_on_record() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": ORG }, "traits": { "sandbox_card": "declined" } }),
    )
    .await;
    let subscription_before: String =
        sqlx::query_scalar("SELECT plan_id || billing_interval || revision FROM subscriptions")
            .fetch_one(&app.db.reader)
            .await
            .unwrap();

    let (_, preview) = ask_price(&app, &token, &change("pro", "year", &[])).await;
    let (status, error) = confirm(&app, &token, &preview, Some("try-1")).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::PAYMENT_REQUIRED, "payment_declined"),
        "{error}"
    );
    assert_eq!(error["error"]["message"], "Your card was declined.");
    let subscription_after: String =
        sqlx::query_scalar("SELECT plan_id || billing_interval || revision FROM subscriptions")
            .fetch_one(&app.db.reader)
            .await
            .unwrap();
    assert_eq!(subscription_after, subscription_before);
    assert_eq!(app.count("subscription_addons").await, 0);
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT i.status || '/' || p.status FROM invoices i JOIN payments p ON p.invoice_id = i.id",
    )
    .fetch_all(&app.db.reader)
    .await
    .unwrap();
    assert_eq!(statuses, vec!["declined/declined".to_owned()]);

    // The same attempt again gives the same answer; a new attempt with a
    // working card goes through on the same preview.
    assert_eq!(
        confirm(&app, &token, &preview, Some("try-1")).await.0,
        StatusCode::PAYMENT_REQUIRED
    );
    assert_eq!(app.count("invoices").await, 1);
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": ORG }, "traits": { "sandbox_card": "ok" } }),
    )
    .await;
    let (status, result) = confirm(&app, &token, &preview, Some("try-2")).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["subscription"]["interval"], "year");
}

#[tokio::test]
async fn a_provider_that_is_down_changes_nothing_and_leaves_no_lock() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": ORG }, "traits": { "sandbox_card": "unavailable" } }),
    )
    .await;
    let before = app.fingerprint().await;
    let (_, preview) =
        ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 1)])).await;
    let (status, error) = confirm(&app, &token, &preview, Some("k")).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable")
    );
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(app.count("billing_locks").await, 0);
}

#[tokio::test]
async fn a_change_in_flight_blocks_another() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    let (_, preview) =
        ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 1)])).await;
    sqlx::query("INSERT INTO billing_locks (company_id, holder, acquired_at) SELECT company_id, 'other', ? FROM subscriptions")
        .bind(app.now().0)
        .execute(&app.db.writer)
        .await
        .unwrap();
    let (status, error) = confirm(&app, &token, &preview, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::CONFLICT, "change_in_progress")
    );
    let (status, _) = app
        .post("/v1/subscription/cancel", Auth::Bearer(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn downgrades_wait_for_the_period_end_and_must_fit_what_is_used() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[("extra_seats", 5)])
        .await;
    for n in 0..12 {
        let (status, _) = app
            .put(
                "/v1/users",
                Auth::Secret,
                json!({ "keys": { "email": format!("member{n}@org.test") }, "company": { "workos_organization_id": ORG } }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    app.usage(ORG, "projects", 7, "set").await;

    let before = app.fingerprint().await;
    let (status, error) = ask_price(&app, &token, &change("pro", "month", &[])).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::UNPROCESSABLE_ENTITY, "usage_exceeds_limits"),
        "{error}"
    );
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("12 seats in use and Pro allows 10"),
        "{error}"
    );
    let (status, error) = ask_price(&app, &token, &change("free", "month", &[])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("7 projects in use and Free allows 3"),
        "{error}"
    );
    assert_eq!(
        app.fingerprint().await,
        before,
        "a refused preview writes nothing"
    );

    // Two extra seats still hold 12 members: a downgrade, at period end.
    let (status, preview) =
        ask_price(&app, &token, &change("pro", "month", &[("extra_seats", 2)])).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["change"], "downgrade");
    assert_eq!(preview["scheduled"], true);
    assert_eq!(preview["effective_at"], "2026-12-01T09:30:00Z");
    assert_eq!(preview["lines"], json!([]));
    assert_eq!(
        confirm(&app, &token, &preview, None).await.0,
        StatusCode::OK
    );
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(
        entitlement(&snapshot, "seats")["limit"],
        15,
        "still 5 extra seats until the period ends"
    );
    assert_eq!(
        snapshot["subscription"]["scheduled_change"]["addons"],
        json!([{ "addon_id": "extra_seats", "quantity": 2 }])
    );
    assert_eq!(
        snapshot["upcoming_invoice"]["total"]["amount_minor"],
        4900 + 1600
    );
    assert_eq!(
        app.count("invoices").await,
        0,
        "a scheduled change has no invoice"
    );

    app.clock.advance(9 * DAY);
    assert_eq!(app.renew().await, 1);
    let (_, snapshot) = app
        .get("/v1/portal", Auth::Bearer(&app.token(ORG, None).await))
        .await;
    assert_eq!(entitlement(&snapshot, "seats")["limit"], 12);
    assert_eq!(snapshot["invoices"][0]["total"]["amount_minor"], 6500);
}

#[tokio::test]
async fn cancel_and_resume_at_the_period_end() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    assert_eq!(
        app.post("/v1/subscription/cancel", Auth::Bearer(&token), json!({}))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    app.subscribe(ORG, "pro", "month", 22, &[]).await;

    let (status, summary) = app
        .post("/v1/subscription/cancel", Auth::Bearer(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(
        (
            summary["cancel_at_period_end"].as_bool(),
            &summary["renews_at"]
        ),
        (Some(true), &Value::Null)
    );
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(
        snapshot["upcoming_invoice"],
        Value::Null,
        "nothing more will be charged"
    );

    let (status, summary) = app
        .post("/v1/subscription/resume", Auth::Bearer(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["renews_at"], "2026-12-01T09:30:00Z");

    app.post("/v1/subscription/cancel", Auth::Bearer(&token), json!({}))
        .await;
    app.clock.advance(8 * DAY);
    app.renew().await;
    let token = app.token(ORG, None).await;
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(
        (snapshot["plan"]["id"].as_str(), &snapshot["subscription"]),
        (Some("free"), &Value::Null)
    );
    assert!(app.payments.paid().is_empty());
    let (status, _) = app
        .post("/v1/subscription/resume", Auth::Bearer(&token), json!({}))
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too late to resume"
    );
}

#[tokio::test]
async fn an_immediate_downgrade_leaves_credit_that_pays_the_next_renewal() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[("extra_seats", 5)])
        .await;
    let mut request = change("pro", "month", &[]);
    request["timing"] = json!("now");
    let (_, preview) = ask_price(&app, &token, &request).await;
    // 5 × $8 × 8/30 = $10.666…, credited down to $10.66.
    assert_eq!(
        amounts(&preview["lines"]),
        vec![("proration_credit".to_owned(), -1066)]
    );
    assert_eq!(preview["credit_balance_after"]["amount_minor"], 1066);
    assert_eq!(
        confirm(&app, &token, &preview, None).await.0,
        StatusCode::OK
    );
    assert!(app.payments.paid().is_empty(), "a credit is not a refund");

    app.clock.advance(9 * DAY);
    app.renew().await;
    let paid = app.payments.paid();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0].amount.amount_minor, 4900 - 1066);
    assert_eq!(app.count("account_credits").await, 1);
    let balance: i64 = sqlx::query_scalar("SELECT balance FROM account_credits")
        .fetch_one(&app.db.reader)
        .await
        .unwrap();
    assert_eq!(balance, 0);
}

#[tokio::test]
async fn a_declined_renewal_makes_the_subscription_past_due() {
    let app = TestApp::new().await;
    setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    app.put(
        "/v1/companies",
        Auth::Secret,
        json!({ "keys": { "workos_organization_id": ORG }, "traits": { "sandbox_card": "insufficient_funds" } }),
    )
    .await;
    app.clock.advance(9 * DAY);
    assert_eq!(app.renew().await, 1);
    let (_, snapshot) = app
        .get("/v1/portal", Auth::Bearer(&app.token(ORG, None).await))
        .await;
    assert_eq!(snapshot["subscription"]["status"], "past_due");
    assert_eq!(snapshot["invoices"][0]["status"], "declined");
}

#[tokio::test]
async fn the_sales_team_can_assign_a_plan_without_checkout() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    let body = json!({
        "company": { "workos_organization_id": ORG },
        "plan_id": "enterprise",
        "interval": "year",
        "started_at": "2026-03-01T00:00:00Z",
    });
    let (status, summary) = app
        .put("/v1/subscriptions", Auth::Bearer(&token), body.clone())
        .await;
    assert_eq!(
        (status, error_code(&summary)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "a browser cannot"
    );
    let (status, summary) = app.put("/v1/subscriptions", Auth::Secret, body).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["current_period_start"], "2026-03-01T00:00:00Z");
    assert_eq!(summary["current_period_end"], "2027-03-01T00:00:00Z");
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(snapshot["plan"]["id"], "enterprise");
    assert!(app.payments.paid().is_empty() && app.count("invoices").await == 0);

    let (status, error) = app
        .put("/v1/subscriptions", Auth::Secret, json!({ "company": { "workos_organization_id": ORG }, "plan_id": "free", "interval": "month" }))
        .await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
    );
    let (status, error) = app
        .put("/v1/subscriptions", Auth::Secret, json!({ "company": { "workos_organization_id": "org_NOPE" }, "plan_id": "pro", "interval": "month" }))
        .await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::NOT_FOUND, "company_not_found")
    );
}

#[tokio::test]
async fn billing_input_is_checked() {
    let app = TestApp::new().await;
    let token = setup(&app, ORG).await;
    let cases = [
        (
            change("enterprise", "year", &[]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            change("gold", "year", &[]),
            StatusCode::NOT_FOUND,
            "unknown_plan",
        ),
        (
            change("pro", "year", &[("teleport", 1)]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_addon",
        ),
        (
            change("pro", "year", &[("extra_seats", 201)]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            change("free", "month", &[]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        (
            json!({ "plan_id": "pro", "interval": "week" }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (request, status, code) in cases {
        let (got, body) = ask_price(&app, &token, &request).await;
        assert_eq!(
            (got, error_code(&body)),
            (status, code),
            "{request} → {body}"
        );
    }
    let (status, body) = app
        .call(
            Method::POST,
            "/v1/checkout/preview",
            Auth::Bearer(&token),
            Body2::Raw("application/json", "{"),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    let unknown = app.token("org_NEVER_IDENTIFIED", None).await;
    let (status, body) = ask_price(&app, &unknown, &change("pro", "year", &[])).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "company_not_found")
    );
    let (status, body) = app.get("/v1/invoices", Auth::Bearer(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "invoices": [] }));
}

async fn role_token(app: &TestApp, role: &str, user: &str) -> String {
    let body = json!({
        "company": { "name": "workos_organization_id", "value": ORG },
        "user": { "name": "workos_user_id", "value": user },
        "role": role,
    });
    let (status, token) = app.post("/v1/portal-tokens", Auth::Secret, body).await;
    assert_eq!(status, StatusCode::CREATED, "{token}");
    token["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn only_billing_managers_may_change_the_subscription() {
    use portico_server::auth::role_gate::RoleGate;
    let app = TestApp::configured(false, |s| {
        s.security.billing_gate = RoleGate::new(vec!["admin".into()], vec![])
    })
    .await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    let member = role_token(&app, "member", "user_member").await;
    let admin = role_token(&app, "admin", "user_admin").await;
    for (token, user) in [(&member, "user_member"), (&admin, "user_admin")] {
        let identify = json!({ "company": { "keys": { "workos_organization_id": ORG } }, "user": { "keys": { "workos_user_id": user } } });
        assert_eq!(
            app.post("/v1/identify", Auth::Bearer(token), identify)
                .await
                .0,
            StatusCode::ACCEPTED
        );
    }

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&member)).await;
    assert_eq!(snapshot["viewer"]["can_manage_billing"], false);
    // A member may see what a change would cost, not make it.
    let (status, preview) = ask_price(&app, &member, &change("pro", "year", &[])).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let before = app.fingerprint().await;
    let (status, error) = confirm(&app, &member, &preview, None).await;
    assert_eq!(
        (status, error_code(&error)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{error}"
    );
    for path in ["/v1/subscription/cancel", "/v1/subscription/resume"] {
        let (status, error) = app.post(path, Auth::Bearer(&member), json!({})).await;
        assert_eq!(
            (status, error_code(&error)),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{path}"
        );
    }
    assert_eq!(app.fingerprint().await, before);
    assert!(app.payments.paid().is_empty());

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&admin)).await;
    assert_eq!(snapshot["viewer"]["can_manage_billing"], true);
    assert_eq!(
        confirm(&app, &admin, &preview, None).await.0,
        StatusCode::OK,
        "the admin buys the member's preview"
    );
}

#[tokio::test]
async fn a_deleted_company_is_not_charged_again() {
    let app = TestApp::new().await;
    setup(&app, ORG).await;
    app.subscribe(ORG, "pro", "month", 22, &[]).await;
    sqlx::query("UPDATE companies SET deleted_at = ?")
        .bind(app.now().0)
        .execute(&app.db.writer)
        .await
        .unwrap();
    app.clock.advance(9 * DAY);
    assert_eq!(app.renew().await, 1);
    assert!(app.payments.paid().is_empty());
    let status: String = sqlx::query_scalar("SELECT status FROM subscriptions")
        .fetch_one(&app.db.reader)
        .await
        .unwrap();
    assert_eq!(status, "canceled");
    assert_eq!(app.count("invoices").await, 0);
}
