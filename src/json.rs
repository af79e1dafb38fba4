//! JSON text in and out of the bundle.
//!
//! In: a small parser here reads the text into a [`Value`] that
//! [`crate::wire`] reads the wire types from. Reading the browser's
//! `JSON.parse` result instead costs a call out of the wasm for every field
//! and every string (some 40 for each of a thousand entitlements), which
//! took longer than the parse itself (`cargo xtask bench scale`,
//! mount → data). Here the text crosses once, strings without escapes are
//! borrowed from it, and whole numbers are read exactly over the full
//! 64-bit range.
//!
//! Out: the browser's own `JSON.stringify` of the values [`crate::wire`]
//! writes.

use std::borrow::Cow;

use portico_types::digits;
use wasm_bindgen::JsValue;

use crate::wire::{FromJson, ToJs};

/// Why a JSON value could not be read or written. Boxed, like
/// [`WireError`](crate::wire::WireError): every step of the parser passes
/// it on, one pointer wide.
#[derive(Clone, Debug, PartialEq, Eq)]
// A `Box<str>` would be two pointers wide.
#[allow(clippy::box_collection)]
pub struct JsonError(Box<String>);

impl JsonError {
    pub fn new(message: String) -> Self {
        JsonError(Box::new(message))
    }

    pub fn message(&self) -> &str {
        &self.0
    }

    pub fn into_message(self) -> String {
        *self.0
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

fn js_error(value: JsValue) -> JsonError {
    JsonError::new(
        js_sys::Error::from(value)
            .message()
            .as_string()
            .unwrap_or_else(|| "invalid JSON".to_owned()),
    )
}

/// A JSON value as read from its text.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// A number as written: the type that reads it decides what it must be
    /// (a whole number read exactly, or any number).
    Number(&'a str),
    /// Borrowed from the text unless it had escapes.
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    /// Members in the order written.
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

static NULL: Value<'static> = Value::Null;

impl<'a> Value<'a> {
    /// Member `key` of an object, or `Null` when there is none (a missing
    /// field reads as `null` does). Of a name written twice, the first
    /// counts (no API answer repeats one).
    ///
    /// A linear search from the front (a wire type has a dozen fields at
    /// most): most names differ from `key` in length or first byte and
    /// are told apart without comparing them whole (a portal of 1,000
    /// entitlements looks up some 12,000 fields).
    pub fn get(&self, key: &str) -> &Value<'a> {
        let Value::Object(members) = self else {
            return &NULL;
        };
        let key = key.as_bytes();
        members
            .iter()
            .find(|(name, _)| {
                let name = name.as_bytes();
                name.len() == key.len() && name.first() == key.first() && name == key
            })
            .map_or(&NULL, |(_, value)| value)
    }
}

/// Deeper than any wire type nests; stops a hostile text from exhausting
/// the stack.
const MAX_DEPTH: u32 = 128;

/// Reads `text` as one JSON value (RFC 8259), with whitespace around it.
/// Never inlined: each wire type's reader calls the one copy.
#[inline(never)]
pub fn parse_value(text: &str) -> Result<Value<'_>, JsonError> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_whitespace();
    if parser.at < text.len() {
        return Err(parser.error("unexpected text after the value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    /// Always at a character boundary: the parser stops only at ASCII bytes.
    at: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn error(&self, problem: &str) -> JsonError {
        JsonError::new(
            [
                "invalid JSON at byte ",
                &digits::decimal(self.at as u64),
                ": ",
                problem,
            ]
            .concat(),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Value<'a>, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end")),
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.text.as_bytes()[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unexpected character"))
        }
    }

    fn nested(
        &mut self,
        read: fn(&mut Self) -> Result<Value<'a>, JsonError>,
    ) -> Result<Value<'a>, JsonError> {
        if self.depth == MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.depth += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    /// After a list item or member: `,` to go on, or `close` to end.
    fn more(&mut self, close: u8) -> Result<bool, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(byte) if byte == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(self.error(if close == b']' {
                "expected , or ]"
            } else {
                "expected , or }"
            })),
        }
    }

    /// Past the opening byte; whether the container is empty (and closed).
    fn open(&mut self, close: u8) -> bool {
        self.at += 1;
        self.skip_whitespace();
        let empty = self.peek() == Some(close);
        if empty {
            self.at += 1;
        }
        empty
    }

    fn array(&mut self) -> Result<Value<'a>, JsonError> {
        let mut items = Vec::new();
        if !self.open(b']') {
            loop {
                items.push(self.value()?);
                if !self.more(b']')? {
                    break;
                }
            }
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self) -> Result<Value<'a>, JsonError> {
        let mut members = Vec::new();
        if !self.open(b'}') {
            loop {
                self.skip_whitespace();
                if self.peek() != Some(b'"') {
                    return Err(self.error("expected a member name"));
                }
                let name = self.string()?;
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(self.error("expected :"));
                }
                self.at += 1;
                members.push((name, self.value()?));
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        Ok(Value::Object(members))
    }

    /// Past the next run of characters that need no unescaping.
    fn plain_run(&mut self) -> &'a str {
        let start = self.at;
        let rest = &self.text.as_bytes()[start..];
        self.at += rest
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20)
            .unwrap_or(rest.len());
        &self.text[start..self.at]
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.at += 1;
        let mut text = Cow::Borrowed(self.plain_run());
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(text);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let unescaped = self.escape()?;
                    let owned = text.to_mut();
                    owned.push(unescaped);
                    owned.push_str(self.plain_run());
                }
                Some(_) => return Err(self.error("control character in a string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let escape = self.peek();
        self.at += 1;
        Ok(match escape {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => self.unicode_escape()?,
            _ => return Err(self.error("invalid escape")),
        })
    }

    /// `\uXXXX`, or two for a surrogate pair. A lone surrogate reads as
    /// U+FFFD, as the browser's strings turn into Rust's.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.text.as_bytes()[self.at..].starts_with(b"\\u")
        {
            let before = self.at;
            self.at += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            self.at = before;
        }
        Ok(char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|byte| char::from(byte).to_digit(16))
                .ok_or_else(|| self.error("invalid \\u escape"))?;
            code = code * 16 + digit;
            self.at += 1;
        }
        Ok(code)
    }

    fn digits(&mut self) -> bool {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at > start
    }

    fn number(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let whole = match self.peek() {
            Some(b'0') => {
                self.at += 1;
                true
            }
            _ => self.digits(),
        };
        let mut valid = whole;
        if self.peek() == Some(b'.') {
            self.at += 1;
            valid &= self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            valid &= self.digits();
        }
        if !valid {
            return Err(self.error("invalid number"));
        }
        Ok(Value::Number(&self.text[start..self.at]))
    }
}

/// Reads JSON `text` as a `T`.
pub fn parse_str<T: FromJson>(text: &str) -> Result<T, JsonError> {
    T::from_json(&parse_value(text)?).map_err(wire_error)
}

#[inline(never)]
fn wire_error(error: crate::wire::WireError) -> JsonError {
    JsonError::new(error.message())
}

/// Reads `text` (a JavaScript string, such as a response body) as a `T`.
pub fn parse<T: FromJson>(text: &js_sys::JsString) -> Result<T, JsonError> {
    parse_str(&String::from(text))
}

/// The JSON text of a value a host page passed in (`null` for
/// `undefined`); functions in it are left out, as `JSON.stringify` does.
#[inline(never)]
pub fn text_of(value: &JsValue) -> Result<String, JsonError> {
    let text = js_sys::JSON::stringify(value).map_err(js_error)?;
    Ok(text.as_string().unwrap_or_else(|| "null".to_owned()))
}

/// Reads a value a host page passed in (plain data: objects, lists,
/// strings, numbers, booleans) as a `T`, through its JSON text.
pub fn read_js<T: FromJson>(value: &JsValue) -> Result<T, JsonError> {
    parse_str(&text_of(value)?)
}

/// Writes `value` as JSON text (a JavaScript string, such as a request
/// body).
pub fn stringify<T: ToJs>(value: &T) -> Result<js_sys::JsString, JsonError> {
    js_sys::JSON::stringify(&value.to_js()).map_err(js_error)
}

#[cfg(test)]
mod tests {
    use super::{parse_value, Value};

    fn string(text: &str) -> Value<'_> {
        Value::String(text.into())
    }

    #[test]
    fn reads_every_kind_of_value() {
        let value = parse_value(
            r#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}, "e": "", "f": []} "#,
        )
        .unwrap();
        assert_eq!(
            value.get("a"),
            &Value::Array(vec![
                Value::Number("1"),
                Value::Number("-2.5e3"),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
            ])
        );
        assert_eq!(value.get("b").get("c"), &string("d"));
        assert_eq!(value.get("e"), &string(""));
        assert_eq!(value.get("f"), &Value::Array(vec![]));
        assert_eq!(value.get("missing"), &Value::Null);
        assert_eq!(value.get("a").get("not an object"), &Value::Null);
    }

    #[test]
    fn strings_are_unescaped_and_borrowed_when_they_can_be() {
        let value =
            parse_value(r#"["plain é", "a\"b\\c\/d\n\t\u00e9\ud83d\ude00 \ud800 end"]"#).unwrap();
        let Value::Array(items) = value else {
            panic!("a list")
        };
        assert!(matches!(
            &items[0],
            Value::String(std::borrow::Cow::Borrowed("plain é"))
        ));
        assert_eq!(items[1], string("a\"b\\c/d\n\té😀 \u{fffd} end"));
    }

    #[test]
    fn the_first_of_a_repeated_name_counts() {
        let value = parse_value(r#"{"ab": 1, "ac": 2, "ab": 3, "b": 4}"#).unwrap();
        assert_eq!(value.get("ab"), &Value::Number("1"));
        assert_eq!(value.get("ac"), &Value::Number("2"));
        assert_eq!(value.get("b"), &Value::Number("4"));
        assert_eq!(value.get("a"), &Value::Null);
        assert_eq!(value.get(""), &Value::Null);
    }

    #[test]
    fn malformed_text_is_refused_with_where() {
        for (text, problem) in [
            ("", "unexpected end"),
            ("{", "expected a member name"),
            ("[1,]", "unexpected character"),
            ("[1 2]", "expected , or ]"),
            (r#"{"a" 1}"#, "expected :"),
            (r#"{"a": 1,}"#, "expected a member name"),
            (r#""open"#, "unterminated string"),
            ("\"tab\there\"", "control character in a string"),
            (r#""\x""#, "invalid escape"),
            (r#""\u12G4""#, "invalid \\u escape"),
            ("01", "unexpected text after the value"),
            ("-", "invalid number"),
            ("1.", "invalid number"),
            ("1e", "invalid number"),
            ("tru", "unexpected character"),
            ("nul", "unexpected character"),
            ("{} {}", "unexpected text after the value"),
        ] {
            let error = parse_value(text).expect_err(text);
            assert!(error.message().ends_with(problem), "{text:?}: {error}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse_value(&deep)
            .unwrap_err()
            .0
            .ends_with("nested too deeply"));
        let fine = "[".repeat(100) + &"]".repeat(100);
        assert!(parse_value(&fine).is_ok());
    }

    #[test]
    fn no_text_makes_it_panic() {
        // Texts made of JSON's own characters, escapes and multi-byte
        // characters in every order a small generator reaches.
        const PIECES: &[&str] = &[
            "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d83d", "\\ude00", "é", "😀", "-",
            "0", "1e", ".", "+", "true", "nul", " ", "\n", "\u{1}", "a",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 12) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
            }
            seed = seed.wrapping_add(0x2545_f491_4f6c_dd1d);
            if let Ok(value) = parse_value(&text) {
                let _ = value.get("a");
            }
        }
    }
}
