//! The image actions' parameters (CreateImage, DescribeImages, DeleteImage, ModifyImageAttribute),
//! checked by the rules of their pages, into domain commands and queries.

use super::filters::{choice, created, flag, id_list, tags_match, Created};
use super::paging::{pages, Paging};
use super::params::{boolean, client_token, description, index, one_of, only, optional, required, tags};
use super::vocabulary::{image_status, image_usage, os_type, owner_id, usable, IMAGE_STATUSES};
use super::wire::RpcRequest;
use chrono::{DateTime, Utc};
use domain::delete::DeleteImage;
use domain::image::{CreateImage, ImageRules, ImageSource, MappingSpec};
use domain::modify::{ImageLifecycle, ModifyImage};
use domain::text::{char_len, NameRule};
use domain::{DiskType, DomainError, DomainResult, Field, Image, Tag};

/// A Chinese character: the CJK Unified Ideographs and their extension A.
fn chinese(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// ImageName, as the ECS CreateImage API reference states it: 2–128 characters, beginning with an
/// English letter or a Chinese character; then letters, Chinese characters, digits, `:`, `_`,
/// `-`; not `http(s)://`. Other scripts (`é`, fullwidth `Ａ`, kana, Greek, Hangul) are refused.
pub const IMAGE_NAME: NameRule = NameRule {
    min: 2,
    max: 128,
    first: |c| c.is_ascii_alphabetic() || chinese(c),
    rest: |c| c.is_ascii_alphanumeric() || chinese(c) || matches!(c, ':' | '_' | '-'),
    refused_prefixes: &[],
};

/// The CreateImage page's limits: snapshots from before 2013-07-15 cannot make images, and an
/// image's disks are 5–2000 GB.
pub const IMAGE_RULES: ImageRules = ImageRules {
    snapshots_since: Some(1_373_846_400),
    disk_sizes: 5..=2000,
    gpu_instances: true,
    stopped_only: false,
};

/// `DiskDeviceMapping.N` takes N from 1 to 17.
pub const MAX_MAPPINGS: usize = 17;

fn mappings(rpc: &RpcRequest) -> DomainResult<Vec<MappingSpec>> {
    let mut by_index: std::collections::BTreeMap<usize, MappingSpec> = Default::default();
    for (name, value) in &rpc.params {
        let Some(rest) = name.strip_prefix("DiskDeviceMapping.") else { continue };
        let Some((n, field)) = rest.split_once('.') else {
            return Err(DomainError::UnknownParameter(name.clone()));
        };
        let index = index(n, 1..=MAX_MAPPINGS);
        let Some(index) = index else {
            return Err(DomainError::invalid(name, "DiskDeviceMapping.N takes N from 1 to 17."));
        };
        let spec = by_index.entry(index).or_insert(MappingSpec {
            snapshot_id: None,
            size_gb: None,
            device: None,
            disk_type: None,
        });
        let value = Some(value.clone()).filter(|v| !v.is_empty());
        match field {
            "SnapshotId" => spec.snapshot_id = value,
            "Device" => spec.device = value,
            "Size" => {
                spec.size_gb = match value {
                    None => None,
                    Some(v) => Some(v.parse::<u32>().map_err(|_| DomainError::DiskSizeUnsupported)?),
                }
            }
            "DiskType" => {
                spec.disk_type = match value.as_deref() {
                    None => None,
                    Some("system") => Some(DiskType::System),
                    Some("data") => Some(DiskType::Data),
                    Some(_) => return Err(DomainError::invalid(name, "Valid values: system, data.")),
                }
            }
            _ => return Err(DomainError::UnknownParameter(name.clone())),
        }
    }
    Ok(by_index.into_values().collect())
}

/// CreateImage (ECS API reference, CreateImage). The sources rank InstanceId > DiskDeviceMapping > SnapshotId: the
/// highest one given is used.
const CREATE_IMAGE: [&str; 18] = [
    "RegionId",
    "InstanceId",
    "SnapshotId",
    "ImageName",
    "ImageFamily",
    "ImageVersion",
    "Description",
    "Platform",
    "Architecture",
    "BootMode",
    "DetectionStrategy",
    "ClientToken",
    "ResourceGroupId",
    "DryRun",
    "Features.ImdsSupport",
    "SecureBootOptions.SecureBootSupport",
    "DiskDeviceMapping.",
    "Tag.",
];

pub fn create_image(rpc: &RpcRequest) -> DomainResult<(CreateImage, bool)> {
    only(rpc, &CREATE_IMAGE)?;
    let region = required(rpc, "RegionId")?.to_string();
    let mappings = mappings(rpc)?;
    let source = if let Some(instance) = optional(rpc, "InstanceId") {
        ImageSource::Instance(instance)
    } else if !mappings.is_empty() {
        ImageSource::Mappings(mappings)
    } else if let Some(snapshot) = optional(rpc, "SnapshotId") {
        ImageSource::Snapshot(snapshot)
    } else {
        return Err(DomainError::missing("SnapshotId or InstanceId or DiskDeviceMapping"));
    };
    let name = match rpc.get("ImageName") {
        None => None,
        Some(n) if IMAGE_NAME.accepts(n) => Some(n.to_string()),
        Some(_) => return Err(DomainError::Malformed(Field::ImageName)),
    };
    let version = match rpc.get("ImageVersion") {
        None => None,
        Some(v) if (1..=40).contains(&char_len(v)) => Some(v.to_string()),
        Some(_) => return Err(DomainError::Malformed(Field::ImageVersion)),
    };
    let cmd = CreateImage {
        name,
        version,
        description: description(rpc, 0, 256)?,
        tags: tags(rpc)?,
        platform: optional(rpc, "Platform"),
        architecture: one_of(rpc, "Architecture", &["i386", "x86_64", "arm64"])?,
        image_family: optional(rpc, "ImageFamily"),
        boot_mode: one_of(rpc, "BootMode", &["BIOS", "UEFI", "UEFI-Preferred"])?,
        imds_support: one_of(rpc, "Features.ImdsSupport", &["v1", "v2"])?,
        detection_strategy: one_of(rpc, "DetectionStrategy", &["Standard"])?,
        secure_boot: match rpc.get("SecureBootOptions.SecureBootSupport") {
            None | Some("") => None,
            Some(_) => Some(boolean(rpc, "SecureBootOptions.SecureBootSupport")?),
        },
        resource_group_id: optional(rpc, "ResourceGroupId"),
        client_token: client_token(rpc)?,
        // Every disk of the instance, imaged as it runs.
        ..CreateImage::new(region, source, IMAGE_RULES)
    };
    Ok((cmd, boolean(rpc, "DryRun")?))
}

const DESCRIBE_IMAGES: [&str; 24] = [
    "RegionId",
    "ActionType",
    "Architecture",
    "DryRun",
    "ImageFamily",
    "ImageId",
    "ImageName",
    "ImageOwnerAlias",
    "ImageOwnerId",
    "InstanceType",
    "IsPublic",
    "IsSupportCloudinit",
    "IsSupportIoOptimized",
    "OSType",
    "PageNumber",
    "PageSize",
    "ResourceGroupId",
    "ShowExpired",
    "SnapshotId",
    "Status",
    "Usable",
    "Usage",
    "Filter.",
    "Tag.",
];

/// DescribeImages: every filter of the SDK model, and paging.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeImages {
    pub region: String,
    pub image_ids: Option<Vec<String>>,
    pub name: Option<String>,
    /// Statuses asked for, lower-case; the provider's default is `Available` alone.
    pub statuses: Vec<String>,
    pub owner_alias: Option<String>,
    pub owner_id: Option<u64>,
    pub image_family: Option<String>,
    pub architecture: Option<String>,
    pub os_type: Option<String>,
    pub snapshot_id: Option<String>,
    pub resource_group_id: Option<String>,
    pub is_public: Option<bool>,
    pub cloudinit: Option<bool>,
    pub io_optimized: Option<bool>,
    pub usable: Option<bool>,
    pub usage: Option<String>,
    pub created: Created,
    pub tags: Vec<Tag>,
    pub dry_run: bool,
    pub paging: Paging,
}

pub fn describe_images(rpc: &RpcRequest) -> DomainResult<DescribeImages> {
    only(rpc, &DESCRIBE_IMAGES)?;
    let statuses = image_statuses(rpc)?;
    let owner_id = match optional(rpc, "ImageOwnerId") {
        None => None,
        Some(v) => {
            Some(v.parse::<u64>().map_err(|_| DomainError::invalid("ImageOwnerId", "It must be a number."))?)
        }
    };
    // Every custom image here may be used by any instance type, to create instances or change a
    // system disk, and none has a stopped-charging or expired subscription: these narrow nothing,
    // once their values are checked.
    choice(rpc, "ActionType", &["CreateEcs", "ChangeOS"])?;
    flag(rpc, "ShowExpired")?;
    if optional(rpc, "InstanceType").is_some_and(|t| !t.starts_with("ecs.")) {
        return Err(DomainError::invalid("InstanceType", "Instance types are named ecs.<family>.<size>."));
    }
    let (number, size) = pages(rpc)?;
    Ok(DescribeImages {
        region: required(rpc, "RegionId")?.to_string(),
        image_ids: id_list(rpc, "ImageId", false)?,
        name: optional(rpc, "ImageName"),
        statuses,
        owner_alias: choice(rpc, "ImageOwnerAlias", &["system", "self", "others", "marketplace"])?,
        owner_id,
        image_family: optional(rpc, "ImageFamily"),
        architecture: choice(rpc, "Architecture", &["i386", "x86_64", "arm64"])?,
        os_type: choice(rpc, "OSType", &["linux", "windows"])?,
        snapshot_id: optional(rpc, "SnapshotId"),
        resource_group_id: optional(rpc, "ResourceGroupId"),
        is_public: flag(rpc, "IsPublic")?,
        cloudinit: flag(rpc, "IsSupportCloudinit")?,
        io_optimized: flag(rpc, "IsSupportIoOptimized")?,
        usable: flag(rpc, "Usable")?,
        usage: choice(rpc, "Usage", &["instance", "none"])?,
        created: created(rpc)?,
        tags: tags(rpc)?,
        dry_run: boolean(rpc, "DryRun")?,
        paging: Paging::Pages { number, size },
    })
}

/// `Status`: a comma-separated list of statuses, or `ALL` alone for every status. Without it,
/// `Available` alone — unless `Usable` is given, which then filters by itself (ECS API
/// reference, DescribeImages: "When Usable is used, Status is required and has no default
/// value").
fn image_statuses(rpc: &RpcRequest) -> DomainResult<Vec<String>> {
    let every = || IMAGE_STATUSES.iter().map(|s| s.to_ascii_lowercase()).collect();
    let asked = optional(rpc, "Status").unwrap_or_default();
    let asked: Vec<&str> = asked.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if asked.is_empty() {
        return Ok(if optional(rpc, "Usable").is_some() { every() } else { vec!["available".into()] });
    }
    if asked.iter().any(|s| s.eq_ignore_ascii_case("ALL")) {
        return match asked.len() {
            1 => Ok(every()),
            _ => Err(DomainError::invalid("Status", "ALL cannot be used together with other statuses.")),
        };
    }
    let known = |s: &&str| IMAGE_STATUSES.iter().find(|known| known.eq_ignore_ascii_case(s));
    asked
        .iter()
        .map(|s| {
            known(s).map(|k| k.to_ascii_lowercase()).ok_or_else(|| {
                DomainError::invalid("Status", format!("Valid values: {}, ALL.", IMAGE_STATUSES.join(", ")))
            })
        })
        .collect()
}

impl DescribeImages {
    /// Whether an image passes every filter. Every image here is the caller's own custom image:
    /// not public, cloud-init and I/O optimised, used by the instances the world says run it.
    pub fn matches(&self, i: &Image, now: DateTime<Utc>) -> bool {
        let status = image_status(i, now).to_ascii_lowercase();
        i.region == self.region
            && self.owner_alias.as_deref().is_none_or(|a| a == "self")
            && self.owner_id.is_none_or(|o| o == owner_id(&i.account))
            && self.image_ids.as_ref().is_none_or(|ids| ids.contains(&i.id))
            && self.name.as_ref().is_none_or(|n| *n == i.name)
            && self.statuses.contains(&status)
            && self.image_family.as_ref().is_none_or(|f| i.image_family.as_ref() == Some(f))
            && self.architecture.as_deref().is_none_or(|a| a == i.architecture.as_deref().unwrap_or("x86_64"))
            && self.os_type.as_deref().is_none_or(|o| o == os_type(i))
            && self
                .snapshot_id
                .as_ref()
                .is_none_or(|s| i.disks.iter().any(|d| d.snapshot_id.as_ref() == Some(s)))
            && self.resource_group_id.as_ref().is_none_or(|g| i.resource_group_id.as_ref() == Some(g))
            && self.is_public.is_none_or(|p| !p)
            && self.cloudinit.is_none_or(|c| c)
            && self.io_optimized.is_none_or(|c| c)
            && self.usable.is_none_or(|u| u == usable(i.state(now)))
            && self.usage.as_deref().is_none_or(|u| u == image_usage(i))
            && self.created.contains(i.created_at)
            && tags_match(&self.tags, &i.tags)
    }
}

/// DeleteImage (ECS API reference, DeleteImage).
pub fn delete_image(rpc: &RpcRequest) -> DomainResult<DeleteImage> {
    only(rpc, &["RegionId", "ImageId", "Force", "DryRun"])?;
    Ok(DeleteImage {
        region: required(rpc, "RegionId")?.to_string(),
        image_id: required(rpc, "ImageId")?.to_string(),
        force: boolean(rpc, "Force")?,
        dry_run: boolean(rpc, "DryRun")?,
    })
}

/// ImageFamily (ECS API reference, ModifyImageAttribute): 2–128 characters, starting with a
/// letter; letters, digits, `.`, `:`, `_`, `-`; not `acs:` or `aliyun`, not `http(s)://`.
pub const IMAGE_FAMILY: NameRule = NameRule {
    min: 2,
    max: 128,
    first: |c| c.is_ascii_alphabetic(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '_' | '-'),
    refused_prefixes: &["acs:", "aliyun"],
};

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
        boot_mode: field_choice(rpc, "BootMode", &["BIOS", "UEFI", "UEFI-Preferred"], Field::BootMode)?,
        license_type: field_choice(rpc, "LicenseType", &["BYOL"], Field::LicenseType)?,
        nvme_support: one_of(rpc, "Features.NvmeSupport", &["supported", "unsupported"])?,
        imds_support: field_choice(rpc, "Features.ImdsSupport", &["v1", "v2"], Field::ImdsSupport)?,
        status,
        deprecated: None,
        dry_run: boolean(rpc, "DryRun")?,
    })
}

/// One of `allowed` (in its spelling), or the page's own code for that field.
fn field_choice(
    rpc: &RpcRequest,
    name: &str,
    allowed: &[&str],
    field: Field,
) -> DomainResult<Option<String>> {
    match optional(rpc, name) {
        None => Ok(None),
        Some(v) => match allowed.iter().find(|a| a.eq_ignore_ascii_case(&v)) {
            Some(a) => Ok(Some(a.to_string())),
            None => Err(DomainError::Malformed(field)),
        },
    }
}
