//! Demo mode: WorkOS-shaped organizations, users and memberships, with
//! subscriptions and usage, so the portal has something true to show.
//!
//! Seeding goes through the same upserts as real traffic and is idempotent:
//! restarting the demo keeps what was changed in it (a plan bought in the
//! portal stays bought).

use portico_types::{
    BillingInterval, DemoAccount, Keys, SubscriptionStatus, Timestamp, Traits, WorkosOrganization,
    WorkosUser, EMAIL, WORKOS_ORGANIZATION_ID, WORKOS_USER_ID,
};

use crate::db::Db;
use crate::domain::portal::metering_window;
use crate::domain::records::{self, ensure_membership, normalize_keys, COMPANY, USER};
use crate::domain::subscriptions::status_column;
use crate::error::DomainError;

/// The secret key of a demo server, unless one is configured. Demo only:
/// the demo server says so loudly at start-up.
pub const DEMO_SECRET_KEY: &str = "sk_demo_portico_local_only";

struct SeedOrganization {
    id: &'static str,
    name: &'static str,
    domain: &'static str,
    /// (plan, interval, status, days since the subscription started, trial days left)
    subscription: Option<(
        &'static str,
        BillingInterval,
        SubscriptionStatus,
        i64,
        Option<i64>,
    )>,
    api_calls: u64,
    projects: u64,
    storage_gb: u64,
}

struct SeedMember {
    org: &'static str,
    user_id: &'static str,
    first: &'static str,
    last: &'static str,
    email: &'static str,
    role: &'static str,
    status: &'static str,
}

const ORGANIZATIONS: &[SeedOrganization] = &[
    SeedOrganization {
        id: "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT",
        name: "Acme Corp",
        domain: "acme.test",
        subscription: Some((
            "pro",
            BillingInterval::Month,
            SubscriptionStatus::Active,
            75,
            None,
        )),
        api_calls: 48_210,
        projects: 7,
        storage_gb: 42,
    },
    SeedOrganization {
        id: "org_01JDM3GLOBEX5T2HF8Q1W3M7ND",
        name: "Globex",
        domain: "globex.test",
        subscription: None,
        api_calls: 1_180,
        projects: 3,
        storage_gb: 1,
    },
    SeedOrganization {
        id: "org_01JDM3INITECH2C9V5K7R0S4BE",
        name: "Initech",
        domain: "initech.test",
        subscription: Some((
            "pro",
            BillingInterval::Year,
            SubscriptionStatus::Trialing,
            5,
            Some(9),
        )),
        api_calls: 2_400,
        projects: 2,
        storage_gb: 3,
    },
    SeedOrganization {
        id: "org_01JDM3UMBRELLA8N4D6G2J0QPX",
        name: "Umbrella",
        domain: "umbrella.test",
        subscription: Some((
            "enterprise",
            BillingInterval::Year,
            SubscriptionStatus::Active,
            200,
            None,
        )),
        api_calls: 1_250_000,
        projects: 140,
        storage_gb: 2_300,
    },
];

/// The first member of each organization is the one the demo signs in as.
const MEMBERS: &[SeedMember] = &[
    SeedMember {
        org: "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT",
        user_id: "user_01JDM3ADA1R9K2X7Q5N4W8T0VB",
        first: "Ada",
        last: "Lovelace",
        email: "ada@acme.test",
        role: "admin",
        status: "active",
    },
    SeedMember {
        org: "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT",
        user_id: "user_01JDM3GRACE3M8T1Z6P0V4Y2HC",
        first: "Grace",
        last: "Hopper",
        email: "grace@acme.test",
        role: "member",
        status: "active",
    },
    SeedMember {
        org: "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT",
        user_id: "user_01JDM3ALAN7Q2W9E4R6T8Y0UID",
        first: "Alan",
        last: "Turing",
        email: "alan@acme.test",
        role: "member",
        status: "active",
    },
    SeedMember {
        org: "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT",
        user_id: "user_01JDM3KATH5B7N9M1Q3W5E7RTY",
        first: "Katherine",
        last: "Johnson",
        email: "katherine@acme.test",
        role: "member",
        status: "inactive",
    },
    SeedMember {
        org: "org_01JDM3ACME6Y7B0Q4P2ZXK9RWT",
        user_id: "user_01JDM3LINUS0P2O4I6U8Y0T2RE",
        first: "Linus",
        last: "Pauling",
        email: "linus@acme.test",
        role: "member",
        status: "pending",
    },
    SeedMember {
        org: "org_01JDM3GLOBEX5T2HF8Q1W3M7ND",
        user_id: "user_01JDM3HANK8S0D2F4G6H8J0KLZ",
        first: "Hank",
        last: "Scorpio",
        email: "hank@globex.test",
        role: "admin",
        status: "active",
    },
    SeedMember {
        org: "org_01JDM3GLOBEX5T2HF8Q1W3M7ND",
        user_id: "user_01JDM3HOMER1A3S5D7F9G1H3JK",
        first: "Homer",
        last: "Simpson",
        email: "homer@globex.test",
        role: "member",
        status: "active",
    },
    SeedMember {
        org: "org_01JDM3INITECH2C9V5K7R0S4BE",
        user_id: "user_01JDM3PETER4Z6X8C0V2B4N6MQ",
        first: "Peter",
        last: "Gibbons",
        email: "peter@initech.test",
        role: "admin",
        status: "active",
    },
    SeedMember {
        org: "org_01JDM3UMBRELLA8N4D6G2J0QPX",
        user_id: "user_01JDM3JILL9L1K3J5H7G9F1DSA",
        first: "Jill",
        last: "Valentine",
        email: "jill@umbrella.test",
        role: "admin",
        status: "active",
    },
];

fn plan_name(
    subscription: Option<&(&str, BillingInterval, SubscriptionStatus, i64, Option<i64>)>,
) -> String {
    match subscription.map(|s| s.0) {
        Some("pro") => "Pro",
        Some("enterprise") => "Enterprise",
        _ => "Free",
    }
    .to_owned()
}

/// The accounts a visitor can sign in as.
pub fn accounts() -> Vec<DemoAccount> {
    ORGANIZATIONS
        .iter()
        .filter_map(|org| {
            let member = MEMBERS.iter().find(|m| m.org == org.id)?;
            Some(DemoAccount {
                user: WorkosUser {
                    id: member.user_id.to_owned(),
                    email: member.email.to_owned(),
                    first_name: Some(member.first.to_owned()),
                    last_name: Some(member.last.to_owned()),
                    email_verified: true,
                },
                organization: WorkosOrganization {
                    id: org.id.to_owned(),
                    name: Some(org.name.to_owned()),
                },
                role: member.role.to_owned(),
                plan_name: plan_name(org.subscription.as_ref()),
            })
        })
        .collect()
}

fn keys(pairs: &[(&str, &str)]) -> Keys {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

pub async fn seed(db: &Db, now: Timestamp) -> Result<(), DomainError> {
    let mut tx = db.writer.begin().await?;
    for org in ORGANIZATIONS {
        let company_keys = normalize_keys(&COMPANY, &keys(&[(WORKOS_ORGANIZATION_ID, org.id)]))?;
        let traits = Traits::from([("domain".to_owned(), org.domain.into())]);
        let company = records::upsert(
            &mut tx,
            &COMPANY,
            &company_keys,
            Some(org.name),
            &traits,
            now,
        )
        .await?;

        if let Some((plan, interval, status, age_days, trial_days_left)) = org.subscription {
            let started = now.add_days(-age_days);
            let (period_start, period_end) = now.period_window(started, interval.months());
            let trial_ends_at = trial_days_left.map(|days| now.add_days(days));
            // A trial's period ends with the trial.
            let period_end = trial_ends_at.unwrap_or(period_end);
            // Keep a subscription the visitor has changed.
            sqlx::query(
                "INSERT INTO subscriptions (company_id, plan_id, billing_interval, status, current_period_start,
                     current_period_end, trial_ends_at, cancel_at_period_end, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                 ON CONFLICT (company_id) DO NOTHING",
            )
            .bind(&company.id)
            .bind(plan)
            .bind(interval.as_str())
            .bind(status_column(status))
            .bind(period_start.0)
            .bind(period_end.0)
            .bind(trial_ends_at.map(|t| t.0))
            .bind(now.0)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }

        // One usage event per metering window, so restarts do not pile up
        // usage.
        let (window_start, _) = metering_window(now);
        sqlx::query(
            "INSERT INTO usage_events (company_id, feature_id, quantity, occurred_at, idempotency_key)
             VALUES (?, 'api_calls', ?, ?, ?) ON CONFLICT (company_id, idempotency_key) DO NOTHING",
        )
        .bind(&company.id)
        .bind(org.api_calls as i64)
        .bind(window_start.0.max(now.0 - 3600))
        .bind(format!("demo-seed-{}", window_start.0))
        .execute(&mut *tx)
        .await?;
        for (feature, value) in [("projects", org.projects), ("storage_gb", org.storage_gb)] {
            sqlx::query(
                "INSERT INTO usage_gauges (company_id, feature_id, value, updated_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (company_id, feature_id) DO NOTHING",
            )
            .bind(&company.id)
            .bind(feature)
            .bind(value as i64)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
    }

    for member in MEMBERS {
        let Some(company_id) = records::find_by_keys(
            &mut tx,
            &COMPANY,
            &keys(&[(WORKOS_ORGANIZATION_ID, member.org)]),
        )
        .await?
        else {
            continue;
        };
        let user_keys = normalize_keys(
            &USER,
            &keys(&[(WORKOS_USER_ID, member.user_id), (EMAIL, member.email)]),
        )?;
        let name = format!("{} {}", member.first, member.last);
        let user =
            records::upsert(&mut tx, &USER, &user_keys, Some(&name), &Traits::new(), now).await?;
        ensure_membership(&mut tx, &company_id, &user.id, Some(member.role), now).await?;
        if user.created {
            sqlx::query("UPDATE memberships SET status = ? WHERE company_id = ? AND user_id = ?")
                .bind(member.status)
                .bind(&company_id)
                .bind(&user.id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
