//! `keys migrate`: gives existing companies or users their WorkOS key
//! (`workos_organization_id` / `workos_user_id`) so the WorkOS sync updates
//! them instead of creating duplicates. For teams that identified records by
//! other key names before.
//!
//! The mapping is either a CSV of `existing_key_value,workos_id` (records
//! found by `--match-key`), or an existing key name whose values already are
//! the WorkOS ids. Each row goes through [`records::upsert`] with both keys,
//! so its conflict rules hold: a record that already has another WorkOS id,
//! or a WorkOS id already on another record, is reported and left alone.
//! Nothing is ever created. One transaction; a dry run rolls it back.

use portico_types::{
    validate_key_name, Keys, Timestamp, Traits, WORKOS_ORGANIZATION_ID, WORKOS_USER_ID,
};
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::db::Db;
use crate::domain::records::{self, find_by_keys, normalize_keys, RecordKind, COMPANY, USER};
use crate::error::DomainError;

/// Which records get their WorkOS key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MigratedRecords {
    Companies,
    Users,
}

impl MigratedRecords {
    fn kind(self) -> &'static RecordKind {
        match self {
            MigratedRecords::Companies => &COMPANY,
            MigratedRecords::Users => &USER,
        }
    }

    /// The key the records get.
    pub fn workos_key(self) -> &'static str {
        match self {
            MigratedRecords::Companies => WORKOS_ORGANIZATION_ID,
            MigratedRecords::Users => WORKOS_USER_ID,
        }
    }

    fn workos_prefix(self) -> &'static str {
        match self {
            MigratedRecords::Companies => "org_",
            MigratedRecords::Users => "user_",
        }
    }

    fn keys_sql(self) -> &'static str {
        match self {
            MigratedRecords::Companies => {
                "SELECT key_value FROM company_keys WHERE key_name = ? ORDER BY key_value"
            }
            MigratedRecords::Users => {
                "SELECT key_value FROM user_keys WHERE key_name = ? ORDER BY key_value"
            }
        }
    }
}

/// One line of the mapping: the value of the match key, and the WorkOS id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingRow {
    pub line: usize,
    pub existing_value: String,
    pub workos_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapping {
    Rows(Vec<MappingRow>),
    /// The match key's values are the WorkOS ids.
    SameValues,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMigration {
    pub records: MigratedRecords,
    pub match_key: String,
    pub mapping: Mapping,
    pub dry_run: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KeyMigrationReport {
    pub dry_run: bool,
    /// (record id, WorkOS id) given the key (or that would be, in a dry run).
    pub added: Vec<(String, String)>,
    /// Rows whose record already had that WorkOS id.
    pub unchanged: u64,
    /// Rows whose match-key value names no record.
    pub not_found: Vec<String>,
    /// Rows refused: the record has another WorkOS id, or the WorkOS id is
    /// another record's. Nothing was written for them.
    pub conflicts: Vec<String>,
    /// Rows whose WorkOS id does not look like one.
    pub invalid: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("mapping line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("the mapping has no rows")]
    Empty,
}

fn unquote(field: &str) -> String {
    let field = field.trim();
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_owned(),
    }
}

/// Reads `existing_key_value,workos_id` lines. An optional header line
/// naming those two columns, blank lines and `#` comments are skipped;
/// fields may be double-quoted.
pub fn parse_mapping_csv(text: &str) -> Result<Vec<MappingRow>, MappingError> {
    let mut rows = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // The WorkOS id never holds a comma, so the last comma splits.
        let Some((existing, workos_id)) = trimmed.rsplit_once(',') else {
            return Err(MappingError::Line {
                line,
                reason: "expected existing_key_value,workos_id".into(),
            });
        };
        let (existing_value, workos_id) = (unquote(existing), unquote(workos_id));
        if rows.is_empty() && existing_value == "existing_key_value" && workos_id == "workos_id" {
            continue;
        }
        if existing_value.is_empty() || workos_id.is_empty() {
            return Err(MappingError::Line {
                line,
                reason: "both columns need a value".into(),
            });
        }
        rows.push(MappingRow {
            line,
            existing_value,
            workos_id,
        });
    }
    if rows.is_empty() {
        return Err(MappingError::Empty);
    }
    Ok(rows)
}

async fn rows_from_existing_key(
    conn: &mut SqliteConnection,
    plan: &KeyMigration,
) -> Result<Vec<MappingRow>, DomainError> {
    let values: Vec<String> = sqlx::query_scalar(plan.records.keys_sql())
        .bind(&plan.match_key)
        .fetch_all(&mut *conn)
        .await?;
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(index, value)| MappingRow {
            line: index + 1,
            existing_value: value.clone(),
            workos_id: value,
        })
        .collect())
}

/// Runs a key migration. See the module docs.
pub async fn migrate_keys(
    db: &Db,
    plan: &KeyMigration,
    now: Timestamp,
) -> Result<KeyMigrationReport, DomainError> {
    validate_key_name(&plan.match_key).map_err(|e| DomainError::InvalidInput(e.to_string()))?;
    let target = plan.records.workos_key();
    if plan.match_key == target {
        return Err(DomainError::InvalidInput(format!(
            "--match-key names the key being added ({target}); name the key your records have now"
        )));
    }
    let kind = plan.records.kind();
    let mut report = KeyMigrationReport {
        dry_run: plan.dry_run,
        ..Default::default()
    };
    let mut tx = db.writer.begin().await?;
    let rows = match &plan.mapping {
        Mapping::Rows(rows) => rows.clone(),
        Mapping::SameValues => rows_from_existing_key(&mut tx, plan).await?,
    };
    for row in rows {
        let label = format!(
            "line {}: {}={} -> {target}={}",
            row.line, plan.match_key, row.existing_value, row.workos_id
        );
        if !row.workos_id.starts_with(plan.records.workos_prefix()) {
            report.invalid.push(format!(
                "{label}: a WorkOS id here starts with {:?}",
                plan.records.workos_prefix()
            ));
            continue;
        }
        let wanted = Keys::from([
            (plan.match_key.clone(), row.existing_value.clone()),
            (target.to_owned(), row.workos_id.clone()),
        ]);
        let wanted = match normalize_keys(kind, &wanted) {
            Ok(keys) => keys,
            Err(error) => {
                report.invalid.push(format!("{label}: {error}"));
                continue;
            }
        };
        let by_existing: Keys = wanted
            .iter()
            .filter(|(name, _)| **name == plan.match_key)
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect();
        let Some(record_id) = find_by_keys(&mut tx, kind, &by_existing).await? else {
            report.not_found.push(label);
            continue;
        };
        let held = match kind.noun {
            "company" => records::company_keys(&mut tx, &record_id).await?,
            _ => records::user_keys(&mut tx, &record_id).await?,
        };
        if held.get(target) == Some(&row.workos_id) {
            report.unchanged += 1;
            continue;
        }
        // `upsert` refuses, writing nothing, when the record has another
        // WorkOS id or the WorkOS id is another record's.
        match records::upsert(&mut tx, kind, &wanted, None, &Traits::new(), now).await {
            Ok(_) => report.added.push((record_id, row.workos_id.clone())),
            Err(DomainError::ConflictingKeys(reason)) => {
                report.conflicts.push(format!("{label}: {reason}"))
            }
            Err(DomainError::InvalidInput(reason)) => {
                report.invalid.push(format!("{label}: {reason}"))
            }
            Err(other) => return Err(other),
        }
    }
    if plan.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(report)
}
