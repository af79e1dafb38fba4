use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use portico_types::{CompanyRecord, UpsertCompany, UpsertUser, UserRecord};

use crate::app::AppState;
use crate::domain;
use crate::error::ApiError;
use crate::extract::{ApiJson, SecretKey};

fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

/// `PUT /v1/companies` (secret key): upsert a company by key; 201 if it was
/// created, 200 if updated.
pub async fn upsert_company(
    State(state): State<AppState>,
    _: SecretKey,
    ApiJson(request): ApiJson<UpsertCompany>,
) -> Result<(StatusCode, Json<CompanyRecord>), ApiError> {
    let (record, created) =
        domain::identify::upsert_company(&state.db, &request, state.clock.now()).await?;
    Ok((created_or_ok(created), Json(record)))
}

/// `PUT /v1/users` (secret key): upsert a user by key, optionally as a member
/// of a company.
pub async fn upsert_user(
    State(state): State<AppState>,
    _: SecretKey,
    ApiJson(request): ApiJson<UpsertUser>,
) -> Result<(StatusCode, Json<UserRecord>), ApiError> {
    let (record, created) =
        domain::identify::upsert_user(&state.db, &request, state.clock.now()).await?;
    Ok((created_or_ok(created), Json(record)))
}
