//! The one error body every endpoint returns:
//! `{"error": {"code": "conflicting_keys", "message": "…"}}`.

use core::fmt;

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. Clients switch on these; messages
/// are for people and may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not JSON.
    MalformedJson,
    /// The body is JSON but a field is missing or has the wrong type.
    InvalidBody,
    /// The request needs `Content-Type: application/json`.
    UnsupportedMediaType,
    /// A value failed validation (a key name, a quantity, a currency).
    InvalidInput,
    /// No credentials, or credentials that are not valid.
    Unauthenticated,
    /// A portal token that has expired: get a new one.
    TokenExpired,
    /// Valid credentials that may not do this (another company, a browser
    /// token on a server endpoint, …).
    Forbidden,
    /// Keys that match two different records, or a record that already has
    /// another value for a key name.
    ConflictingKeys,
    /// No company matches the keys.
    CompanyNotFound,
    /// No user matches the keys.
    UserNotFound,
    /// The feature is not in the catalog.
    UnknownFeature,
    /// The plan is not in the catalog.
    UnknownPlan,
    /// The add-on is not in the catalog, or not available on the plan.
    UnknownAddon,
    /// The change would leave usage above the new limits.
    UsageExceedsLimits,
    /// The preview no longer matches the subscription or the request:
    /// preview again.
    StalePreview,
    /// The payment provider declined the charge; nothing was changed.
    PaymentDeclined,
    /// The payment provider could not be reached; nothing was changed.
    PaymentUnavailable,
    /// Another change to this subscription is being processed.
    ChangeInProgress,
    /// An `Idempotency-Key` reused for a different request.
    IdempotencyConflict,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    Internal,
    /// A code this client does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ConflictingKeys => "conflicting_keys",
            ErrorCode::CompanyNotFound => "company_not_found",
            ErrorCode::UserNotFound => "user_not_found",
            ErrorCode::UnknownFeature => "unknown_feature",
            ErrorCode::UnknownPlan => "unknown_plan",
            ErrorCode::UnknownAddon => "unknown_addon",
            ErrorCode::UsageExceedsLimits => "usage_exceeds_limits",
            ErrorCode::StalePreview => "stale_preview",
            ErrorCode::PaymentDeclined => "payment_declined",
            ErrorCode::PaymentUnavailable => "payment_unavailable",
            ErrorCode::ChangeInProgress => "change_in_progress",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::NotFound => "not_found",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub error: ApiError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_names_and_unknown_ones_are_tolerated() {
        let body = ApiErrorBody {
            error: ApiError {
                code: ErrorCode::ConflictingKeys,
                message: "m".into(),
            },
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"code":"conflicting_keys","message":"m"}}"#
        );
        let newer: ApiErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new","message":"m"}}"#).unwrap();
        assert_eq!(newer.error.code, ErrorCode::Unknown);
        for code in [
            ErrorCode::MalformedJson,
            ErrorCode::TokenExpired,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
