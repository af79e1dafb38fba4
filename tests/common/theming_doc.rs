//! Reading docs/theming.md's reference tables, for the tests that hold the
//! code to them (`tests/contract.rs` and the end-to-end suite).

use std::collections::BTreeSet;

/// Names in backticks in the first column of the table under the heading
/// `## {heading}` of `docs` (the text of docs/theming.md).
pub fn documented(docs: &str, heading: &str) -> BTreeSet<String> {
    let section = docs
        .split(&format!("## {heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no section {heading}"));
    let section = section.split("\n## ").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect()
}
