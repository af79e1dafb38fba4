//! `Portal`: the whole customer portal, composed of the widgets.

use leptos::prelude::*;

use super::{
    CancelSubscription, Entitlements, Invoices, Members, PlanPicker, PlanView, UpcomingBill,
};

/// Plan, usage, members and seats, plans on offer, the next charge and
/// past invoices.
/// `contact_sales_url` is where plans sold by a person link to.
#[component]
pub fn Portal(#[prop(optional, into)] contact_sales_url: MaybeProp<String>) -> impl IntoView {
    view! {
        <div data-part="portal">
            <div data-part="portal-plan">
                <PlanView/>
                <CancelSubscription/>
            </div>
            <Entitlements/>
            <Members/>
            <PlanPicker contact_sales_url=contact_sales_url/>
            <UpcomingBill/>
            <Invoices/>
        </div>
    }
}
