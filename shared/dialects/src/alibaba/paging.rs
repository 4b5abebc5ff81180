//! How the Describe calls page: by page number, or by `MaxResults` / `NextToken`, whose tokens
//! are opaque and sealed to the query and account they were issued for (ListTagResources' tokens
//! too).

use super::params::{integer, optional};
use super::wire::RpcRequest;
use base64::Engine;
use domain::{DomainError, DomainResult};

/// How a Describe call pages: by page number, or by an opaque token.
#[derive(Debug, Clone, PartialEq)]
pub enum Paging {
    Pages {
        number: usize,
        size: usize,
    },
    /// `MaxResults` / `NextToken`: `offset` is where the token says to start.
    Token {
        max_results: usize,
        offset: usize,
    },
}

/// Paging by page number: `PageNumber` from 1, `PageSize` 1–100 (default 10).
pub(super) fn pages(rpc: &RpcRequest) -> DomainResult<(usize, usize)> {
    let number = integer(rpc, "PageNumber", 1..=i64::from(u32::MAX))?.unwrap_or(1) as usize;
    let size = integer(rpc, "PageSize", 1..=100)?.unwrap_or(10) as usize;
    Ok((number, size))
}

/// Paging by `MaxResults`/`NextToken` when either is given, else by page number. A token is
/// bound to the query it was issued for: `fingerprint` names the query's filters.
pub(super) fn paging(rpc: &RpcRequest, fingerprint: &str) -> DomainResult<Paging> {
    if !pages_by_token(rpc) {
        let (number, size) = pages(rpc)?;
        return Ok(Paging::Pages { number, size });
    }
    let max = integer(rpc, "MaxResults", 1..=100)?;
    let offset = match optional(rpc, "NextToken") {
        None => 0,
        Some(t) => read_token(&t, fingerprint)
            .ok_or_else(|| DomainError::invalid("NextToken", "The token is not one this query issued."))?,
    };
    Ok(Paging::Token { max_results: max.unwrap_or(10) as usize, offset })
}

/// Whether a listing pages by `MaxResults`/`NextToken` (and so needs the service's seal key)
/// rather than by page number.
pub fn pages_by_token(rpc: &RpcRequest) -> bool {
    optional(rpc, "MaxResults").is_some() || optional(rpc, "NextToken").is_some()
}

/// The token that resumes `fingerprint`'s listing at `offset`: opaque, and checked on return so
/// that an edited, forged or foreign token is refused rather than misread. The fingerprint is
/// keyed with the service's own key (see [`fingerprint_of`]), so a client cannot compute a seal.
pub fn token(offset: usize, fingerprint: &str) -> String {
    let text = format!("{offset}.{}", seal(offset, fingerprint));
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

pub(crate) fn read_token(token: &str, fingerprint: &str) -> Option<usize> {
    let text =
        String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let (offset, seal_given) = text.split_once('.')?;
    let offset: usize = offset.parse().ok()?;
    crate::crypto::constant_time_eq(seal(offset, fingerprint).as_bytes(), seal_given.as_bytes())
        .then_some(offset)
}

fn seal(offset: usize, fingerprint: &str) -> String {
    hex::encode(&crate::crypto::hmac_sha256(fingerprint.as_bytes(), offset.to_string().as_bytes())[..16])
}

/// One page of `items`, and the token for the next (empty at the end) when paging by token.
pub fn page<'a, T>(paging: &Paging, items: &'a [T], fingerprint: &str) -> (Vec<&'a T>, Option<String>) {
    match *paging {
        Paging::Pages { number, size } => {
            (items.iter().skip((number - 1).saturating_mul(size)).take(size).collect(), None)
        }
        Paging::Token { max_results, offset } => {
            let page: Vec<&'a T> = items.iter().skip(offset).take(max_results).collect();
            let next = offset + page.len();
            let token = if next < items.len() { token(next, fingerprint) } else { String::new() };
            (page, Some(token))
        }
    }
}

/// The identity of a query — whose it is, its region and filters, not its paging or signature —
/// to bind tokens to it: an HMAC under the service's `key`, never shown, which tokens are sealed
/// with.
pub(crate) fn fingerprint_of(rpc: &RpcRequest, account: &str, key: &[u8]) -> String {
    let paging = ["MaxResults", "NextToken", "PageNumber", "PageSize"];
    let mut filters: Vec<(&String, &String)> = rpc
        .params
        .iter()
        .filter(|(k, _)| !paging.contains(&k.as_str()))
        .filter(|(k, _)| k.as_str() == "RegionId" || !super::params::is_common(k))
        .collect();
    filters.sort();
    hex::encode(crate::crypto::hmac_sha256(key, format!("{account}:{filters:?}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::params::rpc;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn a_token_round_trips() {
        assert_eq!(read_token(&token(30, "query"), "query"), Some(30));
        assert_eq!(read_token(&token(0, "query"), "query"), Some(0));
        let next = token(40, "query");
        let paged = paging(&rpc(&format!("NextToken={next}&MaxResults=5")), "query").unwrap();
        assert_eq!(paged, Paging::Token { max_results: 5, offset: 40 });
    }

    #[test]
    fn a_forged_foreign_or_garbled_token_is_refused() {
        let issued = token(30, "query");
        assert_eq!(read_token(&issued, "another query"), None);
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(&issued).unwrap()).unwrap();
        let (_, seal) = text.split_once('.').unwrap();
        let edited = URL_SAFE_NO_PAD.encode(format!("31.{seal}"));
        assert_eq!(read_token(&edited, "query"), None);
        let forged = URL_SAFE_NO_PAD.encode(format!("30.{}", "0".repeat(32)));
        assert_eq!(read_token(&forged, "query"), None);
        for garbled in ["", "!!!", "MzA", &issued[1..], "not a token"] {
            assert_eq!(read_token(garbled, "query"), None, "{garbled}");
        }
        let refused = paging(&rpc(&format!("NextToken={issued}")), "another query");
        assert!(
            matches!(refused, Err(DomainError::InvalidParameter { ref name, .. }) if name == "NextToken")
        );
    }

    #[test]
    fn paging_by_number_or_by_token() {
        let read = |q: &str| paging(&rpc(q), "query");
        assert_eq!(read("RegionId=r").unwrap(), Paging::Pages { number: 1, size: 10 });
        assert_eq!(read("PageNumber=3&PageSize=50").unwrap(), Paging::Pages { number: 3, size: 50 });
        assert_eq!(read("MaxResults=5").unwrap(), Paging::Token { max_results: 5, offset: 0 });
        assert!(!pages_by_token(&rpc("PageNumber=2")));
        assert!(pages_by_token(&rpc("NextToken=x")));
        for bad in ["PageSize=101", "PageNumber=0", "MaxResults=101"] {
            assert!(matches!(read(bad), Err(DomainError::InvalidParameter { .. })), "{bad}");
        }
    }

    #[test]
    fn a_page_hands_on_the_token_for_the_next() {
        let items: Vec<u32> = (0..25).collect();
        let (first, next) = page(&Paging::Token { max_results: 10, offset: 0 }, &items, "query");
        assert_eq!(first.first().copied(), Some(&0));
        assert_eq!(first.len(), 10);
        assert_eq!(read_token(&next.unwrap(), "query"), Some(10));
        let (last, end) = page(&Paging::Token { max_results: 10, offset: 20 }, &items, "query");
        assert_eq!(last.into_iter().copied().collect::<Vec<_>>(), vec![20, 21, 22, 23, 24]);
        assert_eq!(end.as_deref(), Some(""));
        let (third, none) = page(&Paging::Pages { number: 3, size: 10 }, &items, "query");
        assert_eq!(third.len(), 5);
        assert_eq!(none, None);
    }

    #[test]
    fn a_fingerprint_names_whose_query_it_is_not_its_paging() {
        let of = |q: &str, account: &str, key: &[u8]| fingerprint_of(&rpc(q), account, key);
        let query = of("RegionId=r&DiskId=d&MaxResults=5", "acct", b"key");
        assert_eq!(query, of("RegionId=r&DiskId=d&NextToken=x&Signature=s", "acct", b"key"));
        assert_ne!(query, of("RegionId=r&DiskId=e", "acct", b"key"));
        assert_ne!(query, of("RegionId=q&DiskId=d", "acct", b"key"));
        assert_ne!(query, of("RegionId=r&DiskId=d", "other", b"key"));
        assert_ne!(query, of("RegionId=r&DiskId=d", "acct", b"another key"));
    }
}
