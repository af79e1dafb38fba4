//! A row built by its builder (entitlements, members) is the row its HTML
//! describes, attribute for attribute and text for text, whatever the
//! feature or member is called.

use leptos::tachys::view::{Mountable, Render};
use portico::widgets::built_row::BuiltRow;
use portico::widgets::entitlements::{EntitlementRow, Meter};
use portico::widgets::members::MemberRow;
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

fn rows() -> Vec<BuiltRow<EntitlementRow>> {
    [
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
    .into_iter()
    .map(BuiltRow)
    .collect()
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
    let row = &metered("x\"><b>", "<b>Bold</b> & \"quoted\" 'names' \\ \u{1}", 0, 1);
    let element = BuiltRow(row.clone()).build();
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
    let mut before = rows().swap_remove(0).build();
    let mut after_it = rows().swap_remove(3).build();
    before.mount(&list, None);
    after_it.mount(&list, None);

    rows().swap_remove(1).rebuild(&mut before);

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

fn member(name: &str, seat_note: Option<&str>) -> BuiltRow<MemberRow> {
    BuiltRow(MemberRow {
        state: if seat_note.is_some() {
            "pending"
        } else {
            "active"
        },
        user_id: "usr_\"1\"".to_owned(),
        name: name.to_owned(),
        email: "ada@example.test".to_owned(),
        role: String::new(),
        badge: "Invited".to_owned(),
        seat_note: seat_note.map(str::to_owned),
        joined: "Dec\u{a0}1, 2026".to_owned(),
    })
}

#[wasm_bindgen_test]
fn a_built_member_row_is_the_row_its_html_describes() {
    for row in [
        member("Ada Lovelace", None),
        member(
            "<i>Ada</i> & \"Co\" \\ \u{1}",
            Some("Takes no seat until accepted"),
        ),
    ] {
        let html = row.to_html();
        assert_eq!(row.build().outer_html(), html);
    }
}
