//! PlanView, Entitlements and Portal render what the real API returns.

use leptos::prelude::*;
use portico::{Entitlements, PlanView, Portal, PortalProvider};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{
    account, api, captured_context, child_changes, install_fetch_recorder, mount, mount_signed_in,
    paying_customer, record_child_changes, record_usage, recorded_fetches, token, CaptureContext,
    Mounted,
};

#[wasm_bindgen_test]
async fn portal_renders_a_paid_plan_and_its_entitlements() {
    let view = mount_signed_in("Acme Corp", || view! { <Portal/> }).await;

    // A skeleton first, then the data.
    view.wait_for("[data-part=entitlements]").await;
    let plan = view.wait_for("[data-part=plan][data-state=active]").await;
    assert_eq!(plan.get_attribute("data-plan").as_deref(), Some("pro"));
    assert_eq!(view.text("[data-part=plan-name]"), "Pro");
    assert_eq!(view.text("[data-part=status-badge]"), "Active");
    assert_eq!(view.text("[data-part=price-amount]"), "$49.00");
    assert_eq!(view.text("[data-part=price-interval]"), "per month");
    assert!(
        view.text("[data-part=plan-renewal]")
            .starts_with("Renews on "),
        "{}",
        view.text("[data-part=plan-renewal]")
    );

    view.wait_for("[data-part=entitlement-list]").await;
    assert_eq!(
        view.count("[data-part=entitlement]"),
        7,
        "every catalog feature is listed"
    );
    let row = |feature: &str| format!("[data-part=entitlement][data-feature={feature}]");
    let api_calls = view.find(&row("api_calls"));
    assert_eq!(
        api_calls.get_attribute("data-state").as_deref(),
        Some("within-limit")
    );
    assert_eq!(
        view.text(&format!(
            "{} [data-part=entitlement-value]",
            row("api_calls")
        )),
        "48,210 of 100,000"
    );
    let meter = view.find(&format!("{} [data-part=meter]", row("api_calls")));
    assert_eq!(meter.get_attribute("role").as_deref(), Some("meter"));
    assert_eq!(
        meter.get_attribute("aria-valuenow").as_deref(),
        Some("48210")
    );
    assert_eq!(
        meter.get_attribute("aria-valuemax").as_deref(),
        Some("100000")
    );
    // Named by the feature, valued by the row's text: each said once.
    assert_eq!(
        meter.get_attribute("aria-label").as_deref(),
        Some("API calls")
    );
    assert_eq!(
        meter.get_attribute("aria-valuetext").as_deref(),
        Some("48,210 of 100,000")
    );
    let fill = view.find(&format!("{} [data-part=meter-fill]", row("api_calls")));
    let style = fill.get_attribute("style").unwrap_or_default();
    assert!(style.contains("--portico-meter-fill: 48.2%"), "{style}");
    assert!(view
        .text(&format!(
            "{} [data-part=entitlement-note][data-state=resets]",
            row("api_calls")
        ))
        .starts_with("Resets on "));
    assert_eq!(
        view.text(&format!(
            "{} [data-part=entitlement-value]",
            row("projects")
        )),
        "7 used"
    );
    assert_eq!(
        view.find(&row("projects"))
            .get_attribute("data-state")
            .as_deref(),
        Some("unlimited")
    );
    assert_eq!(
        view.text(&format!("{} [data-part=entitlement-value]", row("seats"))),
        "3 of 10"
    );
    assert_eq!(
        view.text(&format!("{} [data-part=entitlement-value]", row("sso"))),
        "Not included"
    );
    assert_eq!(
        view.find(&row("sso"))
            .get_attribute("data-state")
            .as_deref(),
        Some("off")
    );
    assert_eq!(
        view.text(&format!(
            "{} [data-part=entitlement-value]",
            row("audit_log")
        )),
        "Included"
    );
    assert_eq!(
        view.find(&row("audit_log"))
            .get_attribute("data-state")
            .as_deref(),
        Some("on")
    );

    // The stylesheet is in the page once, whatever is mounted.
    let document = web_sys::window().unwrap().document().unwrap();
    assert_eq!(
        document
            .query_selector_all("style[data-portico]")
            .unwrap()
            .length(),
        1
    );
}

#[wasm_bindgen_test]
async fn a_free_plan_over_its_limits_says_so() {
    let view = mount_signed_in("Globex", || view! { <PlanView/> <Entitlements/> }).await;
    view.wait_for("[data-part=plan][data-state=free]").await;
    assert_eq!(view.text("[data-part=plan-name]"), "Free");
    assert_eq!(view.text("[data-part=price-amount]"), "Free");
    assert_eq!(view.count("[data-part=price-interval]"), 0);
    assert_eq!(
        view.count("[data-part=plan-renewal]"),
        0,
        "a free plan does not renew"
    );

    let over = view
        .wait_for("[data-feature=api_calls][data-state=over-limit]")
        .await;
    assert_eq!(
        view.text("[data-feature=api_calls] [data-part=entitlement-value]"),
        "1,180 of 1,000"
    );
    assert_eq!(
        view.text("[data-feature=api_calls] [data-part=entitlement-note][data-state=over-limit]"),
        "Over the limit by 180"
    );
    let meter = over.query_selector("[data-part=meter]").unwrap().unwrap();
    assert_eq!(
        meter.get_attribute("aria-valuenow").as_deref(),
        Some("1000"),
        "clamped to the maximum"
    );
    assert_eq!(
        meter.get_attribute("aria-valuetext").as_deref(),
        Some("1,180 of 1,000"),
        "the text keeps the real figure"
    );
    assert_eq!(
        view.find("[data-feature=projects]")
            .get_attribute("data-state")
            .as_deref(),
        Some("at-limit")
    );
    assert_eq!(
        view.text("[data-feature=projects] [data-part=entitlement-note]"),
        "Limit reached"
    );
}

#[wasm_bindgen_test]
async fn a_trial_shows_when_it_ends() {
    let initech = account("Initech").await;
    let token = token(&initech.organization.id, &initech.user.id).await;
    let (user, organization) = (initech.user.clone(), initech.organization.clone());
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US" theme="dark">
                <PlanView/>
            </PortalProvider>
        }
    });
    view.wait_for("[data-part=plan][data-state=trialing]").await;
    assert_eq!(view.text("[data-part=status-badge]"), "Trial");
    assert_eq!(view.text("[data-part=price-amount]"), "$490.00");
    assert_eq!(view.text("[data-part=price-interval]"), "per year");
    assert!(view
        .text("[data-part=plan-renewal][data-state=trial]")
        .starts_with("Trial ends on "));
    let root = view.find("[data-portico-root]");
    assert_eq!(
        root.get_attribute("data-portico-theme").as_deref(),
        Some("dark")
    );
    let scheme = web_sys::window()
        .unwrap()
        .get_computed_style(&root)
        .unwrap()
        .unwrap()
        .get_property_value("color-scheme")
        .unwrap();
    assert_eq!(scheme, "dark");
}

#[wasm_bindgen_test]
async fn text_numbers_and_money_follow_the_locale_and_overrides() {
    use portico::i18n::Strings;

    let acme = account("Acme Corp").await;
    let token = token(&acme.organization.id, &acme.user.id).await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    let german = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="de-DE">
                <Portal/>
            </PortalProvider>
        }
    });
    german.wait_for("[data-part=plan][data-state=active]").await;
    assert_eq!(german.text("[data-part=status-badge]"), "Aktiv");
    assert_eq!(german.text("[data-part=price-amount]"), "49,00\u{a0}$");
    assert_eq!(german.text("[data-part=price-interval]"), "pro Monat");
    assert!(german
        .text("[data-part=plan-renewal]")
        .starts_with("Verlängert sich am "));
    german.wait_for("[data-part=entitlement-list]").await;
    assert_eq!(
        german.text("[data-feature=api_calls] [data-part=entitlement-value]"),
        "48.210 von 100.000"
    );
    drop(german);

    let token = crate::support::token(&acme.organization.id, &acme.user.id).await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    let strings = Strings::english()
        .with_overrides([("status_active", "In good standing")])
        .unwrap();
    let custom = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US" strings=strings>
                <PlanView/>
            </PortalProvider>
        }
    });
    custom.wait_for("[data-part=plan][data-state=active]").await;
    assert_eq!(custom.text("[data-part=status-badge]"), "In good standing");
    assert_eq!(custom.text("[data-part=price-interval]"), "per month");
}

/// A paying customer's entitlements, shown; with their organization id and
/// the provider's context (to refresh the data as a host would).
async fn paying_customers_entitlements(name: &str) -> (Mounted, String, portico::PortalContext) {
    paying_customers(name, || view! { <Entitlements/> }).await
}

/// `widgets` of a new paying customer, shown up to their entitlements;
/// with the organization id and the provider's context.
async fn paying_customers<V>(
    name: &str,
    widgets: impl FnOnce() -> V + Send + 'static,
) -> (Mounted, String, portico::PortalContext)
where
    V: IntoView + 'static,
{
    let (user, organization, token) = paying_customer(name).await;
    let org_id = organization.id.clone();
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US">
                <CaptureContext/>
                {widgets()}
            </PortalProvider>
        }
    });
    view.wait_for("[data-part=entitlement-list]").await;
    (view, org_id, captured_context())
}

#[wasm_bindgen_test]
async fn a_usage_update_changes_its_row_and_keeps_every_other_row() {
    let (view, org_id, context) = paying_customers_entitlements("Row Keepers").await;
    let row = |feature: &str| format!("[data-part=entitlement][data-feature={feature}]");
    let value = |feature: &str| format!("{} [data-part=entitlement-value]", row(feature));
    let before_projects = view.find(&row("projects"));
    let before_sso = view.find(&row("sso"));
    let rows_before = view.count("[data-part=entitlement]");
    assert_eq!(view.text(&value("api_calls")), "0 of 100,000");
    record_child_changes(&view.find("[data-part=entitlements]"));

    record_usage(&org_id, "api_calls", 1234, "increment").await;
    context.refresh();
    let shown = view
        .wait_for_text(&value("api_calls"), |t| t != "0 of 100,000")
        .await;

    assert_eq!(shown, "1,234 of 100,000");
    // Changed rows are replaced in place, and nothing else is added or
    // removed: the list is not taken out and put back. (The seats row may
    // change too: identify makes the viewer a member.)
    let changes = child_changes();
    assert!(
        changes
            .iter()
            .all(|c| c.starts_with("added entitlement ") || c.starts_with("removed entitlement ")),
        "{changes:?}"
    );
    assert!(
        changes.iter().any(|c| c == "added entitlement api_calls"),
        "{changes:?}"
    );
    assert_eq!(view.count("[data-part=entitlement]"), rows_before);
    // The unchanged rows are the same DOM nodes: a refresh does not rebuild
    // the list (which would drop any focus or selection inside it).
    assert!(view
        .find(&row("projects"))
        .is_same_node(Some(&before_projects)));
    assert!(view.find(&row("sso")).is_same_node(Some(&before_sso)));
    assert!(before_projects.is_connected() && before_sso.is_connected());
}

#[wasm_bindgen_test]
async fn refreshing_one_feature_reads_it_alone_and_updates_only_its_row() {
    install_fetch_recorder();
    let (view, org_id, context) = paying_customers_entitlements("One Meter").await;
    let row = |feature: &str| format!("[data-part=entitlement][data-feature={feature}]");
    let value = |feature: &str| format!("{} [data-part=entitlement-value]", row(feature));
    let before_sso = view.find(&row("sso"));
    let projects_before = view.text(&value("projects"));

    // Usage of two features changes; the page asks for one of them.
    record_usage(&org_id, "api_calls", 1234, "increment").await;
    record_usage(&org_id, "projects", 7, "set").await;
    let reads_before = recorded_fetches().len();
    context.refresh_features(&["api_calls".to_owned()]);
    let shown = view
        .wait_for_text(&value("api_calls"), |t| t != "0 of 100,000")
        .await;

    assert_eq!(shown, "1,234 of 100,000");
    assert_eq!(
        view.text(&value("projects")),
        projects_before,
        "a feature not asked for keeps what was read before"
    );
    assert!(view.find(&row("sso")).is_same_node(Some(&before_sso)));
    let reads: Vec<String> = recorded_fetches()[reads_before..]
        .iter()
        .map(|fetch| fetch.url.clone())
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(
        reads[0].ends_with("/v1/portal/entitlements?feature=api_calls"),
        "{reads:?}"
    );

    // A full refresh brings the rest.
    context.refresh();
    let shown = view
        .wait_for_text(&value("projects"), |t| t != projects_before)
        .await;
    assert_eq!(shown, "7 used");
}

/// In the whole portal too (plan, picker with its checkout, bills, members
/// beside the entitlements), a feature refresh is one request merged in
/// place: no widget keeps the shown data to itself (which would force a
/// read of everything), and the member list is not read again.
#[wasm_bindgen_test]
async fn a_feature_refresh_in_the_whole_portal_reads_only_that_feature() {
    let (view, org_id, context) = paying_customers("Whole Meter", || view! { <Portal/> }).await;
    view.wait_for("[data-part=members][data-state=ready]").await;
    // A feature refresh reads everything while another read is under way.
    view.wait_until("identify has answered and nothing is being read", || {
        context.identified() && !context.is_refreshing()
    })
    .await;
    let value = "[data-feature=api_calls] [data-part=entitlement-value]";
    record_usage(&org_id, "api_calls", 42, "increment").await;
    install_fetch_recorder();

    context.refresh_features(&["api_calls".to_owned()]);
    let shown = view.wait_for_text(value, |t| t != "0 of 100,000").await;
    assert_eq!(shown, "42 of 100,000");
    crate::support::sleep(200).await;
    let reads: Vec<String> = recorded_fetches()
        .iter()
        .map(|fetch| fetch.url.clone())
        .collect();
    assert_eq!(reads.len(), 1, "{reads:?}");
    assert!(reads[0].contains("/v1/portal/entitlements?feature=api_calls"));
}
