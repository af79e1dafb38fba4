//! `CancelSubscription`: cancel at the end of the period (after saying what
//! that means), or resume before it ends.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::status::error_message;
use crate::client::ClientError;
use crate::i18n::Msg;
use crate::provider::use_portal;

#[component]
pub fn CancelSubscription() -> impl IntoView {
    let context = use_portal()?;
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ClientError>);

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
        let plan = snapshot.plan.name.clone();
        let error = move || {
            failure.get().map(|e| {
                let text = e
                    .api_message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| context.text(error_message(&e)));
                view! { <p data-part="error-message" role="alert">{text}</p> }
            })
        };
        Some(if subscription.cancel_at_period_end {
            view! {
                <section data-part="cancel-subscription" data-state="canceling">
                    <p data-part="cancel-note">{context.fill(Msg::PlanEnds, &[("date", &ends)])}</p>
                    // Only billing managers get the button; the server
                    // refuses everyone else anyway.
                    {can_manage.then(|| view! {
                        <button type="button" data-part="resume" disabled=move || busy.get() on:click=move |_| act(false)>
                            {context.text(Msg::ResumePlan)}
                        </button>
                    })}
                    {error}
                </section>
            }
            .into_any()
        } else if confirming.get() {
            view! {
                <section data-part="cancel-subscription" data-state="confirming" role="group">
                    <p data-part="cancel-note">{context.fill(Msg::CancelExplain, &[("plan", &plan), ("date", &ends)])}</p>
                    <button type="button" data-part="keep" on:click=move |_| confirming.set(false)>
                        {context.text(Msg::KeepPlan)}
                    </button>
                    <button type="button" data-part="confirm-cancel" disabled=move || busy.get() on:click=move |_| act(true)>
                        {context.text(Msg::CancelConfirm)}
                    </button>
                    {error}
                </section>
            }
            .into_any()
        } else if !can_manage {
            return None;
        } else {
            view! {
                <section data-part="cancel-subscription" data-state="active">
                    <button type="button" data-part="cancel" on:click=move |_| confirming.set(true)>
                        {context.text(Msg::CancelPlan)}
                    </button>
                </section>
            }
            .into_any()
        })
    };
    Some(body.into_any())
}
