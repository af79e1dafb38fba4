//! Portal tokens: short-lived, company-scoped bearer tokens for browsers.
//!
//! Format: `pt_<payload>.<signature>`, both base64url without padding; the
//! payload is JSON claims and the signature is HMAC-SHA256 over
//! `pt_<payload>` with the server's token secret. A token names its company
//! (and optionally its user) by key, so it can be minted for an organization
//! the server has not seen yet, and every query resolves the company from the
//! token itself.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use portico_types::{KeyRef, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const TOKEN_PREFIX: &str = "pt_";
/// The longest a token may live, and the default.
pub const MAX_TTL_SECONDS: u32 = 15 * 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalClaims {
    /// Claims format version.
    pub v: u8,
    /// The company the token is for.
    pub company: KeyRef,
    /// The user the token is for, if the host named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<KeyRef>,
    pub iat: i64,
    pub exp: i64,
    /// Unique token id, for logs.
    pub jti: String,
    /// The user's role in the organization, as the host vouched for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The user's permissions, as the host vouched for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the bearer token is not a portal token")]
    Malformed,
    #[error("the portal token's signature is not valid")]
    BadSignature,
    #[error("the portal token has expired")]
    Expired,
    #[error("the portal token is not valid yet")]
    NotYetValid,
}

#[derive(Clone)]
pub struct TokenSigner {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(…)")
    }
}

/// Clock skew tolerated between the host's server and this one.
const LEEWAY_SECONDS: i64 = 30;

impl TokenSigner {
    pub fn new(secret: &[u8]) -> Self {
        // HMAC takes keys of any length.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        TokenSigner { mac }
    }

    pub fn mint(&self, claims: &PortalClaims) -> String {
        let json = serde_json::to_vec(claims).unwrap_or_default();
        let mut token = String::with_capacity(TOKEN_PREFIX.len() + json.len() * 4 / 3 + 48);
        token.push_str(TOKEN_PREFIX);
        URL_SAFE_NO_PAD.encode_string(&json, &mut token);
        let mut mac = self.mac.clone();
        mac.update(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut token);
        token
    }

    /// Checks the signature (in constant time) before looking at the claims,
    /// then the expiry.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<PortalClaims, TokenError> {
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 4096 {
            return Err(TokenError::Malformed);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac.clone();
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(&signed[TOKEN_PREFIX.len()..])
            .map_err(|_| TokenError::Malformed)?;
        let claims: PortalClaims =
            serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.v != 1 {
            return Err(TokenError::Malformed);
        }
        if now.0 >= claims.exp {
            return Err(TokenError::Expired);
        }
        if claims.iat > now.0 + LEEWAY_SECONDS {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> PortalClaims {
        PortalClaims {
            v: 1,
            company: KeyRef::new("workos_organization_id", "org_A"),
            user: None,
            iat: 1000,
            exp,
            jti: "tok_1".into(),
            role: None,
            permissions: Vec::new(),
        }
    }

    #[test]
    fn round_trips_and_expires() {
        let signer = TokenSigner::new(b"secret");
        let token = signer.mint(&claims(2000));
        assert_eq!(signer.verify(&token, Timestamp(1500)), Ok(claims(2000)));
        assert_eq!(
            signer.verify(&token, Timestamp(2000)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            signer.verify(&token, Timestamp(980)),
            Ok(claims(2000)),
            "within the clock-skew leeway"
        );
        assert_eq!(
            signer.verify(&token, Timestamp(900)),
            Err(TokenError::NotYetValid)
        );
    }

    #[test]
    fn rejects_other_keys_tampering_and_garbage() {
        let signer = TokenSigner::new(b"secret");
        let token = signer.mint(&claims(2000));
        assert_eq!(
            TokenSigner::new(b"other").verify(&token, Timestamp(1500)),
            Err(TokenError::BadSignature)
        );

        // Swap in claims for another company, keeping the old signature.
        let (_, signature) = token.rsplit_once('.').unwrap();
        let mut forged = claims(2000);
        forged.company.value = "org_B".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let forged = format!("{TOKEN_PREFIX}{forged_payload}.{signature}");
        assert_eq!(
            signer.verify(&forged, Timestamp(1500)),
            Err(TokenError::BadSignature)
        );

        for garbage in ["", "pt_", "pt_abc", "pt_abc.def", "sk_live_x", "pt_!!!.???"] {
            assert!(
                signer.verify(garbage, Timestamp(1500)).is_err(),
                "{garbage:?}"
            );
        }
    }
}
