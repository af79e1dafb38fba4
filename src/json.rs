//! JSON text in and out of the bundle: the browser's own `JSON.parse` and
//! `JSON.stringify`, with [`crate::wire`] reading and writing the values.
//! No JSON parser is compiled into the wasm.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::wire::{FromJs, ToJs};

/// Why a JSON value could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError(pub String);

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

fn js_error(value: JsValue) -> JsonError {
    JsonError(
        js_sys::Error::from(value)
            .message()
            .as_string()
            .unwrap_or_else(|| "invalid JSON".to_owned()),
    )
}

#[wasm_bindgen]
extern "C" {
    // `js_sys::JSON::parse` takes a `&str`, which would copy a JS string
    // into wasm memory only to copy it back out for the parse.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &js_sys::JsString) -> Result<JsValue, JsValue>;
}

/// Reads `text` (a JavaScript string, such as a response body) as a `T`.
pub fn parse<T: FromJs>(text: &js_sys::JsString) -> Result<T, JsonError> {
    let value = json_parse(text).map_err(js_error)?;
    T::from_js(&value).map_err(|e| JsonError(e.to_string()))
}

/// Writes `value` as JSON text (a JavaScript string, such as a request
/// body).
pub fn stringify<T: ToJs>(value: &T) -> Result<js_sys::JsString, JsonError> {
    js_sys::JSON::stringify(&value.to_js()).map_err(js_error)
}
