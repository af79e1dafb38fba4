//! Rows of long lists, built in one call into the page's JavaScript rather
//! than element by element.
//!
//! A shown row of the entitlements or members list never changes: the
//! list replaces a row whole when its data changes. The `view!` macro
//! builds every row from nothing (each element created, each `data-part`
//! set, a marker comment under every element with children), dozens of
//! calls from the wasm into the DOM a row, each string argument decoded on
//! the way. A row ([`RowData`]) hands its texts over once, as one JSON
//! array, to a builder of its own (in `built_row.js`), which
//! clones a prototype that already has its parts and sets the rest. That
//! is what a page of 1,000 entitlements or 500 members spends its render
//! on (`cargo xtask bench scale`, data → rows).
//!
//! Every row also renders to HTML, attribute for attribute, so that the
//! browser tests hold each builder and its Rust side to each other.
//!
//! A long list that refreshes in place keeps its rows in [`KeptRows`],
//! which rebuilds only the rows whose data changed, without a keyed
//! list's diffing.

use wasm_bindgen::JsValue;
use web_sys::Element;

/// A row's data, and how it becomes an element.
pub trait RowData {
    /// The texts the builder takes, as a JSON array (see [`Fields`]).
    fn fields(&self) -> String;
    /// The row's builder, in `built_row.js`.
    fn build_from(fields: &str) -> Element;
    /// The markup the builder makes (see [`Html`]).
    fn write_html(&self, html: &mut Html);

    /// The row, built by its builder.
    fn build(&self) -> Element {
        Self::build_from(&self.fields())
    }

    /// The row as HTML: the markup its builder makes in the DOM.
    fn to_html(&self) -> String {
        let mut html = Html(String::with_capacity(256));
        self.write_html(&mut html);
        html.0
    }
}

/// The rows of a list that is shown again for new data place by place:
/// a row whose `key` (a fingerprint of its data) is the one already shown
/// at its place is kept as it is; any other is made (which formats its
/// texts) and built anew, in the old one's place. A list of a thousand
/// rows refreshed for one changed feature builds one row, and does no
/// keyed diffing: rows never move, a row at a new place is simply a new
/// row there. New rows at the end are added in one DOM call.
pub struct KeptRows {
    list: Element,
    shown: Vec<(u64, Element)>,
}

impl KeptRows {
    /// Rows shown in `list`, which starts empty.
    pub fn new(list: Element) -> Self {
        KeptRows {
            list,
            shown: Vec::new(),
        }
    }

    /// Shows one row per key, in order; `make(index)` is the data of the
    /// row at `index`, asked for only when that row is built.
    pub fn show<T: RowData>(
        &mut self,
        keys: impl IntoIterator<Item = u64>,
        make: impl Fn(usize) -> T,
    ) {
        let added = js_sys::Array::new();
        let mut count = 0;
        for (index, key) in keys.into_iter().enumerate() {
            count = index + 1;
            match self.shown.get_mut(index) {
                Some((kept, _)) if *kept == key => {}
                Some((kept, row)) => {
                    let new_row = make(index).build();
                    let _ = row.replace_with_with_node_1(&new_row);
                    *row = new_row;
                    *kept = key;
                }
                None => {
                    let new_row = make(index).build();
                    added.push(&JsValue::from(&new_row));
                    self.shown.push((key, new_row));
                }
            }
        }
        for (_, row) in self.shown.drain(count..) {
            row.remove();
        }
        if added.length() > 0 {
            let _ = self.list.append_with_node(&added);
        }
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
                control => {
                    self.0.push_str("\\u");
                    self.0
                        .push_str(&portico_types::digits::hex(control.into(), 4));
                }
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
