//! WorkOS's REST objects as the sync reads them: users, organizations,
//! organization memberships, event envelopes and list pages. Unknown fields
//! are ignored, so WorkOS adding one breaks nothing.

use core::fmt;

use portico_types::{MembershipStatus, Timestamp};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// A WorkOS instant (`2026-11-23T09:30:00.123Z`) to the millisecond: WorkOS
/// stamps objects in milliseconds, and two updates within one second must
/// still be told apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkosInstant {
    pub unix_millis: i64,
}

impl WorkosInstant {
    pub fn parse(text: &str) -> Result<Self, String> {
        let seconds = Timestamp::parse_rfc3339(text).map_err(|e| e.to_string())?;
        // `parse_rfc3339` checked the layout: a fraction, if any, starts at
        // byte 19 and is all digits.
        let fraction: String = text
            .get(19..)
            .and_then(|rest| rest.strip_prefix('.'))
            .map(|digits| digits.chars().take_while(char::is_ascii_digit).collect())
            .unwrap_or_default();
        let mut millis = 0i64;
        for (position, digit) in fraction.chars().chain("000".chars()).take(3).enumerate() {
            let value = i64::from(digit.to_digit(10).unwrap_or(0));
            millis += value * 10i64.pow(2 - position as u32);
        }
        Ok(WorkosInstant {
            unix_millis: seconds.0.saturating_mul(1000).saturating_add(millis),
        })
    }

    pub fn to_timestamp(self) -> Timestamp {
        Timestamp(self.unix_millis.div_euclid(1000))
    }
}

impl fmt::Display for WorkosInstant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.to_timestamp().to_rfc3339();
        let millis = self.unix_millis.rem_euclid(1000);
        // `…:SSZ` → `…:SS.mmmZ`
        let stem = seconds.trim_end_matches('Z');
        write!(f, "{stem}.{millis:03}Z")
    }
}

impl<'de> Deserialize<'de> for WorkosInstant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        WorkosInstant::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for WorkosInstant {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A WorkOS user (`user_…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    pub created_at: WorkosInstant,
    pub updated_at: WorkosInstant,
}

impl User {
    /// "First Last", or whichever part is present.
    pub fn display_name(&self) -> Option<String> {
        let parts: Vec<&str> = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationDomain {
    pub domain: String,
}

/// A WorkOS organization (`org_…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub domains: Vec<OrganizationDomain>,
    pub created_at: WorkosInstant,
    pub updated_at: WorkosInstant,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRef {
    pub slug: String,
}

/// A WorkOS organization membership (`om_…`): one user in one organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationMembership {
    pub id: String,
    pub user_id: String,
    pub organization_id: String,
    #[serde(default)]
    pub role: Option<RoleRef>,
    pub status: MembershipStatus,
    pub created_at: WorkosInstant,
    pub updated_at: WorkosInstant,
}

/// A webhook body or one item of `GET /events`: `data` is the full object,
/// parsed once the event type says which.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: String,
    pub event: String,
    pub data: serde_json::Value,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListMetadata {
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

/// One page of a WorkOS list endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListPage<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub list_metadata: ListMetadata,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_keep_milliseconds() {
        let a = WorkosInstant::parse("2026-11-23T09:30:00.123Z").unwrap();
        let b = WorkosInstant::parse("2026-11-23T09:30:00.124Z").unwrap();
        let whole = WorkosInstant::parse("2026-11-23T09:30:00Z").unwrap();
        let micros = WorkosInstant::parse("2026-11-23T09:30:00.1239Z").unwrap();
        assert!(a < b);
        assert_eq!(a.unix_millis - whole.unix_millis, 123);
        assert_eq!(micros, a, "digits past milliseconds are dropped");
        assert_eq!(
            WorkosInstant::parse("2026-11-23T09:30:00.5Z")
                .unwrap()
                .unix_millis
                - whole.unix_millis,
            500
        );
        assert_eq!(a.to_string(), "2026-11-23T09:30:00.123Z");
        assert_eq!(a.to_timestamp(), whole.to_timestamp());
        assert!(WorkosInstant::parse("yesterday").is_err());
    }

    #[test]
    fn reads_workos_shaped_objects() {
        let membership: OrganizationMembership = serde_json::from_str(
            r#"{"object":"organization_membership","id":"om_1","user_id":"user_1","organization_id":"org_1",
                "role":{"slug":"admin"},"status":"pending","created_at":"2026-01-01T00:00:00.000Z",
                "updated_at":"2026-01-02T00:00:00.000Z","organization_name":"Acme"}"#,
        )
        .unwrap();
        assert_eq!(membership.status, MembershipStatus::Pending);
        assert_eq!(membership.role.unwrap().slug, "admin");
        let user: User = serde_json::from_str(
            r#"{"object":"user","id":"user_1","email":"a@b.test","first_name":"Ada","last_name":null,
                "email_verified":true,"created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z"}"#,
        )
        .unwrap();
        assert_eq!(user.display_name().as_deref(), Some("Ada"));
    }
}
