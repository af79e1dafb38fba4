//! Mounting widgets into a fresh container, waiting for the DOM, talking to
//! the test server, and recording the page's `fetch` calls.

#![allow(dead_code)]

use leptos::mount::mount_to;
use leptos::prelude::*;
use portico::PortalProvider;
use portico_types::{DemoAccount, DemoTokenRequest, PortalToken};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

pub fn api() -> &'static str {
    option_env!("PORTICO_TEST_API").unwrap_or_else(|| {
        panic!("PORTICO_TEST_API is not set: run the browser tests with `cargo xtask test`, which starts the server")
    })
}

#[wasm_bindgen(inline_js = r#"
export function install_fetch_recorder() {
  if (window.__porticoFetchLog) { window.__porticoFetchLog.length = 0; return; }
  window.__porticoFetchLog = [];
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    const entry = { url: request.url, method: request.method, body: null, start: performance.now(), end: null, status: null };
    window.__porticoFetchLog.push(entry);
    if (request.method !== 'GET') { entry.body = await request.clone().text(); }
    try {
      const response = await original(input, init);
      entry.end = performance.now(); entry.status = response.status;
      return response;
    } catch (error) {
      entry.end = performance.now(); entry.status = 0;
      throw error;
    }
  };
}
export function fetch_log() { return JSON.stringify(window.__porticoFetchLog || []); }
export function record_events(name) {
  window.__porticoEvents = window.__porticoEvents || {};
  if (window.__porticoEvents[name]) { window.__porticoEvents[name].length = 0; return; }
  window.__porticoEvents[name] = [];
  document.addEventListener(name, (event) => window.__porticoEvents[name].push(event.detail));
}
export function recorded_events(name) { return JSON.stringify((window.__porticoEvents || {})[name] || []); }
// Holds back the answer to the next checkout preview by `ms`, and delivers
// it even if the page aborted the request: a slow, stale answer.
export function delay_next_preview(ms) {
  const original = window.__porticoUndelayedFetch || window.fetch.bind(window);
  window.__porticoUndelayedFetch = original;
  window.__porticoLatePreview = null;
  window.__porticoDelayedStarted = false;
  let armed = true;
  window.fetch = async (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (armed && request.url.endsWith('/v1/checkout/preview')) {
      armed = false;
      window.__porticoDelayedStarted = true;
      const body = await request.clone().text();
      const detached = new Request(request.url, { method: 'POST', headers: request.headers, body });
      const response = await original(detached);
      await new Promise((resolve) => setTimeout(resolve, ms));
      window.__porticoLatePreview = body;
      return response;
    }
    return original(input, init);
  };
}
export function delayed_preview_started() { return !!window.__porticoDelayedStarted; }
export function late_preview_body() { return window.__porticoLatePreview; }
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
// Records the `data-part` of every node added to or removed from `target`
// or anywhere under it, until `taken_child_changes` is called.
export function record_child_changes(target) {
  const changes = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) changes.push('added ' + (node.dataset?.part ?? node.nodeName) + (node.dataset?.feature ? ' ' + node.dataset.feature : ''));
      for (const node of record.removedNodes) changes.push('removed ' + (node.dataset?.part ?? node.nodeName) + (node.dataset?.feature ? ' ' + node.dataset.feature : ''));
    }
  });
  observer.observe(target, { childList: true, subtree: true });
  window.__porticoChildChanges = () => {
    for (const record of observer.takeRecords()) {
      for (const node of record.addedNodes) changes.push('added ' + (node.dataset?.part ?? node.nodeName) + (node.dataset?.feature ? ' ' + node.dataset.feature : ''));
      for (const node of record.removedNodes) changes.push('removed ' + (node.dataset?.part ?? node.nodeName) + (node.dataset?.feature ? ' ' + node.dataset.feature : ''));
    }
    observer.disconnect();
    return JSON.stringify(changes);
  };
}
export function taken_child_changes() { return window.__porticoChildChanges(); }
"#)]
extern "C" {
    pub fn install_fetch_recorder();
    pub fn record_events(name: &str);
    fn recorded_events(name: &str) -> String;
    pub fn delay_next_preview(ms: u32);
    pub fn delayed_preview_started() -> bool;
    pub fn late_preview_body() -> Option<String>;
    pub fn record_child_changes(target: &web_sys::Element);
    fn taken_child_changes() -> String;
    fn fetch_log() -> String;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: u32) -> js_sys::Promise;
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct RecordedFetch {
    pub url: String,
    pub method: String,
    pub body: Option<String>,
    pub start: f64,
    pub end: Option<f64>,
    pub status: Option<u16>,
}

/// The nodes added and removed under the element given to
/// [`record_child_changes`] since, each as `added <part>` or `removed
/// <part>`; stops recording.
pub fn child_changes() -> Vec<String> {
    serde_json::from_str(&taken_child_changes()).expect("a list of changes")
}

pub fn recorded_fetches() -> Vec<RecordedFetch> {
    serde_json::from_str(&fetch_log()).expect("fetch log is JSON")
}

pub async fn sleep(ms: u32) {
    let _ = JsFuture::from(sleep_promise(ms)).await;
}

/// A fresh `<div>` in the body for one test, removed when dropped along with
/// whatever was mounted in it.
pub struct Mounted {
    pub root: HtmlElement,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

pub fn mount<F, N>(view: F) -> Mounted
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
    N::State: 'static,
{
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), view);
    Mounted {
        root,
        _handle: Box::new(handle),
    }
}

impl Mounted {
    /// `root`, already in the page with something mounted in it some other
    /// way, to wait in and read; removed when dropped.
    pub fn around(root: HtmlElement) -> Mounted {
        Mounted {
            root,
            _handle: Box::new(()),
        }
    }

    /// Waits (up to 10 s) for `selector` to match inside the mounted view.
    pub async fn wait_for(&self, selector: &str) -> Element {
        for _ in 0..500 {
            if let Ok(Some(element)) = self.root.query_selector(selector) {
                return element;
            }
            sleep(20).await;
        }
        panic!(
            "timed out waiting for {selector}; the DOM is:\n{}",
            self.root.inner_html()
        );
    }

    /// Waits (up to 10 s) until `condition` holds; `what` says what was
    /// awaited if it never does.
    pub async fn wait_until(&self, what: &str, condition: impl Fn() -> bool) {
        for _ in 0..500 {
            if condition() {
                return;
            }
            sleep(20).await;
        }
        panic!(
            "timed out waiting until {what}; the DOM is:\n{}",
            self.root.inner_html()
        );
    }

    /// Waits (up to 10 s) for the text of `selector` to pass `check`, and
    /// returns it.
    pub async fn wait_for_text(&self, selector: &str, check: impl Fn(&str) -> bool) -> String {
        for _ in 0..500 {
            if let Ok(Some(element)) = self.root.query_selector(selector) {
                let text = element.text_content().unwrap_or_default();
                if check(text.trim()) {
                    return text.trim().to_owned();
                }
            }
            sleep(20).await;
        }
        panic!(
            "timed out waiting for the text of {selector}; the DOM is:\n{}",
            self.root.inner_html()
        );
    }

    pub fn find(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("no {selector} in:\n{}", self.root.inner_html()))
    }

    pub fn text(&self, selector: &str) -> String {
        self.find(selector)
            .text_content()
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    pub fn count(&self, selector: &str) -> u32 {
        self.root
            .query_selector_all(selector)
            .map(|list| list.length())
            .unwrap_or(0)
    }
}

/// Records usage of `feature` for the organization, as a host's server
/// does (`increment` or `set`).
pub async fn record_usage(org_id: &str, feature: &str, quantity: u64, mode: &str) {
    let _: serde_json::Value = admin(
        "POST",
        "/v1/usage",
        serde_json::json!({
            "company": { "workos_organization_id": org_id },
            "feature": feature,
            "quantity": quantity,
            "mode": mode,
        }),
    )
    .await;
}

pub fn events(name: &str) -> Vec<serde_json::Value> {
    serde_json::from_str(&recorded_events(name)).expect("events are JSON")
}

/// The demo server's secret key: the test plays the host's backend.
const DEMO_SECRET_KEY: &str = "sk_demo_portico_local_only";

async fn request<T: DeserializeOwned>(method: &str, path: &str, body: Option<String>) -> T {
    send(method, path, body, None).await
}

/// A call with the secret key, as the host's backend would make it.
pub async fn admin<T: DeserializeOwned>(method: &str, path: &str, body: serde_json::Value) -> T {
    send(method, path, Some(body.to_string()), Some(DEMO_SECRET_KEY)).await
}

async fn send<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
    bearer: Option<&str>,
) -> T {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().unwrap();
    if let Some(bearer) = bearer {
        headers
            .set("Authorization", &format!("Bearer {bearer}"))
            .unwrap();
    }
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").unwrap();
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let url = format!("{}{path}", api());
    let response: web_sys::Response = JsFuture::from(
        web_sys::window()
            .unwrap()
            .fetch_with_str_and_init(&url, &init),
    )
    .await
    .unwrap_or_else(|e| panic!("cannot reach the test server at {url}: {e:?}"))
    .unchecked_into();
    let text = JsFuture::from(response.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        response.ok(),
        "{method} {url} answered {}: {text}",
        response.status()
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"))
}

/// The seeded demo account of the organization named `name`.
pub async fn account(name: &str) -> DemoAccount {
    let accounts: Vec<DemoAccount> = request("GET", "/v1/demo/accounts", None).await;
    accounts
        .into_iter()
        .find(|a| a.organization.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no seeded organization {name}"))
}

/// `widgets` inside a provider signed in as the seeded account of the
/// organization `name` (its own portal token, English), mounted.
pub async fn mount_signed_in<V>(name: &str, widgets: impl FnOnce() -> V + Send + 'static) -> Mounted
where
    V: IntoView + 'static,
{
    let account = account(name).await;
    let token = token(&account.organization.id, &account.user.id).await;
    let (user, organization) = (account.user, account.organization);
    mount(move || {
        view! {
            <PortalProvider api_base=api() token=token user=user organization=organization locale="en-US">
                {widgets()}
            </PortalProvider>
        }
    })
}

thread_local! {
    static CAPTURED: std::cell::Cell<Option<portico::PortalContext>> =
        const { std::cell::Cell::new(None) };
}

/// Hands the test its provider's context (to refresh the data as a host,
/// or a finished checkout, does): put it inside the provider, then call
/// [`captured_context`].
#[component]
pub fn CaptureContext() -> impl IntoView {
    CAPTURED.with(|slot| slot.set(portico::use_portal()));
}

/// The context the last mounted [`CaptureContext`] saw.
pub fn captured_context() -> portico::PortalContext {
    CAPTURED
        .with(std::cell::Cell::get)
        .expect("a <CaptureContext/> inside the provider")
}

/// A portal token for an organization and user, from the demo server.
pub async fn token(organization_id: &str, user_id: &str) -> String {
    let body = serde_json::to_string(&DemoTokenRequest {
        organization_id: organization_id.to_owned(),
        user_id: user_id.to_owned(),
    })
    .unwrap();
    let token: PortalToken = request("POST", "/v1/demo/portal-tokens", Some(body)).await;
    token.token
}

/// A random suffix, so tests that create records never collide.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", (js_sys::Math::random() * 1e12) as u64)
}

/// A new organization and admin user, on Pro monthly since ten days ago,
/// with a token for them: a paying customer of its own for one test.
pub async fn paying_customer(
    name: &str,
) -> (
    portico_types::WorkosUser,
    portico_types::WorkosOrganization,
    String,
) {
    let organization = portico_types::WorkosOrganization {
        id: unique("org_01PAY"),
        name: Some(name.to_owned()),
    };
    let user = portico_types::WorkosUser {
        id: unique("user_01PAY"),
        email: format!("{}@pay.test", unique("admin")),
        first_name: Some("Pat".into()),
        last_name: Some("Payer".into()),
        email_verified: true,
    };
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/companies",
        serde_json::json!({ "keys": { "workos_organization_id": organization.id }, "name": name }),
    )
    .await;
    let started = portico_types::Timestamp(js_sys::Date::now() as i64 / 1000 - 10 * 86_400);
    let _: serde_json::Value = admin(
        "PUT",
        "/v1/subscriptions",
        serde_json::json!({
            "company": { "workos_organization_id": organization.id },
            "plan_id": "pro",
            "interval": "month",
            "started_at": started,
        }),
    )
    .await;
    let token = token(&organization.id, &user.id).await;
    (user, organization, token)
}

/// Clicks the element matching `selector`.
pub fn click(view: &Mounted, selector: &str) {
    view.find(selector).unchecked_into::<HtmlElement>().click();
}
