//! Plain domain functions over the database: what the HTTP handlers call and
//! what tests call directly. Nothing here knows about HTTP.

pub mod billing;
pub mod identify;
pub mod members;
pub mod portal;
pub mod records;
pub mod subscriptions;
pub mod usage;

use portico_types::KeyRef;

/// What a portal token allows: one company, and optionally one user, both
/// named by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenScope {
    pub company: KeyRef,
    pub user: Option<KeyRef>,
}
