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
//!
//! Like every widget, the dialog is built by hand (see
//! [`crate::widgets::dom`]).

use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::{
    digits, AddonSelection, AddonSummary, BillingInterval, BillingLine, CheckoutPreview,
    CheckoutRequest, ConfirmCheckout, ErrorCode, LineKind, Money, PortalSnapshot,
};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlDialogElement, HtmlInputElement};

use crate::client::ClientError;
use crate::i18n::Msg;
use crate::provider::{emit, use_portal, PortalContext};
use crate::state::State;
use crate::timer::{random_token, sleep};
use crate::widgets::dom::{
    append, append_text, button, effect, element, flag, plain, plain_text, section, set, slot,
    text_element, Built, Live,
};
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

impl ConfirmState {
    /// The dialog's `data-state`.
    fn as_str(&self) -> &'static str {
        match self {
            ConfirmState::Editing => "editing",
            ConfirmState::Confirming => "confirming",
            ConfirmState::Done(_) => "done",
            ConfirmState::Declined(_) => "declined",
            ConfirmState::Failed(_) => "error",
        }
    }

    /// While a change is being bought, or once it is, the selection is
    /// fixed.
    fn locks_selection(&self) -> bool {
        matches!(self, ConfirmState::Confirming | ConfirmState::Done(_))
    }
}

/// What the customer has chosen, and where the dialog stands.
#[derive(Clone, Copy)]
struct Selection {
    plan_id: State<String>,
    interval: State<BillingInterval>,
    addons: State<Vec<AddonSelection>>,
    preview: State<PreviewState>,
    confirm: State<ConfirmState>,
    notice: State<Option<String>>,
}

impl Selection {
    fn locked(self) -> bool {
        self.confirm.with(ConfirmState::locks_selection)
    }

    fn quantity_of(self, addon_id: &str) -> u32 {
        self.addons.with(|list| {
            list.iter()
                .find(|a| a.addon_id == addon_id)
                .map_or(0, |a| a.quantity)
        })
    }

    fn set_quantity(self, addon_id: &str, quantity: u32) {
        self.addons.update(|list| {
            list.retain(|a| a.addon_id != addon_id);
            if quantity > 0 {
                list.push(AddonSelection {
                    addon_id: addon_id.to_owned(),
                    quantity,
                });
                list.sort();
            }
        });
    }
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
            &[
                ("quantity", &digits::decimal(line.quantity.into())),
                ("item", &name),
            ],
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

/// The monthly/yearly radio group: a `fieldset` of two `interval-option`
/// labels named `group`. `shown()` is the period shown checked, `choose`
/// hears the one picked, `disabled(period)` says whether an option is off
/// now (all three followed in render effects); `yearly_badge` is a note on
/// the yearly option (the saving).
pub(crate) fn interval_toggle(
    context: PortalContext,
    group: &str,
    live: &mut Live,
    shown: impl Fn() -> BillingInterval + Copy + 'static,
    choose: impl Fn(BillingInterval) + Copy + 'static,
    disabled: impl Fn(BillingInterval) -> bool + Copy + 'static,
    yearly_badge: Option<String>,
) -> Element {
    let toggle = element("fieldset", "interval-toggle");
    append(
        &toggle,
        &[&text_element(
            "legend",
            "visually-hidden",
            &context.text(Msg::IntervalLegend),
        )],
    );
    for (value, label) in [
        (BillingInterval::Month, Msg::Monthly),
        (BillingInterval::Year, Msg::Yearly),
    ] {
        let option = element("label", "interval-option");
        let input = plain("input");
        set(&input, "type", "radio");
        set(&input, "name", group);
        set(&input, "value", value.as_str());
        append(&option, &[&input]);
        append_text(&option, &context.text(label));
        if let Some(text) = yearly_badge
            .as_deref()
            .filter(|_| value == BillingInterval::Year)
        {
            append(&option, &[&text_element("span", "savings-badge", text)]);
        }
        append(&toggle, &[&option]);
        let radio: HtmlInputElement = input.clone().unchecked_into();
        live.bind(move || {
            let checked = shown() == value;
            set(
                &option,
                "data-state",
                if checked { "checked" } else { "unchecked" },
            );
            radio.set_checked(checked);
            flag(&radio, "disabled", disabled(value));
        });
        live.on(&input, "change", move |_| choose(value));
    }
    toggle
}

/// A dialog that checks out `open`'s request when it is `Some`; closing the
/// dialog sets it back to `None`.
#[component]
pub fn Checkout(open: RwSignal<Option<CheckoutRequest>>) -> impl IntoView {
    build(open)
}

/// Where the dialog's request comes from, and what closing it sets: the
/// host's signal (the [`Checkout`] component) or the plan picker's own
/// state (a [`State`], so that the module keeps no `RwSignal` code).
pub(crate) trait OpenRequest: Copy + 'static {
    /// The request to check out, if the dialog is to be open; read in an
    /// effect, it subscribes the effect.
    fn request(self) -> Option<CheckoutRequest>;
    fn close(self);
}

impl OpenRequest for RwSignal<Option<CheckoutRequest>> {
    fn request(self) -> Option<CheckoutRequest> {
        self.get()
    }

    fn close(self) {
        self.set(None);
    }
}

impl OpenRequest for State<Option<CheckoutRequest>> {
    fn request(self) -> Option<CheckoutRequest> {
        self.get()
    }

    fn close(self) {
        self.set(None);
    }
}

/// The dialog, built by hand; nothing outside a provider.
pub(crate) fn build(open: impl OpenRequest) -> Option<Built> {
    let context = use_portal()?;
    let selection = Selection {
        plan_id: State::new(String::new()),
        interval: State::new(BillingInterval::Month),
        addons: State::new(Vec::new()),
        preview: State::new(PreviewState::Loading),
        confirm: State::new(ConfirmState::Editing),
        notice: State::new(None),
    };
    let Selection {
        plan_id,
        interval,
        addons,
        preview,
        confirm,
        notice,
    } = selection;
    let id_base: Rc<str> = ["portico-checkout-", &random_token()].concat().into();
    let title_id = [&*id_base, "-title"].concat();

    let dialog = element("dialog", "checkout");
    set(&dialog, "aria-labelledby", &title_id);
    let header = element("header", "checkout-header");
    let title = element("h2", "checkout-title");
    set(&title, "id", &title_id);
    let close_button = button("close", "×");
    set(&close_button, "aria-label", &context.text(Msg::Close));
    append(&header, &[&title, &close_button]);
    let footer = element("footer", "checkout-footer");
    let actions = element("div", "checkout-actions");
    let dismiss = button("dismiss", &context.text(Msg::Close));
    let confirm_button = button("confirm", "");
    append(&actions, &[&dismiss, &confirm_button]);
    append(&footer, &[&actions]);
    append(&dialog, &[&header, &footer]);
    let modal: HtmlDialogElement = dialog.clone().unchecked_into();

    // Opening: take the starting selection and show the modal.
    effect({
        let modal = modal.clone();
        move || {
            let Some(start) = open.request() else {
                if modal.open() {
                    modal.close();
                }
                return;
            };
            plan_id.set(start.plan_id.clone());
            interval.set(start.interval);
            addons.set(start.addons.clone());
            confirm.set(ConfirmState::Editing);
            notice.set(None);
            if !modal.open() {
                let _ = modal.show_modal();
            }
        }
    });

    // The live preview.
    let generation = State::new(0u64);
    let in_flight = State::new(None::<web_sys::AbortController>);
    effect(move || {
        if open.request().is_none() {
            return;
        }
        let request = CheckoutRequest {
            plan_id: plan_id.get(),
            interval: interval.get(),
            addons: addons.get(),
            timing: Default::default(),
        };
        let current = generation.get_untracked() + 1;
        generation.set_untracked(current);
        in_flight.with_untracked(|c| {
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
        in_flight.set_untracked(controller.clone());
        preview.set(PreviewState::Loading);
        let client = context.client();
        spawn_local(async move {
            sleep(DEBOUNCE_MS).await;
            if generation.try_get_untracked() != Some(current) {
                return;
            }
            let result = client.preview(&request, controller).await;
            if generation.try_get_untracked() != Some(current) {
                return; // a newer selection is being priced
            }
            preview.set(match result {
                Ok(priced) => PreviewState::Ready(Arc::new(priced)),
                Err(ClientError::Aborted) => return,
                Err(error) if is_refusal(&error) => {
                    PreviewState::Refused(error.api_message().unwrap_or_default().to_owned())
                }
                Err(error) => PreviewState::Failed(error),
            });
        });
    });

    let mut live = Live::default();
    live.bind({
        let dialog = dialog.clone();
        move || set(&dialog, "data-state", confirm.with(ConfirmState::as_str))
    });
    live.bind(move || {
        let name = context
            .snapshot()
            .and_then(|s| item_name(&s, &plan_id.get()))
            .unwrap_or_default();
        title.set_text_content(Some(&context.fill(Msg::CheckoutTitle, &[("plan", &name)])));
    });
    // Rebuilt when the snapshot or the chosen plan changes (its add-ons
    // differ); everything inside follows the selection signals.
    let body = slot(move || {
        plan_id.track();
        context
            .snapshot()
            .map(|snapshot| checkout_body(context, &snapshot, selection, &id_base))
    });
    live.insert(&dialog, Some(&footer), body);
    let message = slot(move || {
        footer_message(context, confirm.get(), notice)
            .map(|shown| Built::new(shown, Live::default()))
    });
    live.insert(&footer, Some(&actions), message);
    live.bind({
        let (actions, confirm_button) = (actions.clone(), confirm_button.clone());
        move || {
            let state = confirm.get();
            if matches!(state, ConfirmState::Done(_)) {
                confirm_button.remove();
                return;
            }
            if confirm_button.parent_node().is_none() {
                append(&actions, &[&confirm_button]);
            }
            let previewed = preview.with(|p| match p {
                PreviewState::Ready(priced) => Some(priced.clone()),
                _ => None,
            });
            let label = match (&state, &previewed) {
                (ConfirmState::Confirming, _) => context.text(Msg::Processing),
                (_, Some(p)) if p.lines.iter().any(|l| l.kind == LineKind::Trial) => {
                    context.text(Msg::ConfirmTrial)
                }
                (_, Some(p)) if p.due_now.amount_minor > 0 => context.fill(
                    Msg::ConfirmPay,
                    &[("amount", &context.formatter().money(&p.due_now))],
                ),
                (_, Some(p)) if p.scheduled => context.text(Msg::ConfirmSchedule),
                _ => context.text(Msg::ConfirmChange),
            };
            confirm_button.set_text_content(Some(&label));
            let can_confirm = previewed.is_some()
                && !matches!(state, ConfirmState::Confirming)
                && context
                    .snapshot()
                    .is_some_and(|s| s.viewer.can_manage_billing);
            flag(&confirm_button, "disabled", !can_confirm);
            set(
                &confirm_button,
                "aria-busy",
                if state == ConfirmState::Confirming {
                    "true"
                } else {
                    "false"
                },
            );
        }
    });

    // Escape closes the dialog itself; tell `open`. A `close` event is
    // queued, so one from an earlier close can arrive after the dialog was
    // opened again: only a closed dialog counts.
    live.on(&dialog, "close", {
        let modal = modal.clone();
        move |_| {
            if !modal.open() {
                open.close();
            }
        }
    });
    live.on(&close_button, "click", move |_| open.close());
    live.on(&dismiss, "click", move |_| open.close());
    live.on(&confirm_button, "click", {
        let dialog = dialog.clone();
        move |_| confirm_change(context, selection, &dialog)
    });

    Some(Built::new(dialog, live))
}

/// Buys the previewed change, once, and says how it went.
fn confirm_change(context: PortalContext, selection: Selection, dialog: &Element) {
    let Selection {
        preview,
        confirm,
        notice,
        addons,
        ..
    } = selection;
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
        .snapshot_untracked()
        .and_then(|s| item_name(&s, &priced.request.plan_id))
        .unwrap_or_default();
    let dialog = dialog.clone();
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
                confirm.set(ConfirmState::Done(message));
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
                emit(&dialog, "portico:plan-changed", &detail);
            }
            Err(error) if error.code() == Some(ErrorCode::PaymentDeclined) => {
                confirm.set(ConfirmState::Declined(
                    error.api_message().unwrap_or_default().to_owned(),
                ));
            }
            Err(error) if error.code() == Some(ErrorCode::StalePreview) => {
                confirm.set(ConfirmState::Editing);
                notice.set(Some(context.text(Msg::PricesChanged)));
                // Price it again.
                addons.try_update(|_| {});
            }
            Err(error) => {
                confirm.set(ConfirmState::Failed(error));
            }
        }
    });
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

/// A `<tag data-part="checkout-message">` in `state`, announced as `role`.
fn message(tag: &str, state: &str, role: &str) -> Element {
    let shown = element(tag, "checkout-message");
    set(&shown, "data-state", state);
    set(&shown, "role", role);
    shown
}

/// The footer's message: how the confirm went, or a notice.
fn footer_message(
    context: PortalContext,
    state: ConfirmState,
    notice: State<Option<String>>,
) -> Option<Element> {
    Some(match state {
        ConfirmState::Done(text) => {
            let done = message("p", "done", "status");
            done.set_text_content(Some(&text));
            done
        }
        ConfirmState::Declined(reason) => {
            let declined = message("div", "declined", "alert");
            append(
                &declined,
                &[
                    &text_element(
                        "p",
                        "checkout-message-title",
                        &context.text(Msg::PaymentDeclined),
                    ),
                    &text_element("p", "decline-reason", &reason),
                ],
            );
            declined
        }
        ConfirmState::Failed(error) => {
            let failed = message("p", "error", "alert");
            set(&failed, "data-error", error.kind());
            let text = error
                .api_message()
                .map(str::to_owned)
                .unwrap_or_else(|| context.text(error_message(&error)));
            failed.set_text_content(Some(&text));
            failed
        }
        ConfirmState::Editing | ConfirmState::Confirming => {
            let text = notice.get()?;
            let shown = message("p", "notice", "status");
            shown.set_text_content(Some(&text));
            shown
        }
    })
}

/// The period toggle, the add-ons the chosen plan offers, and the preview.
fn checkout_body(
    context: PortalContext,
    snapshot: &PortalSnapshot,
    selection: Selection,
    id_base: &str,
) -> Built {
    let mut live = Live::default();
    let plan_id = selection.plan_id.get_untracked();
    let plan = snapshot.plans.iter().find(|p| p.id == plan_id);

    let available = [BillingInterval::Month, BillingInterval::Year]
        .map(|value| plan.is_some_and(|p| p.prices.is_empty() || p.price(value).is_some()));
    let toggle = interval_toggle(
        context,
        &[id_base, "-interval"].concat(),
        &mut live,
        move || selection.interval.get(),
        move |value| selection.interval.set(value),
        move |value| !available[usize::from(value == BillingInterval::Year)] || selection.locked(),
        None,
    );

    let body = element("div", "checkout-body");
    append(&body, &[&toggle]);
    let offered: Vec<&AddonSummary> = snapshot
        .addons
        .iter()
        .filter(|a| plan.is_some_and(|p| a.available_on(&p.id) && !p.prices.is_empty()))
        .collect();
    if !offered.is_empty() {
        let fieldset = element("fieldset", "addons");
        append(
            &fieldset,
            &[&text_element(
                "legend",
                "addons-legend",
                &context.text(Msg::AddonsLegend),
            )],
        );
        for addon in offered {
            append(
                &fieldset,
                &[&addon_row(context, addon, selection, id_base, &mut live)],
            );
        }
        append(&body, &[&fieldset]);
    }

    let region = plain("div");
    set(&region, "aria-live", "polite");
    append(&body, &[&region]);
    let preview = slot(move || {
        preview_section(context, selection.preview.get())
            .map(|section| Built::new(section, Live::default()))
    });
    live.insert(&region, None, preview);
    Built::new(body, live)
}

/// One add-on: its name, its price for the chosen period, and a quantity
/// stepper (per-unit add-ons) or a checkbox.
fn addon_row(
    context: PortalContext,
    addon: &AddonSummary,
    selection: Selection,
    id_base: &str,
    live: &mut Live,
) -> Element {
    let input_id = [id_base, "-", &addon.id].concat();
    let id: Rc<str> = addon.id.as_str().into();
    let row = element("div", "addon");
    set(&row, "data-addon", &addon.id);
    let name = text_element("label", "addon-name", &addon.name);
    set(&name, "for", &input_id);
    let price = element("span", "addon-price");
    append(&row, &[&name, &price]);
    live.bind({
        let (id, row) = (id.clone(), row.clone());
        move || {
            let on = selection.quantity_of(&id) > 0;
            set(&row, "data-state", if on { "on" } else { "off" });
        }
    });
    live.bind({
        let prices = addon.clone();
        move || {
            let interval = selection.interval.get();
            let text = prices.price(interval).map(|p| {
                context.fill(
                    Msg::AddonPrice,
                    &[
                        ("amount", &context.formatter().money(p)),
                        ("interval", &interval_words(context, interval)),
                    ],
                )
            });
            price.set_text_content(text.as_deref());
        }
    });

    if !addon.per_unit {
        let input = element("input", "addon-toggle");
        set(&input, "id", &input_id);
        set(&input, "type", "checkbox");
        append(&row, &[&input]);
        let checkbox: HtmlInputElement = input.clone().unchecked_into();
        live.bind({
            let (id, checkbox) = (id.clone(), checkbox.clone());
            move || {
                flag(&checkbox, "disabled", selection.locked());
                checkbox.set_checked(selection.quantity_of(&id) > 0);
            }
        });
        live.on(&input, "change", move |_| {
            selection.set_quantity(&id, u32::from(checkbox.checked()));
        });
        return row;
    }

    let max = addon.max_quantity;
    let stepper = element("div", "quantity");
    let decrement = button("decrement", "−");
    set(
        &decrement,
        "aria-label",
        &context.fill(Msg::RemoveOne, &[("item", &addon.name)]),
    );
    let input = element("input", "quantity-input");
    for (name, value) in [
        ("id", input_id.as_str()),
        ("type", "number"),
        ("inputmode", "numeric"),
        ("min", "0"),
        ("max", &digits::decimal(max.into())),
        ("step", "1"),
    ] {
        set(&input, name, value);
    }
    let increment = button("increment", "+");
    set(
        &increment,
        "aria-label",
        &context.fill(Msg::AddOne, &[("item", &addon.name)]),
    );
    append(&stepper, &[&decrement, &input, &increment]);
    append(&row, &[&stepper]);
    let field: HtmlInputElement = input.clone().unchecked_into();
    live.bind({
        let (id, field) = (id.clone(), field.clone());
        let (decrement, increment) = (decrement.clone(), increment.clone());
        move || {
            let locked = selection.locked();
            let quantity = selection.quantity_of(&id);
            flag(&decrement, "disabled", locked || quantity == 0);
            flag(&field, "disabled", locked);
            field.set_value(&digits::decimal(quantity.into()));
            flag(&increment, "disabled", locked || quantity >= max);
        }
    });
    live.on(&decrement, "click", {
        let id = id.clone();
        move |_| {
            let quantity = untrack(|| selection.quantity_of(&id));
            selection.set_quantity(&id, quantity.saturating_sub(1));
        }
    });
    live.on(&increment, "click", {
        let id = id.clone();
        move |_| {
            let quantity = untrack(|| selection.quantity_of(&id));
            selection.set_quantity(&id, (quantity + 1).min(max));
        }
    });
    live.on(&input, "change", move |_| {
        let wanted = field.value().trim().parse::<u32>().unwrap_or(0).min(max);
        selection.set_quantity(&id, wanted);
    });
    row
}

/// The preview as it stands: pricing, priced, or why not.
fn preview_section(context: PortalContext, state: PreviewState) -> Option<Element> {
    let (section, note) = match state {
        PreviewState::Loading => {
            let section = section("preview", "loading");
            set(&section, "aria-busy", "true");
            let note = text_element("p", "preview-loading", &context.text(Msg::Calculating));
            (section, note)
        }
        PreviewState::Unchanged => (
            section("preview", "unchanged"),
            text_element("p", "preview-note", &context.text(Msg::NothingToChange)),
        ),
        PreviewState::Refused(reason) => {
            let note = text_element("p", "refusal", &reason);
            set(&note, "role", "alert");
            (section("preview", "refused"), note)
        }
        PreviewState::Failed(error) => {
            let section = section("preview", "error");
            set(&section, "data-error", error.kind());
            let note = text_element("p", "error-message", &context.text(error_message(&error)));
            set(&note, "role", "alert");
            (section, note)
        }
        // The snapshot is looked up here, not kept by the preview: the
        // provider updates the shown data in place only when nothing else
        // holds it (see `PortalContext::refresh_features`).
        PreviewState::Ready(priced) => {
            return context
                .snapshot()
                .map(|snapshot| preview_summary(context, &snapshot, &priced));
        }
    };
    append(&section, &[&note]);
    Some(section)
}

/// `line` (a `<p>`) holding a plain `<span>` with `label`, then `amount`.
fn labelled(line: Element, label: &str, amount: &Element) -> Element {
    append(&line, &[&plain_text("span", label), amount]);
    line
}

fn preview_summary(
    context: PortalContext,
    snapshot: &PortalSnapshot,
    priced: &CheckoutPreview,
) -> Element {
    let format = context.formatter();
    let section = section("preview", "ready");
    set(&section, "data-change", priced.change.as_str());
    if !priced.lines.is_empty() {
        let lines = element("ul", "preview-lines");
        for line in &priced.lines {
            let kind = match line.kind {
                LineKind::Charge => "charge",
                LineKind::ProrationCharge => "proration-charge",
                LineKind::ProrationCredit => "proration-credit",
                LineKind::Trial => "trial",
            };
            let item = element("li", "preview-line");
            set(&item, "data-kind", kind);
            append(
                &item,
                &[
                    &text_element("span", "line-label", &line_label(context, snapshot, line)),
                    &text_element("span", "line-amount", &format.money(&line.amount)),
                ],
            );
            append(&lines, &[&item]);
        }
        append(&section, &[&lines]);
    }
    if priced.credit_applied.amount_minor > 0 {
        let credit = format.money(&Money {
            amount_minor: -priced.credit_applied.amount_minor,
            currency: priced.credit_applied.currency.clone(),
        });
        append(
            &section,
            &[&labelled(
                element("p", "credit-applied"),
                &context.text(Msg::CreditApplied),
                &plain_text("span", &credit),
            )],
        );
    }
    let interval = interval_words(context, priced.interval);
    let when = if priced.scheduled {
        text_element(
            "p",
            "effective",
            &context.fill(
                Msg::TakesEffect,
                &[("date", &format.date(priced.effective_at))],
            ),
        )
    } else {
        labelled(
            element("p", "due-now"),
            &context.text(Msg::DueToday),
            &text_element("strong", "due-amount", &format.money(&priced.due_now)),
        )
    };
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
    append(&section, &[&when, &text_element("p", "recurring", &next)]);
    if priced.credit_balance_after.amount_minor > 0 {
        append(
            &section,
            &[&text_element(
                "p",
                "credit-left",
                &context.fill(
                    Msg::CreditLeft,
                    &[("amount", &format.money(&priced.credit_balance_after))],
                ),
            )],
        );
    }
    section
}
