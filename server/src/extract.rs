//! Request extractors that turn bad input into the API's error body:
//! [`ApiJson`] for JSON bodies, [`SecretKey`] for server-to-server calls and
//! [`PortalAccess`] for browser calls (a portal token or a WorkOS AuthKit
//! access token; see [`crate::auth`]), and [`PortalRead`], the same with the
//! reader connection it checked on, for GET handlers.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_types::ErrorCode;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::Sqlite;
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::auth::authkit::AuthkitError;
use crate::auth::rate_limit::RateLimited;
use crate::auth::role_gate::RoleGate;
use crate::auth::{rate_limit_key, BrowserCredential, CredentialKind};
use crate::domain::{access, TokenScope};
use crate::error::ApiError;

/// A JSON body. Malformed JSON is 400 `malformed_json`, a missing or
/// mistyped field 422 `invalid_body`, a wrong content type 415.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            e.body_text(),
        ),
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidBody,
            e.body_text(),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "the request body is too large",
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            other.body_text(),
        ),
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthenticated("missing Authorization: Bearer header"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthenticated("the Authorization header is not valid text"))?;
    let (scheme, credential) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthenticated("expected Authorization: Bearer <credential>"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || credential.trim().is_empty() {
        return Err(ApiError::unauthenticated(
            "expected Authorization: Bearer <credential>",
        ));
    }
    Ok(credential.trim())
}

/// SHA-256 of a secret key, as held in memory: the key itself is not kept,
/// and comparing digests in constant time leaks nothing about it.
pub fn hash_secret_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The request carries the server's secret key (`sk_…`): a call from the
/// host's backend.
pub struct SecretKey;

impl FromRequestParts<AppState> for SecretKey {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let credential = bearer(parts)?;
        match CredentialKind::of(credential) {
            CredentialKind::PortalToken => {
                return Err(ApiError::forbidden(
                    "this endpoint is for the host's backend and takes the secret key, not a portal token",
                ))
            }
            CredentialKind::Jwt => {
                return Err(ApiError::forbidden(
                    "this endpoint is for the host's backend and takes the secret key, not a \
                     browser access token (JWT)",
                ))
            }
            CredentialKind::SecretKey | CredentialKind::Unknown => {}
        }
        // Compared as digests, in constant time: neither the key nor how
        // much of it matched leaks through timing.
        let presented = hash_secret_key(credential);
        if bool::from(presented.ct_eq(&state.secret_key_hash)) {
            Ok(SecretKey)
        } else {
            Err(ApiError::unauthenticated("the secret key is not valid"))
        }
    }
}

/// The request carries a valid browser credential — a portal token or a
/// WorkOS AuthKit access token — for one company (and optionally one user)
/// in good standing: the organization not deleted, the user not deleted nor
/// an inactive member.
///
/// On writes (any method but GET, HEAD and OPTIONS) it also counts against
/// the scope's rate limit, so every browser write endpoint is limited
/// without doing anything. Refusals: 401 `unauthenticated` /
/// `token_expired`, 403 `forbidden`, 429 `rate_limited` with `Retry-After`,
/// 503 if the WorkOS keys cannot be fetched.
pub struct PortalAccess {
    scope: TokenScope,
    /// The scope's company as the standing check found it (none before
    /// identify).
    company_id: Option<String>,
    /// Which credential it was, for logs.
    pub credential: BrowserCredential,
    billing_gate: Arc<RoleGate>,
}

impl PortalAccess {
    /// The company, user and grants the credential allows.
    pub fn scope(&self) -> TokenScope {
        self.scope.clone()
    }

    pub fn scope_ref(&self) -> &TokenScope {
        &self.scope
    }

    /// The id of the scope's company, found when the request was
    /// authenticated; `None` before identify has created it.
    pub fn company_id(&self) -> Option<&str> {
        self.company_id.as_deref()
    }

    /// See [`crate::auth::require_billing_manager`].
    pub fn require_billing_manager(&self) -> Result<(), ApiError> {
        crate::auth::require_billing_manager(self)
    }

    /// What the billing role gate asks for, in words.
    pub fn billing_requirement(&self) -> String {
        self.billing_gate.requirement()
    }
}

fn authkit_rejection(error: AuthkitError) -> ApiError {
    let message = error.to_string();
    match error {
        AuthkitError::Expired => {
            ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::TokenExpired, message)
        }
        AuthkitError::NoOrganization => ApiError::forbidden(message),
        AuthkitError::KeysUnavailable(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal,
            "the WorkOS signing keys cannot be fetched right now, so the access token cannot be \
             checked; try again shortly",
        ),
        _ => ApiError::unauthenticated(message),
    }
}

fn rate_limited(limited: RateLimited) -> Response {
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!(
            "too many changes from this session: try again in {} seconds. Nothing was changed",
            limited.retry_after_seconds
        ),
    )
    .into_response();
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(limited.retry_after_seconds),
    );
    response
}

impl FromRequestParts<AppState> for PortalAccess {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The connection goes back to the pool here, before the handler runs.
        authenticate(parts, state).await.map(|(access, _)| access)
    }
}

/// [`PortalAccess`] and the reader connection its standing was checked on,
/// for a GET handler that reads right away: it reads on that connection
/// instead of acquiring another. Each connection handed back to the pool
/// costs a round trip to its thread (sqlx checks it), which on
/// `GET /v1/portal` was as much as a query. GET handlers only: it holds a
/// reader connection until the handler returns.
pub struct PortalRead {
    pub access: PortalAccess,
    pub conn: PoolConnection<Sqlite>,
}

impl FromRequestParts<AppState> for PortalRead {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (access, conn) = authenticate(parts, state).await?;
        Ok(PortalRead { access, conn })
    }
}

/// Verifies the browser credential, checks its scope's standing on a reader
/// connection (returned with the access) and, on writes, the rate limit.
async fn authenticate(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(PortalAccess, PoolConnection<Sqlite>), Response> {
    let credential = bearer(parts).map_err(IntoResponse::into_response)?;
    let now = state.clock.now();
    let (scope, used) = match CredentialKind::of(credential) {
        CredentialKind::SecretKey => return Err(ApiError::forbidden(
            "never send the secret key from a browser: mint a portal token on your server instead",
        )
        .into_response()),
        CredentialKind::Jwt => {
            let (scope, claims) = state
                .auth
                .authkit_scope(credential, now)
                .await
                .map_err(|e| authkit_rejection(e).into_response())?;
            let used = BrowserCredential::AuthkitAccessToken {
                session_id: claims.sid,
                jti: claims.jti,
            };
            (scope, used)
        }
        CredentialKind::PortalToken | CredentialKind::Unknown => {
            let claims = state
                .tokens
                .verify(credential, now)
                .map_err(|e| ApiError::from(e).into_response())?;
            let scope = state.auth.portal_scope(&claims);
            (scope, BrowserCredential::PortalToken { jti: claims.jti })
        }
    };

    let mut conn = state
        .db
        .reader
        .acquire()
        .await
        .map_err(|e| ApiError::from(crate::error::DomainError::from(e)).into_response())?;
    let company_id = access::check_standing(&mut conn, &scope)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;

    let reads_only = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads_only {
        state
            .auth
            .write_limiter
            .check(&rate_limit_key(&scope), now)
            .map_err(rate_limited)?;
    }
    let access = PortalAccess {
        scope,
        company_id,
        credential: used,
        billing_gate: state.auth.billing_gate.clone(),
    };
    Ok((access, conn))
}
