//! The WorkOS signing keys (a JSON Web Key Set), fetched over HTTPS and
//! cached.
//!
//! Keys are fetched on first use, then again only when a token names a key
//! id (`kid`) the cache does not hold (WorkOS rotated its keys) or the cache
//! is older than [`MAX_KEY_AGE_SECONDS`] (a key was withdrawn). Fetches are
//! at most one per cooldown, and one at a time: a caller spraying made-up
//! `kid`s gets a quick 401, not a fetch each.
//!
//! Only RSA signing keys of 2048 to 4096 bits are kept; anything else in the
//! set is skipped.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portico_types::Timestamp;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;

/// Keys older than this are re-fetched (cooldown permitting) before use, so
/// a key WorkOS withdraws stops being accepted within the hour.
pub const MAX_KEY_AGE_SECONDS: i64 = 60 * 60;
/// The JWKS is a few kilobytes; refuse to read more than this.
const MAX_JWKS_BYTES: usize = 256 * 1024;
const MAX_KEYS: usize = 32;
const MIN_KEY_BITS: usize = 2048;
const MAX_KEY_BITS: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("fetching the JWKS failed: {0}")]
    Fetch(String),
    #[error("the JWKS endpoint answered {0}")]
    Status(u16),
    #[error("the JWKS is larger than {MAX_JWKS_BYTES} bytes")]
    TooLarge,
    #[error("the JWKS is not a JSON key set: {0}")]
    Malformed(String),
}

/// Why no key could be found for a `kid`.
#[derive(Debug, thiserror::Error)]
pub enum KeyLookupError {
    #[error("no WorkOS signing key has the id {0:?}")]
    UnknownKey(String),
    #[error("the WorkOS signing keys are unavailable: {0}")]
    Unavailable(#[source] JwksError),
}

#[derive(Default)]
struct KeySet {
    keys: HashMap<String, Arc<RsaPublicKey>>,
    fetched_at: Option<i64>,
}

#[derive(Default)]
struct RefreshState {
    last_attempt: Option<i64>,
    last_error: Option<String>,
    fetches: u64,
}

pub struct JwksCache {
    url: String,
    cooldown_seconds: i64,
    client: tokio::sync::OnceCell<reqwest::Client>,
    /// Read on every request; written only after a fetch.
    keys: RwLock<KeySet>,
    /// Held while fetching, so concurrent misses make one fetch.
    refresh: tokio::sync::Mutex<RefreshState>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .field("cooldown_seconds", &self.cooldown_seconds)
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    pub fn new(url: impl Into<String>, cooldown_seconds: u32) -> Self {
        JwksCache {
            url: url.into(),
            cooldown_seconds: i64::from(cooldown_seconds),
            client: tokio::sync::OnceCell::new(),
            keys: RwLock::new(KeySet::default()),
            refresh: tokio::sync::Mutex::new(RefreshState::default()),
        }
    }

    /// How many times a fetch of the key set was attempted (tests, logs).
    pub async fn fetches(&self) -> u64 {
        self.refresh.lock().await.fetches
    }

    fn cached(&self, kid: &str, now: Timestamp, require_fresh: bool) -> Option<Arc<RsaPublicKey>> {
        let set = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let fresh = set
            .fetched_at
            .is_some_and(|at| now.0 - at < MAX_KEY_AGE_SECONDS);
        if require_fresh && !fresh {
            return None;
        }
        set.keys.get(kid).cloned()
    }

    /// The public key with id `kid`, fetching the key set if it is unknown
    /// or stale and the cooldown allows.
    pub async fn key(
        &self,
        kid: &str,
        now: Timestamp,
    ) -> Result<Arc<RsaPublicKey>, KeyLookupError> {
        if let Some(key) = self.cached(kid, now, true) {
            return Ok(key);
        }
        let mut refresh = self.refresh.lock().await;
        // Another request may have fetched while this one waited.
        if let Some(key) = self.cached(kid, now, true) {
            return Ok(key);
        }
        let may_fetch = refresh
            .last_attempt
            .is_none_or(|at| now.0 - at >= self.cooldown_seconds || now.0 < at);
        if may_fetch {
            refresh.last_attempt = Some(now.0);
            refresh.fetches += 1;
            match self.fetch().await {
                Ok(keys) => {
                    tracing::info!(url = %self.url, keys = keys.len(), "fetched the WorkOS JWKS");
                    let mut set = self.keys.write().unwrap_or_else(|p| p.into_inner());
                    *set = KeySet {
                        keys,
                        fetched_at: Some(now.0),
                    };
                    refresh.last_error = None;
                }
                Err(e) => {
                    tracing::warn!(url = %self.url, error = %e, "fetching the WorkOS JWKS failed");
                    refresh.last_error = Some(e.to_string());
                }
            }
        }
        // Stale keys are still better than none while the JWKS is down.
        if let Some(key) = self.cached(kid, now, false) {
            return Ok(key);
        }
        let empty = self
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys
            .is_empty();
        match (&refresh.last_error, empty) {
            (Some(error), true) => {
                Err(KeyLookupError::Unavailable(JwksError::Fetch(error.clone())))
            }
            _ => Err(KeyLookupError::UnknownKey(kid.to_owned())),
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<RsaPublicKey>>, JwksError> {
        let client = self
            .client
            .get_or_try_init(|| async {
                reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(3))
                    .timeout(Duration::from_secs(5))
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("portico-server/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| JwksError::Client(e.to_string()))
            })
            .await?;
        let mut response = client
            .get(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| JwksError::Fetch(e.to_string()))?;
        if !response.status().is_success() {
            return Err(JwksError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err(JwksError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| JwksError::Fetch(e.to_string()))?
        {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(JwksError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        parse_key_set(&body)
    }
}

#[derive(Deserialize)]
struct RawKeySet {
    keys: Vec<RawKey>,
}

#[derive(Deserialize)]
struct RawKey {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
}

/// The RSA signing keys of a JWKS document, by `kid`. Keys that are not
/// RSA, not for signatures, not for RS256, or of an unsafe size are skipped.
pub fn parse_key_set(json: &[u8]) -> Result<HashMap<String, Arc<RsaPublicKey>>, JwksError> {
    let set: RawKeySet =
        serde_json::from_slice(json).map_err(|e| JwksError::Malformed(e.to_string()))?;
    let mut keys = HashMap::new();
    for raw in set.keys.into_iter().take(MAX_KEYS) {
        let kid = raw.kid.clone().unwrap_or_default();
        match rsa_key(raw) {
            Ok(key) if !kid.is_empty() => {
                keys.insert(kid, Arc::new(key));
            }
            Ok(_) => tracing::warn!("skipping a JWKS key without a kid"),
            Err(why) => tracing::warn!(%kid, why, "skipping a JWKS key"),
        }
    }
    Ok(keys)
}

fn rsa_key(raw: RawKey) -> Result<RsaPublicKey, &'static str> {
    if raw.kty != "RSA" {
        return Err("not an RSA key");
    }
    if raw.usage.as_deref().is_some_and(|u| u != "sig") {
        return Err("not a signing key");
    }
    if raw.alg.as_deref().is_some_and(|a| a != "RS256") {
        return Err("not an RS256 key");
    }
    let decode = |field: Option<String>| {
        field
            .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
            .map(|bytes| BigUint::from_bytes_be(&bytes))
            .ok_or("missing or malformed n or e")
    };
    let n = decode(raw.n)?;
    let e = decode(raw.e)?;
    let key = RsaPublicKey::new_with_max_size(n, e, MAX_KEY_BITS)
        .map_err(|_| "not a valid RSA public key")?;
    if key.n().bits() < MIN_KEY_BITS {
        return Err("shorter than 2048 bits");
    }
    Ok(key)
}
