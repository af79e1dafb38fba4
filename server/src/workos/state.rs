//! Small named values the sync keeps between runs (`workos_sync_state`):
//! the Events API cursor and when the last reconcile ran.

use portico_types::Timestamp;
use sqlx::SqliteConnection;

/// The id of the last Events API event handled.
pub const EVENTS_CURSOR: &str = "events_cursor";
/// When the last import or reconcile started (Unix seconds).
pub const RECONCILED_AT: &str = "reconciled_at";

pub async fn read(conn: &mut SqliteConnection, name: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM workos_sync_state WHERE name = ?")
        .bind(name)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn write(
    conn: &mut SqliteConnection,
    name: &str,
    value: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO workos_sync_state (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(value)
    .bind(now.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
