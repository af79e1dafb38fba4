//! `PortalProvider`: the client, the signed-in identity and the portal data,
//! shared with every widget below it.
//!
//! On mount it sends identify and reads `/v1/portal` at the same time: the
//! read does not wait for identify (a company identify has not created yet
//! reads as the default plan, which is what identify creates), so data is
//! one round trip from mount.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_types::{PortalSnapshot, Traits, WorkosOrganization, WorkosUser};

use crate::client::{ClientError, PortalClient, TokenSource};
use crate::format::Formatter;
use crate::i18n::{Msg, Strings};
use crate::identity::identify_request;
use crate::state::State;
use crate::style;

/// The portal data as the widgets see it.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    Loading,
    Ready(Arc<PortalSnapshot>),
    Failed(ClientError),
}

impl LoadState {
    /// The data, when it is shown.
    pub fn snapshot(self) -> Option<Arc<PortalSnapshot>> {
        match self {
            LoadState::Ready(snapshot) => Some(snapshot),
            _ => None,
        }
    }
}

/// What every widget reads from context. `Copy`: its [`State`]s are
/// handles.
#[derive(Clone, Copy)]
pub struct PortalContext {
    state: State<LoadState>,
    /// True while a refresh runs over data already shown.
    refreshing: State<bool>,
    identify_error: State<Option<ClientError>>,
    /// What does not change by itself, in one place.
    session: State<Rc<Session>>,
    /// Bumped by every load, so a slow older answer never overwrites a
    /// newer one.
    generation: State<u64>,
    /// Identify has succeeded (reactive: the Members widget waits on it);
    /// and whether data read before it has been read again since.
    identified: State<bool>,
    reread_after_identify: State<bool>,
    /// A [`refresh_features`](Self::refresh_features) read is under way.
    features_in_flight: State<bool>,
    /// The data shown last changed by a feature refresh alone (widgets with
    /// data of their own, like the member list, need not read it again).
    features_only: State<bool>,
}

/// The provider's client, identity and words.
struct Session {
    client: Rc<PortalClient>,
    /// The signed-in WorkOS user's id (`user_…`), once
    /// [`start`](PortalContext::start)ed.
    signed_in: RefCell<Option<String>>,
    strings: RefCell<Strings>,
    /// Bumped when the strings change, so that widgets which keep their
    /// DOM across data refreshes rebuild it in the new words.
    strings_epoch: Cell<u32>,
    formatter: Formatter,
}

impl PortalContext {
    pub fn new(client: PortalClient, strings: Strings, formatter: Formatter) -> Self {
        PortalContext {
            state: State::new(LoadState::Loading),
            refreshing: State::new(false),
            identify_error: State::new(None),
            session: State::new(Rc::new(Session {
                client: Rc::new(client),
                signed_in: RefCell::new(None),
                strings: RefCell::new(strings),
                strings_epoch: Cell::new(0),
                formatter,
            })),
            generation: State::new(0),
            identified: State::new(false),
            reread_after_identify: State::new(false),
            features_in_flight: State::new(false),
            features_only: State::new(false),
        }
    }

    pub fn state(&self) -> LoadState {
        self.state.get()
    }

    pub fn snapshot(&self) -> Option<Arc<PortalSnapshot>> {
        self.state.get().snapshot()
    }

    /// [`Self::snapshot`] without subscribing to it.
    pub fn snapshot_untracked(&self) -> Option<Arc<PortalSnapshot>> {
        self.state.get_untracked().snapshot()
    }

    pub fn is_refreshing(&self) -> bool {
        self.refreshing.get()
    }

    /// The last identify failure, if any (identify does not block the data).
    pub fn identify_error(&self) -> Option<ClientError> {
        self.identify_error.get()
    }

    /// A message in the portal's language.
    pub fn text(&self, message: Msg) -> String {
        self.session
            .get_untracked()
            .strings
            .borrow()
            .get(message)
            .to_owned()
    }

    /// A message with its `{placeholders}` filled.
    pub fn fill(&self, message: Msg, values: &[(&str, &str)]) -> String {
        self.session
            .get_untracked()
            .strings
            .borrow()
            .fill(message, values)
    }

    /// Changes whenever [`set_strings`](Self::set_strings) does (not
    /// reactive by itself: `set_strings` also notifies through the state).
    pub fn strings_epoch(&self) -> u32 {
        self.session.get_untracked().strings_epoch.get()
    }

    pub fn formatter(&self) -> Formatter {
        self.session.get_untracked().formatter.clone()
    }

    pub fn client(&self) -> Rc<PortalClient> {
        self.session.get_untracked().client.clone()
    }

    /// Replaces the widgets' text (e.g. overrides a host set from
    /// JavaScript); every widget re-renders with it.
    pub fn set_strings(&self, strings: Strings) {
        if let Some(session) = self.session.try_get_untracked() {
            *session.strings.borrow_mut() = strings;
            session.strings_epoch.set(session.strings_epoch.get() + 1);
            // Tell the widgets: they render from `state`.
            self.state.update(|_| {});
        }
    }

    /// Starts the portal: reads the portal data and, in parallel, identifies
    /// the signed-in user and organization.
    pub fn start(
        &self,
        user: &WorkosUser,
        organization: &WorkosOrganization,
        company_traits: Traits,
        user_traits: Traits,
    ) {
        *self.session.get_untracked().signed_in.borrow_mut() = Some(user.id.clone());
        // Formatters are built while the first answers are on the network:
        // after the first request is out (a host's token source answers
        // first), and after a timer, so every request sent beside it (not
        // just the first) goes out before.
        let formatter = self.formatter();
        self.client().after_first_request(move || {
            spawn_local(async move {
                crate::timer::sleep(0).await;
                formatter.warm_up();
            });
        });
        self.refresh();
        self.identify(user, organization, company_traits, user_traits);
    }

    /// Whether the data last changed by [`refresh_features`](Self::refresh_features)
    /// alone (not reactive: read it when the data changes).
    pub fn changed_by_features_only(&self) -> bool {
        self.features_only.get_untracked()
    }

    /// Whether identify has succeeded (reactive).
    pub fn identified(&self) -> bool {
        self.identified.get()
    }

    /// The signed-in WorkOS user's id (`user_…`).
    pub fn signed_in_user_id(&self) -> Option<String> {
        self.session.get_untracked().signed_in.borrow().clone()
    }

    /// Loads the portal data again. Data already shown stays until the new
    /// data arrives; a failure with data shown keeps it.
    pub fn refresh(&self) {
        let Some(previous) = self.generation.try_get_untracked() else {
            return; // unmounted
        };
        let generation = previous + 1;
        self.generation.set_untracked(generation);
        // This read brings every feature's state.
        self.features_in_flight.set_untracked(false);
        let showing_data = matches!(self.state.get_untracked(), LoadState::Ready(_));
        if showing_data {
            self.refreshing.set(true);
        } else {
            self.state.set(LoadState::Loading);
        }
        let this = *self;
        let client = self.client();
        send_now(async move {
            let result = client.portal().await;
            if this.generation.try_get_untracked() != Some(generation) {
                return; // a newer load has started (or the portal is gone)
            }
            this.refreshing.set(false);
            match result {
                Ok(snapshot) => {
                    this.features_only.set_untracked(false);
                    let unknown_company = snapshot.company.is_none();
                    this.state.set(LoadState::Ready(Arc::new(snapshot)));
                    performance_mark("portico:data");
                    if unknown_company && this.identified.get_untracked() {
                        this.reread_once_after_identify();
                    }
                }
                Err(error) if !showing_data => this.state.set(LoadState::Failed(error)),
                Err(error) => error.warn("portico: refresh failed:"),
            }
        });
    }

    /// Reads again only the entitlements of `feature_ids` (after the host
    /// recorded usage of them, say) and shows their new state: a request
    /// of a few hundred bytes instead of the whole portal, and only their
    /// rows re-render. Reads everything instead ([`refresh`](Self::refresh))
    /// while no data is shown or another read is under way, which it would
    /// otherwise race.
    pub fn refresh_features(&self, feature_ids: &[String]) {
        let Some(previous) = self.generation.try_get_untracked() else {
            return; // unmounted
        };
        let shows_company = self
            .snapshot_untracked()
            .is_some_and(|s| s.company.is_some());
        if !shows_company
            || self.refreshing.get_untracked()
            || self.features_in_flight.get_untracked()
        {
            return self.refresh();
        }
        if feature_ids.is_empty() {
            return;
        }
        self.features_in_flight.set_untracked(true);
        let generation = previous + 1;
        self.generation.set_untracked(generation);
        let this = *self;
        let client = self.client();
        let feature_ids = feature_ids.to_vec();
        spawn_local(async move {
            let result = client.entitlements(&feature_ids).await;
            if this.generation.try_get_untracked() != Some(generation) {
                return; // a full read has started since, and covers these
            }
            this.features_in_flight.set_untracked(false);
            let read = match result {
                Ok(read) => read,
                Err(error) => return error.warn("portico: refresh failed:"),
            };
            // In place: between renders the state is the snapshot's only
            // holder. Were it not, copying it would cost more than the
            // whole re-render (and bring a deep clone of every wire type
            // into the bundle), so everything is read again instead.
            let merged = this.state.try_update_untracked(|state| match state {
                LoadState::Ready(shown) => Arc::get_mut(shown).map(|snapshot| {
                    for fresh in read.entitlements {
                        if let Some(slot) = snapshot
                            .entitlements
                            .iter_mut()
                            .find(|e| e.feature_id == fresh.feature_id)
                        {
                            *slot = fresh;
                        }
                    }
                }),
                _ => None,
            });
            if merged.flatten().is_some() {
                this.features_only.set_untracked(true);
                this.state.notify();
                performance_mark("portico:data");
            } else {
                this.refresh();
            }
        });
    }

    /// Whether the provider that made this context is still mounted (its
    /// states are disposed with it).
    fn is_mounted(&self) -> bool {
        self.generation.try_get_untracked().is_some()
    }

    /// The first read raced identify and found no company yet: read once
    /// more now that identify has created it (off the critical path).
    fn reread_once_after_identify(&self) {
        if !self.reread_after_identify.get_untracked() {
            self.reread_after_identify.set_untracked(true);
            self.refresh();
        }
    }

    fn identify(
        &self,
        user: &WorkosUser,
        organization: &WorkosOrganization,
        company_traits: Traits,
        user_traits: Traits,
    ) {
        let request = identify_request(user, organization, company_traits, user_traits);
        let this = *self;
        let client = self.client();
        send_now(async move {
            let result = client.identify(&request).await;
            if !this.is_mounted() {
                return; // the portal was unmounted while identify ran
            }
            match result {
                Ok(_) => {
                    this.identify_error.set(None);
                    this.identified.set(true);
                    let unknown = matches!(this.state.get_untracked(), LoadState::Ready(ref s) if s.company.is_none());
                    if unknown {
                        this.reread_once_after_identify();
                    }
                }
                Err(error) => {
                    error.warn("portico: identify failed:");
                    this.identify_error.set(Some(error));
                }
            }
        });
    }
}

/// Dispatches a `CustomEvent` named `name` from `target`; it bubbles and
/// crosses shadow roots (`composed`), so a host page can listen on the
/// element, on any ancestor, or on `document`.
pub fn emit(target: &web_sys::EventTarget, name: &str, detail: &wasm_bindgen::JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = target.dispatch_event(&event);
    }
}

/// The nearest provider's context, if any.
pub fn use_portal() -> Option<PortalContext> {
    use_context::<PortalContext>()
}

fn browser_language() -> Option<String> {
    web_sys::window()?.navigator().language()
}

/// Runs `request` (a future that sends a request, then waits for its
/// answer) now, up to its first wait, and then on the executor. Spawned
/// the usual way, a request asked for while the page renders would leave
/// only once the whole page has rendered, a few milliseconds later, when
/// the executor first polls it.
///
/// Polling first with a waker that does nothing is within the `Future`
/// contract: each poll hands a waker, and only the latest one is woken, so
/// the executor's own poll (which always comes) registers the real one.
/// Untracked, so that nothing the first part reads subscribes the
/// component being rendered.
pub(crate) fn send_now(request: impl std::future::Future<Output = ()> + 'static) {
    let mut request = Box::pin(request);
    let mut first = std::task::Context::from_waker(std::task::Waker::noop());
    if untrack(|| request.as_mut().poll(&mut first).is_pending()) {
        spawn_local(request);
    }
}

/// A `performance.mark` the benchmarks read back (`cargo xtask bench`).
pub(crate) fn performance_mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Provides portal data to the widgets inside it.
///
/// ```ignore
/// view! {
///     <PortalProvider api_base="https://billing.example.com" token=token user=user organization=org>
///         <Portal/>
///     </PortalProvider>
/// }
/// ```
#[component]
pub fn PortalProvider(
    /// Base URL of the Portico API, e.g. `https://billing.example.com`.
    #[prop(into)]
    api_base: String,
    /// A portal token, or an async source of them.
    #[prop(into)]
    token: TokenSource,
    /// The signed-in WorkOS user (AuthKit's `user`).
    user: WorkosUser,
    /// The WorkOS organization the user is signed in to.
    organization: WorkosOrganization,
    /// Extra traits sent with identify for the company.
    #[prop(optional)]
    company_traits: Traits,
    /// Extra traits sent with identify for the user.
    #[prop(optional)]
    user_traits: Traits,
    /// BCP 47 locale for text, numbers, money and dates; the browser's by
    /// default (text falls back to English).
    #[prop(optional, into)]
    locale: Option<String>,
    /// The widgets' text, e.g. `Strings::english().with_overrides(…)`;
    /// by default the shipped table for `locale`.
    #[prop(optional)]
    strings: Option<Strings>,
    /// `"light"` or `"dark"`; follows the system setting when absent.
    #[prop(optional, into)]
    theme: MaybeProp<String>,
    children: Children,
) -> impl IntoView {
    performance_mark("portico:mount");
    let locale = locale.or_else(browser_language);
    let strings = strings.unwrap_or_else(|| Strings::for_locale(locale.as_deref()));
    let context = PortalContext::new(
        PortalClient::new(api_base, token),
        strings,
        Formatter::new(locale),
    );
    provide_context(context);
    context.start(&user, &organization, company_traits, user_traits);
    // After the requests are out, so parsing the stylesheet overlaps the
    // network; still before anything renders, so nothing shows unstyled.
    style::inject();
    view! {
        <div
            class="portico"
            data-portico-root=""
            data-portico-theme=move || theme.get()
        >
            {children()}
        </div>
    }
}
