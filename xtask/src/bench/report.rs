//! The bench's table: each number next to its budget, and whether a budget
//! that fails the build was exceeded. Only stable figures (bytes, request
//! counts) may fail it; timings depend on the machine and its load, so they
//! are printed and saved, never enforced.

use std::path::Path;

use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Within its budget.
    Ok,
    /// A timing, or the size target, missed: shown, not failing.
    Over,
    /// A stable budget exceeded (or the harness could not measure): fails.
    Fail,
    /// No budget: for information.
    Info,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Over => "over (not failing)",
            Status::Fail => "FAIL",
            Status::Info => "",
        }
    }
}

pub struct Row {
    pub measure: String,
    pub value: String,
    pub budget: String,
    pub status: Status,
}

#[derive(Default)]
pub struct Table {
    rows: Vec<Row>,
}

impl Table {
    pub fn row(
        &mut self,
        measure: impl Into<String>,
        value: impl Into<String>,
        budget: impl Into<String>,
        status: Status,
    ) {
        self.rows.push(Row {
            measure: measure.into(),
            value: value.into(),
            budget: budget.into(),
            status,
        });
    }

    /// A row for a timing with an upper bound: over it is shown, never
    /// failing.
    pub fn timing(&mut self, measure: impl Into<String>, ms: f64, budget: &str, limit_ms: f64) {
        let status = if ms.is_finite() && ms < limit_ms {
            Status::Ok
        } else {
            Status::Over
        };
        self.row(measure, format_ms(ms), budget, status);
    }

    pub fn info(&mut self, measure: impl Into<String>, value: impl Into<String>) {
        self.row(measure, value, "", Status::Info);
    }

    pub fn failed(&self) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| r.status == Status::Fail)
            .collect()
    }

    pub fn print(&self) {
        let width = |pick: fn(&Row) -> &str, at_least: usize| {
            self.rows
                .iter()
                .map(|r| pick(r).chars().count())
                .max()
                .unwrap_or(0)
                .max(at_least)
        };
        let (m, v, b) = (
            width(|r| &r.measure, 7),
            width(|r| &r.value, 8),
            width(|r| &r.budget, 6),
        );
        println!();
        println!(
            "{:<m$}  {:>v$}  {:<b$}  status",
            "measure", "measured", "budget"
        );
        println!("{}", "-".repeat(m + v + b + 6 + 18));
        for r in &self.rows {
            println!(
                "{:<m$}  {:>v$}  {:<b$}  {}",
                r.measure,
                r.value,
                r.budget,
                r.status.word()
            );
        }
    }

    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    json!({
                        "measure": r.measure,
                        "measured": r.value,
                        "budget": r.budget,
                        "status": match r.status {
                            Status::Ok => "ok",
                            Status::Over => "over",
                            Status::Fail => "fail",
                            Status::Info => "info",
                        },
                    })
                })
                .collect(),
        )
    }
}

pub fn format_ms(ms: f64) -> String {
    if ms.is_finite() {
        format!("{ms:.1} ms")
    } else {
        "n/a".to_owned()
    }
}

pub fn format_kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// `12345.6` as `12,346`.
pub fn format_count(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Writes `value` as pretty JSON to `target/bench/<name>.json`.
pub fn write_json(dir: &Path, name: &str, value: &Value) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::format_count;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(format_count(0.0), "0");
        assert_eq!(format_count(999.4), "999");
        assert_eq!(format_count(12345.6), "12,346");
        assert_eq!(format_count(1_000_000.0), "1,000,000");
    }
}
