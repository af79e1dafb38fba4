//! The hostile-token suite: every way a browser (or someone pretending to be
//! one) might try to read or change what is not theirs, against the real
//! router and a real SQLite file. Each refusal is checked for its status,
//! a clear error body (code and message), and an unchanged database.
//!
//! AuthKit access tokens are signed here with the test-only RSA keys in
//! `tests/fixtures/` (generating keys in a debug build is slow) and their
//! JWKS is served by a small HTTP server on 127.0.0.1 inside each test.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use portico_server::auth::authkit::AuthkitSettings;
use portico_server::auth::rate_limit::RateLimitSettings;
use portico_server::auth::role_gate::RoleGate;
use portico_server::auth::{require_billing_manager, BillingManager};
use portico_server::clock::Clock;
use portico_server::error::ApiError;
use portico_server::extract::PortalAccess;
use portico_server::Settings;
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::{entitlement, error_code, Auth, Body2, TestApp};
use tower::ServiceExt;

const ORG_A: &str = "org_01AAAAAAAAAAAAAAAAAAAAAAAA";
const ORG_B: &str = "org_01BBBBBBBBBBBBBBBBBBBBBBBB";
const USER_A: &str = "user_01AAAAAAAAAAAAAAAAAAAAAA";
const USER_B: &str = "user_01BBBBBBBBBBBBBBBBBBBBBB";
const CLIENT_ID: &str = "client_01TESTTESTTESTTESTTESTTEST";
const ISSUER: &str = "https://api.workos.com/user_management/client_01TESTTESTTESTTESTTESTTEST";
const KID: &str = "sso_oidc_key_pair_01TEST";
const COOLDOWN: u32 = 60;

// ---------------------------------------------------------------- keys --

struct TestKeys {
    signing: RsaPrivateKey,
    other: RsaPrivateKey,
    public_pem: String,
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| TestKeys {
        signing: RsaPrivateKey::from_pkcs8_pem(&fixture("authkit_signing_key.pem")).unwrap(),
        other: RsaPrivateKey::from_pkcs8_pem(&fixture("other_signing_key.pem")).unwrap(),
        public_pem: fixture("authkit_signing_key.pub.pem"),
    })
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": b64(key.n().to_bytes_be()), "e": b64(key.e().to_bytes_be()),
        "x5t#S256": "ignored"
    })
}

/// `header.claims.signature`, RS256 with `key`.
fn sign_rs256(header: &Value, claims: &Value, key: &RsaPrivateKey) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let digest = Sha256::digest(input.as_bytes());
    let signature = key.sign(Pkcs1v15Sign::new::<Sha256>(), &digest).unwrap();
    format!("{input}.{}", b64(signature))
}

fn rs256_header(kid: &str) -> Value {
    json!({ "alg": "RS256", "typ": "JWT", "kid": kid })
}

/// Claims shaped like a WorkOS AuthKit access token's.
fn claims(app: &TestApp, org: Option<&str>, user: &str, role: Option<&str>) -> Value {
    let now = app.clock.now().0;
    let mut claims = json!({
        "iss": ISSUER, "sub": user, "sid": "session_01TEST", "jti": "01TESTJTI",
        "permissions": [], "iat": now, "exp": now + 300,
    });
    if let Some(org) = org {
        claims["org_id"] = json!(org);
    }
    if let Some(role) = role {
        claims["role"] = json!(role);
    }
    claims
}

fn access_token(app: &TestApp, org: Option<&str>, user: &str, role: Option<&str>) -> String {
    sign_rs256(
        &rs256_header(KID),
        &claims(app, org, user, role),
        &keys().signing,
    )
}

// ------------------------------------------------------- a JWKS server --

struct Jwks {
    url: String,
    hits: Arc<AtomicUsize>,
    document: Arc<Mutex<Value>>,
}

impl Jwks {
    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn serve(&self, document: Value) {
        *self.document.lock().unwrap() = document;
    }
}

async fn jwks_server(document: Value) -> Jwks {
    type Shared = (Arc<AtomicUsize>, Arc<Mutex<Value>>);
    async fn handler(State((hits, document)): State<Shared>) -> Json<Value> {
        hits.fetch_add(1, Ordering::SeqCst);
        Json(document.lock().unwrap().clone())
    }
    let hits = Arc::new(AtomicUsize::new(0));
    let document = Arc::new(Mutex::new(document));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/sso/jwks/{client}", get(handler))
        .with_state((hits.clone(), document.clone()));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Jwks {
        url: format!("http://{address}/sso/jwks/{CLIENT_ID}"),
        hits,
        document,
    }
}

fn authkit_settings(jwks_url: &str) -> AuthkitSettings {
    AuthkitSettings {
        client_id: Some(CLIENT_ID.into()),
        jwks_url: jwks_url.into(),
        issuers: vec![ISSUER.into()],
        audience: None,
        leeway_seconds: 30,
        jwks_cooldown_seconds: COOLDOWN,
    }
}

/// A server that accepts AuthKit tokens signed with the test key, plus
/// whatever `configure` changes.
async fn authkit_app(configure: impl FnOnce(&mut Settings)) -> (TestApp, Jwks) {
    let jwks = jwks_server(json!({ "keys": [jwk(&keys().signing, KID)] })).await;
    let url = jwks.url.clone();
    let app = TestApp::configured(false, move |settings| {
        settings.security.authkit = Some(authkit_settings(&url));
        configure(settings);
    })
    .await;
    (app, jwks)
}

// ------------------------------------------------------------ helpers --

/// The refusal has the status and code expected and a message that says
/// what happened.
#[track_caller]
fn assert_refused(
    (status, body): &(StatusCode, Value),
    expected: StatusCode,
    code: &str,
    says: &str,
) {
    assert_eq!(*status, expected, "{body}");
    assert_eq!(error_code(body), code, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.to_lowercase().contains(&says.to_lowercase()),
        "the message should say {says:?}: {message:?}"
    );
}

fn identify_body(org: &str, user: Option<(&str, &str)>) -> Value {
    let mut body =
        json!({ "company": { "keys": { "workos_organization_id": org }, "name": "Acme" } });
    if let Some((user, email)) = user {
        body["user"] = json!({ "keys": { "workos_user_id": user, "email": email }, "name": "Ada" });
    }
    body
}

/// Sends a request through the router and returns everything.
async fn send(router: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body.to_vec())
}

/// A browser endpoint that does nothing but authenticate, like the billing
/// endpoints built elsewhere: what the extractor alone refuses, every
/// browser endpoint refuses.
fn bare_browser_endpoint(app: &TestApp) -> Router {
    async fn accepted(_: PortalAccess) -> StatusCode {
        StatusCode::NO_CONTENT
    }
    Router::new()
        .route("/v1/bare", get(accepted).post(accepted))
        .with_state(app.state.clone())
}

/// Calls [`bare_browser_endpoint`] with `token`.
async fn call_bare(app: &TestApp, method: Method, token: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri("/v1/bare")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&bare_browser_endpoint(app), request).await;
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).unwrap()
    };
    (status, body)
}

/// A and B each identified, with usage on A.
async fn two_companies(app: &TestApp) {
    let token_a = app.token(ORG_A, Some(USER_A)).await;
    let token_b = app.token(ORG_B, Some(USER_B)).await;
    assert_eq!(
        app.identify(&token_a, ORG_A, "A Inc", USER_A, "a@a.test")
            .await
            .0,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.identify(&token_b, ORG_B, "B Inc", USER_B, "b@b.test")
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let (status, _) = app
        .post(
            "/v1/usage",
            Auth::Secret,
            json!({ "company": { "workos_organization_id": ORG_A }, "feature": "api_calls", "quantity": 500 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

// -------------------------------------------------- AuthKit: the good --

#[tokio::test]
async fn an_authkit_token_reads_and_identifies_its_own_organization() {
    let (app, jwks) = authkit_app(|_| {}).await;
    let token = access_token(&app, Some(ORG_A), USER_A, Some("admin"));

    let (status, body) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            identify_body(ORG_A, Some((USER_A, "ada@a.test"))),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(status, StatusCode::OK, "{snapshot}");
    assert_eq!(snapshot["company"]["keys"]["workos_organization_id"], ORG_A);
    assert_eq!(snapshot["user"]["keys"]["workos_user_id"], USER_A);
    assert_eq!(
        snapshot["viewer"],
        json!({ "can_manage_billing": true, "role": "admin" })
    );
    assert_eq!(jwks.hits(), 1, "the key set is fetched once and cached");
}

// ------------------------------------------------- AuthKit: the hostile --

#[tokio::test]
async fn expired_and_not_yet_valid_authkit_tokens_are_refused() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    let before = app.fingerprint().await;
    let now = app.clock.now().0;
    let body = identify_body(ORG_A, Some((USER_A, "ada@a.test")));
    let with = |changes: Value| {
        let mut c = claims(&app, Some(ORG_A), USER_A, None);
        for (k, v) in changes.as_object().unwrap() {
            c[k] = v.clone();
        }
        sign_rs256(&rs256_header(KID), &c, &keys().signing)
    };

    let expired = with(json!({ "iat": now - 600, "exp": now - 31 }));
    let refused = app
        .post("/v1/identify", Auth::Bearer(&expired), body.clone())
        .await;
    assert_refused(
        &refused,
        StatusCode::UNAUTHORIZED,
        "token_expired",
        "expired",
    );
    let refused = app.get("/v1/portal", Auth::Bearer(&expired)).await;
    assert_refused(
        &refused,
        StatusCode::UNAUTHORIZED,
        "token_expired",
        "expired",
    );

    let issued_later = with(json!({ "iat": now + 120 }));
    let refused = app
        .post("/v1/identify", Auth::Bearer(&issued_later), body.clone())
        .await;
    assert_refused(
        &refused,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "not valid yet",
    );
    let not_before = with(json!({ "nbf": now + 120 }));
    let refused = app.get("/v1/portal", Auth::Bearer(&not_before)).await;
    assert_refused(
        &refused,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "not valid yet",
    );
    let no_exp = with(json!({ "exp": null }));
    let refused = app.get("/v1/portal", Auth::Bearer(&no_exp)).await;
    assert_refused(&refused, StatusCode::UNAUTHORIZED, "unauthenticated", "exp");
    assert_eq!(app.fingerprint().await, before);

    // The leeway is small and both ways.
    let just_expired = with(json!({ "exp": now - 10 }));
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&just_expired)).await.0,
        StatusCode::OK
    );
    let skewed = with(json!({ "iat": now + 10, "nbf": now + 10 }));
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&skewed)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn wrong_signatures_and_tampered_claims_are_refused() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    two_companies(&app).await;
    let before = app.fingerprint().await;

    // Signed by someone else's key under WorkOS's key id.
    let forged = sign_rs256(
        &rs256_header(KID),
        &claims(&app, Some(ORG_A), USER_A, Some("admin")),
        &keys().other,
    );
    let refused = app.get("/v1/portal", Auth::Bearer(&forged)).await;
    assert_refused(
        &refused,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "signature",
    );

    // A genuine token for B with its claims rewritten to A.
    let genuine = access_token(&app, Some(ORG_B), USER_B, Some("member"));
    let parts: Vec<&str> = genuine.split('.').collect();
    let tampered_claims = claims(&app, Some(ORG_A), USER_B, Some("admin"));
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(tampered_claims.to_string()),
        parts[2]
    );
    for token in [&tampered] {
        let refused = app.get("/v1/portal", Auth::Bearer(token)).await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "signature",
        );
        let refused = app
            .post(
                "/v1/identify",
                Auth::Bearer(token),
                identify_body(ORG_A, Some((USER_B, "b@b.test"))),
            )
            .await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "signature",
        );
    }

    // A flipped bit in the signature; a signature cut short; none at all.
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    signature[10] ^= 1;
    let flipped = format!("{}.{}.{}", parts[0], parts[1], b64(&signature));
    let short = format!("{}.{}.{}", parts[0], parts[1], b64(&signature[..128]));
    let unsigned = format!("{}.{}.", parts[0], parts[1]);
    for token in [&flipped, &short, &unsigned] {
        let refused = app.get("/v1/portal", Auth::Bearer(token)).await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "signature",
        );
    }
    // Garbage shaped like a JWT.
    for token in ["a.b.c", "eyJ.eyJ.", "..", "e30.e30.e30", "!!.??.**"] {
        let refused = app.get("/v1/portal", Auth::Bearer(token)).await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "malformed",
        );
    }
    assert_eq!(app.fingerprint().await, before);
    // The genuine one still works: the refusals were about the changes.
    let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(&genuine)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(snapshot["company"]["name"], "B Inc");
}

#[tokio::test]
async fn alg_none_hs256_and_other_algorithms_are_refused_before_any_key_is_used() {
    let (app, jwks) = authkit_app(|_| {}).await;
    let before = app.fingerprint().await;
    let claims = claims(&app, Some(ORG_A), USER_A, Some("admin"));
    let unsigned_part = |alg: &str| {
        format!(
            "{}.{}",
            b64(json!({ "alg": alg, "typ": "JWT", "kid": KID }).to_string()),
            b64(claims.to_string())
        )
    };
    let hmac = |secret: &[u8], input: &str| {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        b64(mac.finalize().into_bytes())
    };

    let none = format!("{}.", unsigned_part("none"));
    let none_upper = format!("{}.", unsigned_part("NONE"));
    // The classic confusion: HMAC keyed with the RSA public key, which a
    // verifier that lets the token pick the algorithm would accept.
    let hs256_input = unsigned_part("HS256");
    let hs256_pem = format!(
        "{hs256_input}.{}",
        hmac(keys().public_pem.as_bytes(), &hs256_input)
    );
    let hs256_n = format!(
        "{hs256_input}.{}",
        hmac(&keys().signing.n().to_bytes_be(), &hs256_input)
    );
    // Properly RSA-signed, but under algorithm names that are not RS256.
    let rsa_signed = |alg: &str| {
        sign_rs256(
            &json!({ "alg": alg, "typ": "JWT", "kid": KID }),
            &claims,
            &keys().signing,
        )
    };
    let tokens = [
        (none, "\"none\""),
        (none_upper, "\"NONE\""),
        (hs256_pem, "\"HS256\""),
        (hs256_n, "\"HS256\""),
        (rsa_signed("RS384"), "\"RS384\""),
        (rsa_signed("PS256"), "\"PS256\""),
        (rsa_signed("rs256"), "\"rs256\""),
        (rsa_signed("ES256"), "\"ES256\""),
    ];
    for (token, alg) in &tokens {
        let refused = app.get("/v1/portal", Auth::Bearer(token)).await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "only RS256",
        );
        assert!(
            refused.1["error"]["message"]
                .as_str()
                .unwrap()
                .contains(alg),
            "{}",
            refused.1
        );
        let refused = app
            .post(
                "/v1/identify",
                Auth::Bearer(token),
                identify_body(ORG_A, Some((USER_A, "a@a.test"))),
            )
            .await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "only RS256",
        );
    }
    // No header at all, or one without `alg`.
    let no_alg = format!(
        "{}.{}.{}",
        b64(json!({ "kid": KID }).to_string()),
        b64(claims.to_string()),
        "AAAA"
    );
    assert_refused(
        &app.get("/v1/portal", Auth::Bearer(&no_alg)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "header",
    );
    assert_eq!(jwks.hits(), 0, "no key was fetched for any of them");
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_keys_once_then_is_refused() {
    let (app, jwks) = authkit_app(|_| {}).await;
    let good = access_token(&app, Some(ORG_A), USER_A, None);
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&good)).await.0,
        StatusCode::OK
    );
    assert_eq!(jwks.hits(), 1);
    let before = app.fingerprint().await;

    app.clock.advance(i64::from(COOLDOWN));
    let unknown = |kid: &str| {
        sign_rs256(
            &rs256_header(kid),
            &claims(&app, Some(ORG_A), USER_A, None),
            &keys().signing,
        )
    };
    let refused = app
        .post(
            "/v1/identify",
            Auth::Bearer(&unknown("kid_made_up_1")),
            identify_body(ORG_A, Some((USER_A, "a@a.test"))),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "unknown key",
    );
    assert_eq!(jwks.hits(), 2, "one refresh for the unknown kid");

    // Spraying more made-up kids fetches nothing until the cooldown is over.
    for i in 0..20 {
        let refused = app
            .get(
                "/v1/portal",
                Auth::Bearer(&unknown(&format!("kid_spray_{i}"))),
            )
            .await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "unknown key",
        );
    }
    assert_eq!(jwks.hits(), 2, "the cooldown holds");
    assert_eq!(app.fingerprint().await, before);
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&good)).await.0,
        StatusCode::OK,
        "known keys keep working meanwhile"
    );

    // WorkOS rotates: the new key is picked up on the first token that
    // names it once the cooldown allows a fetch.
    jwks.serve(json!({ "keys": [jwk(&keys().signing, KID), jwk(&keys().other, "kid_rotated")] }));
    app.clock.advance(i64::from(COOLDOWN));
    let rotated = sign_rs256(
        &rs256_header("kid_rotated"),
        &claims(&app, Some(ORG_A), USER_A, None),
        &keys().other,
    );
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&rotated)).await.0,
        StatusCode::OK
    );
    assert_eq!(jwks.hits(), 3);
}

#[tokio::test]
async fn weak_or_foreign_keys_in_the_jwks_are_not_used() {
    // A 2048-bit key listed for another algorithm, and the real key listed
    // as an encryption key: neither may verify a signature.
    let jwks = jwks_server(json!({ "keys": [
        { "kty": "RSA", "kid": "k_enc", "use": "enc", "n": b64(keys().signing.n().to_bytes_be()), "e": "AQAB" },
        { "kty": "RSA", "kid": "k_ps", "alg": "PS256", "n": b64(keys().signing.n().to_bytes_be()), "e": "AQAB" },
        { "kty": "RSA", "kid": "k_short", "n": b64([0xff_u8; 64]), "e": "AQAB" },
        { "kty": "oct", "kid": "k_oct", "k": b64(keys().public_pem.as_bytes()) }
    ] }))
    .await;
    let url = jwks.url.clone();
    let app = TestApp::configured(false, move |s| {
        s.security.authkit = Some(authkit_settings(&url));
    })
    .await;
    for kid in ["k_enc", "k_ps", "k_short", "k_oct"] {
        let token = sign_rs256(
            &rs256_header(kid),
            &claims(&app, Some(ORG_A), USER_A, None),
            &keys().signing,
        );
        let refused = app.get("/v1/portal", Auth::Bearer(&token)).await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "unknown key",
        );
    }
}

#[tokio::test]
async fn unreachable_keys_fail_closed() {
    // Nothing listens on this port once the listener is dropped.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/sso/jwks/{CLIENT_ID}",
        listener.local_addr().unwrap()
    );
    drop(listener);
    let app = TestApp::configured(false, move |s| {
        s.security.authkit = Some(authkit_settings(&url));
    })
    .await;
    let before = app.fingerprint().await;
    let token = access_token(&app, Some(ORG_A), USER_A, None);
    let refused = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            identify_body(ORG_A, Some((USER_A, "a@a.test"))),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::SERVICE_UNAVAILABLE,
        "internal",
        "signing keys",
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn the_issuer_and_a_configured_audience_are_checked() {
    let (app, _jwks) = authkit_app(|s| {
        if let Some(authkit) = &mut s.security.authkit {
            authkit.audience = Some("portico-api".into());
        }
    })
    .await;
    let mut c = claims(&app, Some(ORG_A), USER_A, None);
    c["aud"] = json!(["other", "portico-api"]);
    let good = sign_rs256(&rs256_header(KID), &c, &keys().signing);
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&good)).await.0,
        StatusCode::OK
    );

    c["aud"] = json!("someone-else");
    let wrong_audience = sign_rs256(&rs256_header(KID), &c, &keys().signing);
    assert_refused(
        &app.get("/v1/portal", Auth::Bearer(&wrong_audience)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "audience",
    );
    c["aud"] = json!("portico-api");
    c["iss"] = json!("https://evil.example.com");
    let wrong_issuer = sign_rs256(&rs256_header(KID), &c, &keys().signing);
    assert_refused(
        &app.get("/v1/portal", Auth::Bearer(&wrong_issuer)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "does not trust",
    );
}

#[tokio::test]
async fn an_authkit_token_without_an_organization_reads_no_company_data() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    two_companies(&app).await;
    let before = app.fingerprint().await;
    let token = access_token(&app, None, USER_A, None);
    assert_refused(
        &app.get("/v1/portal", Auth::Bearer(&token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "no organization (org_id)",
    );
    assert_refused(
        &app.post(
            "/v1/identify",
            Auth::Bearer(&token),
            identify_body(ORG_A, Some((USER_A, "a@a.test"))),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "org_id",
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn authkit_tokens_are_refused_where_authkit_is_not_configured() {
    let app = TestApp::new().await;
    let token = access_token(&app, Some(ORG_A), USER_A, None);
    assert_refused(
        &app.get("/v1/portal", Auth::Bearer(&token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "does not accept WorkOS AuthKit access tokens",
    );
}

// ------------------------------------------------------------- scopes --

#[tokio::test]
async fn another_organizations_token_is_refused_on_every_browser_endpoint() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    two_companies(&app).await;
    let portal_b = app.token(ORG_B, Some(USER_B)).await;
    let authkit_b = access_token(&app, Some(ORG_B), USER_B, Some("admin"));
    let before = app.fingerprint().await;

    for token in [&portal_b, &authkit_b] {
        // Reads: B's own data, never A's.
        let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(snapshot["company"]["name"], "B Inc");
        assert_eq!(entitlement(&snapshot, "api_calls")["usage"], 0);
        let (status, read) = app
            .get(
                "/v1/portal/entitlements?feature=api_calls",
                Auth::Bearer(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert_eq!(
            read["entitlements"][0]["usage"], 0,
            "B's usage, not A's 500"
        );

        // Writes naming A, A's user, or A with B's user.
        for body in [
            identify_body(ORG_A, Some((USER_B, "b@b.test"))),
            identify_body(ORG_A, Some((USER_A, "a@a.test"))),
            identify_body(ORG_B, Some((USER_A, "a@a.test"))),
            json!({ "company": { "keys": { "workos_organization_id": ORG_A } } }),
        ] {
            let refused = app.post("/v1/identify", Auth::Bearer(token), body).await;
            assert_refused(
                &refused,
                StatusCode::FORBIDDEN,
                "forbidden",
                "the token is for",
            );
        }
        assert_eq!(app.fingerprint().await, before);
    }
}

#[tokio::test]
async fn keys_that_resolve_to_another_record_are_refused() {
    let app = TestApp::new().await;
    two_companies(&app).await;
    // A also has a Stripe id; its user has an email.
    let (status, _) = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "workos_organization_id": ORG_A, "stripe_customer_id": "cus_A" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let before = app.fingerprint().await;

    // A brand-new organization's token, bringing A's Stripe id along: the
    // upsert would add the new org id to A and hand A's billing to C.
    let token_c = app
        .token("org_01CCCCCCCCCCCCCCCCCCCCCCCC", Some("user_01C"))
        .await;
    let refused = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token_c),
            json!({ "company": { "keys": {
                "workos_organization_id": "org_01CCCCCCCCCCCCCCCCCCCCCCCC",
                "stripe_customer_id": "cus_A"
            } } , "user": { "keys": { "workos_user_id": "user_01C" } } }),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::FORBIDDEN,
        "forbidden",
        "can only identify the company its token names",
    );
    // Same for users: a new user id claiming A's user by email.
    let refused = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token_c),
            json!({
                "company": { "keys": { "workos_organization_id": "org_01CCCCCCCCCCCCCCCCCCCCCCCC" } },
                "user": { "keys": { "workos_user_id": "user_01C", "email": "a@a.test" } }
            }),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::FORBIDDEN,
        "forbidden",
        "can only identify the user its token names",
    );
    // A token that names no user cannot write any user at all.
    let company_only = app.token(ORG_B, None).await;
    let refused = app
        .post(
            "/v1/identify",
            Auth::Bearer(&company_only),
            identify_body(ORG_B, Some((USER_A, "a@a.test"))),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::FORBIDDEN,
        "forbidden",
        "names no user",
    );
    // Keys split over two companies are a conflict, as before.
    let token_a = app.token(ORG_A, Some(USER_A)).await;
    let refused = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token_a),
            json!({ "company": { "keys": { "workos_organization_id": ORG_A, "stripe_customer_id": "cus_A" } },
                    "user": { "keys": { "workos_user_id": USER_A, "email": "b@b.test" } } }),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::CONFLICT,
        "conflicting_keys",
        "different users",
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_deleted_organization_is_refused_everywhere() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    two_companies(&app).await;
    let portal = app.token(ORG_A, Some(USER_A)).await;
    let authkit = access_token(&app, Some(ORG_A), USER_A, Some("admin"));
    let company_only = app.token(ORG_A, None).await;
    sqlx::query(
        "UPDATE companies SET deleted_at = ? WHERE id =
           (SELECT company_id FROM company_keys WHERE key_value = ?)",
    )
    .bind(app.clock.now().0)
    .bind(ORG_A)
    .execute(&app.db.writer)
    .await
    .unwrap();
    let before = app.fingerprint().await;

    for token in [&portal, &authkit, &company_only] {
        for path in ["/v1/portal", "/v1/portal/entitlements?feature=api_calls"] {
            assert_refused(
                &app.get(path, Auth::Bearer(token)).await,
                StatusCode::FORBIDDEN,
                "forbidden",
                "has been deleted",
            );
        }
        for method in [Method::GET, Method::POST] {
            assert_refused(
                &call_bare(&app, method, token).await,
                StatusCode::FORBIDDEN,
                "forbidden",
                "has been deleted",
            );
        }
        assert_refused(
            &app.post(
                "/v1/identify",
                Auth::Bearer(token),
                identify_body(ORG_A, Some((USER_A, "a@a.test"))),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "has been deleted",
        );
    }
    assert_eq!(app.fingerprint().await, before);
    // B is untouched.
    let token_b = app.token(ORG_B, Some(USER_B)).await;
    assert_eq!(
        app.get("/v1/portal", Auth::Bearer(&token_b)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_inactive_membership_or_a_deleted_user_is_refused_everywhere() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    two_companies(&app).await;
    let portal = app.token(ORG_A, Some(USER_A)).await;
    let authkit = access_token(&app, Some(ORG_A), USER_A, Some("admin"));
    sqlx::query("UPDATE memberships SET status = 'inactive'")
        .execute(&app.db.writer)
        .await
        .unwrap();
    let before = app.fingerprint().await;
    for token in [&portal, &authkit] {
        for path in ["/v1/portal", "/v1/portal/entitlements?feature=api_calls"] {
            assert_refused(
                &app.get(path, Auth::Bearer(token)).await,
                StatusCode::FORBIDDEN,
                "forbidden",
                "is inactive",
            );
        }
        assert_refused(
            &call_bare(&app, Method::POST, token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "is inactive",
        );
        assert_refused(
            &app.post(
                "/v1/identify",
                Auth::Bearer(token),
                identify_body(ORG_A, Some((USER_A, "a@a.test"))),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "is inactive",
        );
    }
    assert_eq!(app.fingerprint().await, before);

    sqlx::query("UPDATE memberships SET status = 'active'")
        .execute(&app.db.writer)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE users SET deleted_at = 1 WHERE id = (SELECT user_id FROM user_keys WHERE key_value = ?)",
    )
    .bind(USER_A)
    .execute(&app.db.writer)
    .await
    .unwrap();
    let before = app.fingerprint().await;
    for token in [&portal, &authkit] {
        assert_refused(
            &app.get("/v1/portal", Auth::Bearer(token)).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "user with workos_user_id",
        );
        assert_refused(
            &call_bare(&app, Method::POST, token).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "has been deleted",
        );
        assert_refused(
            &app.post(
                "/v1/identify",
                Auth::Bearer(token),
                identify_body(ORG_A, Some((USER_A, "a@a.test"))),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "has been deleted",
        );
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn a_portal_token_replayed_after_expiry_is_refused() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    let portal = app.token(ORG_A, Some(USER_A)).await;
    let authkit = access_token(&app, Some(ORG_A), USER_A, None);
    let body = identify_body(ORG_A, Some((USER_A, "a@a.test")));
    assert_eq!(
        app.post("/v1/identify", Auth::Bearer(&portal), body.clone())
            .await
            .0,
        StatusCode::ACCEPTED
    );
    let before = app.fingerprint().await;
    app.clock.advance(15 * 60);
    for token in [&portal, &authkit] {
        assert_refused(
            &app.post("/v1/identify", Auth::Bearer(token), body.clone())
                .await,
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "expired",
        );
        assert_refused(
            &app.get("/v1/portal", Auth::Bearer(token)).await,
            StatusCode::UNAUTHORIZED,
            "token_expired",
            "expired",
        );
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn tampered_portal_tokens_are_refused() {
    let app = TestApp::new().await;
    two_companies(&app).await;
    let before = app.fingerprint().await;
    let token = app.token(ORG_B, Some(USER_B)).await;
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(&signed[3..]).unwrap()).unwrap();
    for changed in [
        claims.replace(ORG_B, ORG_A),
        claims.replace(USER_B, USER_A),
        claims.replacen("\"exp\":", "\"exp\":9", 1),
        claims.replacen("\"jti\"", "\"role\":\"admin\",\"jti\"", 1),
    ] {
        assert_ne!(changed, claims);
        let forged = format!("pt_{}.{signature}", b64(&changed));
        assert_refused(
            &app.get("/v1/portal", Auth::Bearer(&forged)).await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "signature",
        );
        assert_refused(
            &app.post(
                "/v1/identify",
                Auth::Bearer(&forged),
                identify_body(ORG_A, Some((USER_A, "a@a.test"))),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "signature",
        );
    }
    assert_eq!(app.fingerprint().await, before);
}

// ------------------------------------------------- keys in the wrong place --

#[tokio::test]
async fn the_secret_key_is_refused_from_a_browser() {
    let app = TestApp::new().await;
    two_companies(&app).await;
    let before = app.fingerprint().await;
    assert_refused(
        &app.get("/v1/portal", Auth::Secret).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "never send the secret key from a browser",
    );
    assert_refused(
        &app.post(
            "/v1/identify",
            Auth::Secret,
            identify_body(ORG_A, Some((USER_A, "a@a.test"))),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "never send the secret key from a browser",
    );
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn browser_tokens_are_refused_on_every_server_endpoint() {
    let (app, _jwks) = authkit_app(|_| {}).await;
    two_companies(&app).await;
    let portal = app.token(ORG_A, Some(USER_A)).await;
    let authkit = access_token(&app, Some(ORG_A), USER_A, Some("admin"));
    let before = app.fingerprint().await;
    let endpoints = [
        (
            Method::POST,
            "/v1/portal-tokens",
            json!({ "company": { "name": "workos_organization_id", "value": ORG_B } }),
        ),
        (
            Method::PUT,
            "/v1/companies",
            json!({ "keys": { "workos_organization_id": ORG_B }, "name": "Mine now" }),
        ),
        (
            Method::PUT,
            "/v1/users",
            json!({ "keys": { "workos_user_id": USER_B }, "company": { "workos_organization_id": ORG_A } }),
        ),
        (
            Method::POST,
            "/v1/usage",
            json!({ "company": { "workos_organization_id": ORG_A }, "feature": "api_calls", "quantity": 1 }),
        ),
    ];
    for (token, says) in [
        (&portal, "not a portal token"),
        (&authkit, "not a browser access token"),
    ] {
        for (method, path, body) in &endpoints {
            let refused = app
                .call(
                    method.clone(),
                    path,
                    Auth::Bearer(token),
                    Body2::Json(body.clone()),
                )
                .await;
            assert_refused(&refused, StatusCode::FORBIDDEN, "forbidden", says);
        }
    }
    // A wrong secret key is not a secret key.
    for (method, path, body) in &endpoints {
        let refused = app
            .call(
                method.clone(),
                path,
                Auth::Bearer("sk_test_wrong_0000000000000000000"),
                Body2::Json(body.clone()),
            )
            .await;
        assert_refused(
            &refused,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "secret key is not valid",
        );
    }
    assert_eq!(app.fingerprint().await, before);
}

// ---------------------------------------------------------- bad bodies --

#[tokio::test]
async fn an_oversized_body_is_refused_on_every_write_endpoint() {
    let app = TestApp::new().await;
    two_companies(&app).await;
    let token = app.token(ORG_A, Some(USER_A)).await;
    let before = app.fingerprint().await;
    let huge = format!(
        "{{\"company\": {{\"keys\": {{\"workos_organization_id\": \"{ORG_A}\"}}, \"traits\": {{\"x\": \"{}\"}}}}}}",
        "x".repeat(70 * 1024)
    );
    for (method, path, auth) in [
        (Method::POST, "/v1/identify", Auth::Bearer(&token)),
        (Method::POST, "/v1/portal-tokens", Auth::Secret),
        (Method::PUT, "/v1/companies", Auth::Secret),
        (Method::PUT, "/v1/users", Auth::Secret),
        (Method::POST, "/v1/usage", Auth::Secret),
    ] {
        let refused = app
            .call(method, path, auth, Body2::Raw("application/json", &huge))
            .await;
        assert_refused(
            &refused,
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "too large",
        );
    }
    assert_eq!(app.fingerprint().await, before);
}

#[tokio::test]
async fn sql_looking_keys_names_and_traits_are_stored_verbatim_and_harmless() {
    let app = TestApp::new().await;
    let evil_org = "'; DROP TABLE companies; --";
    let evil_user = "x' OR '1'='1";
    let evil_name = "Robert'); DROP TABLE users;--";
    let traits = json!({ "plan'; DELETE FROM events; --": "1 OR 1=1", "note": "\"; UPDATE subscriptions SET plan_id='enterprise'; --" });

    let token = app.token(evil_org, Some(evil_user)).await;
    let (status, body) = app
        .post(
            "/v1/identify",
            Auth::Bearer(&token),
            json!({
                "company": { "keys": { "workos_organization_id": evil_org }, "name": evil_name, "traits": traits },
                "user": { "keys": { "workos_user_id": evil_user, "email": "bobby@tables.test" }, "name": evil_name }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, record) = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "workos_organization_id": evil_org, "crm_id": "1; DROP TABLE usage_events" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["name"], evil_name);
    assert_eq!(record["traits"], traits);
    assert_eq!(record["keys"]["crm_id"], "1; DROP TABLE usage_events");

    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(
        snapshot["company"]["keys"]["workos_organization_id"],
        evil_org
    );
    assert_eq!(snapshot["user"]["keys"]["workos_user_id"], evil_user);
    assert_eq!(snapshot["user"]["name"], evil_name);
    for table in [
        "companies",
        "users",
        "events",
        "usage_events",
        "subscriptions",
    ] {
        app.count(table).await; // still there
    }
    assert_eq!(
        (
            app.count("companies").await,
            app.count("users").await,
            app.count("events").await
        ),
        (1, 1, 1)
    );

    // Key names are identifiers: SQL in one is refused, nothing written.
    let before = app.fingerprint().await;
    let refused = app
        .put(
            "/v1/companies",
            Auth::Secret,
            json!({ "keys": { "id = id; DROP TABLE companies; --": "x" } }),
        )
        .await;
    assert_refused(
        &refused,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
        "may hold only lower-case letters",
    );
    assert_eq!(app.fingerprint().await, before);
}

// ---------------------------------------------------------- role gate --

async fn guarded_by_function(access: PortalAccess) -> Result<StatusCode, ApiError> {
    require_billing_manager(&access)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn guarded_by_extractor(_: BillingManager) -> StatusCode {
    StatusCode::NO_CONTENT
}

#[tokio::test]
async fn the_role_gate_sets_the_viewer_flags_and_the_guard_follows_them() {
    let (app, _jwks) = authkit_app(|s| {
        s.security.billing_gate =
            RoleGate::new(vec!["admin".into()], vec!["billing:manage".into()]);
    })
    .await;
    // What a billing endpoint looks like, both ways of guarding it.
    let billing = Router::new()
        .route("/v1/guarded/function", post(guarded_by_function))
        .route("/v1/guarded/extractor", post(guarded_by_extractor))
        .with_state(app.state.clone());

    let mint = |role: Option<&str>, permissions: &[&str]| {
        let mut body = json!({
            "company": { "name": "workos_organization_id", "value": ORG_A },
            "user": { "name": "workos_user_id", "value": USER_A },
            "permissions": permissions,
        });
        if let Some(role) = role {
            body["role"] = json!(role);
        }
        body
    };
    let mut cases = Vec::new();
    for (role, permissions, may) in [
        (Some("admin"), &[][..], true),
        (Some("member"), &[][..], false),
        (Some("member"), &["billing:manage"][..], true),
        (None, &[][..], false),
    ] {
        let (status, token) = app
            .post("/v1/portal-tokens", Auth::Secret, mint(role, permissions))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{token}");
        cases.push((token["token"].as_str().unwrap().to_owned(), role, may));
    }
    cases.push((
        access_token(&app, Some(ORG_A), USER_A, Some("admin")),
        Some("admin"),
        true,
    ));
    cases.push((
        access_token(&app, Some(ORG_A), USER_A, Some("member")),
        Some("member"),
        false,
    ));
    let mut with_permission = claims(&app, Some(ORG_A), USER_A, Some("viewer"));
    with_permission["permissions"] = json!(["billing:manage"]);
    cases.push((
        sign_rs256(&rs256_header(KID), &with_permission, &keys().signing),
        Some("viewer"),
        true,
    ));
    let mut with_roles = claims(&app, Some(ORG_A), USER_A, Some("member"));
    with_roles["roles"] = json!(["member", "admin"]);
    cases.push((
        sign_rs256(&rs256_header(KID), &with_roles, &keys().signing),
        Some("member"),
        true,
    ));

    for (token, role, may) in &cases {
        let (status, snapshot) = app.get("/v1/portal", Auth::Bearer(token)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            snapshot["viewer"]["can_manage_billing"], *may,
            "{role:?}: {snapshot}"
        );
        assert_eq!(snapshot["viewer"]["role"], json!(role));

        for path in ["/v1/guarded/function", "/v1/guarded/extractor"] {
            let request = Request::post(path)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let (status, _, body) = send(&billing, request).await;
            if *may {
                assert_eq!(status, StatusCode::NO_CONTENT, "{role:?} on {path}");
            } else {
                let body: Value = serde_json::from_slice(&body).unwrap();
                assert_refused(
                    &(status, body),
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "needs the role admin, or the permission billing:manage",
                );
            }
        }
    }
}

#[tokio::test]
async fn without_a_role_gate_every_viewer_may_manage_billing() {
    let app = TestApp::new().await;
    let token = app.token(ORG_A, Some(USER_A)).await;
    let (_, snapshot) = app.get("/v1/portal", Auth::Bearer(&token)).await;
    assert_eq!(snapshot["viewer"], json!({ "can_manage_billing": true }));
}

// --------------------------------------------------------- rate limits --

#[tokio::test]
async fn browser_writes_are_rate_limited_per_scope() {
    let app = TestApp::configured(false, |s| {
        s.security.write_rate_limit = RateLimitSettings {
            max_requests: 3,
            window_seconds: 60,
        };
    })
    .await;
    let token = app.token(ORG_A, Some(USER_A)).await;
    let body = identify_body(ORG_A, Some((USER_A, "a@a.test")));
    for _ in 0..3 {
        assert_eq!(
            app.post("/v1/identify", Auth::Bearer(&token), body.clone())
                .await
                .0,
            StatusCode::ACCEPTED
        );
    }
    let before = app.fingerprint().await;
    let request = || {
        Request::post("/v1/identify")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    app.clock.advance(20);
    let (status, headers, bytes) = send(&app.router, request()).await;
    let refused: Value = serde_json::from_slice(&bytes).unwrap();
    assert_refused(
        &(status, refused),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "try again in 40 seconds",
    );
    assert_eq!(headers[header::RETRY_AFTER], "40");
    assert_eq!(app.fingerprint().await, before);

    // A fresh token for the same person shares the budget; someone else's
    // scope and reads are not limited.
    let fresh = app.token(ORG_A, Some(USER_A)).await;
    assert_eq!(
        app.post("/v1/identify", Auth::Bearer(&fresh), body.clone())
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_refused(
        &call_bare(&app, Method::POST, &fresh).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "too many changes",
    );
    let other = app.token(ORG_B, Some(USER_B)).await;
    assert_eq!(
        app.identify(&other, ORG_B, "B", USER_B, "b@b.test").await.0,
        StatusCode::ACCEPTED
    );
    for _ in 0..5 {
        assert_eq!(
            app.get("/v1/portal", Auth::Bearer(&token)).await.0,
            StatusCode::OK
        );
    }

    // After the window, writes are allowed again.
    app.clock.advance(40);
    let (status, _, _) = send(&app.router, request()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

// --------------------------------------------------------------- CORS --

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/v1/portal")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn cors_grants_only_the_listed_origins_and_never_credentials() {
    let app = TestApp::new().await;
    let (_, headers, _) = send(&app.router, preflight("https://app.example.com")).await;
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example.com"
    );
    assert!(headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());

    for stranger in [
        "https://evil.example.com",
        "https://app.example.com.evil.test",
        "http://app.example.com",
        "null",
    ] {
        let (_, headers, _) = send(&app.router, preflight(stranger)).await;
        assert!(
            headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{stranger} got a grant"
        );
        let token = app.token(ORG_A, None).await;
        let request = Request::get("/v1/portal")
            .header(header::ORIGIN, stranger)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let (_, headers, _) = send(&app.router, request).await;
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }

    // A listed origin's actual request: granted, and the widget may read
    // Retry-After when told to slow down.
    let token = app.token(ORG_A, None).await;
    let request = Request::get("/v1/portal")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = send(&app.router, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example.com"
    );
    assert_eq!(
        headers[header::ACCESS_CONTROL_EXPOSE_HEADERS],
        "retry-after"
    );
    assert!(headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());

    // Demo mode allows any origin, and so never credentials.
    let demo = TestApp::demo().await;
    let (_, headers, _) = send(&demo.router, preflight("https://anywhere.test")).await;
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());
}

// ------------------------------------------------------------ headers --

const INLINE_LOADER: &str = "\nimport init from '/portico-abc123.js';\nawait init({ module_or_path: '/portico-abc123_bg.wasm' });\n";

#[tokio::test]
async fn served_pages_and_api_responses_carry_security_headers() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        format!(
            "<!DOCTYPE html><html><head><link rel=\"modulepreload\" href=\"/portico-abc123.js\">\
             <script type=\"module\">{INLINE_LOADER}</script></head><body></body></html>"
        ),
    )
    .unwrap();
    std::fs::write(site.path().join("portico-abc123.js"), "export default 1;").unwrap();
    let dir = site.path().to_owned();
    let app = TestApp::configured(false, move |s| s.serve_dir = Some(dir)).await;
    let loader_hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE_LOADER))
    );

    for path in ["/", "/portico-abc123.js", "/some/client/route"] {
        let (status, headers, _) =
            send(&app.router, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert_eq!(
            script_src,
            format!("script-src 'self' 'wasm-unsafe-eval' {loader_hash}"),
            "the inline loader may run by hash, and nothing else inline"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    }

    // API responses: nosniff everywhere, and never cached.
    let token = app.token(ORG_A, None).await;
    for (path, auth, cache) in [
        ("/v1/health", None, "no-store"),
        ("/v1/portal", Some(&token), "private, no-store"),
        ("/v1/portal", None, "no-store"),
        ("/v1/nothing-here", None, "no-store"),
    ] {
        let mut request = Request::get(path);
        if let Some(token) = auth {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (_, headers, _) = send(&app.router, request.body(Body::empty()).unwrap()).await;
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::CACHE_CONTROL], cache, "{path}");
        assert!(headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'"));
    }
    let (status, body) = app
        .post(
            "/v1/portal-tokens",
            Auth::Secret,
            json!({ "company": { "name": "workos_organization_id", "value": ORG_A } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_configured_policy_replaces_the_default_and_keeps_the_loader_hash() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("index.html"),
        format!("<script type=\"module\">{INLINE_LOADER}</script>"),
    )
    .unwrap();
    let dir = site.path().to_owned();
    let app = TestApp::configured(false, move |s| {
        s.serve_dir = Some(dir);
        s.security.content_security_policy =
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors https://host.example.com".into();
    })
    .await;
    let (_, headers, _) = send(&app.router, Request::get("/").body(Body::empty()).unwrap()).await;
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
    assert!(csp.ends_with("frame-ancestors https://host.example.com"));
    assert!(
        headers.get(header::X_FRAME_OPTIONS).is_none(),
        "X-Frame-Options cannot name a framer, so it is left out"
    );
}
