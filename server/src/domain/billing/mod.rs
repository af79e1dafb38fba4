//! Checkout, cancel and resume, invoices and renewals, over the database.
//!
//! The prices themselves come from [`pricing`] (pure); this module loads
//! what pricing needs, binds previews to what they priced, takes payment
//! through the [`PaymentProvider`](crate::payments::PaymentProvider), and
//! records the result: one write transaction before the charge (lock,
//! checks) and one after (subscription, invoice, payment, credit), so a
//! charge never happens inside a database transaction.

pub mod preview_token;
pub mod pricing;
pub mod renewals;

use portico_types::{
    AssignSubscription, BillingLine, CheckoutPreview, CheckoutRequest, CheckoutResult,
    ConfirmCheckout, Invoice, InvoiceList, InvoiceReason, InvoiceStatus, LineKind, Money,
    SubscriptionSummary, Timestamp, UpcomingInvoice,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};

use self::preview_token::{request_digest, PreviewClaims, PreviewSigner};
use self::pricing::{items, price_change, BillingContext, PricedChange};
use super::portal::{load_usage, metering_window, UsageOf, UsageTotals};
use super::records;
use super::subscriptions::{
    load_subscription, save_subscription, CurrentSubscription, StoredSubscription,
};
use super::TokenScope;
use crate::catalog::Catalog;
use crate::db::Db;
use crate::error::DomainError;
use crate::ids::new_id;
use crate::payments::{ChargeOutcome, ChargeRequest, Customer, PaymentError, PaymentProvider};

/// How long a preview can be confirmed.
pub const PREVIEW_TTL_SECONDS: i64 = 10 * 60;
/// A lock older than this is from a process that died mid-charge.
const STALE_LOCK_SECONDS: i64 = 5 * 60;
/// Invoices in the portal snapshot.
pub const RECENT_INVOICES: i64 = 12;

/// The company a token acts for; billing needs it to exist.
pub async fn company_for_scope(
    conn: &mut SqliteConnection,
    scope: &TokenScope,
) -> Result<String, DomainError> {
    sqlx::query_scalar(
        "SELECT c.id FROM company_keys k JOIN companies c ON c.id = k.company_id
         WHERE k.key_name = ? AND k.key_value = ? AND c.deleted_at IS NULL",
    )
    .bind(&scope.company.name)
    .bind(&scope.company.value)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        DomainError::CompanyNotFound(format!("{} (identify the company first)", scope.company))
    })
}

pub async fn credit_balance(
    conn: &mut SqliteConnection,
    company_id: &str,
) -> Result<i64, DomainError> {
    let balance: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM account_credits WHERE company_id = ?")
            .bind(company_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(balance.unwrap_or(0))
}

async fn set_credit_balance(
    conn: &mut SqliteConnection,
    company_id: &str,
    balance: i64,
    now: Timestamp,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO account_credits (company_id, balance, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (company_id) DO UPDATE SET balance = excluded.balance, updated_at = excluded.updated_at",
    )
    .bind(company_id)
    .bind(balance.max(0))
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Everything pricing needs, read in one go.
struct Loaded {
    stored: Option<StoredSubscription>,
    credit: i64,
    usage: UsageTotals,
}

async fn load(
    conn: &mut SqliteConnection,
    company_id: &str,
    now: Timestamp,
) -> Result<Loaded, DomainError> {
    let stored = load_subscription(conn, company_id).await?;
    let credit = credit_balance(conn, company_id).await?;
    let window = metering_window(now);
    let usage = load_usage(conn, company_id, window, UsageOf::Every).await?;
    Ok(Loaded {
        stored,
        credit,
        usage,
    })
}

fn price_loaded(
    catalog: &Catalog,
    loaded: &Loaded,
    request: &CheckoutRequest,
    at: Timestamp,
) -> Result<PricedChange, DomainError> {
    let current = loaded.stored.as_ref().and_then(|s| s.as_of(at));
    let context = BillingContext {
        catalog,
        subscription: current.as_ref(),
        had_subscription: loaded.stored.is_some(),
        credit_balance: loaded.credit,
        usage: &loaded.usage,
    };
    price_change(&context, request, at)
}

fn money(catalog: &Catalog, amount_minor: i64) -> Money {
    Money {
        amount_minor,
        currency: catalog.currency.clone(),
    }
}

/// `POST /v1/checkout/preview`
pub async fn preview(
    db: &Db,
    catalog: &Catalog,
    signer: &PreviewSigner,
    payments: &dyn PaymentProvider,
    scope: &TokenScope,
    request: &CheckoutRequest,
    now: Timestamp,
) -> Result<CheckoutPreview, DomainError> {
    let company_id = company_for_scope(&mut *db.reader.acquire().await?, scope).await?;
    renewals::renew_company(db, catalog, payments, &company_id, now).await?;
    let mut conn = db.reader.acquire().await?;
    let loaded = load(&mut conn, &company_id, now).await?;
    let priced = price_loaded(catalog, &loaded, request, now)?;
    let claims = PreviewClaims {
        company: company_id,
        revision: loaded.stored.as_ref().map(|s| s.revision).unwrap_or(0),
        request: request_digest(&priced.request),
        at: now.0,
        exp: now.0 + PREVIEW_TTL_SECONDS,
        total: priced.total,
        due: priced.due_now,
        recurring: priced.recurring,
    };
    let interval = priced.request.interval;
    Ok(CheckoutPreview {
        preview_id: signer.sign(&claims),
        expires_at: Timestamp(claims.exp),
        request: priced.request,
        change: priced.change,
        effective_at: priced.effective_at,
        scheduled: priced.after.scheduled.is_some(),
        lines: priced.lines,
        total: money(catalog, priced.total),
        credit_applied: money(catalog, priced.credit_applied),
        due_now: money(catalog, priced.due_now),
        credit_balance_after: money(catalog, priced.credit_after),
        recurring: money(catalog, priced.recurring),
        interval,
        next_charge_at: priced.next_charge_at,
        trial_ends_at: priced.trial_ends_at,
    })
}

/// A checkout's final outcome, kept under its idempotency key.
#[derive(Serialize, Deserialize)]
enum StoredOutcome {
    Done(Box<CheckoutResult>),
    Declined(String),
}

async fn acquire_lock(
    conn: &mut SqliteConnection,
    company_id: &str,
    holder: &str,
    now: Timestamp,
) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM billing_locks WHERE company_id = ? AND acquired_at < ?")
        .bind(company_id)
        .bind(now.0 - STALE_LOCK_SECONDS)
        .execute(&mut *conn)
        .await?;
    let taken = sqlx::query(
        "INSERT INTO billing_locks (company_id, holder, acquired_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(company_id)
    .bind(holder)
    .bind(now.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if taken == 1 {
        Ok(())
    } else {
        Err(DomainError::ChangeInProgress)
    }
}

async fn release_lock(
    conn: &mut SqliteConnection,
    company_id: &str,
    holder: &str,
) -> Result<(), DomainError> {
    sqlx::query("DELETE FROM billing_locks WHERE company_id = ? AND holder = ?")
        .bind(company_id)
        .bind(holder)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn release_lock_now(db: &Db, company_id: &str, holder: &str) {
    let released = async {
        let mut conn = db.writer.acquire().await?;
        release_lock(&mut conn, company_id, holder).await
    };
    if let Err(error) = released.await {
        tracing::error!(%company_id, %error, "could not release a billing lock; it expires on its own");
    }
}

async fn customer(conn: &mut SqliteConnection, company_id: &str) -> Result<Customer, DomainError> {
    let record = records::load_company(conn, company_id).await?;
    Ok(Customer {
        company_id: company_id.to_owned(),
        name: record.name,
        keys: record.keys,
        traits: record.traits,
    })
}

/// Writes an invoice (and its payment, if money moved or was refused).
#[allow(clippy::too_many_arguments)]
async fn record_invoice(
    conn: &mut SqliteConnection,
    catalog: &Catalog,
    company_id: &str,
    reason: InvoiceReason,
    lines: Vec<BillingLine>,
    total: i64,
    credit_applied: i64,
    charged: Option<(&dyn PaymentProvider, &ChargeOutcome, i64)>,
    now: Timestamp,
) -> Result<Invoice, DomainError> {
    let id = new_id("inv");
    let number: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM invoices")
        .fetch_one(&mut *conn)
        .await?;
    let (status, amount_charged) = match charged {
        Some((_, ChargeOutcome::Paid { .. }, amount)) => (InvoiceStatus::Paid, amount),
        Some((_, ChargeOutcome::Declined { .. }, _)) => (InvoiceStatus::Declined, 0),
        None => (InvoiceStatus::NoCharge, 0),
    };
    let invoice = Invoice {
        id: id.clone(),
        number: format!("INV-{number:06}"),
        status,
        reason,
        lines,
        total: money(catalog, total),
        credit_applied: money(catalog, credit_applied),
        amount_charged: money(catalog, amount_charged),
        created_at: now,
    };
    let status_column = match status {
        InvoiceStatus::Paid => "paid",
        InvoiceStatus::Declined => "declined",
        InvoiceStatus::NoCharge => "no_charge",
    };
    let reason_column = match reason {
        InvoiceReason::Checkout => "checkout",
        InvoiceReason::Renewal => "renewal",
    };
    let lines_json =
        serde_json::to_string(&invoice.lines).map_err(|e| DomainError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO invoices (id, number, company_id, status, reason, currency, total, credit_applied,
             amount_charged, lines, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(number)
    .bind(company_id)
    .bind(status_column)
    .bind(reason_column)
    .bind(&catalog.currency)
    .bind(total)
    .bind(credit_applied)
    .bind(amount_charged)
    .bind(lines_json)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    if let Some((provider, outcome, amount)) = charged {
        let (status, reference, code, message) = match outcome {
            ChargeOutcome::Paid { payment_ref } => {
                ("succeeded", Some(payment_ref.as_str()), None, None)
            }
            ChargeOutcome::Declined { code, message } => (
                "declined",
                None,
                Some(code.as_str()),
                Some(message.as_str()),
            ),
        };
        sqlx::query(
            "INSERT INTO payments (id, invoice_id, company_id, provider, provider_ref, amount, currency, status,
                 failure_code, failure_message, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(new_id("pay"))
        .bind(&id)
        .bind(company_id)
        .bind(provider.name())
        .bind(reference)
        .bind(amount)
        .bind(&catalog.currency)
        .bind(status)
        .bind(code)
        .bind(message)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    }
    Ok(invoice)
}

fn confirm_digest(confirm: &ConfirmCheckout) -> String {
    let mut hasher = Sha256::new();
    hasher.update(confirm.preview_id.as_bytes());
    hasher.update(b"\n");
    hasher.update(request_digest(&confirm.request).as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `POST /v1/checkout`: buys exactly what the preview priced, or refuses.
#[allow(clippy::too_many_arguments)]
pub async fn checkout(
    db: &Db,
    catalog: &Catalog,
    signer: &PreviewSigner,
    payments: &dyn PaymentProvider,
    scope: &TokenScope,
    confirm: &ConfirmCheckout,
    idempotency_key: Option<&str>,
    now: Timestamp,
) -> Result<CheckoutResult, DomainError> {
    if let Some(key) = idempotency_key {
        if key.is_empty() || key.len() > 255 {
            return Err(DomainError::InvalidInput(
                "Idempotency-Key must be 1 to 255 characters".into(),
            ));
        }
    }
    let claims = signer.verify(&confirm.preview_id)?;
    let company_id = company_for_scope(&mut *db.reader.acquire().await?, scope).await?;
    if claims.company != company_id {
        return Err(DomainError::Forbidden(
            "this preview was made for another company".into(),
        ));
    }
    let digest = confirm_digest(confirm);

    // Before the charge: replay, checks and the lock, in one transaction.
    let holder = new_id("lck");
    let mut tx = db.writer.begin().await?;
    if let Some(key) = idempotency_key {
        let stored = sqlx::query(
            "SELECT request_hash, body FROM idempotency_keys WHERE company_id = ? AND key = ?",
        )
        .bind(&company_id)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = stored {
            let hash: String = row.try_get(0)?;
            if hash != digest {
                return Err(DomainError::IdempotencyConflict);
            }
            let body: String = row.try_get(1)?;
            return match serde_json::from_str(&body)
                .map_err(|e| DomainError::Corrupt(e.to_string()))?
            {
                StoredOutcome::Done(result) => Ok(*result),
                StoredOutcome::Declined(message) => Err(DomainError::PaymentDeclined(message)),
            };
        }
    }
    if claims.request != request_digest(&confirm.request) {
        return Err(DomainError::StalePreview(
            "the preview was made for a different change".into(),
        ));
    }
    if now.0 > claims.exp {
        return Err(DomainError::StalePreview("the preview has expired".into()));
    }
    let loaded = load(&mut tx, &company_id, now).await?;
    let revision = loaded.stored.as_ref().map(|s| s.revision).unwrap_or(0);
    if revision != claims.revision {
        return Err(DomainError::StalePreview(
            "the subscription has changed since the preview".into(),
        ));
    }
    let at = Timestamp(claims.at);
    let priced = price_loaded(catalog, &loaded, &confirm.request, at)?;
    if (priced.total, priced.due_now, priced.recurring)
        != (claims.total, claims.due, claims.recurring)
    {
        return Err(DomainError::StalePreview(
            "prices have changed since the preview".into(),
        ));
    }
    acquire_lock(&mut tx, &company_id, &holder, now).await?;
    let customer = customer(&mut tx, &company_id).await?;
    tx.commit().await?;

    // The charge, outside any transaction.
    let invoice_id_hint = idempotency_key
        .map(str::to_owned)
        .unwrap_or_else(|| confirm.preview_id.clone());
    let charge = if priced.due_now > 0 {
        let request = ChargeRequest {
            invoice_id: invoice_id_hint.clone(),
            idempotency_key: format!("checkout:{company_id}:{}", digest_of(&invoice_id_hint)),
            amount: money(catalog, priced.due_now),
            description: describe(catalog, &priced),
            customer,
        };
        match payments.charge(&request).await {
            Ok(outcome) => Some(outcome),
            Err(PaymentError::Unavailable(reason)) => {
                release_lock_now(db, &company_id, &holder).await;
                return Err(DomainError::PaymentUnavailable(reason));
            }
        }
    } else {
        None
    };

    // After the charge: record everything, in one transaction.
    let mut tx = db.writer.begin().await?;
    let result = match &charge {
        Some(declined @ ChargeOutcome::Declined { message, .. }) => {
            record_invoice(
                &mut tx,
                catalog,
                &company_id,
                InvoiceReason::Checkout,
                priced.lines.clone(),
                priced.total,
                priced.credit_applied,
                Some((payments, declined, priced.due_now)),
                now,
            )
            .await?;
            Err(message.clone())
        }
        paid => {
            save_subscription(&mut tx, &company_id, &priced.after, now).await?;
            if priced.credit_after != loaded.credit {
                set_credit_balance(&mut tx, &company_id, priced.credit_after, now).await?;
            }
            let invoice = if priced.lines.is_empty() {
                None
            } else {
                Some(
                    record_invoice(
                        &mut tx,
                        catalog,
                        &company_id,
                        InvoiceReason::Checkout,
                        priced.lines.clone(),
                        priced.total,
                        priced.credit_applied,
                        paid.as_ref()
                            .map(|outcome| (payments, outcome, priced.due_now)),
                        now,
                    )
                    .await?,
                )
            };
            let stored = load_subscription(&mut tx, &company_id).await?;
            let subscription = stored
                .as_ref()
                .and_then(|s| s.as_of(now))
                .map(|s| subscription_summary(catalog, &s, now));
            Ok(CheckoutResult {
                invoice,
                subscription,
            })
        }
    };
    if let Some(key) = idempotency_key {
        let outcome = match &result {
            Ok(done) => StoredOutcome::Done(Box::new(done.clone())),
            Err(message) => StoredOutcome::Declined(message.clone()),
        };
        sqlx::query(
            "INSERT INTO idempotency_keys (company_id, key, request_hash, status_code, body, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&company_id)
        .bind(key)
        .bind(&digest)
        .bind(if result.is_ok() { 200 } else { 402 })
        .bind(serde_json::to_string(&outcome).map_err(|e| DomainError::Corrupt(e.to_string()))?)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
    }
    release_lock(&mut tx, &company_id, &holder).await?;
    if let Err(error) = tx.commit().await {
        // The payment is taken but not recorded: say so loudly. The lock
        // expires, and a retry with the same key charges nothing twice.
        tracing::error!(%company_id, %error, "checkout charged but could not be recorded");
        return Err(error.into());
    }
    result.map_err(DomainError::PaymentDeclined)
}

fn digest_of(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn describe(catalog: &Catalog, priced: &PricedChange) -> String {
    let plan = catalog
        .plan(&priced.request.plan_id)
        .map(|p| p.name.as_str())
        .unwrap_or("subscription");
    format!("{plan} ({}ly)", priced.request.interval.as_str())
}

/// The portal's view of a subscription at `now`.
pub fn subscription_summary(
    catalog: &Catalog,
    current: &CurrentSubscription,
    now: Timestamp,
) -> SubscriptionSummary {
    let price = items(catalog, &current.plan_id, current.interval, &current.addons)
        .ok()
        .map(|items| money(catalog, pricing::total(&items)));
    SubscriptionSummary {
        plan_id: current.plan_id.clone(),
        status: current.status,
        interval: current.interval,
        price,
        current_period_start: current.period_start,
        current_period_end: current.period_end,
        renews_at: (!current.cancel_at_period_end).then_some(current.period_end),
        trial_ends_at: current.trial_ends_at.filter(|ends| *ends > now),
        cancel_at_period_end: current.cancel_at_period_end,
        addons: current.addons.clone(),
        scheduled_change: current.scheduled.clone(),
    }
}

/// The next charge of `current`, if it renews into a paid plan.
pub fn upcoming_invoice(
    catalog: &Catalog,
    current: &CurrentSubscription,
    credit: i64,
) -> Option<UpcomingInvoice> {
    if current.cancel_at_period_end {
        return None;
    }
    let (plan_id, interval, addons) = match &current.scheduled {
        Some(change) => (&change.plan_id, change.interval, &change.addons),
        None => (&current.plan_id, current.interval, &current.addons),
    };
    let items = items(catalog, plan_id, interval, addons).ok()?;
    let total = pricing::total(&items);
    if total == 0 {
        return None;
    }
    let period = (
        current.period_end,
        current.period_end.add_months(interval.months()),
    );
    let lines = renewal_lines(catalog, &items, period);
    let credit_applied = credit.clamp(0, total);
    Some(UpcomingInvoice {
        charge_at: current.period_end,
        lines,
        total: money(catalog, total),
        credit_applied: money(catalog, credit_applied),
        amount_due: money(catalog, total - credit_applied),
    })
}

fn renewal_lines(
    catalog: &Catalog,
    items: &[pricing::Item],
    period: (Timestamp, Timestamp),
) -> Vec<BillingLine> {
    items
        .iter()
        .filter(|item| item.amount() > 0)
        .map(|item| BillingLine {
            kind: LineKind::Charge,
            description: if item.is_plan || item.quantity == 1 {
                item.name.clone()
            } else {
                format!("{} × {}", item.quantity, item.name)
            },
            item_id: item.id.clone(),
            quantity: item.quantity,
            amount: money(catalog, item.amount()),
            period_start: period.0,
            period_end: period.1,
        })
        .collect()
}

/// Cancels at the end of the period, or resumes a cancelled subscription
/// before it ends.
pub async fn set_cancel_at_period_end(
    db: &Db,
    catalog: &Catalog,
    payments: &dyn PaymentProvider,
    scope: &TokenScope,
    cancel: bool,
    now: Timestamp,
) -> Result<SubscriptionSummary, DomainError> {
    let company_id = company_for_scope(&mut *db.reader.acquire().await?, scope).await?;
    renewals::renew_company(db, catalog, payments, &company_id, now).await?;
    let mut tx = db.writer.begin().await?;
    let held: Option<String> =
        sqlx::query_scalar("SELECT holder FROM billing_locks WHERE company_id = ?")
            .bind(&company_id)
            .fetch_optional(&mut *tx)
            .await?;
    if held.is_some() {
        return Err(DomainError::ChangeInProgress);
    }
    let stored = load_subscription(&mut tx, &company_id).await?;
    let Some(mut stored) = stored.filter(|s| s.as_of(now).is_some()) else {
        return Err(DomainError::InvalidInput(if cancel {
            "there is no subscription to cancel".into()
        } else {
            "there is no subscription to resume".into()
        }));
    };
    if stored.cancel_at_period_end != cancel {
        stored.cancel_at_period_end = cancel;
        // A cancellation replaces any scheduled downgrade.
        stored.scheduled = None;
        save_subscription(&mut tx, &company_id, &stored, now).await?;
    }
    tx.commit().await?;
    let current = stored
        .as_of(now)
        .ok_or_else(|| DomainError::Corrupt("subscription vanished".into()))?;
    Ok(subscription_summary(catalog, &current, now))
}

/// `PUT /v1/subscriptions`: assigns a subscription as is (no trial, no
/// charge), replacing any other; refused while a checkout is in flight.
pub async fn assign(
    db: &Db,
    catalog: &Catalog,
    request: &AssignSubscription,
    now: Timestamp,
) -> Result<SubscriptionSummary, DomainError> {
    let keys = records::normalize_keys(&records::COMPANY, &request.company)?;
    let request_items = CheckoutRequest {
        plan_id: request.plan_id.clone(),
        interval: request.interval,
        addons: request.addons.clone(),
        timing: Default::default(),
    }
    .normalized();
    let priced = items(
        catalog,
        &request_items.plan_id,
        request_items.interval,
        &request_items.addons,
    )?;
    if pricing::total(&priced) == 0 {
        return Err(DomainError::InvalidInput(
            "a free plan needs no subscription: companies without one are on the default plan"
                .into(),
        ));
    }
    let started = request.started_at.unwrap_or(now);
    if started > now {
        return Err(DomainError::InvalidInput(
            "started_at cannot be in the future".into(),
        ));
    }
    let (period_start, period_end) = now.period_window(started, request_items.interval.months());
    let mut tx = db.writer.begin().await?;
    let company_id = records::find_by_keys(&mut tx, &records::COMPANY, &keys)
        .await?
        .ok_or_else(|| DomainError::CompanyNotFound(super::identify::describe(&keys)))?;
    let held: Option<String> =
        sqlx::query_scalar("SELECT holder FROM billing_locks WHERE company_id = ?")
            .bind(&company_id)
            .fetch_optional(&mut *tx)
            .await?;
    if held.is_some() {
        return Err(DomainError::ChangeInProgress);
    }
    let subscription = StoredSubscription {
        plan_id: request_items.plan_id,
        interval: request_items.interval,
        status: portico_types::SubscriptionStatus::Active,
        period_start,
        period_end,
        trial_ends_at: None,
        cancel_at_period_end: false,
        addons: request_items.addons,
        scheduled: None,
        revision: 0,
    };
    save_subscription(&mut tx, &company_id, &subscription, now).await?;
    tx.commit().await?;
    let current = subscription
        .as_of(now)
        .ok_or_else(|| DomainError::Corrupt("assigned subscription ended".into()))?;
    Ok(subscription_summary(catalog, &current, now))
}

pub async fn recent_invoices(
    conn: &mut SqliteConnection,
    company_id: &str,
    limit: i64,
) -> Result<Vec<Invoice>, DomainError> {
    let rows = sqlx::query(
        "SELECT id, number, status, reason, currency, total, credit_applied, amount_charged, lines, created_at
         FROM invoices WHERE company_id = ? ORDER BY number DESC LIMIT ?",
    )
    .bind(company_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let currency: String = row.try_get(4)?;
            let money = |amount_minor| Money {
                amount_minor,
                currency: currency.clone(),
            };
            let status = match row.try_get::<&str, _>(2)? {
                "paid" => InvoiceStatus::Paid,
                "declined" => InvoiceStatus::Declined,
                _ => InvoiceStatus::NoCharge,
            };
            let reason = match row.try_get::<&str, _>(3)? {
                "renewal" => InvoiceReason::Renewal,
                _ => InvoiceReason::Checkout,
            };
            let number: i64 = row.try_get(1)?;
            let lines: String = row.try_get(8)?;
            Ok(Invoice {
                id: row.try_get(0)?,
                number: format!("INV-{number:06}"),
                status,
                reason,
                lines: serde_json::from_str(&lines)
                    .map_err(|e| DomainError::Corrupt(format!("invoice lines: {e}")))?,
                total: money(row.try_get(5)?),
                credit_applied: money(row.try_get(6)?),
                amount_charged: money(row.try_get(7)?),
                created_at: Timestamp(row.try_get(9)?),
            })
        })
        .collect()
}

/// `GET /v1/invoices`: every invoice, newest first, and the next one.
pub async fn invoices(
    db: &Db,
    catalog: &Catalog,
    scope: &TokenScope,
    now: Timestamp,
) -> Result<InvoiceList, DomainError> {
    let mut conn = db.reader.acquire().await?;
    let company_id = company_for_scope(&mut conn, scope).await?;
    let invoices = recent_invoices(&mut conn, &company_id, i64::MAX).await?;
    let stored = load_subscription(&mut conn, &company_id).await?;
    let credit = credit_balance(&mut conn, &company_id).await?;
    let upcoming = stored
        .and_then(|s| s.as_of(now))
        .and_then(|current| upcoming_invoice(catalog, &current, credit));
    Ok(InvoiceList { invoices, upcoming })
}
