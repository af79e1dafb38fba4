//! The WorkOS sync's command-line flags and environment variables, and the
//! `workos …` / `keys …` subcommands. Flattened into `crate::config`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::api::DEFAULT_BASE_URL;
use super::key_migration::MigratedRecords;
use super::signature::WebhookSettings;

/// Where the WorkOS REST API is and how to call it.
#[derive(Debug, Clone, Args)]
pub struct WorkosApiArgs {
    /// WorkOS API key (`sk_…`). With it, `serve` catches up from the Events
    /// API and reconciles on a schedule.
    #[arg(
        long = "workos-api-key",
        env = "PORTICO_WORKOS_API_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,

    /// WorkOS API base URL.
    #[arg(long = "workos-base-url", env = "PORTICO_WORKOS_BASE_URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
}

/// The WorkOS flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct WorkosServeArgs {
    #[command(flatten)]
    pub api: WorkosApiArgs,

    /// The signing secret of the WorkOS webhook endpoint
    /// (`POST /v1/webhooks/workos`). Without it the endpoint refuses every
    /// delivery.
    #[arg(
        long = "workos-webhook-secret",
        env = "PORTICO_WORKOS_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,

    /// How far (seconds) a webhook signature's timestamp may be from now.
    #[arg(
        long = "workos-webhook-tolerance-secs",
        env = "PORTICO_WORKOS_WEBHOOK_TOLERANCE_SECS",
        default_value_t = 180
    )]
    pub webhook_tolerance_secs: u64,

    /// How often (seconds) `serve` catches up from the Events API.
    #[arg(
        long = "workos-catch-up-interval-secs",
        env = "PORTICO_WORKOS_CATCH_UP_INTERVAL_SECS",
        default_value_t = 60
    )]
    pub catch_up_interval_secs: u64,

    /// How often (seconds) `serve` re-lists everything from WorkOS and
    /// repairs drift.
    #[arg(
        long = "workos-reconcile-interval-secs",
        env = "PORTICO_WORKOS_RECONCILE_INTERVAL_SECS",
        default_value_t = 86_400
    )]
    pub reconcile_interval_secs: u64,
}

impl WorkosServeArgs {
    pub fn webhook_settings(&self) -> WebhookSettings {
        WebhookSettings {
            secret: self.webhook_secret.clone().filter(|s| !s.trim().is_empty()),
            tolerance: Duration::from_secs(self.webhook_tolerance_secs),
        }
    }
}

/// `portico-server workos …`
#[derive(Debug, Subcommand)]
pub enum WorkosCommand {
    /// List every WorkOS organization, user and membership and apply them
    /// (safe to re-run; also repairs drift).
    Import(WorkosRunArgs),
    /// Apply the WorkOS events since the stored cursor, then exit.
    CatchUp(WorkosRunArgs),
}

#[derive(Debug, Clone, Args)]
pub struct WorkosRunArgs {
    /// `sqlite://path/to/portico.db`.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        default_value = "sqlite://portico.db"
    )]
    pub database_url: String,

    #[command(flatten)]
    pub api: WorkosApiArgs,
}

/// `portico-server keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Give existing companies or users their WorkOS key from a mapping,
    /// reporting conflicts instead of creating duplicates.
    Migrate(KeysMigrateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct KeysMigrateArgs {
    /// `sqlite://path/to/portico.db`.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        default_value = "sqlite://portico.db"
    )]
    pub database_url: String,

    /// Which records get a WorkOS key: companies get
    /// `workos_organization_id`, users `workos_user_id`.
    #[arg(long, value_enum)]
    pub records: MigratedRecords,

    /// The key name your records have now (e.g. `legacy_org_id`, `email`).
    #[arg(long)]
    pub match_key: String,

    /// A CSV of `existing_key_value,workos_id`. Without it, the values of
    /// --match-key are taken to be the WorkOS ids.
    #[arg(long)]
    pub csv: Option<PathBuf>,

    /// Report what would change without writing.
    #[arg(long)]
    pub dry_run: bool,
}
