//! Tencent Cloud in the pipeline: TC3 and the HmacSHA1/HmacSHA256 form; CVM's images (created —
//! in API 3.0 on `/` and on the older page's `/v2/index.php` — described, modified and deleted),
//! CBS's snapshots (created, described, modified and deleted), and the Tag service's calls on
//! both.

use crate::actions::Action as _;
use crate::pipeline::{check_version, Check, Protocol, Replay};
use crate::routes::TencentAction;
use crate::usecases::describe::{self, SnapshotScope};
use crate::usecases::{batch_delete, create_image, create_snapshot, modify, tags, Caller};
use crate::App;
use dialects::tencent::actions::Service;
use dialects::tencent::signature::Scheme;
use dialects::tencent::tags::{self as tag_params, FailedResource, Failures, ResourceName, ResourceTagPage};
use dialects::tencent::{self as tc, errors, images, signature, snapshots, views, TcRequest};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::tags::{Retag, TagChange};
use domain::{AuthFailure, DomainError, DomainResult};
use domain::{Tag, TagRefusal};
use serde_json::Value;
use std::borrow::Cow;
use store::{CallerItem, Owned, Ref};
use views::{Done, ImageCreated, ImagePage, SnapshotCreated, SnapshotPage};

impl Protocol for TcRequest {
    const DIALECT: Dialect = Dialect::Tencent;
    /// Tencent Cloud API 3.0, signature: a timestamp more than five minutes from the server's
    /// time is refused (`AuthFailure.SignatureExpire`).
    const MAX_SKEW_SECONDS: u64 = 300;
    type Action = TencentAction;
    type Presented = signature::Presented;

    fn presented(&self, req: &WireRequest) -> Result<Self::Presented, AuthFailure> {
        signature::presented(req, &self.pairs)
    }

    fn key_and_replay(presented: &Self::Presented) -> (&str, Option<Replay<'_>>) {
        // The legacy form signs its `Action` parameter and carries a nonce; TC3 has no nonce and
        // the SDKs do not sign `X-TC-Action`.
        let replay = match &presented.scheme {
            Scheme::Tc3 { signature, .. } => Some(Replay::Signature(signature.to_ascii_lowercase())),
            Scheme::Legacy { .. } => presented.replay_key().map(|k| Replay::Nonce(Cow::Owned(k))),
        };
        (&presented.secret_id, replay)
    }

    fn common_reads(&self, _: TencentAction, _: &str) -> Vec<Ref> {
        self.region.iter().map(|r| Ref::Region(r.clone())).collect()
    }

    fn verify(&self, req: &WireRequest, p: &Self::Presented, check: &Check) -> Result<(), AuthFailure> {
        // The legacy form's signature covers its parameters and nothing else: what it runs must
        // come from them.
        if let (signature::Scheme::Legacy { .. }, Some(name)) = (&p.scheme, self.header_only.first()) {
            return Err(AuthFailure::Missing(name.to_string()));
        }
        // TC3's key is derived for one service: a CBS action signed for another is refused as
        // the provider's own check of the derived key would refuse it. A client pointed at a host
        // that names no service (`127.0.0.1:PORT`, `localhost:PORT`) scopes its signature to that
        // host's first label, as Tencent's Node.js SDK does; the action and version then tell the
        // service, and the signed `Host` ties the signature to that host.
        if let signature::Scheme::Tc3 { service, .. } = &p.scheme {
            let expected = self.action.as_deref().and_then(TencentAction::from_wire).map(|a| a.api().name());
            let host = dialects::header(req, "host").unwrap_or_default();
            if expected.is_some_and(|e| e != service) && !scoped_to_host(service, host) {
                return Err(AuthFailure::Mismatch { string_to_sign: String::new() });
            }
        }
        signature::verify(
            req,
            &self.pairs,
            req.uri().path(),
            p,
            check.secret,
            check.now,
            check.max_skew_seconds,
        )
    }

    fn admit(&self, action: TencentAction) -> DomainResult<()> {
        // The older page serves CreateImage alone.
        if self.legacy && !dialects::tencent::actions::LEGACY.contains(&action) {
            return Err(DomainError::UnknownAction(action.wire().to_string()));
        }
        // The Tag service has its own version, and its region is optional.
        let service = action.api();
        check_version(self.version.as_deref(), &[service.version()], "Version")?;
        if service == Service::Tag {
            return Ok(());
        }
        region(self)?;
        Ok(())
    }

    fn success(&self, _action: TencentAction, request_id: &str, answer: &views::Answer) -> WireResponse {
        tc::success(self.legacy, request_id, answer)
    }

    fn failure(
        parsed: Option<&Self>,
        action: Option<TencentAction>,
        error: &DomainError,
        request_id: &str,
    ) -> WireResponse {
        let legacy = parsed.is_some_and(|p| p.legacy);
        let (code, message) = errors::answer(error, errors::Context { action, legacy });
        tc::failure(&code, &message, legacy, request_id)
    }
}

/// Whether a TC3 scope's `service` is the first label of the `host` the request was sent to (as
/// sent, or without its port), where that label names no Tencent service: a client that takes its
/// scope from its endpoint, pointed at an address rather than at a product's host.
fn scoped_to_host(service: &str, host: &str) -> bool {
    let first_label = |h: &str| h.split('.').next() == Some(service);
    let named = first_label(host) || signature::without_port(host).is_some_and(first_label);
    named && !Service::ALL.iter().any(|s| s.name() == service)
}

/// Every CVM and CBS action names its region.
fn region(req: &TcRequest) -> DomainResult<&str> {
    req.region.as_deref().ok_or_else(|| DomainError::missing("Region"))
}

fn new_id(kind: &str) -> String {
    tc::resource_id(if kind == "image" { "img" } else { "snap" })
}

fn text(req: &TcRequest, name: &str) -> Option<String> {
    req.params.get(name).and_then(Value::as_str).map(str::to_string)
}

fn ids(req: &TcRequest, name: &str) -> Vec<String> {
    let list = req.params.get(name).and_then(Value::as_array);
    list.into_iter().flatten().filter_map(Value::as_str).take(100).map(str::to_string).collect()
}

pub(crate) fn image_reads(req: &TcRequest, access_key: &str) -> Vec<Ref> {
    let mut refs: Vec<Ref> = text(req, "InstanceId").map(Ref::Instance).into_iter().collect();
    refs.extend(ids(req, "SnapshotIds").into_iter().map(Ref::Snapshot));
    if let Some(region) = &req.region {
        let of_caller = |item| Ref::OfCaller { access_key: access_key.to_string(), item };
        refs.push(of_caller(CallerItem::ImageCount { region: region.clone() }));
        if let Some(name) = text(req, "ImageName") {
            refs.push(of_caller(CallerItem::ImageName { region: region.clone(), name }));
        }
    }
    refs
}

pub(crate) fn snapshot_reads(req: &TcRequest, _: &str) -> Vec<Ref> {
    text(req, "DiskId").map(Ref::Disk).into_iter().collect()
}

/// DescribeSnapshots reads the snapshots named, else the caller's; and the caller's disks.
pub(crate) fn described_reads(req: &TcRequest, access_key: &str) -> Vec<Ref> {
    super::listed_snapshots(ids(req, "SnapshotIds").into_iter().map(Ref::Snapshot).collect(), access_key)
}

/// DescribeImages reads the caller's images.
pub(crate) fn listed_image_reads(_: &TcRequest, access_key: &str) -> Vec<Ref> {
    vec![Ref::caller_owned(access_key, Owned::Images)]
}

pub(crate) async fn create_image(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<ImageCreated> {
    let region = region(req)?;
    let (cmd, dry_run) = if req.legacy {
        (images::create_image_legacy(req, region)?, false)
    } else {
        images::create_image(req, region)?
    };
    let image = create_image::run(&app.store, caller, &cmd, dry_run, new_id).await?;
    Ok(ImageCreated { image_id: image.id().to_string() })
}

pub(crate) async fn describe_images(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<ImagePage> {
    let region = region(req)?;
    let query = images::describe_images(req)?;
    let images = describe::images(&app.store, caller, Some(region)).await?;
    let matching: Vec<_> = images.into_iter().filter(|i| query.matches(i, caller.now)).collect();
    Ok(views::image_page(&query, &matching, caller.now))
}

pub(crate) async fn create_snapshot(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<SnapshotCreated> {
    let region = region(req)?;
    let cmd = snapshots::create_snapshot(req, region, caller.now)?;
    let snapshot = create_snapshot::run(&app.store, caller, &cmd, || tc::resource_id("snap")).await?;
    Ok(SnapshotCreated { snapshot_id: snapshot.id().to_string() })
}

pub(crate) async fn describe_snapshots(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<SnapshotPage> {
    let region = region(req)?;
    let query = snapshots::describe_snapshots(req)?;
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

pub(crate) fn image_id_reads(req: &TcRequest, _: &str) -> Vec<Ref> {
    let mut ids = ids(req, "ImageIds");
    ids.extend(text(req, "ImageId"));
    ids.into_iter().map(Ref::Image).collect()
}

pub(crate) fn snapshot_id_reads(req: &TcRequest, _: &str) -> Vec<Ref> {
    let mut ids = ids(req, "SnapshotIds");
    ids.extend(text(req, "SnapshotId"));
    ids.into_iter().map(Ref::Snapshot).collect()
}

/// CVM DeleteImages: all the images or none; a dry run checks and answers as the call would.
pub(crate) async fn delete_images(app: &App, req: &TcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = images::delete_images(req, region(req)?)?;
    batch_delete::images(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

pub(crate) async fn modify_image(app: &App, req: &TcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = images::modify_image(req, region(req)?)?;
    modify::image(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

/// CBS DeleteSnapshots: all the snapshots or none.
pub(crate) async fn delete_snapshots(app: &App, req: &TcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = snapshots::delete_snapshots(req, region(req)?)?;
    batch_delete::snapshots(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

pub(crate) async fn modify_snapshot(app: &App, req: &TcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = snapshots::modify_snapshot(req, region(req)?)?;
    modify::snapshot(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

/// Tag service: the tags of one resource named in six segments, set and removed in one change.
/// A name of another account, another region or no resource of the caller is refused.
async fn retag(
    app: &App,
    caller: &Caller<'_>,
    name: &ResourceName,
    set: Vec<Tag>,
    remove: Vec<String>,
) -> DomainResult<()> {
    if name.uin.as_ref().is_some_and(|u| *u != tag_params::uin(&caller.account.id)) {
        return Err(DomainError::Tagging(TagRefusal::BadResourceName));
    }
    let cmd = Retag {
        region: name.region.clone(),
        kind: name.kind,
        ids: vec![name.id.clone()],
        change: TagChange::Edit { set, remove },
        limit: tag_params::MAX_TAGS_PER_RESOURCE,
        keys: domain::tags::Keys::Exact,
    };
    match tags::relabel(&app.store, caller, &cmd).await {
        Err(DomainError::RegionNotFound) => Err(DomainError::Tagging(TagRefusal::BadResourceName)),
        other => other,
    }
}

pub(crate) async fn modify_resource_tags(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<Done> {
    let cmd = tag_params::modify_resource_tags(req)?;
    retag(app, caller, &cmd.resource, cmd.set, cmd.remove).await?;
    Ok(Done {})
}

/// TagResources and UnTagResources: each resource on its own; those that fail are listed with
/// their codes, as the API answers.
async fn tag_each(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
    cmd: tag_params::ResourcesTags,
) -> DomainResult<Failures> {
    let action = req.action.as_deref().and_then(TencentAction::from_wire);
    let mut failed_resources = Vec::new();
    for resource in &cmd.resources {
        let result = match tag_params::resource_name(resource) {
            Ok(name) => retag(app, caller, &name, cmd.set.clone(), cmd.remove.clone()).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {}
            Err(e @ (DomainError::Internal(_) | DomainError::Unavailable)) => return Err(e),
            Err(e) => {
                let (code, message) = errors::answer(&e, errors::Context { action, legacy: false });
                failed_resources.push(FailedResource { resource: resource.clone(), code, message });
            }
        }
    }
    Ok(Failures { failed_resources })
}

pub(crate) async fn tag_resources(app: &App, req: &TcRequest, caller: &Caller<'_>) -> DomainResult<Failures> {
    tag_each(app, req, caller, tag_params::tag_resources(req)?).await
}

pub(crate) async fn untag_resources(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<Failures> {
    tag_each(app, req, caller, tag_params::untag_resources(req)?).await
}

/// DescribeResourceTagsByResourceIds: the tags of the caller's resources among the ids, a page at
/// a time; ids of nothing the caller has list no tag.
pub(crate) async fn describe_resource_tags(
    app: &App,
    req: &TcRequest,
    caller: &Caller<'_>,
) -> DomainResult<ResourceTagPage> {
    let q = tag_params::describe_resource_tags(req)?;
    let labels = match tags::labels(&app.store, caller, &q.region, q.kind, Some(&q.ids)).await {
        Err(DomainError::RegionNotFound) => return Err(DomainError::Tagging(TagRefusal::BadRegion)),
        other => other?,
    };
    let rows: Vec<_> = if q.system_only {
        Vec::new()
    } else {
        labels
            .iter()
            .flat_map(|l| l.tags.iter().map(|t| tag_params::TagResourceView::new(&l.id, t)))
            .collect()
    };
    let total_count = rows.len();
    let tags = rows.into_iter().skip(q.offset).take(q.limit).collect();
    Ok(ResourceTagPage { total_count, offset: q.offset, limit: q.limit, tags })
}
