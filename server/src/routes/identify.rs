use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use portico_types::{IdentifyAccepted, IdentifyRequest};

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::{ApiJson, PortalAccess};

/// `POST /v1/identify` (portal token): 202 once the event is recorded and
/// the company, user and membership are upserted.
pub async fn identify(
    State(state): State<AppState>,
    access: PortalAccess,
    ApiJson(request): ApiJson<IdentifyRequest>,
) -> Result<(StatusCode, Json<IdentifyAccepted>), ApiError> {
    let event_id =
        domain::identify::identify(&state.db, &access.scope(), &request, state.clock.now()).await?;
    Ok((StatusCode::ACCEPTED, Json(IdentifyAccepted { event_id })))
}
