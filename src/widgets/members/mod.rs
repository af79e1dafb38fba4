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

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use portico_types::{Limit, MemberList, MembershipStatus};
use wasm_bindgen::{JsCast, JsValue};

use self::roster::{
    display_name, members_csv, seat_state, seat_texts, visible_members, MemberQuery, SortKey,
};
use super::built_row::BuiltRow;
use super::entitlements::meter_fill;
use super::portal_view;
use super::status::{error_message, failure, skeleton};
use crate::client::ClientError;
use crate::i18n::Msg;
use crate::provider::{use_portal, LoadState, PortalContext};

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
    let Some(context) = use_portal() else {
        // The shared view explains that the widget needs a provider.
        return portal_view("members", |_, _| ()).into_any();
    };
    let load = RwSignal::new(Load::Loading);
    let generation = StoredValue::new(0_u64);
    // Kept across reloads: a refresh does not undo the admin's search.
    let query = RwSignal::new(MemberQuery::default());
    let first_read_failed = StoredValue::new(false);
    let fetch = move || fetch_members(context, load, generation, first_read_failed);
    // The list is read at once, beside the portal's own read and identify:
    // waiting for the portal data would put it a round trip behind.
    fetch();
    let seen_portal_data = StoredValue::new(false);
    // Portal data already shown when the widget mounts (a tab opened
    // later) is not news: a failed first read is retried only for data
    // that arrives after it, or by the customer.
    let data_at_mount = context.snapshot_untracked().is_some();
    Effect::new(move || match context.state() {
        LoadState::Ready(_) => {
            // The first portal data arrives beside the read made at mount;
            // later data (a refresh, a finished checkout) may change the
            // seats, so the list is read again. A refresh of a few
            // features' usage does not.
            let first = !seen_portal_data.get_value();
            seen_portal_data.set_value(true);
            let news = !(first && data_at_mount);
            if (!first && !context.changed_by_features_only())
                || (news && first_read_failed.get_value())
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
    let reread_for_identify = StoredValue::new(false);
    Effect::new(move || {
        let identified = context.identified();
        let missing_viewer = load.with(|load| match load {
            Load::Ready(roster) => context
                .signed_in_user_id()
                .is_some_and(|id| !roster.lists(&id)),
            _ => false,
        });
        if identified && missing_viewer && !reread_for_identify.get_value() {
            reread_for_identify.set_value(true);
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
    (move || match load.get() {
        Load::Loading => skeleton("members", context, Msg::MembersLoading).into_any(),
        Load::Failed(error) => {
            // Where the shared message would only say "unexpected", the
            // member list says what could not be loaded.
            let message = match error_message(&error) {
                Msg::ErrorUnexpected => Msg::MembersError,
                message => message,
            };
            failure("members", context, &error, message, retry).into_any()
        }
        Load::Ready(roster) => member_table(context, roster, query).into_any(),
    })
    .into_any()
}

/// Reads the list; a slower, older answer never replaces a newer one, and
/// a failure with a list shown keeps it.
fn fetch_members(
    context: PortalContext,
    load: RwSignal<Load>,
    generation: StoredValue<u64>,
    first_read_failed: StoredValue<bool>,
) {
    let Some(previous) = generation.try_get_value() else {
        return; // unmounted
    };
    let current = previous + 1;
    generation.set_value(current);
    let showing = matches!(load.get_untracked(), Load::Ready(_));
    if !showing {
        load.set(Load::Loading);
    }
    let client = context.client();
    let format = context.formatter();
    crate::provider::send_now(async move {
        let result = client.members().await;
        if generation.try_get_value() != Some(current) {
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
                    first_read_failed.set_value(true);
                }
                load.set(Load::Failed(error))
            }
            Err(error) => leptos::logging::warn!("portico: members refresh failed: {error}"),
        }
    });
}

fn member_table(
    context: PortalContext,
    roster: Arc<Roster>,
    query: RwSignal<MemberQuery>,
) -> impl IntoView {
    let format = context.formatter();
    let seats = &roster.list.seats;
    let (headline, notes) = seat_texts(seats, &|m, v| context.fill(m, v), &|n| format.count(n));
    let state = seat_state(seats);
    let meter = match seats.limit {
        Limit::Count(limit) if limit > 0 => Some(view! {
            <div
                data-part="meter"
                data-state=state
                role="meter"
                aria-valuemax=limit.to_string()
                aria-valuenow=seats.used.min(limit).to_string()
                aria-valuetext=headline.clone()
                aria-label=context.text(Msg::Seats)
            >
                <div data-part="meter-fill" style:--portico-meter-fill=meter_fill(seats.used, limit)></div>
            </div>
        }),
        _ => None,
    };
    let summary = view! {
        <div data-part="seats" data-state=state>
            <p data-part="seats-usage">{headline}</p>
            {meter}
            {notes
                .into_iter()
                .map(|(kind, text)| view! { <p data-part="seats-note" data-state=kind>{text}</p> })
                .collect::<Vec<_>>()}
        </div>
    };
    let title = view! { <h2 data-part="members-title">{context.text(Msg::MembersTitle)}</h2> };
    let total = roster.list.members.len();
    if total == 0 {
        return view! {
            <section data-part="members" data-state="empty">
                <div data-part="members-header">{title}</div>
                {summary}
                <p data-part="empty-state">{context.text(Msg::MembersEmpty)}</p>
            </section>
        }
        .into_any();
    }

    let export = {
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
    };
    // The controls start from the query kept across reloads.
    let (search, status) = query.with_untracked(|q| (q.search.clone(), q.status));
    let option = move |value: Option<MembershipStatus>, label: Msg| {
        view! {
            <option value=value.map_or("", MembershipStatus::as_str) selected=status == value>
                {context.text(label)}
            </option>
        }
    };
    let labels = Arc::new([
        context.text(Msg::MemberActive),
        context.text(Msg::MemberPending),
        context.text(Msg::MemberInactive),
        context.text(Msg::MemberSeatOnAccept),
        context.text(Msg::MemberNoSeat),
    ]);
    let total_text = format.count(total as u64);
    // One reactive block for everything the query changes. Each run builds
    // the same shape of view, so Leptos updates the DOM in place: the sort
    // button just pressed keeps its focus.
    let results = move || {
        let shown = query.with(|q| visible_members(&roster.list.members, q));
        let (sort, descending) = query.with(|q| (q.sort, q.descending));
        let header = |key: SortKey, label: Msg| {
            let order = (sort == key).then_some(if descending {
                "descending"
            } else {
                "ascending"
            });
            view! {
                <th scope="col" aria-sort=order>
                    <button
                        type="button"
                        data-part="sort"
                        data-sort=key.as_str()
                        data-state=order.unwrap_or("none")
                        on:click=move |_| query.update(|q| q.toggle_sort(key))
                    >
                        {context.text(label)}
                    </button>
                </th>
            }
        };
        let count = context.fill(
            Msg::MembersShown,
            &[
                ("shown", &format.count(shown.len() as u64)),
                ("total", &total_text),
            ],
        );
        let no_match = shown.is_empty().then(|| view! {
            <p data-part="empty-state" data-state="no-match">{context.text(Msg::MembersNoMatch)}</p>
        });
        view! {
            <p data-part="members-count" role="status">{count}</p>
            <div data-part="members-scroll" style:--portico-member-rows=shown.len().to_string()>
                <table data-part="members-table">
                    <thead>
                        <tr>
                            {header(SortKey::Name, Msg::MemberName)}
                            {header(SortKey::Email, Msg::MemberEmail)}
                            {header(SortKey::Role, Msg::MemberRole)}
                            {header(SortKey::Status, Msg::MemberStatus)}
                            {header(SortKey::Joined, Msg::MemberJoined)}
                        </tr>
                    </thead>
                    <tbody>
                        {shown.iter().map(|&i| member_row(&roster, i, &labels)).collect::<Vec<_>>()}
                    </tbody>
                </table>
            </div>
            {no_match}
        }
    };

    view! {
        <section data-part="members" data-state="ready">
            <div data-part="members-header">
                {title}
                <button type="button" data-part="export" on:click=export>
                    {context.text(Msg::MembersExport)}
                </button>
            </div>
            {summary}
            <div data-part="members-controls">
                <label data-part="search">
                    <span data-part="control-label">{context.text(Msg::MembersSearch)}</span>
                    <input
                        type="search"
                        data-part="search-input"
                        prop:value=search
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            query.update(|q| q.search = text);
                        }
                    />
                </label>
                <label data-part="status-filter">
                    <span data-part="control-label">{context.text(Msg::MemberStatus)}</span>
                    <select
                        data-part="status-select"
                        on:change=move |ev| {
                            let status = MembershipStatus::parse(&event_target_value(&ev));
                            query.update(|q| q.status = status);
                        }
                    >
                        {option(None, Msg::MembersAllStatuses)}
                        {option(Some(MembershipStatus::Active), Msg::MemberActive)}
                        {option(Some(MembershipStatus::Pending), Msg::MemberPending)}
                        {option(Some(MembershipStatus::Inactive), Msg::MemberInactive)}
                    </select>
                </label>
            </div>
            {results}
        </section>
    }
    .into_any()
}

/// One member. `labels`: active, pending and inactive badges, then the
/// pending and inactive seat notes.
fn member_row(roster: &Roster, index: usize, labels: &[String; 5]) -> BuiltRow<MemberRow> {
    let member = &roster.list.members[index];
    let (badge, seat_note) = match member.status {
        MembershipStatus::Active => (&labels[0], None),
        MembershipStatus::Pending => (&labels[1], Some(&labels[3])),
        MembershipStatus::Inactive => (&labels[2], Some(&labels[4])),
    };
    BuiltRow(MemberRow {
        state: member.status.as_str(),
        user_id: member.user_id.clone(),
        name: display_name(member).to_owned(),
        email: member.email.clone().unwrap_or_default(),
        role: member.role.clone().unwrap_or_default(),
        badge: badge.clone(),
        seat_note: seat_note.cloned(),
        joined: roster.joined[index].clone(),
    })
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
