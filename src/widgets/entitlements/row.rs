//! One entitlement row as its builder (`../built_row.js`) takes it: see
//! [`crate::widgets::built_row`].

use portico_types::digits;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::Element;

use super::meter_fill;
use crate::widgets::built_row::{Fields, Html, RowData};

/// What one row shows, worked out from its entitlement (see
/// `entitlement_row`).
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

#[wasm_bindgen(module = "/src/widgets/built_row.js")]
extern "C" {
    fn build_entitlement_row(fields: &str) -> Element;
}

impl RowData for EntitlementRow {
    fn fields(&self) -> String {
        let mut fields = Fields::new();
        fields
            .text(self.state)
            .text(self.kind)
            .text(&self.feature_id)
            .text(&self.name)
            .text(&self.value);
        match &self.meter {
            Some(meter) => fields
                .text(meter.state)
                .text(&digits::decimal(meter.limit))
                .text(&digits::decimal(meter.used.min(meter.limit)))
                .text(&meter_fill(meter.used, meter.limit)),
            None => fields.none(),
        };
        for (state, text) in &self.notes {
            fields.text(state).text(text);
        }
        fields.finish()
    }

    fn build_from(fields: &str) -> Element {
        build_entitlement_row(fields)
    }

    fn write_html(&self, html: &mut Html) {
        html.open("li", "entitlement")
            .attribute("data-state", self.state)
            .attribute("data-kind", self.kind)
            .attribute("data-feature", &self.feature_id)
            .end_tag()
            .open("div", "entitlement-header")
            .end_tag()
            .text_element("span", "entitlement-name", &self.name)
            .text_element("span", "entitlement-value", &self.value)
            .close("div");
        if let Some(meter) = &self.meter {
            html.open("div", "meter")
                .attribute("data-state", meter.state)
                .attribute("role", "meter")
                .attribute("aria-valuemax", &digits::decimal(meter.limit))
                .attribute(
                    "aria-valuenow",
                    &digits::decimal(meter.used.min(meter.limit)),
                )
                .attribute("aria-valuetext", &self.value)
                .attribute("aria-label", &self.name)
                .end_tag()
                .open("div", "meter-fill")
                .attribute(
                    "style",
                    &[
                        "--portico-meter-fill: ",
                        &meter_fill(meter.used, meter.limit),
                        ";",
                    ]
                    .concat(),
                )
                .end_tag()
                .close("div")
                .close("div");
        }
        for (state, text) in &self.notes {
            html.open("p", "entitlement-note")
                .attribute("data-state", state)
                .end_tag()
                .text(text)
                .close("p");
        }
        html.close("li");
    }
}
