//! An entitlement row built by cloning its prototype is the row its HTML
//! describes, attribute for attribute and text for text, whatever the
//! feature is called.

use leptos::tachys::view::{Mountable, Render};
use portico::widgets::entitlements::{EntitlementRow, Meter};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;

fn metered(feature_id: &str, name: &str, used: u64, limit: u64) -> EntitlementRow {
    EntitlementRow {
        state: if used > limit {
            "over-limit"
        } else {
            "within-limit"
        },
        kind: "metered",
        feature_id: feature_id.to_owned(),
        name: name.to_owned(),
        value: format!("{used}\u{a0}of {limit}"),
        meter: Some(Meter {
            state: if used > limit {
                "over-limit"
            } else {
                "within-limit"
            },
            limit,
            used,
        }),
        notes: vec![
            (
                "over-limit",
                format!("Over by {}", used.saturating_sub(limit)),
            ),
            ("resets", "Resets on Dec 1, 2026".to_owned()),
        ],
    }
}

fn rows() -> Vec<EntitlementRow> {
    vec![
        metered("api_calls", "API calls", 48_210, 100_000),
        metered("exports", "Exports", 1_180, 1_000),
        // Names and ids are the customer's: markup in them stays text.
        metered("x\"><b>", "<b>Bold</b> & \"quoted\" 'names' \\ \u{1}", 0, 1),
        EntitlementRow {
            state: "on",
            kind: "boolean",
            feature_id: "sso".to_owned(),
            name: "Single sign-on".to_owned(),
            value: "Included".to_owned(),
            meter: None,
            notes: Vec::new(),
        },
    ]
}

#[wasm_bindgen_test]
fn a_built_row_is_the_row_its_html_describes() {
    for row in rows() {
        let html = row.to_html();
        let element = row.build();
        assert_eq!(element.outer_html(), html);
    }
}

#[wasm_bindgen_test]
fn markup_in_a_name_stays_text() {
    let row = &rows()[2];
    let element = row.clone().build();
    let name = element
        .query_selector("[data-part=entitlement-name]")
        .ok()
        .flatten()
        .expect("a name");
    assert_eq!(name.text_content().as_deref(), Some(row.name.as_str()));
    assert_eq!(element.query_selector("b").ok().flatten(), None);
    assert_eq!(
        element.get_attribute("data-feature").as_deref(),
        Some("x\"><b>")
    );
}

#[wasm_bindgen_test]
fn a_rebuilt_row_takes_the_old_ones_place() {
    let document = leptos::prelude::document();
    let list: Element = document.create_element("ul").expect("an element");
    let mut before = rows()[0].clone().build();
    let mut after_it = rows()[3].clone().build();
    before.mount(&list, None);
    after_it.mount(&list, None);

    rows()[1].clone().rebuild(&mut before);

    let children = list.children();
    assert_eq!(children.length(), 2);
    let first = children.item(0).expect("a first row");
    assert_eq!(
        first.get_attribute("data-feature").as_deref(),
        Some("exports")
    );
    assert!(
        first.unchecked_ref::<Element>() == &before,
        "the state holds the new row"
    );
    assert_eq!(
        children
            .item(1)
            .and_then(|row| row.get_attribute("data-feature"))
            .as_deref(),
        Some("sso")
    );
}
