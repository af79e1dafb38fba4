//! `Entitlements`: every feature of the plan, with on/off, `used / limit`
//! meters, unlimited allowances, reset dates and over-limit warnings.

mod row;

pub use row::{EntitlementRow, Meter};

use std::hash::BuildHasher;

use leptos::prelude::*;
use portico_types::{Entitlement, EntitlementState, FeatureKind, Limit};

use super::built_row::BuiltRow;
use super::portal_view_kept;
use crate::format::Formatter;
use crate::i18n::Msg;
use crate::provider::PortalContext;

/// Every feature of the company's plan. A refresh (say, after a usage
/// event) rebuilds only the rows whose entitlement changed: see [`Row`].
#[component]
pub fn Entitlements() -> impl IntoView {
    portal_view_kept("entitlements", entitlement_list)
}

/// A row of the list as the keyed `<For>` sees it: its place and a
/// fingerprint of its whole entitlement. A row is rebuilt when either
/// changes, and the list's keys are worked out without copying a
/// thousand entitlements on every refresh (a hash of each is enough:
/// `cargo xtask bench scale`, update → row). Two different entitlements at
/// the same place hashing alike would keep the old row; at 64 bits, that
/// is not a case to design for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Row {
    index: usize,
    fingerprint: u64,
}

fn rows_of(entitlements: &[Entitlement]) -> Vec<Row> {
    entitlements
        .iter()
        .enumerate()
        .map(|(index, entitlement)| Row {
            index,
            fingerprint: rustc_hash::FxBuildHasher.hash_one(entitlement),
        })
        .collect()
}

fn entitlement_list(context: PortalContext) -> impl IntoView {
    let format = context.formatter();
    let rows = move || {
        context
            .snapshot()
            .map(|s| rows_of(&s.entitlements))
            .unwrap_or_default()
    };
    let empty = Memo::new(move |_| {
        context
            .snapshot()
            .is_some_and(|s| s.entitlements.is_empty())
    });
    view! {
        <section data-part="entitlements" data-state=move || if empty.get() { "empty" } else { "ready" }>
            <h2 data-part="entitlements-title">{context.text(Msg::EntitlementsTitle)}</h2>
            {move || if empty.get() {
                view! { <p data-part="empty-state">{context.text(Msg::EntitlementsEmpty)}</p> }.into_any()
            } else {
                let format = format.clone();
                view! {
                    <ul data-part="entitlement-list">
                        <For each=rows key=|row| *row let:row>
                            {
                                // Read as the list was keyed: the same snapshot.
                                let snapshot = context.snapshot_untracked();
                                snapshot
                                    .as_ref()
                                    .and_then(|s| s.entitlements.get(row.index))
                                    .map(|entitlement| entitlement_row(context, &format, entitlement))
                            }
                        </For>
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// Fill of a meter as a CSS percentage, with integer arithmetic: `"48.2%"`.
pub fn meter_fill(used: u64, limit: u64) -> String {
    if limit == 0 {
        return "100%".to_owned();
    }
    let permille = (u128::from(used) * 1000 / u128::from(limit)).min(1000) as u64;
    format!("{}.{}%", permille / 10, permille % 10)
}

/// What the row of one entitlement shows: texts formatted, states named.
fn entitlement_row(
    context: PortalContext,
    format: &Formatter,
    e: &Entitlement,
) -> BuiltRow<EntitlementRow> {
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

    BuiltRow(EntitlementRow {
        state: state.as_str(),
        kind: e.kind.as_str(),
        feature_id: e.feature_id.clone(),
        name: e.name.clone(),
        value,
        meter,
        notes,
    })
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
        let before = [metered("api_calls", 10), metered("exports", 3)];
        let after = [metered("api_calls", 11), metered("exports", 3)];
        let (before, after) = (super::rows_of(&before), super::rows_of(&after));
        assert_ne!(before[0], after[0], "the changed row is rebuilt");
        assert_eq!(before[1], after[1], "the other row is kept");
        assert_eq!(super::rows_of(&[metered("exports", 3)])[0].index, 0);
        assert_ne!(
            super::rows_of(&[metered("exports", 3)])[0],
            before[1],
            "a row that moved is rebuilt in its new place"
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
