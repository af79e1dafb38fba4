//! The demo host: "Skyline", a pretend SaaS app whose user has signed in
//! with WorkOS. It does what a real host does (knows the WorkOS user and
//! organization, gets a portal token from its backend) and drops the Portico
//! portal into its billing page. Its "backend" is the demo server's
//! demo-only token endpoint; the account picker stands in for signing in as
//! one of the seeded WorkOS users.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico::{Entitlements, Portal, PortalProvider, TokenSource};
use portico_types::{DemoAccount, DemoTokenRequest, PortalToken, WorkosOrganization, WorkosUser};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn main() {
    match query_param("bench-token") {
        Some(token) => leptos::mount::mount_to_body(move || bench_page(token)),
        None => leptos::mount::mount_to_body(App),
    }
}

/// Bench-only, for `cargo xtask bench` (not a feature of the demo):
/// `?bench-token=pt_…&bench-org=org_…&bench-user=user_…&bench-email=…`
/// mounts the portal at once with that portal token, against a server run
/// with `--catalog` (no demo endpoints, no host chrome): `<Entitlements/>`
/// alone, or the whole `<Portal/>` with `&bench-view=portal`. The page
/// exposes `window.porticoBenchRefresh()`, which reloads the portal data,
/// so the bench can time a usage update (there is no JS API for it yet).
fn bench_page(token: String) -> impl IntoView {
    let user = WorkosUser {
        id: query_param("bench-user").unwrap_or_default(),
        email: query_param("bench-email").unwrap_or_default(),
        first_name: None,
        last_name: None,
        email_verified: true,
    };
    let organization = WorkosOrganization {
        id: query_param("bench-org").unwrap_or_default(),
        name: None,
    };
    let whole_portal = query_param("bench-view").as_deref() == Some("portal");
    view! {
        <PortalProvider api_base=api_base() token=TokenSource::from(token) user=user organization=organization>
            <BenchRefreshHook/>
            {if whole_portal { view! { <Portal/> }.into_any() } else { view! { <Entitlements/> }.into_any() }}
        </PortalProvider>
    }
}

/// `window.porticoBenchRefresh()` and `porticoBenchRefreshFeature(id)`:
/// the bench page's handles on the provider's two refreshes.
#[component]
fn BenchRefreshHook() -> impl IntoView {
    if let (Some(portal), Some(window)) = (portico::use_portal(), web_sys::window()) {
        let refresh = Closure::<dyn Fn()>::new(move || portal.refresh());
        let _ = js_sys::Reflect::set(&window, &"porticoBenchRefresh".into(), refresh.as_ref());
        let refresh_feature =
            Closure::<dyn Fn(String)>::new(move |id: String| portal.refresh_features(&[id]));
        let _ = js_sys::Reflect::set(
            &window,
            &"porticoBenchRefreshFeature".into(),
            refresh_feature.as_ref(),
        );
        // Both live as long as the page.
        refresh.forget();
        refresh_feature.forget();
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Session {
    account: DemoAccount,
    token: String,
}

fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The API lives where the page came from, unless `?api=` says otherwise
/// (e.g. when the page is served by `trunk serve`).
fn api_base() -> String {
    query_param("api")
        .or_else(|| web_sys::window().and_then(|w| w.location().origin().ok()))
        .unwrap_or_default()
}

async fn request<T: portico::wire::FromJson>(
    method: &str,
    url: &str,
    body: Option<js_sys::JsString>,
) -> Result<T, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        let headers = web_sys::Headers::new().map_err(|_| "headers")?;
        headers
            .set("Content-Type", "application/json")
            .map_err(|_| "headers")?;
        init.set_headers(&headers);
        init.set_body(&body);
    }
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| format!("cannot reach {url}"))?
        .dyn_into()
        .map_err(|_| "not a response")?;
    let text: js_sys::JsString = JsFuture::from(response.text().map_err(|_| "no body")?)
        .await
        .map_err(|_| "cannot read the response")?
        .dyn_into()
        .map_err(|_| "the response is not text")?;
    if !response.ok() {
        return Err(format!("{url} answered {}: {text}", response.status()));
    }
    portico::json::parse(&text).map_err(|e| format!("unexpected answer from {url}: {e}"))
}

/// What the host's backend would do with its secret key.
async fn portal_token(api: String, account: DemoAccount) -> Result<String, String> {
    let body = DemoTokenRequest {
        organization_id: account.organization.id,
        user_id: account.user.id,
    };
    let body = portico::json::stringify(&body).map_err(|e| e.to_string())?;
    let token: PortalToken =
        request("POST", &format!("{api}/v1/demo/portal-tokens"), Some(body)).await?;
    Ok(token.token)
}

fn initials(account: &DemoAccount) -> String {
    [
        account.user.first_name.as_deref(),
        account.user.last_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|name| name.chars().next())
    .collect()
}

#[component]
fn App() -> impl IntoView {
    let api = api_base();
    let accounts = RwSignal::new(Vec::<DemoAccount>::new());
    let session = RwSignal::new(None::<Session>);
    let problem = RwSignal::new(None::<String>);
    let theme = RwSignal::new(query_param("theme").unwrap_or_else(|| "system".to_owned()));
    // The host app follows the chosen theme too, as a real app would.
    Effect::new(move |_| {
        let scheme = match theme.get().as_str() {
            "light" => "light",
            "dark" => "dark",
            _ => "light dark",
        };
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.set_attribute("style", &format!("color-scheme: {scheme}"));
        }
    });

    let sign_in = {
        let api = api.clone();
        move |account: DemoAccount| {
            let api = api.clone();
            spawn_local(async move {
                match portal_token(api, account.clone()).await {
                    Ok(token) => {
                        problem.set(None);
                        session.set(Some(Session { account, token }));
                    }
                    Err(error) => problem.set(Some(error)),
                }
            });
        }
    };

    {
        let api = api.clone();
        let sign_in = sign_in.clone();
        spawn_local(async move {
            match request::<Vec<DemoAccount>>("GET", &format!("{api}/v1/demo/accounts"), None).await {
                Ok(list) => {
                    let wanted = query_param("org");
                    let first = list
                        .iter()
                        .find(|a| Some(&a.organization.id) == wanted.as_ref())
                        .or(list.first())
                        .cloned();
                    accounts.set(list);
                    if let Some(account) = first {
                        sign_in(account);
                    }
                }
                Err(error) => problem.set(Some(format!(
                    "{error}. Start the demo with `cargo xtask demo` (the server must run with --demo)."
                ))),
            }
        });
    }

    let on_pick = move |ev: leptos::ev::Event| {
        let id = event_target_value(&ev);
        if let Some(account) = accounts
            .get_untracked()
            .into_iter()
            .find(|a| a.organization.id == id)
        {
            sign_in(account);
        }
    };

    let portal = move || {
        session.get().map(|Session { account, token }| {
            let api = api.clone();
            let refresh_account = account.clone();
            let token =
                TokenSource::from_fn(move || portal_token(api.clone(), refresh_account.clone()))
                    .with_initial(token);
            let theme = Signal::derive(move || Some(theme.get()).filter(|t| t != "system"));
            view! {
                <p class="signed-in" data-testid="signed-in">
                    "Signed in with WorkOS as "
                    <strong>{account.user.display_name()}</strong>
                    " (" {account.user.email.clone()} ") in "
                    <strong>{account.organization.name.clone()}</strong>
                    " · " <code>{account.organization.id.clone()}</code>
                </p>
                <PortalProvider
                    api_base=api_base()
                    token=token
                    user=account.user.clone()
                    organization=account.organization.clone()
                    theme=theme
                >
                    <Portal contact_sales_url="mailto:sales@skyline.test"/>
                </PortalProvider>
            }
        })
    };

    view! {
        <div class="app">
            <header class="topbar">
                <span class="logo">"◆ Skyline"</span>
                <nav aria-label="Main">
                    <a href="#">"Dashboard"</a>
                    <a href="#">"Projects"</a>
                    <a href="#" aria-current="page">"Billing"</a>
                </nav>
                <div class="account">
                    <label>
                        <span class="label">"Signed in as"</span>
                        <select on:change=on_pick data-testid="account-picker">
                            {move || {
                                let current = session.get().map(|s| s.account.organization.id);
                                accounts
                                    .get()
                                    .into_iter()
                                    .map(|a| {
                                        let selected = current.as_ref() == Some(&a.organization.id);
                                        view! {
                                            <option value=a.organization.id.clone() selected=selected>
                                                {format!(
                                                    "{} · {} ({})",
                                                    a.user.display_name().unwrap_or_else(|| a.user.email.clone()),
                                                    a.organization.name.clone().unwrap_or_default(),
                                                    a.plan_name,
                                                )}
                                            </option>
                                        }
                                    })
                                    .collect::<Vec<_>>()
                            }}
                        </select>
                    </label>
                    <label>
                        <span class="label">"Theme"</span>
                        <select on:change=move |ev| theme.set(event_target_value(&ev)) prop:value=move || theme.get()>
                            <option value="system">"System"</option>
                            <option value="light">"Light"</option>
                            <option value="dark">"Dark"</option>
                        </select>
                    </label>
                    <span class="avatar" aria-hidden="true">
                        {move || session.get().map(|s| initials(&s.account)).unwrap_or_default()}
                    </span>
                </div>
            </header>
            <main>
                <h1>"Billing"</h1>
                {move || problem.get().map(|p| view! { <p class="problem" role="alert">{p}</p> })}
                {portal}
            </main>
        </div>
    }
}
