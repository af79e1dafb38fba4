//! Keys: the identifiers a company or user already has in the customer's
//! systems (a WorkOS organization id, an email, a Stripe customer id).
//!
//! A record can hold many keys, at most one value per key name, and a
//! (name, value) pair belongs to at most one record. Upserts match records by
//! any of their keys.

use core::fmt;

use serde::{Deserialize, Serialize};

/// Company key that holds the WorkOS organization id (`org_…`).
pub const WORKOS_ORGANIZATION_ID: &str = "workos_organization_id";
/// User key that holds the WorkOS user id (`user_…`).
pub const WORKOS_USER_ID: &str = "workos_user_id";
/// User key that holds the user's email address, stored lower-cased.
pub const EMAIL: &str = "email";

/// Key name → key value. Ordered, so the same keys always serialize alike.
pub type Keys = crate::NameMap<String>;

/// One key: what a portal token is scoped to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyRef {
    pub name: String,
    pub value: String,
}

impl KeyRef {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        KeyRef {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl fmt::Display for KeyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    EmptyName,
    NameTooLong,
    BadNameCharacter(String),
    EmptyValue(String),
    ValueTooLong(String),
    ControlCharacter(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::EmptyName => f.write_str("key names must not be empty"),
            KeyError::NameTooLong => f.write_str("key names are at most 64 characters"),
            KeyError::BadNameCharacter(name) => write!(
                f,
                "key name {name:?} may hold only lower-case letters, digits and '_'"
            ),
            KeyError::EmptyValue(name) => write!(f, "key {name:?} has an empty value"),
            KeyError::ValueTooLong(name) => {
                write!(f, "key {name:?} has a value over 255 characters")
            }
            KeyError::ControlCharacter(name) => {
                write!(f, "key {name:?} has a value with control characters")
            }
        }
    }
}

impl std::error::Error for KeyError {}

pub fn validate_key_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty() {
        return Err(KeyError::EmptyName);
    }
    if name.len() > 64 {
        return Err(KeyError::NameTooLong);
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(KeyError::BadNameCharacter(name.to_owned()));
    }
    Ok(())
}

/// Values are opaque identifiers: any text without control characters, 1 to
/// 255 characters. They are stored and compared verbatim (bar `email`, which
/// the server lower-cases).
pub fn validate_key_value(name: &str, value: &str) -> Result<(), KeyError> {
    if value.trim().is_empty() {
        return Err(KeyError::EmptyValue(name.to_owned()));
    }
    if value.chars().count() > 255 {
        return Err(KeyError::ValueTooLong(name.to_owned()));
    }
    if value.chars().any(char::is_control) {
        return Err(KeyError::ControlCharacter(name.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_are_snake_case_identifiers() {
        assert!(validate_key_name(WORKOS_ORGANIZATION_ID).is_ok());
        assert!(validate_key_name("stripe_customer_id2").is_ok());
        assert_eq!(validate_key_name(""), Err(KeyError::EmptyName));
        assert!(validate_key_name("Email").is_err());
        assert!(validate_key_name("a b").is_err());
        assert!(validate_key_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn key_values_are_opaque_but_bounded() {
        assert!(validate_key_value("k", "org_01HXYZ").is_ok());
        assert!(validate_key_value("k", "' OR 1=1; --").is_ok());
        assert!(validate_key_value("k", "  ").is_err());
        assert!(validate_key_value("k", "a\nb").is_err());
        assert!(validate_key_value("k", &"é".repeat(255)).is_ok());
        assert!(validate_key_value("k", &"é".repeat(256)).is_err());
    }
}
