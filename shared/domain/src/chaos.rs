//! Runtime faults: failures an operator puts in force while the service runs (the world's faults
//! are fixed at load time instead). A fault names a dialect and an action, and optionally the
//! resource or account it is limited to; it answers with a provider's error code, or only delays
//! the answer, or both; it fires with a probability, and for a number of requests or until removed.

use serde::{Deserialize, Serialize};

/// A fault as the control plane takes it (a field it does not know is refused) and as the
/// table keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeFault {
    pub id: String,
    /// `alibaba`, `tencent` or `zenlayer`.
    pub dialect: String,
    pub action: String,
    /// Only requests that name this resource id (a disk, instance, snapshot, image or region).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Only requests of this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The error code answered; `None`: the request is only delayed, then served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The chance, in (0, 1], that a matching request is hit.
    #[serde(default = "always")]
    pub probability: f64,
    /// How many more requests it hits; `None`: until it is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Added before the answer, in milliseconds.
    #[serde(default)]
    pub latency_ms: u64,
}

fn always() -> f64 {
    1.0
}

impl RuntimeFault {
    /// Whether a request of `account` in `dialect` for `action`, naming `resources`, is one this
    /// fault is about (whether it is hit is then up to the probability and the count).
    pub fn applies(&self, dialect: &str, action: &str, account: &str, resources: &[&str]) -> bool {
        self.dialect == dialect
            && self.action == action
            && self.account.as_deref().is_none_or(|a| a == account)
            && self.resource.as_deref().is_none_or(|r| resources.contains(&r))
            && self.count != Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_applies_to_its_dialect_action_account_and_resource_only() {
        let f: RuntimeFault = serde_json::from_value(serde_json::json!({
            "id": "f1", "dialect": "tencent", "action": "CreateImage", "code": "InternalError",
            "resource": "ins-1", "account": "acct-tc"
        }))
        .unwrap();
        assert_eq!(f.probability, 1.0);
        assert!(f.applies("tencent", "CreateImage", "acct-tc", &["ap-guangzhou", "ins-1"]));
        assert!(!f.applies("tencent", "CreateImage", "acct-tc", &["ins-2"]));
        assert!(!f.applies("tencent", "CreateImage", "acct-other", &["ins-1"]));
        assert!(!f.applies("tencent", "DescribeImages", "acct-tc", &["ins-1"]));
        assert!(!f.applies("alibaba", "CreateImage", "acct-tc", &["ins-1"]));
        let spent = RuntimeFault { count: Some(0), ..f };
        assert!(!spent.applies("tencent", "CreateImage", "acct-tc", &["ins-1"]));
    }
}
