//! The signed-in WorkOS user and organization, turned into an identify
//! request: company key `workos_organization_id`, user keys
//! `workos_user_id` and `email`, names, and traits.

use portico_types::{
    CompanyIdentity, IdentifyRequest, Keys, Traits, UserIdentity, WorkosOrganization, WorkosUser,
    EMAIL, WORKOS_ORGANIZATION_ID, WORKOS_USER_ID,
};

pub fn identify_request(
    user: &WorkosUser,
    organization: &WorkosOrganization,
    company_traits: Traits,
    user_traits: Traits,
) -> IdentifyRequest {
    let mut company_keys = Keys::new();
    company_keys.insert(WORKOS_ORGANIZATION_ID.to_owned(), organization.id.clone());
    let mut user_keys = Keys::new();
    user_keys.insert(WORKOS_USER_ID.to_owned(), user.id.clone());
    // Sent as WorkOS has it; the server lower-cases email keys (Unicode
    // case mapping stays out of the bundle).
    if !user.email.trim().is_empty() {
        user_keys.insert(EMAIL.to_owned(), user.email.trim().to_owned());
    }
    let mut traits = user_traits;
    if traits.get("email_verified").is_none() {
        traits.insert("email_verified".to_owned(), user.email_verified.into());
    }
    IdentifyRequest {
        company: CompanyIdentity {
            keys: company_keys,
            name: organization.name.clone(),
            traits: company_traits,
        },
        user: Some(UserIdentity {
            keys: user_keys,
            name: user.display_name(),
            traits,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_the_workos_keys_and_names() {
        let user = WorkosUser {
            id: "user_01".into(),
            email: "Ada@Acme.test".into(),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            email_verified: true,
        };
        let org = WorkosOrganization {
            id: "org_01".into(),
            name: Some("Acme".into()),
        };
        let request = identify_request(&user, &org, Traits::new(), Traits::new());
        assert_eq!(
            request
                .company
                .keys
                .get(WORKOS_ORGANIZATION_ID)
                .map(String::as_str),
            Some("org_01")
        );
        assert_eq!(request.company.name.as_deref(), Some("Acme"));
        let identity = request.user.unwrap();
        assert_eq!(
            identity.keys.get(WORKOS_USER_ID).map(String::as_str),
            Some("user_01")
        );
        assert_eq!(
            identity.keys.get(EMAIL).map(String::as_str),
            Some("Ada@Acme.test")
        );
        assert_eq!(identity.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(identity.traits.get("email_verified"), Some(&true.into()));
    }
}
