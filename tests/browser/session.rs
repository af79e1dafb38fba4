//! The JS API's session (`createSession`, then `mount` per element): what
//! the custom elements run, mounted here without them.

use leptos::prelude::document;
use portico::elements::create_session;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;

use crate::support::{account, api, sleep, token, Mounted};

#[wasm_bindgen_test]
async fn a_mounted_widget_follows_its_theme_and_unmounting_takes_it_away() {
    let acme = account("Acme Corp").await;
    let token = token(&acme.organization.id, &acme.user.id).await;
    let config = serde_json::json!({
        "apiBase": api(),
        "token": token,
        "user": acme.user,
        "organization": acme.organization,
        "locale": "en-US",
    });
    let config = js_sys::JSON::parse(&config.to_string()).unwrap();
    let session = create_session(config)
        .map_err(wasm_bindgen::JsValue::from)
        .unwrap();
    let target: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&target).unwrap();
    let view = Mounted::around(target.clone());

    assert!(
        session.mount(target.clone(), "nope", None).is_err(),
        "an unknown widget is refused"
    );
    assert_eq!(target.child_element_count(), 0, "and nothing is mounted");

    let mut widget = session
        .mount(target.clone(), "plan", Some("dark".into()))
        .map_err(wasm_bindgen::JsValue::from)
        .unwrap();
    let root = view.find("[data-portico-root]");
    assert_eq!(root.class_name(), "portico");
    assert_eq!(
        root.get_attribute("data-portico-theme").as_deref(),
        Some("dark")
    );
    view.wait_for_text("[data-part=plan-name]", |t| !t.is_empty())
        .await;
    assert_eq!(
        view.count("[data-part=cancel-subscription]"),
        1,
        "plan shows cancel too"
    );

    widget.set_theme(None);
    leptos::task::tick().await;
    assert_eq!(
        root.get_attribute("data-portico-theme"),
        None,
        "no theme: follow the system"
    );
    widget.set_theme(Some("light".into()));
    leptos::task::tick().await;
    assert_eq!(
        root.get_attribute("data-portico-theme").as_deref(),
        Some("light")
    );

    widget.unmount();
    assert_eq!(
        target.child_element_count(),
        0,
        "unmounting removes the widget"
    );
    // New data after the unmount reaches nothing: no widget comes back.
    session.refresh();
    sleep(300).await;
    assert_eq!(target.child_element_count(), 0, "{}", target.inner_html());
    widget.set_theme(Some("dark".into()));
    assert_eq!(target.child_element_count(), 0);

    // A second mount from the same session, then the session's end takes
    // its widgets' effects with it.
    let again = session
        .mount(target.clone(), "entitlements", None)
        .map_err(wasm_bindgen::JsValue::from)
        .unwrap();
    view.wait_for("[data-part=entitlement]").await;
    let root = view.find("[data-portico-root]");
    session.dispose();
    again.set_theme(Some("dark".into()));
    leptos::task::tick().await;
    assert_eq!(
        root.get_attribute("data-portico-theme"),
        None,
        "a disposed session's widgets no longer react"
    );
}

#[wasm_bindgen_test]
fn a_session_config_that_cannot_be_read_says_what_and_where() {
    let refused = |config: serde_json::Value| -> String {
        let text = config.to_string();
        match create_session(js_sys::JSON::parse(&text).unwrap()) {
            Ok(_) => panic!("{text} was accepted"),
            Err(error) => js_sys::Error::from(wasm_bindgen::JsValue::from(error))
                .message()
                .into(),
        }
    };
    let user = serde_json::json!({ "id": "user_1", "email": "ada@example.com" });
    assert_eq!(
        refused(serde_json::json!({
            "apiBase": "https://billing.example.com",
            "token": "t",
            "user": user,
            "organization": { "name": "Acme" },
        })),
        "organization.id: expected a string"
    );
    assert_eq!(
        refused(serde_json::json!({
            "apiBase": "https://billing.example.com",
            "token": "t",
            "user": user,
            "organization": 7,
        })),
        "organization: expected an object"
    );
    assert_eq!(
        refused(serde_json::json!({
            "apiBase": "https://billing.example.com",
            "token": "t",
            "user": { "id": "user_1", "email": ["ada@example.com"] },
            "organization": "org_1",
        })),
        "user.email: expected a string"
    );
    assert_eq!(
        refused(serde_json::json!({
            "apiBase": "https://billing.example.com",
            "user": user,
            "organization": "org_1",
        })),
        "give a token or a getToken function"
    );
}
