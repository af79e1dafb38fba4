//! One entitlement row, built in one call into the page's JavaScript
//! rather than element by element.
//!
//! A shown row never changes: the keyed list replaces a row whole when its
//! entitlement changes. The `view!` macro builds every row from nothing
//! (each element created, each `data-part` set, a marker comment under
//! every element with children), about fifty calls from the wasm into the
//! DOM a row, each string argument decoded on the way. Here the wasm hands
//! the row's fields over once, as one JSON array, and `row.js` clones a
//! prototype that already has its parts and sets the rest. That is what a
//! page of 1,000 entitlements spends its render on (`cargo xtask bench
//! scale`, data → rows).
//!
//! The same row renders to HTML (`to_html`), attribute for attribute, so
//! the browser tests hold `row.js` and this file to each other.

use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::no_attrs;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::meter_fill;

/// What one row shows, worked out from its entitlement (see
/// `entitlement_row`); plain data until it is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitlementRow {
    /// `data-state` of the row: `on`, `off`, `within-limit`, …
    pub state: &'static str,
    /// `data-kind`: `boolean`, `limit`, `metered` or `seats`.
    pub kind: &'static str,
    pub feature_id: String,
    pub name: String,
    /// The row's value text ("48,210 of 100,000"), also the meter's
    /// `aria-valuetext`.
    pub value: String,
    pub meter: Option<Meter>,
    /// Each note's `data-state` and text, in order.
    pub notes: Vec<(&'static str, String)>,
}

/// A usage meter against a limit above zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meter {
    pub state: &'static str,
    pub limit: u64,
    pub used: u64,
}

impl EntitlementRow {
    /// The row as HTML: the markup `row.js` builds in the DOM.
    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(256);
        self.write_html(&mut html);
        html
    }

    fn write_html(&self, html: &mut String) {
        html.push_str("<li data-part=\"entitlement\"");
        attribute(html, "data-state", self.state);
        attribute(html, "data-kind", self.kind);
        attribute(html, "data-feature", &self.feature_id);
        html.push_str(
            "><div data-part=\"entitlement-header\"><span data-part=\"entitlement-name\">",
        );
        escape_into(html, &self.name, false);
        html.push_str("</span><span data-part=\"entitlement-value\">");
        escape_into(html, &self.value, false);
        html.push_str("</span></div>");
        if let Some(meter) = &self.meter {
            html.push_str("<div data-part=\"meter\"");
            attribute(html, "data-state", meter.state);
            attribute(html, "role", "meter");
            attribute(html, "aria-valuemax", &meter.limit.to_string());
            attribute(
                html,
                "aria-valuenow",
                &meter.used.min(meter.limit).to_string(),
            );
            attribute(html, "aria-valuetext", &self.value);
            attribute(html, "aria-label", &self.name);
            html.push_str("><div data-part=\"meter-fill\" style=\"--portico-meter-fill: ");
            html.push_str(&meter_fill(meter.used, meter.limit));
            html.push_str(";\"></div></div>");
        }
        for (state, text) in &self.notes {
            html.push_str("<p data-part=\"entitlement-note\"");
            attribute(html, "data-state", state);
            html.push('>');
            escape_into(html, text, false);
            html.push_str("</p>");
        }
        html.push_str("</li>");
    }
}

fn attribute(html: &mut String, name: &str, value: &str) {
    html.push(' ');
    html.push_str(name);
    html.push_str("=\"");
    escape_into(html, value, true);
    html.push('"');
}

/// Text or an attribute value (`in_attribute`), escaped as the browser
/// serializes it, so that `to_html` and the built row read alike.
fn escape_into(html: &mut String, text: &str, in_attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '\u{a0}' => html.push_str("&nbsp;"),
            '"' if in_attribute => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
}

#[wasm_bindgen(module = "/src/widgets/entitlements/row.js")]
extern "C" {
    fn build_entitlement_row(fields: &str) -> Element;
}

/// `text` as a JSON string: copied in runs between the characters that
/// need escaping (a row's texts seldom have any).
fn json_string_into(json: &mut String, text: &str) {
    json.push('"');
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') {
        json.push_str(&rest[..at]);
        match rest.as_bytes()[at] {
            b'"' => json.push_str("\\\""),
            b'\\' => json.push_str("\\\\"),
            control => json.push_str(&format!("\\u{control:04x}")),
        }
        // The characters found are ASCII: one byte each.
        rest = &rest[at + 1..];
    }
    json.push_str(rest);
    json.push('"');
}

impl EntitlementRow {
    /// The fields `row.js` builds the row from (see `build_entitlement_row`).
    fn fields(&self) -> String {
        let mut json = String::with_capacity(128);
        json.push('[');
        for text in [
            self.state,
            self.kind,
            &self.feature_id,
            &self.name,
            &self.value,
        ] {
            json_string_into(&mut json, text);
            json.push(',');
        }
        match &self.meter {
            Some(meter) => {
                json_string_into(&mut json, meter.state);
                json.push_str(&format!(
                    ",\"{}\",\"{}\",",
                    meter.limit,
                    meter.used.min(meter.limit)
                ));
                json_string_into(&mut json, &meter_fill(meter.used, meter.limit));
            }
            None => json.push_str("null"),
        }
        for (state, text) in &self.notes {
            json.push(',');
            json_string_into(&mut json, state);
            json.push(',');
            json_string_into(&mut json, text);
        }
        json.push(']');
        json
    }
}

impl Render for EntitlementRow {
    type State = Element;

    fn build(self) -> Element {
        build_entitlement_row(&self.fields())
    }

    /// The keyed list moves rows rather than rebuilding them; a row given
    /// new data is replaced in place.
    fn rebuild(self, row: &mut Element) {
        let mut new_row = self.build();
        row.insert_before_this(&mut new_row);
        row.unmount();
        *row = new_row;
    }
}

no_attrs!(EntitlementRow);

impl RenderHtml for EntitlementRow {
    type AsyncOutput = Self;
    type Owned = Self;

    const MIN_LENGTH: usize = 0;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self {
        self
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        _escape: bool,
        _mark_branches: bool,
        _extra_attrs: Vec<AnyAttribute>,
    ) {
        self.write_html(buf);
        *position = Position::NextChild;
    }

    /// A row has nothing to wire up: hydrating it is taking hold of the
    /// `<li>` the server rendered.
    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Element {
        match position.get() {
            Position::FirstChild => cursor.child(),
            Position::Current => {}
            _ => cursor.sibling(),
        }
        position.set(Position::NextChild);
        cursor.current().unchecked_into()
    }

    fn into_owned(self) -> Self {
        self
    }
}
