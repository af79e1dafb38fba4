//! `CancelSubscription`: cancel at the end of the period (after saying what
//! that means), or resume before it ends.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Element;

use super::dom::{append, button, element, flag, set, slot, text_element, Built, Live};
use super::status::error_message;
use crate::client::ClientError;
use crate::i18n::Msg;
use crate::provider::use_portal;
use crate::state::State;

#[component]
pub fn CancelSubscription() -> impl IntoView {
    build()
}

/// The control, built by hand; nothing without a subscription to change
/// or outside a provider.
pub(crate) fn build() -> Option<Built> {
    let context = use_portal()?;
    let confirming = State::new(false);
    let busy = State::new(false);
    let failure = State::new(None::<ClientError>);

    let act = move |cancel: bool| {
        busy.set(true);
        failure.set(None);
        let client = context.client();
        spawn_local(async move {
            let result = if cancel {
                client.cancel().await
            } else {
                client.resume().await
            };
            busy.set(false);
            match result {
                Ok(_) => {
                    confirming.set(false);
                    context.refresh();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };

    // Built by hand (see [`crate::widgets::dom`]), again when the
    // subscription or the step changes; `busy` and `failure` are followed
    // in place.
    let body = move || {
        let snapshot = context.snapshot()?;
        let subscription = snapshot.subscription.clone()?;
        let format = context.formatter();
        let can_manage = snapshot.viewer.can_manage_billing;
        let ends = format.date(
            subscription
                .trial_ends_at
                .unwrap_or(subscription.current_period_end),
        );
        let mut live = Live::default();
        let section = element("section", "cancel-subscription");
        // Disabled while a cancel or resume is on its way.
        let acts = |live: &mut Live, action: &Element, cancel: bool| {
            live.bind({
                let action = action.clone();
                move || flag(&action, "disabled", busy.get())
            });
            live.on(action, "click", move |_| act(cancel));
        };
        if subscription.cancel_at_period_end {
            set(&section, "data-state", "canceling");
            append(
                &section,
                &[&text_element(
                    "p",
                    "cancel-note",
                    &context.fill(Msg::PlanEnds, &[("date", &ends)]),
                )],
            );
            // Only billing managers get the button; the server refuses
            // everyone else anyway.
            if can_manage {
                let resume = button("resume", &context.text(Msg::ResumePlan));
                acts(&mut live, &resume, false);
                append(&section, &[&resume]);
            }
        } else if confirming.get() {
            set(&section, "data-state", "confirming");
            set(&section, "role", "group");
            let note = context.fill(
                Msg::CancelExplain,
                &[("plan", &snapshot.plan.name), ("date", &ends)],
            );
            let keep = button("keep", &context.text(Msg::KeepPlan));
            live.on(&keep, "click", move |_| confirming.set(false));
            let confirm = button("confirm-cancel", &context.text(Msg::CancelConfirm));
            acts(&mut live, &confirm, true);
            append(
                &section,
                &[&text_element("p", "cancel-note", &note), &keep, &confirm],
            );
        } else if !can_manage {
            return None;
        } else {
            set(&section, "data-state", "active");
            let cancel = button("cancel", &context.text(Msg::CancelPlan));
            live.on(&cancel, "click", move |_| confirming.set(true));
            append(&section, &[&cancel]);
            return Some(Built::new(section, live));
        }
        let message = slot(move || {
            failure.get().map(|error| {
                let text = error
                    .api_message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| context.text(error_message(&error)));
                let message = text_element("p", "error-message", &text);
                set(&message, "role", "alert");
                Built::new(message, Live::default())
            })
        });
        live.insert(&section, None, message);
        Some(Built::new(section, live))
    };
    Some(slot(body))
}
