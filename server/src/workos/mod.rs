//! WorkOS sync: organizations, users and organization memberships kept in
//! Portico's companies, users and memberships.
//!
//! - [`signature`]: verifying `WorkOS-Signature` on webhook deliveries;
//! - [`objects`]: WorkOS's objects and list pages, as read here;
//! - [`sync`]: the rules (keys, ordering, deletes, conflicts), shared by
//! - webhooks (`routes::webhooks`), [`catch_up`] (Events API, persisted
//!   cursor) and [`import`] (full listing; also the scheduled reconcile);
//! - [`api`]: the WorkOS REST client; [`schedule`]: the background tasks of
//!   `serve`; [`key_migration`]: `keys migrate`; [`config`]: flags.
//!
//! Nothing here serves browsers: the members list is `domain::members`.

pub mod api;
pub mod catch_up;
pub mod cli;
pub mod config;
pub mod import;
pub mod key_migration;
pub mod objects;
pub mod schedule;
pub mod signature;
pub mod state;
pub mod sync;
