use axum::extract::State;
use axum::Json;
use portico_types::{UsageRecorded, UsageReport};

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::{ApiJson, SecretKey};

/// `POST /v1/usage` (secret key): report usage of a numeric feature.
pub async fn report(
    State(state): State<AppState>,
    _: SecretKey,
    ApiJson(report): ApiJson<UsageReport>,
) -> Result<Json<UsageRecorded>, ApiError> {
    let recorded =
        domain::usage::record_usage(&state.db, &state.catalog, &report, state.clock.now()).await?;
    Ok(Json(recorded))
}
