//! The Portico API server: companies, users and memberships upserted by key,
//! a catalog of plans and features, subscriptions, usage, and the portal
//! snapshot the widgets render, on SQLite.
//!
//! Layout: `routes` (thin HTTP handlers) over `domain` (plain functions that
//! tests call directly) over `db` (SQLite pools and migrations). `auth` says
//! who is calling (portal tokens, AuthKit access tokens, the billing role
//! gate, rate limits); `security_headers` what every response carries.

pub mod app;
pub mod auth;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod ids;
pub mod payments;
pub mod routes;
pub mod security_headers;
pub mod tokens;
pub mod workos;

pub use app::{router, AppState, SecuritySettings, Settings};
