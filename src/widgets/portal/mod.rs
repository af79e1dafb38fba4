//! `Portal`: the whole customer portal, composed of the widgets.

use leptos::prelude::*;

use super::dom::{append, element, Built, Live};
use super::{
    cancel_subscription, entitlements, invoices, members, plan_picker, plan_view, upcoming_bill,
};

/// Plan, usage, members and seats, plans on offer, the next charge and
/// past invoices.
/// `contact_sales_url` is where plans sold by a person link to.
#[component]
pub fn Portal(#[prop(optional, into)] contact_sales_url: MaybeProp<String>) -> impl IntoView {
    build(Box::new(move || contact_sales_url.get()))
}

/// The portal, built by hand (see [`super::dom`]): the widgets' own views
/// placed in two plain elements.
pub(crate) fn build(contact_sales_url: plan_picker::SalesUrl) -> Built {
    let portal = element("div", "portal");
    let plan = element("div", "portal-plan");
    append(&portal, &[&plan]);
    let mut live = Live::default();
    live.insert(&plan, None, plan_view::build());
    live.insert_some(&plan, cancel_subscription::build());
    live.insert(&portal, None, entitlements::build());
    live.insert(&portal, None, members::build());
    let (cards, checkout) = plan_picker::build(contact_sales_url);
    live.insert(&portal, None, cards);
    live.insert_some(&portal, checkout);
    live.insert(&portal, None, upcoming_bill::build());
    live.insert(&portal, None, invoices::build());
    Built::new(portal, live)
}
