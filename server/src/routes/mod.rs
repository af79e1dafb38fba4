//! HTTP handlers: each parses the request, calls one domain function and
//! shapes the response. Rules live in `domain`, not here.

pub mod billing;
pub mod demo;
pub mod identify;
pub mod members;
pub mod portal;
pub mod records;
pub mod tokens;
pub mod usage;
pub mod webhooks;

use axum::Json;
use serde_json::{json, Value};

pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
