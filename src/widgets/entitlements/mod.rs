//! `Entitlements`: every feature of the plan, with on/off, `used / limit`
//! meters, unlimited allowances, reset dates and over-limit warnings.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::{Entitlement, EntitlementState, FeatureKind, Limit, PortalSnapshot};

use super::portal_view;
use crate::format::Formatter;
use crate::i18n::{fill, Strings};
use crate::provider::PortalContext;

#[component]
pub fn Entitlements() -> impl IntoView {
    portal_view("entitlements", entitlement_list)
}

fn entitlement_list(context: PortalContext, snapshot: Arc<PortalSnapshot>) -> impl IntoView {
    let strings = context.strings();
    let format = context.formatter();
    let rows = snapshot
        .entitlements
        .iter()
        .map(|e| entitlement_row(&strings, &format, e))
        .collect::<Vec<_>>();
    let empty = rows.is_empty();
    view! {
        <section data-part="entitlements" data-state=if empty { "empty" } else { "ready" }>
            <h2 data-part="entitlements-title">{strings.entitlements_title}</h2>
            {if empty {
                view! { <p data-part="empty-state">{strings.entitlements_empty}</p> }.into_any()
            } else {
                view! { <ul data-part="entitlement-list">{rows}</ul> }.into_any()
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

fn entitlement_row(strings: &Strings, format: &Formatter, e: &Entitlement) -> impl IntoView {
    let state = e.state();
    let used = e.usage.unwrap_or(0);
    let value = match (e.kind, e.limit) {
        (FeatureKind::Boolean, _) if e.access => strings.included.to_owned(),
        (FeatureKind::Boolean, _) => strings.not_included.to_owned(),
        _ if state == EntitlementState::Off => strings.not_included.to_owned(),
        (_, Some(Limit::Unlimited)) => {
            fill(strings.used_unlimited, &[("used", &format.count(used))])
        }
        (_, Some(Limit::Count(limit))) => fill(
            strings.used_of_limit,
            &[
                ("used", &format.count(used)),
                ("limit", &format.count(limit)),
            ],
        ),
        (_, None) => format.count(used),
    };

    let meter = match e.limit {
        Some(Limit::Count(limit)) if limit > 0 && e.kind != FeatureKind::Boolean => {
            let label = fill(
                strings.meter_label,
                &[
                    ("feature", &e.name),
                    ("used", &format.count(used)),
                    ("limit", &format.count(limit)),
                ],
            );
            Some(view! {
                <div
                    data-part="meter"
                    data-state=state.as_str()
                    role="meter"
                    aria-valuemin="0"
                    aria-valuemax=limit.to_string()
                    aria-valuenow=used.min(limit).to_string()
                    aria-valuetext=label.clone()
                    aria-label=label
                >
                    <div data-part="meter-fill" style:--portico-meter-fill=meter_fill(used, limit)></div>
                </div>
            })
        }
        _ => None,
    };

    let mut notes: Vec<(&'static str, String)> = Vec::new();
    match (state, e.limit) {
        (EntitlementState::OverLimit, Some(Limit::Count(limit))) => notes.push((
            "over-limit",
            fill(
                strings.over_limit_by,
                &[("amount", &format.count(used.saturating_sub(limit)))],
            ),
        )),
        (EntitlementState::AtLimit, _) => notes.push(("at-limit", strings.at_limit.to_owned())),
        _ => {}
    }
    if e.soft_limit && matches!(e.limit, Some(Limit::Count(_))) {
        notes.push(("soft-limit", strings.soft_limit.to_owned()));
    }
    if let Some(resets_at) = e.resets_at {
        notes.push((
            "resets",
            fill(strings.resets_on, &[("date", &format.date(resets_at))]),
        ));
    }

    view! {
        <li
            data-part="entitlement"
            data-state=state.as_str()
            data-kind=e.kind.as_str()
            data-feature=e.feature_id.clone()
        >
            <div data-part="entitlement-header">
                <span data-part="entitlement-name">{e.name.clone()}</span>
                <span data-part="entitlement-value">{value}</span>
            </div>
            {meter}
            {notes
                .into_iter()
                .map(|(kind, text)| view! { <p data-part="entitlement-note" data-state=kind>{text}</p> })
                .collect::<Vec<_>>()}
        </li>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn meter_fill_is_exact_and_clamped() {
        assert_eq!(super::meter_fill(0, 1000), "0.0%");
        assert_eq!(super::meter_fill(48_210, 100_000), "48.2%");
        assert_eq!(super::meter_fill(1_180, 1_000), "100.0%");
        assert_eq!(super::meter_fill(u64::MAX, 3), "100.0%");
        assert_eq!(super::meter_fill(5, 0), "100%");
    }
}
