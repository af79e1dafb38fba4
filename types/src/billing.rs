//! Checkout, subscriptions and invoices on the wire: `POST /v1/checkout/preview`,
//! `POST /v1/checkout`, `POST /v1/subscription/{cancel,resume}`,
//! `GET /v1/invoices`, and the billing parts of the portal snapshot.

use serde::{Deserialize, Serialize};

use crate::{BillingInterval, Limit, Money, Timestamp};

/// An add-on in the catalog, as the widgets offer it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddonSummary {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Bought in a quantity (each unit priced and granted once), or on/off.
    pub per_unit: bool,
    /// Singular unit name for per-unit add-ons ("seat").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub max_quantity: u32,
    /// Price of one unit per interval.
    pub prices: Vec<crate::PlanPrice>,
    /// Plans it can be added to; empty means every paid plan.
    #[serde(default)]
    pub plans: Vec<String>,
    /// What one unit adds, per feature.
    #[serde(default)]
    pub grants: Vec<AddonGrant>,
}

impl AddonSummary {
    pub fn price(&self, interval: BillingInterval) -> Option<&Money> {
        self.prices
            .iter()
            .find(|p| p.interval == interval)
            .map(|p| &p.amount)
    }

    pub fn available_on(&self, plan_id: &str) -> bool {
        self.plans.is_empty() || self.plans.iter().any(|p| p == plan_id)
    }
}

/// What one unit of an add-on grants for one feature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddonGrant {
    pub feature_id: String,
    /// `None` for a boolean feature it switches on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AddonSelection {
    pub addon_id: String,
    pub quantity: u32,
}

/// When a change takes effect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeTiming {
    /// Upgrades now, downgrades at the end of the period.
    #[default]
    Default,
    Now,
    PeriodEnd,
}

/// What the customer asks for: the whole new subscription.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CheckoutRequest {
    pub plan_id: String,
    pub interval: BillingInterval,
    #[serde(default)]
    pub addons: Vec<AddonSelection>,
    #[serde(default)]
    pub timing: ChangeTiming,
}

impl CheckoutRequest {
    /// Add-ons merged by id, zero quantities dropped, sorted: two requests
    /// for the same thing compare (and hash) equal.
    pub fn normalized(&self) -> CheckoutRequest {
        let mut addons: Vec<AddonSelection> = Vec::new();
        for selection in &self.addons {
            match addons.iter_mut().find(|a| a.addon_id == selection.addon_id) {
                Some(existing) => {
                    existing.quantity = existing.quantity.saturating_add(selection.quantity)
                }
                None => addons.push(selection.clone()),
            }
        }
        addons.retain(|a| a.quantity > 0);
        addons.sort();
        CheckoutRequest {
            plan_id: self.plan_id.clone(),
            interval: self.interval,
            addons,
            timing: self.timing,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// From no paid subscription to one.
    New,
    Upgrade,
    Downgrade,
    /// A different billing interval (the period restarts).
    IntervalChange,
    /// Same recurring amount, different items.
    Switch,
}

impl ChangeKind {
    /// Also the widgets' `data-change` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Upgrade => "upgrade",
            ChangeKind::Downgrade => "downgrade",
            ChangeKind::IntervalChange => "interval-change",
            ChangeKind::Switch => "switch",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The full price of an item for a new period.
    Charge,
    /// The rest of the current period on a new or larger item.
    ProrationCharge,
    /// Unused time on an old or smaller item (negative).
    ProrationCredit,
    /// A free trial (zero).
    Trial,
}

/// One line of a preview or an invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingLine {
    pub kind: LineKind,
    pub description: String,
    /// Plan or add-on id.
    pub item_id: String,
    pub quantity: u32,
    pub amount: Money,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
}

/// `POST /v1/checkout/preview` → what a change costs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutPreview {
    /// Pass back to `POST /v1/checkout` to buy exactly this.
    pub preview_id: String,
    pub expires_at: Timestamp,
    /// The request as understood (normalized).
    pub request: CheckoutRequest,
    pub change: ChangeKind,
    /// When the change takes effect.
    pub effective_at: Timestamp,
    /// The change waits for the end of the current period.
    pub scheduled: bool,
    /// Every charge and credit of the change; they sum to `total`.
    pub lines: Vec<BillingLine>,
    /// Sum of the lines (negative when the change leaves a credit).
    pub total: Money,
    /// Account credit used to pay `total`.
    pub credit_applied: Money,
    /// What is charged now: `total` less credit, never negative.
    pub due_now: Money,
    /// Credit left on the account afterwards.
    pub credit_balance_after: Money,
    /// The new recurring amount and how often it is charged.
    pub recurring: Money,
    pub interval: BillingInterval,
    /// When the first charge at the new recurring amount happens.
    pub next_charge_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_ends_at: Option<Timestamp>,
}

/// `POST /v1/checkout`: buy what a preview showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmCheckout {
    pub preview_id: String,
    /// Must be the request the preview was made for.
    pub request: CheckoutRequest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Paid,
    /// The payment provider declined the charge; nothing changed.
    Declined,
    /// Nothing to charge (trials, scheduled changes, credits).
    NoCharge,
}

impl InvoiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Declined => "declined",
            InvoiceStatus::NoCharge => "no-charge",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceReason {
    /// A change bought in the portal.
    Checkout,
    /// A new period of an existing subscription.
    Renewal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    /// Human-friendly, e.g. `INV-000042`.
    pub number: String,
    pub status: InvoiceStatus,
    pub reason: InvoiceReason,
    pub lines: Vec<BillingLine>,
    pub total: Money,
    pub credit_applied: Money,
    pub amount_charged: Money,
    pub created_at: Timestamp,
}

/// `POST /v1/checkout` → the invoice (none for a change scheduled for the
/// period end), and the subscription as it now is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutResult {
    #[serde(default)]
    pub invoice: Option<Invoice>,
    pub subscription: Option<crate::SubscriptionSummary>,
}

/// The next charge of a subscription that renews.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpcomingInvoice {
    pub charge_at: Timestamp,
    pub lines: Vec<BillingLine>,
    pub total: Money,
    pub credit_applied: Money,
    pub amount_due: Money,
}

/// A change that takes effect at the end of the current period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledChange {
    pub plan_id: String,
    pub interval: BillingInterval,
    #[serde(default)]
    pub addons: Vec<AddonSelection>,
    pub effective_at: Timestamp,
}

/// `PUT /v1/subscriptions` (secret key): put a company on a plan without
/// checkout, e.g. a plan arranged by the sales team or a migration from
/// another billing system. Nothing is charged or invoiced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignSubscription {
    pub company: crate::Keys,
    pub plan_id: String,
    pub interval: BillingInterval,
    #[serde(default)]
    pub addons: Vec<AddonSelection>,
    /// When the subscription started (periods are counted from it);
    /// now by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
}

/// `GET /v1/invoices`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceList {
    pub invoices: Vec<Invoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming: Option<UpcomingInvoice>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_requests_merge_sort_and_drop_zeroes() {
        let request = CheckoutRequest {
            plan_id: "pro".into(),
            interval: BillingInterval::Month,
            addons: vec![
                AddonSelection {
                    addon_id: "seats".into(),
                    quantity: 2,
                },
                AddonSelection {
                    addon_id: "api".into(),
                    quantity: 0,
                },
                AddonSelection {
                    addon_id: "audit".into(),
                    quantity: 1,
                },
                AddonSelection {
                    addon_id: "seats".into(),
                    quantity: 3,
                },
            ],
            timing: ChangeTiming::Default,
        };
        assert_eq!(
            request.normalized().addons,
            vec![
                AddonSelection {
                    addon_id: "audit".into(),
                    quantity: 1
                },
                AddonSelection {
                    addon_id: "seats".into(),
                    quantity: 5
                },
            ]
        );
    }
}
