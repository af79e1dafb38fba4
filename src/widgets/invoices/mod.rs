//! `Invoices`: the company's recent invoices, newest first.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::{InvoiceStatus, PortalSnapshot};

use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;

#[component]
pub fn Invoices() -> impl IntoView {
    portal_view("invoices", invoice_table)
}

fn invoice_table(context: PortalContext, snapshot: Arc<PortalSnapshot>) -> impl IntoView {
    let format = context.formatter();
    if snapshot.invoices.is_empty() {
        return view! {
            <section data-part="invoices" data-state="empty">
                <h2 data-part="invoices-title">{context.text(Msg::InvoicesTitle)}</h2>
                <p data-part="empty-state">{context.text(Msg::NoInvoices)}</p>
            </section>
        }
        .into_any();
    }
    let rows = snapshot
        .invoices
        .iter()
        .map(|invoice| {
            let status = context.text(match invoice.status {
                InvoiceStatus::Paid => Msg::InvoicePaid,
                InvoiceStatus::Declined => Msg::InvoiceDeclined,
                InvoiceStatus::NoCharge => Msg::InvoiceNoCharge,
            });
            view! {
                <tr data-part="invoice" data-state=invoice.status.as_str() data-invoice=invoice.id.clone()>
                    <td data-part="invoice-date">{format.date(invoice.created_at)}</td>
                    <td data-part="invoice-number">{invoice.number.clone()}</td>
                    <td data-part="invoice-amount">{format.money(&invoice.total)}</td>
                    <td><span data-part="invoice-status" data-state=invoice.status.as_str()>{status}</span></td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section data-part="invoices" data-state="ready">
            <h2 data-part="invoices-title">{context.text(Msg::InvoicesTitle)}</h2>
            <table data-part="invoice-table">
                <thead>
                    <tr>
                        <th scope="col">{context.text(Msg::InvoiceDate)}</th>
                        <th scope="col">{context.text(Msg::InvoiceNumber)}</th>
                        <th scope="col">{context.text(Msg::InvoiceAmount)}</th>
                        <th scope="col">{context.text(Msg::InvoiceStatusLabel)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}
