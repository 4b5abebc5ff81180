//! Reading ahead: the items a request will read, fetched in one `BatchGetItem` (strongly
//! consistent) before it runs, so that its reads cost one round trip instead of one each; and the
//! index queries it will make (a disk's snapshots, the caller's snapshots, images or disks), sent
//! beside that batch read. Each item or query read ahead is served once; a second read of it goes
//! to the table again, so that a request that writes and then reads sees its write.

use crate::items::key::Kind;
use crate::items::{self, key, s, Item};
use crate::table::{BY_ACCOUNT, BY_DISK};
use crate::tokens::TokenKey;
use crate::{internal, Store};
use aws_sdk_dynamodb::types::KeysAndAttributes;
use domain::DomainResult;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An item a request will read, named as the domain names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Credential(String),
    Region(String),
    Disk(String),
    Instance(String),
    Snapshot(String),
    Image(String),
    /// The virtual clock and the runtime faults (see [`Store::emulator_state`]).
    Emulator,
    /// An item of the account behind `access_key`, read ahead when this process has seen that
    /// key before (the account is not known until the credential is read).
    OfCaller {
        access_key: String,
        item: CallerItem,
    },
    /// The snapshots of a disk (index `by_disk`), queried beside the batch read.
    DiskSnapshots(String),
    /// The items of one kind of the account behind `access_key` (index `by_account`), queried
    /// beside the batch read when this process has seen that key before.
    CallerOwned {
        access_key: String,
        kind: Owned,
    },
}

/// The kinds of an account's items a request lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned {
    Snapshots,
    Images,
    Disks,
}

impl Owned {
    fn prefix(self) -> &'static str {
        match self {
            Owned::Snapshots => Kind::Snapshot.prefix(),
            Owned::Images => Kind::Image.prefix(),
            Owned::Disks => Kind::Disk.prefix(),
        }
    }
}

/// An index query: every item whose hash key `attribute` of `index` is `value` (and whose `pk`
/// starts with `prefix`). Made by `Store::query_index`, or read ahead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Query {
    pub index: &'static str,
    pub attribute: &'static str,
    pub value: String,
    pub prefix: Option<&'static str>,
}

impl Query {
    /// A disk's snapshots (whoever's: the caller filters by account).
    pub fn disk_snapshots(disk: &str) -> Query {
        Query {
            index: BY_DISK,
            attribute: "disk_id",
            value: disk.to_string(),
            prefix: Some(Kind::Snapshot.prefix()),
        }
    }

    /// An account's items whose key starts with `prefix` (all of them: `None`).
    pub fn owned(account: &str, prefix: Option<&'static str>) -> Query {
        Query { index: BY_ACCOUNT, attribute: "acct", value: account.to_string(), prefix }
    }
}

/// An item keyed by the caller's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerItem {
    Token { action: String, token: String },
    ImageName { region: String, name: String },
    ImageCount { region: String },
}

impl Ref {
    /// The id of the resource (or region) this names, for matching runtime faults.
    pub fn resource_id(&self) -> Option<&str> {
        match self {
            Ref::Region(id) | Ref::Disk(id) | Ref::Instance(id) | Ref::Snapshot(id) | Ref::Image(id) => {
                Some(id)
            }
            _ => None,
        }
    }

    /// The items of `kind` of the account behind `access_key`.
    pub fn caller_owned(access_key: &str, kind: Owned) -> Ref {
        Ref::CallerOwned { access_key: access_key.to_string(), kind }
    }

    /// The index query this names, if it names one whose key is known (see [`Ref::pk`]).
    pub(crate) fn query(&self, accounts: &Accounts) -> Option<Query> {
        match self {
            Ref::DiskSnapshots(disk) => Some(Query::disk_snapshots(disk)),
            Ref::CallerOwned { access_key, kind } => {
                let account = accounts.lock().expect("not poisoned").get(access_key)?.clone();
                Some(Query::owned(&account, Some(kind.prefix())))
            }
            _ => None,
        }
    }

    /// The item's key; `None` for an item of a caller whose account is not known yet, and for a
    /// query (see [`Ref::query`]).
    pub(crate) fn pk(&self, accounts: &Accounts) -> Option<String> {
        let account = |key: &str| accounts.lock().expect("not poisoned").get(key).cloned();
        Some(match self {
            Ref::Credential(id) => key::credential(id),
            Ref::Region(id) => key::region(id),
            Ref::Disk(id) => key::disk(id),
            Ref::Instance(id) => key::instance(id),
            Ref::Snapshot(id) => key::snapshot(id),
            Ref::Image(id) => key::image(id),
            Ref::Emulator => crate::emulator::STATE_PK.to_string(),
            Ref::OfCaller { access_key, item } => {
                let account = account(access_key)?;
                match item {
                    CallerItem::Token { action, token } => {
                        TokenKey { account, action: action.clone(), token: token.clone() }.pk()
                    }
                    CallerItem::ImageName { region, name } => key::image_name(&account, region, name),
                    CallerItem::ImageCount { region } => key::image_count(&account, region),
                }
            }
            Ref::DiskSnapshots(_) | Ref::CallerOwned { .. } => return None,
        })
    }
}

/// What was read ahead for one request: items found (`Some`) or known to be absent (`None`), by
/// key; the items each query found.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub items: HashMap<String, Option<Item>>,
    pub queries: HashMap<Query, Vec<Item>>,
}

pub(crate) type Ahead = Arc<Mutex<Read>>;

/// Which instance each disk read so far is attached to, shared by a process's requests: a
/// guess that lets a request read a disk's instance together with the disk. A wrong guess (the
/// world was reloaded meanwhile) costs one read; the disk as read is what counts.
pub(crate) type Attachments = Arc<Mutex<HashMap<String, String>>>;

/// Which account each access key read so far belongs to, shared by a process's requests: lets a
/// request read its caller's items (client token, image name, quota counter) ahead. A key whose
/// account changed (a world reload) reads the wrong items, which are then not used: each use
/// keys by the account the credential names.
pub(crate) type Accounts = Arc<Mutex<HashMap<String, String>>>;

/// At most this many keys per `BatchGetItem`.
const BATCH: usize = 100;

impl Store {
    /// This store, with `refs` read ahead (and, for a disk whose instance is known, that
    /// instance). Over-long ids are left out: they name nothing.
    pub async fn read_ahead(&self, refs: &[Ref]) -> DomainResult<Store> {
        let mut queries: Vec<Query> = Vec::new();
        for query in refs.iter().filter_map(|r| r.query(&self.accounts)) {
            if items::fits_key(&query.value) && !queries.contains(&query) {
                queries.push(query);
            }
        }
        let queried = futures::future::try_join_all(queries.iter().map(|q| self.run_query(q)));
        let (items, queried) = tokio::join!(self.read_items_ahead(refs), queried);
        let queries = queries.into_iter().zip(queried?).collect();
        Ok(Store { ahead: Some(Arc::new(Mutex::new(Read { items: items?, queries }))), ..self.clone() })
    }

    /// The items `refs` name (and, for a disk whose instance is known, that instance), by key.
    async fn read_items_ahead(&self, refs: &[Ref]) -> DomainResult<HashMap<String, Option<Item>>> {
        let mut pks: Vec<String> = Vec::new();
        let mut add = |pk: String| {
            if items::fits_key(&pk) && !pks.contains(&pk) {
                pks.push(pk);
            }
        };
        for r in refs {
            if let Some(pk) = r.pk(&self.accounts) {
                add(pk);
            }
            if let Ref::Disk(disk) = r {
                if let Some(instance) = self.attachments.lock().expect("not poisoned").get(disk) {
                    add(key::instance(instance));
                }
            }
        }
        let mut found: HashMap<String, Option<Item>> = HashMap::new();
        for chunk in pks.chunks(BATCH) {
            for item in self.batch_get(chunk).await? {
                if let Some(pk) = item.get("pk").and_then(|v| v.as_s().ok()).cloned() {
                    found.insert(pk, Some(item));
                }
            }
        }
        for pk in pks {
            found.entry(pk).or_insert(None);
        }
        for (pk, item) in &found {
            self.note_read(pk, item.as_ref());
        }
        Ok(found)
    }

    /// One consistent `BatchGetItem` of at most 100 keys, asking again for what DynamoDB leaves
    /// unprocessed.
    pub(crate) async fn batch_get(&self, pks: &[String]) -> DomainResult<Vec<Item>> {
        let keys: Vec<Item> = pks.iter().map(|pk| HashMap::from([("pk".to_string(), s(pk))])).collect();
        let mut pending = Some(keys);
        let mut out = Vec::new();
        for _ in 0..5 {
            let Some(keys) = pending.take().filter(|k| !k.is_empty()) else { break };
            let request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .build()
                .map_err(internal)?;
            let answer = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(internal)?;
            if let Some(mut responses) = answer.responses {
                out.extend(responses.remove(&self.table).unwrap_or_default());
            }
            pending = answer.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys);
        }
        match pending {
            Some(keys) if !keys.is_empty() => {
                Err(internal("BatchGetItem left keys unprocessed after five attempts (ThrottlingException)"))
            }
            _ => Ok(out),
        }
    }

    /// An item read ahead, served once: `None` when it was not read ahead (or already served).
    pub(crate) fn take_ahead(&self, pk: &str) -> Option<Option<Item>> {
        self.ahead.as_ref()?.lock().expect("not poisoned").items.remove(pk)
    }

    /// What a query read ahead found, served once: `None` when it was not read ahead (or already
    /// served).
    pub(crate) fn take_query(&self, query: &Query) -> Option<Vec<Item>> {
        self.ahead.as_ref()?.lock().expect("not poisoned").queries.remove(query)
    }

    /// Remember which account an access key belongs to, for later requests' read-ahead.
    pub(crate) fn note_account(&self, access_key: &str, account: &str) {
        self.accounts.lock().expect("not poisoned").insert(access_key.to_string(), account.to_string());
    }

    /// Remember which instance a disk is attached to, for later requests' read-ahead.
    pub(crate) fn note_attachment(&self, disk: &domain::Disk) {
        if let Some(instance) = &disk.instance {
            self.attachments.lock().expect("not poisoned").insert(disk.id.clone(), instance.clone());
        }
    }
}
