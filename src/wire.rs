//! The wire types of `portico-types`, read from JSON and written to
//! JavaScript values, in the browser.
//!
//! The server (de)serializes these types with serde. The browser reads
//! them here from the [`Value`]s of [`crate::json`]'s parser, and writes
//! them as JavaScript values for `JSON.stringify`, one small function per
//! type, instead of compiling serde's visitors into the bundle, which keeps
//! serde's per-type code out of the module every visitor downloads.
//!
//! The two cannot drift silently:
//! - every struct impl below builds its type with a struct literal, so a
//!   field added to a wire type fails to compile until it is read here;
//! - every enum impl lists its variants in a `match`, so a new variant fails
//!   to compile too, and a native test checks each name against serde's;
//! - a browser test round-trips rich values of every type between serde_json
//!   and these functions.
//!
//! Numbers are read exactly: a whole number is read from its digits over
//! the type's whole range, and one out of range is refused, never rounded,
//! so money read here is always the money the server sent.

use std::borrow::Cow;

use js_sys::{Array, Object, Reflect};
use portico_types::{
    digits, AddonGrant, AddonSelection, AddonSummary, ApiError, ApiErrorBody, BillingInterval,
    BillingLine, ChangeKind, ChangeTiming, CheckoutPreview, CheckoutRequest, CheckoutResult,
    CompanyIdentity, CompanySummary, ConfirmCheckout, DemoAccount, DemoTokenRequest, Entitlement,
    EntitlementsRead, ErrorCode, FeatureKind, IdentifyAccepted, IdentifyRequest, Invoice,
    InvoiceList, InvoiceReason, InvoiceStatus, KeyRef, Limit, LineKind, Member, MemberList,
    MembershipStatus, Money, NameMap, PlanPrice, PlanSummary, PortalSnapshot, PortalToken,
    ScheduledChange, SeatSummary, SubscriptionStatus, SubscriptionSummary, Timestamp, TraitValue,
    UpcomingInvoice, UsagePeriod, UserIdentity, UserSummary, Viewer, WorkosOrganization,
    WorkosUser,
};
use wasm_bindgen::JsValue;

use crate::json::Value;

/// What was wrong, and where in the value.
///
/// Boxed: every field's reader returns a `Result<_, WireError>`, and an
/// error one pointer wide is passed on with one store where a path and a
/// problem took five, in the code of every field of every wire type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(Box<Problem>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Problem {
    path: String,
    what: &'static str,
}

impl WireError {
    pub fn new(problem: &'static str) -> Self {
        WireError(Box::new(Problem {
            path: String::new(),
            what: problem,
        }))
    }

    /// Where in the value (`plan.prices[2].amount`), or empty for the
    /// value itself.
    pub fn path(&self) -> &str {
        &self.0.path
    }

    pub fn problem(&self) -> &'static str {
        self.0.what
    }

    /// The same error, seen from the value that holds this one as
    /// `segment` (a field's name, or `[index]`).
    pub fn at(mut self, segment: &str) -> Self {
        let path = &mut self.0.path;
        *path = if path.is_empty() {
            segment.to_owned()
        } else if path.starts_with('[') {
            [segment, path].concat()
        } else {
            [segment, ".", path].concat()
        };
        self
    }

    /// `plan.prices[2].amount: expected a number`, or the problem alone.
    pub fn message(&self) -> String {
        if self.path().is_empty() {
            self.problem().to_owned()
        } else {
            [self.path(), ": ", self.problem()].concat()
        }
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for WireError {}

/// Read from a JSON value (a response body, or an object a host passed in,
/// through its JSON text).
pub trait FromJson: Sized {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError>;
}

/// Written as a JavaScript value that `JSON.stringify` turns into what
/// serde would have written.
pub trait ToJs {
    fn to_js(&self) -> JsValue;
}

/// The serde names of an enum's variants, for the test that keeps the two
/// in step.
pub trait WireNames: Sized + 'static {
    const NAMES: &'static [(Self, &'static str)];
}

fn absent(value: &Value<'_>) -> bool {
    matches!(value, Value::Null)
}

/// A required field (an `Option` field may be absent: `Option` reads that
/// as `None`, as serde does). Never inlined: one call per field keeps each
/// type's reader small.
#[inline(never)]
pub fn field<T: FromJson>(object: &Value<'_>, key: &str) -> Result<T, WireError> {
    T::from_json(object.get(key)).map_err(|e| e.at(key))
}

/// A field serde fills with its default when absent.
#[inline(never)]
pub fn field_or_default<T: FromJson + Default>(
    object: &Value<'_>,
    key: &str,
) -> Result<T, WireError> {
    let value = object.get(key);
    if absent(value) {
        Ok(T::default())
    } else {
        T::from_json(value).map_err(|e| e.at(key))
    }
}

/// A field known by several names (AuthKit's JavaScript SDKs write
/// `firstName` where the REST API writes `first_name`).
pub fn field_aliased<T: FromJson>(object: &Value<'_>, keys: &[&str]) -> Result<T, WireError> {
    for key in keys {
        let value = object.get(key);
        if !absent(value) {
            return T::from_json(value).map_err(|e| e.at(key));
        }
    }
    T::from_json(&Value::Null).map_err(|e| e.at(keys.first().copied().unwrap_or("")))
}

/// The members of an object, in the order written.
fn object_of<'v, 'a>(value: &'v Value<'a>) -> Result<&'v [(Cow<'a, str>, Value<'a>)], WireError> {
    match value {
        Value::Object(members) => Ok(members),
        _ => Err(WireError::new("expected an object")),
    }
}

fn str_of<'v>(value: &'v Value<'_>) -> Result<&'v str, WireError> {
    match value {
        Value::String(text) => Ok(text),
        _ => Err(WireError::new("expected a string")),
    }
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// A plain object from key/value pairs (absent values left out), e.g. a DOM
/// event's `detail`.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        if !value.is_undefined() {
            set(&object, key, value);
        }
    }
    object.into()
}

macro_rules! wire_struct {
    ($ty:ident { $($field:ident $(: $mode:ident)?),* $(,)? }) => {
        impl FromJson for $ty {
            fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
                object_of(value)?;
                Ok($ty { $($field: wire_struct!(@read value, $field $(, $mode)?),)* })
            }
        }
    };
    (@read $value:ident, $field:ident) => { field($value, stringify!($field))? };
    (@read $value:ident, $field:ident, default) => { field_or_default($value, stringify!($field))? };
}

macro_rules! wire_struct_out {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                let object = Object::new();
                $(
                    let value = self.$field.to_js();
                    // Absent options are left out, as serde's
                    // `skip_serializing_if` does.
                    if !value.is_undefined() {
                        set(&object, stringify!($field), &value);
                    }
                )*
                object.into()
            }
        }
    };
}

macro_rules! wire_enum {
    ($ty:ident { $($variant:ident = $name:literal),* $(,)? } $(, unknown = $unknown:ident)?) => {
        impl FromJson for $ty {
            fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
                match str_of(value)? {
                    $($name => Ok($ty::$variant),)*
                    _ => wire_enum!(@unknown $($unknown)?),
                }
            }
        }
        impl ToJs for $ty {
            fn to_js(&self) -> JsValue {
                JsValue::from_str(match self { $($ty::$variant => $name,)* })
            }
        }
        impl WireNames for $ty {
            const NAMES: &'static [(Self, &'static str)] = &[$(($ty::$variant, $name)),*];
        }
    };
    (@unknown) => { Err(WireError::new("unknown value")) };
    (@unknown $unknown:ident) => { Ok(Self::$unknown) };
}

// Primitives.

/// The largest whole number a JavaScript number holds exactly with no
/// neighbour rounding onto it (`Number.MAX_SAFE_INTEGER`, 2^53 - 1): the
/// limit for a whole number written with a fraction or an exponent
/// (`1.0`, `1e3`), which is read as a JavaScript number.
const MAX_EXACT: f64 = 9_007_199_254_740_991.0;

/// A whole number read exactly: its sign and magnitude, which hold every
/// `i64` and every `u64`.
#[derive(Clone, Copy)]
struct Whole {
    negative: bool,
    magnitude: u64,
}

/// A number's digits as an exact whole number, if it is written as one
/// (`-42`); `None` for a fraction or an exponent.
fn exact_whole(text: &str) -> Option<Result<Whole, WireError>> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    let mut magnitude: u64 = 0;
    for digit in digits.bytes() {
        let digit = match digit {
            b'0'..=b'9' => u64::from(digit - b'0'),
            _ => return None,
        };
        if magnitude > (u64::MAX - digit) / 10 {
            return Some(Err(WireError::new("number out of range")));
        }
        magnitude = magnitude * 10 + digit;
    }
    Some(Ok(Whole {
        negative,
        magnitude,
    }))
}

/// A JSON number as JavaScript reads it (for fractions and exponents).
fn js_number(text: &str) -> f64 {
    js_sys::parse_float(text)
}

fn whole_number(value: &Value<'_>) -> Result<Whole, WireError> {
    let Value::Number(text) = value else {
        return Err(WireError::new("expected a number"));
    };
    if let Some(exact) = exact_whole(text) {
        return exact;
    }
    let number = js_number(text);
    if number.fract() != 0.0 || !number.is_finite() {
        return Err(WireError::new("expected a whole number"));
    }
    if number.abs() > MAX_EXACT {
        return Err(WireError::new("number too large to be exact"));
    }
    Ok(Whole {
        negative: number < 0.0,
        magnitude: number.abs() as u64,
    })
}

impl Whole {
    fn to_i64(self) -> Option<i64> {
        const MIN_MAGNITUDE: u64 = 1 << 63;
        match self.negative {
            // Two's complement: 2^63 negated is i64::MIN.
            true if self.magnitude <= MIN_MAGNITUDE => Some((self.magnitude as i64).wrapping_neg()),
            false if self.magnitude < MIN_MAGNITUDE => Some(self.magnitude as i64),
            _ => None,
        }
    }
}

impl FromJson for String {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        str_of(value).map(str::to_owned)
    }
}

impl ToJs for String {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl FromJson for bool {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        match value {
            Value::Bool(flag) => Ok(*flag),
            _ => Err(WireError::new("expected true or false")),
        }
    }
}

impl ToJs for bool {
    fn to_js(&self) -> JsValue {
        JsValue::from_bool(*self)
    }
}

impl FromJson for i64 {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        whole_number(value)?
            .to_i64()
            .ok_or_else(|| WireError::new("number out of range"))
    }
}

impl ToJs for i64 {
    fn to_js(&self) -> JsValue {
        JsValue::from_f64(*self as f64)
    }
}

impl FromJson for u64 {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        match whole_number(value)? {
            Whole {
                negative: true,
                magnitude: 1..,
            } => Err(WireError::new("expected a number of at least 0")),
            whole => Ok(whole.magnitude),
        }
    }
}

impl ToJs for u64 {
    fn to_js(&self) -> JsValue {
        JsValue::from_f64(*self as f64)
    }
}

impl FromJson for u32 {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        u32::try_from(u64::from_json(value)?).map_err(|_| WireError::new("number out of range"))
    }
}

impl ToJs for u32 {
    fn to_js(&self) -> JsValue {
        JsValue::from_f64(f64::from(*self))
    }
}

impl<T: FromJson> FromJson for Option<T> {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        if absent(value) {
            Ok(None)
        } else {
            T::from_json(value).map(Some)
        }
    }
}

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        match self {
            Some(value) => value.to_js(),
            None => JsValue::UNDEFINED,
        }
    }
}

/// Reads each item of a list with `read`, saying which one failed. One loop
/// for every list type: a `Vec<T>` adds only its `read` (a generic loop per
/// item type cost some 500 bytes of the bundle each).
#[inline(never)]
fn read_list(
    value: &Value<'_>,
    read: &mut dyn FnMut(usize, &Value<'_>) -> Result<(), WireError>,
) -> Result<(), WireError> {
    let Value::Array(items) = value else {
        return Err(WireError::new("expected a list"));
    };
    for (index, item) in items.iter().enumerate() {
        read(items.len(), item)
            .map_err(|e| e.at(&["[", &digits::decimal(index as u64), "]"].concat()))?;
    }
    Ok(())
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        let mut items = Vec::new();
        read_list(value, &mut |length, item| {
            if items.is_empty() {
                items.reserve_exact(length);
            }
            items.push(T::from_json(item)?);
            Ok(())
        })?;
        Ok(items)
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.iter().map(ToJs::to_js).collect::<Array>().into()
    }
}

impl<V: FromJson> FromJson for NameMap<V> {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        let mut map = NameMap::new();
        for (name, item) in object_of(value)? {
            map.insert(
                name.to_string(),
                V::from_json(item).map_err(|e| e.at(name))?,
            );
        }
        Ok(map)
    }
}

impl<V: ToJs> ToJs for NameMap<V> {
    fn to_js(&self) -> JsValue {
        let object = Object::new();
        for (name, value) in self {
            set(&object, name, &value.to_js());
        }
        object.into()
    }
}

impl FromJson for Timestamp {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        Timestamp::parse_rfc3339(str_of(value)?)
            .map_err(|_| WireError::new("expected an RFC 3339 timestamp"))
    }
}

impl ToJs for Timestamp {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(&self.to_rfc3339())
    }
}

impl FromJson for Limit {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        if str_of(value) == Ok("unlimited") {
            return Ok(Limit::Unlimited);
        }
        u64::from_json(value)
            .map(Limit::Count)
            .map_err(|_| WireError::new("expected a limit or \"unlimited\""))
    }
}

impl FromJson for TraitValue {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        match value {
            Value::Bool(flag) => Ok(TraitValue::Bool(*flag)),
            Value::String(text) => Ok(TraitValue::Text(text.to_string())),
            // Whole numbers that fit are integers; any other finite
            // number is a number, as JavaScript reads it.
            Value::Number(text) => match whole_number(value).ok().and_then(Whole::to_i64) {
                Some(n) => Ok(TraitValue::Integer(n)),
                None => {
                    let n = js_number(text);
                    if n.is_finite() {
                        Ok(TraitValue::Number(n))
                    } else {
                        Err(WireError::new("number out of range"))
                    }
                }
            },
            _ => Err(WireError::new("expected true, false, a number or a string")),
        }
    }
}

impl ToJs for TraitValue {
    fn to_js(&self) -> JsValue {
        match self {
            TraitValue::Bool(flag) => JsValue::from_bool(*flag),
            TraitValue::Integer(n) => JsValue::from_f64(*n as f64),
            TraitValue::Number(n) => JsValue::from_f64(*n),
            TraitValue::Text(text) => JsValue::from_str(text),
        }
    }
}

// Enums.

wire_enum!(BillingInterval { Month = "month", Year = "year" });
wire_enum!(SubscriptionStatus {
    Trialing = "trialing",
    Active = "active",
    PastDue = "past_due",
    Canceled = "canceled",
});
wire_enum!(FeatureKind { Boolean = "boolean", Limit = "limit", Metered = "metered", Seats = "seats" });
wire_enum!(UsagePeriod { Monthly = "monthly" });
wire_enum!(ChangeTiming { Default = "default", Now = "now", PeriodEnd = "period_end" });
wire_enum!(ChangeKind {
    New = "new",
    Upgrade = "upgrade",
    Downgrade = "downgrade",
    IntervalChange = "interval_change",
    Switch = "switch",
});
wire_enum!(LineKind {
    Charge = "charge",
    ProrationCharge = "proration_charge",
    ProrationCredit = "proration_credit",
    Trial = "trial",
});
wire_enum!(InvoiceStatus { Paid = "paid", Declined = "declined", NoCharge = "no_charge" });
wire_enum!(InvoiceReason { Checkout = "checkout", Renewal = "renewal" });
wire_enum!(MembershipStatus { Pending = "pending", Active = "active", Inactive = "inactive" });
wire_enum!(
    ErrorCode {
        MalformedJson = "malformed_json",
        InvalidBody = "invalid_body",
        UnsupportedMediaType = "unsupported_media_type",
        InvalidInput = "invalid_input",
        Unauthenticated = "unauthenticated",
        TokenExpired = "token_expired",
        Forbidden = "forbidden",
        ConflictingKeys = "conflicting_keys",
        CompanyNotFound = "company_not_found",
        UserNotFound = "user_not_found",
        UnknownFeature = "unknown_feature",
        UnknownPlan = "unknown_plan",
        UnknownAddon = "unknown_addon",
        UsageExceedsLimits = "usage_exceeds_limits",
        StalePreview = "stale_preview",
        PaymentDeclined = "payment_declined",
        PaymentUnavailable = "payment_unavailable",
        ChangeInProgress = "change_in_progress",
        IdempotencyConflict = "idempotency_conflict",
        NotFound = "not_found",
        PayloadTooLarge = "payload_too_large",
        RateLimited = "rate_limited",
        Internal = "internal",
        Unknown = "unknown",
    },
    unknown = Unknown
);

// What the API sends.

wire_struct!(Money {
    amount_minor,
    currency
});
wire_struct!(KeyRef { name, value });
wire_struct!(ApiError { code, message });
wire_struct!(ApiErrorBody { error });
wire_struct!(IdentifyAccepted { event_id });
wire_struct!(PlanPrice { interval, amount });
wire_struct!(PlanSummary {
    id,
    name,
    description,
    prices: default,
    trial_days,
    self_serve: default
});
wire_struct!(AddonGrant { feature_id, limit });
wire_struct!(AddonSelection { addon_id, quantity });
wire_struct!(AddonSummary {
    id,
    name,
    description,
    per_unit,
    unit,
    max_quantity,
    prices,
    plans: default,
    grants: default
});
wire_struct!(ScheduledChange {
    plan_id,
    interval,
    addons: default,
    effective_at
});
wire_struct!(SubscriptionSummary {
    plan_id,
    status,
    interval,
    price,
    current_period_start,
    current_period_end,
    renews_at,
    trial_ends_at,
    cancel_at_period_end: default,
    addons: default,
    scheduled_change,
});
wire_struct!(Entitlement {
    feature_id,
    name,
    description,
    kind,
    access,
    limit,
    usage,
    unit,
    period,
    resets_at,
    soft_limit: default,
    over_limit,
});
wire_struct!(EntitlementsRead {
    entitlements,
    generated_at
});
wire_struct!(CompanySummary { id, name, keys });
wire_struct!(UserSummary { id, name, keys });
wire_struct!(Viewer {
    can_manage_billing,
    role
});
wire_struct!(BillingLine {
    kind,
    description,
    item_id,
    quantity,
    amount,
    period_start,
    period_end
});
wire_struct!(Invoice {
    id,
    number,
    status,
    reason,
    lines,
    total,
    credit_applied,
    amount_charged,
    created_at
});
wire_struct!(UpcomingInvoice {
    charge_at,
    lines,
    total,
    credit_applied,
    amount_due
});
wire_struct!(PortalSnapshot {
    company: default,
    user: default,
    viewer: default,
    plan,
    subscription: default,
    entitlements,
    plans: default,
    addons: default,
    upcoming_invoice: default,
    invoices: default,
    credit_balance: default,
    generated_at,
});
wire_struct!(CheckoutRequest {
    plan_id,
    interval,
    addons: default,
    timing: default
});
wire_struct!(CheckoutPreview {
    preview_id,
    expires_at,
    request,
    change,
    effective_at,
    scheduled,
    lines,
    total,
    credit_applied,
    due_now,
    credit_balance_after,
    recurring,
    interval,
    next_charge_at,
    trial_ends_at,
});
wire_struct!(CheckoutResult {
    invoice: default,
    subscription
});
wire_struct!(InvoiceList { invoices, upcoming });
wire_struct!(Member {
    user_id,
    workos_user_id,
    name,
    email,
    role,
    status,
    joined_at
});
wire_struct!(SeatSummary {
    used,
    limit,
    pending,
    inactive
});
wire_struct!(MemberList { members, seats });
wire_struct!(PortalToken {
    token,
    expires_at,
    company,
    user
});
wire_struct!(WorkosOrganization { id, name });
wire_struct!(DemoAccount {
    user,
    organization,
    role,
    plan_name
});

impl FromJson for WorkosUser {
    fn from_json(value: &Value<'_>) -> Result<Self, WireError> {
        object_of(value)?;
        Ok(WorkosUser {
            id: field(value, "id")?,
            email: field(value, "email")?,
            first_name: field_aliased(value, &["first_name", "firstName"])?,
            last_name: field_aliased(value, &["last_name", "lastName"])?,
            email_verified: field_aliased::<Option<bool>>(
                value,
                &["email_verified", "emailVerified"],
            )?
            .unwrap_or(false),
        })
    }
}

// What the browser sends.

wire_struct_out!(AddonSelection { addon_id, quantity });
wire_struct_out!(CheckoutRequest {
    plan_id,
    interval,
    addons,
    timing
});
wire_struct_out!(ConfirmCheckout {
    preview_id,
    request
});
wire_struct_out!(CompanyIdentity { keys, name, traits });
wire_struct_out!(UserIdentity { keys, name, traits });
wire_struct_out!(IdentifyRequest { company, user });
wire_struct_out!(DemoTokenRequest {
    organization_id,
    user_id
});

/// The enums' serde names, for the drift test.
#[cfg(test)]
mod tests {
    use super::WireNames;
    use portico_types::*;

    fn check<T: WireNames + serde::Serialize>() {
        for (variant, name) in T::NAMES {
            assert_eq!(
                serde_json::to_value(variant).unwrap(),
                *name,
                "{}",
                std::any::type_name::<T>()
            );
        }
    }

    #[test]
    fn enum_names_match_serde() {
        check::<BillingInterval>();
        check::<SubscriptionStatus>();
        check::<FeatureKind>();
        check::<UsagePeriod>();
        check::<ChangeTiming>();
        check::<ChangeKind>();
        check::<LineKind>();
        check::<InvoiceStatus>();
        check::<InvoiceReason>();
        check::<MembershipStatus>();
        check::<ErrorCode>();
    }
}
