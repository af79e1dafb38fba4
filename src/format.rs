//! Numbers, money and dates for people, per locale, through the browser's
//! `Intl`. Money reaches `Intl.NumberFormat` as an exact decimal string built
//! from integer minor units, never as a float. Outside a browser (native unit
//! tests) a plain locale-free rendering is used.

use portico_types::{Money, Timestamp};

/// Formats for one locale (`None`: the browser's own).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Formatter {
    pub locale: Option<String>,
}

impl Formatter {
    pub fn new(locale: Option<String>) -> Self {
        Formatter { locale }
    }

    pub fn money(&self, money: &Money) -> String {
        #[cfg(target_arch = "wasm32")]
        if let Some(text) = intl::money(self.locale.as_deref(), money) {
            return text;
        }
        plain_money(money)
    }

    pub fn count(&self, value: u64) -> String {
        #[cfg(target_arch = "wasm32")]
        if let Some(text) = intl::count(self.locale.as_deref(), value) {
            return text;
        }
        group_thousands(value)
    }

    /// Builds this locale's number and date formatters now. The first
    /// `Intl` formatter a page builds loads the browser's locale data: about
    /// 16 ms on the build machine, which would otherwise fall between the
    /// data arriving and the portal showing it. Called while the first read
    /// is on the network, where that time is free.
    pub fn warm_up(&self) {
        #[cfg(target_arch = "wasm32")]
        {
            let _ = intl::count(self.locale.as_deref(), 0);
            let _ = intl::date(self.locale.as_deref(), Timestamp(0));
        }
    }

    /// A calendar date, e.g. "Dec 1, 2026".
    pub fn date(&self, at: Timestamp) -> String {
        #[cfg(target_arch = "wasm32")]
        if let Some(text) = intl::date(self.locale.as_deref(), at) {
            return text;
        }
        let c = at.civil();
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
    }
}

/// `49.00 USD`: exact, locale-free.
pub fn plain_money(money: &Money) -> String {
    format!("{} {}", money.to_decimal_string(), money.currency)
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(target_arch = "wasm32")]
mod intl {
    use std::cell::RefCell;

    use js_sys::{Array, Function, Intl, Object, Reflect};
    use portico_types::{Money, Timestamp};
    use wasm_bindgen::{JsCast, JsValue};

    thread_local! {
        /// Bound `format` functions by locale and kind. Building an `Intl`
        /// formatter costs tens of microseconds, using one almost nothing:
        /// a page of 1,000 entitlements formats thousands of numbers.
        static FORMATS: RefCell<Vec<(String, Function)>> = const { RefCell::new(Vec::new()) };
    }

    fn locales(locale: Option<&str>) -> Array {
        let list = Array::new();
        if let Some(locale) = locale {
            list.push(&JsValue::from_str(locale));
        }
        list
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let object = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
        }
        object
    }

    /// The `format` function for `kind` in `locale`, made by `make` once.
    fn format(kind: &str, locale: Option<&str>, make: impl FnOnce(&Array) -> Function) -> Function {
        let key = format!("{kind}|{}", locale.unwrap_or_default());
        FORMATS.with_borrow_mut(|formats| {
            if let Some((_, format)) = formats.iter().find(|(k, _)| *k == key) {
                return format.clone();
            }
            let format = make(&locales(locale));
            formats.push((key, format.clone()));
            format
        })
    }

    fn call(format: Function, value: &JsValue) -> Option<String> {
        format.call1(&JsValue::NULL, value).ok()?.as_string()
    }

    pub fn money(locale: Option<&str>, money: &Money) -> Option<String> {
        let format = format(&money.currency, locale, |locales| {
            Intl::NumberFormat::new(
                locales,
                &options(&[("style", "currency"), ("currency", &money.currency)]),
            )
            .format()
        });
        // A string argument is formatted as an exact decimal (Intl.NumberFormat v3).
        call(format, &JsValue::from_str(&money.to_decimal_string()))
    }

    pub fn count(locale: Option<&str>, value: u64) -> Option<String> {
        let format = format("#", locale, |locales| {
            Intl::NumberFormat::new(locales, &Object::new()).format()
        });
        call(format, &JsValue::from_str(&value.to_string()))
    }

    pub fn date(locale: Option<&str>, at: Timestamp) -> Option<String> {
        let format = format("date", locale, |locales| {
            Intl::DateTimeFormat::new(locales, &options(&[("dateStyle", "medium")])).format()
        });
        let date = js_sys::Date::new(&JsValue::from_f64(at.unix_millis() as f64));
        call(format, date.unchecked_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_renderings_are_exact() {
        assert_eq!(plain_money(&Money::new(4900, "USD").unwrap()), "49.00 USD");
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        let f = Formatter::default();
        assert_eq!(
            f.date(Timestamp::parse_rfc3339("2026-12-01T00:00:00Z").unwrap()),
            "2026-12-01"
        );
    }
}
