//! Companies and users, upserted by key.
//!
//! The rules, for both kinds of record:
//! - a (key name, key value) pair belongs to at most one record, and a record
//!   has at most one value per key name;
//! - an upsert matches the record that holds any of the given keys and adds
//!   the keys it lacks; if none matches, it creates one;
//! - keys that match two different records, or that would give a record a
//!   second value for a key name, are a conflict: nothing is written.
//!
//! Callers run these inside a write transaction.

use std::collections::BTreeMap;

use portico_types::{
    validate_key_name, validate_key_value, CompanyRecord, Keys, Timestamp, Traits, UserRecord,
    EMAIL,
};
use sqlx::{Row, SqliteConnection};

use crate::error::DomainError;
use crate::ids::new_id;

/// Where one kind of record lives. The names are compile-time constants, so
/// formatting them into SQL is safe; every value is bound.
pub struct RecordKind {
    pub noun: &'static str,
    pub plural: &'static str,
    table: &'static str,
    keys_table: &'static str,
    owner_column: &'static str,
    id_prefix: &'static str,
}

pub const COMPANY: RecordKind = RecordKind {
    noun: "company",
    plural: "companies",
    table: "companies",
    keys_table: "company_keys",
    owner_column: "company_id",
    id_prefix: "cmp",
};

pub const USER: RecordKind = RecordKind {
    noun: "user",
    plural: "users",
    table: "users",
    keys_table: "user_keys",
    owner_column: "user_id",
    id_prefix: "usr",
};

const MAX_KEYS: usize = 16;
const MAX_TRAITS: usize = 100;
const MAX_NAME_CHARS: usize = 256;

/// Validates keys and puts them in stored form (`email` lower-cased).
pub fn normalize_keys(kind: &RecordKind, keys: &Keys) -> Result<Keys, DomainError> {
    if keys.is_empty() {
        return Err(DomainError::InvalidInput(format!(
            "a {} needs at least one key",
            kind.noun
        )));
    }
    if keys.len() > MAX_KEYS {
        return Err(DomainError::InvalidInput(format!(
            "a {} has at most {MAX_KEYS} keys",
            kind.noun
        )));
    }
    let mut normalized = Keys::new();
    for (name, value) in keys {
        validate_key_name(name).map_err(|e| DomainError::InvalidInput(e.to_string()))?;
        validate_key_value(name, value).map_err(|e| DomainError::InvalidInput(e.to_string()))?;
        let value = if name == EMAIL {
            value.trim().to_lowercase()
        } else {
            value.clone()
        };
        normalized.insert(name.clone(), value);
    }
    Ok(normalized)
}

pub fn validate_profile(name: Option<&str>, traits: &Traits) -> Result<(), DomainError> {
    if let Some(name) = name {
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(DomainError::InvalidInput(format!(
                "names are at most {MAX_NAME_CHARS} characters"
            )));
        }
    }
    if traits.len() > MAX_TRAITS {
        return Err(DomainError::InvalidInput(format!(
            "at most {MAX_TRAITS} traits"
        )));
    }
    if let Some(bad) = traits
        .keys()
        .find(|k| k.is_empty() || k.chars().count() > 64)
    {
        return Err(DomainError::InvalidInput(format!(
            "trait name {bad:?} must be 1 to 64 characters"
        )));
    }
    Ok(())
}

fn describe(keys: &[(String, String)]) -> String {
    keys.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The one record holding any of `keys`, if there is one. Keys spread over
/// two records are a conflict.
pub async fn find_by_keys(
    conn: &mut SqliteConnection,
    kind: &RecordKind,
    keys: &Keys,
) -> Result<Option<String>, DomainError> {
    let mut owners: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let sql = format!(
        "SELECT {owner} FROM {keys} WHERE key_name = ? AND key_value = ?",
        owner = kind.owner_column,
        keys = kind.keys_table
    );
    for (name, value) in keys {
        let owner: Option<String> = sqlx::query_scalar(&sql)
            .bind(name)
            .bind(value)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(owner) = owner {
            owners
                .entry(owner)
                .or_default()
                .push((name.clone(), value.clone()));
        }
    }
    match owners.len() {
        0 => Ok(None),
        1 => Ok(owners.into_keys().next()),
        _ => {
            let groups: Vec<String> = owners.values().map(|keys| describe(keys)).collect();
            Err(DomainError::ConflictingKeys(format!(
                "these keys belong to different {}: [{}]; nothing was changed",
                kind.plural,
                groups.join("] and [")
            )))
        }
    }
}

async fn keys_of(
    conn: &mut SqliteConnection,
    kind: &RecordKind,
    id: &str,
) -> Result<Keys, DomainError> {
    let sql = format!(
        "SELECT key_name, key_value FROM {keys} WHERE {owner} = ? ORDER BY key_name",
        keys = kind.keys_table,
        owner = kind.owner_column
    );
    let rows = sqlx::query(&sql).bind(id).fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(|row| Ok((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?)))
        .collect::<Result<Keys, sqlx::Error>>()
        .map_err(DomainError::from)
}

pub fn traits_from_json(json: &str) -> Result<Traits, DomainError> {
    serde_json::from_str(json).map_err(|e| DomainError::Corrupt(format!("stored traits: {e}")))
}

fn traits_to_json(traits: &Traits) -> String {
    serde_json::to_string(traits).unwrap_or_else(|_| "{}".to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub id: String,
    pub created: bool,
}

/// Upserts a record by `keys` (already normalized), setting `name` if given
/// and merging `traits` over the stored ones.
pub async fn upsert(
    conn: &mut SqliteConnection,
    kind: &RecordKind,
    keys: &Keys,
    name: Option<&str>,
    traits: &Traits,
    now: Timestamp,
) -> Result<Upserted, DomainError> {
    validate_profile(name, traits)?;
    let insert_key = format!(
        "INSERT INTO {keys} ({owner}, key_name, key_value) VALUES (?, ?, ?)",
        keys = kind.keys_table,
        owner = kind.owner_column
    );
    let Some(id) = find_by_keys(conn, kind, keys).await? else {
        let id = new_id(kind.id_prefix);
        let sql = format!(
            "INSERT INTO {table} (id, name, traits, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            table = kind.table
        );
        sqlx::query(&sql)
            .bind(&id)
            .bind(name)
            .bind(traits_to_json(traits))
            .bind(now.0)
            .bind(now.0)
            .execute(&mut *conn)
            .await?;
        for (key_name, key_value) in keys {
            sqlx::query(&insert_key)
                .bind(&id)
                .bind(key_name)
                .bind(key_value)
                .execute(&mut *conn)
                .await?;
        }
        return Ok(Upserted { id, created: true });
    };

    let existing = keys_of(conn, kind, &id).await?;
    let mut new_keys = Vec::new();
    for (key_name, key_value) in keys {
        match existing.get(key_name) {
            Some(held) if held == key_value => {}
            Some(held) => {
                return Err(DomainError::ConflictingKeys(format!(
                    "{noun} {id} already has {key_name}={held}; it cannot also have {key_name}={key_value}. \
                     Nothing was changed",
                    noun = kind.noun
                )))
            }
            None => new_keys.push((key_name, key_value)),
        }
    }
    for (key_name, key_value) in new_keys {
        sqlx::query(&insert_key)
            .bind(&id)
            .bind(key_name)
            .bind(key_value)
            .execute(&mut *conn)
            .await?;
    }

    let select = format!(
        "SELECT traits FROM {table} WHERE id = ?",
        table = kind.table
    );
    let stored: String = sqlx::query_scalar(&select)
        .bind(&id)
        .fetch_one(&mut *conn)
        .await?;
    let mut merged = traits_from_json(&stored)?;
    merged.extend(traits.iter().map(|(k, v)| (k.clone(), v.clone())));
    let update = format!(
        "UPDATE {table} SET name = COALESCE(?, name), traits = ?, updated_at = ? WHERE id = ?",
        table = kind.table
    );
    sqlx::query(&update)
        .bind(name)
        .bind(traits_to_json(&merged))
        .bind(now.0)
        .bind(&id)
        .execute(&mut *conn)
        .await?;
    Ok(Upserted { id, created: false })
}

/// Makes `user_id` a member of `company_id`. A new membership is active; an
/// existing one keeps its status and role (WorkOS owns those), unless a role
/// is given.
pub async fn ensure_membership(
    conn: &mut SqliteConnection,
    company_id: &str,
    user_id: &str,
    role: Option<&str>,
    now: Timestamp,
) -> Result<(), DomainError> {
    sqlx::query(
        "INSERT INTO memberships (company_id, user_id, role, status, created_at, updated_at)
         VALUES (?, ?, ?, 'active', ?, ?)
         ON CONFLICT (company_id, user_id)
         DO UPDATE SET role = COALESCE(excluded.role, memberships.role), updated_at = excluded.updated_at",
    )
    .bind(company_id)
    .bind(user_id)
    .bind(role)
    .bind(now.0)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

struct RecordRow {
    name: Option<String>,
    traits: String,
    created_at: i64,
    updated_at: i64,
}

async fn load_row(
    conn: &mut SqliteConnection,
    kind: &RecordKind,
    id: &str,
) -> Result<RecordRow, DomainError> {
    let sql = format!(
        "SELECT name, traits, created_at, updated_at FROM {table} WHERE id = ?",
        table = kind.table
    );
    let row = sqlx::query(&sql).bind(id).fetch_one(&mut *conn).await?;
    Ok(RecordRow {
        name: row.try_get(0)?,
        traits: row.try_get(1)?,
        created_at: row.try_get(2)?,
        updated_at: row.try_get(3)?,
    })
}

pub async fn load_company(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<CompanyRecord, DomainError> {
    let row = load_row(conn, &COMPANY, id).await?;
    Ok(CompanyRecord {
        id: id.to_owned(),
        keys: keys_of(conn, &COMPANY, id).await?,
        name: row.name,
        traits: traits_from_json(&row.traits)?,
        created_at: Timestamp(row.created_at),
        updated_at: Timestamp(row.updated_at),
    })
}

pub async fn load_user(conn: &mut SqliteConnection, id: &str) -> Result<UserRecord, DomainError> {
    let row = load_row(conn, &USER, id).await?;
    Ok(UserRecord {
        id: id.to_owned(),
        keys: keys_of(conn, &USER, id).await?,
        name: row.name,
        traits: traits_from_json(&row.traits)?,
        created_at: Timestamp(row.created_at),
        updated_at: Timestamp(row.updated_at),
    })
}

pub async fn company_keys(conn: &mut SqliteConnection, id: &str) -> Result<Keys, DomainError> {
    keys_of(conn, &COMPANY, id).await
}

pub async fn user_keys(conn: &mut SqliteConnection, id: &str) -> Result<Keys, DomainError> {
    keys_of(conn, &USER, id).await
}
