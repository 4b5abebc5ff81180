//! The Alibaba ECS pipeline: read the RPC request, find its route, authenticate, run the
//! action, answer in the provider's envelope.

use crate::routes::{self, Scope};
use crate::usecases::create_image;
use crate::usecases::create_snapshot::{self, Caller};
use crate::App;
use dialects::alibaba::{self as ali, errors, params, signature, views, RpcRequest};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::{Account, AuthFailure, AuthMode, DomainError, DomainResult, Provider};
use serde_json::{Map, Value};
use tracing::Instrument;

pub async fn handle(app: &App, req: WireRequest, scope: Scope) -> WireResponse {
    let request_id = ali::request_id();
    let rpc = match RpcRequest::parse(&req) {
        Ok(rpc) => rpc,
        Err(e) => return answer_error(&e, "", false, false, &request_id),
    };
    let action = rpc.action.clone().unwrap_or_default();
    let span =
        tracing::info_span!("request", request_id = %request_id, dialect = "alibaba", action = %action);
    async {
        let started = std::time::Instant::now();
        let outcome = run(app, &req, &rpc, &action, scope).await;
        let response = match outcome {
            Ok(fields) => ali::success(&action, rpc.xml, &request_id, fields),
            Err(e) => {
                let volume = rpc.get("DiskId").is_some_and(|d| d.starts_with("v-"));
                answer_error(&e, &action, volume, rpc.xml, &request_id)
            }
        };
        tracing::info!(
            status = response.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "answered"
        );
        response
    }
    .instrument(span)
    .await
}

/// An error answer for a request that never got as far as being read.
pub fn refuse(e: &DomainError) -> WireResponse {
    answer_error(e, "", false, false, &ali::request_id())
}

fn answer_error(e: &DomainError, action: &str, volume: bool, xml: bool, request_id: &str) -> WireResponse {
    let (status, code, message) = errors::answer(e, errors::Context { action, volume });
    if status >= 500 {
        tracing::error!(code = %code, "request failed");
    } else {
        tracing::info!(code = %code, "request refused");
    }
    ali::failure(status, &code, &message, xml, request_id)
}

async fn run(
    app: &App,
    req: &WireRequest,
    rpc: &RpcRequest,
    action: &str,
    scope: Scope,
) -> DomainResult<Map<String, Value>> {
    if action.is_empty() {
        return Err(DomainError::missing("Action"));
    }
    if routes::find(Dialect::Alibaba, action, scope).is_none() {
        return Err(DomainError::UnknownAction(action.to_string()));
    }
    let now = app.now();
    let account = authenticate(app, req, rpc, now).await?;
    match action {
        "CreateSnapshot" => create_snapshot(app, rpc, &account, now).await,
        "DescribeSnapshots" => describe_snapshots(app, rpc, &account, now).await,
        "CreateImage" => create_image(app, rpc, &account, now).await,
        "DescribeImages" => describe_images(app, rpc, &account, now).await,
        other => Err(DomainError::UnknownAction(other.to_string())),
    }
}

/// How long a signature nonce is remembered: longer than a request carrying it can stay fresh
/// under any sensible `signature_max_skew_seconds`.
const NONCE_MEMORY_SECONDS: i64 = 2 * 86_400;

/// The caller's account, once its signature (unless the world turned checking off), timestamp
/// and nonce pass.
async fn authenticate(
    app: &App,
    req: &WireRequest,
    rpc: &RpcRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Account> {
    let presented = signature::presented(req, rpc).map_err(DomainError::Auth)?;
    let key = presented.access_key_id.as_str();
    // The nonce is recorded while the credential is read (one round trip instead of two). It is
    // judged only after the signature verifies, so a forged request learns nothing from it.
    let nonce = async {
        match presented.nonce() {
            Some(n) => app.store.remember_nonce(key, n, now, NONCE_MEMORY_SECONDS).await.map(Some),
            None => Ok(None),
        }
    };
    let (credential, fresh) = tokio::join!(app.store.credential(key), nonce);
    let credential = credential?
        .filter(|c| c.account.provider == Provider::Alibaba)
        .ok_or(DomainError::Auth(AuthFailure::UnknownKey))?;
    let settings = &credential.account.settings;
    if settings.auth == AuthMode::Strict {
        let skew = settings.signature_max_skew_seconds;
        signature::verify(req, rpc, &presented, &credential.secret, now, skew).map_err(DomainError::Auth)?;
        if fresh? == Some(false) {
            return Err(DomainError::Auth(AuthFailure::NonceReused));
        }
    }
    Ok(credential.account)
}

async fn create_snapshot(
    app: &App,
    rpc: &RpcRequest,
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Map<String, Value>> {
    let cmd = params::create_snapshot(rpc)?;
    let caller = Caller { account, dialect: Dialect::Alibaba.name(), action: "CreateSnapshot", now };
    let snapshot = create_snapshot::run(&app.store, &caller, &cmd, || ali::resource_id("s")).await?;
    let mut out = Map::new();
    out.insert("SnapshotId".into(), Value::String(snapshot.id));
    Ok(out)
}

async fn describe_snapshots(
    app: &App,
    rpc: &RpcRequest,
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Map<String, Value>> {
    let query = params::describe_snapshots(rpc)?;
    if !app.store.region_exists(&query.region).await? {
        return Err(DomainError::RegionNotFound);
    }
    // Read only what the narrowest filter names: the ids, else the disk, else the account.
    let candidates = match (&query.snapshot_ids, &query.disk_id) {
        (Some(ids), _) => app.store.snapshots_by_id(ids).await?,
        (None, Some(disk)) => app.store.disk_snapshots(disk).await?,
        (None, None) => app.store.account_snapshots(&account.id).await?,
    };
    let instance_disks = match &query.instance_id {
        Some(instance) => Some(app.store.disks_of_instance(&account.id, instance).await?),
        None => None,
    };
    let mut matching: Vec<_> = candidates
        .into_iter()
        // A snapshot past its retention is released, even before the scheduler deletes it.
        .filter(|s| s.account == account.id && !domain::schedule::expired(s, now))
        .filter(|s| query.matches(s, instance_disks.as_deref(), now))
        .collect();
    // Newest first, as the provider lists them.
    matching.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    Ok(views::snapshot_page(&query, &matching, now))
}

async fn create_image(
    app: &App,
    rpc: &RpcRequest,
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Map<String, Value>> {
    let (cmd, dry_run) = params::create_image(rpc)?;
    let caller = Caller { account, dialect: Dialect::Alibaba.name(), action: "CreateImage", now };
    let new_id = |kind: &str| ali::resource_id(if kind == "image" { "m" } else { "s" });
    let image = create_image::run(&app.store, &caller, &cmd, dry_run, new_id).await?;
    let mut out = Map::new();
    out.insert("ImageId".into(), Value::String(image.id));
    Ok(out)
}

async fn describe_images(
    app: &App,
    rpc: &RpcRequest,
    account: &Account,
    now: chrono::DateTime<chrono::Utc>,
) -> DomainResult<Map<String, Value>> {
    let query = params::describe_images(rpc)?;
    if !app.store.region_exists(&query.region).await? {
        return Err(DomainError::RegionNotFound);
    }
    let mut matching: Vec<_> =
        app.store.account_images(&account.id).await?.into_iter().filter(|i| query.matches(i, now)).collect();
    matching.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    Ok(views::image_page(&query, &matching, now))
}
