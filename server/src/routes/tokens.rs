use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use portico_types::ErrorCode;
use portico_types::{
    validate_key_name, validate_key_value, KeyRef, MintPortalToken, PortalToken, Timestamp, EMAIL,
};

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, SecretKey};
use crate::ids::new_id;
use crate::tokens::{PortalClaims, MAX_TTL_SECONDS};

fn checked_key(key: &KeyRef) -> Result<KeyRef, ApiError> {
    let invalid = |e: portico_types::KeyError| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            e.to_string(),
        )
    };
    validate_key_name(&key.name).map_err(invalid)?;
    validate_key_value(&key.name, &key.value).map_err(invalid)?;
    let value = if key.name == EMAIL {
        key.value.trim().to_lowercase()
    } else {
        key.value.clone()
    };
    Ok(KeyRef {
        name: key.name.clone(),
        value,
    })
}

/// Most permissions a portal token may carry.
const MAX_PERMISSIONS: usize = 64;

/// A role or permission slug: 1 to 128 characters, no control characters.
fn checked_slug(what: &str, slug: &str) -> Result<String, ApiError> {
    let slug = slug.trim();
    if slug.is_empty() || slug.chars().count() > 128 || slug.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            format!("{what} must be 1 to 128 characters without control characters"),
        ));
    }
    Ok(slug.to_owned())
}

/// Mints a token; shared with the demo endpoint.
pub fn mint_token(state: &AppState, request: &MintPortalToken) -> Result<PortalToken, ApiError> {
    let ttl = request.ttl_seconds.unwrap_or(MAX_TTL_SECONDS);
    if ttl == 0 || ttl > MAX_TTL_SECONDS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            format!("ttl_seconds must be between 1 and {MAX_TTL_SECONDS}"),
        ));
    }
    let company = checked_key(&request.company)?;
    let user = request.user.as_ref().map(checked_key).transpose()?;
    let role = request
        .role
        .as_deref()
        .map(|role| checked_slug("role", role))
        .transpose()?;
    if request.permissions.len() > MAX_PERMISSIONS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            format!("a portal token carries at most {MAX_PERMISSIONS} permissions"),
        ));
    }
    let permissions = request
        .permissions
        .iter()
        .map(|p| checked_slug("each permission", p))
        .collect::<Result<Vec<_>, _>>()?;
    let now = state.clock.now();
    let expires_at = Timestamp(now.0 + i64::from(ttl));
    let claims = PortalClaims {
        v: 1,
        company: company.clone(),
        user: user.clone(),
        iat: now.0,
        exp: expires_at.0,
        jti: new_id("tok"),
        role,
        permissions,
    };
    Ok(PortalToken {
        token: state.tokens.mint(&claims),
        expires_at,
        company,
        user,
    })
}

/// `POST /v1/portal-tokens` (secret key): a short-lived token scoped to one
/// company (and optionally one user), for the host to hand to its browser.
pub async fn mint(
    State(state): State<AppState>,
    _: SecretKey,
    ApiJson(request): ApiJson<MintPortalToken>,
) -> Result<(StatusCode, Json<PortalToken>), ApiError> {
    Ok((StatusCode::CREATED, Json(mint_token(&state, &request)?)))
}
