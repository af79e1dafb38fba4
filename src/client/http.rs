//! One HTTP exchange over the browser's `fetch`, with a timeout that really
//! aborts the request (an `AbortController`), so a slow API never leaves a
//! widget waiting forever, and a caller-held controller for requests a newer
//! one replaces.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::ClientError;

pub(crate) struct HttpResponse {
    pub status: u16,
    /// The body's bytes, copied into wasm memory in one piece for
    /// [`crate::json`] to parse. Read as text first, a body crossed as a
    /// JS string, which the glue copies in a character at a time: some
    /// 230 KB for a portal of 1,000 entitlements (`cargo xtask bench
    /// scale`, mount → data).
    pub body: Vec<u8>,
}

/// One request. `controller` lets the caller abort it; the timeout aborts
/// it too.
pub(crate) struct Exchange<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub bearer: &'a str,
    pub body: Option<&'a js_sys::JsString>,
    pub idempotency_key: Option<&'a str>,
    pub timeout_ms: i32,
    pub controller: Option<web_sys::AbortController>,
    /// Called once the request has been handed to the browser.
    pub on_sent: Option<Box<dyn FnOnce()>>,
}

/// A body's text as `Response.text()` reads it: a leading byte order mark
/// dropped, a stray invalid byte read as U+FFFD. Checked the fast way
/// first: a body is nearly always valid.
pub(crate) fn text_of(body: &[u8]) -> std::borrow::Cow<'_, str> {
    let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    match std::str::from_utf8(body) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(body),
    }
}

fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn network(value: JsValue) -> ClientError {
    ClientError::Network(js_message(&value))
}

pub(crate) async fn send(exchange: Exchange<'_>) -> Result<HttpResponse, ClientError> {
    let Exchange {
        method,
        url,
        bearer,
        body,
        idempotency_key,
        timeout_ms,
        controller,
        on_sent,
    } = exchange;
    let window = web_sys::window().ok_or_else(|| ClientError::Network("no window".to_owned()))?;
    let controller = match controller {
        Some(controller) => controller,
        None => web_sys::AbortController::new().map_err(network)?,
    };
    let signal = controller.signal();
    if signal.aborted() {
        return Err(ClientError::Aborted);
    }
    let headers = web_sys::Headers::new().map_err(network)?;
    headers.set("Accept", "application/json").map_err(network)?;
    headers
        .set("Authorization", &["Bearer ", bearer].concat())
        .map_err(network)?;
    if let Some(key) = idempotency_key {
        headers.set("Idempotency-Key", key).map_err(network)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_signal(Some(&signal));
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(network)?;
        init.set_body(body);
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(network)?;

    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let timed_out = timed_out.clone();
        let controller = controller.clone();
        Closure::once(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.as_ref().unchecked_ref(),
            timeout_ms,
        )
        .map_err(network)?;

    let sent = window.fetch_with_request(&request);
    if let Some(on_sent) = on_sent {
        on_sent();
    }
    let exchange = async {
        let response: web_sys::Response = JsFuture::from(sent).await?.dyn_into()?;
        let bytes = JsFuture::from(response.array_buffer()?).await?;
        Ok::<_, JsValue>(HttpResponse {
            status: response.status(),
            body: js_sys::Uint8Array::new(&bytes).to_vec(),
        })
    };
    let result = exchange.await;
    window.clear_timeout_with_handle(timer);
    drop(on_timeout);
    match result {
        Ok(response) => Ok(response),
        Err(_) if timed_out.get() => Err(ClientError::Timeout),
        Err(_) if signal.aborted() => Err(ClientError::Aborted),
        Err(error) => Err(network(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::text_of;

    #[test]
    fn bodies_read_as_the_browser_reads_text() {
        assert_eq!(text_of(b"{\"a\": \"\xc3\xa9\"}"), "{\"a\": \"\u{e9}\"}");
        assert_eq!(text_of(b"\xef\xbb\xbf[1]"), "[1]");
        assert_eq!(text_of(b"[\"\xff\"]"), "[\"\u{fffd}\"]");
        assert!(matches!(text_of(b"[]"), std::borrow::Cow::Borrowed("[]")));
    }
}
