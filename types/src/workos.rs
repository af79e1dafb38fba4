//! WorkOS's own shapes, as far as Portico reads them: the signed-in user and
//! organization the host hands to the widgets. Field names follow the WorkOS
//! REST API (`first_name`); the camel-case names AuthKit's JavaScript SDKs
//! use (`firstName`) are accepted too, so a host can pass AuthKit's `user`
//! object through unchanged.

use serde::{Deserialize, Serialize};

use crate::KeyRef;

#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkosUser {
    /// `user_…`
    pub id: String,
    pub email: String,
    #[serde(default, alias = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, alias = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, alias = "emailVerified")]
    pub email_verified: bool,
}

impl WorkosUser {
    /// "First Last", or whichever part is present.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    pub fn key(&self) -> KeyRef {
        KeyRef::new(crate::WORKOS_USER_ID, self.id.clone())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkosOrganization {
    /// `org_…`
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl WorkosOrganization {
    pub fn key(&self) -> KeyRef {
        KeyRef::new(crate::WORKOS_ORGANIZATION_ID, self.id.clone())
    }
}

/// A seeded account of the demo server (`GET /v1/demo/accounts`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoAccount {
    pub user: WorkosUser,
    pub organization: WorkosOrganization,
    /// WorkOS role slug of the membership.
    pub role: String,
    /// The plan the organization is seeded on, for the demo's picker.
    pub plan_name: String,
}

/// `POST /v1/demo/portal-tokens`: what the demo host's "backend" would do
/// with its secret key, done by the demo server for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoTokenRequest {
    pub organization_id: String,
    pub user_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_authkit_camel_case_and_rest_snake_case() {
        let js: WorkosUser = serde_json::from_str(
            r#"{"object":"user","id":"user_1","email":"a@b.test","firstName":"Ada","lastName":"Lovelace","emailVerified":true,"profilePictureUrl":null}"#,
        )
        .unwrap();
        let rest: WorkosUser = serde_json::from_str(
            r#"{"object":"user","id":"user_1","email":"a@b.test","first_name":"Ada","last_name":"Lovelace","email_verified":true}"#,
        )
        .unwrap();
        assert_eq!(js, rest);
        assert_eq!(js.display_name().as_deref(), Some("Ada Lovelace"));
        let bare = WorkosUser {
            id: "user_2".into(),
            email: "x@y.test".into(),
            ..Default::default()
        };
        assert_eq!(bare.display_name(), None);
    }
}
