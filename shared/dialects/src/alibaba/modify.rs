//! The parameters of ModifySnapshotAttribute and ModifyImageAttribute, checked by the rules of
//! their pages, into domain commands.

use super::params::{
    boolean, description, integer, one_of, only, optional, required, IMAGE_NAME, SNAPSHOT_NAME,
};
use super::wire::RpcRequest;
use domain::modify::{ImageLifecycle, ModifyImage, ModifySnapshot};
use domain::text::NameRule;
use domain::{DomainError, DomainResult, Field};

/// ImageFamily (ECS API reference, ModifyImageAttribute): 2–128 characters, starting with a
/// letter; letters, digits, `.`, `:`, `_`, `-`; not `acs:` or `aliyun`, not `http(s)://`.
pub const IMAGE_FAMILY: NameRule = NameRule {
    min: 2,
    max: 128,
    first: |c| c.is_ascii_alphabetic(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '-'),
    refused_prefixes: &["acs:", "aliyun"],
};

/// ModifySnapshotAttribute (ECS API reference, ModifySnapshotAttribute). `DisableInstantAccess`
/// is "no longer used": a boolean is accepted and changes nothing. A request that names nothing
/// to change is `NoAttributeToModify`.
pub fn modify_snapshot(rpc: &RpcRequest) -> DomainResult<ModifySnapshot> {
    only(rpc, &["SnapshotId", "SnapshotName", "Description", "RetentionDays", "DisableInstantAccess"])?;
    let snapshot_id = required(rpc, "SnapshotId")?.to_string();
    let name = match rpc.get("SnapshotName") {
        None => None,
        Some(n) if SNAPSHOT_NAME.accepts(n) => Some(n.to_string()),
        Some(_) => return Err(DomainError::Malformed(Field::SnapshotName)),
    };
    let description = match rpc.get("Description") {
        Some("") => Some(String::new()),
        _ => description(rpc, 0, 256)?,
    };
    let retention_days = integer(rpc, "RetentionDays", 1..=65_536)
        .map_err(|_| DomainError::Malformed(Field::RetentionDays))?
        .map(|d| d as u32);
    let instant_access = boolean(rpc, "DisableInstantAccess")
        .map_err(|_| DomainError::Malformed(Field::DisableInstantAccess))
        .map(|_| rpc.get("DisableInstantAccess").is_some_and(|v| !v.is_empty()))?;
    if name.is_none() && description.is_none() && retention_days.is_none() && !instant_access {
        return Err(DomainError::NothingToModify);
    }
    Ok(ModifySnapshot {
        snapshot_id,
        region: optional(rpc, "RegionId"),
        name,
        description,
        retention_days,
        lifetime: None,
    })
}

/// ModifyImageAttribute (ECS API reference, ModifyImageAttribute). The name keeps CreateImage's
/// rule; an empty name or description keeps the current one, as the page says.
pub fn modify_image(rpc: &RpcRequest) -> DomainResult<ModifyImage> {
    only(
        rpc,
        &[
            "ImageId",
            "ImageName",
            "Description",
            "ImageFamily",
            "BootMode",
            "LicenseType",
            "Features.NvmeSupport",
            "Features.ImdsSupport",
            "Status",
            "DryRun",
        ],
    )?;
    let region = required(rpc, "RegionId")?.to_string();
    let image_id = required(rpc, "ImageId")?.to_string();
    let name = match optional(rpc, "ImageName") {
        None => None,
        Some(n) if IMAGE_NAME.accepts(&n) => Some(n),
        Some(_) => return Err(DomainError::Malformed(Field::ImageName)),
    };
    let image_family = match optional(rpc, "ImageFamily") {
        None => None,
        Some(f) if IMAGE_FAMILY.accepts(&f) => Some(f),
        Some(_) => return Err(DomainError::Malformed(Field::ImageFamily)),
    };
    let status = match optional(rpc, "Status").as_deref() {
        None => None,
        Some("Deprecated") => Some(ImageLifecycle::Deprecated),
        Some("Available") => Some(ImageLifecycle::Available),
        Some(_) => return Err(DomainError::invalid("Status", "Valid values: Deprecated, Available.")),
    };
    Ok(ModifyImage {
        image_id,
        region,
        name,
        description: description(rpc, 0, 256)?,
        image_family,
        boot_mode: choice(rpc, "BootMode", &["BIOS", "UEFI", "UEFI-Preferred"], Field::BootMode)?,
        license_type: choice(rpc, "LicenseType", &["BYOL"], Field::LicenseType)?,
        nvme_support: one_of(rpc, "Features.NvmeSupport", &["supported", "unsupported"])?,
        imds_support: choice(rpc, "Features.ImdsSupport", &["v1", "v2"], Field::ImdsSupport)?,
        status,
        deprecated: None,
        dry_run: boolean(rpc, "DryRun")?,
    })
}

/// One of `allowed` (in its spelling), or the page's own code for that field.
fn choice(rpc: &RpcRequest, name: &str, allowed: &[&str], field: Field) -> DomainResult<Option<String>> {
    match optional(rpc, name) {
        None => Ok(None),
        Some(v) => match allowed.iter().find(|a| a.eq_ignore_ascii_case(&v)) {
            Some(a) => Ok(Some(a.to_string())),
            None => Err(DomainError::Malformed(field)),
        },
    }
}
