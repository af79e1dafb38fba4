//! Widget tests in a real headless Chromium (wasm-bindgen-test), against a
//! real Portico server in demo mode whose address `cargo xtask test` passes
//! in `PORTICO_TEST_API` at build time.

#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod checkout;
mod dom;
mod errors;
mod format;
mod identify;
mod members;
mod rows;
mod security;
mod session;
mod support;
mod widgets;
mod wire;
