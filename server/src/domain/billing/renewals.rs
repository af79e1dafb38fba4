//! Renewals: when a period ends, the subscription moves on. A cancellation
//! takes effect, a scheduled change is applied, a trial converts, and the
//! next period is invoiced and charged. A declined renewal leaves the
//! subscription `past_due`; a provider that is down leaves it untouched, to
//! be tried again on the next sweep.
//!
//! [`renew_company`] brings one company up to date (billing calls it before
//! any change, so a change is never priced on a period that has already
//! ended); [`renew_due`] sweeps every company and runs on a timer in `serve`.

use portico_types::{InvoiceReason, SubscriptionStatus, Timestamp};

use super::pricing::{items, total};
use super::{
    acquire_lock, credit_balance, customer, money, record_invoice, release_lock, release_lock_now,
    renewal_lines, set_credit_balance,
};
use crate::catalog::Catalog;
use crate::db::Db;
use crate::domain::subscriptions::{load_subscription, save_subscription};
use crate::error::DomainError;
use crate::ids::new_id;
use crate::payments::{ChargeOutcome, ChargeRequest, PaymentProvider};

/// A server down for longer than this many periods catches up on the
/// newest ones only.
const MAX_PERIODS_PER_RUN: usize = 24;

/// Renews every subscription whose period has ended; returns how many
/// periods were processed.
pub async fn renew_due(
    db: &Db,
    catalog: &Catalog,
    payments: &dyn PaymentProvider,
    now: Timestamp,
) -> Result<usize, DomainError> {
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT company_id FROM subscriptions WHERE status != 'canceled' AND current_period_end <= ?",
    )
    .bind(now.0)
    .fetch_all(&db.reader)
    .await?;
    let mut processed = 0;
    for company_id in due {
        match renew_company(db, catalog, payments, &company_id, now).await {
            Ok(n) => processed += n,
            Err(error) => tracing::error!(%company_id, %error, "renewal failed; will retry"),
        }
    }
    Ok(processed)
}

/// Brings one company's subscription up to `now`; returns how many periods
/// were processed.
pub async fn renew_company(
    db: &Db,
    catalog: &Catalog,
    payments: &dyn PaymentProvider,
    company_id: &str,
    now: Timestamp,
) -> Result<usize, DomainError> {
    let mut processed = 0;
    while processed < MAX_PERIODS_PER_RUN {
        let holder = new_id("lck");
        let mut tx = db.writer.begin().await?;
        let Some(mut subscription) = load_subscription(&mut tx, company_id).await? else {
            break;
        };
        if subscription.status == SubscriptionStatus::Canceled || subscription.period_end > now {
            break;
        }
        if acquire_lock(&mut tx, company_id, &holder, now)
            .await
            .is_err()
        {
            // A checkout is in flight; it will have brought things up to date.
            break;
        }
        let ended = subscription.period_end;
        // A company deleted (in WorkOS) is not charged again: its
        // subscription ends with the period; its history stays.
        let deleted: Option<i64> =
            sqlx::query_scalar("SELECT deleted_at FROM companies WHERE id = ?")
                .bind(company_id)
                .fetch_optional(&mut *tx)
                .await?
                .flatten();
        if subscription.cancel_at_period_end || deleted.is_some() {
            subscription.status = SubscriptionStatus::Canceled;
            save_subscription(&mut tx, company_id, &subscription, now).await?;
            release_lock(&mut tx, company_id, &holder).await?;
            tx.commit().await?;
            processed += 1;
            break;
        }
        if let Some(change) = subscription.scheduled.take() {
            subscription.plan_id = change.plan_id;
            subscription.interval = change.interval;
            subscription.addons = change.addons;
        }
        let renewed_items = items(
            catalog,
            &subscription.plan_id,
            subscription.interval,
            &subscription.addons,
        )?;
        let amount = total(&renewed_items);
        if amount == 0 {
            // Renewing into a free plan: the subscription ends and the
            // company is on the default plan.
            subscription.status = SubscriptionStatus::Canceled;
            save_subscription(&mut tx, company_id, &subscription, now).await?;
            release_lock(&mut tx, company_id, &holder).await?;
            tx.commit().await?;
            processed += 1;
            break;
        }
        let period = (ended, ended.add_months(subscription.interval.months()));
        let credit = credit_balance(&mut tx, company_id).await?;
        let credit_applied = credit.clamp(0, amount);
        let due = amount - credit_applied;
        let payer = customer(&mut tx, company_id).await?;
        tx.commit().await?;

        let outcome = if due > 0 {
            let request = ChargeRequest {
                invoice_id: format!("renewal:{company_id}:{}", period.0 .0),
                idempotency_key: format!("renewal:{company_id}:{}", period.0 .0),
                amount: money(catalog, due),
                description: format!("Renewal from {}", period.0),
                customer: payer,
            };
            match payments.charge(&request).await {
                Ok(outcome) => Some(outcome),
                Err(error) => {
                    tracing::warn!(%company_id, %error, "renewal charge failed; will retry");
                    release_lock_now(db, company_id, &holder).await;
                    break;
                }
            }
        } else {
            None
        };

        let mut tx = db.writer.begin().await?;
        subscription.period_start = period.0;
        subscription.period_end = period.1;
        subscription.status = match outcome {
            Some(ChargeOutcome::Declined { .. }) => SubscriptionStatus::PastDue,
            _ => SubscriptionStatus::Active,
        };
        save_subscription(&mut tx, company_id, &subscription, now).await?;
        // Credit pays only for a renewal that goes through.
        let declined = matches!(outcome, Some(ChargeOutcome::Declined { .. }));
        let credit_applied = if declined { 0 } else { credit_applied };
        if credit_applied > 0 {
            set_credit_balance(&mut tx, company_id, credit - credit_applied, now).await?;
        }
        record_invoice(
            &mut tx,
            catalog,
            company_id,
            InvoiceReason::Renewal,
            renewal_lines(catalog, &renewed_items, period),
            amount,
            credit_applied,
            outcome.as_ref().map(|o| (payments, o, due)),
            now,
        )
        .await?;
        release_lock(&mut tx, company_id, &holder).await?;
        tx.commit().await?;
        processed += 1;
    }
    Ok(processed)
}
