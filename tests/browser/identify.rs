//! On mount the provider identifies the WorkOS user and organization, and
//! reads the portal data without waiting for identify.

use leptos::prelude::*;
use portico::{Portal, PortalProvider};
use portico_types::{IdentifyRequest, WorkosOrganization, WorkosUser};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::{api, install_fetch_recorder, mount, recorded_fetches, sleep, token, unique};

#[wasm_bindgen_test]
async fn identify_is_sent_on_mount_with_the_workos_keys() {
    let org_id = unique("org_01TEST");
    let user_id = unique("user_01TEST");
    let email = format!("{user_id}@Example.test");
    let token = token(&org_id, &user_id).await;
    let user = WorkosUser {
        id: user_id.clone(),
        email: email.clone(),
        first_name: Some("Margaret".into()),
        last_name: Some("Hamilton".into()),
        email_verified: true,
    };
    let organization = WorkosOrganization {
        id: org_id.clone(),
        name: Some("Apollo Guidance".into()),
    };

    install_fetch_recorder();
    let view = mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization>
                <Portal/>
            </PortalProvider>
        }
    });
    // The requests leave while the portal mounts, not once the page has
    // rendered: nothing has yielded to the event loop since `mount`.
    let sent_at_mount: Vec<String> = recorded_fetches().into_iter().map(|f| f.url).collect();
    for path in ["/v1/portal", "/v1/identify", "/v1/members"] {
        assert!(
            sent_at_mount.iter().any(|url| url.ends_with(path)),
            "{path} was not sent during mount: {sent_at_mount:?}"
        );
    }
    view.wait_for("[data-part=plan][data-state=free]").await;

    // Identify is not awaited by the widgets; wait here for its answer.
    let mut log = recorded_fetches();
    for _ in 0..250 {
        if log
            .iter()
            .any(|f| f.url.ends_with("/v1/identify") && f.end.is_some())
        {
            break;
        }
        sleep(20).await;
        log = recorded_fetches();
    }
    let identify = log
        .iter()
        .find(|f| f.url.ends_with("/v1/identify"))
        .expect("identify was sent");
    let portal = log
        .iter()
        .find(|f| f.url.ends_with("/v1/portal"))
        .expect("the portal was read");
    assert_eq!(identify.method, "POST");
    let sent: IdentifyRequest = serde_json::from_str(identify.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        sent.company.keys.get("workos_organization_id"),
        Some(&org_id)
    );
    assert_eq!(sent.company.name.as_deref(), Some("Apollo Guidance"));
    let sent_user = sent.user.expect("the user is identified");
    assert_eq!(sent_user.keys.get("workos_user_id"), Some(&user_id));
    assert_eq!(
        sent_user.keys.get("email"),
        Some(&email),
        "sent as WorkOS has it"
    );
    assert_eq!(sent_user.name.as_deref(), Some("Margaret Hamilton"));

    // One round trip: the portal read starts before identify has answered.
    let identify_end = identify.end.expect("identify finished");
    assert!(
        portal.start < identify_end,
        "the portal read waited for identify: {log:?}"
    );
    assert_eq!(identify.status, Some(202));
    assert_eq!(portal.status, Some(200));

    // The server now knows the company, its keys and the user.
    let check =
        portico::PortalClient::new(api(), crate::support::token(&org_id, &user_id).await.into());
    let snapshot = check.portal().await.expect("portal read");
    let company = snapshot.company.expect("identify created the company");
    assert_eq!(company.name.as_deref(), Some("Apollo Guidance"));
    assert_eq!(company.keys.get("workos_organization_id"), Some(&org_id));
    assert_eq!(
        snapshot.user.and_then(|u| u.name).as_deref(),
        Some("Margaret Hamilton")
    );
}

/// Work the provider defers to the network wait (building the `Intl`
/// formatters) runs once, after the first request has gone out, never
/// before it: it must not delay what is sent.
#[wasm_bindgen_test]
async fn work_after_the_first_request_runs_once_and_only_after_it_is_sent() {
    let (_, _, token) = crate::support::paying_customer("Deferred Work").await;
    let client = portico::PortalClient::new(api(), token.into());
    install_fetch_recorder();
    let runs: std::rc::Rc<std::cell::RefCell<Vec<usize>>> = Default::default();
    let seen = runs.clone();
    client.after_first_request(move || seen.borrow_mut().push(recorded_fetches().len()));
    assert!(runs.borrow().is_empty(), "nothing has been sent yet");

    client.portal().await.expect("portal read");
    client.portal().await.expect("second portal read");
    assert_eq!(
        *runs.borrow(),
        vec![1],
        "once, with the first request already handed to fetch"
    );
}
