//! `POST /v1/usage`: the host's backend reports usage of a numeric feature.

use serde::{Deserialize, Serialize};

use crate::{Keys, Timestamp};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageMode {
    /// Add `quantity` to the period's consumption (metered features).
    #[default]
    Increment,
    /// The company now holds `quantity` of the thing (limit features, e.g.
    /// 12 projects).
    Set,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    pub company: Keys,
    pub feature: String,
    pub quantity: u64,
    #[serde(default)]
    pub mode: UsageMode,
    /// When it happened; defaults to when the server received it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<Timestamp>,
    /// A report sent twice with the same key is counted once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRecorded {
    pub feature_id: String,
    /// The feature's usage after this report (this period's, if metered).
    pub usage: u64,
    /// False when the idempotency key had been seen and nothing changed.
    pub counted: bool,
}
