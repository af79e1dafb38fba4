//! Preview ids: a signed record of what a preview priced, so a checkout can
//! buy exactly that, and is refused when the subscription, the request or
//! the prices have moved on.
//!
//! `cp_<payload>.<signature>`: base64url JSON claims and an HMAC-SHA256 under
//! a key derived from the server's token secret (domain-separated from
//! portal tokens, so one can never pass for the other).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use portico_types::CheckoutRequest;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DomainError;

const PREFIX: &str = "cp_";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewClaims {
    pub company: String,
    /// The subscription revision the preview priced (0: none).
    pub revision: i64,
    /// SHA-256 of the normalized request.
    pub request: String,
    /// The instant the change was priced at (and takes effect at).
    pub at: i64,
    pub exp: i64,
    pub total: i64,
    pub due: i64,
    pub recurring: i64,
}

#[derive(Clone)]
pub struct PreviewSigner {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for PreviewSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreviewSigner(…)")
    }
}

/// SHA-256 (hex) of a request in its normalized form.
pub fn request_digest(request: &CheckoutRequest) -> String {
    let json = serde_json::to_vec(&request.normalized()).unwrap_or_default();
    Sha256::digest(json)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl PreviewSigner {
    pub fn new(token_secret: &[u8]) -> Self {
        let mut derive = <Hmac<Sha256> as Mac>::new_from_slice(token_secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        derive.update(b"portico checkout preview v1");
        let key = derive.finalize().into_bytes();
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        PreviewSigner { mac }
    }

    pub fn sign(&self, claims: &PreviewClaims) -> String {
        let json = serde_json::to_vec(claims).unwrap_or_default();
        let mut id = String::from(PREFIX);
        URL_SAFE_NO_PAD.encode_string(json, &mut id);
        let mut mac = self.mac.clone();
        mac.update(id.as_bytes());
        id.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut id);
        id
    }

    pub fn verify(&self, id: &str) -> Result<PreviewClaims, DomainError> {
        let invalid = || {
            DomainError::InvalidInput("preview_id is not a preview issued by this server".into())
        };
        if !id.starts_with(PREFIX) || id.len() > 2048 {
            return Err(invalid());
        }
        let (signed, signature) = id.rsplit_once('.').ok_or_else(invalid)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid())?;
        let mut mac = self.mac.clone();
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature).map_err(|_| invalid())?;
        let payload = URL_SAFE_NO_PAD
            .decode(&signed[PREFIX.len()..])
            .map_err(|_| invalid())?;
        serde_json::from_slice(&payload).map_err(|_| invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> PreviewClaims {
        PreviewClaims {
            company: "cmp_1".into(),
            revision: 3,
            request: "abc".into(),
            at: 100,
            exp: 700,
            total: 1200,
            due: 1200,
            recurring: 8900,
        }
    }

    #[test]
    fn signed_previews_verify_and_forgeries_do_not() {
        let signer = PreviewSigner::new(b"secret");
        let id = signer.sign(&claims());
        assert_eq!(signer.verify(&id).unwrap(), claims());
        assert!(PreviewSigner::new(b"other").verify(&id).is_err());
        let (_, signature) = id.rsplit_once('.').unwrap();
        let mut cheaper = claims();
        cheaper.due = 1;
        let forged = format!(
            "{PREFIX}{}.{signature}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cheaper).unwrap())
        );
        assert!(signer.verify(&forged).is_err());
        assert!(signer.verify("pt_abc.def").is_err());
    }
}
