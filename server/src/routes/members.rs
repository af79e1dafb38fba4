use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::PortalRead;

/// `GET /v1/members` (portal token): the members of the token's company and
/// its seats.
pub async fn list(
    State(state): State<AppState>,
    PortalRead { access, mut conn }: PortalRead,
) -> Result<impl IntoResponse, ApiError> {
    let members = domain::members::list(
        &mut conn,
        &state.catalog,
        access.company_id(),
        state.clock.now(),
    )
    .await?;
    // Per company and changing: never in shared caches.
    Ok((
        [(header::CACHE_CONTROL, "private, no-store")],
        Json(members),
    ))
}
