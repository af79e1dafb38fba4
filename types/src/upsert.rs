//! `PUT /v1/companies` and `PUT /v1/users`: server-side upserts by key that
//! return the record (identify's synchronous sibling).

use serde::{Deserialize, Serialize};

use crate::{Keys, Timestamp, Traits};

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UpsertCompany {
    pub keys: Keys,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub traits: Traits,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct UpsertUser {
    pub keys: Keys,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub traits: Traits,
    /// Keys of a company to make the user a member of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<Keys>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompanyRecord {
    pub id: String,
    pub keys: Keys,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub traits: Traits,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: String,
    pub keys: Keys,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub traits: Traits,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
