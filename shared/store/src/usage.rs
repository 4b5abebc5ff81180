//! What the store's code asks of DynamoDB, by the Lambda function on whose behalf it asks: each
//! table action (a transaction's items counted as the actions IAM grants for them) and each index
//! queried; and which actions were answered with success. With `EMULATOR_USAGE_LOG=FILE`, a
//! process appends each line it has not written before to FILE: `<function> <action> [<index>]`,
//! or `answered <dialect>:<Action>`. The test command runs its suites against gateways that record,
//! then checks that the deployment template grants each function exactly what its code used, and
//! that each SDK suite had every action it claims to reach answered (`infra_routes.rs`).

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{LazyLock, Mutex};

tokio::task_local! {
    /// The function (its binary's name) a request is served by, set around its handling.
    pub static FUNCTION: &'static str;
}

/// Where the lines go, when recording, and those already written.
struct Log {
    file: std::fs::File,
    seen: BTreeSet<String>,
}

static LOG: LazyLock<Option<Mutex<Log>>> = LazyLock::new(|| {
    let path = std::env::var_os("EMULATOR_USAGE_LOG").filter(|p| !p.is_empty())?;
    let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).ok()?;
    Some(Mutex::new(Log { file, seen: BTreeSet::new() }))
});

/// Record what one request to DynamoDB asks: `operation` with its JSON `body`.
pub(crate) fn record(operation: &str, body: Option<&[u8]>) {
    if LOG.is_none() {
        return;
    }
    let function = FUNCTION.try_with(|f| *f).unwrap_or("(none)");
    write(uses(operation, body).into_iter().map(|u| format!("{function} {u}")).collect());
}

/// Record that an action (`alibaba:CreateSnapshot`) was answered with success.
pub fn answered(action: &str) {
    if LOG.is_some() {
        write(vec![format!("answered {action}")]);
    }
}

fn write(lines: Vec<String>) {
    let Some(log) = LOG.as_ref() else { return };
    let mut log = log.lock().expect("not poisoned");
    for line in lines {
        if log.seen.insert(line.clone()) {
            // A line lost to a full disk only makes the check stricter: nothing is assumed. One
            // write per line, so that processes appending to one file never interleave lines.
            let _ = log.file.write_all(format!("{line}\n").as_bytes());
        }
    }
}

/// The table actions and index one request uses, as IAM names them: a transaction's items by their
/// own actions (`Put` → `PutItem`, `ConditionCheck` → `ConditionCheckItem`), a query by its index.
fn uses(operation: &str, body: Option<&[u8]>) -> Vec<String> {
    let json: serde_json::Value = body.and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default();
    match operation {
        "TransactWriteItems" => {
            let items = json["TransactItems"].as_array().cloned().unwrap_or_default();
            let kinds: BTreeSet<String> = items
                .iter()
                .filter_map(|item| item.as_object()?.keys().next().cloned())
                .map(|kind| {
                    if kind == "ConditionCheck" {
                        "ConditionCheckItem".into()
                    } else {
                        format!("{kind}Item")
                    }
                })
                .collect();
            kinds.into_iter().collect()
        }
        "Query" => match json["IndexName"].as_str() {
            Some(index) => vec![format!("Query {index}")],
            None => vec!["Query".into()],
        },
        other => vec![other.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_counts_as_its_items_actions_and_a_query_names_its_index() {
        let tx = br#"{"TransactItems":[{"Put":{}},{"Update":{}},{"ConditionCheck":{}},{"Put":{}}]}"#;
        assert_eq!(uses("TransactWriteItems", Some(tx)), ["ConditionCheckItem", "PutItem", "UpdateItem"]);
        assert_eq!(uses("Query", Some(br#"{"IndexName":"by_disk"}"#)), ["Query by_disk"]);
        assert_eq!(uses("BatchGetItem", None), ["BatchGetItem"]);
    }
}
