//! Creating the table (local use and tests; a deployed table comes from the template).

use crate::{internal, Store};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use domain::DomainResult;
use std::time::Duration;

pub const BY_ACCOUNT: &str = "by_account";
/// Snapshots by their disk (the `disk_id` attribute only snapshot items carry).
pub const BY_DISK: &str = "by_disk";
/// Sparse: only automatic snapshot policies carry `kind`, so the scheduler reads them, not the table.
pub const BY_KIND: &str = "by_kind";
/// Sparse: only snapshots that will expire carry `expiring` (with `expiry`, epoch ms), so the
/// scheduler reads only those due.
pub const BY_EXPIRY: &str = "by_expiry";
/// The table's global secondary indexes, each with its hash and range key (every one projects
/// every attribute): what `ensure_table` creates and the deployment template must declare.
pub const INDEXES: [(&str, &str, &str); 4] = [
    (BY_ACCOUNT, "acct", "pk"),
    (BY_DISK, "disk_id", "pk"),
    (BY_KIND, "kind", "pk"),
    (BY_EXPIRY, "expiring", "expiry"),
];

/// The attribute DynamoDB's TTL reads (epoch seconds): tokens and nonces expire by it.
pub const TTL_ATTRIBUTE: &str = "expires_at";

impl Store {
    /// Create the table and its index if they do not exist yet, and wait until it is active.
    pub async fn ensure_table(&self) -> DomainResult<()> {
        let exists = self.client.describe_table().table_name(&self.table).send().await;
        if exists.is_err() {
            let indexes: Vec<GlobalSecondaryIndex> = INDEXES
                .iter()
                .map(|(name, hash, range)| index(name, hash, range))
                .collect::<DomainResult<_>>()?;
            let created = self
                .client
                .create_table()
                .table_name(&self.table)
                .billing_mode(BillingMode::PayPerRequest)
                .attribute_definitions(attr("pk"))
                .attribute_definitions(attr("acct"))
                .attribute_definitions(attr("disk_id"))
                .attribute_definitions(attr("kind"))
                .attribute_definitions(attr("expiring"))
                .attribute_definitions(number("expiry"))
                .key_schema(key("pk", KeyType::Hash))
                .set_global_secondary_indexes(Some(indexes))
                .send()
                .await;
            if let Err(e) = created {
                // Another process may have created it meanwhile.
                let in_use = e.as_service_error().is_some_and(|s| s.is_resource_in_use_exception());
                if !in_use {
                    return Err(internal(e));
                }
            }
        }
        for _ in 0..100 {
            let d = self.client.describe_table().table_name(&self.table).send().await.map_err(internal)?;
            if d.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                let ttl =
                    TimeToLiveSpecification::builder().enabled(true).attribute_name(TTL_ATTRIBUTE).build();
                // Already enabled (or unsupported locally) is fine: expiry is also checked on read.
                let _ = self
                    .client
                    .update_time_to_live()
                    .table_name(&self.table)
                    .set_time_to_live_specification(ttl.ok())
                    .send()
                    .await;
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(internal("table did not become active"))
    }
}

/// An index on `hash`, ranged by `pk`, projecting every attribute.
/// An index on `hash`, ranged by `range`, projecting every attribute.
fn index(name: &str, hash: &str, range: &str) -> DomainResult<GlobalSecondaryIndex> {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(hash, KeyType::Hash))
        .key_schema(key(range, KeyType::Range))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .map_err(internal)
}

fn number(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::N)
        .build()
        .expect("name and type are set")
}

fn attr(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("name and type are set")
}

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder().attribute_name(name).key_type(kind).build().expect("name and type are set")
}
