//! Checkout, cancel/resume and invoices: browser endpoints (portal token).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use portico_types::{
    AssignSubscription, CheckoutPreview, CheckoutRequest, CheckoutResult, ConfirmCheckout,
    ErrorCode, SubscriptionSummary,
};

use crate::app::AppState;
use crate::auth::BillingManager;
use crate::domain::billing;
use crate::error::ApiError;
use crate::extract::{ApiJson, PortalAccess, SecretKey};

/// `POST /v1/checkout/preview`: what a change would cost, and a preview id
/// to buy exactly that.
pub async fn preview(
    State(state): State<AppState>,
    access: PortalAccess,
    ApiJson(request): ApiJson<CheckoutRequest>,
) -> Result<Json<CheckoutPreview>, ApiError> {
    let preview = billing::preview(
        &state.db,
        &state.catalog,
        &state.previews,
        state.payments.as_ref(),
        &access.scope(),
        &request,
        state.clock.now(),
    )
    .await?;
    Ok(Json(preview))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|v| Some(v.trim().to_owned()))
            .map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ErrorCode::InvalidInput,
                    "Idempotency-Key must be text",
                )
            }),
    }
}

/// `POST /v1/checkout`: buys what a preview priced. Send an
/// `Idempotency-Key` header: the same key again returns the same result and
/// never charges twice. Only a billing manager may (the role gate).
pub async fn checkout(
    State(state): State<AppState>,
    BillingManager(access): BillingManager,
    headers: HeaderMap,
    ApiJson(confirm): ApiJson<ConfirmCheckout>,
) -> Result<impl IntoResponse, ApiError> {
    let key = idempotency_key(&headers)?;
    let result: CheckoutResult = billing::checkout(
        &state.db,
        &state.catalog,
        &state.previews,
        state.payments.as_ref(),
        &access.scope(),
        &confirm,
        key.as_deref(),
        state.clock.now(),
    )
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(result)))
}

/// `POST /v1/subscription/cancel`: cancel at the end of the period (billing
/// managers only).
pub async fn cancel(
    State(state): State<AppState>,
    BillingManager(access): BillingManager,
) -> Result<Json<SubscriptionSummary>, ApiError> {
    let summary = billing::set_cancel_at_period_end(
        &state.db,
        &state.catalog,
        state.payments.as_ref(),
        &access.scope(),
        true,
        state.clock.now(),
    )
    .await?;
    Ok(Json(summary))
}

/// `POST /v1/subscription/resume`: undo a cancellation before it takes
/// effect.
pub async fn resume(
    State(state): State<AppState>,
    BillingManager(access): BillingManager,
) -> Result<Json<SubscriptionSummary>, ApiError> {
    let summary = billing::set_cancel_at_period_end(
        &state.db,
        &state.catalog,
        state.payments.as_ref(),
        &access.scope(),
        false,
        state.clock.now(),
    )
    .await?;
    Ok(Json(summary))
}

/// `GET /v1/invoices`: every invoice, newest first, and the upcoming one.
pub async fn invoices(
    State(state): State<AppState>,
    access: PortalAccess,
) -> Result<impl IntoResponse, ApiError> {
    let list = billing::invoices(
        &state.db,
        &state.catalog,
        &access.scope(),
        state.clock.now(),
    )
    .await?;
    Ok(([(header::CACHE_CONTROL, "private, no-store")], Json(list)))
}

/// `PUT /v1/subscriptions` (secret key): put a company on a plan without
/// checkout (plans sold by a person, migrations).
pub async fn assign(
    State(state): State<AppState>,
    _: SecretKey,
    ApiJson(request): ApiJson<AssignSubscription>,
) -> Result<Json<SubscriptionSummary>, ApiError> {
    let summary = billing::assign(&state.db, &state.catalog, &request, state.clock.now()).await?;
    Ok(Json(summary))
}
