//! One HTTP exchange over the browser's `fetch`, with a timeout that really
//! aborts the request (an `AbortController`), so a slow API never leaves a
//! widget waiting forever.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::ClientError;

pub(crate) struct HttpResponse {
    pub status: u16,
    pub body: String,
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

pub(crate) async fn send(
    method: &str,
    url: &str,
    bearer: &str,
    body: Option<&str>,
    timeout_ms: i32,
) -> Result<HttpResponse, ClientError> {
    let window = web_sys::window().ok_or_else(|| ClientError::Network("no window".to_owned()))?;
    let controller = web_sys::AbortController::new().map_err(network)?;
    let headers = web_sys::Headers::new().map_err(network)?;
    headers.set("Accept", "application/json").map_err(network)?;
    headers
        .set("Authorization", &format!("Bearer {bearer}"))
        .map_err(network)?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_signal(Some(&controller.signal()));
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(network)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(network)?;

    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let timed_out = timed_out.clone();
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

    let exchange = async {
        let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
            .await?
            .dyn_into()?;
        let text = JsFuture::from(response.text()?).await?;
        Ok::<_, JsValue>(HttpResponse {
            status: response.status(),
            body: text.as_string().unwrap_or_default(),
        })
    };
    let result = exchange.await;
    window.clear_timeout_with_handle(timer);
    drop(on_timeout);
    match result {
        Ok(response) => Ok(response),
        Err(_) if timed_out.get() => Err(ClientError::Timeout),
        Err(error) => Err(network(error)),
    }
}
