//! An instance's state, moved by a call on it rather than by a world load.

use crate::items::{key, s};
use crate::Store;
use domain::{DomainResult, InstanceStatus};

impl Store {
    /// Set an instance's status; nothing else of it changes (its world load's `gen` neither).
    /// `false` when no such instance exists. A process that remembers the instance in another
    /// state finds out through its next speculation's conditions (see `speculation.rs`).
    pub async fn set_instance_status(&self, id: &str, status: InstanceStatus) -> DomainResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", s(key::instance(id)))
            .update_expression("SET #status = :status")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .send()
            .await;
        crate::conditional(result)
    }
}
