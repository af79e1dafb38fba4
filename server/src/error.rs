//! Errors: [`DomainError`] is what the domain functions return;
//! [`ApiError`] is what an HTTP client sees, always as
//! `{"error": {"code": …, "message": …}}` with a fitting status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_types::{ApiErrorBody, ErrorCode};

use crate::tokens::TokenError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    ConflictingKeys(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("no company has the keys {0}")]
    CompanyNotFound(String),
    #[error("no user has the keys {0}")]
    UserNotFound(String),
    #[error("the catalog has no feature {0:?}")]
    UnknownFeature(String),
    #[error("the catalog has no plan {0:?}")]
    UnknownPlan(String),
    #[error("{0}")]
    UnknownAddon(String),
    #[error("{0}")]
    UsageExceedsLimits(String),
    #[error("{0}; preview the change again")]
    StalePreview(String),
    #[error("{0}")]
    PaymentDeclined(String),
    #[error("payment could not be taken ({0}); nothing was changed, try again")]
    PaymentUnavailable(String),
    #[error("another change to this subscription is being processed; try again in a moment")]
    ChangeInProgress,
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyConflict,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            message,
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; nothing was changed. It has been logged.",
        )
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        let message = error.to_string();
        match error {
            DomainError::InvalidInput(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidInput,
                message,
            ),
            DomainError::ConflictingKeys(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::ConflictingKeys, message)
            }
            DomainError::Forbidden(_) => ApiError::forbidden(message),
            DomainError::CompanyNotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::CompanyNotFound, message)
            }
            DomainError::UserNotFound(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UserNotFound, message)
            }
            DomainError::UnknownFeature(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownFeature, message)
            }
            DomainError::UnknownPlan(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownPlan, message)
            }
            DomainError::UnknownAddon(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::UnknownAddon,
                message,
            ),
            DomainError::UsageExceedsLimits(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::UsageExceedsLimits,
                message,
            ),
            DomainError::StalePreview(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::StalePreview, message)
            }
            DomainError::PaymentDeclined(_) => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                ErrorCode::PaymentDeclined,
                message,
            ),
            DomainError::PaymentUnavailable(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::PaymentUnavailable,
                message,
            ),
            DomainError::ChangeInProgress => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::ChangeInProgress, message)
            }
            DomainError::IdempotencyConflict => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyConflict,
                message,
            ),
            DomainError::Database(e) => {
                tracing::error!(error = %e, "database error");
                ApiError::internal()
            }
            DomainError::Corrupt(what) => {
                tracing::error!(%what, "corrupt stored data");
                ApiError::internal()
            }
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Expired => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::TokenExpired,
                "the portal token has expired; ask the host for a new one",
            ),
            other => ApiError::unauthenticated(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            error: portico_types::ApiError {
                code: self.code,
                message: self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
