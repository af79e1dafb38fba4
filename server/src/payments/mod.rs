//! Payment providers: what takes the customer's money for an invoice.
//!
//! Billing never talks to a payment service directly; it asks a
//! [`PaymentProvider`] to charge an amount for an invoice and records the
//! outcome. The built-in [`sandbox::SandboxPayments`] is for tests and the
//! demo. A Stripe provider would implement the same trait (see the trait's
//! docs for what it has to do); the widgets never see which provider runs.

pub mod sandbox;

use std::future::Future;
use std::pin::Pin;

use portico_types::{Keys, Money, Traits};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Who is paying, as the provider may need to find them.
#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub company_id: String,
    pub name: Option<String>,
    /// The company's keys: a Stripe provider reads `stripe_customer_id`.
    pub keys: Keys,
    pub traits: Traits,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ChargeRequest {
    pub invoice_id: String,
    /// Stable for one purchase: retrying with the same key must not charge
    /// twice (Stripe's `Idempotency-Key`).
    pub idempotency_key: String,
    pub amount: Money,
    pub description: String,
    pub customer: Customer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    Paid {
        /// The provider's id for the payment (e.g. a PaymentIntent id).
        payment_ref: String,
    },
    /// The customer's payment method was refused; nothing was taken.
    Declined {
        /// Machine-readable reason, e.g. `card_declined`.
        code: String,
        /// Shown to the customer as is.
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The provider could not be reached or failed; the charge may be
    /// retried with the same idempotency key.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
}

/// Takes payments.
///
/// A Stripe implementation would: map the customer to a Stripe Customer
/// (the `stripe_customer_id` key, or create one and store the key through
/// the company upsert); create and confirm a PaymentIntent off-session for
/// `amount` with the customer's default payment method, passing
/// `idempotency_key` as Stripe's `Idempotency-Key`; return `Paid` on
/// `succeeded`, `Declined` with Stripe's `decline_code`/message on a card
/// error, and `Unavailable` on network or 5xx errors. Payments that need the
/// customer present (3-D Secure, `requires_action`) would need one more
/// outcome carrying the client secret for the widget to confirm; collecting
/// and updating payment methods (Stripe Elements or a SetupIntent) and
/// Stripe's webhooks (disputes, asynchronous failures) are separate pieces.
pub trait PaymentProvider: Send + Sync + 'static {
    /// Stored with each payment, e.g. `"sandbox"` or `"stripe"`.
    fn name(&self) -> &'static str;

    fn charge<'a>(
        &'a self,
        request: &'a ChargeRequest,
    ) -> BoxFuture<'a, Result<ChargeOutcome, PaymentError>>;
}
