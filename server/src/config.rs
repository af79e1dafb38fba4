//! Command-line and environment configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::app::Settings;
use crate::demo::DEMO_SECRET_KEY;
use crate::ids::random_bytes;
use crate::workos::config::{KeysCommand, WorkosCommand, WorkosServeArgs};

#[derive(Debug, Parser)]
#[command(
    name = "portico-server",
    version,
    about = "The Portico customer-portal API"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// WorkOS sync: import everything, or catch up from the Events API.
    #[command(subcommand)]
    Workos(WorkosCommand),
    /// Keys of existing records.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// `sqlite://path/to/portico.db` (created if missing) or `sqlite::memory:`.
    #[arg(
        long,
        env = "PORTICO_DATABASE_URL",
        default_value = "sqlite://portico.db"
    )]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "PORTICO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// The catalog of plans and features (TOML). Required unless --demo,
    /// which uses the bundled demo catalog.
    #[arg(long, env = "PORTICO_CATALOG")]
    pub catalog: Option<PathBuf>,

    /// Serve the files in this directory (the built portal bundle) at `/`.
    #[arg(long, env = "PORTICO_SERVE_DIR")]
    pub serve_dir: Option<PathBuf>,

    /// The secret key (`sk_…`) your backend authenticates with. Required
    /// unless --demo.
    #[arg(long, env = "PORTICO_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// The key portal tokens are signed with (at least 32 bytes). Required
    /// unless --demo, which makes a random one at each start.
    #[arg(long, env = "PORTICO_TOKEN_SECRET", hide_env_values = true)]
    pub token_secret: Option<String>,

    /// Origins allowed to call the API from a browser (comma-separated or
    /// repeated), e.g. `https://app.example.com`.
    #[arg(
        long = "allow-origin",
        env = "PORTICO_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// How often to renew subscriptions whose period has ended, in seconds.
    #[arg(long, env = "PORTICO_RENEWAL_INTERVAL_SECONDS", default_value_t = 60)]
    pub renewal_interval_seconds: u64,

    /// Demo mode: seed demo organizations, expose demo-only endpoints, allow
    /// any origin. Never in production.
    #[arg(long, env = "PORTICO_DEMO")]
    pub demo: bool,

    #[command(flatten)]
    pub workos: WorkosServeArgs,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--secret-key (or PORTICO_SECRET_KEY) is required outside demo mode")]
    MissingSecretKey,
    #[error("the secret key must start with \"sk_\" and be at least 24 characters")]
    WeakSecretKey,
    #[error("--token-secret (or PORTICO_TOKEN_SECRET) is required outside demo mode")]
    MissingTokenSecret,
    #[error("the token secret must be at least 32 bytes")]
    WeakTokenSecret,
    #[error("--catalog (or PORTICO_CATALOG) is required outside demo mode")]
    MissingCatalog,
}

impl ServeArgs {
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let secret_key = match (&self.secret_key, self.demo) {
            (Some(key), _) => key.clone(),
            (None, true) => DEMO_SECRET_KEY.to_owned(),
            (None, false) => return Err(ConfigError::MissingSecretKey),
        };
        if !secret_key.starts_with("sk_") || secret_key.len() < 24 {
            return Err(ConfigError::WeakSecretKey);
        }
        let token_secret = match (&self.token_secret, self.demo) {
            (Some(secret), _) if secret.len() >= 32 => secret.as_bytes().to_vec(),
            (Some(_), _) => return Err(ConfigError::WeakTokenSecret),
            (None, true) => random_bytes::<32>().to_vec(),
            (None, false) => return Err(ConfigError::MissingTokenSecret),
        };
        if self.catalog.is_none() && !self.demo {
            return Err(ConfigError::MissingCatalog);
        }
        Ok(Settings {
            secret_key,
            token_secret,
            allowed_origins: self.allowed_origins.clone(),
            demo: self.demo,
            serve_dir: self.serve_dir.clone(),
            workos_webhooks: self.workos.webhook_settings(),
        })
    }
}
