//! `GET /v1/portal`: everything the widgets show, for the token's company,
//! in one response.

use core::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::{Keys, Money, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillingInterval {
    Month,
    Year,
}

impl BillingInterval {
    pub fn as_str(self) -> &'static str {
        match self {
            BillingInterval::Month => "month",
            BillingInterval::Year => "year",
        }
    }

    pub fn months(self) -> i32 {
        match self {
            BillingInterval::Month => 1,
            BillingInterval::Year => 12,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Canceled,
}

impl SubscriptionStatus {
    /// Also the widgets' `data-state` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past-due",
            SubscriptionStatus::Canceled => "canceled",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// On or off.
    Boolean,
    /// A numeric allowance of something the company holds (projects,
    /// storage): usage is the current count.
    Limit,
    /// Consumption counted from usage events, reset every period.
    Metered,
    /// Seats: usage is the number of active members.
    Seats,
}

impl FeatureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureKind::Boolean => "boolean",
            FeatureKind::Limit => "limit",
            FeatureKind::Metered => "metered",
            FeatureKind::Seats => "seats",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsagePeriod {
    Monthly,
}

/// A numeric allowance: a count, or no limit. On the wire: `100` or
/// `"unlimited"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    Count(u64),
    Unlimited,
}

impl Serialize for Limit {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Limit::Count(n) => serializer.serialize_u64(*n),
            Limit::Unlimited => serializer.serialize_str("unlimited"),
        }
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Limit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative whole number or \"unlimited\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Limit, E> {
                Ok(Limit::Count(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Limit, E> {
                u64::try_from(v)
                    .map(Limit::Count)
                    .map_err(|_| E::custom("a limit cannot be negative"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Limit, E> {
                if v == "unlimited" {
                    Ok(Limit::Unlimited)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One feature as the company has it now.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Entitlement {
    pub feature_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub kind: FeatureKind,
    /// Whether the company may use the feature right now: included, and not
    /// stopped by a hard limit.
    pub access: bool,
    /// `None` for boolean features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    /// `None` for boolean features.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<u64>,
    /// Singular unit name for numeric features ("seat", "API call").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<UsagePeriod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resets_at: Option<Timestamp>,
    /// A soft limit warns but does not stop use.
    #[serde(default)]
    pub soft_limit: bool,
    pub over_limit: bool,
}

/// What a widget shows for an entitlement; also its `data-state` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntitlementState {
    /// Not included in the plan.
    Off,
    /// A boolean feature that is included.
    On,
    Unlimited,
    WithinLimit,
    /// Usage has reached a limit: nothing more under a hard limit.
    AtLimit,
    OverLimit,
}

impl EntitlementState {
    pub fn as_str(self) -> &'static str {
        match self {
            EntitlementState::Off => "off",
            EntitlementState::On => "on",
            EntitlementState::Unlimited => "unlimited",
            EntitlementState::WithinLimit => "within-limit",
            EntitlementState::AtLimit => "at-limit",
            EntitlementState::OverLimit => "over-limit",
        }
    }
}

impl Entitlement {
    pub fn state(&self) -> EntitlementState {
        match (self.kind, self.limit) {
            (FeatureKind::Boolean, _) if self.access => EntitlementState::On,
            (FeatureKind::Boolean, _) => EntitlementState::Off,
            (_, None) | (_, Some(Limit::Count(0))) if self.usage.unwrap_or(0) == 0 => {
                EntitlementState::Off
            }
            (_, Some(Limit::Unlimited)) => EntitlementState::Unlimited,
            _ if self.over_limit => EntitlementState::OverLimit,
            (_, Some(Limit::Count(limit))) if self.usage.unwrap_or(0) >= limit => {
                EntitlementState::AtLimit
            }
            _ => EntitlementState::WithinLimit,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanPrice {
    pub interval: BillingInterval,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Empty for a free plan.
    #[serde(default)]
    pub prices: Vec<PlanPrice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_days: Option<u32>,
    /// Whether a customer may choose this plan in the portal (others are
    /// sold by a person).
    #[serde(default)]
    pub self_serve: bool,
}

impl PlanSummary {
    pub fn price(&self, interval: BillingInterval) -> Option<&Money> {
        self.prices
            .iter()
            .find(|p| p.interval == interval)
            .map(|p| &p.amount)
    }

    pub fn is_free(&self) -> bool {
        self.prices.iter().all(|p| p.amount.is_zero())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionSummary {
    pub plan_id: String,
    pub status: SubscriptionStatus,
    pub interval: BillingInterval,
    /// The recurring price of the plan for this interval, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    pub current_period_start: Timestamp,
    pub current_period_end: Timestamp,
    /// When the next charge happens; `None` if the subscription ends at the
    /// period end instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_ends_at: Option<Timestamp>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// Add-ons with their quantities.
    #[serde(default)]
    pub addons: Vec<crate::AddonSelection>,
    /// A change that takes effect at the end of the period (a downgrade).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_change: Option<crate::ScheduledChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySummary {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub keys: Keys,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub keys: Keys,
}

/// What the person looking at the portal may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// May change the plan, check out, cancel or resume. When false the
    /// widgets show billing read-only.
    pub can_manage_billing: bool,
    /// The viewer's role in the organization (a WorkOS role slug), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Default for Viewer {
    fn default() -> Self {
        Viewer {
            can_manage_billing: true,
            role: None,
        }
    }
}

/// Everything the portal shows for one company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalSnapshot {
    /// `None` when the company has not been identified yet: it is then on the
    /// catalog's default plan with no usage, which is exactly what identify
    /// will create, so the portal can render without waiting for identify.
    #[serde(default)]
    pub company: Option<CompanySummary>,
    #[serde(default)]
    pub user: Option<UserSummary>,
    #[serde(default)]
    pub viewer: Viewer,
    pub plan: PlanSummary,
    #[serde(default)]
    pub subscription: Option<SubscriptionSummary>,
    pub entitlements: Vec<Entitlement>,
    /// The catalog's plans (the widgets offer the self-serve ones).
    #[serde(default)]
    pub plans: Vec<PlanSummary>,
    /// The catalog's add-ons.
    #[serde(default)]
    pub addons: Vec<crate::AddonSummary>,
    /// The next charge, if the subscription renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming_invoice: Option<crate::UpcomingInvoice>,
    /// The most recent invoices, newest first.
    #[serde(default)]
    pub invoices: Vec<crate::Invoice>,
    /// Account credit, applied to the next charges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_balance: Option<Money>,
    pub generated_at: Timestamp,
}

/// `GET /v1/portal/entitlements?feature=…`: the current state of a few
/// features, so a page that has just recorded usage can update those meters
/// without reading the whole portal again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementsRead {
    /// One per requested feature, in the order asked for.
    pub entitlements: Vec<Entitlement>,
    pub generated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(limit: Option<Limit>, usage: u64, over_limit: bool) -> Entitlement {
        Entitlement {
            feature_id: "f".into(),
            name: "F".into(),
            description: None,
            kind: FeatureKind::Metered,
            access: true,
            limit,
            usage: Some(usage),
            unit: None,
            period: None,
            resets_at: None,
            soft_limit: false,
            over_limit,
        }
    }

    #[test]
    fn limits_serialize_as_numbers_or_unlimited() {
        assert_eq!(serde_json::to_string(&Limit::Count(10)).unwrap(), "10");
        assert_eq!(
            serde_json::to_string(&Limit::Unlimited).unwrap(),
            "\"unlimited\""
        );
        assert_eq!(serde_json::from_str::<Limit>("7").unwrap(), Limit::Count(7));
        assert_eq!(
            serde_json::from_str::<Limit>("\"unlimited\"").unwrap(),
            Limit::Unlimited
        );
        assert!(serde_json::from_str::<Limit>("-1").is_err());
        assert!(serde_json::from_str::<Limit>("\"lots\"").is_err());
    }

    #[test]
    fn entitlement_states_follow_limits_and_usage() {
        assert_eq!(
            numeric(Some(Limit::Count(10)), 3, false).state(),
            EntitlementState::WithinLimit
        );
        assert_eq!(
            numeric(Some(Limit::Count(10)), 10, false).state(),
            EntitlementState::AtLimit
        );
        assert_eq!(
            numeric(Some(Limit::Count(10)), 12, true).state(),
            EntitlementState::OverLimit
        );
        assert_eq!(
            numeric(Some(Limit::Unlimited), 12, false).state(),
            EntitlementState::Unlimited
        );
        assert_eq!(
            numeric(Some(Limit::Count(0)), 0, false).state(),
            EntitlementState::Off
        );
        assert_eq!(
            numeric(Some(Limit::Count(0)), 2, true).state(),
            EntitlementState::OverLimit
        );
        let mut flag = numeric(None, 0, false);
        flag.kind = FeatureKind::Boolean;
        flag.usage = None;
        assert_eq!(flag.state(), EntitlementState::On);
        flag.access = false;
        assert_eq!(flag.state(), EntitlementState::Off);
    }
}
