//! The portal snapshot: the company's plan, subscription and every
//! entitlement with its usage, read in one pass for one company. The company
//! comes from the token's key inside each query, never from the request.

use std::collections::HashMap;

use portico_types::{
    AddonSelection, CompanySummary, Entitlement, FeatureKind, Limit, Money, PortalSnapshot,
    Timestamp, UsagePeriod, UserSummary, Viewer,
};
use sqlx::{Row, SqliteConnection};

use super::subscriptions::load_subscription;
use super::{billing, records, TokenScope};
use crate::catalog::{Catalog, Grant, Plan};
use crate::db::Db;
use crate::error::DomainError;

/// The metering window that holds `now`: the calendar month (UTC). It does
/// not follow the subscription's period, so a plan change never resets
/// metered usage mid-month.
pub fn metering_window(now: Timestamp) -> (Timestamp, Timestamp) {
    now.period_window(Timestamp(0), 1)
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

/// Every catalog feature as `plan` and `addons` grant it, with usage
/// filled in.
pub fn build_entitlements(
    catalog: &Catalog,
    plan: &Plan,
    addons: &[AddonSelection],
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
            match catalog.effective_grant(plan, addons, feature) {
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

/// The snapshot for `scope`, whose standing the caller has checked:
/// [`crate::extract::PortalAccess`] does, on every browser request, just
/// before this runs (checking again here was a second query per read).
pub async fn snapshot(
    db: &Db,
    catalog: &Catalog,
    scope: &TokenScope,
    now: Timestamp,
) -> Result<PortalSnapshot, DomainError> {
    let mut conn = db.reader.acquire().await?;
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
    let addons = catalog
        .addons
        .iter()
        .map(|a| catalog.addon_summary(a))
        .collect();

    let Some((company_id, company_name)) = find_company(&mut conn, scope).await? else {
        // Not identified yet: the default plan with no usage, which is what
        // identify is about to create.
        let plan = catalog.default_plan();
        let window = metering_window(now);
        return Ok(PortalSnapshot {
            company: None,
            user: None,
            viewer,
            plan: catalog.plan_summary(plan),
            subscription: None,
            entitlements: build_entitlements(catalog, plan, &[], &UsageTotals::default(), window.1),
            plans,
            addons,
            upcoming_invoice: None,
            invoices: Vec::new(),
            credit_balance: None,
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
    let window = metering_window(now);
    let usage = load_usage(&mut conn, &company_id, window).await?;
    let credit = billing::credit_balance(&mut conn, &company_id).await?;
    let invoices =
        billing::recent_invoices(&mut conn, &company_id, billing::RECENT_INVOICES).await?;
    let current_addons = current
        .as_ref()
        .map(|s| s.addons.clone())
        .unwrap_or_default();

    Ok(PortalSnapshot {
        company: Some(CompanySummary {
            id: company_id,
            name: company_name,
            keys,
        }),
        user,
        viewer,
        plan: catalog.plan_summary(plan),
        subscription: current
            .as_ref()
            .map(|s| billing::subscription_summary(catalog, s, now)),
        entitlements: build_entitlements(catalog, plan, &current_addons, &usage, window.1),
        plans,
        addons,
        upcoming_invoice: current
            .as_ref()
            .and_then(|s| billing::upcoming_invoice(catalog, s, credit)),
        invoices,
        credit_balance: (credit > 0).then(|| Money {
            amount_minor: credit,
            currency: catalog.currency.clone(),
        }),
        generated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
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
        let list = build_entitlements(&catalog, free, &[], &usage, resets);
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
        let list = build_entitlements(&catalog, pro, &[], &usage, resets);
        let api = list.iter().find(|e| e.feature_id == "api_calls").unwrap();
        assert!(api.soft_limit && api.access && !api.over_limit);
        let projects = list.iter().find(|e| e.feature_id == "projects").unwrap();
        assert_eq!(projects.limit, Some(Limit::Unlimited));
    }
}
