//! Portico: customer-portal widgets for web apps that sign in with WorkOS.
//!
//! Put a [`PortalProvider`] where the signed-in user and organization are
//! known, and the widgets inside it:
//!
//! ```ignore
//! use portico::{Portal, PortalProvider};
//! view! {
//!     <PortalProvider api_base="https://billing.example.com" token=token user=user organization=org>
//!         <Portal/>
//!     </PortalProvider>
//! }
//! ```
//!
//! The provider identifies the user and organization on mount and loads the
//! company's plan and entitlements in one round trip; every widget below it
//! renders from that data. Styling is CSS only: see `style/tokens.css`.

pub mod client;
pub mod elements;
pub mod format;
pub mod i18n;
mod identity;
pub mod json;
mod local;
mod provider;
// Public for the browser tests, like `widgets::dom`.
#[doc(hidden)]
pub mod state;
mod style;
mod timer;
pub mod widgets;
pub mod wire;

pub use client::{ClientError, PortalClient, TokenSource};
pub use identity::identify_request;
pub use portico_types as types;
pub use provider::{use_portal, LoadState, PortalContext, PortalProvider};
pub use style::{TOKENS, WIDGETS};
pub use widgets::{
    CancelSubscription, Checkout, Entitlements, Invoices, Members, PlanPicker, PlanView, Portal,
    UpcomingBill,
};

/// The portal module's allocator, in place of the standard library's
/// dlmalloc: 1.5 KB less of the module (`cargo xtask bench bundle`), now
/// that nothing in it asks for the thread handles dlmalloc also made (see
/// [`local`]). Only in the module (feature `module`): a Leptos app that
/// uses the crate chooses its own.
#[cfg(all(
    feature = "module",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
