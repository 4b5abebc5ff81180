//! Alibaba ECS RPC in the pipeline: its signatures, and each action's parameters turned into
//! domain commands and the results into the API's fields.

use crate::pipeline::Protocol;
use crate::usecases::describe::{self, SnapshotScope};
use crate::usecases::{create_image, create_snapshot, Caller};
use crate::App;
use chrono::{DateTime, Utc};
use dialects::alibaba::{self as ali, errors, params, queries, signature, views, RpcRequest};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::{Account, AuthFailure, DomainError, DomainResult, Provider};
use serde_json::{Map, Value};
use store::{CallerItem, Ref};

impl Protocol for RpcRequest {
    const DIALECT: Dialect = Dialect::Alibaba;
    const PROVIDER: Provider = Provider::Alibaba;
    /// ECS API reference, common parameters: the timestamp is valid for 15 minutes
    /// (`InvalidTimeStamp.Expired`).
    const MAX_SKEW_SECONDS: u64 = 900;
    type Presented = signature::Presented;

    fn request_id() -> String {
        ali::request_id()
    }

    fn parse(req: &WireRequest) -> DomainResult<Self> {
        RpcRequest::parse(req)
    }

    fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    fn presented(&self, req: &WireRequest) -> Result<Self::Presented, AuthFailure> {
        signature::presented(req, self)
    }

    fn access_key(presented: &Self::Presented) -> &str {
        &presented.access_key_id
    }

    fn nonce(presented: &Self::Presented) -> Option<&str> {
        presented.nonce()
    }

    fn reads(&self, action: &str, access_key: &str) -> Vec<Ref> {
        let region = self.get("RegionId");
        let mut refs: Vec<Ref> = region.map(|r| Ref::Region(r.into())).into_iter().collect();
        let named = |name: &str, as_ref: fn(String) -> Ref| self.get(name).map(|v| as_ref(v.to_string()));
        let of_caller = |item| Ref::OfCaller { access_key: access_key.to_string(), item };
        if let Some(token) = self.get("ClientToken") {
            refs.push(of_caller(CallerItem::Token { action: action.into(), token: token.into() }));
        }
        match action {
            "CreateSnapshot" => refs.extend(named("DiskId", Ref::Disk)),
            "CreateImage" => {
                refs.extend(named("SnapshotId", Ref::Snapshot));
                refs.extend(named("InstanceId", Ref::Instance));
                if let Some(region) = region {
                    refs.push(of_caller(CallerItem::ImageCount { region: region.into() }));
                    if let Some(name) = self.get("ImageName") {
                        refs.push(of_caller(CallerItem::ImageName {
                            region: region.into(),
                            name: name.into(),
                        }));
                    }
                }
            }
            "DescribeSnapshots" => {
                let ids = self.get("SnapshotIds").and_then(|v| serde_json::from_str::<Vec<String>>(v).ok());
                refs.extend(ids.unwrap_or_default().into_iter().take(100).map(Ref::Snapshot));
            }
            _ => {}
        }
        refs
    }

    fn verify(
        &self,
        req: &WireRequest,
        presented: &Self::Presented,
        secret: &str,
        now: DateTime<Utc>,
        max_skew_seconds: u64,
    ) -> Result<(), AuthFailure> {
        signature::verify(req, self, presented, secret, now, max_skew_seconds)
    }

    async fn run(
        &self,
        app: &App,
        action: &str,
        account: &Account,
        now: DateTime<Utc>,
    ) -> DomainResult<Map<String, Value>> {
        match self.version.as_deref() {
            Some(ali::API_VERSION) => {}
            Some(other) => return Err(DomainError::UnsupportedVersion(other.to_string())),
            None => return Err(DomainError::missing("Version")),
        }
        let caller = Caller { account, dialect: Dialect::Alibaba.name(), action, now };
        match action {
            "CreateSnapshot" => create_snapshot(app, self, &caller).await,
            "DescribeSnapshots" => describe_snapshots(app, self, &caller).await,
            "CreateImage" => create_image(app, self, &caller).await,
            "DescribeImages" => describe_images(app, self, &caller).await,
            other => Err(DomainError::UnknownAction(other.to_string())),
        }
    }

    fn success(&self, action: &str, request_id: &str, fields: Map<String, Value>) -> WireResponse {
        ali::success(action, self.xml, request_id, fields)
    }

    fn failure(parsed: Option<&Self>, action: &str, error: &DomainError, request_id: &str) -> WireResponse {
        let volume = parsed.and_then(|p| p.get("DiskId")).is_some_and(|d| d.starts_with("v-"));
        let xml = parsed.is_some_and(|p| p.xml);
        let (status, code, message) = errors::answer(error, errors::Context { action, volume });
        ali::failure(status, &code, &message, xml, request_id)
    }
}

fn fields(pairs: impl IntoIterator<Item = (&'static str, String)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), Value::String(v))).collect()
}

async fn create_snapshot(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    let cmd = params::create_snapshot(rpc)?;
    let snapshot = create_snapshot::run(&app.store, caller, &cmd, || ali::resource_id("s")).await?;
    Ok(fields([("SnapshotId", snapshot.id().to_string())]))
}

async fn describe_snapshots(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    // Only paging by token needs the key (and, the first time on a table, a write to make it).
    let seal_key = if queries::pages_by_token(rpc) { app.seal_key().await? } else { String::new() };
    let query = queries::describe_snapshots(rpc, &caller.account.id, seal_key.as_bytes())?;
    // Read only what the narrowest filter names: the ids, else the disk, else the account.
    let scope = match (&query.snapshot_ids, &query.disk_id) {
        (Some(ids), _) => SnapshotScope::Ids(ids),
        (None, Some(disk)) => SnapshotScope::Disk(disk),
        (None, None) => SnapshotScope::Account,
    };
    let candidates = describe::snapshots(&app.store, caller, Some(&query.region), scope).await?;
    if query.dry_run {
        return Err(DomainError::DryRunPassed);
    }
    let instance_disks = match &query.instance_id {
        Some(instance) => Some(app.store.disks_of_instance(&caller.account.id, instance).await?),
        None => None,
    };
    let matching: Vec<_> =
        candidates.into_iter().filter(|s| query.matches(s, instance_disks.as_deref(), caller.now)).collect();
    Ok(views::snapshot_page(&query, &matching, caller.now))
}

async fn create_image(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Map<String, Value>> {
    let (cmd, dry_run) = params::create_image(rpc)?;
    let new_id = |kind: &str| ali::resource_id(if kind == "image" { "m" } else { "s" });
    let image = create_image::run(&app.store, caller, &cmd, dry_run, new_id).await?;
    Ok(fields([("ImageId", image.id().to_string())]))
}

async fn describe_images(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    let query = queries::describe_images(rpc)?;
    let images = describe::images(&app.store, caller, Some(&query.region)).await?;
    if query.dry_run {
        return Err(DomainError::DryRunPassed);
    }
    let matching: Vec<_> = images.into_iter().filter(|i| query.matches(i, caller.now)).collect();
    Ok(views::image_page(&query, &matching, caller.now))
}
