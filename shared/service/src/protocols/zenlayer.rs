//! Zenlayer in the pipeline: ZC2-HMAC-SHA256; ZEC's images and snapshots in its two versions
//! (created, described, renamed, given a new lifetime and deleted); their tags (ZRM) and
//! resource groups (User).

use crate::pipeline::{Check, Protocol, Replay};
use crate::routes::ZenlayerAction;
use crate::usecases::describe::{self, SnapshotScope};
use crate::usecases::{batch_delete, create_image, create_snapshot, modify, tags, Caller};
use crate::App;
use dialects::zenlayer::tags as tag_params;
use dialects::zenlayer::{
    self as zl, errors, images, params, signature, snapshots, versions, views, ZlRequest,
};
use dialects::{Dialect, WireRequest, WireResponse};
use domain::modify::ModifySnapshot;
use domain::tags::TagChange;
use domain::{Account, AuthFailure, DomainError, DomainResult, Provider};
use serde_json::Value;
use store::{Owned, Ref};
use views::{Answer, SnapshotsNotDeleted};
use views::{CustomImageView, Done, ImageCreated, ImagesNotDeleted, Page, SnapshotCreated, SnapshotView};

impl Protocol for ZlRequest {
    const DIALECT: Dialect = Dialect::Zenlayer;
    /// Zenlayer's signature page gives no window; its scheme is modelled on TC3, whose five
    /// minutes it is given here.
    const MAX_SKEW_SECONDS: u64 = 300;
    type Action = ZenlayerAction;
    type Presented = signature::Presented;

    fn presented(&self, req: &WireRequest) -> Result<Self::Presented, AuthFailure> {
        signature::presented(req)
    }

    fn key_and_replay(presented: &Self::Presented) -> (&str, Option<Replay<'_>>) {
        // ZC2 has no nonce (identical requests within a second are not replays) and the SDKs
        // do not sign `x-zc-action`.
        (&presented.access_key_id, Some(Replay::Signature(presented.signature.to_ascii_lowercase())))
    }

    fn verify(&self, req: &WireRequest, p: &Self::Presented, check: &Check) -> Result<(), AuthFailure> {
        signature::verify(req, p, check.secret, check.now, check.max_skew_seconds)
    }

    fn admit(&self, action: ZenlayerAction) -> DomainResult<()> {
        versions::admit(&self.service, self.version.as_deref(), action)
    }

    fn success(&self, _action: ZenlayerAction, request_id: &str, answer: &views::Answer) -> WireResponse {
        zl::success(request_id, answer)
    }

    fn failure(
        _parsed: Option<&Self>,
        action: Option<ZenlayerAction>,
        error: &DomainError,
        request_id: &str,
    ) -> WireResponse {
        let (status, code, message) = errors::answer(error, action);
        zl::failure(status, &code, &message, request_id)
    }
}

fn text(req: &ZlRequest, name: &str) -> Option<String> {
    req.params.get(name).and_then(Value::as_str).map(str::to_string)
}

pub(crate) fn image_reads(req: &ZlRequest, _: &str) -> Vec<Ref> {
    text(req, "instanceId").map(Ref::Instance).into_iter().collect()
}

pub(crate) fn snapshot_reads(req: &ZlRequest, _: &str) -> Vec<Ref> {
    text(req, "diskId").map(Ref::Disk).into_iter().collect()
}

/// The ids of a list parameter, as far as the request names them (at most a hundred).
fn ids(req: &ZlRequest, name: &str) -> Vec<String> {
    let list = req.params.get(name).and_then(Value::as_array);
    list.into_iter().flatten().filter_map(Value::as_str).take(100).map(str::to_string).collect()
}

pub(crate) fn described_reads(req: &ZlRequest, _: &str) -> Vec<Ref> {
    ids(req, "snapshotIds").into_iter().map(Ref::Snapshot).collect()
}

/// DescribeSnapshots reads the snapshots named, else the caller's; and the caller's disks.
pub(crate) fn listed_snapshot_reads(req: &ZlRequest, access_key: &str) -> Vec<Ref> {
    super::listed_snapshots(described_reads(req, access_key), access_key)
}

/// DescribeImages and DescribeCustomImages read the caller's images.
pub(crate) fn listed_image_reads(_: &ZlRequest, access_key: &str) -> Vec<Ref> {
    vec![Ref::caller_owned(access_key, Owned::Images)]
}

pub(crate) fn image_id_reads(req: &ZlRequest, _: &str) -> Vec<Ref> {
    ids(req, "imageIds").into_iter().map(Ref::Image).collect()
}

/// The account's resource group named, or its default group when none is: an unknown one is
/// refused.
fn resource_group(account: &Account, asked: Option<String>) -> DomainResult<String> {
    let group = match asked {
        Some(id) => account.resource_groups.iter().find(|g| g.id == id),
        None => account.resource_groups.iter().find(|g| g.default).or(account.resource_groups.first()),
    };
    group.map(|g| g.id.clone()).ok_or(DomainError::ResourceGroupNotFound)
}

/// A zone named by a filter must exist (in a Zenlayer region of the world).
async fn check_zone(app: &App, zone: Option<&str>) -> DomainResult<()> {
    let Some(zone) = zone else { return Ok(()) };
    let region = app.store.region(params::region_of_zone(zone)).await?;
    match region {
        Some(r) if r.provider == Provider::Zenlayer && r.zones.iter().any(|z| z == zone) => Ok(()),
        _ => Err(DomainError::RegionNotFound),
    }
}

pub(crate) async fn create_image(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<ImageCreated> {
    // The image is made in the instance's region and zone.
    let instance_id = images::image_instance(req)?;
    let region = app
        .store
        .instance(&instance_id)
        .await?
        .filter(|i| i.account == caller.account.id)
        .map(|i| i.region)
        .ok_or(DomainError::InstanceNotFound)?;
    let group = resource_group(caller.account, images::resource_group(req)?)?;
    let cmd = images::create_image(req, &region, group)?;
    // ZEC takes no client token, so every call makes its image.
    let made = create_image::run(&app.store, caller, &cmd, false, |_| zl::resource_id()).await?;
    let name = cmd.name.clone().unwrap_or_default();
    Ok(ImageCreated { image_id: made.id().to_string(), image_name: name })
}

/// DescribeImages, in the fields and filters of the version called.
pub(crate) async fn describe_images(app: &App, req: &ZlRequest, caller: &Caller<'_>) -> DomainResult<Answer> {
    let older = req.version.as_deref() == Some(versions::ZEC_2024);
    let query = if older { images::describe_images_2024(req)? } else { images::describe_images(req)? };
    check_zone(app, query.zone.as_deref()).await?;
    let images = describe::images(&app.store, caller, None).await?;
    let matching = images.iter().filter(|i| query.matches(i, caller.now));
    Ok(if older {
        query.page(matching.map(|i| views::image_2024(i, caller.now)).collect()).into()
    } else {
        query.page(matching.map(|i| views::image(i, caller.now)).collect()).into()
    })
}

pub(crate) async fn describe_custom_images(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<Page<CustomImageView>> {
    let query = images::describe_custom_images(req)?;
    let images = describe::images(&app.store, caller, query.region.as_deref()).await?;
    let groups = &caller.account.resource_groups;
    let items = images
        .iter()
        .filter(|i| query.matches(i, caller.now))
        .map(|i| views::custom_image(i, groups, caller.now))
        .collect();
    Ok(query.page(items))
}

pub(crate) async fn create_snapshot(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<SnapshotCreated> {
    let mut cmd = snapshots::create_snapshot(req, caller.now)?;
    cmd.resource_group_id = Some(resource_group(caller.account, None)?);
    let snapshot = create_snapshot::run(&app.store, caller, &cmd, zl::resource_id).await?;
    Ok(SnapshotCreated { snapshot_id: snapshot.id().to_string() })
}

pub(crate) async fn describe_snapshots(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<Page<SnapshotView>> {
    let query = snapshots::describe_snapshots(req)?;
    check_zone(app, query.zone.as_deref()).await?;
    // ZEC lists by zone, not region: every region of the caller's.
    let scope = match &query.snapshot_ids {
        Some(ids) => SnapshotScope::Ids(ids),
        None => SnapshotScope::Account,
    };
    let (snapshots, disks) = tokio::join!(
        describe::snapshots(&app.store, caller, None, scope),
        app.store.account_disks(&caller.account.id)
    );
    let (snapshots, disks) = (snapshots?, disks?);
    let zone_of =
        |disk: &str| disks.iter().find(|d| d.id == disk).map(|d| d.zone.clone()).unwrap_or_default();
    let groups = &caller.account.resource_groups;
    let items = snapshots
        .iter()
        .filter(|s| query.matches(s, &zone_of(&s.disk_id), caller.now))
        .map(|s| views::snapshot(s, &zone_of(&s.disk_id), groups, caller.now))
        .collect();
    Ok(query.page(items))
}

/// DeleteImages: the images that may go are deleted, the others listed.
pub(crate) async fn delete_images(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<ImagesNotDeleted> {
    let ids = images::delete_images(req)?;
    let image_ids = batch_delete::each_image(&app.store, caller, &ids).await?;
    Ok(ImagesNotDeleted { image_ids })
}

pub(crate) async fn modify_images(app: &App, req: &ZlRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = images::modify_images(req)?;
    modify::images_renamed(&app.store, caller, &cmd.ids, &cmd.name).await?;
    Ok(Done {})
}

/// DeleteSnapshots: the snapshots that may go are deleted, the others listed.
pub(crate) async fn delete_snapshots(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<SnapshotsNotDeleted> {
    let ids = snapshots::delete_snapshots(req)?;
    let snapshot_ids = batch_delete::each_snapshot(&app.store, caller, &ids).await?;
    Ok(SnapshotsNotDeleted { snapshot_ids })
}

pub(crate) async fn modify_snapshots(app: &App, req: &ZlRequest, caller: &Caller<'_>) -> DomainResult<Done> {
    let cmd = snapshots::modify_snapshots(req, caller.now)?;
    // Each snapshot once, however often it is named.
    let mut seen = std::collections::HashSet::new();
    let cmds: Vec<ModifySnapshot> = cmd
        .ids
        .iter()
        .filter(|id| seen.insert(*id))
        .map(|id| ModifySnapshot {
            snapshot_id: id.clone(),
            name: cmd.name.clone(),
            lifetime: cmd.lifetime,
            ..ModifySnapshot::default()
        })
        .collect();
    modify::snapshots(&app.store, caller, &cmds).await?;
    Ok(Done {})
}

/// ZRM ModifyResourceTags: one image's or snapshot's tags set and removed in one change.
pub(crate) async fn modify_resource_tags(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<Done> {
    let cmd = tag_params::modify_resource_tags(req)?;
    let ids = [cmd.resource];
    tags::relabel_by_id(&app.store, caller, &ids, &cmd.change, tag_params::MAX_TAGS_PER_RESOURCE).await?;
    Ok(Done {})
}

/// User AddResourceResourceGroup: images and snapshots moved into one of the caller's groups.
pub(crate) async fn add_resource_resource_group(
    app: &App,
    req: &ZlRequest,
    caller: &Caller<'_>,
) -> DomainResult<Done> {
    let cmd = tag_params::add_resource_resource_group(req)?;
    let group = resource_group(caller.account, Some(cmd.group))?;
    let change = TagChange::JoinGroup(group);
    tags::relabel_by_id(&app.store, caller, &cmd.resources, &change, tag_params::MAX_TAGS_PER_RESOURCE)
        .await?;
    Ok(Done {})
}
