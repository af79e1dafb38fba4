//! `Entitlements`: every feature of the plan, with on/off, `used / limit`
//! meters, unlimited allowances, reset dates and over-limit warnings.

mod row;

pub use row::{EntitlementRow, Meter};

use std::cell::RefCell;
use std::hash::BuildHasher;

use leptos::prelude::*;
use portico_types::{digits, Entitlement, EntitlementState, FeatureKind, Limit};

use super::built_row::KeptRows;
use super::dom::{append, element, set, text_element, Built, Live};
use super::portal_view_kept;
use crate::format::Formatter;
use crate::i18n::Msg;
use crate::provider::PortalContext;

/// Every feature of the company's plan. A refresh (say, after a usage
/// event) rebuilds only the rows whose entitlement changed: see
/// `fingerprint`.
#[component]
pub fn Entitlements() -> impl IntoView {
    build()
}

pub(crate) fn build() -> Built {
    portal_view_kept("entitlements", entitlement_list)
}

/// What a row is kept by: a fingerprint of its whole entitlement. A
/// refresh (say, after a usage event) rebuilds only the rows whose
/// entitlement changed at their place (see [`KeptRows`]), and works that
/// out without copying a thousand entitlements (a hash of each is enough:
/// `cargo xtask bench scale`, update → row). Two different entitlements
/// at the same place hashing alike would keep the old row; at 64 bits,
/// that is not a case to design for.
fn fingerprint(entitlement: &Entitlement) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(entitlement)
}

/// The list, built by hand (see [`crate::widgets::dom`]), its rows kept
/// across snapshots by their entitlement's [`fingerprint`] (see
/// [`KeptRows`]).
fn entitlement_list(context: PortalContext) -> Built {
    let format = context.formatter();
    let section = element("section", "entitlements");
    append(
        &section,
        &[&text_element(
            "h2",
            "entitlements-title",
            &context.text(Msg::EntitlementsTitle),
        )],
    );
    let list = element("ul", "entitlement-list");
    let empty = text_element("p", "empty-state", &context.text(Msg::EntitlementsEmpty));
    let rows = RefCell::new(KeptRows::new(list.clone()));
    let mut live = Live::default();
    live.bind({
        let section = section.clone();
        move || {
            let Some(snapshot) = context.snapshot() else {
                return;
            };
            let entitlements = &snapshot.entitlements;
            let empty_now = entitlements.is_empty();
            set(
                &section,
                "data-state",
                if empty_now { "empty" } else { "ready" },
            );
            let (shown, hidden) = if empty_now {
                (&empty, &list)
            } else {
                (&list, &empty)
            };
            hidden.remove();
            // Appending a node moves it even to where it is: a list of a
            // thousand rows would be taken out and put back on every update.
            if shown.parent_node().is_none() {
                append(&section, &[shown]);
            }
            rows.borrow_mut()
                .show(entitlements.iter().map(fingerprint), |index| {
                    entitlement_row(context, &format, &entitlements[index])
                });
        }
    });
    Built::new(section, live)
}

/// Fill of a meter as a CSS percentage, with integer arithmetic: `"48.2%"`.
pub fn meter_fill(used: u64, limit: u64) -> String {
    if limit == 0 {
        return "100%".to_owned();
    }
    let permille = (u128::from(used) * 1000 / u128::from(limit)).min(1000) as u64;
    [
        &digits::decimal(permille / 10),
        ".",
        &digits::decimal(permille % 10),
        "%",
    ]
    .concat()
}

/// What the row of one entitlement shows: texts formatted, states named.
fn entitlement_row(context: PortalContext, format: &Formatter, e: &Entitlement) -> EntitlementRow {
    let state = e.state();
    let used = e.usage.unwrap_or(0);
    let value = match (e.kind, e.limit) {
        (FeatureKind::Boolean, _) if e.access => context.text(Msg::Included),
        (FeatureKind::Boolean, _) => context.text(Msg::NotIncluded),
        _ if state == EntitlementState::Off => context.text(Msg::NotIncluded),
        (_, Some(Limit::Unlimited)) => {
            context.fill(Msg::UsedUnlimited, &[("used", &format.count(used))])
        }
        (_, Some(Limit::Count(limit))) => context.fill(
            Msg::UsedOfLimit,
            &[
                ("used", &format.count(used)),
                ("limit", &format.count(limit)),
            ],
        ),
        (_, None) => format.count(used),
    };

    // The meter's name is the feature and its value the text the row
    // shows, so a screen reader says each once ("API calls, meter, 48,210
    // of 100,000"). `aria-valuemin` is left at the meter role's default, 0.
    let meter = match e.limit {
        Some(Limit::Count(limit)) if limit > 0 && e.kind != FeatureKind::Boolean => Some(Meter {
            state: state.as_str(),
            limit,
            used,
        }),
        _ => None,
    };

    let mut notes: Vec<(&'static str, String)> = Vec::new();
    match (state, e.limit) {
        (EntitlementState::OverLimit, Some(Limit::Count(limit))) => notes.push((
            "over-limit",
            context.fill(
                Msg::OverLimitBy,
                &[("amount", &format.count(used.saturating_sub(limit)))],
            ),
        )),
        (EntitlementState::AtLimit, _) => notes.push(("at-limit", context.text(Msg::AtLimit))),
        _ => {}
    }
    if e.soft_limit && matches!(e.limit, Some(Limit::Count(_))) {
        notes.push(("soft-limit", context.text(Msg::SoftLimit)));
    }
    if let Some(resets_at) = e.resets_at {
        notes.push((
            "resets",
            context.fill(Msg::ResetsOn, &[("date", &format.date(resets_at))]),
        ));
    }

    EntitlementRow {
        state: state.as_str(),
        kind: e.kind.as_str(),
        feature_id: e.feature_id.clone(),
        name: e.name.clone(),
        value,
        meter,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use portico_types::{Entitlement, FeatureKind, Limit};

    fn metered(id: &str, usage: u64) -> Entitlement {
        Entitlement {
            feature_id: id.to_owned(),
            name: id.to_owned(),
            description: None,
            kind: FeatureKind::Metered,
            access: true,
            limit: Some(Limit::Count(1000)),
            usage: Some(usage),
            unit: None,
            period: None,
            resets_at: None,
            soft_limit: false,
            over_limit: false,
        }
    }

    #[test]
    fn a_row_key_changes_with_its_entitlement_and_only_its_own() {
        let key = |id, usage| super::fingerprint(&metered(id, usage));
        assert_ne!(
            key("api_calls", 10),
            key("api_calls", 11),
            "the changed row is rebuilt"
        );
        assert_eq!(
            key("exports", 3),
            key("exports", 3),
            "the other row is kept"
        );
        assert_ne!(
            key("exports", 3),
            key("api_calls", 3),
            "another feature in its place is rebuilt"
        );
    }

    #[test]
    fn meter_fill_is_exact_and_clamped() {
        assert_eq!(super::meter_fill(0, 1000), "0.0%");
        assert_eq!(super::meter_fill(48_210, 100_000), "48.2%");
        assert_eq!(super::meter_fill(1_180, 1_000), "100.0%");
        assert_eq!(super::meter_fill(u64::MAX, 3), "100.0%");
        assert_eq!(super::meter_fill(5, 0), "100%");
    }
}
