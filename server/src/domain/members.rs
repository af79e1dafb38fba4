//! The members of the token's company (from WorkOS organization
//! memberships, or identify) and its seats: used (active memberships)
//! against what the company's current plan grants. The company is the one
//! the token's key named when the request's standing was checked, never
//! one the request names.

use portico_types::{
    AddonSelection, FeatureKind, Limit, Member, MemberList, MembershipStatus, SeatSummary,
    Timestamp, EMAIL, WORKOS_USER_ID,
};
use sqlx::{Row, SqliteConnection};

use super::subscriptions::{load_subscription, plan_in_effect};
use crate::catalog::{Catalog, Grant};
use crate::error::DomainError;

/// What the plan and its add-ons (extra seats) grant for the catalog's seats
/// feature; unlimited when the catalog has none.
fn seat_limit(catalog: &Catalog, plan: &crate::catalog::Plan, addons: &[AddonSelection]) -> Limit {
    let Some(feature) = catalog
        .features
        .iter()
        .find(|f| f.kind == FeatureKind::Seats)
    else {
        return Limit::Unlimited;
    };
    match catalog.effective_grant(plan, addons, feature) {
        Grant::Allowance { limit, .. } => limit,
        // The catalog does not let a seats feature be a flag.
        Grant::Flag(true) => Limit::Unlimited,
        Grant::Flag(false) => Limit::Count(0),
    }
}

/// The members of the scope's company, read on the connection its
/// standing was checked on, which found the company: `company_id` (none
/// before identify, and so no members).
pub async fn list(
    conn: &mut SqliteConnection,
    catalog: &Catalog,
    company_id: Option<&str>,
    now: Timestamp,
) -> Result<MemberList, DomainError> {
    let rows = match company_id {
        None => Vec::new(),
        Some(company_id) => {
            sqlx::query(
                "SELECT u.id, u.name, m.role, m.status, m.created_at,
                    (SELECT key_value FROM user_keys e WHERE e.user_id = u.id AND e.key_name = ?),
                    (SELECT key_value FROM user_keys w WHERE w.user_id = u.id AND w.key_name = ?)
                 FROM memberships m
                 JOIN users u ON u.id = m.user_id
                 WHERE m.company_id = ? AND u.deleted_at IS NULL
                 ORDER BY m.created_at, 6, u.id",
            )
            .bind(EMAIL)
            .bind(WORKOS_USER_ID)
            .bind(company_id)
            .fetch_all(&mut *conn)
            .await?
        }
    };

    let mut members = Vec::with_capacity(rows.len());
    let (mut used, mut pending, mut inactive) = (0, 0, 0);
    for row in rows {
        let status_text: String = row.try_get(3)?;
        let status = MembershipStatus::parse(&status_text)
            .ok_or_else(|| DomainError::Corrupt(format!("membership status {status_text:?}")))?;
        match status {
            MembershipStatus::Active => used += 1,
            MembershipStatus::Pending => pending += 1,
            MembershipStatus::Inactive => inactive += 1,
        }
        members.push(Member {
            user_id: row.try_get(0)?,
            name: row.try_get(1)?,
            role: row.try_get(2)?,
            status,
            joined_at: Timestamp(row.try_get(4)?),
            email: row.try_get(5)?,
            workos_user_id: row.try_get(6)?,
        });
    }

    let subscription = match company_id {
        Some(id) => load_subscription(conn, id).await?,
        None => None,
    };
    let current = subscription.as_ref().and_then(|s| s.as_of(now));
    let plan = plan_in_effect(catalog, current.as_ref());
    let addons = current.map(|s| s.addons).unwrap_or_default();

    Ok(MemberList {
        members,
        seats: SeatSummary {
            used,
            limit: seat_limit(catalog, plan, &addons),
            pending,
            inactive,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seat_limit_comes_from_the_plan_and_its_addons() {
        let catalog = Catalog::demo();
        let limit = |plan: &str| seat_limit(&catalog, catalog.plan(plan).unwrap(), &[]);
        assert_eq!(limit("free"), Limit::Count(3));
        assert_eq!(limit("pro"), Limit::Count(10));
        let extra = [AddonSelection {
            addon_id: "extra_seats".into(),
            quantity: 4,
        }];
        assert_eq!(
            seat_limit(&catalog, catalog.plan("pro").unwrap(), &extra),
            Limit::Count(14)
        );
        let mut without_seats = Catalog::demo();
        without_seats
            .features
            .retain(|f| f.kind != FeatureKind::Seats);
        assert_eq!(
            seat_limit(&without_seats, without_seats.default_plan(), &[]),
            Limit::Unlimited
        );
    }
}
