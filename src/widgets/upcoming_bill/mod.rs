//! `UpcomingBill`: when the next charge happens, how much, and what for.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::PortalSnapshot;

use super::checkout::line_label;
use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;

#[component]
pub fn UpcomingBill() -> impl IntoView {
    portal_view("upcoming-bill", upcoming)
}

fn upcoming(context: PortalContext, snapshot: Arc<PortalSnapshot>) -> impl IntoView {
    let format = context.formatter();
    let Some(bill) = snapshot.upcoming_invoice.as_ref() else {
        return view! {
            <section data-part="upcoming-bill" data-state="none">
                <h2 data-part="upcoming-title">{context.text(Msg::UpcomingTitle)}</h2>
                <p data-part="empty-state">{context.text(Msg::NoUpcoming)}</p>
            </section>
        }
        .into_any();
    };
    let lines = bill
        .lines
        .iter()
        .map(|line| {
            view! {
                <li data-part="bill-line">
                    <span data-part="line-label">{line_label(context, &snapshot, line)}</span>
                    <span data-part="line-amount">{format.money(&line.amount)}</span>
                </li>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section data-part="upcoming-bill" data-state="scheduled">
            <h2 data-part="upcoming-title">{context.text(Msg::UpcomingTitle)}</h2>
            <p data-part="upcoming-summary">
                {context.fill(
                    Msg::UpcomingSummary,
                    &[("amount", &format.money(&bill.amount_due)), ("date", &format.date(bill.charge_at))],
                )}
            </p>
            <ul data-part="bill-lines">{lines}</ul>
            {(bill.credit_applied.amount_minor > 0).then(|| view! {
                <p data-part="credit-applied">
                    {context.text(Msg::CreditApplied)} " " {format.money(&bill.credit_applied)}
                </p>
            })}
        </section>
    }
    .into_any()
}
