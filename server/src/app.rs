//! The application: shared state and the router, built in one place.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::routing::{get, post, put};
use axum::Router;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::auth::authkit::{AuthkitSettings, AuthkitVerifier};
use crate::auth::rate_limit::{RateLimitSettings, WriteRateLimiter};
use crate::auth::role_gate::RoleGate;
use crate::auth::Authenticator;
use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::billing::preview_token::PreviewSigner;
use crate::error::ApiError;
use crate::extract::hash_secret_key;
use crate::payments::sandbox::SandboxPayments;
use crate::payments::PaymentProvider;
use crate::routes;
use crate::security_headers;
use crate::tokens::TokenSigner;
use crate::workos::signature::WebhookSettings;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    pub tokens: TokenSigner,
    pub secret_key_hash: [u8; 32],
    pub clock: Arc<dyn Clock>,
    pub previews: PreviewSigner,
    pub payments: Arc<dyn PaymentProvider>,
    pub workos_webhooks: WebhookSettings,
    /// Browser credentials: AuthKit verification, role gate, rate limit.
    pub auth: Authenticator,
}

/// How the server was asked to run.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The secret key (`sk_…`) the host's backend authenticates with.
    pub secret_key: String,
    /// The key portal tokens are signed with.
    pub token_secret: Vec<u8>,
    /// Origins allowed to call the API from a browser.
    pub allowed_origins: Vec<String>,
    /// Demo mode: demo-only endpoints exist and any origin may call.
    pub demo: bool,
    /// A directory of static files (the built bundle) to serve at `/`.
    pub serve_dir: Option<PathBuf>,
    /// How WorkOS webhook deliveries are verified.
    pub workos_webhooks: WebhookSettings,
    /// AuthKit tokens, the billing role gate, rate limits, page headers.
    pub security: SecuritySettings,
}

/// Who may do what, and the headers that keep pages and responses safe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecuritySettings {
    /// Accept WorkOS AuthKit access tokens from browsers; `None` refuses
    /// them.
    pub authkit: Option<AuthkitSettings>,
    /// Who may change the plan or cancel; open (everyone) by default.
    pub billing_gate: RoleGate,
    /// Browser writes per company-and-user scope.
    pub write_rate_limit: RateLimitSettings,
    /// The Content-Security-Policy of served pages (inline scripts in the
    /// served `index.html` are added by hash).
    pub content_security_policy: String,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            authkit: None,
            billing_gate: RoleGate::default(),
            write_rate_limit: RateLimitSettings::default(),
            content_security_policy: security_headers::DEFAULT_CONTENT_SECURITY_POLICY.to_owned(),
        }
    }
}

impl AppState {
    /// State with the sandbox payment provider.
    pub fn new(db: Db, catalog: Catalog, settings: &Settings, clock: Arc<dyn Clock>) -> Self {
        AppState::with_payments(
            db,
            catalog,
            settings,
            clock,
            Arc::new(SandboxPayments::new()),
        )
    }

    pub fn with_payments(
        db: Db,
        catalog: Catalog,
        settings: &Settings,
        clock: Arc<dyn Clock>,
        payments: Arc<dyn PaymentProvider>,
    ) -> Self {
        AppState {
            db,
            catalog: Arc::new(catalog),
            tokens: TokenSigner::new(&settings.token_secret),
            secret_key_hash: hash_secret_key(&settings.secret_key),
            clock,
            previews: PreviewSigner::new(&settings.token_secret),
            payments,
            workos_webhooks: settings.workos_webhooks.clone(),
            auth: Authenticator {
                authkit: settings
                    .security
                    .authkit
                    .clone()
                    .map(|authkit| Arc::new(AuthkitVerifier::new(authkit))),
                billing_gate: Arc::new(settings.security.billing_gate.clone()),
                write_limiter: Arc::new(WriteRateLimiter::new(settings.security.write_rate_limit)),
            },
        }
    }
}

/// Browser API calls have small JSON bodies; anything larger is refused
/// before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState, settings: &Settings) -> Router {
    let mut api = Router::new()
        .route("/health", get(routes::health))
        .route("/identify", post(routes::identify::identify))
        .route("/portal", get(routes::portal::portal))
        .route("/portal/entitlements", get(routes::portal::entitlements))
        .route("/portal-tokens", post(routes::tokens::mint))
        .route("/companies", put(routes::records::upsert_company))
        .route("/users", put(routes::records::upsert_user))
        .route("/usage", post(routes::usage::report))
        .route("/checkout/preview", post(routes::billing::preview))
        .route("/checkout", post(routes::billing::checkout))
        .route("/subscription/cancel", post(routes::billing::cancel))
        .route("/subscription/resume", post(routes::billing::resume))
        .route("/invoices", get(routes::billing::invoices))
        .route("/subscriptions", put(routes::billing::assign))
        .route("/members", get(routes::members::list))
        .route("/webhooks/workos", post(routes::webhooks::workos));
    if settings.demo {
        api = api.merge(routes::demo::router());
    }
    let api = api
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(security_headers::api_layers())
        .with_state(state);

    let mut app = Router::new().nest("/v1", api);
    if let Some(dir) = &settings.serve_dir {
        let index = ServeFile::new(dir.join("index.html"));
        let policy = security_headers::page_policy(&settings.security.content_security_policy, dir);
        app = app.fallback_service(
            security_headers::page_layers(&policy).service(ServeDir::new(dir).fallback(index)),
        );
    }
    app.layer(cors(settings)).layer(TraceLayer::new_for_http())
}

fn cors(settings: &Settings) -> CorsLayer {
    // Browsers authenticate with a bearer token, never cookies, so no
    // credentials are allowed (never `allow_credentials`), which is what
    // makes `*` safe in demo mode. Outside it, only the configured origins
    // (checked by config: no `*`, exact `scheme://host[:port]`) get a grant.
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        // A widget told to slow down (429) may read when to try again.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    if settings.demo {
        return layer.allow_origin(Any);
    }
    let origins: Vec<HeaderValue> = settings
        .allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
        .collect();
    layer.allow_origin(AllowOrigin::list(origins))
}
