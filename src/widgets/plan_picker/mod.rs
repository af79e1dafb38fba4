//! `PlanPicker`: the plans on offer as cards, the current one marked, with a
//! monthly/yearly toggle that shows the yearly saving. Choosing a plan opens
//! the [`Checkout`](super::Checkout) dialog.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::{digits, BillingInterval, CheckoutRequest, PlanSummary, PortalSnapshot};

use super::checkout::{self, interval_toggle, interval_words};
use super::dom::{append, button, element, flag, section, set, text_element, Built, Live};
use super::plan_view::show_price;
use super::portal_view;
use crate::i18n::Msg;
use crate::provider::PortalContext;
use crate::state::State;
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

/// Where "Contact sales" links, read when the cards are built. A plain
/// function rather than a `MaybeProp`: the custom elements have none, and
/// reading a `MaybeProp` compiles in every kind of signal it may hold.
pub(crate) type SalesUrl = Box<dyn Fn() -> Option<String>>;

/// The plans on offer. `contact_sales_url` is where "Contact sales" links
/// for plans that are not self-serve.
#[component]
pub fn PlanPicker(#[prop(optional, into)] contact_sales_url: MaybeProp<String>) -> impl IntoView {
    let (cards, checkout) = build(Box::new(move || contact_sales_url.get()));
    view! { {cards} {checkout} }
}

/// The cards, and the checkout dialog they open (nothing outside a
/// provider): two siblings, placed by the caller.
pub(crate) fn build(contact_sales_url: SalesUrl) -> (Built, Option<Built>) {
    let open = State::new(None::<CheckoutRequest>);
    let interval = State::new(None::<BillingInterval>);
    let group = ["portico-interval-", &random_token()].concat();
    let cards = portal_view("plan-picker", move |context, snapshot| {
        plan_cards(
            context,
            snapshot,
            interval,
            open,
            contact_sales_url(),
            group.clone(),
        )
    });
    (cards, checkout::build(open))
}

/// The period toggle and a card per plan. Built by hand (see
/// [`crate::widgets::dom`]); built again for each new snapshot.
fn plan_cards(
    context: PortalContext,
    snapshot: Arc<PortalSnapshot>,
    chosen_interval: State<Option<BillingInterval>>,
    open: State<Option<CheckoutRequest>>,
    contact_sales_url: Option<String>,
    group: String,
) -> Built {
    let mut live = Live::default();
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
    let saving_text = |percent: u32| {
        context.fill(
            Msg::SavePercent,
            &[("percent", &digits::decimal(percent.into()))],
        )
    };
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

    let section = section(
        "plan-picker",
        if can_manage { "ready" } else { "read-only" },
    );
    let toggle = interval_toggle(
        context,
        &group,
        &mut live,
        interval,
        move |value| chosen_interval.set(Some(value)),
        |_| false,
        best_saving.map(saving_text),
    );
    append(
        &section,
        &[
            &text_element("h2", "plan-picker-title", &context.text(Msg::PlansTitle)),
            &toggle,
        ],
    );
    if !can_manage {
        append(
            &section,
            &[&text_element(
                "p",
                "read-only-note",
                &context.text(Msg::ReadOnlyBilling),
            )],
        );
    }

    let cards = element("div", "plan-cards");
    for plan in &snapshot.plans {
        let current = snapshot.plan.id == plan.id;
        let card = element("article", "plan-card");
        let state = if current {
            "current"
        } else if plan.self_serve {
            "available"
        } else {
            "contact-sales"
        };
        set(&card, "data-state", state);
        set(&card, "data-plan", &plan.id);
        if current {
            set(&card, "aria-current", "true");
        }
        append(&card, &[&text_element("h3", "plan-card-name", &plan.name)]);
        if current {
            append(
                &card,
                &[&text_element(
                    "span",
                    "current-badge",
                    &context.text(Msg::CurrentPlan),
                )],
            );
        }
        let price = element("p", "plan-card-price");
        append(&card, &[&price]);
        let saving = savings(plan)
            .map(|percent| text_element("span", "savings-badge", &saving_text(percent)));
        live.bind({
            let (card, price, plan) = (card.clone(), price.clone(), plan.clone());
            move || {
                let interval = interval();
                let (amount, per) = if plan.prices.is_empty() {
                    (context.text(Msg::PlanFree), None)
                } else {
                    match plan.price(interval) {
                        Some(amount) => (
                            context.formatter().money(amount),
                            Some(interval_words(context, interval)),
                        ),
                        None => (
                            context.text(match interval {
                                BillingInterval::Month => Msg::NotSoldMonthly,
                                BillingInterval::Year => Msg::NotSoldYearly,
                            }),
                            None,
                        ),
                    }
                };
                show_price(&price, &amount, per.as_deref());
                // The yearly saving, right after the price, when yearly.
                if let Some(saving) = &saving {
                    if interval == BillingInterval::Year {
                        let _ = card.insert_before(saving, price.next_sibling().as_ref());
                    } else {
                        saving.remove();
                    }
                }
            }
        });
        if let Some(text) = &plan.description {
            append(&card, &[&text_element("p", "plan-card-description", text)]);
        }
        let action = if !plan.self_serve {
            let action = match &contact_sales_url {
                Some(url) => {
                    let link = element("a", "plan-action");
                    set(&link, "href", url);
                    link
                }
                None => element("span", "plan-action"),
            };
            set(&action, "data-state", "contact-sales");
            action.set_text_content(Some(&context.text(Msg::ContactSales)));
            action
        } else {
            let action = button("plan-action", "");
            let direction = if yearly_cost(plan) > current_cost {
                "upgrade"
            } else {
                "downgrade"
            };
            let on_current_interval = move || current && interval() == current_interval;
            live.bind({
                let (action, plan) = (action.clone(), plan.clone());
                move || {
                    let on_current = on_current_interval();
                    let state = if on_current {
                        "current"
                    } else if current {
                        "switch"
                    } else {
                        direction
                    };
                    set(&action, "data-state", state);
                    let unsold = if plan.prices.is_empty() {
                        on_current
                    } else {
                        plan.price(interval()).is_none()
                    };
                    flag(&action, "disabled", !can_manage || unsold);
                    action.set_text_content(Some(&if on_current {
                        context.text(Msg::CurrentPlan)
                    } else {
                        context.fill(Msg::ChoosePlan, &[("plan", &plan.name)])
                    }));
                }
            });
            let id = plan.id.clone();
            let addons = snapshot
                .subscription
                .as_ref()
                .filter(|_| current)
                .map(|s| s.addons.clone())
                .unwrap_or_default();
            live.on(&action, "click", move |_| {
                open.set(Some(CheckoutRequest {
                    plan_id: id.clone(),
                    interval: untrack(interval),
                    addons: addons.clone(),
                    timing: Default::default(),
                }))
            });
            action
        };
        append(&card, &[&action]);
        append(&cards, &[&card]);
    }
    append(&section, &[&cards]);
    Built::new(section, live)
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
