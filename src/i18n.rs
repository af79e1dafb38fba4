//! Every string a person sees, in one table per language.
//!
//! Templates hold `{name}` placeholders that [`fill`] replaces; nothing is
//! assembled from fragments, so a translation can reorder words freely.

/// The user-visible strings of the widgets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strings {
    pub loading: &'static str,
    pub retry: &'static str,
    pub error_network: &'static str,
    pub error_timeout: &'static str,
    pub error_session: &'static str,
    pub error_forbidden: &'static str,
    pub error_unexpected: &'static str,
    pub missing_provider: &'static str,

    pub plan_title: &'static str,
    pub plan_free: &'static str,
    pub per_month: &'static str,
    pub per_year: &'static str,
    pub status_active: &'static str,
    pub status_trialing: &'static str,
    pub status_past_due: &'static str,
    pub status_canceled: &'static str,
    pub status_free: &'static str,
    /// `{date}`
    pub renews_on: &'static str,
    /// `{date}`
    pub trial_ends_on: &'static str,
    /// `{date}`
    pub cancels_on: &'static str,

    pub entitlements_title: &'static str,
    pub entitlements_empty: &'static str,
    pub included: &'static str,
    pub not_included: &'static str,
    pub unlimited: &'static str,
    /// `{used}`, `{limit}`
    pub used_of_limit: &'static str,
    /// `{used}`
    pub used_unlimited: &'static str,
    /// `{date}`
    pub resets_on: &'static str,
    /// `{amount}`
    pub over_limit_by: &'static str,
    pub at_limit: &'static str,
    pub soft_limit: &'static str,
    /// `{feature}`, `{used}`, `{limit}`: the meter's accessible name
    pub meter_label: &'static str,
}

pub const EN: Strings = Strings {
    loading: "Loading your plan…",
    retry: "Try again",
    error_network: "We couldn't reach the billing service. Check your connection and try again.",
    error_timeout: "The billing service is taking too long to answer. Try again in a moment.",
    error_session: "Your session has expired. Sign in again to see your plan.",
    error_forbidden: "You don't have access to this organization's billing.",
    error_unexpected: "Something went wrong loading your plan.",
    missing_provider: "This widget must be placed inside a PortalProvider.",

    plan_title: "Your plan",
    plan_free: "Free",
    per_month: "per month",
    per_year: "per year",
    status_active: "Active",
    status_trialing: "Trial",
    status_past_due: "Past due",
    status_canceled: "Canceled",
    status_free: "Free plan",
    renews_on: "Renews on {date}",
    trial_ends_on: "Trial ends on {date}",
    cancels_on: "Ends on {date}",

    entitlements_title: "Features and usage",
    entitlements_empty: "This plan has no features yet.",
    included: "Included",
    not_included: "Not included",
    unlimited: "Unlimited",
    used_of_limit: "{used} of {limit}",
    used_unlimited: "{used} used",
    resets_on: "Resets on {date}",
    over_limit_by: "Over the limit by {amount}",
    at_limit: "Limit reached",
    soft_limit: "You can go over this limit; you'll be notified.",
    meter_label: "{feature}: {used} of {limit}",
};

/// Replaces each `{name}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders_in_any_order() {
        assert_eq!(
            fill("{used} of {limit}", &[("limit", "10"), ("used", "3")]),
            "3 of 10"
        );
        assert_eq!(
            fill("Renews on {date}.", &[("date", "Dec 1")]),
            "Renews on Dec 1."
        );
        assert_eq!(fill("{unknown} stays", &[]), "{unknown} stays");
        assert_eq!(
            fill("unbalanced {brace", &[("brace", "x")]),
            "unbalanced {brace"
        );
        assert_eq!(fill("", &[]), "");
    }
}
