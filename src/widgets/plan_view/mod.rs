//! `PlanView`: the company's plan, its price and period, and what happens
//! next (renewal, trial end, cancellation).

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::{BillingInterval, PortalSnapshot, SubscriptionStatus};
use web_sys::Element;

use super::dom::{append, append_text, element, section, set, text_element, Built, Live};
use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;

#[component]
pub fn PlanView() -> impl IntoView {
    build()
}

pub(crate) fn build() -> Built {
    portal_view("plan", plan_card)
}

/// Fills `price` (a plan's price paragraph) with the amount and, when
/// there is one, the period it is for: `<span>$49.00</span> <span>per
/// month</span>`. What it held before goes.
pub(crate) fn show_price(price: &Element, amount: &str, per: Option<&str>) {
    price.set_text_content(None);
    append(price, &[&text_element("span", "price-amount", amount)]);
    if let Some(per) = per {
        append_text(price, " ");
        append(price, &[&text_element("span", "price-interval", per)]);
    }
}

/// Built by hand (see [`crate::widgets::dom`]), again for each snapshot.
fn plan_card(context: PortalContext, snapshot: Arc<PortalSnapshot>) -> Built {
    let format = context.formatter();
    let plan = &snapshot.plan;
    let subscription = snapshot.subscription.as_ref();

    let state = subscription.map(|s| s.status.as_str()).unwrap_or("free");
    let status_label = context.text(match subscription.map(|s| s.status) {
        Some(SubscriptionStatus::Active) => Msg::StatusActive,
        Some(SubscriptionStatus::Trialing) => Msg::StatusTrialing,
        Some(SubscriptionStatus::PastDue) => Msg::StatusPastDue,
        Some(SubscriptionStatus::Canceled) => Msg::StatusCanceled,
        None => Msg::StatusFree,
    });
    let interval_label = |interval: BillingInterval| {
        context.text(match interval {
            BillingInterval::Month => Msg::PerMonth,
            BillingInterval::Year => Msg::PerYear,
        })
    };
    let (amount, interval) =
        match subscription.and_then(|s| s.price.as_ref().map(|p| (p, s.interval))) {
            Some((price, interval)) if !price.is_zero() => {
                (format.money(price), Some(interval_label(interval)))
            }
            _ => match plan.prices.first() {
                Some(price) if subscription.is_some() && !price.amount.is_zero() => (
                    format.money(&price.amount),
                    Some(interval_label(price.interval)),
                ),
                _ => (context.text(Msg::PlanFree), None),
            },
        };
    let next = subscription.and_then(|s| {
        let date = |at| format.date(at);
        if let (SubscriptionStatus::Trialing, Some(ends)) = (s.status, s.trial_ends_at) {
            Some((
                "trial",
                context.fill(Msg::TrialEndsOn, &[("date", &date(ends))]),
            ))
        } else if s.cancel_at_period_end {
            Some((
                "cancels",
                context.fill(Msg::CancelsOn, &[("date", &date(s.current_period_end))]),
            ))
        } else {
            s.renews_at.map(|at| {
                (
                    "renews",
                    context.fill(Msg::RenewsOn, &[("date", &date(at))]),
                )
            })
        }
    });

    let scheduled = subscription
        .and_then(|s| s.scheduled_change.as_ref())
        .map(|change| {
            let name = snapshot
                .plans
                .iter()
                .find(|p| p.id == change.plan_id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| change.plan_id.clone());
            context.fill(
                Msg::ScheduledChange,
                &[("plan", &name), ("date", &format.date(change.effective_at))],
            )
        });

    let card = section("plan", state);
    set(&card, "data-plan", &plan.id);
    let header = element("header", "plan-header");
    let badge = text_element("span", "status-badge", &status_label);
    set(&badge, "data-state", state);
    append(
        &header,
        &[
            &text_element("p", "plan-eyebrow", &context.text(Msg::PlanTitle)),
            &text_element("h2", "plan-name", &plan.name),
            &badge,
        ],
    );
    let price = element("p", "plan-price");
    show_price(&price, &amount, interval.as_deref());
    append(&card, &[&header, &price]);
    if let Some((kind, text)) = next {
        let renewal = text_element("p", "plan-renewal", &text);
        set(&renewal, "data-state", kind);
        append(&card, &[&renewal]);
    }
    if let Some(text) = scheduled {
        append(&card, &[&text_element("p", "plan-scheduled", &text)]);
    }
    if let Some(text) = &plan.description {
        append(&card, &[&text_element("p", "plan-description", text)]);
    }
    Built::new(card, Live::default())
}
