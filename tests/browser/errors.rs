//! When the API is down, refuses the token, or the widget has no provider,
//! the widgets say so plainly and offer a retry.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use portico::{PlanView, Portal, PortalProvider, TokenSource};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{account, api, mount, token};

#[wasm_bindgen_test]
async fn an_unreachable_api_shows_an_error_with_a_retry() {
    let acme = account("Acme Corp").await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    // Nothing listens on port 9 (discard): the connection is refused.
    let view = mount(move || {
        view! {
            <PortalProvider api_base="http://127.0.0.1:9" token="pt_unused" user=user organization=organization>
                <Portal/>
            </PortalProvider>
        }
    });
    let error = view.wait_for("[data-part=plan][data-state=error]").await;
    assert_eq!(
        error.get_attribute("data-error").as_deref(),
        Some("network")
    );
    assert!(view
        .text("[data-part=plan] [data-part=error-message]")
        .starts_with("We couldn't reach the billing service"));
    assert_eq!(view.find("[data-part=plan] [role=alert]").tag_name(), "DIV");
    // Plan, entitlements, members, plan picker, upcoming bill and invoices.
    assert_eq!(
        view.count("[data-part=retry]"),
        6,
        "each widget offers a retry"
    );
}

#[wasm_bindgen_test]
async fn retry_loads_the_data_after_a_failure() {
    let acme = account("Acme Corp").await;
    let good_token = token(&acme.organization.id, &acme.user.id).await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    // The host's token source fails once (its backend is briefly down), then works.
    let calls = Rc::new(Cell::new(0));
    let source = {
        let calls = calls.clone();
        TokenSource::from_fn(move || {
            let calls = calls.clone();
            let good_token = good_token.clone();
            async move {
                calls.set(calls.get() + 1);
                if calls.get() == 1 {
                    Err("backend unavailable".to_owned())
                } else {
                    Ok(good_token)
                }
            }
        })
    };
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=source user=user organization=organization locale="en-US">
                <PlanView/>
            </PortalProvider>
        }
    });
    let error = view.wait_for("[data-part=plan][data-state=error]").await;
    assert_eq!(error.get_attribute("data-error").as_deref(), Some("token"));
    view.find("[data-part=retry]")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    view.wait_for("[data-part=plan][data-state=active]").await;
    assert_eq!(view.text("[data-part=plan-name]"), "Pro");
}

#[wasm_bindgen_test]
async fn a_rejected_token_reads_as_an_expired_session() {
    let acme = account("Acme Corp").await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token="pt_garbled.token" user=user organization=organization>
                <PlanView/>
            </PortalProvider>
        }
    });
    let error = view.wait_for("[data-part=plan][data-state=error]").await;
    assert_eq!(
        error.get_attribute("data-error").as_deref(),
        Some("unauthenticated")
    );
    assert_eq!(
        view.text("[data-part=error-message]"),
        "Your session has expired. Sign in again to see your plan."
    );
}

#[wasm_bindgen_test]
async fn a_token_source_is_asked_again_when_the_token_is_refused() {
    let acme = account("Acme Corp").await;
    let good_token = token(&acme.organization.id, &acme.user.id).await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    let calls = Rc::new(Cell::new(0));
    let source = {
        let calls = calls.clone();
        TokenSource::from_fn(move || {
            let calls = calls.clone();
            let good_token = good_token.clone();
            async move {
                calls.set(calls.get() + 1);
                Ok(good_token)
            }
        })
        .with_initial("pt_expired.token")
    };
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=source user=user organization=organization>
                <PlanView/>
            </PortalProvider>
        }
    });
    view.wait_for("[data-part=plan][data-state=active]").await;
    assert_eq!(
        calls.get(),
        1,
        "one fresh token serves both identify and the portal read"
    );
}

#[wasm_bindgen_test]
async fn a_widget_without_a_provider_explains_instead_of_panicking() {
    let view = mount(|| view! { <PlanView/> });
    let error = view.wait_for("[data-part=plan][data-state=error]").await;
    assert_eq!(
        error.get_attribute("data-error").as_deref(),
        Some("no-provider")
    );
    assert!(view
        .text("[data-part=error-message]")
        .contains("PortalProvider"));
}
