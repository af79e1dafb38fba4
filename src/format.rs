//! Numbers, money and dates for people, per locale, through the browser's
//! `Intl`. Money reaches `Intl.NumberFormat` as an exact decimal string built
//! from integer minor units, never as a float. Outside a browser (native unit
//! tests) a plain locale-free rendering is used.

use portico_types::{digits, Money, Timestamp};

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
        {
            if self.is_us_english() {
                if let Some(text) = us_english::money(money) {
                    return text;
                }
            }
            if let Some(text) = intl::money(self.locale.as_deref(), money) {
                return text;
            }
        }
        plain_money(money)
    }

    pub fn count(&self, value: u64) -> String {
        #[cfg(target_arch = "wasm32")]
        if !self.is_us_english() {
            if let Some(text) = intl::count(self.locale.as_deref(), value) {
                return text;
            }
        }
        group_thousands(value)
    }

    /// Builds this locale's number and date formatters now. The first
    /// `Intl` formatter a page builds loads the browser's locale data: about
    /// 11–16 ms on the build machine, which would otherwise fall between the
    /// data arriving and the portal showing it. Called while the first read
    /// is on the network, where that time is free. US English needs no
    /// `Intl` for what a portal shows first, so nothing is built for it.
    pub fn warm_up(&self) {
        #[cfg(target_arch = "wasm32")]
        if !self.is_us_english() {
            let _ = intl::count(self.locale.as_deref(), 0);
            let _ = intl::date(self.locale.as_deref(), Timestamp(0));
        }
    }

    /// A calendar date, e.g. "Dec 1, 2026".
    pub fn date(&self, at: Timestamp) -> String {
        #[cfg(target_arch = "wasm32")]
        {
            if self.is_us_english() {
                if let Some(text) = us_english::local_date(at) {
                    return text;
                }
            }
            if let Some(text) = intl::date(self.locale.as_deref(), at) {
                return text;
            }
        }
        // The date part of the instant's RFC 3339 text: `2026-12-01`.
        let mut text = at.to_rfc3339();
        text.truncate(text.find('T').unwrap_or(text.len()));
        text
    }

    /// Whether this formatter's locale is US English (`en-US` or `en`, or
    /// the browser's when none is set): the locale most portals show, whose
    /// counts, dates and common currencies are written here exactly as
    /// `Intl` writes them (a browser test holds them to `Intl`).
    #[cfg(target_arch = "wasm32")]
    fn is_us_english(&self) -> bool {
        match self.locale.as_deref() {
            Some(locale) => us_english::is_locale(locale),
            None => us_english::browser_default(),
        }
    }
}

/// US English as CLDR writes it (`#,##0` for counts, `MMM d, y` for dates,
/// `¤#,##0.00` for money), without `Intl`. The first `Intl` formatter a page
/// builds costs 11–16 ms of loading locale data (measured on the build
/// machine), on the path from the data arriving to rows on screen; a
/// portal in US English now never pays it.
pub mod us_english {
    use portico_types::{digits, CivilDate, Money};

    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    /// `en-US` or `en` (whose formats are `en-US`'s), in any letter case.
    /// Tags with extensions (`en-US-u-nu-arab`) or other regions go to `Intl`.
    pub fn is_locale(tag: &str) -> bool {
        tag.eq_ignore_ascii_case("en-US") || tag.eq_ignore_ascii_case("en")
    }

    /// Whether the browser's own locale (`Intl`'s default, which is
    /// `navigator.language`) is US English. Read once.
    #[cfg(target_arch = "wasm32")]
    pub fn browser_default() -> bool {
        thread_local! {
            static DEFAULT_IS_US: bool = web_sys::window()
                .and_then(|w| w.navigator().language())
                .is_some_and(|tag| is_locale(&tag));
        }
        DEFAULT_IS_US.with(|us| *us)
    }

    /// `Dec 1, 2026` for the date `at` falls on in the browser's time zone
    /// (as `Intl.DateTimeFormat` without a `timeZone` would say); `None`
    /// outside years 1000–9999, which `Intl` writes its own way.
    #[cfg(target_arch = "wasm32")]
    pub fn local_date(at: portico_types::Timestamp) -> Option<String> {
        let millis = wasm_bindgen::JsValue::from_f64(at.unix_millis() as f64);
        // Minutes behind UTC at that instant (daylight saving included;
        // fractional for some historical zones).
        let behind = js_sys::Date::new(&millis).get_timezone_offset();
        if !behind.is_finite() {
            return None;
        }
        let local = portico_types::Timestamp(at.0.checked_sub((behind * 60.0).round() as i64)?);
        date(local.civil())
    }

    /// `Dec 1, 2026`; `None` outside years 1000–9999.
    pub fn date(civil: CivilDate) -> Option<String> {
        if !(1000..=9999).contains(&civil.year) {
            return None;
        }
        let month = MONTHS.get(usize::from(civil.month).checked_sub(1)?)?;
        Some(
            [
                month,
                " ",
                &digits::decimal(civil.day.into()),
                ", ",
                &digits::decimal(civil.year as u64),
            ]
            .concat(),
        )
    }

    /// The currency's symbol in US English, for the currencies written here;
    /// the rest go to `Intl`.
    fn symbol(currency: &str) -> Option<&'static str> {
        Some(match currency {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            "JPY" => "¥",
            "CAD" => "CA$",
            "AUD" => "A$",
            "NZD" => "NZ$",
            "INR" => "₹",
            "CNY" => "CN¥",
            "MXN" => "MX$",
            "BRL" => "R$",
            "HKD" => "HK$",
            "KRW" => "₩",
            _ => return None,
        })
    }

    /// `$1,234.50`, `-€0.05`, `¥1,500`: exact, the money's decimal
    /// string (the one `Intl` is given) with its symbol and grouping.
    pub fn money(money: &Money) -> Option<String> {
        let symbol = symbol(&money.currency)?;
        let decimal = money.to_decimal_string();
        let (sign, unsigned) = match decimal.strip_prefix('-') {
            Some(unsigned) => ("-", unsigned),
            None => ("", decimal.as_str()),
        };
        let (whole, fraction) = unsigned.split_at(unsigned.find('.').unwrap_or(unsigned.len()));
        let mut out = String::with_capacity(decimal.len() + 8);
        out.push_str(sign);
        out.push_str(symbol);
        super::push_grouped(&mut out, whole);
        out.push_str(fraction);
        Some(out)
    }
}

/// `49.00 USD`: exact, locale-free.
pub fn plain_money(money: &Money) -> String {
    [&money.to_decimal_string(), " ", &money.currency].concat()
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(value: u64) -> String {
    let mut out = String::new();
    push_grouped(&mut out, &digits::decimal(value));
    out
}

/// Appends a run of ASCII digits with a `,` between each group of three.
fn push_grouped(out: &mut String, digits: &str) {
    out.reserve(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
}

#[cfg(target_arch = "wasm32")]
mod intl {
    use std::cell::RefCell;
    use std::hash::BuildHasher;

    use js_sys::{Array, Function, Intl, Object, Reflect};
    use portico_types::{digits, Money, Timestamp};
    use rustc_hash::FxBuildHasher;
    use wasm_bindgen::{JsCast, JsValue};

    /// Slots of the memo of counts and dates already formatted.
    const REMEMBERED: usize = 2048;

    /// A formatted value: the index of its format in `FORMATS`, the value.
    type Key = (usize, u64);

    thread_local! {
        /// Bound `format` functions by name and locale. Building an `Intl`
        /// formatter costs tens of microseconds, using one almost nothing:
        /// a page of 1,000 entitlements formats thousands of numbers.
        static FORMATS: RefCell<Vec<(String, Option<String>, Function)>> =
            const { RefCell::new(Vec::new()) };
        /// Text by [`Key`], one entry a slot (a newer value takes its
        /// slot). A page repeats its numbers and dates (a plan's limits,
        /// one reset date for every metered feature): a call into `Intl`
        /// costs microseconds, a lookup here nanoseconds (`cargo xtask
        /// bench scale`, data → rows).
        static REMEMBERED_TEXT: RefCell<Vec<Option<(Key, String)>>> =
            const { RefCell::new(Vec::new()) };
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

    /// The `format` function named `name` (a currency code for money) in
    /// `locale`, made by `make` once, and its place in `FORMATS`.
    fn format(
        name: &str,
        locale: Option<&str>,
        make: impl FnOnce(&Array) -> Function,
    ) -> (usize, Function) {
        FORMATS.with_borrow_mut(|formats| {
            if let Some(at) = formats
                .iter()
                .position(|(n, l, _)| n == name && l.as_deref() == locale)
            {
                return (at, formats[at].2.clone());
            }
            let format = make(&locales(locale));
            formats.push((name.to_owned(), locale.map(str::to_owned), format.clone()));
            (formats.len() - 1, format)
        })
    }

    fn call(format: &Function, value: &JsValue) -> Option<String> {
        format.call1(&JsValue::NULL, value).ok()?.as_string()
    }

    /// `format`'s text for `value` (`key` names it in the memo).
    fn remembered(
        (at, format): (usize, Function),
        key: u64,
        value: impl FnOnce() -> JsValue,
    ) -> Option<String> {
        let key = (at, key);
        let slot = FxBuildHasher.hash_one(key) as usize % REMEMBERED;
        let known = REMEMBERED_TEXT.with_borrow(|memo| match memo.get(slot) {
            Some(Some((k, text))) if *k == key => Some(text.clone()),
            _ => None,
        });
        if known.is_some() {
            return known;
        }
        let text = call(&format, &value())?;
        REMEMBERED_TEXT.with_borrow_mut(|memo| {
            if memo.is_empty() {
                memo.resize_with(REMEMBERED, || None);
            }
            memo[slot] = Some((key, text.clone()));
        });
        Some(text)
    }

    pub fn money(locale: Option<&str>, money: &Money) -> Option<String> {
        let (_, format) = format(&money.currency, locale, |locales| {
            Intl::NumberFormat::new(
                locales,
                &options(&[("style", "currency"), ("currency", &money.currency)]),
            )
            .format()
        });
        // A string argument is formatted as an exact decimal (Intl.NumberFormat v3).
        call(&format, &JsValue::from_str(&money.to_decimal_string()))
    }

    pub fn count(locale: Option<&str>, value: u64) -> Option<String> {
        let format = format("#", locale, |locales| {
            Intl::NumberFormat::new(locales, &Object::new()).format()
        });
        remembered(format, value, || {
            // A JS number holds every integer up to 2^53 exactly; past that
            // the decimal string does.
            if value <= (1 << 53) {
                JsValue::from_f64(value as f64)
            } else {
                JsValue::from_str(&digits::decimal(value))
            }
        })
    }

    pub fn date(locale: Option<&str>, at: Timestamp) -> Option<String> {
        let format = format("date", locale, |locales| {
            Intl::DateTimeFormat::new(locales, &options(&[("dateStyle", "medium")])).format()
        });
        let millis = at.unix_millis();
        remembered(format, millis as u64, || {
            js_sys::Date::new(&JsValue::from_f64(millis as f64)).unchecked_into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_english_is_written_as_cldr_writes_it() {
        let money = |minor, currency| us_english::money(&Money::new(minor, currency).unwrap());
        assert_eq!(money(4900, "USD").as_deref(), Some("$49.00"));
        assert_eq!(money(123_456_789, "USD").as_deref(), Some("$1,234,567.89"));
        assert_eq!(money(-5, "EUR").as_deref(), Some("-€0.05"));
        assert_eq!(money(0, "GBP").as_deref(), Some("£0.00"));
        assert_eq!(money(150_000, "JPY").as_deref(), Some("¥150,000"));
        assert_eq!(
            money(i64::MIN, "USD").as_deref(),
            Some("-$92,233,720,368,547,758.08")
        );
        assert_eq!(money(4900, "CHF"), None);
        let date = |text| us_english::date(Timestamp::parse_rfc3339(text).unwrap().civil());
        assert_eq!(date("2026-12-01T00:00:00Z").as_deref(), Some("Dec 1, 2026"));
        assert_eq!(
            date("2027-05-31T23:59:59Z").as_deref(),
            Some("May 31, 2027")
        );
        assert_eq!(date("0999-01-01T00:00:00Z"), None);
        assert!(us_english::is_locale("en-us") && us_english::is_locale("EN"));
        assert!(!us_english::is_locale("en-GB") && !us_english::is_locale("en-US-u-nu-arab"));
    }

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
