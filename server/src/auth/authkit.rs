//! WorkOS AuthKit access tokens: RS256 JWTs signed by WorkOS, verified
//! against the environment's JWKS.
//!
//! The order matters and is fixed: the header's `alg` must be exactly
//! `RS256` before any key is looked up (so `none`, `HS256` — including HMAC
//! keyed with the public key — and every other algorithm are refused without
//! touching a key), then the signature is checked, and only then are the
//! claims read: `exp`, `nbf` and `iat` with a small leeway, the issuer, and
//! the audience if one is configured.
//!
//! Claims used: `sub` (the WorkOS user id), `org_id` (the organization the
//! session is in), `role`, `roles`, `permissions`, `sid`, `jti`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portico_types::{validate_key_value, Timestamp, WORKOS_ORGANIZATION_ID, WORKOS_USER_ID};
use rsa::Pkcs1v15Sign;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::jwks::{JwksCache, KeyLookupError};

/// The longest access token accepted; WorkOS's are about 1 KB.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
const MAX_PERMISSIONS: usize = 256;
const MAX_SLUG_CHARS: usize = 128;

/// How AuthKit tokens are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthkitSettings {
    /// The WorkOS client id (`client_…`), if known.
    pub client_id: Option<String>,
    /// Where the signing keys are.
    pub jwks_url: String,
    /// Accepted `iss` values.
    pub issuers: Vec<String>,
    /// The required `aud`, if any (WorkOS session tokens carry none unless
    /// configured).
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    pub leeway_seconds: u32,
    /// The least time between two fetches of the JWKS.
    pub jwks_cooldown_seconds: u32,
}

impl AuthkitSettings {
    /// WorkOS's JWKS for a client id.
    pub fn default_jwks_url(client_id: &str) -> String {
        format!("https://api.workos.com/sso/jwks/{client_id}")
    }

    /// The issuer of AuthKit access tokens for a client id on WorkOS's own
    /// domain (a custom authentication domain issues under its own URL:
    /// configure it).
    pub fn default_issuer(client_id: &str) -> String {
        format!("https://api.workos.com/user_management/{client_id}")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthkitError {
    #[error(
        "this server does not accept WorkOS AuthKit access tokens (it has no AuthKit client id \
         configured); send a portal token instead"
    )]
    NotConfigured,
    #[error("the access token is malformed: {0}")]
    Malformed(&'static str),
    #[error("the access token is signed with {0:?}; only RS256 is accepted")]
    UnsupportedAlgorithm(String),
    #[error("the access token is signed with an unknown key (kid {0:?})")]
    UnknownKey(String),
    #[error("the access token cannot be checked now: {0}")]
    KeysUnavailable(String),
    #[error("the access token's signature is not valid")]
    BadSignature,
    #[error("the access token has expired; get a new one (AuthKit's getAccessToken())")]
    Expired,
    #[error("the access token is not valid yet")]
    NotYetValid,
    #[error("the access token was issued by {0:?}, which this server does not trust")]
    WrongIssuer(String),
    #[error("the access token is not meant for this server (audience)")]
    WrongAudience,
    #[error(
        "the access token has no organization (org_id): sign the user into an organization \
         to see its billing"
    )]
    NoOrganization,
}

/// The claims Portico reads from a verified access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthkitClaims {
    /// The WorkOS user id (`user_…`).
    pub sub: String,
    /// The organization the session is in (`org_…`), if any.
    pub org_id: Option<String>,
    pub role: Option<String>,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
    /// The session id (`session_…`).
    pub sid: Option<String>,
    pub jti: Option<String>,
    pub exp: i64,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    org_id: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    permissions: Vec<String>,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    jti: Option<String>,
}

#[derive(Debug)]
pub struct AuthkitVerifier {
    settings: AuthkitSettings,
    jwks: JwksCache,
}

fn decode_part(part: &str) -> Result<Vec<u8>, AuthkitError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthkitError::Malformed("a part is not base64url"))
}

fn slug_ok(slug: &str) -> bool {
    !slug.is_empty()
        && slug.chars().count() <= MAX_SLUG_CHARS
        && !slug.chars().any(char::is_control)
}

impl AuthkitVerifier {
    pub fn new(settings: AuthkitSettings) -> Self {
        let jwks = JwksCache::new(settings.jwks_url.clone(), settings.jwks_cooldown_seconds);
        AuthkitVerifier { settings, jwks }
    }

    pub fn settings(&self) -> &AuthkitSettings {
        &self.settings
    }

    /// How many times a fetch of the JWKS was attempted.
    pub async fn jwks_fetches(&self) -> u64 {
        self.jwks.fetches().await
    }

    pub async fn verify(&self, token: &str, now: Timestamp) -> Result<AuthkitClaims, AuthkitError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(AuthkitError::Malformed("too long"));
        }
        let malformed = || AuthkitError::Malformed("expected header.payload.signature");
        let (signing_input, signature) = token.rsplit_once('.').ok_or_else(malformed)?;
        let (header, payload) = signing_input.split_once('.').ok_or_else(malformed)?;
        if payload.contains('.') {
            return Err(malformed());
        }

        let header: Header = serde_json::from_slice(&decode_part(header)?)
            .map_err(|_| AuthkitError::Malformed("the header is not a JWT header"))?;
        // Before anything else: the algorithm is ours to choose, not the
        // token's.
        if header.alg != "RS256" {
            return Err(AuthkitError::UnsupportedAlgorithm(header.alg));
        }
        if header.crit.is_some() {
            return Err(AuthkitError::Malformed("unsupported critical header"));
        }
        let kid = header
            .kid
            .filter(|kid| !kid.is_empty() && kid.len() <= 256)
            .ok_or(AuthkitError::Malformed("the header names no key (kid)"))?;
        let signature = decode_part(signature)?;

        let key = self.jwks.key(&kid, now).await.map_err(|e| match e {
            KeyLookupError::UnknownKey(kid) => AuthkitError::UnknownKey(kid),
            KeyLookupError::Unavailable(e) => AuthkitError::KeysUnavailable(e.to_string()),
        })?;
        let digest = Sha256::digest(signing_input.as_bytes());
        key.verify(Pkcs1v15Sign::new::<Sha256>(), &digest, &signature)
            .map_err(|_| AuthkitError::BadSignature)?;

        // Signed by WorkOS from here on.
        let claims: RawClaims = serde_json::from_slice(&decode_part(payload)?)
            .map_err(|_| AuthkitError::Malformed("the claims are not JWT claims"))?;
        let leeway = i64::from(self.settings.leeway_seconds);
        let exp = claims.exp.ok_or(AuthkitError::Malformed("no exp"))?;
        if now.0 >= exp.saturating_add(leeway) {
            return Err(AuthkitError::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.0.saturating_add(leeway))
            || claims
                .iat
                .is_some_and(|iat| iat > now.0.saturating_add(leeway))
        {
            return Err(AuthkitError::NotYetValid);
        }
        let iss = claims.iss.unwrap_or_default();
        if !self.settings.issuers.iter().any(|trusted| trusted == &iss) {
            return Err(AuthkitError::WrongIssuer(iss));
        }
        if let Some(required) = &self.settings.audience {
            let ok = match &claims.aud {
                Some(Audience::One(aud)) => aud == required,
                Some(Audience::Many(auds)) => auds.iter().any(|aud| aud == required),
                None => false,
            };
            if !ok {
                return Err(AuthkitError::WrongAudience);
            }
        }
        let sub = claims.sub.ok_or(AuthkitError::Malformed("no sub"))?;
        validate_key_value(WORKOS_USER_ID, &sub)
            .map_err(|_| AuthkitError::Malformed("sub is not a user id"))?;
        if let Some(org_id) = &claims.org_id {
            validate_key_value(WORKOS_ORGANIZATION_ID, org_id)
                .map_err(|_| AuthkitError::Malformed("org_id is not an organization id"))?;
        }
        if claims.role.as_deref().is_some_and(|r| !slug_ok(r))
            || claims.roles.len() > MAX_PERMISSIONS
            || !claims.roles.iter().all(|r| slug_ok(r))
            || claims.permissions.len() > MAX_PERMISSIONS
            || !claims.permissions.iter().all(|p| slug_ok(p))
        {
            return Err(AuthkitError::Malformed("role or permissions out of bounds"));
        }
        Ok(AuthkitClaims {
            sub,
            org_id: claims.org_id,
            role: claims.role,
            roles: claims.roles,
            permissions: claims.permissions,
            sid: claims.sid,
            jti: claims.jti,
            exp,
        })
    }
}
