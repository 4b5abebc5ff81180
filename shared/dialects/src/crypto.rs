//! The primitives every signature scheme is built from.

use chrono::{DateTime, Utc};
use domain::AuthFailure;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The SHA-256 of `data` in lower-case hex, as every canonical request writes a hash.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Equal without an early exit (`subtle`), so the time taken does not reveal how much of a guess
/// was right; slices of different lengths are unequal.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// A Unix timestamp in seconds, as the Tencent and Zenlayer schemes carry it.
pub fn unix_seconds(raw: &str) -> Result<DateTime<Utc>, AuthFailure> {
    let seconds: i64 = raw.trim().parse().map_err(|_| AuthFailure::BadTimestamp)?;
    DateTime::<Utc>::from_timestamp(seconds, 0).ok_or(AuthFailure::BadTimestamp)
}

/// A signed instant within `max_skew_seconds` of now, either way.
pub fn fresh(at: DateTime<Utc>, now: DateTime<Utc>, max_skew_seconds: u64) -> Result<(), AuthFailure> {
    // In i128 so that no timestamp, however absurd, can overflow the subtraction.
    let skew = (i128::from(now.timestamp()) - i128::from(at.timestamp())).unsigned_abs();
    if skew > u128::from(max_skew_seconds) {
        return Err(AuthFailure::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_every_byte_and_the_length_agree() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret!"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn sha256_hex_of_nothing_is_the_well_known_digest() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
