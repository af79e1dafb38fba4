//! `POST /v1/identify`: the browser says who is signed in.
//!
//! Identify upserts the company and user by their keys, links them with a
//! membership and records an `identify` event. The widgets send it on mount
//! and do not wait for it before reading portal data.

use serde::{Deserialize, Serialize};

use crate::{Keys, NameMap};

/// Free-form metadata about a company or user, used for targeting and shown
/// to nobody. Flat: a trait is a boolean, number or string.
pub type Traits = NameMap<TraitValue>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TraitValue {
    Bool(bool),
    Integer(i64),
    Number(f64),
    Text(String),
}

impl From<&str> for TraitValue {
    fn from(value: &str) -> Self {
        TraitValue::Text(value.to_owned())
    }
}

impl From<String> for TraitValue {
    fn from(value: String) -> Self {
        TraitValue::Text(value)
    }
}

impl From<bool> for TraitValue {
    fn from(value: bool) -> Self {
        TraitValue::Bool(value)
    }
}

impl From<i64> for TraitValue {
    fn from(value: i64) -> Self {
        TraitValue::Integer(value)
    }
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct CompanyIdentity {
    pub keys: Keys,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Traits::is_empty")]
    pub traits: Traits,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UserIdentity {
    pub keys: Keys,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Traits::is_empty")]
    pub traits: Traits,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct IdentifyRequest {
    pub company: CompanyIdentity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserIdentity>,
}

/// The 202 body of `POST /v1/identify`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentifyAccepted {
    pub event_id: String,
}
