//! Catch-up from the WorkOS Events API: every sync event after the stored
//! cursor, oldest first, each applied exactly once (event ids already handled
//! by a webhook are skipped) and the cursor moved past it in the same
//! transaction, so a server that was down, or a run cut short, resumes where
//! it stopped and misses nothing WorkOS still keeps (30 days).
//!
//! A refused event (conflicting keys, a membership whose user is not here)
//! is reported and passed over, so one bad object cannot stall the stream;
//! the scheduled reconcile repairs it once the cause is fixed.

use serde::Serialize;

use super::api::WorkosClient;
use super::import::{SyncRunError, Tally};
use super::state;
use super::sync::{self, Change, EventResult, EVENT_TYPES};
use crate::clock::Clock;
use crate::db::Db;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CatchUpReport {
    /// Events handled now, by outcome.
    pub outcomes: Tally,
    /// Events handled before (by a webhook or an earlier run).
    pub duplicates: u64,
    /// Events refused, each with the reason.
    pub refused: Vec<String>,
    /// The cursor after this run.
    pub cursor: Option<String>,
}

pub async fn catch_up(
    db: &Db,
    client: &WorkosClient,
    clock: &dyn Clock,
) -> Result<CatchUpReport, SyncRunError> {
    let mut report = CatchUpReport::default();
    let mut cursor = {
        let mut conn = db.writer.acquire().await?;
        state::read(&mut conn, state::EVENTS_CURSOR).await?
    };
    loop {
        let page = client.events(&EVENT_TYPES, cursor.as_deref()).await?;
        if page.data.is_empty() {
            break;
        }
        for envelope in &page.data {
            let now = clock.now();
            let mut tx = db.writer.begin().await?;
            let result = match Change::from_event(&envelope.event, &envelope.data) {
                // Asked only for the sync's types; anything else is skipped.
                None => Ok(None),
                Some(Err(error)) => Err(format!(
                    "{} ({}): the data is not a WorkOS {}: {error}",
                    envelope.id, envelope.event, envelope.event
                )),
                Some(Ok(change)) => {
                    match sync::apply_event(&mut tx, &envelope.id, &envelope.event, &change, now)
                        .await
                    {
                        Ok(result) => Ok(Some(result)),
                        Err(error) if error.is_about_the_change() => {
                            Err(format!("{} ({}): {error}", envelope.id, envelope.event))
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
            };
            match result {
                Ok(Some(EventResult::Duplicate)) => report.duplicates += 1,
                Ok(Some(EventResult::Handled(outcome))) => report.outcomes.add(outcome),
                Ok(None) => {}
                Err(reason) => {
                    tracing::warn!(%reason, "WorkOS event refused during catch-up");
                    report.refused.push(reason);
                    // Whatever the refused change began writing goes; only
                    // the cursor moves.
                    tx.rollback().await?;
                    tx = db.writer.begin().await?;
                }
            }
            state::write(&mut tx, state::EVENTS_CURSOR, &envelope.id, now).await?;
            tx.commit().await?;
            cursor = Some(envelope.id.clone());
        }
        if page.list_metadata.after.is_none() {
            break;
        }
    }
    report.cursor = cursor;
    Ok(report)
}
