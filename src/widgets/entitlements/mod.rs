//! `Entitlements`: every feature of the plan, with on/off, `used / limit`
//! meters, unlimited allowances, reset dates and over-limit warnings.

use leptos::prelude::*;
use portico_types::{Entitlement, EntitlementState, FeatureKind, Limit};

use super::portal_view_kept;
use crate::format::Formatter;
use crate::i18n::Msg;
use crate::provider::PortalContext;

/// Every feature of the company's plan. A refresh (say, after a usage
/// event) rebuilds only the rows whose entitlement changed: each row is
/// keyed by its whole entitlement.
#[component]
pub fn Entitlements() -> impl IntoView {
    portal_view_kept("entitlements", entitlement_list)
}

fn entitlement_list(context: PortalContext) -> impl IntoView {
    let format = context.formatter();
    let entitlements = move || {
        context
            .snapshot()
            .map(|s| s.entitlements.clone())
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
                        <For each=entitlements key=Entitlement::clone let:entitlement>
                            {entitlement_row(context, &format, &entitlement)}
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

fn entitlement_row(context: PortalContext, format: &Formatter, e: &Entitlement) -> impl IntoView {
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
        Some(Limit::Count(limit)) if limit > 0 && e.kind != FeatureKind::Boolean => Some(view! {
            <div
                data-part="meter"
                data-state=state.as_str()
                role="meter"
                aria-valuemax=limit.to_string()
                aria-valuenow=used.min(limit).to_string()
                aria-valuetext=value.clone()
                aria-label=e.name.clone()
            >
                <div data-part="meter-fill" style:--portico-meter-fill=meter_fill(used, limit)></div>
            </div>
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
