//! What the portal must never do, whatever the data or the host gets wrong:
//! run markup it was handed as text, let a member who may not manage
//! billing change the plan, or show one company's data to another's token.

use leptos::prelude::*;
use portico::{Portal, PortalClient, PortalProvider};
use portico_types::{BillingInterval, Traits, WorkosOrganization, WorkosUser};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{
    admin, api, click, install_fetch_recorder, mount, paying_customer, recorded_fetches, sleep,
    token, unique, Mounted,
};

/// Markup a user or an admin could type into a name, an email or a trait.
/// Each sets `window.__portico_xss` if a browser ever parses it as HTML.
const IMG_ONERROR: &str = r#"<img src=x onerror="window.__portico_xss=1">"#;
const SCRIPT_TAG: &str = "<script>window.__portico_xss=2</script>";
const SVG_ONLOAD: &str = r#""><svg onload=window.__portico_xss=3>"#;

/// The demo server's secret key: the test plays the host's backend.
const DEMO_SECRET_KEY: &str = "sk_demo_portico_local_only";

#[wasm_bindgen(inline_js = r#"
export function clear_xss_marker() { delete window.__portico_xss; }
export function xss_marker() { return window.__portico_xss; }
"#)]
extern "C" {
    fn clear_xss_marker();
    fn xss_marker() -> JsValue;
}

fn portal(
    api_base: &'static str,
    token: String,
    user: WorkosUser,
    organization: WorkosOrganization,
    company_traits: Traits,
    user_traits: Traits,
) -> Mounted {
    mount(move || {
        view! {
            <PortalProvider
                api_base=api_base
                token=token
                user=user
                organization=organization
                company_traits=company_traits
                user_traits=user_traits
                locale="en-US"
            >
                <Portal/>
            </PortalProvider>
        }
    })
}

/// The text of `part` in each members row, top to bottom.
fn member_cells(view: &Mounted, part: &str) -> Vec<String> {
    let cells = view
        .root
        .query_selector_all(&format!("[data-part=member] [data-part={part}]"))
        .expect("a valid selector");
    (0..cells.length())
        .filter_map(|i| cells.item(i))
        .map(|cell| cell.text_content().unwrap_or_default())
        .collect()
}

/// An HTTP answer as the test saw it: status and body, unparsed, so a
/// refusal can be asserted on as well as a success.
struct Reply {
    status: u16,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body of a 2xx answer; anything else fails the test, saying what
    /// `what` was.
    fn expect_ok(self, what: &str) -> serde_json::Value {
        assert!(
            (200..300).contains(&self.status),
            "{what} answered {}: {}",
            self.status,
            self.body
        );
        self.json()
    }
}

/// One call to a Portico server at `base`, with `bearer` as the credential
/// (the secret key for the host's backend, a portal token for a browser).
async fn call(
    base: &str,
    method: &str,
    path: &str,
    bearer: &str,
    body: Option<serde_json::Value>,
) -> Reply {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().expect("Headers can be made");
    headers
        .set("Authorization", &format!("Bearer {bearer}"))
        .expect("a valid header");
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .expect("a valid header");
        init.set_body(&JsValue::from_str(&body.to_string()));
    }
    if method == "POST" && path == "/v1/checkout" {
        // Real checkouts carry one; without it the refusal could be about
        // the missing key rather than the role.
        headers
            .set("Idempotency-Key", &unique("idem_"))
            .expect("a valid header");
    }
    init.set_headers(&headers);
    let url = format!("{base}{path}");
    let window = web_sys::window().expect("a browser window");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test server at {url}: {e:?}"))
        .unchecked_into();
    let text = JsFuture::from(response.text().expect("a readable body"))
        .await
        .expect("the body arrives")
        .as_string()
        .expect("the body is text");
    Reply {
        status: response.status(),
        body: text,
    }
}

// ---------------------------------------------------------------------------
// 1. Hostile text is rendered as text.

#[wasm_bindgen_test]
async fn names_emails_and_traits_with_markup_are_shown_as_text_and_never_run() {
    clear_xss_marker();
    let company_name = format!("{SVG_ONLOAD} {IMG_ONERROR} Co");
    let (payer, organization, token) = paying_customer(&company_name).await;
    let hostile_traits = || {
        Traits::from([
            ("note".to_owned(), IMG_ONERROR.into()),
            ("tagline".to_owned(), SCRIPT_TAG.into()),
            ("website".to_owned(), SVG_ONLOAD.into()),
        ])
    };
    // The viewer (the user the token is for), as WorkOS has them: markup in
    // both names and the email. Lower case, since the server lower-cases
    // email keys.
    let viewer = WorkosUser {
        id: payer.id,
        email: format!("{SVG_ONLOAD}{}@hostile.test", unique("")),
        first_name: Some(IMG_ONERROR.into()),
        last_name: Some(SCRIPT_TAG.into()),
        email_verified: true,
    };
    let viewer_name = format!("{IMG_ONERROR} {SCRIPT_TAG}");
    // Also set by the host's backend, traits and all, so the first members
    // read lists the viewer whether or not identify has landed yet.
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/companies",
        serde_json::json!({
            "keys": { "workos_organization_id": organization.id },
            "name": company_name,
            "traits": hostile_traits(),
        }),
    )
    .await;
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/users",
        serde_json::json!({
            "keys": { "workos_user_id": viewer.id, "email": viewer.email },
            "name": viewer_name,
            "traits": hostile_traits(),
            "company": { "workos_organization_id": organization.id },
        }),
    )
    .await;
    // A second member whose name and email are markup of another kind.
    let colleague_name = SVG_ONLOAD.to_owned();
    let colleague_email = format!("{SCRIPT_TAG}{}@hostile.test", unique(""));
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/users",
        serde_json::json!({
            "keys": { "workos_user_id": unique("user_01XSS"), "email": colleague_email },
            "name": colleague_name,
            "company": { "workos_organization_id": organization.id },
        }),
    )
    .await;

    let view = portal(
        api(),
        token,
        viewer.clone(),
        organization,
        hostile_traits(),
        hostile_traits(),
    );
    view.wait_for("[data-part=plan][data-state=active]").await;
    // Read-only or not (the server's role gate decides), the cards are in.
    view.wait_for("[data-part=plan-picker] [data-part=plan-card]")
        .await;
    view.wait_for("[data-part=members][data-state=ready]").await;
    view.wait_until("both members are listed", || {
        view.count("[data-part=member]") == 2
    })
    .await;
    // An <img src=x> fails to load, and its onerror runs, a moment after
    // it is parsed: give it that moment.
    sleep(500).await;

    assert!(
        xss_marker().is_undefined(),
        "markup from the API ran as script: window.__portico_xss = {:?}",
        xss_marker()
    );
    assert_eq!(
        view.count("img, script, svg, iframe, object, embed"),
        0,
        "text from the API became elements:\n{}",
        view.root.inner_html()
    );
    // Shown verbatim, where the widget shows names and emails.
    let mut names = member_cells(&view, "member-name");
    names.sort();
    let mut expected_names = vec![viewer_name, colleague_name];
    expected_names.sort();
    assert_eq!(names, expected_names);
    let mut emails = member_cells(&view, "member-email");
    emails.sort();
    let mut expected_emails = vec![viewer.email.to_lowercase(), colleague_email];
    expected_emails.sort();
    assert_eq!(emails, expected_emails);
    // The company name and the traits are not shown by any widget; they
    // must not have turned into markup either (checked above), nor ran.
}

// ---------------------------------------------------------------------------
// 2. A member who may not manage billing sees a read-only portal.

/// A second test server, started with `--billing-roles admin`: whether a
/// viewer may manage billing is a server-wide setting (the role gate), and
/// the main test server leaves it open so that every other test's customer
/// may check out.
fn gated_api() -> &'static str {
    option_env!("PORTICO_TEST_GATED_API").unwrap_or_else(|| {
        panic!(
            "PORTICO_TEST_GATED_API is not set: the read-only test needs a second demo server \
             started with `--billing-roles admin` (e.g. `portico-server --demo --billing-roles \
             admin --bind 127.0.0.1:18291 --database-url sqlite:///tmp/gated.db`), its address \
             in PORTICO_TEST_GATED_API at build time"
        )
    })
}

/// A portal token the host's backend mints for `user_id` in `org_id`,
/// vouching for their role in the organization.
async fn token_with_role(base: &str, org_id: &str, user_id: &str, role: &str) -> String {
    let minted = call(
        base,
        "POST",
        "/v1/portal-tokens",
        DEMO_SECRET_KEY,
        Some(serde_json::json!({
            "company": { "name": "workos_organization_id", "value": org_id },
            "user": { "name": "workos_user_id", "value": user_id },
            "role": role,
        })),
    )
    .await
    .expect_ok("minting a portal token");
    minted["token"]
        .as_str()
        .expect("a minted token has a token")
        .to_owned()
}

#[wasm_bindgen_test]
async fn a_member_without_the_billing_role_sees_a_read_only_portal_and_cannot_check_out() {
    let base = gated_api();
    let organization = WorkosOrganization {
        id: unique("org_01RO"),
        name: Some("Read Only Co".into()),
    };
    let member = WorkosUser {
        id: unique("user_01RO"),
        email: format!("{}@readonly.test", unique("member")),
        first_name: Some("Riley".into()),
        last_name: Some("Reader".into()),
        email_verified: true,
    };
    let billing_admin_id = unique("user_01RO");
    let admin_call = |method: &'static str, path: &'static str, body: serde_json::Value| {
        call(base, method, path, DEMO_SECRET_KEY, Some(body))
    };
    admin_call(
        "PUT",
        "/v1/companies",
        serde_json::json!({ "keys": { "workos_organization_id": organization.id }, "name": organization.name }),
    )
    .await
    .expect_ok("creating the company");
    let started = portico_types::Timestamp(js_sys::Date::now() as i64 / 1000 - 10 * 86_400);
    admin_call(
        "PUT",
        "/v1/subscriptions",
        serde_json::json!({
            "company": { "workos_organization_id": organization.id },
            "plan_id": "pro",
            "interval": "month",
            "started_at": started,
        }),
    )
    .await
    .expect_ok("putting the company on Pro");
    admin_call(
        "PUT",
        "/v1/users",
        serde_json::json!({
            "keys": { "workos_user_id": member.id, "email": member.email },
            "name": "Riley Reader",
            "company": { "workos_organization_id": organization.id },
        }),
    )
    .await
    .expect_ok("adding the member");
    let member_token = token_with_role(base, &organization.id, &member.id, "member").await;
    let admin_token = token_with_role(base, &organization.id, &billing_admin_id, "admin").await;

    let member_client = PortalClient::new(base, member_token.clone().into());
    let before = member_client
        .portal()
        .await
        .expect("the member reads the portal");
    assert!(
        !before.viewer.can_manage_billing,
        "the server at {base} lets a `member` manage billing: start it with --billing-roles admin"
    );
    let subscription_before = before.subscription.expect("the company is on Pro");
    assert_eq!(subscription_before.plan_id, "pro");

    let view = portal(
        base,
        member_token.clone(),
        member,
        organization,
        Traits::new(),
        Traits::new(),
    );
    view.wait_for("[data-part=plan-picker][data-state=read-only]")
        .await;
    assert_eq!(
        view.text("[data-part=plan-picker] [data-part=read-only-note]"),
        "Only billing admins can change the plan."
    );
    // The widget shows every plan's action, but none can be used; on the
    // other billing period too, where Pro would offer a switch.
    let no_enabled_plan_action = |view: &Mounted| {
        assert!(
            view.count("button[data-part=plan-action]") > 0,
            "the plan cards render their actions"
        );
        assert_eq!(
            view.count("button[data-part=plan-action]:not([disabled])"),
            0,
            "a plan-change action is usable:\n{}",
            view.root.inner_html()
        );
    };
    no_enabled_plan_action(&view);
    click(
        &view,
        "[data-part=plan-picker] [data-part=interval-option] input[value=year]",
    );
    view.wait_for("[data-plan=pro] [data-part=plan-action][data-state=switch]")
        .await;
    no_enabled_plan_action(&view);
    click(&view, "[data-plan=pro] [data-part=plan-action]");
    sleep(100).await;
    assert_eq!(
        view.count("dialog[data-part=checkout][open]"),
        0,
        "pressing a disabled action opens no checkout"
    );
    // A member who cannot manage billing gets no cancel or resume control
    // at all (the plan view already says when the plan renews).
    assert_eq!(
        view.count("[data-part=cancel-subscription]"),
        0,
        "cancel is offered to a read-only member:\n{}",
        view.root.inner_html()
    );

    // Past the UI: a complete, valid checkout (priced by a billing admin of
    // the same company) sent with the member's token is refused.
    let preview = call(
        base,
        "POST",
        "/v1/checkout/preview",
        &admin_token,
        Some(serde_json::json!({ "plan_id": "pro", "interval": "year", "addons": [] })),
    )
    .await
    .expect_ok("the billing admin's preview");
    let confirm = serde_json::json!({
        "preview_id": preview["preview_id"],
        "request": preview["request"],
    });
    let refused = call(
        base,
        "POST",
        "/v1/checkout",
        &member_token,
        Some(confirm.clone()),
    )
    .await;
    assert_eq!(refused.status, 403, "checkout: {}", refused.body);
    assert_eq!(
        refused.json()["error"]["code"],
        "forbidden",
        "{}",
        refused.body
    );
    let refused = call(base, "POST", "/v1/subscription/cancel", &member_token, None).await;
    assert_eq!(refused.status, 403, "cancel: {}", refused.body);

    let after = member_client
        .portal()
        .await
        .expect("the member reads the portal");
    let subscription_after = after.subscription.expect("still subscribed");
    assert_eq!(subscription_after.plan_id, "pro");
    assert_eq!(subscription_after.interval, BillingInterval::Month);
    assert!(!subscription_after.cancel_at_period_end);
    assert_eq!(subscription_after.addons, subscription_before.addons);
    assert_eq!(
        after.invoices.len(),
        before.invoices.len(),
        "nothing was charged"
    );
}

// ---------------------------------------------------------------------------
// 3. One company's token never shows another company's data.

#[wasm_bindgen_test]
async fn a_token_for_one_company_never_shows_another_companys_data() {
    let company_a = format!("Alpha {}", unique(""));
    let (user_a, organization_a, token_a) = paying_customer(&company_a).await;
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/users",
        serde_json::json!({
            "keys": { "workos_user_id": user_a.id, "email": user_a.email },
            "name": "Pat Payer",
            "company": { "workos_organization_id": organization_a.id },
        }),
    )
    .await;

    // Company B: on another plan, with a member of its own.
    let organization_b = WorkosOrganization {
        id: unique("org_01BRAVO"),
        name: Some(format!("Bravo {}", unique(""))),
    };
    let member_b = format!("Bianca {}", unique("Bravo"));
    let member_b_id = unique("user_01BRAVO");
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/companies",
        serde_json::json!({ "keys": { "workos_organization_id": organization_b.id }, "name": organization_b.name }),
    )
    .await;
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/subscriptions",
        serde_json::json!({
            "company": { "workos_organization_id": organization_b.id },
            "plan_id": "enterprise",
            "interval": "year",
        }),
    )
    .await;
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/users",
        serde_json::json!({
            "keys": { "workos_user_id": member_b_id, "email": format!("{}@bravo.test", unique("bianca")) },
            "name": member_b,
            "company": { "workos_organization_id": organization_b.id },
        }),
    )
    .await;

    // A misconfigured host: A's token, B's organization in the props.
    install_fetch_recorder();
    let view = portal(
        api(),
        token_a.clone(),
        user_a.clone(),
        organization_b.clone(),
        Traits::new(),
        Traits::new(),
    );
    view.wait_for("[data-part=plan][data-state=active]").await;
    view.wait_for("[data-part=members][data-state=ready]").await;
    // Identify names B with A's token: the server refuses it. (Found by
    // B's id, so no other test's identify can stand in for it.)
    let identify_status = || {
        recorded_fetches()
            .into_iter()
            .find(|f| {
                f.url.ends_with("/v1/identify")
                    && f.body
                        .as_deref()
                        .is_some_and(|body| body.contains(&organization_b.id))
            })
            .and_then(|f| f.status)
    };
    view.wait_until("identify is answered", || identify_status().is_some())
        .await;
    assert_eq!(
        identify_status(),
        Some(403),
        "identify for B with A's token"
    );
    // Let any re-read the provider might make after identify settle.
    sleep(300).await;

    // A's plan and members; nothing of B.
    assert_eq!(view.text("[data-part=plan-name]"), "Pro");
    assert_eq!(
        view.find("[data-part=plan]")
            .get_attribute("data-plan")
            .as_deref(),
        Some("pro"),
        "B is on Enterprise"
    );
    assert_eq!(member_cells(&view, "member-name"), ["Pat Payer"]);
    let shown = view.root.text_content().unwrap_or_default();
    let b_name = organization_b.name.as_deref().expect("B has a name");
    assert!(!shown.contains(&member_b), "B's member is shown:\n{shown}");
    assert!(!shown.contains(b_name), "B's name is shown:\n{shown}");

    // The refused identify changed neither company: A keeps its name, and
    // A's user did not join B.
    let snapshot_a = PortalClient::new(api(), token_a.into())
        .portal()
        .await
        .expect("A's portal read");
    assert_eq!(
        snapshot_a.company.and_then(|c| c.name).as_deref(),
        Some(company_a.as_str())
    );
    let members_b = PortalClient::new(api(), token(&organization_b.id, &member_b_id).await.into())
        .members()
        .await
        .expect("B's members read");
    let names_b: Vec<_> = members_b
        .members
        .iter()
        .map(|m| m.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names_b, [member_b]);
}
