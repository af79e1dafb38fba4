//! Every string a person sees, in one table per language, with overrides.
//!
//! Messages are named by [`Msg`]; each has a stable key (`"renews_on"`) that
//! hosts use to override it from Rust or JavaScript. Templates hold
//! `{name}` placeholders that [`fill`] replaces; nothing is assembled from
//! fragments, so a translation can reorder words freely.

use std::borrow::Cow;

macro_rules! messages {
    ($($variant:ident $key:literal { en: $en:literal, de: $de:literal })*) => {
        /// A user-visible message.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($variant),* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$variant),*];

            /// The stable name hosts use to override this message.
            pub fn key(self) -> &'static str {
                entries(KEYS).nth(self as usize).unwrap_or_default()
            }

            /// The message named `key`. A search of the keys' table rather
            /// than a `match`, which compiles into a comparison of its own
            /// for every key (2 KB of wasm); it runs once per override.
            pub fn from_key(key: &str) -> Option<Msg> {
                entries(KEYS)
                    .position(|known| known == key)
                    .map(|at| Msg::ALL[at])
            }
        }

        // Each table is one text with its entries separated, not a list of
        // texts: a list holds an address and a length per entry (2.7 KB of
        // the module for three tables), where a separator is one byte.
        const KEYS: &str = concat!($($key, "\u{1f}"),*);
        const EN: &str = concat!($($en, "\u{1f}"),*);
        const DE: &str = concat!($($de, "\u{1f}"),*);
    };
}

/// The entries of a table: each ends with the unit separator.
fn entries(table: &'static str) -> impl Iterator<Item = &'static str> {
    table.split_terminator('\u{1f}')
}

messages! {
    Loading "loading" { en: "Loading your plan…", de: "Ihr Tarif wird geladen …" }
    Retry "retry" { en: "Try again", de: "Erneut versuchen" }
    ErrorNetwork "error_network" {
        en: "We couldn't reach the billing service. Check your connection and try again.",
        de: "Der Abrechnungsdienst ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut."
    }
    ErrorTimeout "error_timeout" {
        en: "The billing service is taking too long to answer. Try again in a moment.",
        de: "Der Abrechnungsdienst antwortet zu langsam. Versuchen Sie es gleich noch einmal."
    }
    ErrorSession "error_session" {
        en: "Your session has expired. Sign in again to see your plan.",
        de: "Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an, um Ihren Tarif zu sehen."
    }
    ErrorForbidden "error_forbidden" {
        en: "You don't have access to this organization's billing.",
        de: "Sie haben keinen Zugriff auf die Abrechnung dieser Organisation."
    }
    ErrorUnexpected "error_unexpected" {
        en: "Something went wrong loading your plan.",
        de: "Beim Laden Ihres Tarifs ist ein Fehler aufgetreten."
    }
    MissingProvider "missing_provider" {
        en: "This widget must be placed inside a PortalProvider.",
        de: "Dieses Widget muss innerhalb eines PortalProvider stehen."
    }

    PlanTitle "plan_title" { en: "Your plan", de: "Ihr Tarif" }
    PlanFree "plan_free" { en: "Free", de: "Kostenlos" }
    PerMonth "per_month" { en: "per month", de: "pro Monat" }
    PerYear "per_year" { en: "per year", de: "pro Jahr" }
    StatusActive "status_active" { en: "Active", de: "Aktiv" }
    StatusTrialing "status_trialing" { en: "Trial", de: "Testphase" }
    StatusPastDue "status_past_due" { en: "Past due", de: "Überfällig" }
    StatusCanceled "status_canceled" { en: "Canceled", de: "Gekündigt" }
    StatusFree "status_free" { en: "Free plan", de: "Kostenloser Tarif" }
    RenewsOn "renews_on" { en: "Renews on {date}", de: "Verlängert sich am {date}" }
    TrialEndsOn "trial_ends_on" { en: "Trial ends on {date}", de: "Testphase endet am {date}" }
    CancelsOn "cancels_on" { en: "Ends on {date}", de: "Endet am {date}" }

    EntitlementsTitle "entitlements_title" { en: "Features and usage", de: "Funktionen und Nutzung" }
    EntitlementsEmpty "entitlements_empty" {
        en: "This plan has no features yet.",
        de: "Dieser Tarif enthält noch keine Funktionen."
    }
    Included "included" { en: "Included", de: "Enthalten" }
    NotIncluded "not_included" { en: "Not included", de: "Nicht enthalten" }
    UsedOfLimit "used_of_limit" { en: "{used} of {limit}", de: "{used} von {limit}" }
    UsedUnlimited "used_unlimited" { en: "{used} used", de: "{used} genutzt" }
    ResetsOn "resets_on" { en: "Resets on {date}", de: "Wird am {date} zurückgesetzt" }
    OverLimitBy "over_limit_by" { en: "Over the limit by {amount}", de: "{amount} über dem Limit" }
    AtLimit "at_limit" { en: "Limit reached", de: "Limit erreicht" }
    SoftLimit "soft_limit" {
        en: "You can go over this limit; you'll be notified.",
        de: "Sie können dieses Limit überschreiten; Sie werden benachrichtigt."
    }

    PlansTitle "plans_title" { en: "Plans", de: "Tarife" }
    IntervalLegend "interval_legend" { en: "Billing period", de: "Abrechnungszeitraum" }
    Monthly "monthly" { en: "Monthly", de: "Monatlich" }
    Yearly "yearly" { en: "Yearly", de: "Jährlich" }
    SavePercent "save_percent" { en: "Save {percent}%", de: "{percent} % sparen" }
    CurrentPlan "current_plan" { en: "Current plan", de: "Aktueller Tarif" }
    ChoosePlan "choose_plan" { en: "Choose {plan}", de: "{plan} wählen" }
    ContactSales "contact_sales" { en: "Contact sales", de: "Vertrieb kontaktieren" }
    NotSoldMonthly "not_sold_monthly" { en: "Not sold monthly", de: "Nicht monatlich erhältlich" }
    NotSoldYearly "not_sold_yearly" { en: "Not sold yearly", de: "Nicht jährlich erhältlich" }
    ReadOnlyBilling "read_only_billing" {
        en: "Only billing admins can change the plan.",
        de: "Nur Abrechnungsadministratoren können den Tarif ändern."
    }
    ScheduledChange "scheduled_change" { en: "Changes to {plan} on {date}", de: "Wechselt am {date} zu {plan}" }

    CheckoutTitle "checkout_title" { en: "Change to {plan}", de: "Wechsel zu {plan}" }
    AddonsLegend "addons_legend" { en: "Add-ons", de: "Zusatzoptionen" }
    AddonPrice "addon_price" { en: "{amount} each {interval}", de: "je {amount} {interval}" }
    AddOne "add_one" { en: "Add one {item}", de: "Ein {item} hinzufügen" }
    RemoveOne "remove_one" { en: "Remove one {item}", de: "Ein {item} entfernen" }
    Calculating "calculating" { en: "Calculating…", de: "Wird berechnet …" }
    NothingToChange "nothing_to_change" {
        en: "This is your subscription now. Change the billing period or add-ons to see the price.",
        de: "Das ist Ihr aktuelles Abonnement. Ändern Sie Abrechnungszeitraum oder Zusatzoptionen, um den Preis zu sehen."
    }
    DueToday "due_today" { en: "Due today", de: "Heute fällig" }
    CreditApplied "credit_applied" { en: "Account credit", de: "Guthaben" }
    CreditLeft "credit_left" { en: "Credit left on your account: {amount}", de: "Verbleibendes Guthaben: {amount}" }
    ThenRecurring "then_recurring" { en: "Then {amount} {interval} from {date}", de: "Danach {amount} {interval} ab {date}" }
    TakesEffect "takes_effect" {
        en: "This change takes effect on {date}; until then nothing changes.",
        de: "Diese Änderung gilt ab {date}; bis dahin bleibt alles unverändert."
    }
    TrialThen "trial_then" { en: "Free until {date}, then {amount} {interval}.", de: "Kostenlos bis {date}, danach {amount} {interval}." }
    LineRemaining "line_remaining" { en: "Remaining time on {item}", de: "Restlaufzeit für {item}" }
    LineUnused "line_unused" { en: "Unused time on {item}", de: "Nicht genutzte Zeit für {item}" }
    LineTrial "line_trial" { en: "{item}: free trial", de: "{item}: kostenloser Test" }
    ItemQuantity "item_quantity" { en: "{quantity} × {item}", de: "{quantity} × {item}" }
    ConfirmPay "confirm_pay" { en: "Pay {amount} and switch", de: "{amount} zahlen und wechseln" }
    ConfirmSchedule "confirm_schedule" { en: "Schedule the change", de: "Änderung vormerken" }
    ConfirmTrial "confirm_trial" { en: "Start free trial", de: "Kostenlos testen" }
    ConfirmChange "confirm_change" { en: "Confirm change", de: "Änderung bestätigen" }
    Close "close" { en: "Close", de: "Schließen" }
    Processing "processing" { en: "Processing…", de: "Wird verarbeitet …" }
    CheckoutDone "checkout_done" { en: "Done: you are on {plan}.", de: "Erledigt: Sie nutzen jetzt {plan}." }
    CheckoutScheduled "checkout_scheduled" { en: "Done: your plan changes on {date}.", de: "Erledigt: Ihr Tarif ändert sich am {date}." }
    PaymentDeclined "payment_declined" {
        en: "Payment declined; nothing was changed.",
        de: "Zahlung abgelehnt; es wurde nichts geändert."
    }
    PricesChanged "prices_changed" {
        en: "The price changed while you were deciding. Check the new total.",
        de: "Der Preis hat sich inzwischen geändert. Bitte prüfen Sie den neuen Betrag."
    }

    CancelPlan "cancel_plan" { en: "Cancel plan", de: "Tarif kündigen" }
    CancelExplain "cancel_explain" {
        en: "{plan} stays active until {date}. After that you move to the free plan.",
        de: "{plan} bleibt bis {date} aktiv. Danach wechseln Sie zum kostenlosen Tarif."
    }
    CancelConfirm "cancel_confirm" { en: "Cancel at period end", de: "Zum Periodenende kündigen" }
    KeepPlan "keep_plan" { en: "Keep my plan", de: "Tarif behalten" }
    PlanEnds "plan_ends" { en: "Your plan ends on {date}.", de: "Ihr Tarif endet am {date}." }
    ResumePlan "resume_plan" { en: "Resume plan", de: "Tarif fortsetzen" }

    UpcomingTitle "upcoming_title" { en: "Next charge", de: "Nächste Abbuchung" }
    UpcomingSummary "upcoming_summary" { en: "{amount} on {date}", de: "{amount} am {date}" }
    NoUpcoming "no_upcoming" { en: "No upcoming charges.", de: "Keine anstehenden Abbuchungen." }
    InvoicesTitle "invoices_title" { en: "Invoices", de: "Rechnungen" }
    NoInvoices "no_invoices" { en: "No invoices yet.", de: "Noch keine Rechnungen." }
    InvoiceDate "invoice_date" { en: "Date", de: "Datum" }
    InvoiceNumber "invoice_number" { en: "Invoice", de: "Rechnung" }
    InvoiceAmount "invoice_amount" { en: "Amount", de: "Betrag" }
    InvoiceStatusLabel "invoice_status" { en: "Status", de: "Status" }
    InvoicePaid "invoice_paid" { en: "Paid", de: "Bezahlt" }
    InvoiceDeclined "invoice_declined" { en: "Declined", de: "Abgelehnt" }
    InvoiceNoCharge "invoice_no_charge" { en: "No charge", de: "Keine Belastung" }

    MembersTitle "members_title" { en: "Members", de: "Mitglieder" }
    MembersLoading "members_loading" { en: "Loading members…", de: "Mitglieder werden geladen …" }
    MembersError "members_error" {
        en: "Something went wrong loading the members.",
        de: "Beim Laden der Mitglieder ist ein Fehler aufgetreten."
    }
    MembersEmpty "members_empty" { en: "No members yet.", de: "Noch keine Mitglieder." }
    MembersNoMatch "members_no_match" {
        en: "No members match your search.",
        de: "Keine Mitglieder entsprechen Ihrer Suche."
    }
    MembersShown "members_shown" { en: "{shown} of {total} members", de: "{shown} von {total} Mitgliedern" }
    MembersSearch "members_search" { en: "Search by name or email", de: "Nach Name oder E-Mail suchen" }
    MembersAllStatuses "members_all_statuses" { en: "All statuses", de: "Alle Status" }
    MembersExport "members_export" { en: "Export CSV", de: "Als CSV exportieren" }
    MemberName "member_name" { en: "Name", de: "Name" }
    MemberEmail "member_email" { en: "Email", de: "E-Mail" }
    MemberRole "member_role" { en: "Role", de: "Rolle" }
    MemberStatus "member_status" { en: "Status", de: "Status" }
    MemberJoined "member_joined" { en: "Joined", de: "Beigetreten" }
    MemberActive "member_active" { en: "Active", de: "Aktiv" }
    MemberPending "member_pending" { en: "Invited", de: "Eingeladen" }
    MemberInactive "member_inactive" { en: "Inactive", de: "Inaktiv" }
    MemberNoSeat "member_no_seat" { en: "Takes no seat", de: "Belegt keinen Platz" }
    MemberSeatOnAccept "member_seat_on_accept" {
        en: "Takes a seat once accepted",
        de: "Belegt nach der Annahme einen Platz"
    }
    Seats "seats" { en: "Seats", de: "Plätze" }
    SeatsUsedOf "seats_used_of" { en: "{used} of {limit} seats used", de: "{used} von {limit} Plätzen belegt" }
    SeatsUsedUnlimited "seats_used_unlimited" {
        en: "Seats used: {used} · Unlimited",
        de: "Belegte Plätze: {used} · Unbegrenzt"
    }
    SeatsRule "seats_rule" {
        en: "Only active members take a seat: pending invitations and inactive members do not.",
        de: "Nur aktive Mitglieder belegen einen Platz, offene Einladungen und inaktive Mitglieder nicht."
    }
    SeatsPending "seats_pending" {
        en: "Pending invitations: {count}. Each takes a seat once accepted.",
        de: "Offene Einladungen: {count}. Jede belegt nach der Annahme einen Platz."
    }
    SeatsPendingOverLimit "seats_pending_over_limit" {
        en: "If they are all accepted, {total} seats will be in use: more than the {limit} your plan includes.",
        de: "Werden alle angenommen, sind {total} Plätze belegt: mehr als die {limit} Ihres Tarifs."
    }
    SeatsInactive "seats_inactive" {
        en: "Inactive members: {count}. They already take no seat, so removing them frees none; each would take a seat again if reactivated.",
        de: "Inaktive Mitglieder: {count}. Sie belegen bereits keinen Platz, ihr Entfernen gibt also keinen frei; reaktiviert belegt jedes wieder einen Platz."
    }
}

/// The messages for one language, with any overrides applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strings {
    texts: Vec<Cow<'static, str>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownMessage(pub String);

impl UnknownMessage {
    /// `no message is named "…"`, for the developer who passed the key.
    pub fn message(&self) -> String {
        ["no message is named \"", &self.0, "\""].concat()
    }
}

impl std::fmt::Display for UnknownMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for UnknownMessage {}

impl Default for Strings {
    fn default() -> Self {
        Strings::english()
    }
}

impl Strings {
    pub fn english() -> Strings {
        Strings {
            texts: entries(EN).map(Cow::Borrowed).collect(),
        }
    }

    pub fn german() -> Strings {
        Strings {
            texts: entries(DE).map(Cow::Borrowed).collect(),
        }
    }

    /// The shipped table that best fits a BCP 47 tag (`de-AT` → German);
    /// English when none does.
    pub fn for_locale(locale: Option<&str>) -> Strings {
        let language = locale
            .unwrap_or("en")
            .split(['-', '_'])
            .next()
            .unwrap_or("en");
        if language.eq_ignore_ascii_case("de") {
            Strings::german()
        } else {
            Strings::english()
        }
    }

    pub fn get(&self, message: Msg) -> &str {
        &self.texts[message as usize]
    }

    pub fn set(&mut self, message: Msg, text: impl Into<Cow<'static, str>>) {
        self.texts[message as usize] = text.into();
    }

    /// Overrides messages by key; an unknown key is an error and nothing
    /// is changed.
    pub fn with_overrides<'a>(
        mut self,
        overrides: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Strings, UnknownMessage> {
        let mut resolved = Vec::new();
        for (key, text) in overrides {
            let message = Msg::from_key(key).ok_or_else(|| UnknownMessage(key.to_owned()))?;
            resolved.push((message, text.to_owned()));
        }
        for (message, text) in resolved {
            self.set(message, text);
        }
        Ok(self)
    }

    /// `get` then [`fill`].
    pub fn fill(&self, message: Msg, values: &[(&str, &str)]) -> String {
        fill(self.get(message), values)
    }
}

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

    #[test]
    fn every_language_has_every_message_with_the_same_placeholders() {
        assert_eq!(entries(KEYS).count(), Msg::ALL.len());
        assert_eq!(entries(EN).count(), Msg::ALL.len());
        assert_eq!(entries(DE).count(), Msg::ALL.len());
        let placeholders = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            names.sort();
            names
        };
        for message in Msg::ALL {
            let (en, de) = (Strings::english(), Strings::german());
            assert_eq!(
                placeholders(en.get(*message)),
                placeholders(de.get(*message)),
                "{}",
                message.key()
            );
            assert_eq!(Msg::from_key(message.key()), Some(*message));
        }
    }

    #[test]
    fn locales_pick_a_table_and_overrides_apply_by_key() {
        assert_eq!(
            Strings::for_locale(Some("de-AT")).get(Msg::Retry),
            "Erneut versuchen"
        );
        assert_eq!(Strings::for_locale(Some("fr")).get(Msg::Retry), "Try again");
        assert_eq!(Strings::for_locale(None).get(Msg::Retry), "Try again");
        let custom = Strings::english()
            .with_overrides([("retry", "Reload")])
            .unwrap();
        assert_eq!(custom.get(Msg::Retry), "Reload");
        assert_eq!(
            Strings::english().with_overrides([("retry", "x"), ("nope", "y")]),
            Err(UnknownMessage("nope".into()))
        );
        assert_eq!(
            UnknownMessage("nope".into()).to_string(),
            "no message is named \"nope\""
        );
    }
}
