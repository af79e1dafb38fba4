//! `PlanPicker`: the plans on offer as cards, the current one marked, with a
//! monthly/yearly toggle that shows the yearly saving. Choosing a plan opens
//! the [`Checkout`](super::Checkout) dialog.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::{BillingInterval, CheckoutRequest, PlanSummary, PortalSnapshot};

use super::checkout::{interval_words, Checkout};
use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;
use crate::timer::random_token;

/// Whole percent saved by paying yearly instead of twelve months, rounded
/// down so the promise is never more than the truth.
pub fn yearly_savings_percent(monthly: i64, yearly: i64) -> Option<u32> {
    let twelve_months = monthly.checked_mul(12)?;
    if monthly <= 0 || yearly >= twelve_months || yearly < 0 {
        return None;
    }
    let percent = (twelve_months - yearly) * 100 / twelve_months;
    u32::try_from(percent).ok().filter(|p| *p > 0)
}

fn savings(plan: &PlanSummary) -> Option<u32> {
    let monthly = plan.price(BillingInterval::Month)?.amount_minor;
    let yearly = plan.price(BillingInterval::Year)?.amount_minor;
    yearly_savings_percent(monthly, yearly)
}

/// The plans on offer. `contact_sales_url` is where "Contact sales" links
/// for plans that are not self-serve.
#[component]
pub fn PlanPicker(#[prop(optional, into)] contact_sales_url: MaybeProp<String>) -> impl IntoView {
    let open = RwSignal::new(None::<CheckoutRequest>);
    let interval = RwSignal::new(None::<BillingInterval>);
    let group = format!("portico-interval-{}", random_token());
    view! {
        {portal_view("plan-picker", move |context, snapshot| {
            plan_cards(context, snapshot, interval, open, contact_sales_url.get(), group.clone())
        })}
        <Checkout open=open/>
    }
}

fn plan_cards(
    context: PortalContext,
    snapshot: Arc<PortalSnapshot>,
    chosen_interval: RwSignal<Option<BillingInterval>>,
    open: RwSignal<Option<CheckoutRequest>>,
    contact_sales_url: Option<String>,
    group: String,
) -> impl IntoView {
    let format = context.formatter();
    let current_interval = snapshot
        .subscription
        .as_ref()
        .map(|s| s.interval)
        .unwrap_or(BillingInterval::Month);
    let interval = move || chosen_interval.get().unwrap_or(current_interval);
    let best_saving = snapshot
        .plans
        .iter()
        .filter(|p| p.self_serve)
        .filter_map(savings)
        .max();
    // Yearly cost of a plan, to tell an upgrade from a downgrade.
    let yearly_cost = |plan: &PlanSummary| {
        plan.price(BillingInterval::Year)
            .map(|p| p.amount_minor)
            .or_else(|| {
                plan.price(BillingInterval::Month)
                    .map(|p| p.amount_minor.saturating_mul(12))
            })
            .unwrap_or(0)
    };
    let current_cost = yearly_cost(&snapshot.plan);
    let can_manage = snapshot.viewer.can_manage_billing;

    let toggle = |value: BillingInterval, label: Msg| {
        let saving = (value == BillingInterval::Year)
            .then_some(best_saving)
            .flatten()
            .map(|percent| context.fill(Msg::SavePercent, &[("percent", &percent.to_string())]));
        view! {
            <label data-part="interval-option" data-state=move || if interval() == value { "checked" } else { "unchecked" }>
                <input
                    type="radio"
                    name=group.clone()
                    value=value.as_str()
                    prop:checked=move || interval() == value
                    on:change=move |_| chosen_interval.set(Some(value))
                />
                {context.text(label)}
                {saving.map(|text| view! { <span data-part="savings-badge">{text}</span> })}
            </label>
        }
    };

    let cards = snapshot
        .plans
        .iter()
        .map(|plan| {
            let plan = plan.clone();
            let current = snapshot.plan.id == plan.id;
            let state = if current {
                "current"
            } else if plan.self_serve {
                "available"
            } else {
                "contact-sales"
            };
            let price_plan = plan.clone();
            let format = format.clone();
            let price = move || {
                if price_plan.prices.is_empty() {
                    return (context.text(Msg::PlanFree), None);
                }
                match price_plan.price(interval()) {
                    Some(amount) => (format.money(amount), Some(interval_words(context, interval()))),
                    None => (
                        context.text(match interval() {
                            BillingInterval::Month => Msg::NotSoldMonthly,
                            BillingInterval::Year => Msg::NotSoldYearly,
                        }),
                        None,
                    ),
                }
            };
            let saving = savings(&plan).map(|p| context.fill(Msg::SavePercent, &[("percent", &p.to_string())]));
            let action = if !plan.self_serve {
                match &contact_sales_url {
                    Some(url) => view! {
                        <a data-part="plan-action" data-state="contact-sales" href=url.clone()>{context.text(Msg::ContactSales)}</a>
                    }
                    .into_any(),
                    None => view! {
                        <span data-part="plan-action" data-state="contact-sales">{context.text(Msg::ContactSales)}</span>
                    }
                    .into_any(),
                }
            } else {
                let id = plan.id.clone();
                let name = plan.name.clone();
                let sold = plan.clone();
                let on_current_interval = move || current && interval() == current_interval;
                let direction = if yearly_cost(&plan) > current_cost { "upgrade" } else { "downgrade" };
                let addons = snapshot.subscription.as_ref().filter(|_| current).map(|s| s.addons.clone()).unwrap_or_default();
                view! {
                    <button
                        type="button"
                        data-part="plan-action"
                        data-state=move || if on_current_interval() { "current" } else if current { "switch" } else { direction }
                        disabled=move || !can_manage || (on_current_interval() && sold.prices.is_empty()) || (!sold.prices.is_empty() && sold.price(interval()).is_none())
                        on:click=move |_| {
                            open.set(Some(CheckoutRequest {
                                plan_id: id.clone(),
                                interval: interval(),
                                addons: addons.clone(),
                                timing: Default::default(),
                            }))
                        }
                    >
                        {move || if on_current_interval() {
                            context.text(Msg::CurrentPlan)
                        } else {
                            context.fill(Msg::ChoosePlan, &[("plan", &name)])
                        }}
                    </button>
                }
                .into_any()
            };
            view! {
                <article data-part="plan-card" data-state=state data-plan=plan.id.clone() aria-current=current.then_some("true")>
                    <h3 data-part="plan-card-name">{plan.name.clone()}</h3>
                    {current.then(|| view! { <span data-part="current-badge">{context.text(Msg::CurrentPlan)}</span> })}
                    <p data-part="plan-card-price">
                        {move || {
                            let (amount, per) = price();
                            view! {
                                <span data-part="price-amount">{amount}</span>
                                {per.map(|per| view! { " " <span data-part="price-interval">{per}</span> })}
                            }
                        }}
                    </p>
                    {move || (interval() == BillingInterval::Year).then(|| saving.clone()).flatten().map(|text| view! {
                        <span data-part="savings-badge">{text}</span>
                    })}
                    {plan.description.clone().map(|text| view! { <p data-part="plan-card-description">{text}</p> })}
                    {action}
                </article>
            }
        })
        .collect::<Vec<_>>();

    view! {
        <section data-part="plan-picker" data-state=if can_manage { "ready" } else { "read-only" }>
            <h2 data-part="plan-picker-title">{context.text(Msg::PlansTitle)}</h2>
            <fieldset data-part="interval-toggle">
                <legend data-part="visually-hidden">{context.text(Msg::IntervalLegend)}</legend>
                {toggle(BillingInterval::Month, Msg::Monthly)}
                {toggle(BillingInterval::Year, Msg::Yearly)}
            </fieldset>
            {(!can_manage).then(|| view! { <p data-part="read-only-note">{context.text(Msg::ReadOnlyBilling)}</p> })}
            <div data-part="plan-cards">{cards}</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::yearly_savings_percent;

    #[test]
    fn savings_round_down_and_need_a_real_discount() {
        assert_eq!(yearly_savings_percent(4900, 49000), Some(16));
        assert_eq!(yearly_savings_percent(1000, 10000), Some(16));
        assert_eq!(yearly_savings_percent(1000, 6000), Some(50));
        assert_eq!(yearly_savings_percent(1000, 12000), None);
        assert_eq!(yearly_savings_percent(1000, 13000), None);
        assert_eq!(yearly_savings_percent(0, 0), None);
        assert_eq!(yearly_savings_percent(i64::MAX, 1), None);
    }
}
