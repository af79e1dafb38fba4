//! A row built by its builder (entitlements, members) is the row its HTML
//! describes, attribute for attribute and text for text, whatever the
//! feature or member is called.

use portico::widgets::built_row::{KeptRows, RowData};
use portico::widgets::entitlements::{EntitlementRow, Meter};
use portico::widgets::members::MemberRow;
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
    .into()
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
    let element = row.build();
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

fn member(name: &str, seat_note: Option<&str>) -> MemberRow {
    MemberRow {
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
    }
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

/// A list of kept rows, as the entitlements list shows them: keyed by a
/// fingerprint of each row's data, shown again place by place. Rows whose
/// data is unchanged at their place stay the same elements; a changed,
/// shifted, added or removed row leaves the list reading as its data.
#[wasm_bindgen_test]
fn a_kept_list_keeps_unchanged_rows_and_follows_its_data() {
    use std::cell::Cell;
    use std::hash::{DefaultHasher, Hash, Hasher};

    let key = |(id, used): &(&'static str, u64)| {
        let mut hasher = DefaultHasher::new();
        (id, used).hash(&mut hasher);
        hasher.finish()
    };
    let list: Element = leptos::prelude::document()
        .create_element("ul")
        .expect("an element");
    let mut rows = KeptRows::new(list.clone());
    let made = Cell::new(0usize);
    let mut show = |data: &[(&'static str, u64)]| {
        rows.show(data.iter().map(key), |index| {
            made.set(made.get() + 1);
            metered(data[index].0, data[index].0, data[index].1, 10)
        })
    };
    let shown = || list.children();
    let features = || {
        let rows = shown();
        (0..rows.length())
            .filter_map(|i| rows.item(i))
            .map(|row| {
                let value = row
                    .query_selector("[data-part=entitlement-value]")
                    .ok()
                    .flatten()
                    .and_then(|v| v.text_content())
                    .unwrap_or_default();
                format!(
                    "{}={value}",
                    row.get_attribute("data-feature").unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
    };
    let element = |i: u32| shown().item(i).expect("a row");
    let mut data = vec![("a", 1u64), ("b", 2), ("c", 3), ("d", 4)];
    show(&data);
    assert_eq!(
        features(),
        [
            "a=1\u{a0}of 10",
            "b=2\u{a0}of 10",
            "c=3\u{a0}of 10",
            "d=4\u{a0}of 10"
        ]
    );
    assert_eq!(made.get(), 4);
    let (a, b, d) = (element(0), element(1), element(3));

    // One row's data changes: it alone is made again, in its place.
    data[2].1 = 9;
    show(&data);
    assert_eq!(
        features(),
        [
            "a=1\u{a0}of 10",
            "b=2\u{a0}of 10",
            "c=9\u{a0}of 10",
            "d=4\u{a0}of 10"
        ]
    );
    assert_eq!(made.get(), 5);
    assert!(element(0).is_same_node(Some(&a)) && element(1).is_same_node(Some(&b)));
    assert!(element(3).is_same_node(Some(&d)));

    // A row removed from the middle: those after it shift and are rebuilt;
    // the one before stays.
    data.remove(1);
    show(&data);
    assert_eq!(
        features(),
        ["a=1\u{a0}of 10", "c=9\u{a0}of 10", "d=4\u{a0}of 10"]
    );
    assert!(element(0).is_same_node(Some(&a)));
    assert!(!b.is_connected());

    // Rows added at the end, then the list emptied and filled again.
    data.push(("e", 5));
    show(&data);
    assert_eq!(
        features().last().map(String::as_str),
        Some("e=5\u{a0}of 10")
    );
    assert_eq!(shown().length(), 4);
    show(&[]);
    assert_eq!(shown().length(), 0);
    show(&[("z", 1)]);
    assert_eq!(features(), ["z=1\u{a0}of 10"]);
}
