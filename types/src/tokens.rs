//! `POST /v1/portal-tokens`: the host's backend, holding the secret key,
//! mints a short-lived token that lets one browser read and act for one
//! company (and optionally one user) and nothing else.

use serde::{Deserialize, Serialize};

use crate::{KeyRef, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintPortalToken {
    /// The company key the token is scoped to, normally
    /// `workos_organization_id`.
    pub company: KeyRef,
    /// The signed-in user's key, normally `workos_user_id`. When present,
    /// identify may only name this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<KeyRef>,
    /// Lifetime in seconds; at most (and by default) 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u32>,
    /// The user's role in the organization (a WorkOS role slug such as
    /// `admin`), shown in the portal and checked by the server's billing
    /// role gate, if one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The user's permissions (WorkOS permission slugs), checked by the
    /// billing role gate, if one is configured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalToken {
    pub token: String,
    pub expires_at: Timestamp,
    pub company: KeyRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<KeyRef>,
}
