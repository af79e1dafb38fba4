//! `GET /v1/members`: the members of the token's company, as synced from
//! WorkOS organization memberships, and how many seats they take.
//!
//! A seat is an active membership: pending invitations and deactivated
//! (inactive) members do not take one.

use serde::{Deserialize, Serialize};

use crate::{Limit, Timestamp};

/// Where a membership stands, as WorkOS organization memberships do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    /// Invited, not accepted yet. Takes no seat.
    Pending,
    /// A member. Takes a seat.
    Active,
    /// Deactivated: kept (with their role) so they can be reactivated. Takes
    /// no seat.
    Inactive,
}

impl MembershipStatus {
    /// The wire name; also the widgets' `data-state` value.
    pub fn as_str(self) -> &'static str {
        match self {
            MembershipStatus::Pending => "pending",
            MembershipStatus::Active => "active",
            MembershipStatus::Inactive => "inactive",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(MembershipStatus::Pending),
            "active" => Some(MembershipStatus::Active),
            "inactive" => Some(MembershipStatus::Inactive),
            _ => None,
        }
    }

    pub fn takes_seat(self) -> bool {
        self == MembershipStatus::Active
    }
}

/// One member of the company.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The Portico user id (`usr_…`).
    pub user_id: String,
    /// The WorkOS user id (`user_…`), if the user has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workos_user_id: Option<String>,
    /// Display name ("First Last"), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lower-cased email address, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The WorkOS role slug of the membership (`admin`, `member`, …), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub status: MembershipStatus,
    /// When the membership began (WorkOS's `created_at` for synced members).
    pub joined_at: Timestamp,
}

/// Seats of the company: used against the plan's limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatSummary {
    /// Active memberships.
    pub used: u64,
    /// What the company's current plan grants for its seats feature;
    /// `"unlimited"` when the catalog sells no seats.
    pub limit: Limit,
    /// Pending invitations (no seat taken).
    pub pending: u64,
    /// Deactivated members (no seat taken): seats saved.
    pub inactive: u64,
}

impl SeatSummary {
    /// Seats still free, or `None` when unlimited.
    pub fn available(&self) -> Option<u64> {
        match self.limit {
            Limit::Count(limit) => Some(limit.saturating_sub(self.used)),
            Limit::Unlimited => None,
        }
    }

    pub fn over_limit(&self) -> bool {
        matches!(self.limit, Limit::Count(limit) if self.used > limit)
    }
}

/// `GET /v1/members`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberList {
    /// Every member, whatever their status: oldest membership first, then
    /// by email.
    pub members: Vec<Member>,
    pub seats: SeatSummary,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_lists_have_a_stable_wire_shape() {
        let list = MemberList {
            members: vec![Member {
                user_id: "usr_1".into(),
                workos_user_id: Some("user_1".into()),
                name: Some("Ada Lovelace".into()),
                email: Some("ada@acme.test".into()),
                role: Some("admin".into()),
                status: MembershipStatus::Inactive,
                joined_at: Timestamp(0),
            }],
            seats: SeatSummary {
                used: 4,
                limit: Limit::Count(3),
                pending: 1,
                inactive: 1,
            },
        };
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["members"][0]["status"], "inactive");
        assert_eq!(json["members"][0]["joined_at"], "1970-01-01T00:00:00Z");
        assert_eq!(json["seats"]["limit"], 3);
        assert_eq!(serde_json::from_value::<MemberList>(json).unwrap(), list);
        assert!(list.seats.over_limit());
        assert_eq!(list.seats.available(), Some(0));
        assert_eq!(
            MembershipStatus::parse("pending"),
            Some(MembershipStatus::Pending)
        );
        assert!(!MembershipStatus::Pending.takes_seat());
    }
}
