//! The sandbox payment provider: takes no real money, remembers every
//! charge, and declines when told to.
//!
//! A company chooses how its "card" behaves with the trait `sandbox_card`:
//! `"declined"` (declined), `"insufficient_funds"` (declined for lack of
//! funds), `"unavailable"` (the provider is down); anything else pays. Set it
//! with `PUT /v1/companies` and the secret key.

use std::collections::HashMap;
use std::sync::Mutex;

use portico_types::TraitValue;

use super::{BoxFuture, ChargeOutcome, ChargeRequest, PaymentError, PaymentProvider};
use crate::ids::new_id;

/// The trait that steers the sandbox.
pub const SANDBOX_CARD_TRAIT: &str = "sandbox_card";

#[derive(Debug, Default)]
pub struct SandboxPayments {
    /// Outcome per idempotency key, so a retried charge is not charged twice.
    charges: Mutex<HashMap<String, (ChargeRequest, ChargeOutcome)>>,
}

impl SandboxPayments {
    pub fn new() -> Self {
        SandboxPayments::default()
    }

    /// The successful charges, in no particular order.
    pub fn paid(&self) -> Vec<ChargeRequest> {
        self.lock()
            .values()
            .filter(|(_, outcome)| matches!(outcome, ChargeOutcome::Paid { .. }))
            .map(|(request, _)| request.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (ChargeRequest, ChargeOutcome)>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.charges
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl PaymentProvider for SandboxPayments {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn charge<'a>(
        &'a self,
        request: &'a ChargeRequest,
    ) -> BoxFuture<'a, Result<ChargeOutcome, PaymentError>> {
        Box::pin(async move {
            if let Some((_, outcome)) = self.lock().get(&request.idempotency_key) {
                return Ok(outcome.clone());
            }
            let card = match request.customer.traits.get(SANDBOX_CARD_TRAIT) {
                Some(TraitValue::Text(card)) => card.as_str(),
                _ => "ok",
            };
            let outcome = match card {
                "unavailable" => {
                    return Err(PaymentError::Unavailable(
                        "sandbox told to be unavailable".into(),
                    ))
                }
                "declined" => ChargeOutcome::Declined {
                    code: "card_declined".into(),
                    message: "Your card was declined.".into(),
                },
                "insufficient_funds" => ChargeOutcome::Declined {
                    code: "insufficient_funds".into(),
                    message: "Your card has insufficient funds.".into(),
                },
                _ => ChargeOutcome::Paid {
                    payment_ref: new_id("sbx"),
                },
            };
            self.lock().insert(
                request.idempotency_key.clone(),
                (request.clone(), outcome.clone()),
            );
            Ok(outcome)
        })
    }
}
