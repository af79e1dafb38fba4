//! Wire types shared by the Portico widgets and the Portico server.
//!
//! Everything that crosses HTTP between the browser and the API is defined
//! here once, so the wasm client and the server cannot disagree about a field.
//! This crate does no I/O and depends on serde alone: it is compiled into the
//! browser bundle, where every dependency costs bytes.
//!
//! Conventions:
//! - money is [`Money`]: integer minor units plus an ISO 4217 currency code;
//! - instants are [`Timestamp`]: whole seconds, RFC 3339 in UTC on the wire;
//! - companies and users are addressed by [`Keys`] (name → value), e.g.
//!   `workos_organization_id` → `org_…`.

mod api;
mod billing;
pub mod digits;
mod identify;
mod keys;
mod members;
mod money;
mod name_map;
mod portal;
mod time;
mod tokens;
mod upsert;
mod usage;
mod workos;

pub use api::{ApiError, ApiErrorBody, ErrorCode};
pub use billing::{
    AddonGrant, AddonSelection, AddonSummary, AssignSubscription, BillingLine, ChangeKind,
    ChangeTiming, CheckoutPreview, CheckoutRequest, CheckoutResult, ConfirmCheckout, Invoice,
    InvoiceList, InvoiceReason, InvoiceStatus, LineKind, ScheduledChange, UpcomingInvoice,
};
pub use identify::{
    CompanyIdentity, IdentifyAccepted, IdentifyRequest, TraitValue, Traits, UserIdentity,
};
pub use keys::{
    validate_key_name, validate_key_value, KeyError, KeyRef, Keys, EMAIL, WORKOS_ORGANIZATION_ID,
    WORKOS_USER_ID,
};
pub use members::{Member, MemberList, MembershipStatus, SeatSummary};
pub use money::{minor_unit_exponent, Money, MoneyError};
pub use name_map::NameMap;
pub use portal::{
    BillingInterval, CompanySummary, Entitlement, EntitlementState, EntitlementsRead, FeatureKind,
    Limit, PlanPrice, PlanSummary, PortalSnapshot, SubscriptionStatus, SubscriptionSummary,
    UsagePeriod, UserSummary, Viewer,
};
pub use time::{CivilDate, Timestamp, TimestampError};
pub use tokens::{MintPortalToken, PortalToken};
pub use upsert::{CompanyRecord, UpsertCompany, UpsertUser, UserRecord};
pub use usage::{UsageMode, UsageRecorded, UsageReport};
pub use workos::{DemoAccount, DemoTokenRequest, WorkosOrganization, WorkosUser};
