//! The theming and text contract in docs/theming.md matches the code: every
//! custom property in style/tokens.css, every `data-part` the widgets
//! render, and every message key is documented, and nothing documented is
//! missing from the code. (The end-to-end suite checks the parts in the
//! rendered page too.)

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[path = "common/theming_doc.rs"]
mod theming_doc;

/// Names in the first column of docs/theming.md's table under `heading`.
fn documented(heading: &str) -> BTreeSet<String> {
    theming_doc::documented(&read("docs/theming.md"), heading)
}

/// `--portico-…` properties the tokens define.
fn defined_tokens() -> BTreeSet<String> {
    let css = read("style/tokens.css");
    css.lines()
        .filter_map(|line| line.trim().strip_prefix("--portico-"))
        .filter_map(|rest| rest.split(':').next())
        .map(|name| format!("--portico-{name}"))
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(path).unwrap());
        }
    }
}

/// `data-part="…"` (and `data-part=ident` for parts passed as variables are
/// skipped: their values are literals elsewhere) in the widget sources.
fn rendered_parts() -> BTreeSet<String> {
    let mut sources = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut sources,
    );
    let mut parts = BTreeSet::new();
    for source in sources {
        for chunk in source.split("data-part=\"").skip(1) {
            if let Some(name) = chunk.split('"').next() {
                parts.insert(name.to_owned());
            }
        }
        // Parts given to `portal_view("…", …)` are section parts.
        for chunk in source.split("portal_view(\"").skip(1) {
            if let Some(name) = chunk.split('"').next() {
                parts.insert(name.to_owned());
            }
        }
        // Elements built by hand, and the rows' HTML, name each element's
        // part right after its tag: `element("li", "entitlement")`,
        // `text_element(tag, "checkout-message", …)`, `open("li", "meter")`;
        // a button's and a section's part come first: `button("retry", …)`,
        // `section("preview", …)`. A part passed in a variable is a literal
        // at the call that passes it.
        for (call, position) in [
            ("element(", 1),
            (".open(", 1),
            ("button(", 0),
            ("section(", 0),
        ] {
            for chunk in source.split(call).skip(1) {
                let arguments = chunk.split(')').next().unwrap_or_default();
                let literal = arguments
                    .split(',')
                    .nth(position)
                    .map(str::trim)
                    .and_then(|a| a.strip_prefix('"'))
                    .and_then(|a| a.strip_suffix('"'));
                if let Some(name) = literal {
                    parts.insert(name.to_owned());
                }
            }
        }
    }
    parts
}

#[test]
fn every_custom_property_is_documented() {
    let documented = documented("Custom properties");
    assert_eq!(
        defined_tokens(),
        documented,
        "style/tokens.css and docs/theming.md differ"
    );
}

#[test]
fn every_part_is_documented() {
    let documented = documented("Parts");
    let rendered = rendered_parts();
    let undocumented: Vec<_> = rendered.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&rendered).collect();
    assert!(
        undocumented.is_empty(),
        "parts missing from docs/theming.md: {undocumented:?}"
    );
    assert!(
        stale.is_empty(),
        "documented parts no widget renders: {stale:?}"
    );
}

#[test]
fn every_message_key_is_documented() {
    let documented = documented("Text and locales");
    let keys: BTreeSet<String> = portico::i18n::Msg::ALL
        .iter()
        .map(|m| m.key().to_owned())
        .collect();
    assert_eq!(keys, documented, "message keys and docs/theming.md differ");
}
