//! `Portal`: the whole customer portal, composed of the widgets.

use leptos::prelude::*;

use super::{Entitlements, PlanView};

#[component]
pub fn Portal() -> impl IntoView {
    view! {
        <div data-part="portal">
            <PlanView/>
            <Entitlements/>
        </div>
    }
}
