use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::PortalRead;

/// Billing data is per company and changes: never cache it in shared caches.
const NO_STORE: [(header::HeaderName, &str); 1] = [(header::CACHE_CONTROL, "private, no-store")];

/// `GET /v1/portal` (portal token): everything the widgets show for the
/// token's company, read on the connection its standing was checked on.
pub async fn portal(
    State(state): State<AppState>,
    PortalRead { access, mut conn }: PortalRead,
) -> Result<impl IntoResponse, ApiError> {
    let snapshot = domain::portal::snapshot(
        &mut conn,
        &state.catalog,
        access.scope_ref(),
        state.clock.now(),
    )
    .await?;
    Ok((NO_STORE, Json(snapshot)))
}

/// `GET /v1/portal/entitlements?feature=<id>&feature=<id>` (portal token):
/// those features' entitlements alone, as `/v1/portal` would show them.
pub async fn entitlements(
    State(state): State<AppState>,
    PortalRead { access, mut conn }: PortalRead,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let feature_ids: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(name, _)| name == "feature")
        .map(|(_, value)| value.into_owned())
        .collect();
    let read = domain::portal::entitlements(
        &mut conn,
        &state.catalog,
        access.company_id(),
        state.clock.now(),
        &feature_ids,
    )
    .await?;
    Ok((NO_STORE, Json(read)))
}
