//! `UpcomingBill`: when the next charge happens, how much, and what for.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::PortalSnapshot;

use super::checkout::line_label;
use super::dom::{append, element, set, text_element, Built, Live};
use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;

#[component]
pub fn UpcomingBill() -> impl IntoView {
    build()
}

pub(crate) fn build() -> Built {
    portal_view("upcoming-bill", upcoming)
}

/// Built by hand (see [`crate::widgets::dom`]), again for each snapshot.
fn upcoming(context: PortalContext, snapshot: Arc<PortalSnapshot>) -> Built {
    let format = context.formatter();
    let section = element("section", "upcoming-bill");
    append(
        &section,
        &[&text_element(
            "h2",
            "upcoming-title",
            &context.text(Msg::UpcomingTitle),
        )],
    );
    let Some(bill) = snapshot.upcoming_invoice.as_ref() else {
        set(&section, "data-state", "none");
        append(
            &section,
            &[&text_element(
                "p",
                "empty-state",
                &context.text(Msg::NoUpcoming),
            )],
        );
        return Built::new(section, Live::default());
    };
    set(&section, "data-state", "scheduled");
    let summary = context.fill(
        Msg::UpcomingSummary,
        &[
            ("amount", &format.money(&bill.amount_due)),
            ("date", &format.date(bill.charge_at)),
        ],
    );
    let lines = element("ul", "bill-lines");
    for line in &bill.lines {
        let item = element("li", "bill-line");
        append(
            &item,
            &[
                &text_element("span", "line-label", &line_label(context, &snapshot, line)),
                &text_element("span", "line-amount", &format.money(&line.amount)),
            ],
        );
        append(&lines, &[&item]);
    }
    append(
        &section,
        &[&text_element("p", "upcoming-summary", &summary), &lines],
    );
    if bill.credit_applied.amount_minor > 0 {
        let credit = [
            &*context.text(Msg::CreditApplied),
            " ",
            &format.money(&bill.credit_applied),
        ]
        .concat();
        append(&section, &[&text_element("p", "credit-applied", &credit)]);
    }
    Built::new(section, Live::default())
}
