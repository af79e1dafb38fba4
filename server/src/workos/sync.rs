//! The rules of the WorkOS sync, in one place: how a WorkOS organization,
//! user or organization membership (created, updated or deleted) lands in
//! Portico's companies, users and memberships. Webhooks, the Events API
//! catch-up and the import/reconcile all go through [`apply`], inside a write
//! transaction the caller owns and commits only on success.
//!
//! - A company carries the key `workos_organization_id`; a user carries
//!   `workos_user_id` and `email`. Records are found by those keys through
//!   [`records::upsert`], so an existing record is updated, never duplicated,
//!   and a user first identified by email gains its WorkOS id.
//! - WorkOS owns the email of its users: when it changes in WorkOS, the
//!   user's `email` key moves to the new address (unless another user holds
//!   it: a conflict).
//! - Keys that would merge two records, or give a record a second WorkOS id,
//!   are a conflict ([`DomainError::ConflictingKeys`]); nothing is written.
//! - Ordering: the WorkOS `updated_at` applied is kept per WorkOS object
//!   (`workos_objects`); an older version is skipped as stale. A version
//!   equal to the stored one is applied only if the record drifted from it,
//!   so re-running an import changes nothing.
//! - Deletes keep billing history (subscriptions, usage, events):
//!   - an organization: the company is soft-deleted (`deleted_at`), keeps its
//!     keys, and its memberships are removed (seats free up);
//!   - a user: the user is soft-deleted, keeps `workos_user_id`, gives up its
//!     `email` key (so a new WorkOS user with that address is a new user, not
//!     a conflict) and its memberships are removed;
//!   - a membership: the membership row is removed.
//!
//!   WorkOS never reuses ids, so a deletion is final: anything arriving
//!   later for that id is acknowledged and ignored.
//! - A membership whose organization or user is not here yet is refused
//!   ([`SyncError::NotYetSynced`]) without writing, so it is applied when
//!   WorkOS retries, or in order by catch-up.

use portico_types::{Keys, Timestamp, Traits, EMAIL, WORKOS_ORGANIZATION_ID, WORKOS_USER_ID};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

use super::objects::{Organization, OrganizationMembership, User, WorkosInstant};
use crate::domain::records::{self, find_by_keys, normalize_keys, COMPANY, USER};
use crate::error::DomainError;

/// The WorkOS event types the sync handles; others are acknowledged and
/// ignored.
pub const EVENT_TYPES: [&str; 9] = [
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organization_membership.created",
    "organization_membership.updated",
    "organization_membership.deleted",
    "user.created",
    "user.updated",
    "user.deleted",
];

/// One change from WorkOS: the object as WorkOS sent it and what happened
/// to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    OrganizationUpserted(Organization),
    OrganizationDeleted(Organization),
    UserUpserted(User),
    UserDeleted(User),
    MembershipUpserted(OrganizationMembership),
    MembershipDeleted(OrganizationMembership),
}

impl Change {
    /// The change an event describes; `None` for event types the sync does
    /// not handle, an error if `data` is not the object the type promises.
    pub fn from_event(
        event: &str,
        data: &serde_json::Value,
    ) -> Option<Result<Change, serde_json::Error>> {
        fn parse<T: serde::de::DeserializeOwned>(
            data: &serde_json::Value,
            wrap: fn(T) -> Change,
        ) -> Option<Result<Change, serde_json::Error>> {
            Some(T::deserialize(data).map(wrap))
        }
        match event {
            "organization.created" | "organization.updated" => {
                parse(data, Change::OrganizationUpserted)
            }
            "organization.deleted" => parse(data, Change::OrganizationDeleted),
            "user.created" | "user.updated" => parse(data, Change::UserUpserted),
            "user.deleted" => parse(data, Change::UserDeleted),
            "organization_membership.created" | "organization_membership.updated" => {
                parse(data, Change::MembershipUpserted)
            }
            "organization_membership.deleted" => parse(data, Change::MembershipDeleted),
            _ => None,
        }
    }

    /// The WorkOS id of the object changed.
    pub fn workos_id(&self) -> &str {
        match self {
            Change::OrganizationUpserted(o) | Change::OrganizationDeleted(o) => &o.id,
            Change::UserUpserted(u) | Change::UserDeleted(u) => &u.id,
            Change::MembershipUpserted(m) | Change::MembershipDeleted(m) => &m.id,
        }
    }
}

/// What applying a change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Portico's records now reflect the change.
    Applied,
    /// They already did: nothing was written.
    Unchanged,
    /// A newer version of the object was applied before: skipped.
    Stale,
    /// WorkOS deleted the object (or its organization or user): skipped.
    AlreadyDeleted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Unchanged => "unchanged",
            Outcome::Stale => "stale",
            Outcome::AlreadyDeleted => "already_deleted",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(
        "organization membership {membership} is for {what} {workos_id}, which has not been synced yet; \
         nothing was changed. It is applied when WorkOS retries, or by catch-up or reconcile"
    )]
    NotYetSynced {
        membership: String,
        what: &'static str,
        workos_id: String,
    },
}

impl From<sqlx::Error> for SyncError {
    fn from(error: sqlx::Error) -> Self {
        SyncError::Domain(DomainError::Database(error))
    }
}

impl SyncError {
    /// A refusal about this one change (a conflict, an object not synced
    /// yet, bad data), as opposed to the database failing.
    pub fn is_about_the_change(&self) -> bool {
        !matches!(self, SyncError::Domain(DomainError::Database(_)))
    }
}

/// Applies one change. The caller owns the transaction.
pub async fn apply(
    conn: &mut SqliteConnection,
    change: &Change,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    match change {
        Change::OrganizationUpserted(org) => upsert_organization(conn, org, now).await,
        Change::OrganizationDeleted(org) => delete_organization(conn, org, now).await,
        Change::UserUpserted(user) => upsert_user(conn, user, now).await,
        Change::UserDeleted(user) => delete_user(conn, user, now).await,
        Change::MembershipUpserted(m) => upsert_membership(conn, m, now).await,
        Change::MembershipDeleted(m) => delete_membership(conn, m, now).await,
    }
}

/// Whether the event was seen before, and if not, what applying it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventResult {
    Duplicate,
    Handled(Outcome),
}

/// Applies a WorkOS event exactly once: an event id already recorded
/// changes nothing; otherwise the change is applied and the id recorded, in
/// the caller's transaction.
pub async fn apply_event(
    conn: &mut SqliteConnection,
    event_id: &str,
    event_type: &str,
    change: &Change,
    now: Timestamp,
) -> Result<EventResult, SyncError> {
    let seen: Option<String> = sqlx::query_scalar("SELECT outcome FROM workos_events WHERE id = ?")
        .bind(event_id)
        .fetch_optional(&mut *conn)
        .await?;
    if seen.is_some() {
        return Ok(EventResult::Duplicate);
    }
    let outcome = apply(conn, change, now).await?;
    sqlx::query(
        "INSERT INTO workos_events (id, event, object_id, outcome, processed_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(event_id)
    .bind(event_type)
    .bind(change.workos_id())
    .bind(outcome.as_str())
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    Ok(EventResult::Handled(outcome))
}

const ORGANIZATION: &str = "organization";
const USER_OBJECT: &str = "user";
const MEMBERSHIP: &str = "organization_membership";

/// Where an incoming version stands against what was applied before.
enum Gate {
    /// Go ahead; `same_version` when this very version was applied before
    /// (so only drift, if any, needs repairing).
    Proceed {
        same_version: bool,
    },
    Skip(Outcome),
}

async fn gate(
    conn: &mut SqliteConnection,
    workos_id: &str,
    incoming: WorkosInstant,
) -> Result<Gate, SyncError> {
    let row =
        sqlx::query("SELECT workos_updated_at, deleted_at FROM workos_objects WHERE workos_id = ?")
            .bind(workos_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else {
        return Ok(Gate::Proceed {
            same_version: false,
        });
    };
    let applied: i64 = row.try_get(0)?;
    let deleted_at: Option<i64> = row.try_get(1)?;
    Ok(if deleted_at.is_some() {
        Gate::Skip(Outcome::AlreadyDeleted)
    } else if incoming.unix_millis < applied {
        Gate::Skip(Outcome::Stale)
    } else {
        Gate::Proceed {
            same_version: incoming.unix_millis == applied,
        }
    })
}

async fn remember(
    conn: &mut SqliteConnection,
    workos_id: &str,
    object: &str,
    updated_at: WorkosInstant,
    now: Timestamp,
) -> Result<(), SyncError> {
    sqlx::query(
        "INSERT INTO workos_objects (workos_id, object, workos_updated_at, synced_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (workos_id) DO UPDATE SET
             workos_updated_at = MAX(workos_objects.workos_updated_at, excluded.workos_updated_at),
             synced_at = excluded.synced_at",
    )
    .bind(workos_id)
    .bind(object)
    .bind(updated_at.unix_millis)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks a WorkOS object deleted, for good. `false` if it already was.
async fn tombstone(
    conn: &mut SqliteConnection,
    workos_id: &str,
    object: &str,
    updated_at: WorkosInstant,
    now: Timestamp,
) -> Result<bool, SyncError> {
    let already: Option<Option<i64>> =
        sqlx::query_scalar("SELECT deleted_at FROM workos_objects WHERE workos_id = ?")
            .bind(workos_id)
            .fetch_optional(&mut *conn)
            .await?;
    if matches!(already, Some(Some(_))) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO workos_objects (workos_id, object, workos_updated_at, deleted_at, synced_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (workos_id) DO UPDATE SET
             workos_updated_at = MAX(workos_objects.workos_updated_at, excluded.workos_updated_at),
             deleted_at = excluded.deleted_at,
             synced_at = excluded.synced_at",
    )
    .bind(workos_id)
    .bind(object)
    .bind(updated_at.unix_millis)
    .bind(now.0)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

fn single_key(name: &str, value: &str) -> Keys {
    Keys::from([(name.to_owned(), value.to_owned())])
}

fn clean_name(name: Option<&str>) -> Option<String> {
    name.map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

/// A record found by one key: its id and whether it is soft-deleted.
async fn find_record(
    conn: &mut SqliteConnection,
    kind: &records::RecordKind,
    key_name: &str,
    key_value: &str,
) -> Result<Option<(String, bool)>, SyncError> {
    let keys = normalize_keys(kind, &single_key(key_name, key_value))?;
    let Some(id) = find_by_keys(conn, kind, &keys).await? else {
        return Ok(None);
    };
    let sql = if kind.noun == COMPANY.noun {
        "SELECT deleted_at FROM companies WHERE id = ?"
    } else {
        "SELECT deleted_at FROM users WHERE id = ?"
    };
    let deleted_at: Option<i64> = sqlx::query_scalar(sql)
        .bind(&id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Some((id, deleted_at.is_some())))
}

async fn stored_name(
    conn: &mut SqliteConnection,
    kind: &records::RecordKind,
    id: &str,
) -> Result<Option<String>, SyncError> {
    let sql = if kind.noun == COMPANY.noun {
        "SELECT name FROM companies WHERE id = ?"
    } else {
        "SELECT name FROM users WHERE id = ?"
    };
    Ok(sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?)
}

async fn upsert_organization(
    conn: &mut SqliteConnection,
    org: &Organization,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    let same_version = match gate(conn, &org.id, org.updated_at).await? {
        Gate::Skip(outcome) => return Ok(outcome),
        Gate::Proceed { same_version } => same_version,
    };
    let keys = normalize_keys(&COMPANY, &single_key(WORKOS_ORGANIZATION_ID, &org.id))?;
    let name = clean_name(Some(&org.name));
    let unchanged = match find_by_keys(conn, &COMPANY, &keys).await? {
        Some(id) => name.is_none() || stored_name(conn, &COMPANY, &id).await? == name,
        None => false,
    };
    if !unchanged {
        records::upsert(conn, &COMPANY, &keys, name.as_deref(), &Traits::new(), now).await?;
    }
    if !same_version {
        remember(conn, &org.id, ORGANIZATION, org.updated_at, now).await?;
    }
    Ok(if unchanged {
        Outcome::Unchanged
    } else {
        Outcome::Applied
    })
}

async fn upsert_user(
    conn: &mut SqliteConnection,
    user: &User,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    let same_version = match gate(conn, &user.id, user.updated_at).await? {
        Gate::Skip(outcome) => return Ok(outcome),
        Gate::Proceed { same_version } => same_version,
    };
    let keys = normalize_keys(
        &USER,
        &Keys::from([
            (WORKOS_USER_ID.to_owned(), user.id.clone()),
            (EMAIL.to_owned(), user.email.clone()),
        ]),
    )?;
    let email = keys.get(EMAIL).cloned().unwrap_or_default();
    let name = user.display_name();

    let mut unchanged = false;
    let by_workos_id = find_by_keys(conn, &USER, &single_key(WORKOS_USER_ID, &user.id)).await?;
    if let Some(id) = &by_workos_id {
        let held = records::user_keys(conn, id).await?;
        match held.get(EMAIL) {
            Some(current) if *current == email => {
                unchanged = name.is_none() || stored_name(conn, &USER, id).await? == name;
            }
            Some(current) => {
                // WorkOS owns its users' email addresses: the key follows a
                // change, unless the new address is another user's.
                if let Some(other) = find_by_keys(conn, &USER, &single_key(EMAIL, &email)).await? {
                    if other != *id {
                        return Err(DomainError::ConflictingKeys(format!(
                            "WorkOS user {} changed email from {current} to {email}, but user {other} \
                             already has email={email}; nothing was changed",
                            user.id
                        ))
                        .into());
                    }
                }
                sqlx::query(
                    "UPDATE user_keys SET key_value = ? WHERE user_id = ? AND key_name = ?",
                )
                .bind(&email)
                .bind(id)
                .bind(EMAIL)
                .execute(&mut *conn)
                .await?;
            }
            None => {}
        }
    }
    if !unchanged {
        records::upsert(conn, &USER, &keys, name.as_deref(), &Traits::new(), now).await?;
    }
    if !same_version {
        remember(conn, &user.id, USER_OBJECT, user.updated_at, now).await?;
    }
    Ok(if unchanged {
        Outcome::Unchanged
    } else {
        Outcome::Applied
    })
}

struct StoredMembership {
    role: Option<String>,
    status: String,
    workos_membership_id: Option<String>,
    created_at: i64,
}

async fn upsert_membership(
    conn: &mut SqliteConnection,
    membership: &OrganizationMembership,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    let same_version = match gate(conn, &membership.id, membership.updated_at).await? {
        Gate::Skip(outcome) => return Ok(outcome),
        Gate::Proceed { same_version } => same_version,
    };
    let not_synced = |what: &'static str, workos_id: &str| SyncError::NotYetSynced {
        membership: membership.id.clone(),
        what,
        workos_id: workos_id.to_owned(),
    };
    let company = find_record(
        conn,
        &COMPANY,
        WORKOS_ORGANIZATION_ID,
        &membership.organization_id,
    )
    .await?
    .ok_or_else(|| not_synced("organization", &membership.organization_id))?;
    let user = find_record(conn, &USER, WORKOS_USER_ID, &membership.user_id)
        .await?
        .ok_or_else(|| not_synced("user", &membership.user_id))?;
    let (company_id, user_id) = match (company, user) {
        ((_, true), _) | (_, (_, true)) => return Ok(Outcome::AlreadyDeleted),
        ((company_id, false), (user_id, false)) => (company_id, user_id),
    };

    let stored = sqlx::query(
        "SELECT role, status, workos_membership_id, created_at FROM memberships
         WHERE company_id = ? AND user_id = ?",
    )
    .bind(&company_id)
    .bind(&user_id)
    .fetch_optional(&mut *conn)
    .await?
    .map(|row| -> Result<StoredMembership, sqlx::Error> {
        Ok(StoredMembership {
            role: row.try_get(0)?,
            status: row.try_get(1)?,
            workos_membership_id: row.try_get(2)?,
            created_at: row.try_get(3)?,
        })
    })
    .transpose()?;

    let role = membership.role.as_ref().map(|role| role.slug.clone());
    let status = membership.status.as_str();
    let joined_at = membership.created_at.to_timestamp().0;
    let unchanged = stored.as_ref().is_some_and(|stored| {
        (role.is_none() || stored.role == role)
            && stored.status == status
            && stored.workos_membership_id.as_deref() == Some(membership.id.as_str())
            && stored.created_at == joined_at
    });
    if !unchanged {
        sqlx::query(
            "INSERT INTO memberships (company_id, user_id, role, status, created_at, updated_at, workos_membership_id)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (company_id, user_id) DO UPDATE SET
                 role = COALESCE(excluded.role, memberships.role),
                 status = excluded.status,
                 created_at = excluded.created_at,
                 updated_at = excluded.updated_at,
                 workos_membership_id = excluded.workos_membership_id",
        )
        .bind(&company_id)
        .bind(&user_id)
        .bind(&role)
        .bind(status)
        .bind(joined_at)
        .bind(now.0)
        .bind(&membership.id)
        .execute(&mut *conn)
        .await?;
    }
    if !same_version {
        remember(conn, &membership.id, MEMBERSHIP, membership.updated_at, now).await?;
    }
    Ok(if unchanged {
        Outcome::Unchanged
    } else {
        Outcome::Applied
    })
}

async fn delete_organization(
    conn: &mut SqliteConnection,
    org: &Organization,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    if !tombstone(conn, &org.id, ORGANIZATION, org.updated_at, now).await? {
        return Ok(Outcome::AlreadyDeleted);
    }
    if let Some((company_id, _)) =
        find_record(conn, &COMPANY, WORKOS_ORGANIZATION_ID, &org.id).await?
    {
        sqlx::query(
            "UPDATE companies SET deleted_at = COALESCE(deleted_at, ?), updated_at = ? WHERE id = ?",
        )
        .bind(now.0)
        .bind(now.0)
        .bind(&company_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM memberships WHERE company_id = ?")
            .bind(&company_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Outcome::Applied)
}

async fn delete_user(
    conn: &mut SqliteConnection,
    user: &User,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    if !tombstone(conn, &user.id, USER_OBJECT, user.updated_at, now).await? {
        return Ok(Outcome::AlreadyDeleted);
    }
    if let Some((user_id, _)) = find_record(conn, &USER, WORKOS_USER_ID, &user.id).await? {
        sqlx::query(
            "UPDATE users SET deleted_at = COALESCE(deleted_at, ?), updated_at = ? WHERE id = ?",
        )
        .bind(now.0)
        .bind(now.0)
        .bind(&user_id)
        .execute(&mut *conn)
        .await?;
        // The address may come back as a new WorkOS user; it must find no
        // record holding it.
        sqlx::query("DELETE FROM user_keys WHERE user_id = ? AND key_name = ?")
            .bind(&user_id)
            .bind(EMAIL)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM memberships WHERE user_id = ?")
            .bind(&user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Outcome::Applied)
}

async fn delete_membership(
    conn: &mut SqliteConnection,
    membership: &OrganizationMembership,
    now: Timestamp,
) -> Result<Outcome, SyncError> {
    if !tombstone(conn, &membership.id, MEMBERSHIP, membership.updated_at, now).await? {
        return Ok(Outcome::AlreadyDeleted);
    }
    let company = find_record(
        conn,
        &COMPANY,
        WORKOS_ORGANIZATION_ID,
        &membership.organization_id,
    )
    .await?;
    let user = find_record(conn, &USER, WORKOS_USER_ID, &membership.user_id).await?;
    if let (Some((company_id, _)), Some((user_id, _))) = (company, user) {
        // Only the membership this WorkOS membership made (or one identify
        // made and WorkOS never named): a re-invitation is a new `om_…` and
        // may already have replaced it.
        sqlx::query(
            "DELETE FROM memberships WHERE company_id = ? AND user_id = ?
             AND (workos_membership_id = ? OR workos_membership_id IS NULL)",
        )
        .bind(&company_id)
        .bind(&user_id)
        .bind(&membership.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Outcome::Applied)
}

/// Removes the memberships of `company_id` that came from WorkOS but that
/// WorkOS no longer lists (deleted while no event reached us). Only
/// memberships last synced before `listed_since` are touched, so one a
/// webhook applied while the list was being read survives. Returns how many
/// were removed.
pub async fn prune_memberships(
    conn: &mut SqliteConnection,
    company_id: &str,
    listed: &std::collections::HashSet<String>,
    listed_since: Timestamp,
) -> Result<u64, SyncError> {
    let rows = sqlx::query(
        "SELECT m.user_id, m.workos_membership_id FROM memberships m
         LEFT JOIN workos_objects o ON o.workos_id = m.workos_membership_id
         WHERE m.company_id = ? AND m.workos_membership_id IS NOT NULL
           AND COALESCE(o.synced_at, 0) < ?",
    )
    .bind(company_id)
    .bind(listed_since.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut removed = 0;
    for row in rows {
        let user_id: String = row.try_get(0)?;
        let membership_id: String = row.try_get(1)?;
        if listed.contains(&membership_id) {
            continue;
        }
        sqlx::query("DELETE FROM memberships WHERE company_id = ? AND user_id = ?")
            .bind(company_id)
            .bind(&user_id)
            .execute(&mut *conn)
            .await?;
        removed += 1;
    }
    Ok(removed)
}

/// A webhook delivery, verified and parsed: applies it exactly once in one
/// write transaction. On any error nothing is written.
pub async fn receive_event(
    db: &crate::db::Db,
    event_id: &str,
    event_type: &str,
    change: &Change,
    now: Timestamp,
) -> Result<EventResult, SyncError> {
    let mut tx = db.writer.begin().await?;
    let result = apply_event(&mut tx, event_id, event_type, change, now).await?;
    tx.commit().await?;
    Ok(result)
}
