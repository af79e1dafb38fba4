//! One member row as its builder (`../built_row.js`) takes it: see
//! [`crate::widgets::built_row`]. Text from the API is set as text, never
//! as markup.

use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::Element;

use crate::widgets::built_row::{Fields, Html, RowData};

/// What one row of the members table shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    /// `data-state`: the membership's status.
    pub state: &'static str,
    pub user_id: String,
    /// The name shown (see `display_name`).
    pub name: String,
    pub email: String,
    pub role: String,
    /// The status badge's text.
    pub badge: String,
    /// Why the member takes no seat, for pending and inactive members.
    pub seat_note: Option<String>,
    pub joined: String,
}

#[wasm_bindgen(module = "/src/widgets/built_row.js")]
extern "C" {
    fn build_member_row(fields: &str) -> Element;
}

impl RowData for MemberRow {
    fn fields(&self) -> String {
        let mut fields = Fields::new();
        fields
            .text(self.state)
            .text(&self.user_id)
            .text(&self.name)
            .text(&self.email)
            .text(&self.role)
            .text(&self.badge);
        match &self.seat_note {
            Some(note) => fields.text(note),
            None => fields.none(),
        };
        fields.text(&self.joined).finish()
    }

    fn build_from(fields: &str) -> Element {
        build_member_row(fields)
    }

    fn write_html(&self, html: &mut Html) {
        html.open("tr", "member")
            .attribute("data-state", self.state)
            .attribute("data-user", &self.user_id)
            .end_tag()
            .text_element("td", "member-name", &self.name)
            .text_element("td", "member-email", &self.email)
            .text_element("td", "member-role", &self.role)
            .open("td", "member-status-cell")
            .end_tag()
            .open("span", "member-status")
            .attribute("data-state", self.state)
            .end_tag()
            .text(&self.badge)
            .close("span");
        if let Some(note) = &self.seat_note {
            html.open("span", "seat-note")
                .attribute("data-state", self.state)
                .end_tag()
                .text(note)
                .close("span");
        }
        html.close("td")
            .text_element("td", "member-joined", &self.joined)
            .close("tr");
    }
}
