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
    // The seeded member's role, as a host's backend would put it in the
    // token, so a billing role gate can be tried in the demo.
    let role = demo::accounts()
        .into_iter()
        .find(|a| a.organization.id == request.organization_id && a.user.id == request.user_id)
        .map(|a| a.role);
    let mint = MintPortalToken {
        company: KeyRef::new(WORKOS_ORGANIZATION_ID, request.organization_id),
        user: Some(KeyRef::new(WORKOS_USER_ID, request.user_id)),
        ttl_seconds: None,
        role,
        permissions: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(mint_token(&state, &mint)?)))
}
