//! The sync's background work in `serve`, when a WorkOS API key is
//! configured: catch up from the Events API every `catch_up_every` (the
//! first time at start-up, so a server that was down catches up at once),
//! and reconcile when the last one, as stored in the database, is
//! `reconcile_every` old or there was none. Failures are logged and retried
//! at the next tick; they never stop the server.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::api::WorkosClient;
use super::catch_up::catch_up;
use super::import::import;
use super::state;
use crate::clock::Clock;
use crate::db::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncSchedule {
    pub catch_up_every: Duration,
    pub reconcile_every: Duration,
}

async fn reconcile_due(db: &Db, clock: &dyn Clock, every: Duration) -> Result<bool, sqlx::Error> {
    let mut conn = db.reader.acquire().await?;
    let last = state::read(&mut conn, state::RECONCILED_AT).await?;
    let Some(last) = last.and_then(|text| text.parse::<i64>().ok()) else {
        return Ok(true);
    };
    let every = i64::try_from(every.as_secs()).unwrap_or(i64::MAX);
    Ok(clock.now().0.saturating_sub(last) >= every)
}

/// Runs one round: catch up, then reconcile if due.
pub async fn run_once(db: &Db, client: &WorkosClient, clock: &dyn Clock, schedule: SyncSchedule) {
    match catch_up(db, client, clock).await {
        Ok(report) => tracing::info!(
            applied = report.outcomes.applied,
            duplicates = report.duplicates,
            refused = report.refused.len(),
            cursor = report.cursor.as_deref().unwrap_or(""),
            "WorkOS catch-up done"
        ),
        Err(error) => tracing::warn!(%error, "WorkOS catch-up failed; retrying at the next tick"),
    }
    match reconcile_due(db, clock, schedule.reconcile_every).await {
        Ok(true) => match import(db, client, clock).await {
            Ok(report) => tracing::info!(
                changes = report.changes(),
                refused = report.refused.len(),
                "WorkOS reconcile done"
            ),
            Err(error) => {
                tracing::warn!(%error, "WorkOS reconcile failed; retrying at the next tick")
            }
        },
        Ok(false) => {}
        Err(error) => tracing::warn!(%error, "cannot read when WorkOS was last reconciled"),
    }
}

pub fn spawn(
    db: Db,
    client: WorkosClient,
    clock: Arc<dyn Clock>,
    schedule: SyncSchedule,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(schedule.catch_up_every.max(Duration::from_secs(1)));
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            run_once(&db, &client, clock.as_ref(), schedule).await;
        }
    })
}
