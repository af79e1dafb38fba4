//! Demo-only endpoints: they exist only when the server runs with `--demo`.
//! A real host mints portal tokens on its own server with its secret key.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_types::{
    DemoAccount, DemoTokenRequest, KeyRef, MintPortalToken, PortalToken, WORKOS_ORGANIZATION_ID,
    WORKOS_USER_ID,
};

use crate::app::AppState;
use crate::demo;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::routes::tokens::mint_token;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/accounts", get(accounts))
        .route("/demo/portal-tokens", post(portal_token))
}

async fn accounts() -> Json<Vec<DemoAccount>> {
    Json(demo::accounts())
}

async fn portal_token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<DemoTokenRequest>,
) -> Result<(StatusCode, Json<PortalToken>), ApiError> {
    let mint = MintPortalToken {
        company: KeyRef::new(WORKOS_ORGANIZATION_ID, request.organization_id),
        user: Some(KeyRef::new(WORKOS_USER_ID, request.user_id)),
        ttl_seconds: None,
    };
    Ok((StatusCode::CREATED, Json(mint_token(&state, &mint)?)))
}
