//! Numbers and dates as people read them: exactly what the browser's `Intl`
//! says, whether the formatter asked `Intl` or remembered an earlier answer.

use js_sys::{Array, Intl, Object, Reflect};
use portico::format::Formatter;
use portico_types::Timestamp;
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
    assert_eq!(english.date(first), "Dec 1, 2026");
}
