//! Integers as text, without `core::fmt`.
//!
//! The portal module writes every number it shows or sends through these,
//! and joins its other text with `concat`, so that Rust's formatting
//! machinery (argument lists, padding, a trait object per value) is not in
//! the module at all: about 1 KB brotli of a budget of 90 (see the README's
//! bundle notes). The server may use them or `format!` alike.

/// `value` in decimal: `1234` → `"1234"`.
pub fn decimal(value: u64) -> String {
    padded(value, 1)
}

/// `value` in decimal, zero-padded to `width` digits: `(7, 2)` → `"07"`.
/// A wider value is written whole, never cut.
pub fn padded(value: u64, width: usize) -> String {
    let mut out = String::new();
    push_in_radix(&mut out, value, 10, width);
    out
}

/// Appends [`padded`]`(value, width)` to `out`.
pub fn push_padded(out: &mut String, value: u64, width: usize) {
    push_in_radix(out, value, 10, width);
}

/// `value` in lowercase hexadecimal, zero-padded to `width` digits:
/// `(255, 4)` → `"00ff"`.
pub fn hex(value: u64, width: usize) -> String {
    let mut out = String::new();
    push_in_radix(&mut out, value, 16, width);
    out
}

/// One function for all of them, so the module carries one loop.
fn push_in_radix(out: &mut String, mut value: u64, radix: u64, width: usize) {
    // u64::MAX has 20 decimal digits, and no width asked for is wider.
    const MOST: usize = 20;
    let mut digits = [b'0'; MOST];
    let mut start = MOST;
    while value > 0 || MOST - start < width.clamp(1, MOST) {
        start -= 1;
        digits[start] = b"0123456789abcdef"[(value % radix) as usize];
        value /= radix;
    }
    out.extend(digits[start..].iter().map(|&digit| char::from(digit)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_match_the_standard_library() {
        for value in [0, 1, 9, 10, 99, 100, 1234, 4_294_967_296, u64::MAX] {
            assert_eq!(decimal(value), value.to_string());
        }
    }

    #[test]
    fn padding_adds_zeros_and_never_cuts() {
        assert_eq!(padded(7, 2), "07");
        assert_eq!(padded(2026, 4), "2026");
        assert_eq!(padded(12345, 2), "12345");
        assert_eq!(padded(0, 0), "0");
        assert_eq!(padded(5, 40), format!("{:020}", 5));
        let mut out = "at ".to_owned();
        push_padded(&mut out, 9, 2);
        assert_eq!(out, "at 09");
    }

    #[test]
    fn hex_matches_the_standard_library() {
        for value in [0, 0x1f, 0xabc, u64::MAX] {
            assert_eq!(hex(value, 16), format!("{value:016x}"));
            assert_eq!(hex(value, 4), format!("{value:04x}"));
        }
    }
}
