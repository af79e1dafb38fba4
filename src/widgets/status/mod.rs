//! What every widget shows before and instead of its data: a loading
//! skeleton, an error with a retry, or a note that it has no provider.

use std::sync::Arc;

use leptos::prelude::*;
use portico_types::PortalSnapshot;

use super::dom::{append, button, effect, element, section, set, slot, text_element, Built, Live};
use crate::client::ClientError;
use crate::i18n::{Msg, Strings};
use crate::provider::{use_portal, LoadState, PortalContext};
use crate::state::State;

pub fn error_message(error: &ClientError) -> Msg {
    match error.kind() {
        "network" => Msg::ErrorNetwork,
        "timeout" => Msg::ErrorTimeout,
        "unauthenticated" => Msg::ErrorSession,
        "forbidden" => Msg::ErrorForbidden,
        _ => Msg::ErrorUnexpected,
    }
}

/// A widget's loading face; `loading` is what a screen reader hears.
pub(crate) fn skeleton(part: &'static str, context: PortalContext, loading: Msg) -> Built {
    let section = section(part, "loading");
    set(&section, "aria-busy", "true");
    let skeleton = element("div", "skeleton");
    set(&skeleton, "role", "status");
    append(
        &skeleton,
        &[
            &text_element("span", "visually-hidden", &context.text(loading)),
            &element("div", "skeleton-line"),
            &element("div", "skeleton-line"),
            &element("div", "skeleton-line"),
        ],
    );
    append(&section, &[&skeleton]);
    Built::new(section, Live::default())
}

/// A widget's error face: `message` says what went wrong, `retry` tries
/// again.
pub(crate) fn failure(
    part: &'static str,
    context: PortalContext,
    error: &ClientError,
    message: Msg,
    retry: impl Fn() + 'static,
) -> Built {
    let section = section(part, "error");
    set(&section, "data-error", error.kind());
    let alert = element("div", "error");
    set(&alert, "role", "alert");
    let button = button("retry", &context.text(Msg::Retry));
    let mut live = Live::default();
    live.on(&button, "click", move |_| retry());
    append(
        &alert,
        &[
            &text_element("p", "error-message", &context.text(message)),
            &button,
        ],
    );
    append(&section, &[&alert]);
    Built::new(section, live)
}

/// Which of its three faces a widget shows. `Ready` carries the strings'
/// epoch: new strings rebuild a widget that otherwise keeps its DOM.
#[derive(Clone, PartialEq)]
enum Phase {
    Loading,
    Failed(ClientError),
    Ready(u32),
}

/// Renders `ready` once the portal data is in, and the loading or error
/// state until then. Outside a provider it says so instead of panicking.
/// `ready` runs again for every new snapshot: right for small widgets.
pub fn portal_view<F>(part: &'static str, ready: F) -> Built
where
    F: Fn(PortalContext, Arc<PortalSnapshot>) -> Built + 'static,
{
    faces(
        part,
        Box::new(move |context| context.snapshot().map(|snapshot| ready(context, snapshot))),
    )
}

/// Like [`portal_view`], but `ready` runs once per entry into the ready
/// state and reads the snapshot itself (`context.snapshot()`), reactively:
/// a long list keeps its rows across refreshes and updates only the ones
/// that changed.
pub fn portal_view_kept<F>(part: &'static str, ready: F) -> Built
where
    F: Fn(PortalContext) -> Built + 'static,
{
    faces(
        part,
        Box::new(move |context| Some(untrack(|| ready(context)))),
    )
}

/// What a widget shows outside a [`PortalProvider`](crate::PortalProvider):
/// that it needs one (in English: without a provider there are no strings).
pub(crate) fn missing_provider(part: &'static str) -> Built {
    let section = section(part, "error");
    set(&section, "data-error", "no-provider");
    let message = text_element(
        "p",
        "error-message",
        Strings::english().get(Msg::MissingProvider),
    );
    set(&message, "role", "alert");
    append(&section, &[&message]);
    Built::new(section, Live::default())
}

/// The three faces, in one slot built once for every widget: `ready` is
/// boxed, so the loading and error faces and the switch between them are
/// not compiled again for each widget.
fn faces(part: &'static str, ready: Box<dyn Fn(PortalContext) -> Option<Built>>) -> Built {
    let Some(context) = use_portal() else {
        return missing_provider(part);
    };
    let current = move || match context.state() {
        LoadState::Loading => Phase::Loading,
        LoadState::Failed(error) => Phase::Failed(error),
        LoadState::Ready(_) => Phase::Ready(context.strings_epoch()),
    };
    // Set only when it changes, as a memo would: new data in the same
    // phase reaches the ready face without rebuilding it. (A `Memo` would
    // be the only one in the module, and brings its own machinery.)
    let phase = State::new(untrack(current));
    effect(move || {
        let next = current();
        if phase.with_untracked(|shown| *shown != next) {
            phase.set(next);
        }
    });
    slot(move || match phase.get() {
        Phase::Loading => Some(skeleton(part, context, Msg::Loading)),
        Phase::Failed(error) => Some(failure(
            part,
            context,
            &error,
            error_message(&error),
            move || context.refresh(),
        )),
        Phase::Ready(_) => ready(context),
    })
}
