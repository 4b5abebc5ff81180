//! Client tokens: what a lost claim means, decided from the record that won it.

use crate::error::DomainError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The fingerprint of a call's business parameters (never nonce, timestamp or signature).
pub fn fingerprint<T: Serialize>(command: &T) -> String {
    // serde_json keeps struct field order, so the same command always gives the same bytes.
    let bytes = serde_json::to_vec(command).unwrap_or_default();
    hex::encode(Sha256::digest(bytes))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TokenStatus {
    InProgress,
    Completed,
}

/// A client token as stored: who claimed it, for which parameters, and what it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub fingerprint: String,
    pub status: TokenStatus,
    pub claim_id: String,
    pub resource_id: Option<String>,
    /// A claim still in progress after this instant is considered abandoned (a crashed call).
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub in_flight_until: DateTime<Utc>,
    /// When (real time, in milliseconds) the call that made it wrote it complete: a twin call
    /// that arrived before then arrived while it was being processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_ms: Option<i64>,
}

/// What a second call with a token already claimed by `existing` gets: the first call's
/// resource id to answer again, or the refusal.
pub fn judge_replay(existing: &TokenRecord, fingerprint: &str) -> Result<String, DomainError> {
    if existing.fingerprint != fingerprint {
        return Err(DomainError::TokenReusedWithOtherParameters);
    }
    match (existing.status, &existing.resource_id) {
        (TokenStatus::Completed, Some(id)) => Ok(id.clone()),
        _ => Err(DomainError::TokenInFlight),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: TokenStatus, resource: Option<&str>) -> TokenRecord {
        TokenRecord {
            fingerprint: "f1".into(),
            status,
            claim_id: "c".into(),
            resource_id: resource.map(str::to_string),
            in_flight_until: Utc::now(),
            settled_ms: None,
        }
    }

    #[test]
    fn replay_outcomes() {
        let done = record(TokenStatus::Completed, Some("s-1"));
        assert_eq!(judge_replay(&done, "f1"), Ok("s-1".to_string()));
        assert_eq!(judge_replay(&done, "f2"), Err(DomainError::TokenReusedWithOtherParameters));
        let busy = record(TokenStatus::InProgress, None);
        assert_eq!(judge_replay(&busy, "f1"), Err(DomainError::TokenInFlight));
        assert_eq!(judge_replay(&busy, "f2"), Err(DomainError::TokenReusedWithOtherParameters));
    }

    #[test]
    fn fingerprint_depends_on_every_field() {
        #[derive(Serialize)]
        struct C<'a> {
            a: &'a str,
            b: Option<u32>,
        }
        let one = fingerprint(&C { a: "x", b: None });
        assert_eq!(one, fingerprint(&C { a: "x", b: None }));
        assert_ne!(one, fingerprint(&C { a: "x", b: Some(1) }));
        assert_ne!(one, fingerprint(&C { a: "y", b: None }));
    }
}
