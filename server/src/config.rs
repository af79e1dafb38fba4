//! Command-line and environment configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use axum::http::HeaderValue;

use crate::app::{SecuritySettings, Settings};
use crate::auth::authkit::AuthkitSettings;
use crate::auth::rate_limit::RateLimitSettings;
use crate::auth::role_gate::RoleGate;
use crate::demo::DEMO_SECRET_KEY;
use crate::ids::random_bytes;
use crate::security_headers::DEFAULT_CONTENT_SECURITY_POLICY;
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

    #[command(flatten)]
    pub security: SecurityArgs,
}

/// Browser credentials, the billing role gate, rate limits, page headers.
#[derive(Debug, Clone, Args)]
pub struct SecurityArgs {
    /// Accept WorkOS AuthKit access tokens from browsers, for this WorkOS
    /// client id (`client_…`): the JWKS and issuer default from it.
    #[arg(long, env = "PORTICO_AUTHKIT_CLIENT_ID")]
    pub authkit_client_id: Option<String>,

    /// Where the AuthKit signing keys are. Default
    /// `https://api.workos.com/sso/jwks/<client id>`. HTTPS, or HTTP to a
    /// loopback address (tests, a local proxy).
    #[arg(long, env = "PORTICO_AUTHKIT_JWKS_URL")]
    pub authkit_jwks_url: Option<String>,

    /// Accepted `iss` of AuthKit access tokens (comma-separated or
    /// repeated). Default `https://api.workos.com/user_management/<client
    /// id>`; a custom authentication domain issues under its own URL.
    #[arg(
        long = "authkit-issuer",
        env = "PORTICO_AUTHKIT_ISSUERS",
        value_delimiter = ','
    )]
    pub authkit_issuers: Vec<String>,

    /// Require this `aud` in AuthKit access tokens.
    #[arg(long, env = "PORTICO_AUTHKIT_AUDIENCE")]
    pub authkit_audience: Option<String>,

    /// Clock skew tolerated on AuthKit tokens' `exp`, `nbf` and `iat`.
    #[arg(long, env = "PORTICO_AUTHKIT_LEEWAY_SECONDS", default_value_t = 30)]
    pub authkit_leeway_seconds: u32,

    /// The least time between two fetches of the JWKS (a token with an
    /// unknown key id triggers one at most this often).
    #[arg(
        long,
        env = "PORTICO_AUTHKIT_JWKS_COOLDOWN_SECONDS",
        default_value_t = 30
    )]
    pub authkit_jwks_cooldown_seconds: u32,

    /// Roles that may change the plan, check out, cancel or resume
    /// (comma-separated), e.g. `admin`. With neither this nor
    /// --billing-permissions, every signed-in viewer may.
    #[arg(long, env = "PORTICO_BILLING_ROLES", value_delimiter = ',')]
    pub billing_roles: Vec<String>,

    /// Permissions that may change billing (comma-separated), e.g.
    /// `billing:manage`; a viewer needs one listed role or one listed
    /// permission.
    #[arg(long, env = "PORTICO_BILLING_PERMISSIONS", value_delimiter = ',')]
    pub billing_permissions: Vec<String>,

    /// Browser writes (identify, billing changes) allowed per company and
    /// user in each window; 0 turns the limit off.
    #[arg(long, env = "PORTICO_WRITE_RATE_LIMIT", default_value_t = 60)]
    pub write_rate_limit: u32,

    /// The rate-limit window, in seconds.
    #[arg(long, env = "PORTICO_WRITE_RATE_WINDOW_SECONDS", default_value_t = 60)]
    pub write_rate_window_seconds: u32,

    /// The Content-Security-Policy of pages served with --serve-dir. Inline
    /// scripts of the served index.html are added to script-src by hash.
    #[arg(long, env = "PORTICO_CONTENT_SECURITY_POLICY", default_value = DEFAULT_CONTENT_SECURITY_POLICY)]
    pub content_security_policy: String,
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
    #[error(
        "allowed origin {0:?} must be exactly scheme://host[:port] as browsers send it \
         (lower-case, no path or trailing slash, no default port, never \"*\")"
    )]
    BadOrigin(String),
    #[error("--authkit-client-id {0:?} is not a WorkOS client id")]
    BadClientId(String),
    #[error(
        "--authkit-jwks-url {0:?} must be an https:// URL (http:// only to a loopback address)"
    )]
    BadJwksUrl(String),
    #[error(
        "--authkit-jwks-url without --authkit-client-id needs --authkit-issuer: tokens are \
         checked against it"
    )]
    MissingIssuer,
    #[error("--authkit-leeway-seconds is at most 300")]
    LeewayTooLarge,
    #[error("--write-rate-window-seconds must be at least 1")]
    ZeroRateWindow,
    #[error("--content-security-policy is not a valid header value")]
    BadContentSecurityPolicy,
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
        let allowed_origins = self
            .allowed_origins
            .iter()
            .filter(|origin| !origin.trim().is_empty())
            .map(|origin| checked_origin(origin))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            secret_key,
            token_secret,
            allowed_origins,
            demo: self.demo,
            serve_dir: self.serve_dir.clone(),
            workos_webhooks: self.workos.webhook_settings(),
            security: self.security.settings()?,
        })
    }
}

/// An origin as browsers send it in `Origin`: CORS compares it byte for
/// byte, so anything else would silently never match.
fn checked_origin(origin: &str) -> Result<String, ConfigError> {
    let origin = origin.trim();
    let bad = || ConfigError::BadOrigin(origin.to_owned());
    let url = reqwest::Url::parse(origin).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.origin().ascii_serialization() != origin {
        return Err(bad());
    }
    Ok(origin.to_owned())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl SecurityArgs {
    pub fn settings(&self) -> Result<SecuritySettings, ConfigError> {
        let authkit = self.authkit()?;
        if self.write_rate_window_seconds == 0 {
            return Err(ConfigError::ZeroRateWindow);
        }
        let policy = self.content_security_policy.trim().to_owned();
        if policy.is_empty() || HeaderValue::from_str(&policy).is_err() {
            return Err(ConfigError::BadContentSecurityPolicy);
        }
        Ok(SecuritySettings {
            authkit,
            billing_gate: RoleGate::new(
                self.billing_roles.clone(),
                self.billing_permissions.clone(),
            ),
            write_rate_limit: RateLimitSettings {
                max_requests: self.write_rate_limit,
                window_seconds: self.write_rate_window_seconds,
            },
            content_security_policy: policy,
        })
    }

    fn authkit(&self) -> Result<Option<AuthkitSettings>, ConfigError> {
        let client_id = self.authkit_client_id.as_deref().map(str::trim);
        if client_id.is_none() && self.authkit_jwks_url.is_none() {
            return Ok(None);
        }
        if let Some(id) = client_id {
            let valid = !id.is_empty()
                && id.len() <= 128
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !valid {
                return Err(ConfigError::BadClientId(id.to_owned()));
            }
        }
        let jwks_url = match (&self.authkit_jwks_url, client_id) {
            (Some(url), _) => url.trim().to_owned(),
            (None, Some(id)) => AuthkitSettings::default_jwks_url(id),
            (None, None) => return Ok(None),
        };
        let parsed = reqwest::Url::parse(&jwks_url)
            .map_err(|_| ConfigError::BadJwksUrl(jwks_url.clone()))?;
        let secure =
            parsed.scheme() == "https" || (parsed.scheme() == "http" && is_loopback(&parsed));
        if !secure {
            return Err(ConfigError::BadJwksUrl(jwks_url));
        }
        let mut issuers: Vec<String> = self
            .authkit_issuers
            .iter()
            .map(|i| i.trim().to_owned())
            .filter(|i| !i.is_empty())
            .collect();
        if issuers.is_empty() {
            match client_id {
                Some(id) => issuers.push(AuthkitSettings::default_issuer(id)),
                None => return Err(ConfigError::MissingIssuer),
            }
        }
        if self.authkit_leeway_seconds > 300 {
            return Err(ConfigError::LeewayTooLarge);
        }
        Ok(Some(AuthkitSettings {
            client_id: client_id.map(str::to_owned),
            jwks_url,
            issuers,
            audience: self
                .authkit_audience
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            leeway_seconds: self.authkit_leeway_seconds,
            jwks_cooldown_seconds: self.authkit_jwks_cooldown_seconds,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<Settings, ConfigError> {
        let mut argv = vec![
            "portico-server",
            "--secret-key",
            "sk_test_0123456789abcdefghijklmnop",
            "--token-secret",
            "0123456789abcdef0123456789abcdef",
            "--catalog",
            "catalog.toml",
        ];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().serve.settings()
    }

    #[test]
    fn defaults_are_safe() {
        let settings = parse(&[]).unwrap();
        assert_eq!(settings.security.authkit, None, "AuthKit is opt-in");
        assert!(settings.security.billing_gate.is_open());
        assert_eq!(
            settings.security.write_rate_limit,
            RateLimitSettings::default()
        );
        assert_eq!(
            settings.security.content_security_policy,
            DEFAULT_CONTENT_SECURITY_POLICY
        );
    }

    #[test]
    fn authkit_defaults_from_the_client_id() {
        let settings = parse(&[
            "--authkit-client-id",
            "client_01ABC",
            "--billing-roles",
            "admin,owner",
        ])
        .unwrap();
        let authkit = settings.security.authkit.unwrap();
        assert_eq!(
            authkit.jwks_url,
            "https://api.workos.com/sso/jwks/client_01ABC"
        );
        assert_eq!(
            authkit.issuers,
            ["https://api.workos.com/user_management/client_01ABC"]
        );
        assert_eq!(authkit.leeway_seconds, 30);
        assert_eq!(settings.security.billing_gate.roles, ["admin", "owner"]);
    }

    #[test]
    fn unsafe_settings_are_refused() {
        for args in [
            &["--authkit-client-id", "client/../x"][..],
            &[
                "--authkit-client-id",
                "c",
                "--authkit-jwks-url",
                "http://keys.example.com/jwks",
            ],
            &["--authkit-jwks-url", "https://keys.example.com/jwks"],
            &[
                "--authkit-client-id",
                "c",
                "--authkit-leeway-seconds",
                "3600",
            ],
            &["--allow-origin", "*"],
            &["--allow-origin", "https://app.example.com/"],
            &["--allow-origin", "https://App.example.com"],
            &["--allow-origin", "app.example.com"],
            &["--write-rate-window-seconds", "0"],
            &[
                "--content-security-policy",
                "default-src 'self'\nscript-src 'none'",
            ],
        ] {
            assert!(parse(args).is_err(), "{args:?} should be refused");
        }
        assert!(parse(&[
            "--authkit-client-id",
            "c",
            "--authkit-jwks-url",
            "http://127.0.0.1:9999/jwks"
        ])
        .is_ok());
        let settings = parse(&[
            "--allow-origin",
            "https://app.example.com,,http://localhost:8080",
        ])
        .unwrap();
        assert_eq!(
            settings.allowed_origins,
            ["https://app.example.com", "http://localhost:8080"]
        );
    }
}
