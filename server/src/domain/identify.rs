//! Identify (browser, scoped by a portal token, records an event) and its
//! server-side siblings, the company and user upserts (secret key, return
//! the record). Each runs in one write transaction: all of it or none.

use portico_types::{
    CompanyRecord, IdentifyRequest, KeyRef, Keys, Timestamp, UpsertCompany, UpsertUser, UserRecord,
};

use super::records::{self, ensure_membership, normalize_keys, COMPANY, USER};
use super::TokenScope;
use crate::db::Db;
use crate::error::DomainError;
use crate::ids::new_id;

fn holds(keys: &Keys, key: &KeyRef) -> bool {
    keys.get(&key.name).is_some_and(|value| value == &key.value)
}

/// Records an identify event and upserts the company, the user and their
/// membership. The company keys must include the token's company key, and
/// the user keys the token's user key (if the token names a user): a browser
/// can only ever identify itself.
pub async fn identify(
    db: &Db,
    scope: &TokenScope,
    request: &IdentifyRequest,
    now: Timestamp,
) -> Result<String, DomainError> {
    let company_keys = normalize_keys(&COMPANY, &request.company.keys)?;
    if !holds(&company_keys, &scope.company) {
        return Err(DomainError::Forbidden(format!(
            "the portal token is for the company with {}; identify must name that company",
            scope.company
        )));
    }
    let user_keys = match &request.user {
        Some(user) => Some(normalize_keys(&USER, &user.keys)?),
        None => None,
    };
    if let Some(token_user) = &scope.user {
        if !user_keys
            .as_ref()
            .is_some_and(|keys| holds(keys, token_user))
        {
            return Err(DomainError::Forbidden(format!(
                "the portal token is for the user with {token_user}; identify must name that user"
            )));
        }
    }

    let mut tx = db.writer.begin().await?;
    let company = records::upsert(
        &mut tx,
        &COMPANY,
        &company_keys,
        request.company.name.as_deref(),
        &request.company.traits,
        now,
    )
    .await?;
    let mut user_id = None;
    if let (Some(user), Some(keys)) = (&request.user, &user_keys) {
        let upserted = records::upsert(
            &mut tx,
            &USER,
            keys,
            user.name.as_deref(),
            &user.traits,
            now,
        )
        .await?;
        ensure_membership(&mut tx, &company.id, &upserted.id, None, now).await?;
        user_id = Some(upserted.id);
    }
    let event_id = new_id("evt");
    let payload = serde_json::to_string(request).unwrap_or_default();
    sqlx::query(
        "INSERT INTO events (id, kind, company_id, user_id, payload, received_at) VALUES (?, 'identify', ?, ?, ?, ?)",
    )
    .bind(&event_id)
    .bind(&company.id)
    .bind(&user_id)
    .bind(payload)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(event_id)
}

pub async fn upsert_company(
    db: &Db,
    request: &UpsertCompany,
    now: Timestamp,
) -> Result<(CompanyRecord, bool), DomainError> {
    let keys = normalize_keys(&COMPANY, &request.keys)?;
    let mut tx = db.writer.begin().await?;
    let upserted = records::upsert(
        &mut tx,
        &COMPANY,
        &keys,
        request.name.as_deref(),
        &request.traits,
        now,
    )
    .await?;
    let record = records::load_company(&mut tx, &upserted.id).await?;
    tx.commit().await?;
    Ok((record, upserted.created))
}

pub async fn upsert_user(
    db: &Db,
    request: &UpsertUser,
    now: Timestamp,
) -> Result<(UserRecord, bool), DomainError> {
    let keys = normalize_keys(&USER, &request.keys)?;
    let company_keys = match &request.company {
        Some(keys) => Some(normalize_keys(&COMPANY, keys)?),
        None => None,
    };
    let mut tx = db.writer.begin().await?;
    let company_id = match &company_keys {
        Some(keys) => Some(
            records::find_by_keys(&mut tx, &COMPANY, keys)
                .await?
                .ok_or_else(|| DomainError::CompanyNotFound(describe(keys)))?,
        ),
        None => None,
    };
    let upserted = records::upsert(
        &mut tx,
        &USER,
        &keys,
        request.name.as_deref(),
        &request.traits,
        now,
    )
    .await?;
    if let Some(company_id) = &company_id {
        ensure_membership(&mut tx, company_id, &upserted.id, None, now).await?;
    }
    let record = records::load_user(&mut tx, &upserted.id).await?;
    tx.commit().await?;
    Ok((record, upserted.created))
}

pub fn describe(keys: &Keys) -> String {
    keys.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
