//! WorkOS webhook signatures: `WorkOS-Signature: t=<unix ms>, v1=<hex>`,
//! where `v1` is HMAC-SHA256, keyed by the endpoint's secret, over
//! `"{t}.{raw body}"`. Verified on the raw bytes before anything parses
//! them; the MAC is compared in constant time; a timestamp too far from now
//! is refused so a captured request cannot be replayed later.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header WorkOS signs webhooks with.
pub const SIGNATURE_HEADER: &str = "workos-signature";

/// How far a signature's timestamp may be from now unless configured.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(180);

/// How the webhook endpoint verifies deliveries. Without a secret the
/// endpoint refuses every delivery.
#[derive(Clone)]
pub struct WebhookSettings {
    /// The endpoint's signing secret from the WorkOS dashboard.
    pub secret: Option<String>,
    pub tolerance: Duration,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            secret: None,
            tolerance: DEFAULT_TOLERANCE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing WorkOS-Signature header")]
    Missing,
    #[error("the WorkOS-Signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the WorkOS-Signature timestamp is outside the allowed {tolerance_secs} s window")]
    Stale { tolerance_secs: u64 },
    #[error("the WorkOS-Signature does not match the body")]
    Mismatch,
}

/// The parts of a `WorkOS-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSignature {
    pub timestamp_millis: i64,
    /// The `t` value as sent: it is signed as text, not as a number.
    pub timestamp_text: String,
    pub mac: Vec<u8>,
}

pub fn parse_header(header: &str) -> Result<ParsedSignature, SignatureError> {
    let mut timestamp = None;
    let mut mac = None;
    for part in header.split(',') {
        let (name, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed("expected t=<ms>, v1=<hex>"))?;
        match name.trim() {
            "t" if timestamp.is_none() => timestamp = Some(value.trim()),
            "v1" if mac.is_none() => mac = Some(value.trim()),
            "t" | "v1" => return Err(SignatureError::Malformed("a part is repeated")),
            // Other schemes may be added by WorkOS later; v1 is required.
            _ => {}
        }
    }
    let timestamp_text = timestamp.ok_or(SignatureError::Malformed("no t= part"))?;
    let mac_hex = mac.ok_or(SignatureError::Malformed("no v1= part"))?;
    if timestamp_text.is_empty() || !timestamp_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed("t is not a whole number"));
    }
    let timestamp_millis: i64 = timestamp_text
        .parse()
        .map_err(|_| SignatureError::Malformed("t is out of range"))?;
    let mac = decode_hex(mac_hex).ok_or(SignatureError::Malformed("v1 is not hex"))?;
    if mac.len() != 32 {
        return Err(SignatureError::Malformed("v1 is not a SHA-256 MAC"));
    }
    Ok(ParsedSignature {
        timestamp_millis,
        timestamp_text: timestamp_text.to_owned(),
        mac,
    })
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let high = (pair[0] as char).to_digit(16)?;
            let low = (pair[1] as char).to_digit(16)?;
            Some((high * 16 + low) as u8)
        })
        .collect()
}

fn mac_for(secret: &str, timestamp_text: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a delivery: the header's MAC over the raw body, then its age.
/// `now_millis` is the server's clock.
pub fn verify(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now_millis: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let parsed = parse_header(header)?;
    mac_for(secret, &parsed.timestamp_text, body)
        .verify_slice(&parsed.mac)
        .map_err(|_| SignatureError::Mismatch)?;
    let tolerance_millis = i64::try_from(tolerance.as_millis()).unwrap_or(i64::MAX);
    if now_millis.abs_diff(parsed.timestamp_millis) > tolerance_millis.unsigned_abs() {
        return Err(SignatureError::Stale {
            tolerance_secs: tolerance.as_secs(),
        });
    }
    Ok(())
}

/// The header WorkOS would send for `body` at `timestamp_millis`: what tests
/// and local tooling sign with.
pub fn sign(secret: &str, timestamp_millis: i64, body: &[u8]) -> String {
    let timestamp_text = timestamp_millis.to_string();
    let mac = mac_for(secret, &timestamp_text, body)
        .finalize()
        .into_bytes();
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp_text}, v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const NOW: i64 = 1_795_426_200_000;

    #[test]
    fn a_signature_made_as_workos_makes_it_verifies() {
        let body = br#"{"id":"event_1"}"#;
        let header = sign(SECRET, NOW, body);
        assert!(header.starts_with(&format!("t={NOW}, v1=")));
        assert_eq!(
            verify(SECRET, Some(&header), body, NOW, DEFAULT_TOLERANCE),
            Ok(())
        );
        // Upper-case hex and no space after the comma are the same signature.
        let compact = header
            .replace(", ", ",")
            .to_uppercase()
            .replace("T=", "t=")
            .replace("V1=", "v1=");
        assert_eq!(
            verify(SECRET, Some(&compact), body, NOW, DEFAULT_TOLERANCE),
            Ok(())
        );
    }

    #[test]
    fn the_mac_covers_timestamp_and_body() {
        let body = br#"{"id":"event_1"}"#;
        let header = sign(SECRET, NOW, body);
        let tolerance = DEFAULT_TOLERANCE;
        assert_eq!(
            verify(
                SECRET,
                Some(&header),
                br#"{"id":"event_2"}"#,
                NOW,
                tolerance
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", Some(&header), body, NOW, tolerance),
            Err(SignatureError::Mismatch)
        );
        let moved = header.replace(&NOW.to_string(), &(NOW + 1).to_string());
        assert_eq!(
            verify(SECRET, Some(&moved), body, NOW, tolerance),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn old_and_future_timestamps_are_refused() {
        let body = b"{}";
        let tolerance = Duration::from_secs(180);
        let edge = sign(SECRET, NOW - 180_000, body);
        assert_eq!(verify(SECRET, Some(&edge), body, NOW, tolerance), Ok(()));
        let old = sign(SECRET, NOW - 180_001, body);
        assert!(matches!(
            verify(SECRET, Some(&old), body, NOW, tolerance),
            Err(SignatureError::Stale {
                tolerance_secs: 180
            })
        ));
        let future = sign(SECRET, NOW + 181_000, body);
        assert!(matches!(
            verify(SECRET, Some(&future), body, NOW, tolerance),
            Err(SignatureError::Stale { .. })
        ));
    }

    #[test]
    fn malformed_headers_are_named() {
        for header in [
            "",
            "v1=00",
            "t=123",
            "t=abc, v1=00",
            "t=123, v1=zz",
            "t=123, v1=abc",
            "t=123, v1=00ff",
            "t=1, t=2, v1=00",
            "nonsense",
        ] {
            assert!(
                matches!(parse_header(header), Err(SignatureError::Malformed(_))),
                "{header:?}"
            );
        }
        assert_eq!(
            verify(SECRET, None, b"{}", NOW, DEFAULT_TOLERANCE),
            Err(SignatureError::Missing)
        );
    }
}
