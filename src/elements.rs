//! The widgets for pages that are not Leptos apps: what `js/portico.js`
//! (the ES module hosts import) calls to run the custom elements.
//!
//! One [`PortalSession`] per page holds one client and one portal load for
//! the signed-in user and organization; every `<portico-…>` element mounts
//! its widget from that session into its own shadow root, so several
//! elements on a page cost one identify and one `GET /v1/portal`.

use std::rc::Rc;

use leptos::prelude::*;
use portico_types::{NameMap, Traits, WorkosOrganization, WorkosUser};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use crate::client::{ClientError, PortalClient, TokenSource};
use crate::format::Formatter;
use crate::i18n::Strings;
use crate::json::Value;
use crate::provider::{LoadState, PortalContext};
use crate::state::State;
use crate::widgets::dom::{self, effect, Live};
use crate::widgets::{
    cancel_subscription, entitlements, invoices, members, plan_picker, plan_view, portal,
    upcoming_bill,
};
use crate::wire::{field, field_aliased, object, FromJson, ToJs, WireError};

fn js_error(message: &str) -> JsError {
    JsError::new(message)
}

/// The organization as AuthKit hands it over: an id (`org_…`), or an object
/// with `id` and optionally `name`.
fn organization_from(value: &Value<'_>) -> Result<WorkosOrganization, WireError> {
    match value {
        Value::String(id) => Ok(WorkosOrganization {
            id: id.to_string(),
            name: None,
        }),
        _ => WorkosOrganization::from_json(value),
    }
}

/// What `createSession` takes (see `js/portico.d.ts`).
struct SessionConfig {
    api_base: String,
    token: Option<String>,
    get_token: Option<js_sys::Function>,
    user: WorkosUser,
    organization: WorkosOrganization,
    locale: Option<String>,
    strings: Option<NameMap<String>>,
    company_traits: Traits,
    user_traits: Traits,
}

fn read_config(options: &JsValue) -> Result<SessionConfig, WireError> {
    let get_token = js_sys::Reflect::get(options, &"getToken".into())
        .ok()
        .and_then(|f| f.dyn_into().ok());
    // The rest is plain data: read through its JSON text.
    let not_plain_data = |_| WireError::new("expected plain data besides getToken");
    let text = crate::json::text_of(options).map_err(not_plain_data)?;
    let value = &crate::json::parse_value(&text).map_err(not_plain_data)?;
    let organization = match value.get("organization") {
        Value::Null => value.get("organizationId"),
        organization => organization,
    };
    Ok(SessionConfig {
        api_base: field(value, "apiBase")?,
        token: field(value, "token")?,
        get_token,
        user: field(value, "user")?,
        organization: organization_from(organization).map_err(|e| e.at("organization"))?,
        locale: field(value, "locale")?,
        strings: field(value, "strings")?,
        company_traits: field_aliased::<Option<Traits>>(value, &["companyTraits"])?
            .unwrap_or_default(),
        user_traits: field_aliased::<Option<Traits>>(value, &["userTraits"])?.unwrap_or_default(),
    })
}

fn token_source(
    token: Option<String>,
    get_token: Option<js_sys::Function>,
) -> Result<TokenSource, JsError> {
    let Some(get_token) = get_token else {
        return token
            .map(TokenSource::Static)
            .ok_or_else(|| js_error("give a token or a getToken function"));
    };
    let get_token = Rc::new(get_token);
    let source = TokenSource::from_fn(move || {
        let get_token = get_token.clone();
        async move {
            let promise = get_token.call0(&JsValue::NULL).map_err(|e| describe(&e))?;
            let value = JsFuture::from(js_sys::Promise::resolve(&promise))
                .await
                .map_err(|e| describe(&e))?;
            value
                .as_string()
                .ok_or_else(|| "getToken must resolve to a string".to_owned())
        }
    });
    Ok(match token {
        Some(token) => source.with_initial(token),
        None => source,
    })
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the token source failed".to_owned())
}

/// One signed-in user in one organization, shared by every element on the
/// page.
#[wasm_bindgen]
pub struct PortalSession {
    owner: Owner,
    context: PortalContext,
    strings_base: Strings,
}

/// Starts a session: identifies the user and organization and loads the
/// portal data, once, for every element that mounts from it.
#[wasm_bindgen(js_name = createSession)]
pub fn create_session(config: JsValue) -> Result<PortalSession, JsError> {
    let config = read_config(&config).map_err(|e| js_error(&e.message()))?;
    let token = token_source(config.token, config.get_token)?;
    let base = Strings::for_locale(config.locale.as_deref());
    let strings = match &config.strings {
        Some(overrides) => base
            .clone()
            .with_overrides(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| js_error(&e.message()))?,
        None => base.clone(),
    };
    // Loading starts before any element mounts, so the task executor must
    // be running already (mounting would start it; a second start is a
    // harmless error).
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    let context = owner.with(|| {
        let context = PortalContext::new(
            PortalClient::new(config.api_base, token),
            strings,
            Formatter::new(config.locale),
        );
        provide_context(context);
        context.start(
            &config.user,
            &config.organization,
            config.company_traits,
            config.user_traits,
        );
        context
    });
    // After the requests are out: the tokens' parse overlaps the network.
    crate::style::inject_tokens();
    Ok(PortalSession {
        owner,
        context,
        strings_base: base,
    })
}

/// The CSS each element adopts in its shadow root.
#[wasm_bindgen]
pub fn stylesheet() -> String {
    crate::style::WIDGETS.to_owned()
}

/// A widget mounted in an element; `unmount` removes it.
#[wasm_bindgen]
pub struct MountedWidget {
    shown: Option<Shown>,
    theme: State<Option<String>>,
}

/// A mounted widget's root, what keeps it live, and its owner: dropping
/// it takes the root out of the page and stops it all.
struct Shown {
    root: Element,
    _live: Live,
    _owner: Owner,
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.root.remove();
    }
}

#[wasm_bindgen]
impl MountedWidget {
    pub fn unmount(&mut self) {
        self.shown.take();
    }

    /// `"light"`, `"dark"`, or nothing to follow the system.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(&self, theme: Option<String>) {
        self.theme.set(theme.filter(|t| !t.is_empty()));
    }
}

/// The widgets an element can show, by the name `mount` takes.
const WIDGETS: [&str; 9] = [
    "portal",
    "plan",
    "entitlements",
    "plans",
    "checkout",
    "upcoming-bill",
    "invoices",
    "members",
    "cancel-subscription",
];

/// Builds `widget`'s views (one of [`WIDGETS`]) under `root`.
fn build_widget(widget: &str, root: &Element, live: &mut Live) {
    let picker = |live: &mut Live| {
        let (cards, checkout) = plan_picker::build(Box::new(|| None));
        live.insert(root, None, cards);
        live.insert_some(root, checkout);
    };
    match widget {
        "portal" => live.insert(root, None, portal::build(Box::new(|| None))),
        "plan" => {
            live.insert(root, None, plan_view::build());
            live.insert_some(root, cancel_subscription::build());
        }
        "entitlements" => live.insert(root, None, entitlements::build()),
        "plans" => picker(live),
        // Every control that changes what the company pays for.
        "checkout" => {
            picker(live);
            live.insert_some(root, cancel_subscription::build());
        }
        "upcoming-bill" => live.insert(root, None, upcoming_bill::build()),
        "invoices" => live.insert(root, None, invoices::build()),
        "members" => live.insert(root, None, members::build()),
        _ => live.insert_some(root, cancel_subscription::build()),
    }
}

#[wasm_bindgen]
impl PortalSession {
    /// Renders `widget` (`portal`, `plan`, `entitlements`, `plans`,
    /// `upcoming-bill`, `invoices`, `members`, `cancel-subscription`) into
    /// `target`.
    pub fn mount(
        &self,
        target: web_sys::HtmlElement,
        widget: &str,
        theme: Option<String>,
    ) -> Result<MountedWidget, JsError> {
        if !WIDGETS.contains(&widget) {
            return Err(js_error(&["no widget named \"", widget, "\""].concat()));
        }
        // Built by hand (see `widgets::dom`), under an owner of the
        // widget's own that the session's disposal takes with it.
        let owner = self.owner.child();
        let (root, live, theme) = owner.with(|| {
            untrack(|| {
                let theme = State::new(theme.filter(|t| !t.is_empty()));
                let root = dom::plain("div");
                dom::set(&root, "class", "portico");
                dom::set(&root, "data-portico-root", "");
                let mut live = Live::default();
                live.bind({
                    let root = root.clone();
                    move || match theme.get() {
                        Some(theme) => dom::set(&root, "data-portico-theme", &theme),
                        None => dom::flag(&root, "data-portico-theme", false),
                    }
                });
                build_widget(widget, &root, &mut live);
                (root, live, theme)
            })
        });
        let _ = target.append_child(&root);
        Ok(MountedWidget {
            shown: Some(Shown {
                root,
                _live: live,
                _owner: owner,
            }),
            theme,
        })
    }

    /// Reads the portal data again (e.g. after the host changed something).
    pub fn refresh(&self) {
        self.context.refresh();
    }

    /// Reads only these features' entitlements again (e.g. after the host
    /// recorded usage of them); their rows update, nothing else is read.
    #[wasm_bindgen(js_name = refreshFeatures)]
    pub fn refresh_features(&self, feature_ids: JsValue) -> Result<(), JsError> {
        let feature_ids: Vec<String> = crate::json::read_js(&feature_ids).map_err(|e| {
            js_error(
                &[
                    "refresh: features must be a list of feature ids, e.g. [\"api_calls\"] (",
                    e.message(),
                    ")",
                ]
                .concat(),
            )
        })?;
        self.context.refresh_features(&feature_ids);
        Ok(())
    }

    /// Overrides messages by key (see the theming and text reference); an
    /// unknown key is an error and nothing changes.
    #[wasm_bindgen(js_name = setStrings)]
    pub fn set_strings(&self, overrides: JsValue) -> Result<(), JsError> {
        let overrides: NameMap<String> =
            crate::json::read_js(&overrides).map_err(|e| js_error(e.message()))?;
        let strings = self
            .strings_base
            .clone()
            .with_overrides(overrides.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .map_err(|e| js_error(&e.message()))?;
        self.context.set_strings(strings);
        Ok(())
    }

    /// Calls `callback(kind, detail)` when the portal data arrives
    /// (`"ready"`), cannot be loaded (`"error"`, stage `load`) or identify
    /// is refused (`"error"`, stage `identify`); the module turns these into
    /// `portico:ready` / `portico:error` events on every element.
    #[wasm_bindgen(js_name = onChange)]
    pub fn on_change(&self, callback: js_sys::Function) {
        let context = self.context;
        let identify_callback = callback.clone();
        self.owner.with(|| {
            effect(move || {
                let (kind, detail) = match context.state() {
                    LoadState::Loading => return,
                    LoadState::Ready(snapshot) => (
                        "ready",
                        object(&[
                            ("planId", snapshot.plan.id.to_js()),
                            ("planName", snapshot.plan.name.to_js()),
                            (
                                "status",
                                snapshot
                                    .subscription
                                    .as_ref()
                                    .map(|s| s.status.as_str().to_owned())
                                    .to_js(),
                            ),
                            (
                                "companyId",
                                snapshot.company.as_ref().map(|c| c.id.clone()).to_js(),
                            ),
                            (
                                "canManageBilling",
                                snapshot.viewer.can_manage_billing.to_js(),
                            ),
                        ]),
                    ),
                    LoadState::Failed(error) => ("error", error_detail(&error, "load")),
                };
                let _ = callback.call2(&JsValue::NULL, &JsValue::from_str(kind), &detail);
            });
            // A refused identify (say, the host named another organization
            // than the token's) leaves the token's own data on screen, so
            // it is reported on its own rather than as a failed load.
            effect(move || {
                if let Some(error) = context.identify_error() {
                    let detail = error_detail(&error, "identify");
                    let _ = identify_callback.call2(
                        &JsValue::NULL,
                        &JsValue::from_str("error"),
                        &detail,
                    );
                }
            });
        });
    }

    /// Ends the session: every widget mounted from it is removed.
    pub fn dispose(self) {
        drop(self.owner);
    }
}

/// The `detail` of `portico:error`.
fn error_detail(error: &ClientError, stage: &str) -> JsValue {
    object(&[
        ("stage", stage.to_owned().to_js()),
        ("kind", error.kind().to_owned().to_js()),
        ("code", error.code().map(|c| c.as_str().to_owned()).to_js()),
        ("message", error.message().to_js()),
    ])
}
