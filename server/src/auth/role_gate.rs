//! The billing role gate: which roles or permissions may change the plan,
//! check out, cancel or resume.
//!
//! Configured with `--billing-roles` / `--billing-permissions`. With neither,
//! every authenticated viewer may manage billing (the host decided who gets
//! a token). With either, a credential must carry one of the listed roles
//! *or* one of the listed permissions; anyone else sees the portal read-only
//! (`viewer.can_manage_billing = false`) and the billing write endpoints
//! refuse them with 403 `forbidden`.
//!
//! The decision is made once per request, when it is authenticated, and
//! stored in [`Grants::can_manage_billing`]; the snapshot's `viewer` flag and
//! [`require_billing_manager`] both read that one value.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;

use crate::app::AppState;
use crate::domain::Grants;
use crate::error::ApiError;
use crate::extract::PortalAccess;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleGate {
    /// Role slugs allowed to manage billing (`admin`).
    pub roles: Vec<String>,
    /// Permission slugs allowed to manage billing (`billing:manage`).
    pub permissions: Vec<String>,
}

impl RoleGate {
    pub fn new(roles: Vec<String>, permissions: Vec<String>) -> Self {
        let clean = |list: Vec<String>| {
            list.into_iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        };
        RoleGate {
            roles: clean(roles),
            permissions: clean(permissions),
        }
    }

    /// No roles or permissions configured: every viewer may manage billing.
    pub fn is_open(&self) -> bool {
        self.roles.is_empty() && self.permissions.is_empty()
    }

    pub fn allows(&self, grants: &Grants) -> bool {
        self.is_open()
            || grants.roles.iter().any(|r| self.roles.contains(r))
            || grants
                .permissions
                .iter()
                .any(|p| self.permissions.contains(p))
    }

    /// "the role admin or owner, or the permission billing:manage", for
    /// error messages.
    pub fn requirement(&self) -> String {
        let mut parts = Vec::new();
        if !self.roles.is_empty() {
            let noun = if self.roles.len() == 1 {
                "role"
            } else {
                "roles"
            };
            parts.push(format!("the {noun} {}", self.roles.join(" or ")));
        }
        if !self.permissions.is_empty() {
            let noun = if self.permissions.len() == 1 {
                "permission"
            } else {
                "permissions"
            };
            parts.push(format!("the {noun} {}", self.permissions.join(" or ")));
        }
        parts.join(", or ")
    }
}

/// The guard every billing write endpoint (checkout, change plan, cancel,
/// resume) calls before it changes anything: `Ok` if the role gate let this
/// credential manage billing, else 403 `forbidden` saying what is needed.
///
/// ```text
/// async fn cancel(State(state): State<AppState>, access: PortalAccess) -> Result<…, ApiError> {
///     require_billing_manager(&access)?;
///     domain::billing::cancel(&state.db, &access.scope(), …).await?;
/// }
/// ```
///
/// Or take [`BillingManager`] instead of `PortalAccess` and the guard runs
/// before the handler does.
pub fn require_billing_manager(access: &PortalAccess) -> Result<(), ApiError> {
    let scope = access.scope_ref();
    if scope.grants.can_manage_billing {
        return Ok(());
    }
    let who = match &scope.grants.role {
        Some(role) => format!("your role ({role:?})"),
        None => "a credential without a role".to_owned(),
    };
    Err(ApiError::forbidden(format!(
        "{who} may view billing but not change it: changing the plan, checking out, \
         canceling or resuming needs {}. Nothing was changed",
        access.billing_requirement()
    )))
}

/// A browser credential that may manage billing: [`PortalAccess`] with
/// [`require_billing_manager`] already applied. Take it as a handler
/// argument on billing write endpoints.
pub struct BillingManager(pub PortalAccess);

impl FromRequestParts<AppState> for BillingManager {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let access = PortalAccess::from_request_parts(parts, state).await?;
        require_billing_manager(&access).map_err(axum::response::IntoResponse::into_response)?;
        Ok(BillingManager(access))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(role: Option<&str>, permissions: &[&str]) -> Grants {
        Grants {
            role: role.map(str::to_owned),
            roles: role.iter().map(|r| r.to_string()).collect(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
            can_manage_billing: false,
        }
    }

    #[test]
    fn an_open_gate_lets_everyone_through() {
        let gate = RoleGate::new(vec![" ".into()], vec![]);
        assert!(gate.is_open());
        assert!(gate.allows(&grants(None, &[])));
    }

    #[test]
    fn a_role_or_a_permission_is_enough() {
        let gate = RoleGate::new(vec!["admin".into()], vec!["billing:manage".into()]);
        assert!(gate.allows(&grants(Some("admin"), &[])));
        assert!(gate.allows(&grants(Some("member"), &["billing:manage"])));
        assert!(!gate.allows(&grants(Some("member"), &["posts:write"])));
        assert!(!gate.allows(&grants(None, &[])));
        assert!(
            !gate.allows(&grants(Some("Admin"), &[])),
            "slugs compare exactly"
        );
        assert_eq!(
            gate.requirement(),
            "the role admin, or the permission billing:manage"
        );
    }
}
