use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use portico_server::catalog::Catalog;
use portico_server::clock::{Clock, SystemClock};
use portico_server::config::{Cli, Command, ServeArgs};
use portico_server::db::Db;
use portico_server::domain::billing::renewals;
use portico_server::workos::cli as workos_cli;
use portico_server::{demo, router, AppState};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.serve).await,
        Command::Workos(command) => workos_cli::run_workos(command).await,
        Command::Keys(command) => workos_cli::run_keys(command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portico-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let settings = args.settings().map_err(|e| e.to_string())?;
    let catalog = match &args.catalog {
        Some(path) => Catalog::from_path(path).map_err(|e| e.to_string())?,
        None => Catalog::demo(),
    };
    let db = Db::connect(&args.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if settings.demo {
        demo::seed(&db, clock.now())
            .await
            .map_err(|e| format!("seeding the demo failed: {e}"))?;
        tracing::warn!(
            secret_key = %settings.secret_key,
            "DEMO MODE: demo endpoints are open and any origin may call; never run this in production"
        );
    }
    let workos_sync = workos_cli::spawn_sync(&args.workos, &db, clock.clone())?;
    if let Some(authkit) = &settings.security.authkit {
        tracing::info!(jwks = %authkit.jwks_url, issuers = ?authkit.issuers, "accepting WorkOS AuthKit access tokens");
    }
    let gate = &settings.security.billing_gate;
    if !gate.is_open() {
        tracing::info!(needs = %gate.requirement(), "billing changes are limited by role");
    }
    let state = AppState::new(db.clone(), catalog, &settings, clock);
    spawn_renewal_sweep(state.clone(), args.renewal_interval_seconds);
    let app = router(state, &settings);
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // Printed on stdout (logs go to stderr) so scripts can wait for it.
    println!("Portico listening on http://{address}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    if let Some(task) = workos_sync {
        task.abort();
    }
    db.close().await;
    Ok(())
}

/// Renews subscriptions whose period has ended, every `interval_seconds`.
fn spawn_renewal_sweep(state: AppState, interval_seconds: u64) {
    tokio::spawn(async move {
        let mut ticker =
            tokio::time::interval(std::time::Duration::from_secs(interval_seconds.max(1)));
        loop {
            ticker.tick().await;
            let now = state.clock.now();
            match renewals::renew_due(&state.db, &state.catalog, state.payments.as_ref(), now).await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(periods = n, "renewed subscriptions"),
                Err(error) => tracing::error!(%error, "renewal sweep failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
