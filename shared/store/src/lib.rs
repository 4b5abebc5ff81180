//! The DynamoDB store: one table, behind a narrow interface. Every create is one
//! `TransactWriteItems` whose conditions enforce the rules concurrency could break; nothing is
//! read and then written on the strength of that read.

mod capture;
mod deletes;
mod emulator;
mod images;
mod instances;
mod invariants;
mod items;
mod modifies;
mod nonce;
mod read_ahead;
mod round_trips;
mod scheduled;
mod snapshots;
mod speculation;
mod table;
mod tagging;
mod tokens;
mod turns;
pub mod usage;
mod worlds;

use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::Client;
use domain::{Credential, DomainError, DomainResult};
use std::sync::Arc;
use std::time::Duration;

pub use capture::{Capture, Captured};
pub use deletes::Released;
pub use emulator::{EmulatorState, MAX_CLOCK_OFFSET_MS, MAX_FAULTS};
pub use modifies::Modified;
pub use nonce::Spend;
use read_ahead::{Accounts, Ahead, Attachments};
pub use read_ahead::{CallerItem, Owned, Ref};
use round_trips::RoundTrips;
pub use table::INDEXES;
pub use tagging::Labels;
pub use tokens::{Claim, TokenKey, TokenUse};
pub use turns::Turn;
pub use worlds::LoadSummary;

/// The longest one store call may take, all its attempts included.
pub const STORE_CALL_LIMIT: Duration = Duration::from_secs(6);

/// Whether `EMULATOR_SPECULATION` leaves speculation on (anything but `off`).
fn speculation_from_env() -> bool {
    std::env::var("EMULATOR_SPECULATION").map_or(true, |v| v != "off")
}

/// The table name used when none is configured.
pub const DEFAULT_TABLE: &str = "cloud-images";

#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
    round_trips: RoundTrips,
    /// Items read ahead for the request this store value serves (see [`Store::read_ahead`]).
    ahead: Option<Ahead>,
    attachments: Attachments,
    accounts: Accounts,
    /// The signature nonce this request's first transaction records (see [`Store::with_nonce`]).
    nonce: Option<Arc<nonce::PendingNonce>>,
    /// What this process last read of the items a speculation may use (see [`Store::speculate`]).
    known: speculation::Known,
    /// Whether requests may be served from what the process remembers (see
    /// [`Store::with_speculation`]).
    speculating: bool,
    /// What this request took from memory instead of reading, for its transaction to check.
    speculation: Option<Arc<speculation::Speculation>>,
    /// Where the transactions it commits are kept, when that was asked (see [`Store::capturing`]).
    capture: Option<Capture>,
    /// This process's turns at writing an item (see [`Store::one_at_a_time`]).
    turns: turns::Turns,
}

impl Store {
    /// A store over `client`; its round trips are counted only when the client was built by
    /// [`Store::connect`].
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Store {
            client,
            table: table.into(),
            round_trips: RoundTrips::default(),
            ahead: None,
            attachments: Attachments::default(),
            accounts: Accounts::default(),
            nonce: None,
            known: Default::default(),
            speculating: speculation_from_env(),
            speculation: None,
            capture: None,
            turns: Default::default(),
        }
    }

    /// This store, serving requests from what the process remembers (`true`: creates and deletes
    /// tried in one round trip, reads recording their nonce beside their batch read) or always
    /// reading first. On unless `EMULATOR_SPECULATION=off`: the test command runs the integration
    /// suite both ways, and the answers must not differ.
    pub fn with_speculation(mut self, on: bool) -> Self {
        self.speculating = on;
        self
    }

    /// How many requests this store's client has sent to DynamoDB so far (every attempt).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.get()
    }

    /// How many round trips of time: requests sent while no other of this client was in flight
    /// (requests sent side by side count once).
    pub fn round_trip_waits(&self) -> u64 {
        self.round_trips.waits()
    }

    /// Build the client once per process from the environment. `DYNAMODB_ENDPOINT` points it at
    /// DynamoDB Local; then dummy credentials and a region are filled in when none are set, so
    /// the SDK never probes instance metadata.
    pub async fn from_env(table: impl Into<String>) -> Self {
        let endpoint = std::env::var("DYNAMODB_ENDPOINT").ok().filter(|e| !e.is_empty());
        Store::connect(endpoint, table).await
    }

    /// Build the client for an explicit endpoint (`None`: the AWS default).
    pub async fn connect(endpoint: Option<String>, table: impl Into<String>) -> Self {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if endpoint.is_some() {
            if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
                loader = loader.credentials_provider(Credentials::new("local", "local", None, None, "local"));
            }
            if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none() {
                loader = loader.region(Region::new("us-east-1"));
            }
        }
        // Bounded: a store call gives up after STORE_CALL_LIMIT, over at most three attempts (the
        // SDK's standard retry, with backoff, for throttling, timeouts and dropped connections).
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(1))
            .operation_attempt_timeout(Duration::from_secs(2))
            .operation_timeout(STORE_CALL_LIMIT)
            .build();
        let retries = aws_config::retry::RetryConfig::standard().with_max_attempts(3);
        let shared = loader.timeout_config(timeouts).retry_config(retries).load().await;
        let round_trips = RoundTrips::default();
        let mut config = aws_sdk_dynamodb::config::Builder::from(&shared).interceptor(round_trips.clone());
        if let Some(url) = endpoint {
            config = config.endpoint_url(url);
        }
        let client = Client::from_conf(config.build());
        Store { round_trips, ..Store::new(client, table) }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// The credential (and its account) for an access key id.
    pub async fn credential(&self, access_key_id: &str) -> DomainResult<Option<Credential>> {
        let credential: Option<Credential> = self.get(&items::key::credential(access_key_id)).await?;
        if let Some(c) = &credential {
            self.note_account(access_key_id, &c.account.id);
        }
        Ok(credential)
    }

    pub async fn region(&self, id: &str) -> DomainResult<Option<domain::Region>> {
        self.get(&items::key::region(id)).await
    }

    /// Whether the region exists and belongs to `provider` (a caller never reaches another
    /// cloud's regions).
    pub async fn region_served(&self, region: &str, provider: domain::Provider) -> DomainResult<bool> {
        Ok(self.region(region).await?.is_some_and(|r| r.provider == provider))
    }

    /// Count one request against a per-second limit; false when the second's `max` is reached.
    /// The counter lives in the table, so every process serving the account shares it.
    pub async fn count_request(
        &self,
        account: &str,
        limit: &str,
        now: chrono::DateTime<chrono::Utc>,
        max: u32,
    ) -> DomainResult<bool> {
        let second = now.timestamp();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", items::s(items::key::rate(account, limit, second)))
            // `acct` puts the counter among the account's items, so a world reload clears it.
            .update_expression("SET n = if_not_exists(n, :zero) + :one, expires_at = :expires, acct = :acct")
            .condition_expression("attribute_not_exists(n) OR n < :max")
            .expression_attribute_values(":zero", items::n(0))
            .expression_attribute_values(":one", items::n(1))
            .expression_attribute_values(":max", items::n(max))
            .expression_attribute_values(":expires", items::n(second + 60))
            .expression_attribute_values(":acct", items::s(account))
            .send()
            .await;
        crate::conditional(result)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, pk: &str) -> DomainResult<Option<T>> {
        // An id longer than any key can be names nothing (and DynamoDB would refuse the read).
        if !items::fits_key(pk) {
            return Ok(None);
        }
        if let Some(ahead) = self.take_ahead(pk) {
            return ahead.map(items::from_item).transpose();
        }
        self.read_item(pk).await?.map(items::from_item).transpose()
    }

    /// An item as the table has it now (a consistent read; nothing read ahead is used).
    pub(crate) async fn read_item(&self, pk: &str) -> DomainResult<Option<items::Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", items::s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(internal)?;
        self.note_read(pk, out.item.as_ref());
        Ok(out.item)
    }
}

/// Whether a conditional write went through: `Ok(false)` when its condition did not hold, the
/// store's error otherwise.
pub(crate) fn conditional<O, E, R>(
    result: Result<O, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> DomainResult<bool>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => {
            Ok(false)
        }
        Err(e) => Err(internal(e)),
    }
}

/// A failure to reach or use the table, after the SDK's retries: `Unavailable` when it was
/// transient (the store could not be reached, timed out, dropped the connection, throttled or
/// failed on its side), which a caller may retry; else the provider's internal error. The detail
/// goes to the log, never to the client.
pub(crate) fn internal<E: std::fmt::Debug>(e: E) -> DomainError {
    let detail = format!("{e:?}");
    // The SDK's error kinds and the service's transient codes, as they print.
    const TRANSIENT: [&str; 8] = [
        "DispatchFailure",
        "TimeoutError",
        "ResponseError",
        "ThrottlingException",
        "ProvisionedThroughputExceeded",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    ];
    if TRANSIENT.iter().any(|t| detail.contains(t)) {
        tracing::warn!(error = %detail, "store unavailable");
        DomainError::Unavailable
    } else {
        tracing::error!(error = %detail, "store call failed");
        DomainError::Internal("store call failed".into())
    }
}
