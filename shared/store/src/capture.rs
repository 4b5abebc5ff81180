//! The transactions a store commits, kept for a caller that sends them again as they are: the
//! bench's bare line, what DynamoDB Local alone costs for a create's transaction with no read
//! before it and nothing around it.

use crate::{internal, Store};
use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use domain::DomainResult;
use std::sync::{Arc, Mutex};

/// One committed transaction, every action of it (the speculation's checks and the nonce
/// included), and when it was sent.
#[derive(Debug, Clone)]
pub struct Captured {
    pub at: DateTime<Utc>,
    pub actions: Vec<TransactWriteItem>,
}

/// Where a capturing store puts what it commits; shared by its clones.
pub type Capture = Arc<Mutex<Vec<Captured>>>;

impl Store {
    /// This store, keeping every transaction it commits in `into`.
    pub fn capturing(&self, into: Capture) -> Store {
        Store { capture: Some(into), ..self.clone() }
    }

    /// Send `actions` as one transaction, as they are: no read, no check added, no
    /// interpretation of a refusal.
    pub async fn send_transaction(&self, actions: Vec<TransactWriteItem>) -> DomainResult<()> {
        self.client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
            .map_err(internal)?;
        Ok(())
    }

    pub(crate) fn note_captured(&self, actions: &[TransactWriteItem], at: DateTime<Utc>) {
        if let Some(capture) = &self.capture {
            capture.lock().expect("not poisoned").push(Captured { at, actions: actions.to_vec() });
        }
    }
}
