//! Tencent Cloud in the pipeline: TC3 and the HmacSHA1/HmacSHA256 form, CVM CreateImage (API
//! 3.0 on `/`, the older page on `/v2/index.php`) and DescribeImages, CBS CreateSnapshot and
//! DescribeSnapshots.

use crate::pipeline::Protocol;
use crate::usecases::describe::{self, SnapshotScope};
use crate::usecases::{create_image, create_snapshot, Caller};
use crate::App;
use chrono::{DateTime, Utc};
use dialects::tencent::{self as tc, errors, params, signature, views, TcRequest};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::{Account, AuthFailure, DomainError, DomainResult, Provider};
use serde_json::{Map, Value};
use store::{CallerItem, Ref};

impl Protocol for TcRequest {
    const DIALECT: Dialect = Dialect::Tencent;
    const PROVIDER: Provider = Provider::Tencent;
    /// Tencent Cloud API 3.0, signature: a timestamp more than five minutes from the server's
    /// time is refused (`AuthFailure.SignatureExpire`).
    const MAX_SKEW_SECONDS: u64 = 300;
    type Presented = signature::Presented;

    fn request_id() -> String {
        tc::request_id()
    }

    fn parse(req: &WireRequest) -> DomainResult<Self> {
        TcRequest::parse(req)
    }

    fn action(&self) -> Option<&str> {
        self.action.as_deref()
    }

    fn presented(&self, req: &WireRequest) -> Result<Self::Presented, AuthFailure> {
        signature::presented(req, &self.pairs)
    }

    fn access_key(presented: &Self::Presented) -> &str {
        &presented.secret_id
    }

    fn nonce(presented: &Self::Presented) -> Option<&str> {
        presented.nonce()
    }

    fn reads(&self, action: &str, access_key: &str) -> Vec<Ref> {
        let mut refs: Vec<Ref> = self.region.iter().map(|r| Ref::Region(r.clone())).collect();
        let text = |name: &str| self.params.get(name).and_then(Value::as_str).map(str::to_string);
        let ids = |name: &str| -> Vec<String> {
            let list = self.params.get(name).and_then(Value::as_array);
            list.into_iter().flatten().filter_map(Value::as_str).take(100).map(str::to_string).collect()
        };
        match action {
            "CreateSnapshot" => refs.extend(text("DiskId").map(Ref::Disk)),
            "CreateImage" => {
                refs.extend(text("InstanceId").map(Ref::Instance));
                refs.extend(ids("SnapshotIds").into_iter().map(Ref::Snapshot));
                if let Some(region) = &self.region {
                    let of_caller = |item| Ref::OfCaller { access_key: access_key.to_string(), item };
                    refs.push(of_caller(CallerItem::ImageCount { region: region.clone() }));
                    if let Some(name) = text("ImageName") {
                        refs.push(of_caller(CallerItem::ImageName { region: region.clone(), name }));
                    }
                }
            }
            "DescribeSnapshots" => refs.extend(ids("SnapshotIds").into_iter().map(Ref::Snapshot)),
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
        // The legacy form's signature covers its parameters and nothing else: what it runs must
        // come from them.
        if let (signature::Scheme::Legacy { .. }, Some(name)) = (&presented.scheme, self.header_only.first())
        {
            return Err(AuthFailure::Missing(name.to_string()));
        }
        // TC3's key is derived for one service: a CBS action signed for another is refused as
        // the provider's own check of the derived key would refuse it.
        if let signature::Scheme::Tc3 { service, .. } = &presented.scheme {
            let expected = self.action.as_deref().and_then(tc::service_of);
            if expected.is_some_and(|e| e != service) {
                return Err(AuthFailure::Mismatch { string_to_sign: String::new() });
            }
        }
        signature::verify(req, &self.pairs, req.uri().path(), presented, secret, now, max_skew_seconds)
    }

    async fn run(
        &self,
        app: &App,
        action: &str,
        account: &Account,
        now: DateTime<Utc>,
    ) -> DomainResult<Map<String, Value>> {
        // The older page serves CreateImage alone.
        if self.legacy && action != "CreateImage" {
            return Err(DomainError::UnknownAction(action.to_string()));
        }
        match self.version.as_deref() {
            Some(tc::API_VERSION) => {}
            Some(other) => return Err(DomainError::UnsupportedVersion(other.to_string())),
            None => return Err(DomainError::missing("Version")),
        }
        let region = self.region.as_deref().ok_or_else(|| DomainError::missing("Region"))?;
        let caller = Caller { account, dialect: Dialect::Tencent.name(), action, now };
        match action {
            "CreateImage" => create_image(app, self, region, &caller).await,
            "DescribeImages" => describe_images(app, self, region, &caller).await,
            "CreateSnapshot" => create_snapshot(app, self, region, &caller).await,
            "DescribeSnapshots" => describe_snapshots(app, self, region, &caller).await,
            other => Err(DomainError::UnknownAction(other.to_string())),
        }
    }

    fn success(&self, _action: &str, request_id: &str, fields: Map<String, Value>) -> WireResponse {
        tc::success(self.legacy, request_id, fields)
    }

    fn failure(parsed: Option<&Self>, action: &str, error: &DomainError, request_id: &str) -> WireResponse {
        let legacy = parsed.is_some_and(|p| p.legacy);
        let (code, message) = errors::answer(error, errors::Context { action, legacy });
        tc::failure(&code, &message, legacy, request_id)
    }
}

fn new_id(kind: &str) -> String {
    tc::resource_id(if kind == "image" { "img" } else { "snap" })
}

async fn create_image(
    app: &App,
    req: &TcRequest,
    region: &str,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    let (cmd, dry_run) = if req.legacy {
        (params::create_image_legacy(req, region)?, false)
    } else {
        params::create_image(req, region)?
    };
    let image = create_image::run(&app.store, caller, &cmd, dry_run, new_id).await?;
    Ok(Map::from_iter([("ImageId".to_string(), Value::String(image.id().to_string()))]))
}

async fn describe_images(
    app: &App,
    req: &TcRequest,
    region: &str,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    let query = params::describe_images(req)?;
    let images = describe::images(&app.store, caller, Some(region)).await?;
    let matching: Vec<_> = images.into_iter().filter(|i| query.matches(i, caller.now)).collect();
    Ok(views::image_page(&query, &matching, caller.now))
}

async fn create_snapshot(
    app: &App,
    req: &TcRequest,
    region: &str,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    let cmd = params::create_snapshot(req, region, caller.now)?;
    let snapshot = create_snapshot::run(&app.store, caller, &cmd, || tc::resource_id("snap")).await?;
    Ok(Map::from_iter([("SnapshotId".to_string(), Value::String(snapshot.id().to_string()))]))
}

async fn describe_snapshots(
    app: &App,
    req: &TcRequest,
    region: &str,
    caller: &Caller<'_>,
) -> DomainResult<Map<String, Value>> {
    let query = params::describe_snapshots(req)?;
    let scope = match &query.snapshot_ids {
        Some(ids) => SnapshotScope::Ids(ids),
        None => SnapshotScope::Account,
    };
    let (snapshots, disks) = tokio::join!(
        describe::snapshots(&app.store, caller, Some(region), scope),
        app.store.account_disks(&caller.account.id)
    );
    let mut matching: Vec<_> = snapshots?.into_iter().filter(|s| query.matches(s, caller.now)).collect();
    query.order(&mut matching);
    let disks = disks?;
    let zone_of =
        |disk: &str| disks.iter().find(|d| d.id == disk).map(|d| d.zone.clone()).unwrap_or_default();
    Ok(views::snapshot_page(&query, &matching, zone_of, caller.now))
}
