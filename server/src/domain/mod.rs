//! Plain domain functions over the database: what the HTTP handlers call and
//! what tests call directly. Nothing here knows about HTTP.

pub mod access;
pub mod billing;
pub mod identify;
pub mod members;
pub mod portal;
pub mod records;
pub mod subscriptions;
pub mod usage;

use portico_types::KeyRef;

/// What a browser credential (a portal token or a WorkOS AuthKit access
/// token) allows: one company, and optionally one user, both named by key,
/// with the role and permissions the credential carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenScope {
    pub company: KeyRef,
    pub user: Option<KeyRef>,
    pub grants: Grants,
}

impl TokenScope {
    /// A scope with no role, no permissions and no right to manage billing:
    /// what a caller gets unless authentication decided otherwise.
    pub fn new(company: KeyRef, user: Option<KeyRef>) -> Self {
        TokenScope {
            company,
            user,
            grants: Grants::default(),
        }
    }
}

/// The role and permissions a credential carries, and what the server's
/// billing role gate made of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    /// The viewer's role slug in the organization (`admin`, `member`, …).
    pub role: Option<String>,
    /// Every role the credential names: `role`, and AuthKit's `roles` list.
    pub roles: Vec<String>,
    /// Permission slugs (`billing:manage`, …).
    pub permissions: Vec<String>,
    /// Whether this credential may change the plan, check out, cancel or
    /// resume. Decided once, when the request is authenticated, so the flag
    /// the portal shows and the check the billing endpoints make can never
    /// disagree. False unless authentication set it: fail closed.
    pub can_manage_billing: bool,
}
