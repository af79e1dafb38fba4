//! The `workos import`, `workos catch-up` and `keys migrate` commands, and
//! the background sync `serve` starts: configuration in, a printed report
//! out. The work itself is in the sibling modules.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::api::WorkosClient;
use super::catch_up::{catch_up, CatchUpReport};
use super::config::{KeysCommand, KeysMigrateArgs, WorkosApiArgs, WorkosCommand, WorkosServeArgs};
use super::import::{import, ImportReport, Tally};
use super::key_migration::{
    migrate_keys, parse_mapping_csv, KeyMigration, KeyMigrationReport, Mapping,
};
use super::schedule::{self, SyncSchedule};
use crate::clock::{Clock, SystemClock};
use crate::db::Db;

fn client(api: &WorkosApiArgs) -> Result<WorkosClient, String> {
    let key = api
        .api_key
        .as_deref()
        .filter(|key| !key.trim().is_empty())
        .ok_or("--workos-api-key (or PORTICO_WORKOS_API_KEY) is required")?;
    WorkosClient::new(&api.base_url, key).map_err(|e| e.to_string())
}

/// Starts catch-up and reconcile in the background when an API key is
/// configured; `None` otherwise.
pub fn spawn_sync(
    args: &WorkosServeArgs,
    db: &Db,
    clock: Arc<dyn Clock>,
) -> Result<Option<JoinHandle<()>>, String> {
    if args
        .api
        .api_key
        .as_deref()
        .is_none_or(|key| key.trim().is_empty())
    {
        return Ok(None);
    }
    let client = client(&args.api)?;
    let schedule = SyncSchedule {
        catch_up_every: Duration::from_secs(args.catch_up_interval_secs),
        reconcile_every: Duration::from_secs(args.reconcile_interval_secs),
    };
    tracing::info!(
        base_url = %args.api.base_url,
        catch_up_every_secs = args.catch_up_interval_secs,
        reconcile_every_secs = args.reconcile_interval_secs,
        "WorkOS sync running in the background"
    );
    Ok(Some(schedule::spawn(db.clone(), client, clock, schedule)))
}

fn tally_line(what: &str, tally: &Tally) -> String {
    format!(
        "{what}: {} applied, {} unchanged, {} stale, {} already deleted",
        tally.applied, tally.unchanged, tally.stale, tally.already_deleted
    )
}

pub fn print_import(report: &ImportReport) {
    println!("{}", tally_line("organizations", &report.organizations));
    println!("{}", tally_line("users", &report.users));
    println!("{}", tally_line("memberships", &report.memberships));
    println!(
        "memberships WorkOS no longer lists, removed: {}",
        report.memberships_removed
    );
    print_refused(&report.refused);
}

pub fn print_catch_up(report: &CatchUpReport) {
    println!("{}", tally_line("events", &report.outcomes));
    println!("events handled before: {}", report.duplicates);
    println!(
        "cursor: {}",
        report.cursor.as_deref().unwrap_or("(none yet)")
    );
    print_refused(&report.refused);
}

fn print_refused(refused: &[String]) {
    println!("refused (nothing written for these): {}", refused.len());
    for reason in refused {
        println!("  {reason}");
    }
}

pub async fn run_workos(command: WorkosCommand) -> Result<(), String> {
    let clock = SystemClock;
    match command {
        WorkosCommand::Import(args) => {
            let client = client(&args.api)?;
            let db = Db::connect(&args.database_url)
                .await
                .map_err(|e| e.to_string())?;
            let report = import(&db, &client, &clock)
                .await
                .map_err(|e| e.to_string());
            db.close().await;
            print_import(&report?);
        }
        WorkosCommand::CatchUp(args) => {
            let client = client(&args.api)?;
            let db = Db::connect(&args.database_url)
                .await
                .map_err(|e| e.to_string())?;
            let report = catch_up(&db, &client, &clock)
                .await
                .map_err(|e| e.to_string());
            db.close().await;
            print_catch_up(&report?);
        }
    }
    Ok(())
}

pub fn print_key_migration(report: &KeyMigrationReport) {
    let verb = if report.dry_run { "would add" } else { "added" };
    println!("{verb} the WorkOS key to {} records", report.added.len());
    for (record, workos_id) in &report.added {
        println!("  {record} <- {workos_id}");
    }
    println!("already had it: {}", report.unchanged);
    for (label, list) in [
        ("not found", &report.not_found),
        ("conflicts (nothing written for these)", &report.conflicts),
        ("invalid", &report.invalid),
    ] {
        println!("{label}: {}", list.len());
        for line in list {
            println!("  {line}");
        }
    }
    if report.dry_run {
        println!("dry run: nothing was written");
    }
}

async fn run_key_migration(args: KeysMigrateArgs) -> Result<(), String> {
    let mapping = match &args.csv {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Mapping::Rows(parse_mapping_csv(&text).map_err(|e| e.to_string())?)
        }
        None => Mapping::SameValues,
    };
    let plan = KeyMigration {
        records: args.records,
        match_key: args.match_key.clone(),
        mapping,
        dry_run: args.dry_run,
    };
    let db = Db::connect(&args.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let report = migrate_keys(&db, &plan, SystemClock.now())
        .await
        .map_err(|e| e.to_string());
    db.close().await;
    let report = report?;
    print_key_migration(&report);
    if report.conflicts.is_empty() && report.invalid.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} conflicting and {} invalid rows were left alone",
            report.conflicts.len(),
            report.invalid.len()
        ))
    }
}

pub async fn run_keys(command: KeysCommand) -> Result<(), String> {
    match command {
        KeysCommand::Migrate(args) => run_key_migration(args).await,
    }
}
