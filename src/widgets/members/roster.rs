//! The members table's logic, kept free of the DOM so it is tested natively:
//! which members a search and a status filter keep and in what order, the
//! CSV a billing admin downloads, and what the seat counts say.

use std::cmp::Ordering;

use portico_types::{Limit, Member, MembershipStatus, SeatSummary};

use crate::i18n::Msg;

/// A column the table sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Name,
    Email,
    Role,
    Status,
    Joined,
}

impl SortKey {
    /// The column's name, also its `data-sort` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Email => "email",
            SortKey::Role => "role",
            SortKey::Status => "status",
            SortKey::Joined => "joined",
        }
    }
}

/// What the table shows: a search over names and emails, one status or
/// all, and an order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberQuery {
    pub search: String,
    pub status: Option<MembershipStatus>,
    pub sort: SortKey,
    pub descending: bool,
}

impl MemberQuery {
    /// A click on a column header: that column ascending, or the other way
    /// round when it is already the sort.
    pub fn toggle_sort(&mut self, key: SortKey) {
        if self.sort == key {
            self.descending = !self.descending;
        } else {
            self.sort = key;
            self.descending = false;
        }
    }

    /// `aria-sort` of a column: set on the sorted one only.
    pub fn aria_sort(&self, key: SortKey) -> Option<&'static str> {
        match (self.sort == key, self.descending) {
            (false, _) => None,
            (true, false) => Some("ascending"),
            (true, true) => Some("descending"),
        }
    }
}

/// What a member is called in the list: their name, else their email, else
/// an id (a WorkOS user may have neither name nor email synced yet).
pub fn display_name(member: &Member) -> &str {
    member
        .name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .or(member.email.as_deref())
        .or(member.workos_user_id.as_deref())
        .unwrap_or(&member.user_id)
}

/// Lower-cased, to compare without regard to case: the browser's own
/// `toLowerCase` in wasm, so the bundle carries no Unicode case tables;
/// std's (the same mapping) natively. ASCII text, most names and emails,
/// is lowered here: the same mapping, without a trip to JavaScript and
/// back (500 members: 6 ms of a 12 ms render, `cargo xtask bench scale`).
#[cfg(target_arch = "wasm32")]
fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// Whether `needle` occurs in `text`. A plain scan: names and emails are
/// short, and `str::contains`'s two-way searcher would cost the bundle ~2 KB.
/// Comparing UTF-8 bytes is exact: a valid needle only matches whole
/// characters.
fn contains(text: &str, needle: &str) -> bool {
    needle.is_empty()
        || text
            .as_bytes()
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
}

/// A member's text, folded once per filter rather than once per comparison.
struct Folded {
    name: String,
    email: String,
    role: String,
}

/// The positions in `members` of those `query` keeps, in its order.
pub fn visible_members(members: &[Member], query: &MemberQuery) -> Vec<usize> {
    let needle = fold(query.search.trim());
    let folded: Vec<Folded> = members
        .iter()
        .map(|m| Folded {
            name: fold(display_name(m)),
            email: m.email.as_deref().map(fold).unwrap_or_default(),
            role: match query.sort {
                SortKey::Role => m.role.as_deref().map(fold).unwrap_or_default(),
                _ => String::new(),
            },
        })
        .collect();
    let mut kept: Vec<usize> = (0..members.len())
        .filter(|&i| {
            query.status.is_none_or(|s| members[i].status == s)
                && (contains(&folded[i].name, &needle) || contains(&folded[i].email, &needle))
        })
        .collect();
    // Unstable is enough: the order is total (ids break every tie).
    kept.sort_unstable_by(|&a, &b| {
        compare((&members[a], &folded[a]), (&members[b], &folded[b]), query)
    });
    kept
}

/// Seat-takers first: the order a billing admin reads the list in.
fn status_rank(status: MembershipStatus) -> u8 {
    match status {
        MembershipStatus::Active => 0,
        MembershipStatus::Pending => 1,
        MembershipStatus::Inactive => 2,
    }
}

/// By the query's column (members without a value for it last, whichever
/// the direction), then by name, email and id, so the order is total.
fn compare(
    (a, fa): (&Member, &Folded),
    (b, fb): (&Member, &Folded),
    query: &MemberQuery,
) -> Ordering {
    let (missing_a, missing_b, primary) = match query.sort {
        SortKey::Name => (false, false, fa.name.cmp(&fb.name)),
        SortKey::Email => (
            a.email.is_none(),
            b.email.is_none(),
            fa.email.cmp(&fb.email),
        ),
        SortKey::Role => (a.role.is_none(), b.role.is_none(), fa.role.cmp(&fb.role)),
        SortKey::Status => (
            false,
            false,
            status_rank(a.status).cmp(&status_rank(b.status)),
        ),
        SortKey::Joined => (false, false, a.joined_at.cmp(&b.joined_at)),
    };
    missing_a
        .cmp(&missing_b)
        .then(if query.descending {
            primary.reverse()
        } else {
            primary
        })
        .then_with(|| fa.name.cmp(&fb.name))
        .then_with(|| fa.email.cmp(&fb.email))
        .then_with(|| a.user_id.cmp(&b.user_id))
}

/// The export's columns, in order.
pub const CSV_COLUMNS: [&str; 6] = [
    "name",
    "email",
    "role",
    "status",
    "joined",
    "workos_user_id",
];

/// The members as CSV (RFC 4180: comma-separated, CRLF line ends, quoted
/// where needed), one row per member in the given order under a header
/// row. Status is the wire name (`active`, `pending`, `inactive`) and
/// joined an RFC 3339 time, so the file reads the same in every language.
/// It starts with a byte-order mark, without which Excel reads UTF-8 as
/// the system's legacy code page and garbles accented names.
pub fn members_csv<'a>(members: impl IntoIterator<Item = &'a Member>) -> String {
    let mut out = String::from("\u{feff}");
    push_row(&mut out, CSV_COLUMNS);
    for member in members {
        let joined = member.joined_at.to_rfc3339();
        push_row(
            &mut out,
            [
                member.name.as_deref().unwrap_or(""),
                member.email.as_deref().unwrap_or(""),
                member.role.as_deref().unwrap_or(""),
                member.status.as_str(),
                &joined,
                member.workos_user_id.as_deref().unwrap_or(""),
            ],
        );
    }
    out
}

fn push_row(out: &mut String, cells: [&str; 6]) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// One cell. Names and emails come from WorkOS users, who type them: a
/// cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab
/// or carriage return first) gets a leading `'`, which spreadsheets read
/// as "text"; a cell with a comma, quote or line break is quoted, its
/// quotes doubled.
fn push_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = cell.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in cell.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

/// Fills a message's `{placeholders}` (`PortalContext::fill`, or a
/// `Strings` table's in tests).
pub type Fill<'a> = &'a dyn Fn(Msg, &[(&str, &str)]) -> String;

/// How the seats stand: `unlimited`, `within-limit`, `at-limit` or
/// `over-limit` (the seat summary's `data-state`).
pub fn seat_state(seats: &SeatSummary) -> &'static str {
    match seats.limit {
        Limit::Unlimited => "unlimited",
        Limit::Count(limit) => match seats.used.cmp(&limit) {
            Ordering::Less => "within-limit",
            Ordering::Equal => "at-limit",
            Ordering::Greater => "over-limit",
        },
    }
}

/// What the seat summary says: the headline ("3 of 10 seats used") and
/// its notes, each with its `data-state`. Only active members take a seat:
/// the notes say so, what pending invitations will take once accepted
/// (and whether that would pass the limit), and that inactive members
/// already take none, so removing them frees nothing.
///
/// `fill` fills a message's placeholders, `count` writes a number.
pub fn seat_texts(
    seats: &SeatSummary,
    fill: Fill,
    count: &dyn Fn(u64) -> String,
) -> (String, Vec<(&'static str, String)>) {
    let say = |message: Msg, values: &[(&str, u64)]| {
        let numbers: Vec<String> = values.iter().map(|(_, n)| count(*n)).collect();
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .zip(&numbers)
            .map(|((name, _), number)| (*name, number.as_str()))
            .collect();
        fill(message, &pairs)
    };
    let used = seats.used;
    let limit = match seats.limit {
        Limit::Count(limit) => Some(limit),
        Limit::Unlimited => None,
    };
    let headline = match limit {
        Some(limit) => say(Msg::SeatsUsedOf, &[("used", used), ("limit", limit)]),
        None => say(Msg::SeatsUsedUnlimited, &[("used", used)]),
    };
    let mut notes = Vec::new();
    if let Some(limit) = limit.filter(|&limit| used > limit) {
        notes.push((
            "over-limit",
            say(Msg::OverLimitBy, &[("amount", used - limit)]),
        ));
    }
    notes.push(("rule", say(Msg::SeatsRule, &[])));
    if seats.pending > 0 {
        notes.push((
            "pending",
            say(Msg::SeatsPending, &[("count", seats.pending)]),
        ));
        let total = used.saturating_add(seats.pending);
        if let Some(limit) = limit.filter(|&limit| total > limit) {
            notes.push((
                "pending-over-limit",
                say(
                    Msg::SeatsPendingOverLimit,
                    &[("total", total), ("limit", limit)],
                ),
            ));
        }
    }
    if seats.inactive > 0 {
        notes.push((
            "inactive",
            say(Msg::SeatsInactive, &[("count", seats.inactive)]),
        ));
    }
    (headline, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::group_thousands;
    use crate::i18n::Strings;
    use portico_types::Timestamp;

    fn member(name: Option<&str>, email: Option<&str>, status: MembershipStatus) -> Member {
        Member {
            user_id: format!("usr_{}", email.or(name).unwrap_or("x")),
            workos_user_id: email.map(|e| format!("user_{}", e.split('@').next().unwrap())),
            name: name.map(str::to_owned),
            email: email.map(str::to_owned),
            role: Some("member".into()),
            status,
            joined_at: Timestamp(1_700_000_000),
        }
    }

    /// The seeded Acme Corp, plus a member with no name.
    fn acme() -> Vec<Member> {
        use MembershipStatus::*;
        let mut members = vec![
            member(Some("Ada Lovelace"), Some("ada@acme.test"), Active),
            member(Some("Grace Hopper"), Some("grace@acme.test"), Active),
            member(Some("alan Turing"), Some("alan@acme.test"), Active),
            member(
                Some("Katherine Johnson"),
                Some("katherine@acme.test"),
                Inactive,
            ),
            member(Some("Linus Pauling"), Some("linus@acme.test"), Pending),
            member(None, Some("zed@acme.test"), Active),
        ];
        members[0].role = Some("admin".into());
        members[5].role = None;
        members[1].joined_at = Timestamp(1_600_000_000);
        members[4].joined_at = Timestamp(1_800_000_000);
        members
    }

    fn names(members: &[Member], query: &MemberQuery) -> Vec<String> {
        visible_members(members, query)
            .into_iter()
            .map(|i| display_name(&members[i]).to_owned())
            .collect()
    }

    #[test]
    fn sorts_by_name_without_regard_to_case_and_names_fall_back_to_email() {
        let members = acme();
        let mut query = MemberQuery::default();
        assert_eq!(
            names(&members, &query),
            [
                "Ada Lovelace",
                "alan Turing",
                "Grace Hopper",
                "Katherine Johnson",
                "Linus Pauling",
                "zed@acme.test"
            ]
        );
        assert_eq!(query.aria_sort(SortKey::Name), Some("ascending"));
        assert_eq!(query.aria_sort(SortKey::Email), None);
        query.toggle_sort(SortKey::Name);
        assert!(query.descending);
        assert_eq!(query.aria_sort(SortKey::Name), Some("descending"));
        assert_eq!(names(&members, &query)[0], "zed@acme.test");
        assert_eq!(names(&members, &query)[5], "Ada Lovelace");
        // Another column starts ascending again.
        query.toggle_sort(SortKey::Email);
        assert_eq!((query.sort, query.descending), (SortKey::Email, false));
    }

    #[test]
    fn sorts_by_status_role_and_join_date_with_missing_values_last() {
        let members = acme();
        let mut query = MemberQuery {
            sort: SortKey::Status,
            ..MemberQuery::default()
        };
        assert_eq!(
            names(&members, &query),
            [
                "Ada Lovelace",
                "alan Turing",
                "Grace Hopper",
                "zed@acme.test",
                "Linus Pauling",
                "Katherine Johnson"
            ],
            "active, then pending, then inactive; ties by name"
        );
        query.toggle_sort(SortKey::Role);
        let order = names(&members, &query);
        assert_eq!(order[0], "Ada Lovelace", "admin before member");
        assert_eq!(order[5], "zed@acme.test", "no role: last");
        query.toggle_sort(SortKey::Role);
        let order = names(&members, &query);
        assert_eq!(order[0], "alan Turing", "member before admin, ties by name");
        assert_eq!(order[4], "Ada Lovelace");
        assert_eq!(order[5], "zed@acme.test", "no role: still last");

        query.toggle_sort(SortKey::Joined);
        let order = names(&members, &query);
        assert_eq!(order[0], "Grace Hopper", "oldest first");
        assert_eq!(order[5], "Linus Pauling");
        query.toggle_sort(SortKey::Joined);
        assert_eq!(names(&members, &query)[0], "Linus Pauling");
    }

    #[test]
    fn filters_by_search_over_name_and_email_and_by_status() {
        let members = acme();
        let search = |text: &str, status| MemberQuery {
            search: text.into(),
            status,
            ..MemberQuery::default()
        };
        assert_eq!(names(&members, &search("  TURING ", None)), ["alan Turing"]);
        assert_eq!(
            names(&members, &search("katherine@", None)),
            ["Katherine Johnson"]
        );
        assert_eq!(names(&members, &search("zed", None)), ["zed@acme.test"]);
        assert_eq!(names(&members, &search("acme.test", None)).len(), 6);
        assert!(names(&members, &search("nobody", None)).is_empty());
        assert_eq!(
            names(&members, &search("", Some(MembershipStatus::Inactive))),
            ["Katherine Johnson"]
        );
        assert_eq!(
            names(&members, &search("l", Some(MembershipStatus::Active))),
            ["Ada Lovelace", "alan Turing"],
            "both filters at once"
        );
        assert!(visible_members(&[], &MemberQuery::default()).is_empty());
    }

    #[test]
    fn substring_search_is_exact() {
        assert!(contains("grace hopper", ""));
        assert!(contains("grace hopper", "ace h"));
        assert!(contains("jürgen", "ürg"));
        assert!(!contains("jürgen", "urg"));
        assert!(!contains("ab", "abc"));
        assert!(!contains("", "a"));
    }

    #[test]
    fn display_names_fall_back_to_email_then_ids() {
        let mut m = member(Some("  "), Some("a@b.test"), MembershipStatus::Active);
        assert_eq!(display_name(&m), "a@b.test");
        m.email = None;
        assert_eq!(display_name(&m), "user_a");
        m.workos_user_id = None;
        assert_eq!(display_name(&m), "usr_a@b.test");
    }

    #[test]
    fn csv_has_the_columns_in_order_and_one_row_per_member() {
        let members = acme();
        let csv = members_csv(&members[..2]);
        assert_eq!(
            csv,
            "\u{feff}name,email,role,status,joined,workos_user_id\r\n\
             Ada Lovelace,ada@acme.test,admin,active,2023-11-14T22:13:20Z,user_ada\r\n\
             Grace Hopper,grace@acme.test,member,active,2020-09-13T12:26:40Z,user_grace\r\n"
        );
        let nameless = members_csv([&members[5]]);
        assert!(nameless.ends_with("\r\n,zed@acme.test,,active,2023-11-14T22:13:20Z,user_zed\r\n"));
        assert_eq!(
            members_csv([]),
            "\u{feff}name,email,role,status,joined,workos_user_id\r\n"
        );
    }

    fn cell(text: &str) -> String {
        let mut out = String::new();
        push_cell(&mut out, text);
        out
    }

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
        assert_eq!(cell("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(cell("Ada \"Countess\" L"), "\"Ada \"\"Countess\"\" L\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("cr\rlf"), "\"cr\rlf\"");
        assert_eq!(cell("Jürgen Groß"), "Jürgen Groß");
    }

    #[test]
    fn csv_defuses_formulas() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+49 30 1234"), "'+49 30 1234");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tleading tab"), "'\tleading tab");
        assert_eq!(cell("\r=x"), "\"'\r=x\"");
        assert_eq!(cell("=a,b"), "\"'=a,b\"", "prefixed inside the quotes");
        assert_eq!(cell("a=b"), "a=b", "only a leading sign runs");

        let mut evil = member(
            Some("=cmd|' /C calc'!A0"),
            Some("@evil.test"),
            MembershipStatus::Active,
        );
        evil.role = Some("-admin".into());
        let csv = members_csv([&evil]);
        let row = csv.lines().nth(1).unwrap();
        assert!(
            row.starts_with("'=cmd|' /C calc'!A0,'@evil.test,'-admin,active,"),
            "{row}"
        );
    }

    fn english(seats: &SeatSummary) -> (String, Vec<(&'static str, String)>) {
        let strings = Strings::english();
        seat_texts(seats, &|m, v| strings.fill(m, v), &group_thousands)
    }

    #[test]
    fn seat_text_counts_active_members_against_the_limit() {
        let acme = SeatSummary {
            used: 3,
            limit: Limit::Count(10),
            pending: 1,
            inactive: 1,
        };
        assert_eq!(seat_state(&acme), "within-limit");
        let (headline, notes) = english(&acme);
        assert_eq!(headline, "3 of 10 seats used");
        assert_eq!(
            notes.iter().map(|n| n.0).collect::<Vec<_>>(),
            ["rule", "pending", "inactive"]
        );
        assert_eq!(
            notes[0].1,
            "Only active members take a seat: pending invitations and inactive members do not."
        );
        assert!(
            notes[1].1.starts_with("Pending invitations: 1."),
            "{}",
            notes[1].1
        );
        assert!(
            notes[2].1.starts_with("Inactive members: 1."),
            "{}",
            notes[2].1
        );

        let unlimited = SeatSummary {
            used: 1_234,
            limit: Limit::Unlimited,
            pending: 0,
            inactive: 0,
        };
        assert_eq!(seat_state(&unlimited), "unlimited");
        let (headline, notes) = english(&unlimited);
        assert_eq!(headline, "Seats used: 1,234 · Unlimited");
        assert_eq!(notes.len(), 1, "only the rule: {notes:?}");

        let full = SeatSummary {
            used: 3,
            limit: Limit::Count(3),
            pending: 2,
            inactive: 0,
        };
        assert_eq!(seat_state(&full), "at-limit");
        let (_, notes) = english(&full);
        assert_eq!(
            notes.iter().find(|n| n.0 == "pending-over-limit").map(|n| n.1.as_str()),
            Some("If they are all accepted, 5 seats will be in use: more than the 3 your plan includes.")
        );

        let over = SeatSummary {
            used: 12,
            limit: Limit::Count(10),
            pending: 0,
            inactive: 0,
        };
        assert_eq!(seat_state(&over), "over-limit");
        let (headline, notes) = english(&over);
        assert_eq!(headline, "12 of 10 seats used");
        assert_eq!(notes[0], ("over-limit", "Over the limit by 2".to_owned()));
    }

    #[test]
    fn seat_text_is_german_too() {
        let strings = Strings::german();
        let seats = SeatSummary {
            used: 3,
            limit: Limit::Count(10),
            pending: 0,
            inactive: 0,
        };
        let (headline, _) = seat_texts(&seats, &|m, v| strings.fill(m, v), &group_thousands);
        assert_eq!(headline, "3 von 10 Plätzen belegt");
    }
}
