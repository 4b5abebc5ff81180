//! Percent-encoding and form decoding as the signature schemes define them.

use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// RFC 3986 unreserved characters stay; everything else is `%XX` with upper-case hex.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub fn rfc3986(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// A query string or form body that is not well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8;

/// Decode `a=1&b=x+y` with form rules (`+` is a space, `%XX` are bytes), keeping empty values
/// and the order of the pairs. Bytes that do not form UTF-8 are refused, not replaced.
pub fn form_pairs(raw: &[u8]) -> Result<Vec<(String, String)>, NotUtf8> {
    raw.split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            Ok((form_decode(name)?, form_decode(value)?))
        })
        .collect()
}

fn form_decode(raw: &[u8]) -> Result<String, NotUtf8> {
    let spaced: Vec<u8> = raw.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
    let bytes: Vec<u8> = percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|_| NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3986_keeps_only_unreserved() {
        assert_eq!(rfc3986("a b*~/-_.:"), "a%20b%2A~%2F-_.%3A");
        assert_eq!(rfc3986("测"), "%E6%B5%8B");
    }

    #[test]
    fn form_pairs_decode_and_refuse_bad_utf8() {
        let pairs = form_pairs(b"a=x+y&SignatureType=&b=%2Fdev&flag").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "x y".into()),
                ("SignatureType".into(), "".into()),
                ("b".into(), "/dev".into()),
                ("flag".into(), "".into())
            ]
        );
        assert_eq!(form_pairs(b"a=%FF%FE"), Err(NotUtf8));
    }
}
