//! Numbers and dates as people read them: exactly what the browser's `Intl`
//! says, whether the formatter asked `Intl` or remembered an earlier answer.

use js_sys::{Array, Intl, Object, Reflect};
use portico::format::Formatter;
use portico_types::{Money, Timestamp};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn intl_count(locale: &str, value: &JsValue) -> String {
    let locales = Array::of1(&JsValue::from_str(locale));
    let format = Intl::NumberFormat::new(&locales, &Object::new()).format();
    format
        .call1(&JsValue::NULL, value)
        .ok()
        .and_then(|text| text.as_string())
        .expect("Intl formats a number")
}

fn intl_date(locale: &str, millis: i64) -> String {
    let locales = Array::of1(&JsValue::from_str(locale));
    let options = Object::new();
    Reflect::set(&options, &"dateStyle".into(), &"medium".into()).expect("an object");
    let format = Intl::DateTimeFormat::new(&locales, &options).format();
    let date = js_sys::Date::new(&JsValue::from_f64(millis as f64));
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|text| text.as_string())
        .expect("Intl formats a date")
}

#[wasm_bindgen_test]
fn counts_are_intls_the_first_time_and_every_time_after() {
    let german = Formatter::new(Some("de-DE".to_owned()));
    let english = Formatter::new(Some("en-US".to_owned()));
    // More values than the memo has slots, twice over, in two locales: a
    // value must never come back in another's text or another locale's.
    for round in 0..2 {
        for value in (0..5_000u64).map(|i| i * 997) {
            let expected = intl_count("de-DE", &JsValue::from_f64(value as f64));
            assert_eq!(
                german.count(value),
                expected,
                "de-DE {value}, round {round}"
            );
            let expected = intl_count("en-US", &JsValue::from_f64(value as f64));
            assert_eq!(
                english.count(value),
                expected,
                "en-US {value}, round {round}"
            );
        }
    }
    // Past 2^53 a JS number is no longer exact: the decimal string is.
    assert_eq!(english.count(u64::MAX), "18,446,744,073,709,551,615");
    assert_eq!(english.count((1 << 53) + 1), "9,007,199,254,740,993");
    assert_eq!(german.count(u64::MAX), "18.446.744.073.709.551.615");
}

#[wasm_bindgen_test]
fn dates_are_intls_the_first_time_and_every_time_after() {
    let german = Formatter::new(Some("de-DE".to_owned()));
    let english = Formatter::new(Some("en-US".to_owned()));
    let first = Timestamp::parse_rfc3339("2026-12-01T12:00:00Z").expect("a timestamp");
    for round in 0..2 {
        for day in 0..400 {
            let at = Timestamp(first.0 + day * 86_400);
            let millis = at.unix_millis();
            assert_eq!(
                english.date(at),
                intl_date("en-US", millis),
                "day {day}, round {round}"
            );
            assert_eq!(
                german.date(at),
                intl_date("de-DE", millis),
                "day {day}, round {round}"
            );
        }
    }
    // Noon UTC on Dec 1 is Dec 2 in the zones a day ahead (`cargo xtask
    // test` runs these tests again in some).
    let local_day = js_sys::Date::new(&JsValue::from_f64(first.unix_millis() as f64)).get_date();
    assert_eq!(english.date(first), format!("Dec {local_day}, 2026"));
}

fn intl_money(locale: Option<&str>, money: &Money) -> String {
    let locales = Array::new();
    if let Some(locale) = locale {
        locales.push(&JsValue::from_str(locale));
    }
    let options = Object::new();
    Reflect::set(&options, &"style".into(), &"currency".into()).expect("an object");
    Reflect::set(
        &options,
        &"currency".into(),
        &money.currency.as_str().into(),
    )
    .expect("an object");
    let format = Intl::NumberFormat::new(&locales, &options).format();
    format
        .call1(
            &JsValue::NULL,
            &JsValue::from_str(&money.to_decimal_string()),
        )
        .ok()
        .and_then(|text| text.as_string())
        .expect("Intl formats money")
}

/// US English is written without `Intl` (its locale data costs a cold page
/// 11–16 ms): every currency it writes itself, and one it leaves to `Intl`,
/// must read exactly as `Intl` writes them, in `en-US`, `en` and the
/// browser's own locale when that is US English.
#[wasm_bindgen_test]
fn us_english_money_is_intls() {
    let browser_is_us = web_sys::window()
        .and_then(|w| w.navigator().language())
        .is_some_and(|tag| tag == "en-US");
    let mut locales = vec![Some("en-US"), Some("en")];
    if browser_is_us {
        locales.push(None);
    }
    let amounts = [
        0,
        1,
        5,
        99,
        100,
        4_900,
        123_456,
        99_999_999,
        1_000_000_000_000_007,
        -5,
        -123_456,
    ];
    for locale in locales {
        let formatter = Formatter::new(locale.map(str::to_owned));
        for currency in [
            "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "NZD", "INR", "CNY", "MXN", "BRL", "HKD",
            "KRW", "CHF",
        ] {
            for minor in amounts {
                let money = Money::new(minor, currency).expect("money");
                assert_eq!(
                    formatter.money(&money),
                    intl_money(locale, &money),
                    "{locale:?} {minor} {currency}"
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn us_english_counts_and_dates_are_intls_in_en_and_the_browsers_locale() {
    let browser_is_us = web_sys::window()
        .and_then(|w| w.navigator().language())
        .is_some_and(|tag| tag == "en-US");
    let mut formatters = vec![("en", Formatter::new(Some("en".to_owned())))];
    if browser_is_us {
        formatters.push(("en-US", Formatter::new(None)));
    }
    let first = Timestamp::parse_rfc3339("1999-12-31T23:30:00Z").expect("a timestamp");
    for (intl_locale, formatter) in formatters {
        for value in [0, 7, 999, 1_000, 65_536, 1_234_567_890] {
            let expected = intl_count(intl_locale, &JsValue::from_f64(value as f64));
            assert_eq!(formatter.count(value), expected, "{intl_locale} {value}");
        }
        // Every month, and a day before and after each year's turn.
        for day in (0..30 * 400).step_by(29) {
            let at = Timestamp(first.0 + day * 86_400);
            assert_eq!(
                formatter.date(at),
                intl_date(intl_locale, at.unix_millis()),
                "{intl_locale} day {day}"
            );
        }
    }
}
