use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::PortalAccess;

/// `GET /v1/portal` (portal token): everything the widgets show for the
/// token's company.
pub async fn portal(
    State(state): State<AppState>,
    access: PortalAccess,
) -> Result<impl IntoResponse, ApiError> {
    let snapshot = domain::portal::snapshot(
        &state.db,
        &state.catalog,
        &access.scope(),
        state.clock.now(),
    )
    .await?;
    // Billing data is per company and changes: never cache it in shared caches.
    Ok((
        [(header::CACHE_CONTROL, "private, no-store")],
        Json(snapshot),
    ))
}
