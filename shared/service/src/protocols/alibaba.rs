//! Alibaba ECS RPC in the pipeline: its signatures, and each action's parameters turned into
//! domain commands and the results into the API's fields.

use crate::actions::Action as _;
use crate::pipeline::{check_version, Check, Protocol, Replay};
use crate::routes::AlibabaAction;
use crate::usecases::describe::{self, SnapshotScope};
use crate::usecases::{create_image, create_snapshot, delete_image, delete_snapshot, modify, tags, Caller};
use crate::App;
use dialects::alibaba::tags::{self as tag_params, TagPage, TagResourceList, TagResourceView};
use dialects::alibaba::{self as ali, errors, images, paging, signature, snapshots, views, RpcRequest};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::{AuthFailure, DomainError, DomainResult};
use std::borrow::Cow;
use store::{CallerItem, Owned, Ref};
use views::{Done, ImageCreated, ImagePage, SnapshotCreated, SnapshotPage};

impl Protocol for RpcRequest {
    const DIALECT: Dialect = Dialect::Alibaba;
    /// ECS API reference, common parameters: the timestamp is valid for 15 minutes
    /// (`InvalidTimeStamp.Expired`).
    const MAX_SKEW_SECONDS: u64 = 900;
    type Action = AlibabaAction;
    type Presented = signature::Presented;

    fn presented(&self, req: &WireRequest) -> Result<Self::Presented, AuthFailure> {
        signature::presented(req, self)
    }

    fn key_and_replay(presented: &Self::Presented) -> (&str, Option<Replay<'_>>) {
        // Both signatures cover the action (a signed parameter, or ACS3's `x-acs-action`).
        (&presented.access_key_id, presented.nonce().map(|n| Replay::Nonce(Cow::Borrowed(n))))
    }

    fn common_reads(&self, action: AlibabaAction, access_key: &str) -> Vec<Ref> {
        let mut refs: Vec<Ref> = self.get("RegionId").map(|r| Ref::Region(r.into())).into_iter().collect();
        if let Some(token) = self.get("ClientToken") {
            let item = CallerItem::Token { action: action.wire().into(), token: token.into() };
            refs.push(Ref::OfCaller { access_key: access_key.to_string(), item });
        }
        refs
    }

    fn verify(&self, req: &WireRequest, p: &Self::Presented, check: &Check) -> Result<(), AuthFailure> {
        signature::verify(req, self, p, check.secret, check.now, check.max_skew_seconds)
    }

    fn admit(&self, _: AlibabaAction) -> DomainResult<()> {
        check_version(self.version.as_deref(), &[ali::API_VERSION], "Version")?;
        Ok(())
    }

    fn success(&self, action: AlibabaAction, request_id: &str, answer: &views::Answer) -> WireResponse {
        ali::success(action.wire(), self.xml, request_id, answer)
    }

    fn failure(
        parsed: Option<&Self>,
        action: Option<AlibabaAction>,
        error: &DomainError,
        request_id: &str,
    ) -> WireResponse {
        let volume = parsed.and_then(|p| p.get("DiskId")).is_some_and(|d| d.starts_with("v-"));
        let xml = parsed.is_some_and(|p| p.xml);
        let (status, code, message) = errors::answer(error, errors::Context { action, volume });
        ali::failure(status, &code, &message, xml, request_id)
    }
}

pub(crate) fn snapshot_reads(rpc: &RpcRequest, _: &str) -> Vec<Ref> {
    rpc.get("DiskId").map(|d| Ref::Disk(d.into())).into_iter().collect()
}

pub(crate) fn snapshot_id_reads(rpc: &RpcRequest, _: &str) -> Vec<Ref> {
    rpc.get("SnapshotId").map(|s| Ref::Snapshot(s.into())).into_iter().collect()
}

/// The image, and the region its rules check first.
pub(crate) fn image_id_reads(rpc: &RpcRequest, _: &str) -> Vec<Ref> {
    let region = rpc.get("RegionId").map(|r| Ref::Region(r.into()));
    region.into_iter().chain(rpc.get("ImageId").map(|i| Ref::Image(i.into()))).collect()
}

/// DescribeSnapshots reads what its narrowest filter names: the ids, else the disk's snapshots,
/// else the caller's; and the caller's disks to filter by instance.
pub(crate) fn described_reads(rpc: &RpcRequest, access_key: &str) -> Vec<Ref> {
    let ids = rpc.get("SnapshotIds").and_then(|v| serde_json::from_str::<Vec<String>>(v).ok());
    let mut refs: Vec<Ref> = match (ids, rpc.get("DiskId")) {
        (Some(ids), _) => ids.into_iter().take(100).map(Ref::Snapshot).collect(),
        (None, Some(disk)) => vec![Ref::DiskSnapshots(disk.into())],
        (None, None) => vec![Ref::caller_owned(access_key, Owned::Snapshots)],
    };
    if rpc.get("InstanceId").is_some() {
        refs.push(Ref::caller_owned(access_key, Owned::Disks));
    }
    refs
}

/// DescribeImages reads the caller's images.
pub(crate) fn listed_image_reads(_: &RpcRequest, access_key: &str) -> Vec<Ref> {
    vec![Ref::caller_owned(access_key, Owned::Images)]
}

pub(crate) fn image_reads(rpc: &RpcRequest, access_key: &str) -> Vec<Ref> {
    let mut refs: Vec<Ref> = rpc.get("SnapshotId").map(|s| Ref::Snapshot(s.into())).into_iter().collect();
    refs.extend(rpc.get("InstanceId").map(|i| Ref::Instance(i.into())));
    if let Some(region) = rpc.get("RegionId") {
        let of_caller = |item| Ref::OfCaller { access_key: access_key.to_string(), item };
        refs.push(of_caller(CallerItem::ImageCount { region: region.into() }));
        if let Some(name) = rpc.get("ImageName") {
            refs.push(of_caller(CallerItem::ImageName { region: region.into(), name: name.into() }));
        }
    }
    refs
}

pub(crate) async fn create_snapshot(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<SnapshotCreated> {
    let cmd = snapshots::create_snapshot(rpc)?;
    let snapshot = create_snapshot::run(&app.store, caller, &cmd, || ali::resource_id("s")).await?;
    Ok(SnapshotCreated { snapshot_id: snapshot.id().to_string() })
}

pub(crate) async fn delete_snapshot(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = snapshots::delete_snapshot(rpc)?;
    delete_snapshot::run(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

pub(crate) async fn describe_snapshots(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<SnapshotPage> {
    // Only paging by token needs the key (and, the first time on a table, a write to make it).
    let seal_key = if paging::pages_by_token(rpc) { app.seal_key().await? } else { String::new() };
    let query = snapshots::describe_snapshots(rpc, &caller.account.id, seal_key.as_bytes())?;
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

pub(crate) async fn create_image(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<ImageCreated> {
    let (cmd, dry_run) = images::create_image(rpc)?;
    let new_id = |kind: &str| ali::resource_id(if kind == "image" { "m" } else { "s" });
    let image = create_image::run(&app.store, caller, &cmd, dry_run, new_id).await?;
    Ok(ImageCreated { image_id: image.id().to_string() })
}

pub(crate) async fn describe_images(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<ImagePage> {
    let query = images::describe_images(rpc)?;
    let images = describe::images(&app.store, caller, Some(&query.region)).await?;
    if query.dry_run {
        return Err(DomainError::DryRunPassed);
    }
    let matching: Vec<_> = images.into_iter().filter(|i| query.matches(i, caller.now)).collect();
    Ok(views::image_page(&query, &matching, caller.now))
}

pub(crate) async fn delete_image(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = images::delete_image(rpc)?;
    delete_image::run(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

pub(crate) async fn modify_snapshot(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = snapshots::modify_snapshot(rpc)?;
    modify::snapshot(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

pub(crate) async fn modify_image(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = images::modify_image(rpc)?;
    modify::image(&app.store, caller, &cmd).await?;
    Ok(Done {})
}

pub(crate) async fn tag_resources(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    tags::relabel(&app.store, caller, &tag_params::tag_resources(rpc)?).await?;
    Ok(Done {})
}

pub(crate) async fn untag_resources(app: &App, rpc: &RpcRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    tags::relabel(&app.store, caller, &tag_params::untag_resources(rpc)?).await?;
    Ok(Done {})
}

pub(crate) async fn join_resource_group(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<Done> {
    tags::relabel(&app.store, caller, &tag_params::join_resource_group(rpc)?).await?;
    Ok(Done {})
}

/// ListTagResources: the matching resources' tags, a page of them at a time.
pub(crate) async fn list_tag_resources(
    app: &App,
    rpc: &RpcRequest,
    caller: &Caller<'_>,
) -> DomainResult<TagPage> {
    let query = tag_params::list_tag_resources(rpc)?;
    let account = &caller.account.id;
    let seal_key = if query.next_token.is_some() { app.seal_key().await? } else { String::new() };
    let offset = query.offset(rpc, account, seal_key.as_bytes())?;
    let labels = tags::labels(&app.store, caller, &query.region, query.kind, query.ids.as_deref()).await?;
    let rows: Vec<TagResourceView> = labels
        .into_iter()
        .filter(|l| query.matches(&l.tags, l.group.as_deref()))
        .flat_map(|l| {
            l.tags.into_iter().map(move |t| TagResourceView {
                resource_type: tag_params::type_name(query.kind),
                resource_id: l.id.clone(),
                tag_key: t.key,
                tag_value: t.value,
            })
        })
        .collect();
    let end = offset.saturating_add(tag_params::PAGE_SIZE);
    let next_token = if end < rows.len() {
        let seal_key = if seal_key.is_empty() { app.seal_key().await? } else { seal_key };
        Some(query.token_at(rpc, account, seal_key.as_bytes(), end))
    } else {
        None
    };
    let tag_resource = rows.into_iter().skip(offset).take(tag_params::PAGE_SIZE).collect();
    Ok(TagPage { next_token, tag_resources: TagResourceList { tag_resource } })
}
