use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::PortalRead;

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
    // Billing data is per company and changes: never cache it in shared caches.
    Ok((
        [(header::CACHE_CONTROL, "private, no-store")],
        Json(snapshot),
    ))
}
