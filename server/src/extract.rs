//! Request extractors that turn bad input into the API's error body:
//! [`ApiJson`] for JSON bodies, [`SecretKey`] for server-to-server calls and
//! [`PortalAccess`] for browser calls.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Json;
use portico_types::ErrorCode;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::domain::TokenScope;
use crate::error::ApiError;
use crate::tokens::{PortalClaims, TOKEN_PREFIX};

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
        if credential.starts_with(TOKEN_PREFIX) {
            return Err(ApiError::forbidden(
                "this endpoint is for the host's backend and takes the secret key, not a portal token",
            ));
        }
        let presented = hash_secret_key(credential);
        if bool::from(presented.ct_eq(&state.secret_key_hash)) {
            Ok(SecretKey)
        } else {
            Err(ApiError::unauthenticated("the secret key is not valid"))
        }
    }
}

/// The request carries a valid portal token: a browser acting for one
/// company.
pub struct PortalAccess {
    pub claims: PortalClaims,
}

impl PortalAccess {
    pub fn scope(&self) -> TokenScope {
        TokenScope {
            company: self.claims.company.clone(),
            user: self.claims.user.clone(),
        }
    }
}

impl FromRequestParts<AppState> for PortalAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let credential = bearer(parts)?;
        if credential.starts_with("sk_") {
            return Err(ApiError::forbidden(
                "never send the secret key from a browser: mint a portal token on your server instead",
            ));
        }
        let claims = state.tokens.verify(credential, state.clock.now())?;
        Ok(PortalAccess { claims })
    }
}
