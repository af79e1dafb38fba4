//! Import and reconcile: list every WorkOS organization, user and
//! organization membership and apply each with the sync's rules. Safe to
//! re-run: what already matches is left alone. The scheduled reconcile is
//! this same pass; besides repairing records that drifted (missed events),
//! it removes WorkOS memberships that WorkOS no longer lists.
//!
//! Companies and users that WorkOS no longer lists are left alone: a
//! mistaken API key (another WorkOS environment) must not be able to delete
//! everyone. Their deletions arrive as events.

use std::collections::HashSet;

use portico_types::WORKOS_ORGANIZATION_ID;
use serde::Serialize;

use super::api::{WorkosApiError, WorkosClient};
use super::state;
use super::sync::{self, Change, Outcome, SyncError};
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::records::{find_by_keys, COMPANY};
use crate::error::DomainError;

/// How many changes ended which way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub applied: u64,
    pub unchanged: u64,
    pub stale: u64,
    pub already_deleted: u64,
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Applied => self.applied += 1,
            Outcome::Unchanged => self.unchanged += 1,
            Outcome::Stale => self.stale += 1,
            Outcome::AlreadyDeleted => self.already_deleted += 1,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub organizations: Tally,
    pub users: Tally,
    pub memberships: Tally,
    /// WorkOS memberships WorkOS no longer lists, removed here.
    pub memberships_removed: u64,
    /// Objects refused (conflicting keys, a membership whose user is not
    /// here, invalid data), each with the reason; nothing was written for
    /// them.
    pub refused: Vec<String>,
}

impl ImportReport {
    /// Every write the pass made.
    pub fn changes(&self) -> u64 {
        self.organizations.applied
            + self.users.applied
            + self.memberships.applied
            + self.memberships_removed
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncRunError {
    #[error(transparent)]
    Api(#[from] WorkosApiError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl From<sqlx::Error> for SyncRunError {
    fn from(error: sqlx::Error) -> Self {
        SyncRunError::Sync(error.into())
    }
}

impl From<DomainError> for SyncRunError {
    fn from(error: DomainError) -> Self {
        SyncRunError::Sync(error.into())
    }
}

/// Applies one change in its own transaction; a refusal is reported and the
/// pass goes on, a database failure stops it.
async fn apply_one(
    db: &Db,
    change: &Change,
    clock: &dyn Clock,
    tally: &mut Tally,
    refused: &mut Vec<String>,
) -> Result<bool, SyncRunError> {
    let mut tx = db.writer.begin().await?;
    match sync::apply(&mut tx, change, clock.now()).await {
        Ok(outcome) => {
            tx.commit().await?;
            tally.add(outcome);
            Ok(true)
        }
        Err(error) if error.is_about_the_change() => {
            tracing::warn!(workos_id = change.workos_id(), %error, "WorkOS object refused");
            refused.push(format!("{}: {error}", change.workos_id()));
            Ok(false)
        }
        Err(error) => Err(error.into()),
    }
}

/// Lists everything in WorkOS and applies it. See the module docs.
pub async fn import(
    db: &Db,
    client: &WorkosClient,
    clock: &dyn Clock,
) -> Result<ImportReport, SyncRunError> {
    let started = clock.now();
    let mut report = ImportReport::default();

    let mut organization_ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = client.organizations(after.as_deref()).await?;
        for org in page.data {
            organization_ids.push(org.id.clone());
            let change = Change::OrganizationUpserted(org);
            apply_one(
                db,
                &change,
                clock,
                &mut report.organizations,
                &mut report.refused,
            )
            .await?;
        }
        after = page.list_metadata.after;
        if after.is_none() {
            break;
        }
    }

    let mut after: Option<String> = None;
    loop {
        let page = client.users(after.as_deref()).await?;
        for user in page.data {
            let change = Change::UserUpserted(user);
            apply_one(db, &change, clock, &mut report.users, &mut report.refused).await?;
        }
        after = page.list_metadata.after;
        if after.is_none() {
            break;
        }
    }

    for organization_id in organization_ids {
        let mut listed = HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let page = client
                .memberships(&organization_id, after.as_deref())
                .await?;
            for membership in page.data {
                listed.insert(membership.id.clone());
                let change = Change::MembershipUpserted(membership);
                apply_one(
                    db,
                    &change,
                    clock,
                    &mut report.memberships,
                    &mut report.refused,
                )
                .await?;
            }
            after = page.list_metadata.after;
            if after.is_none() {
                break;
            }
        }
        let mut tx = db.writer.begin().await?;
        let keys = [(WORKOS_ORGANIZATION_ID.to_owned(), organization_id.clone())].into();
        if let Some(company_id) = find_by_keys(&mut tx, &COMPANY, &keys).await? {
            report.memberships_removed +=
                sync::prune_memberships(&mut tx, &company_id, &listed, started).await?;
        }
        tx.commit().await?;
    }

    let mut tx = db.writer.begin().await?;
    state::write(
        &mut tx,
        state::RECONCILED_AT,
        &started.0.to_string(),
        clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
