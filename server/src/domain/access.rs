//! Whether a browser credential's organization and user are still in good
//! standing: the organization not deleted, the user not deleted, and the
//! user's membership in the organization not `inactive`.
//!
//! A signed token stays valid until it expires, but WorkOS may delete an
//! organization or deactivate a membership before then (the sync records it
//! as `deleted_at` / `status = 'inactive'`). Every browser request is checked
//! here before anything is read or written, and identify checks again inside
//! its write transaction, so a refused credential changes nothing.
//!
//! A company or user not identified yet is in good standing: there is
//! nothing to refuse it for, and identify is what creates it.

use sqlx::SqliteConnection;

use super::TokenScope;
use crate::error::DomainError;

/// Refuses (403) a scope whose organization or user has been deleted, or
/// whose user's membership in the organization is inactive. One query,
/// every value bound; it also answers the id of the scope's company (none
/// before identify), which the reads that follow need, so that they do not
/// look it up again.
pub async fn check_standing(
    conn: &mut SqliteConnection,
    scope: &TokenScope,
) -> Result<Option<String>, DomainError> {
    let (user_name, user_value) = match &scope.user {
        Some(user) => (Some(user.name.as_str()), Some(user.value.as_str())),
        None => (None, None),
    };
    let (company_id, company_deleted_at, user_deleted_at, membership_status): (
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT
            (SELECT k.company_id FROM company_keys k WHERE k.key_name = ?1 AND k.key_value = ?2),
            (SELECT c.deleted_at FROM company_keys k JOIN companies c ON c.id = k.company_id
              WHERE k.key_name = ?1 AND k.key_value = ?2),
            (SELECT u.deleted_at FROM user_keys k JOIN users u ON u.id = k.user_id
              WHERE k.key_name = ?3 AND k.key_value = ?4),
            (SELECT m.status FROM company_keys ck
               JOIN memberships m ON m.company_id = ck.company_id
               JOIN user_keys uk ON uk.user_id = m.user_id
              WHERE ck.key_name = ?1 AND ck.key_value = ?2 AND uk.key_name = ?3 AND uk.key_value = ?4)",
    )
    .bind(&scope.company.name)
    .bind(&scope.company.value)
    .bind(user_name)
    .bind(user_value)
    .fetch_one(&mut *conn)
    .await?;

    if company_deleted_at.is_some() {
        return Err(DomainError::Forbidden(format!(
            "the organization with {} has been deleted: its portal is closed and nothing was changed",
            scope.company
        )));
    }
    if let Some(user) = &scope.user {
        if user_deleted_at.is_some() {
            return Err(DomainError::Forbidden(format!(
                "the user with {user} has been deleted: nothing was changed"
            )));
        }
        if membership_status.as_deref() == Some("inactive") {
            return Err(DomainError::Forbidden(format!(
                "the membership of the user with {user} in the organization with {} is inactive: \
                 nothing was changed",
                scope.company
            )));
        }
    }
    Ok(company_id)
}
