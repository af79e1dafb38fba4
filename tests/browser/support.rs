//! Mounting widgets into a fresh container, waiting for the DOM, talking to
//! the test server, and recording the page's `fetch` calls.

#![allow(dead_code)]

use leptos::mount::mount_to;
use leptos::prelude::*;
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
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
"#)]
extern "C" {
    pub fn install_fetch_recorder();
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

async fn request<T: DeserializeOwned>(method: &str, path: &str, body: Option<String>) -> T {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let headers = web_sys::Headers::new().unwrap();
        headers.set("Content-Type", "application/json").unwrap();
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    }
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
