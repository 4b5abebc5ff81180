//! CreateImage: read what the rules need, check them, then write the image (with its name
//! marker, quota unit, new snapshots and disk locks) and the token's completion in one
//! transaction.

use super::idempotent::{self, Made};
use super::Caller;
use domain::image::{self, CreateImage, ImageContext, ImageSource};
use domain::{DomainError, DomainResult, Image};
use store::{Store, TokenUse};

/// The image created (for a replayed client token, the one first created). With `dry_run`,
/// every check runs and nothing is written: the answer is [`DomainError::DryRunPassed`].
pub async fn run(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &CreateImage,
    dry_run: bool,
    new_id: fn(&str) -> String,
) -> DomainResult<Made<Image>> {
    let token = if dry_run { None } else { cmd.client_token.as_deref() };
    let account = caller.account;
    // The region, the name's marker and the quota counter are read while the token is claimed.
    let prefetch = async {
        let name_taken = async {
            match &cmd.name {
                Some(name) => store.image_name_taken(&account.id, &cmd.region, name).await,
                None => Ok(false),
            }
        };
        tokio::join!(
            store.region_served(&cmd.region, account.provider),
            name_taken,
            store.image_count(&account.id, &cmd.region)
        )
    };
    let make = async |token: Option<&TokenUse>, read: Prefetched| {
        create(store, caller, cmd, dry_run, new_id, token, read).await
    };
    idempotent::once(store, caller, token, cmd, prefetch, make).await
}

/// Whether the region is served, whether the name is taken, and the images in the region.
type Prefetched = (DomainResult<bool>, DomainResult<bool>, DomainResult<u32>);

async fn create(
    store: &Store,
    caller: &Caller<'_>,
    cmd: &CreateImage,
    dry_run: bool,
    new_id: fn(&str) -> String,
    token: Option<&TokenUse>,
    (region_served, name_taken, images_in_region): Prefetched,
) -> DomainResult<Image> {
    let account = caller.account;
    if !region_served? {
        return Err(DomainError::RegionNotFound);
    }
    let name_taken = name_taken?;
    let images_in_region = images_in_region?;
    let (instance, instance_disks) = match &cmd.source {
        ImageSource::Instance(id) => {
            let instance =
                store.instance(id).await?.filter(|i| i.account == account.id && i.region == cmd.region);
            let disks = match &instance {
                Some(_) => store
                    .account_disks(&account.id)
                    .await?
                    .into_iter()
                    .filter(|d| d.instance.as_ref() == Some(id))
                    .collect(),
                None => Vec::new(),
            };
            (instance, disks)
        }
        _ => (None, Vec::new()),
    };
    let wanted: Vec<Option<&String>> = match &cmd.source {
        ImageSource::Snapshot(id) => vec![Some(id)],
        ImageSource::Mappings(specs) => specs.iter().map(|m| m.snapshot_id.as_ref()).collect(),
        ImageSource::Instance(_) => Vec::new(),
    };
    let mut snapshots = Vec::new();
    for id in wanted {
        let found = match id {
            Some(id) => {
                store.snapshot(id).await?.filter(|s| s.account == account.id && s.region == cmd.region)
            }
            None => None,
        };
        snapshots.push(found);
    }
    let ctx = ImageContext {
        account,
        images_in_region,
        name_taken,
        instance: instance.as_ref(),
        instance_disks: &instance_disks,
        snapshots: &snapshots,
        dialect: caller.origin.dialect().name(),
        action: caller.origin.action(),
        now: caller.now,
    };
    let plan = image::plan(cmd, &ctx, &new_id)?;
    if dry_run {
        return Err(DomainError::DryRunPassed);
    }
    let processing = account.settings.timings.request_processing_ms;
    if processing > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(processing)).await;
    }
    let quotas = &account.quotas;
    store.commit_image(&plan, quotas.images_per_region, quotas.snapshots_per_disk, caller.now, token).await?;
    Ok(plan.image)
}
