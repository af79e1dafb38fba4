//! Money as integer minor units plus an ISO 4217 currency code.
//!
//! There is no float anywhere in the path from catalog to screen: amounts are
//! `i64` minor units (cents for USD, yen for JPY, fils for KWD), arithmetic is
//! checked, and [`Money::to_decimal_string`] produces the exact decimal text
//! that the browser's `Intl.NumberFormat` then formats for a locale.

use core::fmt;

use serde::{Deserialize, Serialize};

/// An exact amount of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in the currency's minor unit (e.g. cents).
    pub amount_minor: i64,
    /// ISO 4217 code, upper case (`USD`, `EUR`, `JPY`).
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoneyError {
    CurrencyMismatch { left: String, right: String },
    Overflow,
    InvalidCurrency(String),
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::CurrencyMismatch { left, right } => {
                write!(f, "cannot combine amounts in {left} and {right}")
            }
            MoneyError::Overflow => f.write_str("amount out of range"),
            MoneyError::InvalidCurrency(code) => {
                write!(
                    f,
                    "{code:?} is not an ISO 4217 currency code (three letters A-Z)"
                )
            }
        }
    }
}

impl std::error::Error for MoneyError {}

/// Digits after the decimal point in the currency's minor unit (ISO 4217).
/// Currencies not listed use two.
pub fn minor_unit_exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

impl Money {
    pub fn new(amount_minor: i64, currency: impl Into<String>) -> Result<Self, MoneyError> {
        let currency = currency.into();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(MoneyError::InvalidCurrency(currency));
        }
        Ok(Money {
            amount_minor,
            currency,
        })
    }

    pub fn zero(currency: impl Into<String>) -> Result<Self, MoneyError> {
        Money::new(0, currency)
    }

    pub fn is_zero(&self) -> bool {
        self.amount_minor == 0
    }

    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount_minor = self
            .amount_minor
            .checked_add(other.amount_minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            amount_minor,
            currency: self.currency.clone(),
        })
    }

    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let amount_minor = self
            .amount_minor
            .checked_sub(other.amount_minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            amount_minor,
            currency: self.currency.clone(),
        })
    }

    pub fn checked_mul(&self, factor: i64) -> Result<Money, MoneyError> {
        let amount_minor = self
            .amount_minor
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            amount_minor,
            currency: self.currency.clone(),
        })
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency.clone(),
                right: other.currency.clone(),
            })
        }
    }

    /// The exact decimal value as text, e.g. `4900 USD` → `"49.00"`,
    /// `-5 USD` → `"-0.05"`, `1500 JPY` → `"1500"`, `1234 KWD` → `"1.234"`.
    /// `Intl.NumberFormat.prototype.format` accepts such strings and formats
    /// them without passing through a float.
    pub fn to_decimal_string(&self) -> String {
        let exponent = minor_unit_exponent(&self.currency) as usize;
        let digits = crate::digits::decimal(self.amount_minor.unsigned_abs());
        let mut out = String::with_capacity(digits.len() + 3);
        if self.amount_minor < 0 {
            out.push('-');
        }
        if exponent == 0 {
            out.push_str(&digits);
            return out;
        }
        if digits.len() <= exponent {
            out.push_str("0.");
            out.extend(core::iter::repeat_n('0', exponent - digits.len()));
            out.push_str(&digits);
        } else {
            let (whole, fraction) = digits.split_at(digits.len() - exponent);
            out.push_str(whole);
            out.push('.');
            out.push_str(fraction);
        }
        out
    }
}

impl fmt::Display for Money {
    /// A locale-free rendering (`49.00 USD`) for logs, errors and invoices
    /// written by the server; the widgets format per locale instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(cents: i64) -> Money {
        Money::new(cents, "USD").unwrap()
    }

    #[test]
    fn decimal_strings_are_exact() {
        assert_eq!(usd(4900).to_decimal_string(), "49.00");
        assert_eq!(usd(5).to_decimal_string(), "0.05");
        assert_eq!(usd(-5).to_decimal_string(), "-0.05");
        assert_eq!(usd(0).to_decimal_string(), "0.00");
        assert_eq!(usd(123_456_789_012).to_decimal_string(), "1234567890.12");
        assert_eq!(usd(i64::MIN).to_decimal_string(), "-92233720368547758.08");
        assert_eq!(Money::new(1500, "JPY").unwrap().to_decimal_string(), "1500");
        assert_eq!(
            Money::new(1234, "KWD").unwrap().to_decimal_string(),
            "1.234"
        );
        assert_eq!(Money::new(7, "KWD").unwrap().to_decimal_string(), "0.007");
    }

    #[test]
    fn arithmetic_is_checked_and_single_currency() {
        assert_eq!(usd(10).checked_add(&usd(5)).unwrap(), usd(15));
        assert_eq!(usd(10).checked_sub(&usd(15)).unwrap(), usd(-5));
        assert_eq!(
            usd(i64::MAX).checked_add(&usd(1)),
            Err(MoneyError::Overflow)
        );
        assert_eq!(usd(i64::MAX).checked_mul(2), Err(MoneyError::Overflow));
        assert!(matches!(
            usd(1).checked_add(&Money::new(1, "EUR").unwrap()),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    #[test]
    fn currency_codes_are_validated() {
        assert!(Money::new(1, "usd").is_err());
        assert!(Money::new(1, "US").is_err());
        assert!(Money::new(1, "USDX").is_err());
        assert!(Money::new(1, "EUR").is_ok());
    }
}
