//! Usage reports from the host's backend: consumption of metered features
//! (summed per monthly window) and holdings of limit features (a gauge).

use portico_types::{FeatureKind, Timestamp, UsageMode, UsageRecorded, UsageReport};

use super::identify::describe;
use super::portal::metering_window;
use super::records::{self, normalize_keys, COMPANY};
use crate::catalog::Catalog;
use crate::db::Db;
use crate::error::DomainError;

/// Larger single reports are almost certainly a bug in the caller.
const MAX_QUANTITY: u64 = 1_000_000_000_000;

pub async fn record_usage(
    db: &Db,
    catalog: &Catalog,
    report: &UsageReport,
    now: Timestamp,
) -> Result<UsageRecorded, DomainError> {
    let feature = catalog
        .feature(&report.feature)
        .ok_or_else(|| DomainError::UnknownFeature(report.feature.clone()))?;
    match (feature.kind, report.mode) {
        (FeatureKind::Metered, UsageMode::Increment) | (FeatureKind::Limit, UsageMode::Set) => {}
        (FeatureKind::Metered, UsageMode::Set) => {
            return Err(DomainError::InvalidInput(format!(
                "{:?} is metered: report consumption with mode \"increment\"",
                feature.id
            )))
        }
        (FeatureKind::Limit, UsageMode::Increment) => {
            return Err(DomainError::InvalidInput(format!(
                "{:?} is a limit: report the current count with mode \"set\"",
                feature.id
            )))
        }
        (FeatureKind::Seats, _) => {
            return Err(DomainError::InvalidInput(format!(
                "{:?} counts seats, which come from active memberships, not usage reports",
                feature.id
            )))
        }
        (FeatureKind::Boolean, _) => {
            return Err(DomainError::InvalidInput(format!(
                "{:?} is on/off and has no usage",
                feature.id
            )))
        }
    }
    if report.quantity > MAX_QUANTITY {
        return Err(DomainError::InvalidInput(format!(
            "quantity is at most {MAX_QUANTITY}"
        )));
    }
    if let Some(key) = &report.idempotency_key {
        if key.is_empty() || key.len() > 255 {
            return Err(DomainError::InvalidInput(
                "idempotency_key must be 1 to 255 characters".into(),
            ));
        }
    }
    let keys = normalize_keys(&COMPANY, &report.company)?;
    // `quantity` is bounded above, so it fits an i64.
    let quantity = report.quantity as i64;

    let mut tx = db.writer.begin().await?;
    let company_id = records::find_by_keys(&mut tx, &COMPANY, &keys)
        .await?
        .ok_or_else(|| DomainError::CompanyNotFound(describe(&keys)))?;

    let (counted, usage) = match report.mode {
        UsageMode::Increment => {
            let occurred_at = report.occurred_at.unwrap_or(now);
            let inserted = sqlx::query(
                "INSERT INTO usage_events (company_id, feature_id, quantity, occurred_at, idempotency_key)
                 VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (company_id, idempotency_key) DO NOTHING",
            )
            .bind(&company_id)
            .bind(&feature.id)
            .bind(quantity)
            .bind(occurred_at.0)
            .bind(&report.idempotency_key)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let window = metering_window(now);
            let sum: i64 = sqlx::query_scalar(
                "SELECT COALESCE(SUM(quantity), 0) FROM usage_events
                 WHERE company_id = ? AND feature_id = ? AND occurred_at >= ? AND occurred_at < ?",
            )
            .bind(&company_id)
            .bind(&feature.id)
            .bind(window.0 .0)
            .bind(window.1 .0)
            .fetch_one(&mut *tx)
            .await?;
            (inserted == 1, u64::try_from(sum).unwrap_or(0))
        }
        UsageMode::Set => {
            sqlx::query(
                "INSERT INTO usage_gauges (company_id, feature_id, value, updated_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (company_id, feature_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(&company_id)
            .bind(&feature.id)
            .bind(quantity)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
            (true, report.quantity)
        }
    };
    tx.commit().await?;
    Ok(UsageRecorded {
        feature_id: feature.id.clone(),
        usage,
        counted,
    })
}
