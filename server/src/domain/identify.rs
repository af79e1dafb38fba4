//! Identify (browser, scoped by a portal token or AuthKit access token,
//! records an event) and its server-side siblings, the company and user
//! upserts (secret key, return the record). Each runs in one write
//! transaction: all of it or none.
//!
//! A browser may only ever identify itself. Its company keys must include
//! the token's company key and resolve to the company that key names (or to
//! no company yet); its user keys likewise for the token's user. Keys that
//! pick out some other record would attach the token's key to that record
//! and hand the browser its data, so they are refused (403) before anything
//! is written. Linking keys across records is the host backend's job, with
//! the secret key (`PUT /v1/companies`, `PUT /v1/users`).

use portico_types::{
    CompanyRecord, IdentifyRequest, KeyRef, Keys, Timestamp, UpsertCompany, UpsertUser, UserRecord,
};

use sqlx::SqliteConnection;

use super::records::{self, ensure_membership, normalize_keys, RecordKind, COMPANY, USER};
use super::{access, TokenScope};
use crate::db::Db;
use crate::error::DomainError;
use crate::ids::new_id;

fn holds(keys: &Keys, key: &KeyRef) -> bool {
    keys.get(&key.name).is_some_and(|value| value == &key.value)
}

/// The record holding exactly `key`, if any.
async fn owner_of(
    conn: &mut SqliteConnection,
    kind: &RecordKind,
    key: &KeyRef,
) -> Result<Option<String>, DomainError> {
    let keys = Keys::from([(key.name.clone(), key.value.clone())]);
    records::find_by_keys(conn, kind, &keys).await
}

/// Whether `user_id` is a member (not an inactive one) of `company_id`.
async fn is_member(
    conn: &mut SqliteConnection,
    company_id: &str,
    user_id: &str,
) -> Result<bool, DomainError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM memberships WHERE company_id = ? AND user_id = ? AND status <> 'inactive'",
    )
    .bind(company_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

/// Refuses keys that resolve to a record other than the one the token
/// names. Returns nothing; the upsert that follows resolves them again in
/// the same transaction.
async fn check_keys_resolve_to_token(
    conn: &mut SqliteConnection,
    scope: &TokenScope,
    company_keys: &Keys,
    user_keys: Option<&Keys>,
) -> Result<(), DomainError> {
    // The token's key is among `company_keys`, so if it names a company the
    // keys resolve to that company or conflict (409). The hole is a token key
    // nobody holds yet next to keys of an existing company.
    let token_company = owner_of(conn, &COMPANY, &scope.company).await?;
    if token_company.is_none()
        && records::find_by_keys(conn, &COMPANY, company_keys)
            .await?
            .is_some()
    {
        return Err(DomainError::Forbidden(format!(
            "the company keys name an existing company that does not have {}: a browser can only \
             identify the company its token names. Link keys from your backend with \
             PUT /v1/companies. Nothing was changed",
            scope.company
        )));
    }
    let (Some(token_user), Some(user_keys)) = (&scope.user, user_keys) else {
        return Ok(());
    };
    if owner_of(conn, &USER, token_user).await?.is_some() {
        return Ok(());
    }
    let Some(existing) = records::find_by_keys(conn, &USER, user_keys).await? else {
        return Ok(());
    };
    // A user the host's backend created (by email, say) and made a member
    // of this very company may gain the token's user key: that is the host
    // linking its own records. Anyone else's record may not.
    let linked_by_host = match &token_company {
        Some(company_id) => is_member(conn, company_id, &existing).await?,
        None => false,
    };
    if !linked_by_host {
        return Err(DomainError::Forbidden(format!(
            "the user keys name an existing user who does not have {token_user} and is not a \
             member of this organization: a browser can only identify the user its token names. \
             Nothing was changed"
        )));
    }
    Ok(())
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
            "the token is for the company with {}; identify must name that company",
            scope.company
        )));
    }
    let user_keys = match &request.user {
        Some(user) => Some(normalize_keys(&USER, &user.keys)?),
        None => None,
    };
    if scope.user.is_none() && user_keys.is_some() {
        return Err(DomainError::Forbidden(
            "the token names no user, so identify cannot name one: mint the portal token with \
             `user` (AuthKit access tokens always name theirs). Nothing was changed"
                .into(),
        ));
    }
    if let Some(token_user) = &scope.user {
        if !user_keys
            .as_ref()
            .is_some_and(|keys| holds(keys, token_user))
        {
            return Err(DomainError::Forbidden(format!(
                "the token is for the user with {token_user}; identify must name that user"
            )));
        }
    }

    let mut tx = db.writer.begin().await?;
    // Checked again inside the transaction: a deletion or deactivation that
    // landed after the request was authenticated still stops this write.
    access::check_standing(&mut tx, scope).await?;
    check_keys_resolve_to_token(&mut tx, scope, &company_keys, user_keys.as_ref()).await?;
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
