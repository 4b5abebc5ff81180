//! The random part of the resource ids the dialects mint.

const BASE36: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` random lower-case alphanumerics: the base-36 digits of one v4 UUID, lowest first (its
/// 122 random bits are enough for 23).
pub fn base36(len: usize) -> String {
    let mut n = uuid::Uuid::new_v4().as_u128();
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(BASE36[(n % 36) as usize] as char);
        n /= 36;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_is_as_long_as_asked_and_lower_case_alphanumeric() {
        for len in [0, 8, 17, 23] {
            let id = base36(len);
            assert_eq!(id.len(), len);
            assert!(id.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()), "{id}");
        }
        assert_ne!(base36(17), base36(17));
    }
}
