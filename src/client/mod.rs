//! The Portico API client: one method per endpoint, typed errors.
//!
//! The browser only ever holds a portal token (or asks the host's token
//! source for one); on a 401 from a token source it asks once for a fresh
//! token before giving up.

mod http;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures::future::{FutureExt, Shared};

use portico_types::{
    digits, ApiErrorBody, CheckoutPreview, CheckoutRequest, CheckoutResult, ConfirmCheckout,
    EntitlementsRead, ErrorCode, IdentifyAccepted, IdentifyRequest, InvoiceList, MemberList,
    PortalSnapshot, SubscriptionSummary,
};

/// How long a request may take before it is aborted.
const TIMEOUT_MS: i32 = 15_000;

type TokenFuture = Pin<Box<dyn Future<Output = Result<String, String>>>>;

/// Where the portal token comes from.
#[derive(Clone)]
pub enum TokenSource {
    /// A token the host already has.
    Static(String),
    /// An async function that asks the host's backend for a token: called
    /// on first use (unless the host already holds a token) and again,
    /// once, when the API says the token is no longer valid.
    Fetch {
        initial: Option<String>,
        fetch: Rc<dyn Fn() -> TokenFuture>,
    },
}

impl TokenSource {
    pub fn from_fn<F, Fut>(fetch: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<String, String>> + 'static,
    {
        TokenSource::Fetch {
            initial: None,
            fetch: Rc::new(move || Box::pin(fetch())),
        }
    }

    /// Starts from a token the host already has, and asks `fetch` for a new
    /// one when it expires.
    pub fn with_initial(self, token: impl Into<String>) -> Self {
        match self {
            TokenSource::Fetch { fetch, .. } => TokenSource::Fetch {
                initial: Some(token.into()),
                fetch,
            },
            TokenSource::Static(_) => TokenSource::Static(token.into()),
        }
    }
}

impl From<String> for TokenSource {
    fn from(token: String) -> Self {
        TokenSource::Static(token)
    }
}

impl From<&str> for TokenSource {
    fn from(token: &str) -> Self {
        TokenSource::Static(token.to_owned())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The request never got an HTTP answer (API down, offline, CORS).
    Network(String),
    /// No answer within the time limit; the request was aborted.
    Timeout,
    /// The API answered with an error.
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// The API answered with something that is not what it should be.
    Decode(String),
    /// The host's token source failed.
    Token(String),
    /// The caller aborted the request (a newer one replaced it).
    Aborted,
}

impl ClientError {
    /// The session is no longer valid (expired or rejected token).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, ClientError::Api { status: 401, .. })
    }

    /// The API's error code, if the API answered with an error.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The API's own message (already meant for people), if any.
    pub fn api_message(&self) -> Option<&str> {
        match self {
            ClientError::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// A stable name for the kind of failure, used as `data-error`.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Network(_) => "network",
            ClientError::Timeout => "timeout",
            ClientError::Api { status: 401, .. } => "unauthenticated",
            ClientError::Api { status: 403, .. } => "forbidden",
            ClientError::Api { .. } => "api",
            ClientError::Decode(_) => "decode",
            ClientError::Token(_) => "token",
            ClientError::Aborted => "aborted",
        }
    }
}

impl ClientError {
    /// A body that could not be written or read as JSON.
    fn decode(error: crate::json::JsonError) -> Self {
        ClientError::Decode(error.into_message())
    }

    /// What went wrong, for developers (the `message` of `portico:error`);
    /// people see the widgets' own texts instead.
    pub fn message(&self) -> String {
        match self {
            ClientError::Network(m) => ["network error: ", m].concat(),
            ClientError::Timeout => "the request timed out".to_owned(),
            ClientError::Api {
                status,
                code,
                message,
            } => [
                &digits::decimal((*status).into()),
                " ",
                code.as_str(),
                ": ",
                message,
            ]
            .concat(),
            ClientError::Decode(m) => ["unexpected response: ", m].concat(),
            ClientError::Token(m) => ["could not get a portal token: ", m].concat(),
            ClientError::Aborted => "the request was cancelled".to_owned(),
        }
    }

    /// Tells the page's developers, on the console, that something failed
    /// (`what`, e.g. `"portico: refresh failed:"`) while the widgets kept
    /// showing what they had: people see no error.
    pub fn warn(&self, what: &str) {
        web_sys::console::warn_2(&what.into(), &self.message().into());
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

pub struct PortalClient {
    api_base: String,
    token_source: TokenSource,
    tokens: RefCell<TokenCache>,
    /// Runs once, when the first request has gone out.
    on_first_request: Cell<Option<Box<dyn FnOnce()>>>,
}

/// The token in use, and the request for a new one if one is under way:
/// requests that need a token at the same moment share one fetch.
#[derive(Default)]
struct TokenCache {
    current: Option<String>,
    pending: Option<Shared<TokenFuture>>,
}

impl PortalClient {
    pub fn new(api_base: impl Into<String>, token_source: TokenSource) -> Self {
        let api_base = api_base.into().trim_end_matches('/').to_owned();
        let initial = match &token_source {
            TokenSource::Fetch { initial, .. } => initial.clone(),
            TokenSource::Static(_) => None,
        };
        PortalClient {
            api_base,
            token_source,
            tokens: RefCell::new(TokenCache {
                current: initial,
                pending: None,
            }),
            on_first_request: Cell::new(None),
        }
    }

    /// Runs `work` once the first request has gone out (after the token
    /// source, if any, has answered): work that can wait for the network
    /// without delaying what is sent.
    pub fn after_first_request(&self, work: impl FnOnce() + 'static) {
        self.on_first_request.set(Some(Box::new(work)));
    }

    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The token to use: the cached one unless it is `stale` (refused by
    /// the API), else a new one from the source, fetched once however many
    /// requests are waiting for it.
    async fn token(&self, stale: Option<&str>) -> Result<String, ClientError> {
        let fetch = match &self.token_source {
            TokenSource::Static(token) => return Ok(token.clone()),
            TokenSource::Fetch { fetch, .. } => fetch,
        };
        let pending = {
            let mut cache = self.tokens.borrow_mut();
            match &cache.current {
                Some(token) if Some(token.as_str()) != stale => return Ok(token.clone()),
                _ => {}
            }
            cache
                .pending
                .get_or_insert_with(|| (fetch)().shared())
                .clone()
        };
        let result = pending.await;
        let mut cache = self.tokens.borrow_mut();
        cache.pending = None;
        if let Ok(token) = &result {
            cache.current = Some(token.clone());
        }
        result.map_err(ClientError::Token)
    }

    async fn call<T: crate::wire::FromJson>(
        &self,
        method: &str,
        path: &str,
        body: Option<js_sys::JsString>,
    ) -> Result<T, ClientError> {
        let response = self.exchange(method, path, body, None, None).await?;
        decode(response.status, &response.body)
    }

    /// One request with the portal token, asking the token source once for
    /// a new token on a 401. Not generic, so the async machinery exists once
    /// in the bundle whatever the response type.
    async fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<js_sys::JsString>,
        idempotency_key: Option<&str>,
        controller: Option<web_sys::AbortController>,
    ) -> Result<http::HttpResponse, ClientError> {
        let url = [self.api_base.as_str(), path].concat();
        let mut token = self.token(None).await?;
        let mut retried = false;
        loop {
            let response = http::send(http::Exchange {
                method,
                url: &url,
                bearer: &token,
                body: body.as_ref(),
                idempotency_key,
                timeout_ms: TIMEOUT_MS,
                controller: controller.clone(),
                on_sent: self.on_first_request.take(),
            })
            .await?;
            if response.status == 401
                && !retried
                && matches!(self.token_source, TokenSource::Fetch { .. })
            {
                retried = true;
                token = self.token(Some(&token)).await?;
                continue;
            }
            return Ok(response);
        }
    }

    /// `POST /v1/identify`
    pub async fn identify(
        &self,
        request: &IdentifyRequest,
    ) -> Result<IdentifyAccepted, ClientError> {
        let body = crate::json::stringify(request).map_err(ClientError::decode)?;
        self.call("POST", "/v1/identify", Some(body)).await
    }

    /// `GET /v1/portal`
    pub async fn portal(&self) -> Result<PortalSnapshot, ClientError> {
        self.call("GET", "/v1/portal", None).await
    }

    /// `GET /v1/portal/entitlements?feature=…`: a few features' current
    /// state, e.g. after the host recorded usage of them.
    pub async fn entitlements(
        &self,
        feature_ids: &[String],
    ) -> Result<EntitlementsRead, ClientError> {
        let mut path = String::from("/v1/portal/entitlements");
        for (i, id) in feature_ids.iter().enumerate() {
            path.push(if i == 0 { '?' } else { '&' });
            path.push_str("feature=");
            path.push_str(&String::from(js_sys::encode_uri_component(id)));
        }
        self.call("GET", &path, None).await
    }

    /// `POST /v1/checkout/preview`; `controller` aborts it.
    pub async fn preview(
        &self,
        request: &CheckoutRequest,
        controller: Option<web_sys::AbortController>,
    ) -> Result<CheckoutPreview, ClientError> {
        let body = crate::json::stringify(request).map_err(ClientError::decode)?;
        let response = self
            .exchange("POST", "/v1/checkout/preview", Some(body), None, controller)
            .await?;
        decode(response.status, &response.body)
    }

    /// `POST /v1/checkout`; the same `idempotency_key` never charges twice.
    pub async fn checkout(
        &self,
        confirm: &ConfirmCheckout,
        idempotency_key: &str,
    ) -> Result<CheckoutResult, ClientError> {
        let body = crate::json::stringify(confirm).map_err(ClientError::decode)?;
        let response = self
            .exchange(
                "POST",
                "/v1/checkout",
                Some(body),
                Some(idempotency_key),
                None,
            )
            .await?;
        decode(response.status, &response.body)
    }

    /// `POST /v1/subscription/cancel` (at period end).
    pub async fn cancel(&self) -> Result<SubscriptionSummary, ClientError> {
        self.call("POST", "/v1/subscription/cancel", Some("{}".into()))
            .await
    }

    /// `POST /v1/subscription/resume`
    pub async fn resume(&self) -> Result<SubscriptionSummary, ClientError> {
        self.call("POST", "/v1/subscription/resume", Some("{}".into()))
            .await
    }

    /// `GET /v1/invoices`
    pub async fn invoices(&self) -> Result<InvoiceList, ClientError> {
        self.call("GET", "/v1/invoices", None).await
    }

    /// `GET /v1/members`: the company's members and seats (not part of
    /// `/v1/portal`, as the list can be long).
    pub async fn members(&self) -> Result<MemberList, ClientError> {
        self.call("GET", "/v1/members", None).await
    }
}

fn decode<T: crate::wire::FromJson>(status: u16, body: &[u8]) -> Result<T, ClientError> {
    let body = successful(status, body)?;
    crate::json::parse_str(&body).map_err(ClientError::decode)
}

/// A successful answer's text, or the API's error. Not generic: every
/// response type shares the error's reading.
#[inline(never)]
fn successful(status: u16, body: &[u8]) -> Result<std::borrow::Cow<'_, str>, ClientError> {
    let body = http::text_of(body);
    if (200..300).contains(&status) {
        return Ok(body);
    }
    match crate::json::parse_str::<ApiErrorBody>(&body) {
        Ok(error) => Err(ClientError::Api {
            status,
            code: error.error.code,
            message: error.error.message,
        }),
        Err(_) => Err(ClientError::Api {
            status,
            code: ErrorCode::Unknown,
            message: ["HTTP ", &digits::decimal(status.into())].concat(),
        }),
    }
}
