//! `Invoices`: the company's recent invoices, newest first.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::{InvoiceStatus, PortalSnapshot};

use super::dom::{append, element, plain, plain_text, set, show_empty, text_element, Built, Live};
use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;

#[component]
pub fn Invoices() -> impl IntoView {
    build()
}

pub(crate) fn build() -> Built {
    portal_view("invoices", invoice_table)
}

/// Built by hand (see [`crate::widgets::dom`]), again for each snapshot.
fn invoice_table(context: PortalContext, snapshot: Arc<PortalSnapshot>) -> Built {
    let format = context.formatter();
    let section = element("section", "invoices");
    append(
        &section,
        &[&text_element(
            "h2",
            "invoices-title",
            &context.text(Msg::InvoicesTitle),
        )],
    );
    if snapshot.invoices.is_empty() {
        show_empty(&section, &context.text(Msg::NoInvoices));
        return Built::new(section, Live::default());
    }
    set(&section, "data-state", "ready");
    let head_row = plain("tr");
    for label in [
        Msg::InvoiceDate,
        Msg::InvoiceNumber,
        Msg::InvoiceAmount,
        Msg::InvoiceStatusLabel,
    ] {
        let cell = plain_text("th", &context.text(label));
        set(&cell, "scope", "col");
        append(&head_row, &[&cell]);
    }
    let head = plain("thead");
    append(&head, &[&head_row]);
    let body = plain("tbody");
    for invoice in &snapshot.invoices {
        let status = context.text(match invoice.status {
            InvoiceStatus::Paid => Msg::InvoicePaid,
            InvoiceStatus::Declined => Msg::InvoiceDeclined,
            InvoiceStatus::NoCharge => Msg::InvoiceNoCharge,
        });
        let row = element("tr", "invoice");
        set(&row, "data-state", invoice.status.as_str());
        set(&row, "data-invoice", &invoice.id);
        let badge = text_element("span", "invoice-status", &status);
        set(&badge, "data-state", invoice.status.as_str());
        let status_cell = plain("td");
        append(&status_cell, &[&badge]);
        append(
            &row,
            &[
                &text_element("td", "invoice-date", &format.date(invoice.created_at)),
                &text_element("td", "invoice-number", &invoice.number),
                &text_element("td", "invoice-amount", &format.money(&invoice.total)),
                &status_cell,
            ],
        );
        append(&body, &[&row]);
    }
    let table = element("table", "invoice-table");
    append(&table, &[&head, &body]);
    append(&section, &[&table]);
    Built::new(section, Live::default())
}
