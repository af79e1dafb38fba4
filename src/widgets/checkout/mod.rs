//! `Checkout`: a modal dialog to change plan, billing period and add-ons,
//! with a live price preview and a confirm step.
//!
//! The preview follows the selection: each change waits 250 ms for the next
//! keystroke, aborts the request before it, and ignores any answer that is
//! not for the latest selection, so a slow older answer never shows a stale
//! price. Confirming buys exactly the previewed change under a fresh
//! idempotency key; a decline is shown as the provider worded it. The native
//! `<dialog>` with `showModal()` gives focus trapping, Escape to close, and
//! an inert page behind it.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::{
    AddonSelection, BillingInterval, BillingLine, CheckoutPreview, CheckoutRequest,
    ConfirmCheckout, ErrorCode, LineKind, PortalSnapshot,
};

use crate::client::ClientError;
use crate::i18n::Msg;
use crate::provider::{emit, use_portal, PortalContext};
use crate::timer::{random_token, sleep};
use crate::widgets::status::error_message;
use crate::wire::{object, ToJs};

/// How long the preview waits for the selection to settle.
const DEBOUNCE_MS: i32 = 250;

#[derive(Clone, Debug, PartialEq)]
enum PreviewState {
    Loading,
    /// The selection is the subscription as it is: nothing to price.
    Unchanged,
    Ready(Arc<CheckoutPreview>),
    /// The server refused the change and said why (e.g. usage over the new
    /// limits).
    Refused(String),
    Failed(ClientError),
}

#[derive(Clone, Debug, PartialEq)]
enum ConfirmState {
    Editing,
    Confirming,
    Done(String),
    Declined(String),
    Failed(ClientError),
}

/// The name of a plan or add-on, from the catalog in the snapshot.
pub(crate) fn item_name(snapshot: &PortalSnapshot, item_id: &str) -> Option<String> {
    snapshot
        .plans
        .iter()
        .find(|p| p.id == item_id)
        .map(|p| p.name.clone())
        .or_else(|| {
            snapshot
                .addons
                .iter()
                .find(|a| a.id == item_id)
                .map(|a| a.name.clone())
        })
}

/// A billing line in the portal's language.
pub(crate) fn line_label(
    context: PortalContext,
    snapshot: &PortalSnapshot,
    line: &BillingLine,
) -> String {
    let Some(name) = item_name(snapshot, &line.item_id) else {
        return line.description.clone();
    };
    let is_plan = snapshot.plans.iter().any(|p| p.id == line.item_id);
    let item = if is_plan || line.quantity == 1 {
        name
    } else {
        context.fill(
            Msg::ItemQuantity,
            &[("quantity", &line.quantity.to_string()), ("item", &name)],
        )
    };
    match line.kind {
        LineKind::Charge => item,
        LineKind::ProrationCharge => context.fill(Msg::LineRemaining, &[("item", &item)]),
        LineKind::ProrationCredit => context.fill(Msg::LineUnused, &[("item", &item)]),
        LineKind::Trial => context.fill(Msg::LineTrial, &[("item", &item)]),
    }
}

pub(crate) fn interval_words(context: PortalContext, interval: BillingInterval) -> String {
    context.text(match interval {
        BillingInterval::Month => Msg::PerMonth,
        BillingInterval::Year => Msg::PerYear,
    })
}

/// A dialog that checks out `open`'s request when it is `Some`; closing the
/// dialog sets it back to `None`.
#[component]
pub fn Checkout(open: RwSignal<Option<CheckoutRequest>>) -> impl IntoView {
    let context = use_portal()?;
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let plan_id = RwSignal::new(String::new());
    let interval = RwSignal::new(BillingInterval::Month);
    let addons = RwSignal::new(Vec::<AddonSelection>::new());
    let preview = RwSignal::new(PreviewState::Loading);
    let confirm = RwSignal::new(ConfirmState::Editing);
    let notice = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u64);
    let in_flight = StoredValue::new_local(None::<web_sys::AbortController>);
    let title_id = format!("portico-checkout-{}", random_token());

    // Opening: take the starting selection and show the modal.
    Effect::new(move |_| {
        let Some(start) = open.get() else {
            if let Some(dialog) = dialog.get_untracked() {
                if dialog.open() {
                    dialog.close();
                }
            }
            return;
        };
        plan_id.set(start.plan_id.clone());
        interval.set(start.interval);
        addons.set(start.addons.clone());
        confirm.set(ConfirmState::Editing);
        notice.set(None);
        if let Some(dialog) = dialog.get_untracked() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });

    // The live preview.
    Effect::new(move |_| {
        if open.with(Option::is_none) {
            return;
        }
        let request = CheckoutRequest {
            plan_id: plan_id.get(),
            interval: interval.get(),
            addons: addons.get(),
            timing: Default::default(),
        };
        let current = generation.get_value() + 1;
        generation.set_value(current);
        in_flight.with_value(|c| {
            if let Some(controller) = c {
                controller.abort();
            }
        });
        let unchanged = context
            .snapshot()
            .and_then(|s| s.subscription.clone())
            .is_some_and(|s| {
                s.scheduled_change.is_none()
                    && !s.cancel_at_period_end
                    && s.plan_id == request.plan_id
                    && s.interval == request.interval
                    && request.normalized().addons == s.addons
            });
        if unchanged {
            preview.set(PreviewState::Unchanged);
            return;
        }
        let controller = web_sys::AbortController::new().ok();
        in_flight.set_value(controller.clone());
        preview.set(PreviewState::Loading);
        let client = context.client();
        spawn_local(async move {
            sleep(DEBOUNCE_MS).await;
            if generation.try_get_value() != Some(current) {
                return;
            }
            let result = client.preview(&request, controller).await;
            if generation.try_get_value() != Some(current) {
                return; // a newer selection is being priced
            }
            preview.try_set(match result {
                Ok(priced) => PreviewState::Ready(Arc::new(priced)),
                Err(ClientError::Aborted) => return,
                Err(error) if is_refusal(&error) => {
                    PreviewState::Refused(error.api_message().unwrap_or_default().to_owned())
                }
                Err(error) => PreviewState::Failed(error),
            });
        });
    });

    let close = move || open.set(None);
    let do_confirm = move || {
        let PreviewState::Ready(priced) = preview.get_untracked() else {
            return;
        };
        if confirm.get_untracked() == ConfirmState::Confirming {
            return;
        }
        confirm.set(ConfirmState::Confirming);
        notice.set(None);
        let client = context.client();
        let plan_name = context
            .snapshot()
            .and_then(|s| item_name(&s, &priced.request.plan_id))
            .unwrap_or_default();
        spawn_local(async move {
            // One key per attempt: a retry after a decline is a new attempt.
            let key = random_token();
            let request = ConfirmCheckout {
                preview_id: priced.preview_id.clone(),
                request: priced.request.clone(),
            };
            match client.checkout(&request, &key).await {
                Ok(result) => {
                    let format = context.formatter();
                    let message = if priced.scheduled {
                        context.fill(
                            Msg::CheckoutScheduled,
                            &[("date", &format.date(priced.effective_at))],
                        )
                    } else {
                        context.fill(Msg::CheckoutDone, &[("plan", &plan_name)])
                    };
                    confirm.try_set(ConfirmState::Done(message));
                    context.refresh();
                    // camelCase, as JavaScript hosts expect (see js/portico.d.ts).
                    let addons: js_sys::Array = priced
                        .request
                        .addons
                        .iter()
                        .map(|a| {
                            object(&[
                                ("addonId", a.addon_id.to_js()),
                                ("quantity", a.quantity.to_js()),
                            ])
                        })
                        .collect();
                    let detail = object(&[
                        ("planId", priced.request.plan_id.to_js()),
                        ("interval", priced.request.interval.to_js()),
                        ("addons", addons.into()),
                        ("effectiveAt", priced.effective_at.to_js()),
                        (
                            "invoiceId",
                            result.invoice.as_ref().map(|i| i.id.clone()).to_js(),
                        ),
                    ]);
                    if let Some(dialog) = dialog.get_untracked() {
                        emit(&dialog, "portico:plan-changed", &detail);
                    }
                }
                Err(error) if error.code() == Some(ErrorCode::PaymentDeclined) => {
                    confirm.try_set(ConfirmState::Declined(
                        error.api_message().unwrap_or_default().to_owned(),
                    ));
                }
                Err(error) if error.code() == Some(ErrorCode::StalePreview) => {
                    confirm.try_set(ConfirmState::Editing);
                    notice.try_set(Some(context.text(Msg::PricesChanged)));
                    // Price it again.
                    addons.try_update(|_| {});
                }
                Err(error) => {
                    confirm.try_set(ConfirmState::Failed(error));
                }
            }
        });
    };

    // Rebuilt when the snapshot or the chosen plan changes (its add-ons
    // differ); everything inside follows the selection signals.
    let body = move || {
        let snapshot = context.snapshot()?;
        plan_id.track();
        Some(checkout_body(
            context, snapshot, plan_id, interval, addons, preview, confirm, notice, &title_id,
        ))
    };
    let confirm_label = move || match (confirm.get(), preview.get()) {
        (ConfirmState::Confirming, _) => context.text(Msg::Processing),
        (_, PreviewState::Ready(p)) if p.lines.iter().any(|l| l.kind == LineKind::Trial) => {
            context.text(Msg::ConfirmTrial)
        }
        (_, PreviewState::Ready(p)) if p.due_now.amount_minor > 0 => context.fill(
            Msg::ConfirmPay,
            &[("amount", &context.formatter().money(&p.due_now))],
        ),
        (_, PreviewState::Ready(p)) if p.scheduled => context.text(Msg::ConfirmSchedule),
        _ => context.text(Msg::ConfirmChange),
    };
    let can_confirm = move || {
        matches!(preview.get(), PreviewState::Ready(_))
            && matches!(
                confirm.get(),
                ConfirmState::Editing | ConfirmState::Declined(_) | ConfirmState::Failed(_)
            )
            && context
                .snapshot()
                .is_some_and(|s| s.viewer.can_manage_billing)
    };
    let done = move || matches!(confirm.get(), ConfirmState::Done(_));
    let title_ref = format!("portico-checkout-{}", random_token());
    let labelled_by = title_ref.clone();

    Some(view! {
        <dialog
            node_ref=dialog
            data-part="checkout"
            data-state=move || match confirm.get() {
                ConfirmState::Editing => "editing",
                ConfirmState::Confirming => "confirming",
                ConfirmState::Done(_) => "done",
                ConfirmState::Declined(_) => "declined",
                ConfirmState::Failed(_) => "error",
            }
            aria-labelledby=labelled_by
            // Escape closes the dialog itself; tell `open`. A `close` event
            // is queued, so one from an earlier close can arrive after the
            // dialog was opened again: only a closed dialog counts.
            on:close=move |_| {
                if dialog.get_untracked().is_none_or(|d| !d.open()) {
                    close()
                }
            }
        >
            <header data-part="checkout-header">
                <h2 data-part="checkout-title" id=title_ref>
                    {move || {
                        let snapshot = context.snapshot();
                        let name = snapshot.and_then(|s| item_name(&s, &plan_id.get())).unwrap_or_default();
                        context.fill(Msg::CheckoutTitle, &[("plan", &name)])
                    }}
                </h2>
                <button type="button" data-part="close" aria-label=context.text(Msg::Close) on:click=move |_| close()>
                    "×"
                </button>
            </header>
            {body}
            <footer data-part="checkout-footer">
                {move || match confirm.get() {
                    ConfirmState::Done(message) => Some(view! {
                        <p data-part="checkout-message" data-state="done" role="status">{message}</p>
                    }.into_any()),
                    ConfirmState::Declined(reason) => Some(view! {
                        <div data-part="checkout-message" data-state="declined" role="alert">
                            <p data-part="checkout-message-title">{context.text(Msg::PaymentDeclined)}</p>
                            <p data-part="decline-reason">{reason}</p>
                        </div>
                    }.into_any()),
                    ConfirmState::Failed(error) => Some(view! {
                        <p data-part="checkout-message" data-state="error" data-error=error.kind() role="alert">
                            {error.api_message().map(str::to_owned).unwrap_or_else(|| context.text(error_message(&error)))}
                        </p>
                    }.into_any()),
                    _ => notice.get().map(|text| view! {
                        <p data-part="checkout-message" data-state="notice" role="status">{text}</p>
                    }.into_any()),
                }}
                <div data-part="checkout-actions">
                    <button type="button" data-part="dismiss" on:click=move |_| close()>
                        {context.text(Msg::Close)}
                    </button>
                    <Show when=move || !done()>
                        <button
                            type="button"
                            data-part="confirm"
                            disabled=move || !can_confirm()
                            aria-busy=move || (confirm.get() == ConfirmState::Confirming).to_string()
                            on:click=move |_| do_confirm()
                        >
                            {confirm_label}
                        </button>
                    </Show>
                </div>
            </footer>
        </dialog>
    })
}

fn is_refusal(error: &ClientError) -> bool {
    matches!(
        error.code(),
        Some(
            ErrorCode::UsageExceedsLimits
                | ErrorCode::InvalidInput
                | ErrorCode::UnknownAddon
                | ErrorCode::UnknownPlan
                | ErrorCode::Forbidden
        )
    )
}

#[allow(clippy::too_many_arguments)]
fn checkout_body(
    context: PortalContext,
    snapshot: Arc<PortalSnapshot>,
    plan_id: RwSignal<String>,
    interval: RwSignal<BillingInterval>,
    addons: RwSignal<Vec<AddonSelection>>,
    preview: RwSignal<PreviewState>,
    confirm: RwSignal<ConfirmState>,
    _notice: RwSignal<Option<String>>,
    id_base: &str,
) -> impl IntoView {
    let format = context.formatter();
    let plan = snapshot
        .plans
        .iter()
        .find(|p| p.id == plan_id.get_untracked())
        .cloned();
    let offered: Vec<_> = snapshot
        .addons
        .iter()
        .filter(|a| {
            plan.as_ref()
                .is_some_and(|p| a.available_on(&p.id) && !p.prices.is_empty())
        })
        .cloned()
        .collect();
    let locked = move || {
        matches!(
            confirm.get(),
            ConfirmState::Confirming | ConfirmState::Done(_)
        )
    };
    let group = format!("{id_base}-interval");
    let interval_choice = |value: BillingInterval, label: Msg| {
        let available = plan
            .as_ref()
            .is_some_and(|p| p.prices.is_empty() || p.price(value).is_some());
        view! {
            <label data-part="interval-option" data-state=move || if interval.get() == value { "checked" } else { "unchecked" }>
                <input
                    type="radio"
                    name=group.clone()
                    value=value.as_str()
                    prop:checked=move || interval.get() == value
                    disabled=move || !available || locked()
                    on:change=move |_| interval.set(value)
                />
                {context.text(label)}
            </label>
        }
    };
    let interval_toggle = view! {
        <fieldset data-part="interval-toggle">
            <legend data-part="visually-hidden">{context.text(Msg::IntervalLegend)}</legend>
            {interval_choice(BillingInterval::Month, Msg::Monthly)}
            {interval_choice(BillingInterval::Year, Msg::Yearly)}
        </fieldset>
    };

    let quantity_of = move |id: &str| {
        addons.with(|list| {
            list.iter()
                .find(|a| a.addon_id == id)
                .map(|a| a.quantity)
                .unwrap_or(0)
        })
    };
    let set_quantity = move |id: String, quantity: u32| {
        addons.update(|list| {
            list.retain(|a| a.addon_id != id);
            if quantity > 0 {
                list.push(AddonSelection {
                    addon_id: id,
                    quantity,
                });
                list.sort();
            }
        });
    };
    let addon_rows = offered
        .into_iter()
        .map(|addon| {
            let input_id = format!("{id_base}-{}", addon.id);
            let id = StoredValue::new(addon.id.clone());
            let quantity = move || id.with_value(|id| quantity_of(id));
            let set = move |wanted: u32| set_quantity(id.get_value(), wanted);
            let name = addon.name.clone();
            let prices = addon.clone();
            let format = format.clone();
            let price = move || {
                prices.price(interval.get()).map(|p| {
                    context.fill(
                        Msg::AddonPrice,
                        &[("amount", &format.money(p)), ("interval", &interval_words(context, interval.get()))],
                    )
                })
            };
            let control = if addon.per_unit {
                let max = addon.max_quantity;
                view! {
                    <div data-part="quantity">
                        <button
                            type="button"
                            data-part="decrement"
                            aria-label=context.fill(Msg::RemoveOne, &[("item", &name)])
                            disabled=move || { locked() || quantity() == 0 }
                            on:click=move |_| set(quantity().saturating_sub(1))
                        >
                            "−"
                        </button>
                        <input
                            id=input_id.clone()
                            type="number"
                            inputmode="numeric"
                            min="0"
                            max=max.to_string()
                            step="1"
                            data-part="quantity-input"
                            disabled=locked
                            prop:value=move || quantity().to_string()
                            on:change=move |ev| {
                                set(event_target_value(&ev).trim().parse::<u32>().unwrap_or(0).min(max))
                            }
                        />
                        <button
                            type="button"
                            data-part="increment"
                            aria-label=context.fill(Msg::AddOne, &[("item", &name)])
                            disabled=move || { locked() || quantity() >= max }
                            on:click=move |_| set((quantity() + 1).min(max))
                        >
                            "+"
                        </button>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <input
                        id=input_id.clone()
                        type="checkbox"
                        data-part="addon-toggle"
                        disabled=locked
                        prop:checked=move || { quantity() > 0 }
                        on:change=move |ev| set(u32::from(event_target_checked(&ev)))
                    />
                }
                .into_any()
            };
            view! {
                <div data-part="addon" data-addon=addon.id.clone() data-state=move || { if quantity() > 0 { "on" } else { "off" } }>
                    <label data-part="addon-name" for=input_id>{addon.name.clone()}</label>
                    <span data-part="addon-price">{price}</span>
                    {control}
                </div>
            }
        })
        .collect::<Vec<_>>();
    let has_addons = !addon_rows.is_empty();

    let preview_view = move || match preview.get() {
        PreviewState::Loading => view! {
            <section data-part="preview" data-state="loading" aria-busy="true">
                <p data-part="preview-loading">{context.text(Msg::Calculating)}</p>
            </section>
        }
        .into_any(),
        PreviewState::Unchanged => view! {
            <section data-part="preview" data-state="unchanged">
                <p data-part="preview-note">{context.text(Msg::NothingToChange)}</p>
            </section>
        }
        .into_any(),
        PreviewState::Refused(reason) => view! {
            <section data-part="preview" data-state="refused">
                <p data-part="refusal" role="alert">{reason}</p>
            </section>
        }
        .into_any(),
        PreviewState::Failed(error) => view! {
            <section data-part="preview" data-state="error" data-error=error.kind()>
                <p data-part="error-message" role="alert">{context.text(error_message(&error))}</p>
            </section>
        }
        .into_any(),
        // The snapshot is looked up here, not kept by this closure: the
        // provider updates the shown data in place only when nothing else
        // holds it (see `PortalContext::refresh_features`).
        PreviewState::Ready(priced) => match context.snapshot() {
            Some(snapshot) => preview_summary(context, &snapshot, &priced).into_any(),
            None => ().into_any(),
        },
    };

    view! {
        <div data-part="checkout-body">
            {interval_toggle}
            {has_addons.then(|| view! {
                <fieldset data-part="addons">
                    <legend data-part="addons-legend">{context.text(Msg::AddonsLegend)}</legend>
                    {addon_rows}
                </fieldset>
            })}
            <div aria-live="polite">{preview_view}</div>
        </div>
    }
}

fn preview_summary(
    context: PortalContext,
    snapshot: &PortalSnapshot,
    priced: &CheckoutPreview,
) -> impl IntoView {
    let format = context.formatter();
    let lines = priced
        .lines
        .iter()
        .map(|line| {
            let kind = match line.kind {
                LineKind::Charge => "charge",
                LineKind::ProrationCharge => "proration-charge",
                LineKind::ProrationCredit => "proration-credit",
                LineKind::Trial => "trial",
            };
            view! {
                <li data-part="preview-line" data-kind=kind>
                    <span data-part="line-label">{line_label(context, snapshot, line)}</span>
                    <span data-part="line-amount">{format.money(&line.amount)}</span>
                </li>
            }
        })
        .collect::<Vec<_>>();
    let scheduled = priced.scheduled;
    let interval = interval_words(context, priced.interval);
    let next = if let Some(ends) = priced.trial_ends_at {
        context.fill(
            Msg::TrialThen,
            &[
                ("date", &format.date(ends)),
                ("amount", &format.money(&priced.recurring)),
                ("interval", &interval),
            ],
        )
    } else {
        context.fill(
            Msg::ThenRecurring,
            &[
                ("amount", &format.money(&priced.recurring)),
                ("interval", &interval),
                ("date", &format.date(priced.next_charge_at)),
            ],
        )
    };
    view! {
        <section data-part="preview" data-state="ready" data-change=priced.change.as_str()>
            {(!lines.is_empty()).then(|| view! { <ul data-part="preview-lines">{lines}</ul> })}
            {(priced.credit_applied.amount_minor > 0).then(|| view! {
                <p data-part="credit-applied">
                    <span>{context.text(Msg::CreditApplied)}</span>
                    <span>{format.money(&portico_types::Money {
                        amount_minor: -priced.credit_applied.amount_minor,
                        currency: priced.credit_applied.currency.clone(),
                    })}</span>
                </p>
            })}
            {(!scheduled).then(|| view! {
                <p data-part="due-now">
                    <span>{context.text(Msg::DueToday)}</span>
                    <strong data-part="due-amount">{format.money(&priced.due_now)}</strong>
                </p>
            })}
            {scheduled.then(|| view! {
                <p data-part="effective">{context.fill(Msg::TakesEffect, &[("date", &format.date(priced.effective_at))])}</p>
            })}
            <p data-part="recurring">{next}</p>
            {(priced.credit_balance_after.amount_minor > 0).then(|| view! {
                <p data-part="credit-left">
                    {context.fill(Msg::CreditLeft, &[("amount", &format.money(&priced.credit_balance_after))])}
                </p>
            })}
        </section>
    }
}
