//! `Members`: the organization's members as synced from WorkOS, with the
//! seats they take against the plan's limit, inactive members and pending
//! invitations flagged, sort, filter and CSV export.
//!
//! The list comes from `GET /v1/members`, not `/v1/portal` (it can be
//! long). It is read at mount, beside the portal's own read, and again
//! each time the portal data is reloaded (a checkout may have changed the
//! seat limit) or identify has added the viewer. Which rows show, in what
//! order, and the CSV are plain functions in [`roster`].

pub mod roster;
mod row;

pub use row::MemberRow;

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use portico_types::{digits, Limit, MemberList, MembershipStatus, SeatSummary};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

use self::roster::{
    display_name, members_csv, seat_state, seat_texts, visible_members, MemberQuery, SortKey,
};
use super::built_row::RowData;
use super::dom::{
    append, button, effect, element, flag, plain, set, set_style, show_empty, slot, text_element,
    Built, Live,
};
use super::entitlements::meter_fill;
use super::status::{error_message, failure, missing_provider, skeleton};
use crate::client::ClientError;
use crate::i18n::Msg;
use crate::provider::{use_portal, LoadState, PortalContext};
use crate::state::State;

/// The list as read, with each join date written once (not on every sort).
struct Roster {
    list: MemberList,
    joined: Vec<String>,
}

impl Roster {
    /// Whether the WorkOS user `workos_user_id` is on the list.
    fn lists(&self, workos_user_id: &str) -> bool {
        self.list
            .members
            .iter()
            .any(|m| m.workos_user_id.as_deref() == Some(workos_user_id))
    }
}

#[derive(Clone)]
enum Load {
    Loading,
    Ready(Arc<Roster>),
    Failed(ClientError),
}

/// The members of the signed-in organization. Place it inside a
/// [`PortalProvider`](crate::PortalProvider).
#[component]
pub fn Members() -> impl IntoView {
    build()
}

pub(crate) fn build() -> Built {
    let Some(context) = use_portal() else {
        return missing_provider("members");
    };
    let load = State::new(Load::Loading);
    let generation = State::new(0_u64);
    // Kept across reloads: a refresh does not undo the admin's search.
    let query = State::new(MemberQuery::default());
    let first_read_failed = State::new(false);
    let fetch = move || fetch_members(context, load, generation, first_read_failed);
    // The list is read at once, beside the portal's own read and identify:
    // waiting for the portal data would put it a round trip behind.
    fetch();
    let seen_portal_data = State::new(false);
    // Portal data already shown when the widget mounts (a tab opened
    // later) is not news: a failed first read is retried only for data
    // that arrives after it, or by the customer.
    let data_at_mount = context.snapshot_untracked().is_some();
    effect(move || match context.state() {
        LoadState::Ready(_) => {
            // The first portal data arrives beside the read made at mount;
            // later data (a refresh, a finished checkout) may change the
            // seats, so the list is read again. A refresh of a few
            // features' usage does not.
            let first = !seen_portal_data.get_untracked();
            seen_portal_data.set_untracked(true);
            let news = !(first && data_at_mount);
            if (!first && !context.changed_by_features_only())
                || (news && first_read_failed.get_untracked())
            {
                fetch()
            }
        }
        LoadState::Failed(error) if !matches!(load.get_untracked(), Load::Ready(_)) => {
            load.set(Load::Failed(error))
        }
        // Another widget's retry: wait with the portal, not with its error.
        LoadState::Loading if matches!(load.get_untracked(), Load::Failed(_)) => {
            load.set(Load::Loading)
        }
        _ => {}
    });
    // On a first visit the list may have been read before identify made the
    // signed-in user a member: once identify has succeeded, a list without
    // them is read once more.
    let reread_for_identify = State::new(false);
    effect(move || {
        let identified = context.identified();
        let missing_viewer = load.with(|load| match load {
            Load::Ready(roster) => context
                .signed_in_user_id()
                .is_some_and(|id| !roster.lists(&id)),
            _ => false,
        });
        if identified && missing_viewer && !reread_for_identify.get_untracked() {
            reread_for_identify.set_untracked(true);
            fetch();
        }
    });
    // Without portal data the API or the token is failing: load it all again.
    let retry = move || {
        load.set(Load::Loading);
        if context.snapshot().is_some() {
            fetch()
        } else {
            context.refresh()
        }
    };
    slot(move || {
        Some(match load.get() {
            Load::Loading => skeleton("members", context, Msg::MembersLoading),
            Load::Failed(error) => {
                // Where the shared message would only say "unexpected", the
                // member list says what could not be loaded.
                let message = match error_message(&error) {
                    Msg::ErrorUnexpected => Msg::MembersError,
                    message => message,
                };
                failure("members", context, &error, message, retry)
            }
            Load::Ready(roster) => member_table(context, roster, query),
        })
    })
}

/// Reads the list; a slower, older answer never replaces a newer one, and
/// a failure with a list shown keeps it.
fn fetch_members(
    context: PortalContext,
    load: State<Load>,
    generation: State<u64>,
    first_read_failed: State<bool>,
) {
    let Some(previous) = generation.try_get_untracked() else {
        return; // unmounted
    };
    let current = previous + 1;
    generation.set_untracked(current);
    let showing = matches!(load.get_untracked(), Load::Ready(_));
    if !showing {
        load.set(Load::Loading);
    }
    let client = context.client();
    let format = context.formatter();
    crate::provider::send_now(async move {
        let result = client.members().await;
        if generation.try_get_untracked() != Some(current) {
            return; // a newer read has started, or the widget is gone
        }
        match result {
            Ok(list) => {
                crate::provider::performance_mark("portico:members-data");
                let joined = list
                    .members
                    .iter()
                    .map(|m| format.date(m.joined_at))
                    .collect();
                load.set(Load::Ready(Arc::new(Roster { list, joined })));
            }
            Err(error) if !showing => {
                if current == 1 {
                    first_read_failed.set_untracked(true);
                }
                load.set(Load::Failed(error))
            }
            Err(error) => error.warn("portico: members refresh failed:"),
        }
    });
}

/// The seats summary, the controls and the table. Built by hand (see
/// [`crate::widgets::dom`]): the rows are built once each, when first
/// shown, and a sort or a filter puts the built ones in their new order
/// with one DOM call.
fn member_table(context: PortalContext, roster: Arc<Roster>, query: State<MemberQuery>) -> Built {
    let format = context.formatter();
    let mut live = Live::default();
    let section = element("section", "members");
    let header = element("div", "members-header");
    append(
        &header,
        &[&text_element(
            "h2",
            "members-title",
            &context.text(Msg::MembersTitle),
        )],
    );
    append(
        &section,
        &[&header, &seats_summary(context, &roster.list.seats)],
    );
    let total = roster.list.members.len();
    if total == 0 {
        show_empty(&section, &context.text(Msg::MembersEmpty));
        return Built::new(section, live);
    }
    set(&section, "data-state", "ready");

    let export = button("export", &context.text(Msg::MembersExport));
    append(&header, &[&export]);
    live.on(&export, "click", {
        let roster = roster.clone();
        move |_| {
            let members = &roster.list.members;
            let shown = query.with_untracked(|q| visible_members(members, q));
            let csv = members_csv(shown.iter().map(|&i| &members[i]));
            if let Err(error) = download("members.csv", &csv) {
                // The error object itself, so the console shows its stack.
                web_sys::console::warn_2(&"portico: CSV export failed:".into(), &error);
            }
        }
    });

    // The controls start from the query kept across reloads.
    let (search, status) = query.with_untracked(|q| (q.search.clone(), q.status));
    let search_label = element("label", "search");
    let search_input = element("input", "search-input");
    set(&search_input, "type", "search");
    append(
        &search_label,
        &[
            &text_element("span", "control-label", &context.text(Msg::MembersSearch)),
            &search_input,
        ],
    );
    let search_field: HtmlInputElement = search_input.clone().unchecked_into();
    search_field.set_value(&search);
    live.on(&search_input, "input", move |_| {
        let text = search_field.value();
        query.update(|q| q.search = text);
    });
    let status_label = element("label", "status-filter");
    let select = element("select", "status-select");
    for (value, label) in [
        (None, Msg::MembersAllStatuses),
        (Some(MembershipStatus::Active), Msg::MemberActive),
        (Some(MembershipStatus::Pending), Msg::MemberPending),
        (Some(MembershipStatus::Inactive), Msg::MemberInactive),
    ] {
        let option = plain("option");
        set(&option, "value", value.map_or("", MembershipStatus::as_str));
        flag(&option, "selected", status == value);
        option.set_text_content(Some(&context.text(label)));
        append(&select, &[&option]);
    }
    append(
        &status_label,
        &[
            &text_element("span", "control-label", &context.text(Msg::MemberStatus)),
            &select,
        ],
    );
    let status_field: HtmlSelectElement = select.clone().unchecked_into();
    live.on(&select, "change", move |_| {
        let status = MembershipStatus::parse(&status_field.value());
        query.update(|q| q.status = status);
    });
    let controls = element("div", "members-controls");
    append(&controls, &[&search_label, &status_label]);

    let count = element("p", "members-count");
    set(&count, "role", "status");
    let scroll = element("div", "members-scroll");
    let table = element("table", "members-table");
    let head_row = plain("tr");
    let mut sort_headers = Vec::new();
    for (key, label) in [
        (SortKey::Name, Msg::MemberName),
        (SortKey::Email, Msg::MemberEmail),
        (SortKey::Role, Msg::MemberRole),
        (SortKey::Status, Msg::MemberStatus),
        (SortKey::Joined, Msg::MemberJoined),
    ] {
        let cell = plain("th");
        set(&cell, "scope", "col");
        let sort = button("sort", &context.text(label));
        set(&sort, "data-sort", key.as_str());
        live.on(&sort, "click", move |_| {
            query.update(|q| q.toggle_sort(key))
        });
        append(&cell, &[&sort]);
        append(&head_row, &[&cell]);
        sort_headers.push((key, cell, sort));
    }
    let head = plain("thead");
    append(&head, &[&head_row]);
    let body = plain("tbody");
    append(&table, &[&head, &body]);
    append(&scroll, &[&table]);
    let no_match = text_element("p", "empty-state", &context.text(Msg::MembersNoMatch));
    set(&no_match, "data-state", "no-match");
    append(&section, &[&controls, &count, &scroll]);

    let labels = [
        context.text(Msg::MemberActive),
        context.text(Msg::MemberPending),
        context.text(Msg::MemberInactive),
        context.text(Msg::MemberSeatOnAccept),
        context.text(Msg::MemberNoSeat),
    ];
    let total_text = format.count(total as u64);
    // Each member's row, built the first time it is shown.
    let built: RefCell<Vec<Option<Element>>> = RefCell::new(vec![None; total]);
    let results = section.clone();
    // One effect for everything the query changes; the headers are updated
    // in place, so the sort button just pressed keeps its focus.
    live.bind(move || {
        let shown = query.with(|q| visible_members(&roster.list.members, q));
        let (sort, descending) = query.with(|q| (q.sort, q.descending));
        for (key, cell, button) in &sort_headers {
            let order = (sort == *key).then_some(if descending {
                "descending"
            } else {
                "ascending"
            });
            match order {
                Some(order) => set(cell, "aria-sort", order),
                None => flag(cell, "aria-sort", false),
            }
            set(button, "data-state", order.unwrap_or("none"));
        }
        count.set_text_content(Some(&context.fill(
            Msg::MembersShown,
            &[
                ("shown", &format.count(shown.len() as u64)),
                ("total", &total_text),
            ],
        )));
        set_style(
            &scroll,
            "--portico-member-rows",
            &digits::decimal(shown.len() as u64),
        );
        let mut built = built.borrow_mut();
        let rows: js_sys::Array = shown
            .iter()
            .map(|&index| {
                built[index]
                    .get_or_insert_with(|| {
                        let row = member_row(&roster, index, &labels);
                        row.build()
                    })
                    .clone()
            })
            .collect();
        body.replace_children_with_node(&rows);
        if shown.is_empty() {
            if no_match.parent_node().is_none() {
                append(&results, &[&no_match]);
            }
        } else {
            no_match.remove();
        }
    });
    Built::new(section, live)
}

/// How many seats are taken, against the limit, with the notes that
/// explain who takes one.
fn seats_summary(context: PortalContext, seats: &SeatSummary) -> Element {
    let format = context.formatter();
    let (headline, notes) = seat_texts(seats, &|m, v| context.fill(m, v), &|n| format.count(n));
    let state = seat_state(seats);
    let summary = element("div", "seats");
    set(&summary, "data-state", state);
    append(&summary, &[&text_element("p", "seats-usage", &headline)]);
    if let Limit::Count(limit @ 1..) = seats.limit {
        let meter = element("div", "meter");
        for (name, value) in [
            ("data-state", state),
            ("role", "meter"),
            ("aria-valuemax", &digits::decimal(limit)),
            ("aria-valuenow", &digits::decimal(seats.used.min(limit))),
            ("aria-valuetext", &headline),
            ("aria-label", &context.text(Msg::Seats)),
        ] {
            set(&meter, name, value);
        }
        let fill = element("div", "meter-fill");
        set_style(
            &fill,
            "--portico-meter-fill",
            &meter_fill(seats.used, limit),
        );
        append(&meter, &[&fill]);
        append(&summary, &[&meter]);
    }
    for (kind, text) in notes {
        let note = text_element("p", "seats-note", &text);
        set(&note, "data-state", kind);
        append(&summary, &[&note]);
    }
    summary
}

/// One member. `labels`: active, pending and inactive badges, then the
/// pending and inactive seat notes.
fn member_row(roster: &Roster, index: usize, labels: &[String; 5]) -> MemberRow {
    let member = &roster.list.members[index];
    let (badge, seat_note) = match member.status {
        MembershipStatus::Active => (&labels[0], None),
        MembershipStatus::Pending => (&labels[1], Some(&labels[3])),
        MembershipStatus::Inactive => (&labels[2], Some(&labels[4])),
    };
    MemberRow {
        state: member.status.as_str(),
        user_id: member.user_id.clone(),
        name: display_name(member).to_owned(),
        email: member.email.clone().unwrap_or_default(),
        role: member.role.clone().unwrap_or_default(),
        badge: badge.clone(),
        seat_note: seat_note.cloned(),
        joined: roster.joined[index].clone(),
    }
}

/// Saves `text` as a CSV file: a `Blob`, an object URL and a temporary
/// `<a download>` clicked once.
fn download(file_name: &str, text: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Not revoked at once: a browser may read the blob after `click` returns.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(30),
    );
    Ok(())
}
