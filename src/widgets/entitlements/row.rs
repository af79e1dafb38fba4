//! One entitlement row, built as a clone of a prototype rather than
//! element by element.
//!
//! A shown row never changes: the keyed list replaces a row whole when its
//! entitlement changes. The `view!` macro builds every row from nothing
//! (each element created, each `data-part` set, and a marker comment under
//! every element with children), about fifty calls into the DOM a row. A
//! row here is a deep clone of a prototype that already has its parts, and
//! only what differs from row to row is set on it: about twenty calls.
//! That is what a page of 1,000 entitlements spends its render on
//! (`cargo xtask bench scale`, data → rows).
//!
//! The same row renders to HTML (`to_html`), attribute for attribute, so
//! the browser tests can hold the two to each other.

use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::no_attrs;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};
use wasm_bindgen::{JsCast, UnwrapThrowExt};
use web_sys::{Element, HtmlElement};

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

impl Meter {
    /// Each attribute of the meter element after `data-part`, in order.
    fn attributes<'a>(&self, row: &'a EntitlementRow) -> [(&'static str, AttributeValue<'a>); 6] {
        [
            ("data-state", AttributeValue::Text(self.state)),
            ("role", AttributeValue::Text("meter")),
            ("aria-valuemax", AttributeValue::Count(self.limit)),
            (
                "aria-valuenow",
                AttributeValue::Count(self.used.min(self.limit)),
            ),
            ("aria-valuetext", AttributeValue::Text(&row.value)),
            ("aria-label", AttributeValue::Text(&row.name)),
        ]
    }
}

/// The custom property the meter's fill width is read from (the theme's
/// `[data-part=meter-fill]` rule): set through the CSSOM, which a strict
/// `style-src` allows where a `style` attribute would be refused.
const METER_FILL: &str = "--portico-meter-fill";

enum AttributeValue<'a> {
    Text(&'a str),
    Count(u64),
}

impl AttributeValue<'_> {
    fn set_on(&self, element: &Element, name: &str) {
        let _ = match self {
            AttributeValue::Text(value) => element.set_attribute(name, value),
            AttributeValue::Count(value) => element.set_attribute(name, &value.to_string()),
        };
    }

    fn write(&self, html: &mut String, name: &str) {
        html.push(' ');
        html.push_str(name);
        html.push_str("=\"");
        match self {
            AttributeValue::Text(value) => escape_into(html, value, true),
            AttributeValue::Count(value) => html.push_str(&value.to_string()),
        }
        html.push('"');
    }
}

impl EntitlementRow {
    /// The row's attributes after `data-part`, in order.
    fn attributes(&self) -> [(&'static str, AttributeValue<'_>); 3] {
        [
            ("data-state", AttributeValue::Text(self.state)),
            ("data-kind", AttributeValue::Text(self.kind)),
            ("data-feature", AttributeValue::Text(&self.feature_id)),
        ]
    }

    /// The row as HTML, the same markup `build` makes in the DOM.
    pub fn to_html(&self) -> String {
        let mut html = String::with_capacity(256);
        self.write_html(&mut html);
        html
    }

    fn write_html(&self, html: &mut String) {
        html.push_str("<li data-part=\"entitlement\"");
        for (name, value) in self.attributes() {
            value.write(html, name);
        }
        html.push_str(
            "><div data-part=\"entitlement-header\"><span data-part=\"entitlement-name\">",
        );
        escape_into(html, &self.name, false);
        html.push_str("</span><span data-part=\"entitlement-value\">");
        escape_into(html, &self.value, false);
        html.push_str("</span></div>");
        if let Some(meter) = &self.meter {
            html.push_str("<div data-part=\"meter\"");
            for (name, value) in meter.attributes(self) {
                value.write(html, name);
            }
            html.push_str("><div data-part=\"meter-fill\" style=\"");
            html.push_str(METER_FILL);
            html.push_str(": ");
            html.push_str(&meter_fill(meter.used, meter.limit));
            html.push_str(";\"></div></div>");
        }
        for (state, text) in &self.notes {
            html.push_str("<p data-part=\"entitlement-note\" data-state=\"");
            escape_into(html, state, true);
            html.push_str("\">");
            escape_into(html, text, false);
            html.push_str("</p>");
        }
        html.push_str("</li>");
    }
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

/// The parts every row clones: a row with its header, a meter with its
/// fill, a note. Made once, on first use.
struct Prototypes {
    row: Element,
    meter: Element,
    note: Element,
}

thread_local! {
    static PROTOTYPES: Prototypes = Prototypes::new();
}

fn element(tag: &str, part: &str) -> Element {
    // Creating an element of a known tag, and setting an attribute with a
    // fixed valid name, do not throw.
    let element = leptos::prelude::document()
        .create_element(tag)
        .unwrap_throw();
    let _ = element.set_attribute("data-part", part);
    element
}

fn append(parent: &Element, child: &Element) {
    let _ = parent.append_child(child);
}

impl Prototypes {
    fn new() -> Self {
        let row = element("li", "entitlement");
        let header = element("div", "entitlement-header");
        append(&header, &element("span", "entitlement-name"));
        append(&header, &element("span", "entitlement-value"));
        append(&row, &header);
        let meter = element("div", "meter");
        append(&meter, &element("div", "meter-fill"));
        Prototypes {
            row,
            meter,
            note: element("p", "entitlement-note"),
        }
    }
}

/// A deep copy of a prototype (an element clones as an element).
fn clone_of(prototype: &Element) -> Element {
    prototype
        .clone_node_with_deep(true)
        .unwrap_throw()
        .unchecked_into()
}

impl Render for EntitlementRow {
    type State = Element;

    fn build(self) -> Element {
        PROTOTYPES.with(|prototypes| {
            let row = clone_of(&prototypes.row);
            for (name, value) in self.attributes() {
                value.set_on(&row, name);
            }
            let name = row
                .first_element_child()
                .and_then(|header| header.first_element_child());
            if let Some(name) = name {
                name.set_text_content(Some(&self.name));
                if let Some(value) = name.next_element_sibling() {
                    value.set_text_content(Some(&self.value));
                }
            }
            if let Some(meter) = &self.meter {
                let element = clone_of(&prototypes.meter);
                for (name, value) in meter.attributes(&self) {
                    value.set_on(&element, name);
                }
                if let Some(fill) = element.first_element_child() {
                    let _ = fill
                        .unchecked_into::<HtmlElement>()
                        .style()
                        .set_property(METER_FILL, &meter_fill(meter.used, meter.limit));
                }
                append(&row, &element);
            }
            for (state, text) in &self.notes {
                let note = clone_of(&prototypes.note);
                let _ = note.set_attribute("data-state", state);
                note.set_text_content(Some(text));
                append(&row, &note);
            }
            row
        })
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
