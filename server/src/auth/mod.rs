//! Who is calling, and what they may do.
//!
//! A request carries one bearer credential:
//! - a secret key (`sk_…`): the host's backend, on the server endpoints
//!   (checked by [`crate::extract::SecretKey`]);
//! - a portal token (`pt_…`): minted by the host's backend for one browser
//!   ([`crate::tokens`]);
//! - a WorkOS AuthKit access token: an RS256 JWT the browser already holds
//!   ([`authkit`], keys from the WorkOS JWKS in [`jwks`]).
//!
//! The last two are browser credentials. [`Authenticator`] turns either into
//! a [`TokenScope`] (one company, optionally one user, their role and
//! permissions) and applies what follows from it: the billing role gate
//! ([`role_gate`]) and the per-scope rate limit on writes ([`rate_limit`]).
//! The extractor in [`crate::extract::PortalAccess`] drives it.
//!
//! Nothing here touches the database; the standing of a scope's company and
//! user is checked in [`crate::domain::access`].

pub mod authkit;
pub mod jwks;
pub mod rate_limit;
pub mod role_gate;

use std::sync::Arc;

use portico_types::{KeyRef, Timestamp, WORKOS_ORGANIZATION_ID, WORKOS_USER_ID};

use crate::domain::{Grants, TokenScope};
use crate::tokens::{PortalClaims, TOKEN_PREFIX};
use authkit::{AuthkitClaims, AuthkitError, AuthkitVerifier};
use rate_limit::WriteRateLimiter;
use role_gate::RoleGate;

pub use role_gate::{require_billing_manager, BillingManager};

/// Prefix of the host's secret keys.
pub const SECRET_KEY_PREFIX: &str = "sk_";

/// What a bearer credential looks like, before anything is verified. Only
/// the shape is read, so a credential meant for one kind of endpoint can be
/// refused clearly on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    SecretKey,
    PortalToken,
    /// Three dot-separated parts: a JWS in compact form (an AuthKit access
    /// token, or something pretending to be one).
    Jwt,
    Unknown,
}

impl CredentialKind {
    pub fn of(credential: &str) -> CredentialKind {
        if credential.starts_with(SECRET_KEY_PREFIX) {
            CredentialKind::SecretKey
        } else if credential.starts_with(TOKEN_PREFIX) {
            CredentialKind::PortalToken
        } else if credential.split('.').count() == 3 {
            CredentialKind::Jwt
        } else {
            CredentialKind::Unknown
        }
    }
}

/// Which browser credential a request was authenticated with, for logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserCredential {
    PortalToken {
        jti: String,
    },
    AuthkitAccessToken {
        session_id: Option<String>,
        jti: Option<String>,
    },
}

/// The browser side of authentication, shared by every request.
#[derive(Clone)]
pub struct Authenticator {
    /// `None` unless AuthKit is configured: AuthKit tokens are then refused.
    pub authkit: Option<Arc<AuthkitVerifier>>,
    pub billing_gate: Arc<RoleGate>,
    pub write_limiter: Arc<WriteRateLimiter>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("authkit", &self.authkit.is_some())
            .field("billing_gate", &self.billing_gate)
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// The scope of a verified portal token.
    pub fn portal_scope(&self, claims: &PortalClaims) -> TokenScope {
        let grants = Grants {
            role: claims.role.clone(),
            roles: claims.role.iter().cloned().collect(),
            permissions: claims.permissions.clone(),
            can_manage_billing: false,
        };
        self.gated(TokenScope {
            company: claims.company.clone(),
            user: claims.user.clone(),
            grants,
        })
    }

    /// Verifies an AuthKit access token and returns its scope. A token
    /// without an organization (`org_id`) has no company scope, so it can
    /// read no company data: [`AuthkitError::NoOrganization`].
    pub async fn authkit_scope(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<(TokenScope, AuthkitClaims), AuthkitError> {
        let verifier = self.authkit.as_ref().ok_or(AuthkitError::NotConfigured)?;
        let claims = verifier.verify(token, now).await?;
        let org_id = claims.org_id.clone().ok_or(AuthkitError::NoOrganization)?;
        let mut roles: Vec<String> = claims.role.iter().cloned().collect();
        for role in &claims.roles {
            if !roles.contains(role) {
                roles.push(role.clone());
            }
        }
        let grants = Grants {
            role: claims.role.clone(),
            roles,
            permissions: claims.permissions.clone(),
            can_manage_billing: false,
        };
        let scope = self.gated(TokenScope {
            company: KeyRef::new(WORKOS_ORGANIZATION_ID, org_id),
            user: Some(KeyRef::new(WORKOS_USER_ID, claims.sub.clone())),
            grants,
        });
        Ok((scope, claims))
    }

    fn gated(&self, mut scope: TokenScope) -> TokenScope {
        scope.grants.can_manage_billing = self.billing_gate.allows(&scope.grants);
        scope
    }
}

/// The rate-limit bucket of a scope: its company and user, so every token
/// minted for the same person shares one budget (minting fresh tokens does
/// not buy more writes).
pub fn rate_limit_key(scope: &TokenScope) -> String {
    match &scope.user {
        Some(user) => format!("{}\u{1f}{}", scope.company, user),
        None => scope.company.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_told_apart_by_shape() {
        assert_eq!(CredentialKind::of("sk_live_abc"), CredentialKind::SecretKey);
        assert_eq!(
            CredentialKind::of("pt_abc.def"),
            CredentialKind::PortalToken
        );
        assert_eq!(CredentialKind::of("eyJa.eyJb.c"), CredentialKind::Jwt);
        assert_eq!(CredentialKind::of("a.b."), CredentialKind::Jwt);
        assert_eq!(CredentialKind::of("not-a-token"), CredentialKind::Unknown);
        assert_eq!(CredentialKind::of("a.b.c.d"), CredentialKind::Unknown);
    }
}
