//! The Members widget lists the members synced from WorkOS and the seats
//! they take, sorts, filters and exports them, reloads with the portal
//! data, and fails plainly with a retry.

use leptos::prelude::*;
use portico::{identify_request, Members, PlanView, Portal, PortalClient, PortalProvider};
use portico_types::MemberList;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;

use crate::support::{
    account, admin, api, captured_context, click, install_fetch_recorder, mount, mount_signed_in,
    paying_customer, recorded_fetches, sleep, token, CaptureContext, Mounted,
};

#[wasm_bindgen(inline_js = r#"
// Records each Blob handed to URL.createObjectURL, and turns the click on an
// <a download> for one of them into a record instead of a download. Other
// URLs and links behave as usual.
export function capture_downloads() {
  window.__porticoDownloads = [];
  if (window.__porticoDownloadBlobs) return;
  const blobs = window.__porticoDownloadBlobs = new Map();
  const createObjectURL = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (object) => {
    const url = createObjectURL(object);
    if (object instanceof Blob) blobs.set(url, object);
    return url;
  };
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    const blob = blobs.get(this.href);
    if (blob && this.hasAttribute('download')) {
      window.__porticoDownloads.push({ name: this.download, blob });
    } else {
      click.call(this);
    }
  };
}
// The last download as {name, type, text}; the text keeps a byte-order mark.
export async function last_download() {
  const download = window.__porticoDownloads.at(-1);
  if (!download) return null;
  const bytes = await download.blob.arrayBuffer();
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  return JSON.stringify({ name: download.name, type: download.blob.type, text });
}
// The next GET /v1/members fails as if the network were down.
export function fail_next_members_read() {
  const original = window.fetch;
  window.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith('/v1/members')) {
      window.fetch = original;
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    return original(input, init);
  };
}
// The next POST /v1/identify is sent only once a GET /v1/members has been
// answered: a first visit where the list is read before identify lands.
export function hold_identify_until_members_answered() {
  const original = window.fetch;
  let answered;
  const membersAnswered = new Promise((resolve) => { answered = resolve; });
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (request.method === 'POST' && request.url.endsWith('/v1/identify')) {
      await membersAnswered;
      window.fetch = original;
      return original(request);
    }
    const response = await original(input, init);
    if (request.url.endsWith('/v1/members')) answered();
    return response;
  };
}
"#)]
extern "C" {
    fn capture_downloads();
    fn last_download() -> js_sys::Promise;
    fn fail_next_members_read();
    fn hold_identify_until_members_answered();
}

#[derive(Debug, serde::Deserialize)]
struct Download {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    text: String,
}

async fn downloaded() -> Download {
    let value = JsFuture::from(last_download()).await.unwrap();
    let json = value.as_string().expect("a file was downloaded");
    serde_json::from_str(&json).unwrap()
}

/// Each row's name and status, top to bottom.
fn rows(view: &Mounted) -> Vec<(String, String)> {
    let list = view.root.query_selector_all("[data-part=member]").unwrap();
    (0..list.length())
        .map(|i| {
            let row: Element = list.item(i).unwrap().unchecked_into();
            let name = row
                .query_selector("[data-part=member-name]")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap_or_default();
            (name, row.get_attribute("data-state").unwrap_or_default())
        })
        .collect()
}

fn names(view: &Mounted) -> Vec<String> {
    rows(view).into_iter().map(|(name, _)| name).collect()
}

fn row(view: &Mounted, name: &str) -> Element {
    let list = view.root.query_selector_all("[data-part=member]").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into::<Element>())
        .find(|row| {
            row.query_selector("[data-part=member-name]")
                .unwrap()
                .and_then(|cell| cell.text_content())
                .as_deref()
                == Some(name)
        })
        .unwrap_or_else(|| panic!("no row for {name} in:\n{}", view.root.inner_html()))
}

fn in_row(row: &Element, part: &str) -> String {
    row.query_selector(&format!("[data-part={part}]"))
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// Types into the search box, or picks a status, as a person would.
fn set_control(view: &Mounted, selector: &str, value: &str, event: &str) {
    let control = view.find(selector);
    js_sys::Reflect::set(&control, &"value".into(), &value.into()).unwrap();
    control
        .dispatch_event(&web_sys::Event::new(event).unwrap())
        .unwrap();
}

/// Acme's member list, once it shows.
async fn mount_acme_members() -> Mounted {
    let view = mount_signed_in("Acme Corp", || view! { <Members/> }).await;
    view.wait_for("[data-part=members][data-state=ready]").await;
    view
}

#[wasm_bindgen_test]
async fn the_portal_lists_members_and_seats_after_the_entitlements() {
    let view = mount_signed_in("Acme Corp", || view! { <Portal/> }).await;
    view.wait_for(
        "[data-part=portal] > [data-part=entitlements] + [data-part=members][data-state=ready]",
    )
    .await;

    assert_eq!(view.text("[data-part=members-title]"), "Members");
    let mut listed = rows(&view);
    listed.sort();
    assert_eq!(
        listed,
        [
            ("Ada Lovelace", "active"),
            ("Alan Turing", "active"),
            ("Grace Hopper", "active"),
            ("Katherine Johnson", "inactive"),
            ("Linus Pauling", "pending"),
        ]
        .map(|(n, s)| (n.to_owned(), s.to_owned()))
    );

    // Seats: the three active members of Pro's ten.
    let seats = view.find("[data-part=seats]");
    assert_eq!(
        seats.get_attribute("data-state").as_deref(),
        Some("within-limit")
    );
    assert_eq!(view.text("[data-part=seats-usage]"), "3 of 10 seats used");
    let meter = view.find("[data-part=seats] [data-part=meter]");
    assert_eq!(meter.get_attribute("role").as_deref(), Some("meter"));
    assert_eq!(meter.get_attribute("aria-valuenow").as_deref(), Some("3"));
    assert_eq!(meter.get_attribute("aria-valuemax").as_deref(), Some("10"));
    assert_eq!(
        meter.get_attribute("aria-valuetext").as_deref(),
        Some("3 of 10 seats used")
    );
    assert_eq!(
        view.text("[data-part=seats-note][data-state=rule]"),
        "Only active members take a seat: pending invitations and inactive members do not."
    );
    assert!(view
        .text("[data-part=seats-note][data-state=pending]")
        .starts_with("Pending invitations: 1."));
    assert!(view
        .text("[data-part=seats-note][data-state=inactive]")
        .starts_with("Inactive members: 1. They already take no seat"));
    assert_eq!(
        view.count("[data-part=seats-note][data-state=pending-over-limit]"),
        0,
        "3 + 1 pending fits in 10"
    );

    // Each row: name, email, role, a status badge, the join date.
    let ada = row(&view, "Ada Lovelace");
    assert_eq!(in_row(&ada, "member-email"), "ada@acme.test");
    assert_eq!(in_row(&ada, "member-role"), "admin");
    assert_eq!(in_row(&ada, "member-status"), "Active");
    assert_eq!(
        in_row(&ada, "seat-note"),
        "",
        "an active member takes a seat"
    );
    let joined = in_row(&ada, "member-joined");
    assert!(
        joined.len() >= 8 && joined.chars().any(|c| c.is_ascii_digit()),
        "a formatted date: {joined:?}"
    );
    // Inactive members are flagged: they take no seat.
    let katherine = row(&view, "Katherine Johnson");
    assert_eq!(in_row(&katherine, "member-status"), "Inactive");
    let badge = katherine
        .query_selector("[data-part=member-status]")
        .unwrap()
        .unwrap();
    assert_eq!(
        badge.get_attribute("data-state").as_deref(),
        Some("inactive")
    );
    let flag = katherine
        .query_selector("[data-part=seat-note]")
        .unwrap()
        .unwrap();
    assert_eq!(
        flag.get_attribute("data-state").as_deref(),
        Some("inactive")
    );
    assert_eq!(flag.text_content().as_deref(), Some("Takes no seat"));
    let linus = row(&view, "Linus Pauling");
    assert_eq!(in_row(&linus, "member-status"), "Invited");
    assert_eq!(in_row(&linus, "seat-note"), "Takes a seat once accepted");
    assert_eq!(view.text("[data-part=members-count]"), "5 of 5 members");
}

#[wasm_bindgen_test]
async fn the_member_list_is_read_beside_the_portal_data_not_after_it() {
    let acme = account("Acme Corp").await;
    let token = token(&acme.organization.id, &acme.user.id).await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    install_fetch_recorder();
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US">
                <Portal/>
            </PortalProvider>
        }
    });
    view.wait_for("[data-part=members][data-state=ready]").await;
    let fetches = recorded_fetches();
    let reads = |path: &str| {
        fetches
            .iter()
            .filter(|f| f.method == "GET" && f.url.ends_with(path))
            .collect::<Vec<_>>()
    };
    let (portal, members) = (reads("/v1/portal"), reads("/v1/members"));
    assert_eq!(members.len(), 1, "one read of the list: {fetches:?}");
    let portal_answered = portal[0].end.expect("the portal read ended");
    assert!(
        members[0].start < portal_answered,
        "the list is read before the portal data is in, not a round trip after: {fetches:?}"
    );
}

#[wasm_bindgen_test]
async fn on_a_first_visit_the_list_is_read_again_once_identify_made_the_user_a_member() {
    // A new admin whose organization exists but who has never been seen.
    let (user, organization, token) = paying_customer("First Visitors").await;
    install_fetch_recorder();
    hold_identify_until_members_answered();
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US">
                <Members/>
            </PortalProvider>
        }
    });
    // The list read before identify had no one; after identify, Pat.
    view.wait_for_text("[data-part=seats-usage]", |t| t == "1 of 10 seats used")
        .await;
    assert_eq!(names(&view), ["Pat Payer"]);
    let reads = recorded_fetches()
        .iter()
        .filter(|f| f.url.ends_with("/v1/members"))
        .count();
    assert_eq!(reads, 2, "the read at mount and one after identify");
}

#[wasm_bindgen_test]
async fn sorting_and_filtering_change_the_rows() {
    let view = mount_acme_members().await;
    let header = |key: &str| view.find(&format!("[data-sort={key}]"));
    let aria_sort = |key: &str| {
        header(key)
            .parent_element()
            .unwrap()
            .get_attribute("aria-sort")
    };

    // By name, A to Z, at first.
    assert_eq!(
        names(&view),
        [
            "Ada Lovelace",
            "Alan Turing",
            "Grace Hopper",
            "Katherine Johnson",
            "Linus Pauling"
        ]
    );
    assert_eq!(aria_sort("name").as_deref(), Some("ascending"));
    assert_eq!(aria_sort("status"), None);
    assert_eq!(header("name").tag_name(), "BUTTON", "keyboard-usable");
    let first_ada = row(&view, "Ada Lovelace");

    click(&view, "[data-sort=name]");
    sleep(0).await;
    assert_eq!(names(&view)[0], "Linus Pauling");
    assert_eq!(aria_sort("name").as_deref(), Some("descending"));
    assert_eq!(
        header("name").get_attribute("data-state").as_deref(),
        Some("descending")
    );

    // By status: seat-takers first, then invitations, then inactive. The
    // header is updated in place, so the button pressed keeps the focus.
    let status = header("status").unchecked_into::<web_sys::HtmlElement>();
    status.focus().unwrap();
    status.click();
    sleep(0).await;
    let document = web_sys::window().unwrap().document().unwrap();
    assert_eq!(
        document
            .active_element()
            .and_then(|e| e.get_attribute("data-sort"))
            .as_deref(),
        Some("status"),
        "keyboard focus stays on the sort button"
    );
    assert_eq!(
        rows(&view).into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
        ["active", "active", "active", "pending", "inactive"]
    );
    assert_eq!(aria_sort("status").as_deref(), Some("ascending"));
    assert_eq!(aria_sort("name"), None);

    // By email, Z to A.
    click(&view, "[data-sort=email]");
    click(&view, "[data-sort=email]");
    sleep(0).await;
    assert_eq!(names(&view)[0], "Linus Pauling");
    assert_eq!(names(&view)[4], "Ada Lovelace");

    // A search over names and emails.
    set_control(&view, "[data-part=search-input]", "GRACE@", "input");
    sleep(0).await;
    assert_eq!(names(&view), ["Grace Hopper"]);
    assert_eq!(view.text("[data-part=members-count]"), "1 of 5 members");
    set_control(&view, "[data-part=search-input]", "nobody", "input");
    sleep(0).await;
    assert!(names(&view).is_empty());
    assert_eq!(
        view.text("[data-part=empty-state][data-state=no-match]"),
        "No members match your search."
    );

    // A status.
    set_control(&view, "[data-part=search-input]", "", "input");
    set_control(&view, "[data-part=status-select]", "inactive", "change");
    sleep(0).await;
    assert_eq!(names(&view), ["Katherine Johnson"]);
    assert_eq!(view.count("[data-part=empty-state]"), 0);
    set_control(&view, "[data-part=status-select]", "active", "change");
    set_control(&view, "[data-part=search-input]", "a", "input");
    sleep(0).await;
    assert_eq!(
        names(&view),
        ["Grace Hopper", "Alan Turing", "Ada Lovelace"],
        "active, with an a, by email Z to A"
    );
    set_control(&view, "[data-part=status-select]", "", "change");
    set_control(&view, "[data-part=search-input]", "", "input");
    sleep(0).await;
    assert_eq!(names(&view).len(), 5);
    // Through every sort and filter, a member's row is the one built when
    // it was first shown: moved, not built again.
    assert!(
        row(&view, "Ada Lovelace").is_same_node(Some(&first_ada)),
        "the same row element"
    );
}

#[wasm_bindgen_test]
async fn export_downloads_the_filtered_and_sorted_list_as_csv() {
    let acme = account("Acme Corp").await;
    // What the API says, to check the file against.
    let client = PortalClient::new(
        api(),
        token(&acme.organization.id, &acme.user.id).await.into(),
    );
    let list: MemberList = client.members().await.expect("members read");
    let line = |name: &str| {
        let m = list
            .members
            .iter()
            .find(|m| m.name.as_deref() == Some(name))
            .unwrap();
        format!(
            "{},{},{},{},{},{}\r\n",
            name,
            m.email.as_deref().unwrap(),
            m.role.as_deref().unwrap(),
            m.status.as_str(),
            m.joined_at.to_rfc3339(),
            m.workos_user_id.as_deref().unwrap()
        )
    };
    let header = "\u{feff}name,email,role,status,joined,workos_user_id\r\n";

    let view = mount_acme_members().await;
    capture_downloads();
    click(&view, "[data-part=export]");
    let file = downloaded().await;
    assert_eq!(file.name, "members.csv");
    assert_eq!(file.kind, "text/csv;charset=utf-8");
    let everyone: String = [
        "Ada Lovelace",
        "Alan Turing",
        "Grace Hopper",
        "Katherine Johnson",
        "Linus Pauling",
    ]
    .map(line)
    .concat();
    assert_eq!(file.text, format!("{header}{everyone}"));
    assert!(
        file.text.contains(",katherine@acme.test,member,inactive,"),
        "{}",
        file.text
    );

    // What is shown is what is exported: active only, names Z to A.
    set_control(&view, "[data-part=status-select]", "active", "change");
    click(&view, "[data-sort=name]");
    sleep(0).await;
    click(&view, "[data-part=export]");
    let file = downloaded().await;
    assert_eq!(
        file.text,
        format!(
            "{header}{}{}{}",
            line("Grace Hopper"),
            line("Alan Turing"),
            line("Ada Lovelace")
        )
    );
}

#[wasm_bindgen_test]
async fn members_reload_when_the_portal_data_is_refreshed() {
    let (user, organization, token) = paying_customer("Seat Growers").await;
    // Identified before the widget mounts, so its first read lists them.
    let request = identify_request(&user, &organization, Default::default(), Default::default());
    PortalClient::new(api(), token.clone().into())
        .identify(&request)
        .await
        .expect("identify");
    let org_id = organization.id.clone();
    install_fetch_recorder();
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US">
                <CaptureContext/>
                <Members/>
            </PortalProvider>
        }
    });
    view.wait_for("[data-part=members][data-state=ready]").await;
    assert_eq!(view.text("[data-part=seats-usage]"), "1 of 10 seats used");
    assert_eq!(names(&view), ["Pat Payer"]);
    // A search the admin typed stays through the reload.
    set_control(&view, "[data-part=search-input]", "nobody", "input");
    sleep(0).await;
    assert!(names(&view).is_empty());

    // Four extra seats are bought; the portal data is read again, as a
    // finished checkout does.
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/subscriptions",
        serde_json::json!({
            "company": { "workos_organization_id": org_id },
            "plan_id": "pro",
            "interval": "month",
            "addons": [{ "addon_id": "extra_seats", "quantity": 4 }],
        }),
    )
    .await;
    let context = captured_context();
    context.refresh();
    view.wait_for_text("[data-part=seats-usage]", |t| t == "1 of 14 seats used")
        .await;
    let reads = recorded_fetches()
        .iter()
        .filter(|f| f.url.ends_with("/v1/members"))
        .count();
    assert_eq!(
        reads, 2,
        "once with the portal data, once after its refresh"
    );
    let input: web_sys::HtmlInputElement = view.find("[data-part=search-input]").unchecked_into();
    assert_eq!(input.value(), "nobody");
    assert!(names(&view).is_empty(), "still filtered");
}

#[wasm_bindgen_test]
async fn an_unreachable_api_shows_the_members_error_with_a_retry() {
    let acme = account("Acme Corp").await;
    let (user, organization) = (acme.user.clone(), acme.organization.clone());
    // Nothing listens on port 9 (discard): the connection is refused.
    let view = mount(move || {
        view! {
            <PortalProvider api_base="http://127.0.0.1:9" token="pt_unused" user=user organization=organization>
                <Members/>
            </PortalProvider>
        }
    });
    let error = view.wait_for("[data-part=members][data-state=error]").await;
    assert_eq!(
        error.get_attribute("data-error").as_deref(),
        Some("network")
    );
    assert!(view
        .text("[data-part=members] [data-part=error-message]")
        .starts_with("We couldn't reach the billing service"));
    assert_eq!(view.count("[data-part=members] [role=alert]"), 1);
    assert_eq!(view.count("[data-part=members] [data-part=retry]"), 1);
}

#[wasm_bindgen_test]
async fn a_failed_members_read_is_retried_on_its_own() {
    // The widget appears once the portal data is in (a tab opened later),
    // so no later portal data retries for it: the error stays until the
    // customer asks. (Mounted with the provider, a failed first read is
    // tried again when the portal data arrives.)
    let show_members = RwSignal::new(false);
    let view = mount_signed_in("Acme Corp", move || {
        view! {
            <PlanView/>
            <Show when=move || show_members.get()>
                <Members/>
            </Show>
        }
    })
    .await;
    view.wait_for("[data-part=plan][data-state=active]").await;
    fail_next_members_read();
    show_members.set(true);
    let error = view.wait_for("[data-part=members][data-state=error]").await;
    assert_eq!(
        error.get_attribute("data-error").as_deref(),
        Some("network")
    );
    click(&view, "[data-part=members] [data-part=retry]");
    view.wait_for("[data-part=members][data-state=ready]").await;
    assert_eq!(view.count("[data-part=member]"), 5);
}

/// Search and sort fold case in the browser: ASCII names in the wasm,
/// others through `toLowerCase`. Both must find a member whatever case the
/// admin types, and sort them together.
#[wasm_bindgen_test]
fn search_and_sort_ignore_case_in_ascii_and_beyond() {
    use portico::widgets::members::roster::{visible_members, MemberQuery};
    use portico_types::{Member, MembershipStatus, Timestamp};
    let member = |name: &str, email: &str| Member {
        user_id: format!("usr_{email}"),
        workos_user_id: None,
        name: Some(name.to_owned()),
        email: Some(email.to_owned()),
        role: None,
        status: MembershipStatus::Active,
        joined_at: Timestamp(1_700_000_000),
    };
    let members = [
        member("ÉMILE Zola", "emile@acme.test"),
        member("zoë Kravitz", "ZOE@acme.test"),
        member("Ada Lovelace", "ada@acme.test"),
        member("édith Piaf", "edith@acme.test"),
    ];
    let search = |text: &str| {
        let query = MemberQuery {
            search: text.to_owned(),
            ..MemberQuery::default()
        };
        visible_members(&members, &query)
    };
    assert_eq!(search("émile"), [0]);
    assert_eq!(search("ZOË"), [1]);
    assert_eq!(search("zoe@"), [1]);
    assert_eq!(search("ADA@ACME"), [2]);
    // By name, case-blind: "ada", "zoë" before the accented "é…" (after
    // "z" in code point order), "édith" before "émile".
    assert_eq!(search(""), [2, 1, 3, 0]);
}
