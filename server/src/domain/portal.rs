//! The portal snapshot: the company's plan, subscription and every
//! entitlement with its usage, read in one pass for one company. The company
//! comes from the token's key inside each query, never from the request.

use std::collections::HashMap;

use portico_types::{
    BillingInterval, CompanySummary, Entitlement, FeatureKind, Limit, PortalSnapshot,
    SubscriptionStatus, SubscriptionSummary, Timestamp, UsagePeriod, UserSummary, Viewer,
};
use sqlx::{Row, SqliteConnection};

use super::records;
use super::{access, TokenScope};
use crate::catalog::{Catalog, Grant, Plan};
use crate::db::Db;
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
}

/// The subscription as it stands at a given instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentSubscription {
    pub plan_id: String,
    pub interval: BillingInterval,
    pub status: SubscriptionStatus,
    pub period_start: Timestamp,
    pub period_end: Timestamp,
    pub trial_ends_at: Option<Timestamp>,
    pub cancel_at_period_end: bool,
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
    /// The subscription at `now`: the stored period rolled forward to the one
    /// holding `now` (renewals are implied by time), a trial that has ended
    /// shown as active, and `None` once a cancellation has taken effect.
    pub fn as_of(&self, now: Timestamp) -> Option<CurrentSubscription> {
        if self.status == SubscriptionStatus::Canceled {
            return None;
        }
        if self.cancel_at_period_end && now >= self.period_end {
            return None;
        }
        let (period_start, period_end) = if now < self.period_end {
            (self.period_start, self.period_end)
        } else {
            now.period_window(self.period_start, self.interval.months())
        };
        let status = match (self.status, self.trial_ends_at) {
            (SubscriptionStatus::Trialing, Some(ends)) if now >= ends => SubscriptionStatus::Active,
            (status, _) => status,
        };
        Some(CurrentSubscription {
            plan_id: self.plan_id.clone(),
            interval: self.interval,
            status,
            period_start,
            period_end,
            trial_ends_at: self.trial_ends_at,
            cancel_at_period_end: self.cancel_at_period_end,
        })
    }
}

pub async fn load_subscription(
    conn: &mut SqliteConnection,
    company_id: &str,
) -> Result<Option<StoredSubscription>, DomainError> {
    let row = sqlx::query(
        "SELECT plan_id, billing_interval, status, current_period_start, current_period_end,
                trial_ends_at, cancel_at_period_end
         FROM subscriptions WHERE company_id = ?",
    )
    .bind(company_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(StoredSubscription {
        plan_id: row.try_get(0)?,
        interval: parse_interval(row.try_get::<&str, _>(1)?)?,
        status: parse_status(row.try_get::<&str, _>(2)?)?,
        period_start: Timestamp(row.try_get(3)?),
        period_end: Timestamp(row.try_get(4)?),
        trial_ends_at: row.try_get::<Option<i64>, _>(5)?.map(Timestamp),
        cancel_at_period_end: row.try_get(6)?,
    }))
}

/// The metering window that holds `now`: monthly, counted from the
/// subscription's start, or calendar months (UTC) without a subscription.
pub fn metering_window(
    subscription: Option<&StoredSubscription>,
    now: Timestamp,
) -> (Timestamp, Timestamp) {
    let anchor = subscription.map(|s| s.period_start).unwrap_or(Timestamp(0));
    now.period_window(anchor, 1)
}

/// Usage of every numeric feature, keyed by feature id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsageTotals {
    /// Metered features: consumption in the current window.
    pub metered: HashMap<String, u64>,
    /// Limit features: current holdings.
    pub gauges: HashMap<String, u64>,
    /// Active memberships.
    pub seats: u64,
}

impl UsageTotals {
    pub fn of(&self, feature_id: &str, kind: FeatureKind) -> u64 {
        match kind {
            FeatureKind::Boolean => 0,
            FeatureKind::Metered => self.metered.get(feature_id).copied().unwrap_or(0),
            FeatureKind::Limit => self.gauges.get(feature_id).copied().unwrap_or(0),
            FeatureKind::Seats => self.seats,
        }
    }
}

pub async fn load_usage(
    conn: &mut SqliteConnection,
    company_id: &str,
    window: (Timestamp, Timestamp),
) -> Result<UsageTotals, DomainError> {
    let mut totals = UsageTotals::default();
    let rows = sqlx::query(
        "SELECT feature_id, SUM(quantity) FROM usage_events
         WHERE company_id = ? AND occurred_at >= ? AND occurred_at < ?
         GROUP BY feature_id",
    )
    .bind(company_id)
    .bind(window.0 .0)
    .bind(window.1 .0)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        let sum: i64 = row.try_get(1)?;
        totals
            .metered
            .insert(row.try_get(0)?, u64::try_from(sum).unwrap_or(0));
    }
    let rows = sqlx::query("SELECT feature_id, value FROM usage_gauges WHERE company_id = ?")
        .bind(company_id)
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        let value: i64 = row.try_get(1)?;
        totals
            .gauges
            .insert(row.try_get(0)?, u64::try_from(value).unwrap_or(0));
    }
    let seats: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE company_id = ? AND status = 'active'",
    )
    .bind(company_id)
    .fetch_one(&mut *conn)
    .await?;
    totals.seats = u64::try_from(seats).unwrap_or(0);
    Ok(totals)
}

/// Every catalog feature as `plan` grants it, with usage filled in.
pub fn build_entitlements(
    catalog: &Catalog,
    plan: &Plan,
    usage: &UsageTotals,
    resets_at: Timestamp,
) -> Vec<Entitlement> {
    catalog
        .features
        .iter()
        .map(|feature| {
            let base = Entitlement {
                feature_id: feature.id.clone(),
                name: feature.name.clone(),
                description: feature.description.clone(),
                kind: feature.kind,
                access: false,
                limit: None,
                usage: None,
                unit: feature.unit.clone(),
                period: None,
                resets_at: None,
                soft_limit: false,
                over_limit: false,
            };
            match plan.grant(feature) {
                Grant::Flag(on) => Entitlement { access: on, ..base },
                Grant::Allowance { limit, soft } => {
                    let used = usage.of(&feature.id, feature.kind);
                    let (access, over_limit) = match limit {
                        Limit::Unlimited => (true, false),
                        Limit::Count(0) => (false, used > 0),
                        Limit::Count(max) => (soft || used < max, used > max),
                    };
                    let metered = feature.kind == FeatureKind::Metered;
                    Entitlement {
                        access,
                        limit: Some(limit),
                        usage: Some(used),
                        period: metered.then_some(UsagePeriod::Monthly),
                        resets_at: metered.then_some(resets_at),
                        soft_limit: soft,
                        over_limit,
                        ..base
                    }
                }
            }
        })
        .collect()
}

async fn find_company(
    conn: &mut SqliteConnection,
    scope: &TokenScope,
) -> Result<Option<(String, Option<String>)>, DomainError> {
    let row = sqlx::query(
        "SELECT c.id, c.name FROM company_keys k JOIN companies c ON c.id = k.company_id
         WHERE k.key_name = ? AND k.key_value = ?",
    )
    .bind(&scope.company.name)
    .bind(&scope.company.value)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some((row.try_get(0)?, row.try_get(1)?))),
        None => Ok(None),
    }
}

/// The token's user, only if they are a member of the token's company.
async fn find_member(
    conn: &mut SqliteConnection,
    company_id: &str,
    scope: &TokenScope,
) -> Result<Option<UserSummary>, DomainError> {
    let Some(user) = &scope.user else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT u.id, u.name FROM user_keys k
         JOIN users u ON u.id = k.user_id
         JOIN memberships m ON m.user_id = u.id AND m.company_id = ?
         WHERE k.key_name = ? AND k.key_value = ?
           AND m.status <> 'inactive' AND u.deleted_at IS NULL",
    )
    .bind(company_id)
    .bind(&user.name)
    .bind(&user.value)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: String = row.try_get(0)?;
    let keys = records::user_keys(conn, &id).await?;
    Ok(Some(UserSummary {
        id,
        name: row.try_get(1)?,
        keys,
    }))
}

pub async fn snapshot(
    db: &Db,
    catalog: &Catalog,
    scope: &TokenScope,
    now: Timestamp,
) -> Result<PortalSnapshot, DomainError> {
    let mut conn = db.reader.acquire().await?;
    access::check_standing(&mut conn, scope).await?;
    // What the viewer may do comes from their credential, never from the
    // request.
    let viewer = Viewer {
        can_manage_billing: scope.grants.can_manage_billing,
        role: scope.grants.role.clone(),
    };
    let plans = catalog
        .plans
        .iter()
        .map(|p| catalog.plan_summary(p))
        .collect();

    let Some((company_id, company_name)) = find_company(&mut conn, scope).await? else {
        // Not identified yet: the default plan with no usage, which is what
        // identify is about to create.
        let plan = catalog.default_plan();
        let window = metering_window(None, now);
        return Ok(PortalSnapshot {
            company: None,
            user: None,
            viewer,
            plan: catalog.plan_summary(plan),
            subscription: None,
            entitlements: build_entitlements(catalog, plan, &UsageTotals::default(), window.1),
            plans,
            generated_at: now,
        });
    };

    let keys = records::company_keys(&mut conn, &company_id).await?;
    let user = find_member(&mut conn, &company_id, scope).await?;
    let stored = load_subscription(&mut conn, &company_id).await?;
    let current = stored.as_ref().and_then(|s| s.as_of(now));
    let plan = current
        .as_ref()
        .and_then(|s| catalog.plan(&s.plan_id))
        .unwrap_or_else(|| catalog.default_plan());
    let window = metering_window(stored.as_ref(), now);
    let usage = load_usage(&mut conn, &company_id, window).await?;

    let subscription = current.map(|s| SubscriptionSummary {
        price: catalog.price(plan, s.interval),
        plan_id: s.plan_id,
        status: s.status,
        interval: s.interval,
        current_period_start: s.period_start,
        current_period_end: s.period_end,
        renews_at: (!s.cancel_at_period_end).then_some(s.period_end),
        trial_ends_at: s.trial_ends_at.filter(|ends| *ends > now),
        cancel_at_period_end: s.cancel_at_period_end,
    });

    Ok(PortalSnapshot {
        company: Some(CompanySummary {
            id: company_id,
            name: company_name,
            keys,
        }),
        user,
        viewer,
        plan: catalog.plan_summary(plan),
        subscription,
        entitlements: build_entitlements(catalog, plan, &usage, window.1),
        plans,
        generated_at: now,
    })
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
        }
    }

    #[test]
    fn periods_roll_forward_from_the_anchor() {
        let current = monthly(SubscriptionStatus::Active)
            .as_of(ts("2026-04-02T00:00:00Z"))
            .unwrap();
        assert_eq!(current.period_start, ts("2026-03-31T00:00:00Z"));
        assert_eq!(current.period_end, ts("2026-04-30T00:00:00Z"));
    }

    #[test]
    fn cancellations_and_trials_take_effect_on_time() {
        let mut sub = monthly(SubscriptionStatus::Active);
        sub.cancel_at_period_end = true;
        assert!(sub.as_of(ts("2026-02-27T00:00:00Z")).is_some());
        assert!(sub.as_of(ts("2026-02-28T00:00:00Z")).is_none());
        assert!(monthly(SubscriptionStatus::Canceled)
            .as_of(ts("2026-02-01T00:00:00Z"))
            .is_none());

        let mut trial = monthly(SubscriptionStatus::Trialing);
        trial.trial_ends_at = Some(ts("2026-02-14T00:00:00Z"));
        assert_eq!(
            trial.as_of(ts("2026-02-13T00:00:00Z")).unwrap().status,
            SubscriptionStatus::Trialing
        );
        assert_eq!(
            trial.as_of(ts("2026-02-14T00:00:00Z")).unwrap().status,
            SubscriptionStatus::Active
        );
    }

    #[test]
    fn entitlements_reflect_grants_and_usage() {
        let catalog = Catalog::demo();
        let free = catalog.plan("free").unwrap();
        let usage = UsageTotals {
            metered: HashMap::from([("api_calls".to_owned(), 1200)]),
            gauges: HashMap::from([("projects".to_owned(), 3)]),
            seats: 2,
        };
        let resets = ts("2026-12-01T00:00:00Z");
        let list = build_entitlements(&catalog, free, &usage, resets);
        let get = |id: &str| list.iter().find(|e| e.feature_id == id).unwrap().clone();

        let api = get("api_calls");
        assert_eq!(
            (api.limit, api.usage, api.over_limit, api.access),
            (Some(Limit::Count(1000)), Some(1200), true, false)
        );
        assert_eq!(api.resets_at, Some(resets));
        let projects = get("projects");
        assert_eq!(
            (projects.over_limit, projects.access),
            (false, false),
            "at a hard limit: no more"
        );
        let seats = get("seats");
        assert_eq!((seats.usage, seats.access), (Some(2), true));
        assert!(!get("sso").access);
        assert_eq!(list.len(), catalog.features.len());

        let pro = catalog.plan("pro").unwrap();
        let list = build_entitlements(&catalog, pro, &usage, resets);
        let api = list.iter().find(|e| e.feature_id == "api_calls").unwrap();
        assert!(api.soft_limit && api.access && !api.over_limit);
        let projects = list.iter().find(|e| e.feature_id == "projects").unwrap();
        assert_eq!(projects.limit, Some(Limit::Unlimited));
    }
}
