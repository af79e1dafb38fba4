//! The price of a change to a subscription: pure arithmetic over the
//! catalog, the subscription as it stands, and the instant of the change, in
//! integer minor units. No I/O here, so every rule is unit- and
//! property-tested.
//!
//! # Proration rule
//!
//! A change that takes effect inside a billing period is priced for the part
//! of the period that is left, to the second:
//! `amount × seconds_left / seconds_in_period`, computed exactly in 128-bit
//! integers. **Charges round up** to the next minor unit and **credits round
//! down**, so rounding costs the customer at most one minor unit per line and
//! never pays out money that was not paid in. Only differences are
//! prorated: an item whose price does not change has no line, and an add-on
//! whose quantity changes is prorated on the added or removed units alone.
//!
//! # When a change takes effect (unless the request says otherwise)
//!
//! - no subscription → a new one starts now (with the plan's trial, if the
//!   company has never had a subscription);
//! - a higher recurring amount (upgrade) or an equal one → now, prorated;
//! - a lower one (downgrade), or a move to the free plan → at period end;
//! - monthly → yearly → now: the unused month is credited and a full year is
//!   charged from today; yearly → monthly → at period end;
//! - during a trial → now, free of charge; the trial goes on.

use portico_types::{
    AddonSelection, BillingInterval, BillingLine, ChangeKind, ChangeTiming, CheckoutRequest,
    FeatureKind, Limit, LineKind, Money, ScheduledChange, SubscriptionStatus, Timestamp,
};

use crate::catalog::{Catalog, Grant};
use crate::domain::portal::UsageTotals;
use crate::domain::subscriptions::{CurrentSubscription, StoredSubscription};
use crate::error::DomainError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero: credits.
    Down,
    /// Away from zero: charges.
    Up,
}

/// `amount × part / whole`, rounded as asked; `part` is clamped to
/// `0..=whole`, so the result is always between 0 and `amount`.
pub fn prorate(amount: i64, part: i64, whole: i64, rounding: Rounding) -> i64 {
    if whole <= 0 || amount <= 0 {
        return 0;
    }
    let numerator = i128::from(amount) * i128::from(part.clamp(0, whole));
    let whole = i128::from(whole);
    let quotient = match rounding {
        Rounding::Down => numerator.div_euclid(whole),
        Rounding::Up => -(-numerator).div_euclid(whole),
    };
    // 0 ≤ quotient ≤ amount, so it fits.
    i64::try_from(quotient).unwrap_or(amount)
}

/// One recurring item of a subscription: its plan, or an add-on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub is_plan: bool,
    pub quantity: u32,
    /// Price of one unit for the interval, in minor units.
    pub unit_price: i64,
}

impl Item {
    pub fn amount(&self) -> i64 {
        self.unit_price.saturating_mul(i64::from(self.quantity))
    }
}

/// The recurring items of `plan_id` with `addons`, priced for `interval`,
/// checking that each exists, is offered there, and has a price.
pub fn items(
    catalog: &Catalog,
    plan_id: &str,
    interval: BillingInterval,
    addons: &[AddonSelection],
) -> Result<Vec<Item>, DomainError> {
    let plan = catalog
        .plan(plan_id)
        .ok_or_else(|| DomainError::UnknownPlan(plan_id.to_owned()))?;
    let plan_price = match (plan.prices.is_empty(), catalog.price(plan, interval)) {
        (true, _) => 0,
        (false, Some(price)) => price.amount_minor,
        (false, None) => {
            return Err(DomainError::InvalidInput(format!(
                "{} is not sold {}ly",
                plan.name,
                interval.as_str()
            )))
        }
    };
    let mut items = vec![Item {
        id: plan.id.clone(),
        name: plan.name.clone(),
        is_plan: true,
        quantity: 1,
        unit_price: plan_price,
    }];
    for selection in addons {
        let addon = catalog.addon(&selection.addon_id).ok_or_else(|| {
            DomainError::UnknownAddon(format!(
                "the catalog has no add-on {:?}",
                selection.addon_id
            ))
        })?;
        if !addon.available_on(&plan.id) || plan.prices.is_empty() {
            return Err(DomainError::UnknownAddon(format!(
                "{} is not available on {}",
                addon.name, plan.name
            )));
        }
        if selection.quantity > addon.max_quantity {
            return Err(DomainError::InvalidInput(if addon.per_unit {
                format!("at most {} of {}", addon.max_quantity, addon.name)
            } else {
                format!(
                    "{} is bought once, not {} times",
                    addon.name, selection.quantity
                )
            }));
        }
        let unit_price = addon.prices.get(&interval.into()).copied().ok_or_else(|| {
            DomainError::InvalidInput(format!(
                "{} is not sold {}ly",
                addon.name,
                interval.as_str()
            ))
        })?;
        items.push(Item {
            id: addon.id.clone(),
            name: addon.name.clone(),
            is_plan: false,
            quantity: selection.quantity,
            unit_price,
        });
    }
    Ok(items)
}

pub fn total(items: &[Item]) -> i64 {
    items
        .iter()
        .fold(0i64, |sum, item| sum.saturating_add(item.amount()))
}

/// Why `plan` with `addons` cannot hold what the company uses now: seats in
/// use and holdings of limit features above new hard limits. Metered usage
/// does not block a change (it resets every month).
pub fn usage_blockers(
    catalog: &Catalog,
    plan_id: &str,
    addons: &[AddonSelection],
    usage: &UsageTotals,
) -> Vec<String> {
    let Some(plan) = catalog.plan(plan_id) else {
        return Vec::new();
    };
    catalog
        .features
        .iter()
        .filter(|f| matches!(f.kind, FeatureKind::Seats | FeatureKind::Limit))
        .filter_map(|feature| {
            let used = usage.of(&feature.id, feature.kind);
            match catalog.effective_grant(plan, addons, feature) {
                Grant::Allowance {
                    limit: Limit::Count(limit),
                    soft: false,
                } if used > limit => {
                    let unit = feature.unit.as_deref().unwrap_or("unit");
                    Some(format!(
                        "{used} {unit}{s} in use and {} allows {limit} ({})",
                        plan.name,
                        feature.name,
                        s = if used == 1 { "" } else { "s" }
                    ))
                }
                _ => None,
            }
        })
        .collect()
}

/// What billing needs to know about the company at the instant of a change.
pub struct BillingContext<'a> {
    pub catalog: &'a Catalog,
    /// The subscription as it stands at the instant (`None`: on the default
    /// plan).
    pub subscription: Option<&'a CurrentSubscription>,
    /// The company has had a subscription before (no second trial).
    pub had_subscription: bool,
    /// Account credit, in minor units.
    pub credit_balance: i64,
    pub usage: &'a UsageTotals,
}

/// A change, priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedChange {
    pub request: CheckoutRequest,
    pub change: ChangeKind,
    pub effective_at: Timestamp,
    pub lines: Vec<BillingLine>,
    pub total: i64,
    pub credit_applied: i64,
    pub due_now: i64,
    pub credit_after: i64,
    pub recurring: i64,
    pub next_charge_at: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
    /// The subscription once the change is made (revision aside).
    pub after: StoredSubscription,
}

struct LineMaker<'a> {
    currency: &'a str,
}

impl LineMaker<'_> {
    fn line(
        &self,
        kind: LineKind,
        item: &Item,
        quantity: u32,
        amount: i64,
        period: (Timestamp, Timestamp),
    ) -> BillingLine {
        let what = if item.is_plan || quantity == 1 {
            item.name.clone()
        } else {
            format!("{quantity} × {}", item.name)
        };
        let description = match kind {
            LineKind::Charge => what,
            LineKind::ProrationCharge => format!("Remaining time on {what}"),
            LineKind::ProrationCredit => format!("Unused time on {what}"),
            LineKind::Trial => format!("{what}: free trial"),
        };
        BillingLine {
            kind,
            description,
            item_id: item.id.clone(),
            quantity,
            amount: Money {
                amount_minor: amount,
                currency: self.currency.to_owned(),
            },
            period_start: period.0,
            period_end: period.1,
        }
    }
}

/// Lines for moving from `old` to `new` items for the rest of a period.
fn proration_lines(
    lines: &LineMaker<'_>,
    old: &[Item],
    new: &[Item],
    left: i64,
    length: i64,
    period: (Timestamp, Timestamp),
) -> Vec<BillingLine> {
    let same = |a: &Item, b: &Item| a.is_plan == b.is_plan && a.id == b.id;
    let mut out = Vec::new();
    for item in old {
        let kept = new.iter().find(|n| same(n, item));
        let delta = item.amount() - kept.map(Item::amount).unwrap_or(0);
        if delta > 0 {
            let quantity = kept
                .map(|k| item.quantity.saturating_sub(k.quantity))
                .filter(|q| *q > 0);
            let quantity = quantity.unwrap_or(item.quantity);
            let credit = prorate(delta, left, length, Rounding::Down);
            if credit > 0 {
                out.push(lines.line(LineKind::ProrationCredit, item, quantity, -credit, period));
            }
        }
    }
    for item in new {
        let before = old.iter().find(|o| same(o, item));
        let delta = item.amount() - before.map(Item::amount).unwrap_or(0);
        if delta > 0 {
            let quantity = before
                .map(|b| item.quantity.saturating_sub(b.quantity))
                .filter(|q| *q > 0);
            let quantity = quantity.unwrap_or(item.quantity);
            let charge = prorate(delta, left, length, Rounding::Up);
            if charge > 0 {
                out.push(lines.line(LineKind::ProrationCharge, item, quantity, charge, period));
            }
        }
    }
    out
}

/// Prices `request` for a company in `context` at instant `at`.
pub fn price_change(
    context: &BillingContext<'_>,
    request: &CheckoutRequest,
    at: Timestamp,
) -> Result<PricedChange, DomainError> {
    let catalog = context.catalog;
    let request = request.normalized();
    let plan = catalog
        .plan(&request.plan_id)
        .ok_or_else(|| DomainError::UnknownPlan(request.plan_id.clone()))?;
    if !plan.self_serve {
        return Err(DomainError::InvalidInput(format!(
            "{} is arranged with our team, not bought here: contact sales",
            plan.name
        )));
    }
    let new_items = items(catalog, &plan.id, request.interval, &request.addons)?;
    let recurring = total(&new_items);
    let to_free_plan = plan.prices.is_empty();
    let blockers = usage_blockers(catalog, &plan.id, &request.addons, context.usage);
    if !blockers.is_empty() {
        return Err(DomainError::UsageExceedsLimits(format!(
            "{} cannot hold what you use now: {}. Reduce usage first.",
            plan.name,
            blockers.join("; ")
        )));
    }
    let lines = LineMaker {
        currency: &catalog.currency,
    };
    let mut priced = PricedChange {
        request: request.clone(),
        change: ChangeKind::New,
        effective_at: at,
        lines: Vec::new(),
        total: 0,
        credit_applied: 0,
        due_now: 0,
        credit_after: context.credit_balance,
        recurring,
        next_charge_at: at,
        trial_ends_at: None,
        after: StoredSubscription {
            plan_id: plan.id.clone(),
            interval: request.interval,
            status: SubscriptionStatus::Active,
            period_start: at,
            period_end: at.add_months(request.interval.months()),
            trial_ends_at: None,
            cancel_at_period_end: false,
            addons: request.addons.clone(),
            scheduled: None,
            revision: 0,
        },
    };

    match context.subscription {
        None => {
            if to_free_plan {
                return Err(DomainError::InvalidInput(format!(
                    "you are already on {}",
                    plan.name
                )));
            }
            match plan.trial_days.filter(|_| !context.had_subscription) {
                Some(days) => {
                    let ends = at.add_days(i64::from(days));
                    let plan_item = &new_items[0];
                    priced
                        .lines
                        .push(lines.line(LineKind::Trial, plan_item, 1, 0, (at, ends)));
                    priced.trial_ends_at = Some(ends);
                    priced.next_charge_at = ends;
                    priced.after.status = SubscriptionStatus::Trialing;
                    priced.after.period_end = ends;
                    priced.after.trial_ends_at = Some(ends);
                }
                None => {
                    let period = (at, priced.after.period_end);
                    for item in &new_items {
                        priced.lines.push(lines.line(
                            LineKind::Charge,
                            item,
                            item.quantity,
                            item.amount(),
                            period,
                        ));
                    }
                    priced.next_charge_at = period.1;
                }
            }
        }
        Some(current) => {
            let unchanged = current.plan_id == request.plan_id
                && current.interval == request.interval
                && current.addons == request.addons;
            let old_items = items(catalog, &current.plan_id, current.interval, &current.addons)?;
            let old_recurring = total(&old_items);
            let interval_change = current.interval != request.interval;
            priced.change = if unchanged {
                ChangeKind::Switch
            } else if interval_change {
                ChangeKind::IntervalChange
            } else if recurring > old_recurring {
                ChangeKind::Upgrade
            } else if recurring < old_recurring {
                ChangeKind::Downgrade
            } else {
                ChangeKind::Switch
            };
            let keep_period = StoredSubscription {
                period_start: current.period_start,
                period_end: current.period_end,
                status: current.status,
                trial_ends_at: current.trial_ends_at,
                ..priced.after.clone()
            };
            priced.next_charge_at = current.period_end;

            if unchanged {
                if current.scheduled.is_none() && !current.cancel_at_period_end {
                    return Err(DomainError::InvalidInput(
                        "that is already your subscription".to_owned(),
                    ));
                }
                // Asking for what one has undoes a scheduled change or a
                // cancellation.
                priced.after = keep_period;
            } else if current.status == SubscriptionStatus::Trialing {
                priced.after = keep_period;
            } else {
                let now = match request.timing {
                    ChangeTiming::Now => true,
                    ChangeTiming::PeriodEnd => false,
                    ChangeTiming::Default => match priced.change {
                        ChangeKind::Upgrade | ChangeKind::Switch | ChangeKind::New => true,
                        ChangeKind::Downgrade => false,
                        ChangeKind::IntervalChange => {
                            request.interval.months() > current.interval.months()
                        }
                    },
                } && !to_free_plan;
                let left = current.period_end.0 - at.0;
                let length = current.period_end.0 - current.period_start.0;
                if !now {
                    priced.effective_at = current.period_end;
                    priced.after = StoredSubscription {
                        plan_id: current.plan_id.clone(),
                        interval: current.interval,
                        addons: current.addons.clone(),
                        scheduled: Some(ScheduledChange {
                            plan_id: plan.id.clone(),
                            interval: request.interval,
                            addons: request.addons.clone(),
                            effective_at: current.period_end,
                        }),
                        ..keep_period
                    };
                } else if interval_change {
                    let credit_period = (at, current.period_end);
                    for item in &old_items {
                        let credit = prorate(item.amount(), left, length, Rounding::Down);
                        if credit > 0 {
                            priced.lines.push(lines.line(
                                LineKind::ProrationCredit,
                                item,
                                item.quantity,
                                -credit,
                                credit_period,
                            ));
                        }
                    }
                    let period = (at, priced.after.period_end);
                    for item in &new_items {
                        priced.lines.push(lines.line(
                            LineKind::Charge,
                            item,
                            item.quantity,
                            item.amount(),
                            period,
                        ));
                    }
                    priced.next_charge_at = period.1;
                } else {
                    priced.lines = proration_lines(
                        &lines,
                        &old_items,
                        &new_items,
                        left,
                        length,
                        (at, current.period_end),
                    );
                    priced.after = keep_period;
                }
            }
        }
    }

    priced.total = priced
        .lines
        .iter()
        .try_fold(0i64, |sum, line| sum.checked_add(line.amount.amount_minor))
        .ok_or_else(|| DomainError::InvalidInput("amount out of range".to_owned()))?;
    if priced.total > 0 {
        priced.credit_applied = context.credit_balance.clamp(0, priced.total);
        priced.due_now = priced.total - priced.credit_applied;
        priced.credit_after = context.credit_balance - priced.credit_applied;
    } else {
        priced.credit_after = context.credit_balance.saturating_add(-priced.total);
    }
    Ok(priced)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::domain::subscriptions::StoredSubscription;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    fn seats(quantity: u32) -> AddonSelection {
        AddonSelection {
            addon_id: "extra_seats".into(),
            quantity,
        }
    }

    fn request(
        plan: &str,
        interval: BillingInterval,
        addons: Vec<AddonSelection>,
    ) -> CheckoutRequest {
        CheckoutRequest {
            plan_id: plan.into(),
            interval,
            addons,
            timing: ChangeTiming::Default,
        }
    }

    fn pro_monthly(addons: Vec<AddonSelection>) -> CurrentSubscription {
        CurrentSubscription {
            plan_id: "pro".into(),
            interval: BillingInterval::Month,
            status: SubscriptionStatus::Active,
            period_start: ts("2026-11-01T00:00:00Z"),
            period_end: ts("2026-12-01T00:00:00Z"),
            trial_ends_at: None,
            cancel_at_period_end: false,
            addons,
            scheduled: None,
        }
    }

    fn as_current(stored: &StoredSubscription) -> CurrentSubscription {
        CurrentSubscription {
            plan_id: stored.plan_id.clone(),
            interval: stored.interval,
            status: stored.status,
            period_start: stored.period_start,
            period_end: stored.period_end,
            trial_ends_at: stored.trial_ends_at,
            cancel_at_period_end: stored.cancel_at_period_end,
            addons: stored.addons.clone(),
            scheduled: stored.scheduled.clone(),
        }
    }

    fn price(
        catalog: &Catalog,
        current: Option<&CurrentSubscription>,
        credit: i64,
        request: &CheckoutRequest,
        at: Timestamp,
    ) -> Result<PricedChange, DomainError> {
        let usage = UsageTotals::default();
        let context = BillingContext {
            catalog,
            subscription: current,
            had_subscription: current.is_some(),
            credit_balance: credit,
            usage: &usage,
        };
        price_change(&context, request, at)
    }

    #[test]
    fn prorate_rounds_charges_up_and_credits_down() {
        assert_eq!(prorate(4900, 15, 30, Rounding::Down), 2450);
        assert_eq!(prorate(4900, 15, 30, Rounding::Up), 2450);
        assert_eq!(prorate(1000, 1, 3, Rounding::Down), 333);
        assert_eq!(prorate(1000, 1, 3, Rounding::Up), 334);
        assert_eq!(
            prorate(1000, 5, 3, Rounding::Up),
            1000,
            "clamped to the whole period"
        );
        assert_eq!(prorate(1000, -5, 3, Rounding::Up), 0);
        assert_eq!(prorate(1000, 1, 0, Rounding::Up), 0);
        assert_eq!(
            prorate(i64::MAX, 1, 2, Rounding::Up),
            i64::MAX / 2 + 1,
            "no overflow"
        );
    }

    #[test]
    fn adding_seats_mid_month_charges_only_the_new_seats_for_the_time_left() {
        let catalog = Catalog::demo();
        let current = pro_monthly(vec![seats(2)]);
        // Halfway through a 30-day November.
        let at = ts("2026-11-16T00:00:00Z");
        let priced = price(
            &catalog,
            Some(&current),
            0,
            &request("pro", BillingInterval::Month, vec![seats(5)]),
            at,
        )
        .unwrap();
        assert_eq!(priced.change, ChangeKind::Upgrade);
        assert_eq!(priced.effective_at, at);
        assert_eq!(priced.lines.len(), 1);
        let line = &priced.lines[0];
        assert_eq!(
            (line.kind, line.quantity, line.amount.amount_minor),
            (LineKind::ProrationCharge, 3, 1200)
        );
        assert_eq!(line.description, "Remaining time on 3 × Extra seats");
        assert_eq!((priced.total, priced.due_now), (1200, 1200));
        assert_eq!(priced.recurring, 4900 + 5 * 800);
        assert_eq!(priced.next_charge_at, ts("2026-12-01T00:00:00Z"));
        assert_eq!(priced.after.addons, vec![seats(5)]);
        assert_eq!(
            priced.after.period_start, current.period_start,
            "the period does not move"
        );
    }

    #[test]
    fn downgrades_wait_for_the_period_end_unless_asked_now() {
        let catalog = Catalog::demo();
        let current = pro_monthly(vec![seats(5)]);
        let at = ts("2026-11-16T00:00:00Z");
        let priced = price(
            &catalog,
            Some(&current),
            0,
            &request("pro", BillingInterval::Month, vec![seats(1)]),
            at,
        )
        .unwrap();
        assert_eq!(priced.change, ChangeKind::Downgrade);
        assert_eq!(priced.effective_at, current.period_end);
        assert!(priced.lines.is_empty());
        assert_eq!(
            priced.after.addons,
            vec![seats(5)],
            "nothing changes before the period end"
        );
        assert_eq!(
            priced.after.scheduled.as_ref().map(|s| s.addons.clone()),
            Some(vec![seats(1)])
        );

        let mut now = request("pro", BillingInterval::Month, vec![seats(1)]);
        now.timing = ChangeTiming::Now;
        let priced = price(&catalog, Some(&current), 0, &now, at).unwrap();
        assert_eq!(priced.lines[0].kind, LineKind::ProrationCredit);
        assert_eq!(priced.total, -1600);
        assert_eq!(
            (priced.due_now, priced.credit_after),
            (0, 1600),
            "a credit, not a refund"
        );
    }

    #[test]
    fn monthly_to_yearly_credits_the_month_and_charges_a_year_from_today() {
        let catalog = Catalog::demo();
        let current = pro_monthly(Vec::new());
        let at = ts("2026-11-16T00:00:00Z");
        let priced = price(
            &catalog,
            Some(&current),
            0,
            &request("pro", BillingInterval::Year, Vec::new()),
            at,
        )
        .unwrap();
        assert_eq!(priced.change, ChangeKind::IntervalChange);
        let kinds: Vec<_> = priced
            .lines
            .iter()
            .map(|l| (l.kind, l.amount.amount_minor))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (LineKind::ProrationCredit, -2450),
                (LineKind::Charge, 49000)
            ]
        );
        assert_eq!(priced.total, 46550);
        assert_eq!(priced.after.period_start, at);
        assert_eq!(priced.after.period_end, ts("2027-11-16T00:00:00Z"));
    }

    #[test]
    fn a_first_subscription_starts_with_the_trial() {
        let catalog = Catalog::demo();
        let at = ts("2026-11-23T09:30:00Z");
        let priced = price(
            &catalog,
            None,
            0,
            &request("pro", BillingInterval::Year, Vec::new()),
            at,
        )
        .unwrap();
        assert_eq!(priced.change, ChangeKind::New);
        assert_eq!(priced.due_now, 0);
        assert_eq!(priced.lines[0].kind, LineKind::Trial);
        assert_eq!(priced.trial_ends_at, Some(ts("2026-12-07T09:30:00Z")));
        assert_eq!(priced.after.status, SubscriptionStatus::Trialing);
        assert_eq!(priced.recurring, 49000);

        let usage = UsageTotals::default();
        let again = BillingContext {
            catalog: &catalog,
            subscription: None,
            had_subscription: true,
            credit_balance: 0,
            usage: &usage,
        };
        let priced = price_change(
            &again,
            &request("pro", BillingInterval::Year, Vec::new()),
            at,
        )
        .unwrap();
        assert_eq!(
            (priced.due_now, priced.after.status),
            (49000, SubscriptionStatus::Active),
            "one trial per company"
        );
    }

    #[test]
    fn refusals_say_why() {
        let catalog = Catalog::demo();
        let at = ts("2026-11-16T00:00:00Z");
        let current = pro_monthly(Vec::new());
        let err = |r: Result<PricedChange, DomainError>| r.unwrap_err().to_string();
        assert!(err(price(
            &catalog,
            None,
            0,
            &request("enterprise", BillingInterval::Year, vec![]),
            at
        ))
        .contains("contact sales"));
        assert!(err(price(
            &catalog,
            None,
            0,
            &request("free", BillingInterval::Month, vec![]),
            at
        ))
        .contains("already on Free"));
        assert!(err(price(
            &catalog,
            Some(&current),
            0,
            &request("pro", BillingInterval::Month, vec![]),
            at
        ))
        .contains("already your subscription"));
        assert!(err(price(
            &catalog,
            Some(&current),
            0,
            &request("pro", BillingInterval::Month, vec![seats(500)]),
            at
        ))
        .contains("at most 200"));
        let sso = AddonSelection {
            addon_id: "sso_connection".into(),
            quantity: 2,
        };
        assert!(err(price(
            &catalog,
            Some(&current),
            0,
            &request("pro", BillingInterval::Month, vec![sso]),
            at
        ))
        .contains("bought once"));
        let nope = AddonSelection {
            addon_id: "nope".into(),
            quantity: 1,
        };
        assert!(matches!(
            price(
                &catalog,
                Some(&current),
                0,
                &request("pro", BillingInterval::Month, vec![nope]),
                at
            ),
            Err(DomainError::UnknownAddon(_))
        ));

        let usage = UsageTotals {
            seats: 12,
            gauges: HashMap::from([("projects".to_owned(), 7)]),
            ..Default::default()
        };
        let context = BillingContext {
            catalog: &catalog,
            subscription: Some(&current),
            had_subscription: true,
            credit_balance: 0,
            usage: &usage,
        };
        let message = err(price_change(
            &context,
            &request("free", BillingInterval::Month, vec![]),
            at,
        ));
        assert!(
            message.contains("12 seats in use and Free allows 3"),
            "{message}"
        );
        assert!(
            message.contains("7 projects in use and Free allows 3"),
            "{message}"
        );
        // Pro with 2 extra seats holds 12.
        assert!(price_change(
            &context,
            &request("pro", BillingInterval::Month, vec![seats(2)]),
            at
        )
        .is_ok());
    }

    #[test]
    fn credit_pays_first() {
        let catalog = Catalog::demo();
        let current = pro_monthly(vec![]);
        let at = ts("2026-11-16T00:00:00Z");
        let priced = price(
            &catalog,
            Some(&current),
            500,
            &request("pro", BillingInterval::Month, vec![seats(3)]),
            at,
        )
        .unwrap();
        assert_eq!(
            (
                priced.total,
                priced.credit_applied,
                priced.due_now,
                priced.credit_after
            ),
            (1200, 500, 700, 0)
        );
    }

    fn addon_sets() -> impl Strategy<Value = Vec<AddonSelection>> {
        (0u32..=20, 0u32..=5, 0u32..=1).prop_map(|(seats, api, sso)| {
            let mut addons = vec![
                AddonSelection {
                    addon_id: "extra_seats".into(),
                    quantity: seats,
                },
                AddonSelection {
                    addon_id: "api_boost".into(),
                    quantity: api,
                },
                AddonSelection {
                    addon_id: "sso_connection".into(),
                    quantity: sso,
                },
            ];
            addons.retain(|a| a.quantity > 0);
            addons
        })
    }

    fn intervals() -> impl Strategy<Value = BillingInterval> {
        prop_oneof![Just(BillingInterval::Month), Just(BillingInterval::Year)]
    }

    fn timings() -> impl Strategy<Value = ChangeTiming> {
        prop_oneof![
            Just(ChangeTiming::Default),
            Just(ChangeTiming::Now),
            Just(ChangeTiming::PeriodEnd)
        ]
    }

    proptest! {
        #[test]
        fn prorations_stay_within_the_amount(amount in 0i64..10_000_000_000, part in 0i64..40_000_000, whole in 1i64..40_000_000) {
            let down = prorate(amount, part, whole, Rounding::Down);
            let up = prorate(amount, part, whole, Rounding::Up);
            prop_assert!(0 <= down && down <= up && up <= amount);
            prop_assert!(up - down <= 1);
        }

        #[test]
        fn a_preview_total_is_the_sum_of_its_lines(
            current_addons in addon_sets(),
            current_interval in intervals(),
            wanted_addons in addon_sets(),
            wanted_interval in intervals(),
            timing in timings(),
            credit in 0i64..100_000,
            seconds_in in 0i64..(365 * 86_400),
        ) {
            let catalog = Catalog::demo();
            let start = ts("2026-01-01T00:00:00Z");
            let mut current = pro_monthly(current_addons);
            current.interval = current_interval;
            current.period_start = start;
            current.period_end = start.add_months(current_interval.months());
            let at = Timestamp(start.0 + seconds_in % (current.period_end.0 - start.0));
            let mut wanted = request("pro", wanted_interval, wanted_addons);
            wanted.timing = timing;
            if let Ok(priced) = price(&catalog, Some(&current), credit, &wanted, at) {
                let sum: i64 = priced.lines.iter().map(|l| l.amount.amount_minor).sum();
                prop_assert_eq!(priced.total, sum);
                prop_assert!(priced.due_now >= 0 && priced.credit_after >= 0);
                prop_assert_eq!(priced.due_now, (priced.total - priced.credit_applied).max(0));
                prop_assert_eq!(priced.recurring, total(&items(&catalog, "pro", wanted_interval, &priced.request.addons).unwrap()));
                for line in &priced.lines {
                    let charge = matches!(line.kind, LineKind::Charge | LineKind::ProrationCharge);
                    let signed_right = if charge { line.amount.amount_minor > 0 } else { line.amount.amount_minor <= 0 };
                    prop_assert!(signed_right, "{:?} has the wrong sign", line);
                }
            }
        }

        #[test]
        fn changing_and_changing_back_never_makes_money_from_nothing(
            from in addon_sets(),
            to in addon_sets(),
            interval in intervals(),
            to_interval in intervals(),
            seconds_in in 0i64..(365 * 86_400),
        ) {
            let catalog = Catalog::demo();
            let start = ts("2026-01-01T00:00:00Z");
            let mut current = pro_monthly(from.clone());
            current.interval = interval;
            current.period_start = start;
            current.period_end = start.add_months(interval.months());
            let at = Timestamp(start.0 + seconds_in % (current.period_end.0 - start.0));
            let mut there = request("pro", to_interval, to);
            there.timing = ChangeTiming::Now;
            let Ok(first) = price(&catalog, Some(&current), 0, &there, at) else { return Ok(()) };
            let after_first = as_current(&first.after);
            let mut back = request("pro", interval, from);
            back.timing = ChangeTiming::Now;
            let Ok(second) = price(&catalog, Some(&after_first), first.credit_after, &back, at) else { return Ok(()) };
            // What the customer paid, less the credit they are left with.
            let paid = first.due_now + second.due_now;
            prop_assert!(paid - second.credit_after >= 0, "paid {paid}, left with credit {}", second.credit_after);
        }

        #[test]
        fn every_proration_line_is_the_exact_share_rounded_by_the_rule(
            from in 0u32..=20,
            to in 0u32..=20,
            seconds_in in 0i64..2_592_000,
        ) {
            prop_assume!(from != to);
            let catalog = Catalog::demo();
            let current = pro_monthly(if from > 0 { vec![seats(from)] } else { vec![] });
            let at = Timestamp(current.period_start.0 + seconds_in);
            let mut wanted = request("pro", BillingInterval::Month, if to > 0 { vec![seats(to)] } else { vec![] });
            wanted.timing = ChangeTiming::Now;
            let priced = price(&catalog, Some(&current), 0, &wanted, at).unwrap();
            let left = i128::from(current.period_end.0 - at.0);
            let length = i128::from(current.period_end.0 - current.period_start.0);
            let delta = (i128::from(to) - i128::from(from)) * 800;
            // Charges round up, credits round down (toward zero), exactly.
            let magnitude = delta.abs() * left;
            let expected = if delta > 0 { (magnitude + length - 1) / length } else { -(magnitude / length) };
            let got: i128 = priced.lines.iter().map(|l| i128::from(l.amount.amount_minor)).sum();
            prop_assert_eq!(got, expected);
            prop_assert!(priced.lines.len() <= 1);
        }

        #[test]
        fn later_changes_cost_no_more(addons in addon_sets(), a in 0i64..2_592_000, b in 0i64..2_592_000) {
            let catalog = Catalog::demo();
            let current = pro_monthly(Vec::new());
            let (early, late) = (a.min(b), a.max(b));
            let wanted = request("pro", BillingInterval::Month, addons);
            let at = |s| Timestamp(current.period_start.0 + s);
            if let (Ok(x), Ok(y)) = (price(&catalog, Some(&current), 0, &wanted, at(early)), price(&catalog, Some(&current), 0, &wanted, at(late))) {
                prop_assert!(y.total <= x.total);
            }
        }
    }
}
