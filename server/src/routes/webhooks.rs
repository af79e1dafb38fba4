//! `POST /v1/webhooks/workos`: WorkOS event deliveries. The signature is
//! checked on the raw bytes before the body is parsed; the rules are in
//! `workos::sync`.
//!
//! Answers: `200 {"event_id", "outcome"}` once the event's effect is in the
//! database (or was already: `duplicate`, or is not needed: `stale`,
//! `already_deleted`, `ignored` for event types the sync does not handle);
//! `401` for a missing, malformed, wrong or stale signature; `409
//! conflicting_keys` when applying it would merge or re-key records (WorkOS
//! retries, so fixing the data, e.g. with `keys migrate`, lets a retry
//! through); `404 company_not_found` / `user_not_found` for a membership
//! whose organization or user is not synced yet; `503` when no webhook
//! secret is configured. Every refusal writes nothing.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use portico_types::ErrorCode;
use serde::Serialize;

use crate::app::AppState;
use crate::error::ApiError;
use crate::workos::objects::EventEnvelope;
use crate::workos::signature::{self, SIGNATURE_HEADER};
use crate::workos::sync::{self, Change, EventResult, SyncError};

#[derive(Debug, Serialize)]
pub struct WebhookAck {
    pub event_id: String,
    /// `applied`, `unchanged`, `stale`, `already_deleted`, `duplicate` or
    /// `ignored`.
    pub outcome: &'static str,
}

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Domain(error) => error.into(),
            SyncError::NotYetSynced { what, .. } => {
                let code = if what == "user" {
                    ErrorCode::UserNotFound
                } else {
                    ErrorCode::CompanyNotFound
                };
                ApiError::new(StatusCode::NOT_FOUND, code, error.to_string())
            }
        }
    }
}

pub async fn workos(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<WebhookAck>, ApiError> {
    let Some(secret) = state.workos_webhooks.secret.as_deref() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal,
            "WorkOS webhooks are not configured on this server: set --workos-webhook-secret \
             (PORTICO_WORKOS_WEBHOOK_SECRET) to the endpoint's signing secret. Nothing was changed",
        ));
    };
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request body is too large",
            )
        } else {
            ApiError::new(
                rejection.status(),
                ErrorCode::MalformedJson,
                rejection.body_text(),
            )
        }
    })?;
    let header = match headers.get(SIGNATURE_HEADER) {
        Some(value) => Some(value.to_str().map_err(|_| {
            ApiError::unauthenticated("the WorkOS-Signature header is not valid text")
        })?),
        None => None,
    };
    let now = state.clock.now();
    signature::verify(
        secret,
        header,
        &body,
        now.unix_millis(),
        state.workos_webhooks.tolerance,
    )
    .map_err(|error| ApiError::unauthenticated(error.to_string()))?;

    let envelope: EventEnvelope = serde_json::from_slice(&body).map_err(|error| {
        let (status, code) = if error.is_data() {
            (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::InvalidBody)
        } else {
            (StatusCode::BAD_REQUEST, ErrorCode::MalformedJson)
        };
        ApiError::new(status, code, format!("not a WorkOS event: {error}"))
    })?;
    let change = match Change::from_event(&envelope.event, &envelope.data) {
        None => {
            return Ok(Json(WebhookAck {
                event_id: envelope.id,
                outcome: "ignored",
            }))
        }
        Some(Err(error)) => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidBody,
                format!(
                    "the data of this {} event is not what WorkOS sends: {error}",
                    envelope.event
                ),
            ))
        }
        Some(Ok(change)) => change,
    };
    let result = sync::receive_event(&state.db, &envelope.id, &envelope.event, &change, now).await;
    let outcome = match result {
        Ok(EventResult::Duplicate) => "duplicate",
        Ok(EventResult::Handled(outcome)) => outcome.as_str(),
        Err(error) => {
            tracing::warn!(event_id = %envelope.id, event = %envelope.event, %error, "WorkOS event refused");
            return Err(error.into());
        }
    };
    Ok(Json(WebhookAck {
        event_id: envelope.id,
        outcome,
    }))
}
