//! Rows of long lists, built in one call into the page's JavaScript rather
//! than element by element.
//!
//! A shown row of the entitlements or members list never changes: the
//! list replaces a row whole when its data changes. The `view!` macro
//! builds every row from nothing (each element created, each `data-part`
//! set, a marker comment under every element with children), dozens of
//! calls from the wasm into the DOM a row, each string argument decoded on
//! the way. A [`BuiltRow`] hands its row's texts over once, as one JSON
//! array, to a builder of its own (in `built_row.js`), which
//! clones a prototype that already has its parts and sets the rest. That
//! is what a page of 1,000 entitlements or 500 members spends its render
//! on (`cargo xtask bench scale`, data → rows).
//!
//! Every row also renders to HTML, attribute for attribute, so that the
//! browser tests hold each builder and its Rust side to each other.
//!
//! A long list that refreshes in place keeps its rows as [`KeptRow`]s: a
//! plain `Vec` of them, re-rendered place by place, rebuilds only the rows
//! whose data changed, without a keyed list's diffing (or its code in the
//! bundle).

use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Mountable, Position, PositionState, Render, RenderHtml};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// A row's data, and how it becomes an element.
pub trait RowData: Send + 'static {
    /// The texts the builder takes, as a JSON array (see [`Fields`]).
    fn fields(&self) -> String;
    /// The row's builder, in `built_row.js`.
    fn build_from(fields: &str) -> Element;
    /// The markup the builder makes (see [`Html`]).
    fn write_html(&self, html: &mut Html);
}

/// A row as a view: built by its builder, replaced whole when rebuilt.
pub struct BuiltRow<T>(pub T);

impl<T: RowData> BuiltRow<T> {
    /// The row as HTML: the markup its builder makes in the DOM.
    pub fn to_html(&self) -> String {
        let mut html = Html(String::with_capacity(256));
        self.0.write_html(&mut html);
        html.0
    }
}

impl<T: RowData> Render for BuiltRow<T> {
    type State = Element;

    fn build(self) -> Element {
        T::build_from(&self.0.fields())
    }

    /// Lists move rows rather than rebuilding them; a row given new data
    /// is replaced in place.
    fn rebuild(self, row: &mut Element) {
        let mut new_row = self.build();
        row.insert_before_this(&mut new_row);
        row.unmount();
        *row = new_row;
    }
}

/// Attributes spread onto a row have no effect: its markup is its own.
impl<T: RowData> AddAnyAttr for BuiltRow<T> {
    type Output<SomeNewAttr: Attribute> = Self;

    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Self::Output<NewAttr> {
        self
    }
}

impl<T: RowData> RenderHtml for BuiltRow<T> {
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
        buf.push_str(&self.to_html());
        *position = Position::NextChild;
    }

    /// A row has nothing to wire up: hydrating it is taking hold of the
    /// element the server rendered.
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

/// A row of a list that re-renders as a plain `Vec`, place by place: a
/// row whose `key` (a fingerprint of its data) is the one already shown
/// at its place is kept as it is; any other is made (`make`, which
/// formats its texts) and built anew. A list of a thousand rows refreshed
/// for one changed feature builds one row, and does no keyed diffing:
/// rows never move, a row at a new place is simply a new row there.
pub struct KeptRow<F> {
    pub key: u64,
    pub make: F,
}

/// A kept row on the page: its element, and the key it was built for.
pub struct KeptRowState {
    key: u64,
    row: Element,
}

impl<F, T> Render for KeptRow<F>
where
    F: FnOnce() -> T + Send + 'static,
    T: RowData,
{
    type State = KeptRowState;

    fn build(self) -> KeptRowState {
        KeptRowState {
            key: self.key,
            row: BuiltRow((self.make)()).build(),
        }
    }

    fn rebuild(self, shown: &mut KeptRowState) {
        if shown.key != self.key {
            BuiltRow((self.make)()).rebuild(&mut shown.row);
            shown.key = self.key;
        }
    }
}

impl Mountable for KeptRowState {
    fn unmount(&mut self) {
        self.row.unmount();
    }

    fn mount(&mut self, parent: &Element, marker: Option<&web_sys::Node>) {
        self.row.mount(parent, marker);
    }

    fn insert_before_this(&self, child: &mut dyn Mountable) -> bool {
        self.row.insert_before_this(child)
    }

    fn elements(&self) -> Vec<Element> {
        vec![self.row.clone()]
    }
}

impl<F, T> AddAnyAttr for KeptRow<F>
where
    F: FnOnce() -> T + Send + 'static,
    T: RowData,
{
    type Output<SomeNewAttr: Attribute> = Self;

    fn add_any_attr<NewAttr: Attribute>(self, _attr: NewAttr) -> Self::Output<NewAttr> {
        self
    }
}

impl<F, T> RenderHtml for KeptRow<F>
where
    F: FnOnce() -> T + Send + 'static,
    T: RowData,
{
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
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        BuiltRow((self.make)()).to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> KeptRowState {
        KeptRowState {
            key: self.key,
            row: BuiltRow((self.make)()).hydrate::<FROM_SERVER>(cursor, position),
        }
    }

    fn into_owned(self) -> Self {
        self
    }
}

/// A row's texts as a JSON array, in the order its builder reads them.
pub struct Fields(String);

impl Fields {
    pub fn new() -> Self {
        Fields(String::from("["))
    }

    fn comma(&mut self) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
    }

    /// A text, as a JSON string: copied in runs between the characters
    /// that need escaping (a row's texts seldom have any).
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.comma();
        self.0.push('"');
        let mut rest = text;
        while let Some(at) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') {
            self.0.push_str(&rest[..at]);
            match rest.as_bytes()[at] {
                b'"' => self.0.push_str("\\\""),
                b'\\' => self.0.push_str("\\\\"),
                control => self.0.push_str(&format!("\\u{control:04x}")),
            }
            // The characters found are ASCII: one byte each.
            rest = &rest[at + 1..];
        }
        self.0.push_str(rest);
        self.0.push('"');
        self
    }

    /// No value (a part the row does not have).
    pub fn none(&mut self) -> &mut Self {
        self.comma();
        self.0.push_str("null");
        self
    }

    pub fn finish(&mut self) -> String {
        self.0.push(']');
        std::mem::take(&mut self.0)
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// Markup written the way the browser serializes it, so that a row's HTML
/// and its built element read alike.
pub struct Html(String);

impl Html {
    /// An opening tag with its `data-part`, left open for attributes.
    pub fn open(&mut self, tag: &str, part: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.attribute("data-part", part)
    }

    pub fn attribute(&mut self, name: &str, value: &str) -> &mut Self {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        self.escaped(value, true);
        self.0.push('"');
        self
    }

    /// Ends the open tag.
    pub fn end_tag(&mut self) -> &mut Self {
        self.0.push('>');
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Self {
        self.escaped(text, false);
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// An element with a part and only text inside.
    pub fn text_element(&mut self, tag: &str, part: &str, text: &str) -> &mut Self {
        self.open(tag, part).end_tag().text(text).close(tag)
    }

    fn escaped(&mut self, text: &str, in_attribute: bool) {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '\u{a0}' => self.0.push_str("&nbsp;"),
                '"' if in_attribute => self.0.push_str("&quot;"),
                c => self.0.push(c),
            }
        }
    }
}
