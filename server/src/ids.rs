//! Record ids: a type prefix and 128 random bits in lower-case Crockford
//! base32 (`cmp_7q0…`), so an id says what it names and cannot be guessed.

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// 16 bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing is not something a request can recover
    // from; without it no id or token would be safe to hand out.
    if let Err(e) = getrandom::fill(&mut bytes) {
        panic!("operating system random source failed: {e}");
    }
    bytes
}

pub fn new_id(prefix: &str) -> String {
    let bytes: [u8; 16] = random_bytes();
    let mut value = u128::from_be_bytes(bytes);
    let mut out = String::with_capacity(prefix.len() + 27);
    out.push_str(prefix);
    out.push('_');
    for _ in 0..26 {
        out.push(char::from(ALPHABET[(value & 31) as usize]));
        value >>= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = super::new_id("cmp");
        let b = super::new_id("cmp");
        assert!(a.starts_with("cmp_") && a.len() == 30, "{a}");
        assert_ne!(a, b);
    }
}
