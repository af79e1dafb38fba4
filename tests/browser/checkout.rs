//! PlanPicker, Checkout, CancelSubscription, UpcomingBill and Invoices
//! against the real server: each test is a paying customer of its own.

use leptos::prelude::*;
use portico::{Portal, PortalProvider};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{
    admin, api, click, delay_next_preview, delayed_preview_started, events, late_preview_body,
    mount, paying_customer, record_events, sleep, Mounted,
};

fn portal(
    user: portico_types::WorkosUser,
    organization: portico_types::WorkosOrganization,
    token: String,
) -> Mounted {
    mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US">
                <Portal/>
            </PortalProvider>
        }
    })
}

/// Waits until a priced preview shows and mentions `text`.
async fn wait_for_priced(view: &Mounted, what: &str, text: &str) {
    view.wait_until(what, || {
        view.count("[data-part=preview][data-state=ready]") == 1
            && view.text("[data-part=preview]").contains(text)
    })
    .await;
}

/// Switches the plan picker to yearly and opens checkout for Pro.
async fn open_pro_yearly(view: &Mounted) {
    view.wait_for("[data-part=plan-picker] [data-part=interval-toggle]")
        .await;
    click(
        view,
        "[data-part=plan-picker] [data-part=interval-option] input[value=year]",
    );
    view.wait_for(
        "[data-part=plan-card][data-plan=pro] [data-part=plan-action][data-state=switch]",
    )
    .await;
    click(
        view,
        "[data-part=plan-card][data-plan=pro] [data-part=plan-action]",
    );
    let dialog = view.wait_for("dialog[data-part=checkout][open]").await;
    let labelled_by = dialog
        .get_attribute("aria-labelledby")
        .expect("the dialog has a name");
    let title = view.find(&format!("#{labelled_by}"));
    assert_eq!(
        title.get_attribute("data-part").as_deref(),
        Some("checkout-title"),
        "named by its title"
    );
}

#[wasm_bindgen_test]
async fn choosing_a_period_and_add_ons_previews_and_confirming_updates_every_widget() {
    let (user, organization, token) = paying_customer("Confirm Co").await;
    record_events("portico:plan-changed");
    let view = portal(user, organization, token);
    view.wait_for("[data-part=plan][data-state=active]").await;
    assert_eq!(
        view.text("[data-part=plan] [data-part=price-interval]"),
        "per month"
    );
    assert!(view
        .text("[data-part=savings-badge]")
        .starts_with("Save 16%"));

    open_pro_yearly(&view).await;
    assert_eq!(view.text("[data-part=checkout-title]"), "Change to Pro");
    view.wait_for("[data-part=preview][data-state=ready]").await;
    // The unused month comes back; a year is charged from today.
    let kinds: Vec<String> = (0..view.count("[data-part=preview-line]"))
        .map(|i| {
            view.find(&format!("[data-part=preview-line]:nth-child({})", i + 1))
                .get_attribute("data-kind")
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(kinds, vec!["proration-credit", "charge"]);
    assert!(view
        .text("[data-part=preview-line][data-kind=proration-credit]")
        .starts_with("Unused time on Pro"));

    // Three extra seats: the preview follows.
    for _ in 0..3 {
        click(
            &view,
            "[data-part=addon][data-addon=extra_seats] [data-part=increment]",
        );
    }
    wait_for_priced(&view, "the preview includes the seats", "3 × Extra seats").await;
    assert!(view
        .text("[data-part=recurring]")
        .starts_with("Then $730.00 per year from "));
    let due = view.text("[data-part=due-amount]");
    assert!(
        view.text("[data-part=confirm]").contains(&due),
        "the button says what it charges: {due}"
    );

    click(&view, "[data-part=confirm]");
    view.wait_for("[data-part=checkout-message][data-state=done]")
        .await;
    assert_eq!(
        view.text("[data-part=checkout-message]"),
        "Done: you are on Pro."
    );

    // Everything below the provider shows the new subscription.
    view.wait_until("the plan shows yearly billing", || {
        view.text("[data-part=plan] [data-part=price-interval]") == "per year"
    })
    .await;
    assert_eq!(
        view.text("[data-part=plan] [data-part=price-amount]"),
        "$730.00"
    );
    assert_eq!(
        view.text("[data-feature=seats] [data-part=entitlement-value]"),
        "1 of 13"
    );
    assert_eq!(view.count("[data-part=invoice]"), 1);
    assert_eq!(
        view.find("[data-part=invoice]")
            .get_attribute("data-state")
            .as_deref(),
        Some("paid")
    );
    assert_eq!(view.text("[data-part=invoice-amount]"), due);

    let changed = events("portico:plan-changed");
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0]["planId"], "pro");
    assert_eq!(changed[0]["interval"], "year");
    assert_eq!(changed[0]["addons"][0]["addonId"], "extra_seats");
    assert_eq!(changed[0]["addons"][0]["quantity"], 3);
    assert!(changed[0]["invoiceId"]
        .as_str()
        .unwrap()
        .starts_with("inv_"));

    click(&view, "[data-part=dismiss]");
    view.wait_until("the dialog closes", || {
        view.count("dialog[data-part=checkout][open]") == 0
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_declined_payment_is_shown_plainly_and_changes_nothing() {
    let (user, organization, token) = paying_customer("Declined Co").await;
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/companies",
        serde_json::json!({ "keys": { "workos_organization_id": organization.id }, "traits": { "sandbox_card": "declined" } }),
    )
    .await;
    let view = portal(user, organization, token);
    view.wait_for("[data-part=plan][data-state=active]").await;
    open_pro_yearly(&view).await;
    view.wait_for("[data-part=preview][data-state=ready]").await;
    click(&view, "[data-part=confirm]");
    let message = view
        .wait_for("[data-part=checkout-message][data-state=declined]")
        .await;
    assert_eq!(message.get_attribute("role").as_deref(), Some("alert"));
    assert_eq!(
        view.text("[data-part=checkout-message-title]"),
        "Payment declined; nothing was changed."
    );
    assert_eq!(
        view.text("[data-part=decline-reason]"),
        "Your card was declined."
    );
    assert!(
        !view.find("[data-part=confirm]").has_attribute("disabled"),
        "the customer may try again"
    );
    sleep(200).await;
    assert_eq!(
        view.text("[data-part=plan] [data-part=price-interval]"),
        "per month"
    );
}

#[wasm_bindgen_test]
async fn a_slow_older_preview_never_replaces_a_newer_one() {
    let (user, organization, token) = paying_customer("Out Of Order Co").await;
    let view = portal(user, organization, token);
    view.wait_for("[data-part=plan][data-state=active]").await;
    delay_next_preview(1500);
    open_pro_yearly(&view).await;
    // The first preview (no add-ons) is on the wire and will answer late.
    view.wait_until("the first preview is sent", delayed_preview_started)
        .await;
    click(
        &view,
        "[data-part=addon][data-addon=extra_seats] [data-part=increment]",
    );
    wait_for_priced(&view, "the second preview shows", "Extra seats").await;
    let newer = view.text("[data-part=preview]");
    view.wait_until("the stale answer arrives", || late_preview_body().is_some())
        .await;
    let stale_request = late_preview_body().unwrap();
    assert!(stale_request.contains("\"addons\":[]"), "{stale_request}");
    sleep(300).await;
    assert_eq!(
        view.text("[data-part=preview]"),
        newer,
        "the late answer was ignored"
    );
    assert!(view
        .text("[data-part=recurring]")
        .starts_with("Then $570.00 per year"));
}

#[wasm_bindgen_test]
async fn cancel_at_period_end_then_resume() {
    let (user, organization, token) = paying_customer("Cancel Co").await;
    let view = portal(user, organization, token);
    view.wait_for("[data-part=cancel-subscription][data-state=active]")
        .await;
    click(&view, "[data-part=cancel-subscription] [data-part=cancel]");
    view.wait_for("[data-part=cancel-subscription][data-state=confirming]")
        .await;
    assert!(view
        .text("[data-part=cancel-note]")
        .starts_with("Pro stays active until "));
    click(&view, "[data-part=confirm-cancel]");
    view.wait_for("[data-part=cancel-subscription][data-state=canceling]")
        .await;
    view.wait_for("[data-part=plan-renewal][data-state=cancels]")
        .await;
    assert!(view
        .text("[data-part=plan-renewal]")
        .starts_with("Ends on "));
    assert_eq!(
        view.find("[data-part=upcoming-bill]")
            .get_attribute("data-state")
            .as_deref(),
        Some("none")
    );

    click(&view, "[data-part=resume]");
    view.wait_for("[data-part=cancel-subscription][data-state=active]")
        .await;
    view.wait_for("[data-part=plan-renewal][data-state=renews]")
        .await;
    view.wait_for("[data-part=upcoming-bill][data-state=scheduled]")
        .await;
    assert!(view
        .text("[data-part=upcoming-summary]")
        .starts_with("$49.00 on "));
}

#[wasm_bindgen_test]
async fn a_dialog_opened_again_at_once_stays_open() {
    let (user, organization, token) = paying_customer("Quick Clickers").await;
    let view = portal(user, organization, token);
    open_pro_yearly(&view).await;

    // Closed (as Escape closes it) and opened again in the same moment: the
    // first close's `close` event arrives after the second opening.
    let dialog: web_sys::HtmlDialogElement =
        wasm_bindgen::JsCast::unchecked_into(view.find("dialog[data-part=checkout]"));
    dialog.close();
    click(
        &view,
        "[data-part=plan-card][data-plan=pro] [data-part=plan-action]",
    );
    sleep(100).await;
    assert!(dialog.open(), "the dialog is open");
    assert_eq!(view.count("dialog[data-part=checkout][open]"), 1);
}

/// Types `value` into the input matching `selector`, as a person does:
/// the value, then `change`.
fn enter(view: &Mounted, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement =
        wasm_bindgen::JsCast::unchecked_into(view.find(selector));
    input.set_value(value);
    let change = web_sys::Event::new("change").expect("an event");
    input.dispatch_event(&change).expect("dispatched");
}

fn input_value(view: &Mounted, selector: &str) -> String {
    wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlInputElement>(view.find(selector)).value()
}

#[wasm_bindgen_test]
async fn add_on_controls_set_the_selection_and_the_subscription_as_it_is_prices_nothing() {
    let (user, organization, token) = paying_customer("Controls Co").await;
    let view = portal(user, organization, token);
    view.wait_for("[data-part=plan][data-state=active]").await;
    open_pro_yearly(&view).await;
    view.wait_for("[data-part=preview][data-state=ready]").await;
    const SEATS: &str = "[data-part=addon][data-addon=extra_seats]";
    const SSO: &str = "[data-part=addon][data-addon=sso_connection]";
    assert_eq!(
        view.find(SEATS).get_attribute("data-state").as_deref(),
        Some("off")
    );
    assert!(view
        .find(&format!("{SEATS} [data-part=decrement]"))
        .has_attribute("disabled"));
    assert_eq!(
        view.text(&format!("{SEATS} [data-part=addon-price]")),
        "$80.00 each per year"
    );

    // Typed: the quantity is taken, and the preview prices it.
    let quantity = format!("{SEATS} [data-part=quantity-input]");
    enter(&view, &quantity, "5");
    wait_for_priced(&view, "five seats are priced", "5 × Extra seats").await;
    assert_eq!(
        view.find(SEATS).get_attribute("data-state").as_deref(),
        Some("on")
    );
    click(&view, &format!("{SEATS} [data-part=decrement]"));
    view.wait_until("one seat less", || input_value(&view, &quantity) == "4")
        .await;

    // More than the add-on allows is its maximum; nothing more can be added.
    enter(&view, &quantity, "999");
    view.wait_until("the most there may be", || {
        input_value(&view, &quantity) == "200"
            && view
                .find(&format!("{SEATS} [data-part=increment]"))
                .has_attribute("disabled")
    })
    .await;

    // A checkbox add-on.
    click(&view, &format!("{SSO} [data-part=addon-toggle]"));
    wait_for_priced(&view, "single sign-on is priced", "Single sign-on").await;
    assert_eq!(
        view.find(SSO).get_attribute("data-state").as_deref(),
        Some("on")
    );

    // Back to the subscription as it is: Pro, monthly, no add-ons.
    click(&view, &format!("{SSO} [data-part=addon-toggle]"));
    enter(&view, &quantity, "0");
    click(
        &view,
        "dialog [data-part=interval-option] input[value=month]",
    );
    view.wait_for("[data-part=preview][data-state=unchanged]")
        .await;
    assert_eq!(
        view.find("dialog [data-part=interval-option]:has(input[value=month])")
            .get_attribute("data-state")
            .as_deref(),
        Some("checked")
    );
    assert_eq!(
        view.find(SSO).get_attribute("data-state").as_deref(),
        Some("off")
    );
    assert_eq!(
        view.text(&format!("{SEATS} [data-part=addon-price]")),
        "$8.00 each per month"
    );
    assert!(
        view.find("[data-part=confirm]").has_attribute("disabled"),
        "nothing to confirm"
    );
}

#[wasm_bindgen_test]
async fn plan_cards_follow_the_period_toggle() {
    let (user, organization, token) = paying_customer("Cards Co").await;
    let view = portal(user, organization, token);
    view.wait_for("[data-part=plan-picker][data-state=ready]")
        .await;
    const PRO: &str = "[data-part=plan-card][data-plan=pro]";
    const ENTERPRISE: &str = "[data-part=plan-card][data-plan=enterprise]";
    let card_parts = |card: &str| -> Vec<String> {
        let children = view.find(card).children();
        (0..children.length())
            .filter_map(|i| children.item(i)?.get_attribute("data-part"))
            .collect()
    };

    // Monthly, as the subscription is: Pro is current, with no saving shown.
    assert_eq!(
        view.text(&format!("{PRO} [data-part=plan-card-price]")),
        "$49.00 per month"
    );
    assert_eq!(
        view.find(&format!("{PRO} [data-part=plan-action]"))
            .get_attribute("data-state")
            .as_deref(),
        Some("current")
    );
    assert!(
        !view
            .find(&format!("{PRO} [data-part=plan-action]"))
            .has_attribute("disabled"),
        "the current plan opens checkout for its add-ons"
    );
    assert_eq!(view.count(&format!("{PRO} [data-part=savings-badge]")), 0);
    assert_eq!(
        view.text(&format!(
            "{ENTERPRISE} [data-part=plan-action][data-state=contact-sales]"
        )),
        "Contact sales"
    );

    // Yearly: prices per year, the saving right after the price, and Pro
    // offered as a switch.
    click(
        &view,
        "[data-part=plan-picker] [data-part=interval-option] input[value=year]",
    );
    view.wait_until("yearly prices", || {
        view.text(&format!("{PRO} [data-part=plan-card-price]")) == "$490.00 per year"
    })
    .await;
    assert_eq!(
        card_parts(PRO),
        [
            "plan-card-name",
            "current-badge",
            "plan-card-price",
            "savings-badge",
            "plan-card-description",
            "plan-action"
        ]
    );
    let action = view.find(&format!("{PRO} [data-part=plan-action]"));
    assert_eq!(
        action.get_attribute("data-state").as_deref(),
        Some("switch")
    );
    assert!(!action.has_attribute("disabled"));
    assert_eq!(action.text_content().as_deref(), Some("Choose Pro"));

    // Monthly again: the saving goes.
    click(
        &view,
        "[data-part=plan-picker] [data-part=interval-option] input[value=month]",
    );
    view.wait_until("monthly prices", || {
        view.text(&format!("{PRO} [data-part=plan-card-price]")) == "$49.00 per month"
    })
    .await;
    assert_eq!(view.count(&format!("{PRO} [data-part=savings-badge]")), 0);
    assert_eq!(
        view.find("[data-part=plan-picker] [data-part=interval-option]:has(input[value=month])")
            .get_attribute("data-state")
            .as_deref(),
        Some("checked")
    );
}
