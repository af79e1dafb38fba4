//! Subscriptions as stored, and as they stand at a given instant.
//!
//! One row per company (`subscriptions`), its add-ons
//! (`subscription_addons`), and a `revision` bumped by every change so a
//! checkout can tell that what it previewed is still what is there.

use portico_types::{
    AddonSelection, BillingInterval, ScheduledChange, SubscriptionStatus, Timestamp,
};
use sqlx::{Row, SqliteConnection};

use crate::catalog::{Catalog, Plan};
use crate::error::DomainError;

/// A subscription row as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSubscription {
    pub plan_id: String,
    pub interval: BillingInterval,
    pub status: SubscriptionStatus,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
    pub cancel_at_period_end: bool,
    pub addons: Vec<AddonSelection>,
    pub scheduled: Option<ScheduledChange>,
    pub revision: i64,
}

/// The plan a company is on: its subscription's as it stands, else (no
/// subscription, or a canceled one) the catalog's default.
pub fn plan_in_effect<'c>(catalog: &'c Catalog, current: Option<&CurrentSubscription>) -> &'c Plan {
    current
        .and_then(|s| catalog.plan(&s.plan_id))
        .unwrap_or_else(|| catalog.default_plan())
}

/// The subscription as it stands at an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentSubscription {
    pub plan_id: String,
    pub interval: BillingInterval,
    pub status: SubscriptionStatus,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
    pub cancel_at_period_end: bool,
    pub addons: Vec<AddonSelection>,
    pub scheduled: Option<ScheduledChange>,
}

pub fn parse_interval(text: &str) -> Result<BillingInterval, DomainError> {
    match text {
        "month" => Ok(BillingInterval::Month),
        "year" => Ok(BillingInterval::Year),
        other => Err(DomainError::Corrupt(format!("billing interval {other:?}"))),
    }
}

pub fn parse_status(text: &str) -> Result<SubscriptionStatus, DomainError> {
    match text {
        "trialing" => Ok(SubscriptionStatus::Trialing),
        "active" => Ok(SubscriptionStatus::Active),
        "past_due" => Ok(SubscriptionStatus::PastDue),
        "canceled" => Ok(SubscriptionStatus::Canceled),
        other => Err(DomainError::Corrupt(format!(
            "subscription status {other:?}"
        ))),
    }
}

pub fn status_column(status: SubscriptionStatus) -> &'static str {
    match status {
        SubscriptionStatus::Trialing => "trialing",
        SubscriptionStatus::Active => "active",
        SubscriptionStatus::PastDue => "past_due",
        SubscriptionStatus::Canceled => "canceled",
    }
}

impl StoredSubscription {
    /// The subscription at `now`, for display. Renewals are processed by
    /// the renewal sweep (`billing::renewals`); until it has run, time alone
    /// moves the period forward here, applies a scheduled change, ends a
    /// trial, and ends a cancelled subscription (`None`).
    pub fn as_of(&self, now: Timestamp) -> Option<CurrentSubscription> {
        if self.status == SubscriptionStatus::Canceled {
            return None;
        }
        if self.cancel_at_period_end && now >= self.period_end {
            return None;
        }
        let mut current = CurrentSubscription {
            plan_id: self.plan_id.clone(),
            interval: self.interval,
            status: self.status,
            period_start: self.period_start,
            period_end: self.period_end,
            trial_ends_at: self.trial_ends_at,
            cancel_at_period_end: self.cancel_at_period_end,
            addons: self.addons.clone(),
            scheduled: self.scheduled.clone(),
        };
        if now < self.period_end {
            return Some(current);
        }
        if let Some(change) = current.scheduled.take() {
            current.plan_id = change.plan_id;
            current.interval = change.interval;
            current.addons = change.addons;
        }
        let (start, end) = now.period_window(self.period_end, current.interval.months());
        current.period_start = start;
        current.period_end = end;
        if current.status == SubscriptionStatus::Trialing {
            current.status = SubscriptionStatus::Active;
        }
        Some(current)
    }
}

/// The company's subscription with its add-ons, in one query (a row per
/// add-on, or one row with none).
pub async fn load_subscription(
    conn: &mut SqliteConnection,
    company_id: &str,
) -> Result<Option<StoredSubscription>, DomainError> {
    let rows = sqlx::query(
        "SELECT s.plan_id, s.billing_interval, s.status, s.current_period_start, s.current_period_end,
                s.trial_ends_at, s.cancel_at_period_end, s.scheduled_change, s.revision,
                a.addon_id, a.quantity
         FROM subscriptions s
         LEFT JOIN subscription_addons a ON a.company_id = s.company_id
         WHERE s.company_id = ?
         ORDER BY a.addon_id",
    )
    .bind(company_id)
    .fetch_all(&mut *conn)
    .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let scheduled: Option<String> = row.try_get(7)?;
    let scheduled = match scheduled {
        Some(json) => Some(
            serde_json::from_str(&json)
                .map_err(|e| DomainError::Corrupt(format!("scheduled change: {e}")))?,
        ),
        None => None,
    };
    let mut addons = Vec::new();
    for addon in &rows {
        let Some(addon_id) = addon.try_get::<Option<String>, _>(9)? else {
            continue;
        };
        let quantity: i64 = addon.try_get(10)?;
        addons.push(AddonSelection {
            addon_id,
            quantity: u32::try_from(quantity).unwrap_or(0),
        });
    }
    Ok(Some(StoredSubscription {
        plan_id: row.try_get(0)?,
        interval: parse_interval(row.try_get::<&str, _>(1)?)?,
        status: parse_status(row.try_get::<&str, _>(2)?)?,
        period_start: Timestamp(row.try_get(3)?),
        period_end: Timestamp(row.try_get(4)?),
        trial_ends_at: row.try_get::<Option<i64>, _>(5)?.map(Timestamp),
        cancel_at_period_end: row.try_get(6)?,
        addons,
        scheduled,
        revision: row.try_get(8)?,
    }))
}

/// Writes `subscription` as the company's subscription (insert or replace),
/// with its add-ons, and bumps the revision.
pub async fn save_subscription(
    conn: &mut SqliteConnection,
    company_id: &str,
    subscription: &StoredSubscription,
    now: Timestamp,
) -> Result<i64, DomainError> {
    let scheduled = match &subscription.scheduled {
        Some(change) => {
            Some(serde_json::to_string(change).map_err(|e| DomainError::Corrupt(e.to_string()))?)
        }
        None => None,
    };
    let revision: i64 = sqlx::query_scalar(
        "INSERT INTO subscriptions (company_id, plan_id, billing_interval, status, current_period_start,
             current_period_end, trial_ends_at, cancel_at_period_end, scheduled_change, revision, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (company_id) DO UPDATE SET
             plan_id = excluded.plan_id,
             billing_interval = excluded.billing_interval,
             status = excluded.status,
             current_period_start = excluded.current_period_start,
             current_period_end = excluded.current_period_end,
             trial_ends_at = excluded.trial_ends_at,
             cancel_at_period_end = excluded.cancel_at_period_end,
             scheduled_change = excluded.scheduled_change,
             revision = subscriptions.revision + 1,
             updated_at = excluded.updated_at
         RETURNING revision",
    )
    .bind(company_id)
    .bind(&subscription.plan_id)
    .bind(subscription.interval.as_str())
    .bind(status_column(subscription.status))
    .bind(subscription.period_start.0)
    .bind(subscription.period_end.0)
    .bind(subscription.trial_ends_at.map(|t| t.0))
    .bind(subscription.cancel_at_period_end)
    .bind(scheduled)
    .bind(now.0)
    .bind(now.0)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM subscription_addons WHERE company_id = ?")
        .bind(company_id)
        .execute(&mut *conn)
        .await?;
    for addon in &subscription.addons {
        sqlx::query(
            "INSERT INTO subscription_addons (company_id, addon_id, quantity) VALUES (?, ?, ?)",
        )
        .bind(company_id)
        .bind(&addon.addon_id)
        .bind(i64::from(addon.quantity))
        .execute(&mut *conn)
        .await?;
    }
    Ok(revision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    fn monthly(status: SubscriptionStatus) -> StoredSubscription {
        StoredSubscription {
            plan_id: "pro".into(),
            interval: BillingInterval::Month,
            status,
            period_start: ts("2026-01-31T00:00:00Z"),
            period_end: ts("2026-02-28T00:00:00Z"),
            trial_ends_at: None,
            cancel_at_period_end: false,
            addons: Vec::new(),
            scheduled: None,
            revision: 1,
        }
    }

    #[test]
    fn periods_roll_forward_from_the_period_end() {
        let current = monthly(SubscriptionStatus::Active)
            .as_of(ts("2026-04-02T00:00:00Z"))
            .unwrap();
        assert_eq!(current.period_start, ts("2026-03-28T00:00:00Z"));
        assert_eq!(current.period_end, ts("2026-04-28T00:00:00Z"));
    }

    #[test]
    fn cancellations_trials_and_scheduled_changes_take_effect_on_time() {
        let mut sub = monthly(SubscriptionStatus::Active);
        sub.cancel_at_period_end = true;
        assert!(sub.as_of(ts("2026-02-27T00:00:00Z")).is_some());
        assert!(sub.as_of(ts("2026-02-28T00:00:00Z")).is_none());
        assert!(monthly(SubscriptionStatus::Canceled)
            .as_of(ts("2026-02-01T00:00:00Z"))
            .is_none());

        let mut trial = monthly(SubscriptionStatus::Trialing);
        trial.trial_ends_at = Some(ts("2026-02-28T00:00:00Z"));
        assert_eq!(
            trial.as_of(ts("2026-02-13T00:00:00Z")).unwrap().status,
            SubscriptionStatus::Trialing
        );
        assert_eq!(
            trial.as_of(ts("2026-02-28T00:00:00Z")).unwrap().status,
            SubscriptionStatus::Active
        );

        let mut downgrade = monthly(SubscriptionStatus::Active);
        downgrade.scheduled = Some(ScheduledChange {
            plan_id: "free".into(),
            interval: BillingInterval::Month,
            addons: Vec::new(),
            effective_at: downgrade.period_end,
        });
        assert_eq!(
            downgrade.as_of(ts("2026-02-27T00:00:00Z")).unwrap().plan_id,
            "pro"
        );
        let after = downgrade.as_of(ts("2026-03-01T00:00:00Z")).unwrap();
        assert_eq!((after.plan_id.as_str(), after.scheduled), ("free", None));
    }
}
