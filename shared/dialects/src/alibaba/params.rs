//! Each action's parameters, checked by the rules of its page, into domain commands.

use super::wire::RpcRequest;
use domain::delete::{DeleteImage, DeleteSnapshot};
use domain::image::{CreateImage, ImageRules, ImageSource, MappingSpec};
use domain::snapshot::CreateSnapshot;
use domain::text::{char_len, contains_url, is_url_like, NameRule};
use domain::{DiskType, DomainError, DomainResult, Field, Tag};

/// SnapshotName: 2–128 characters, starting with a letter; letters, digits, `:`, `_`, `-`;
/// not `http(s)://`; not `auto…` (reserved for automatic snapshots).
pub const SNAPSHOT_NAME: NameRule = NameRule {
    min: 2,
    max: 128,
    first: char::is_alphabetic,
    rest: |c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-'),
    refused_prefixes: &["auto"],
};

/// At most this many tags on one resource (Tag.1 … Tag.20).
pub const MAX_TAGS: usize = 20;

/// Parameters every RPC request may carry besides its action's own: the signature's, the answer
/// format, the caller's identity, and the region (the old SDK adds it to every call).
const COMMON: [&str; 16] = [
    "Action",
    "Version",
    "Format",
    "RegionId",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
    "OwnerId",
    "OwnerAccount",
    "ResourceOwnerId",
    "ResourceOwnerAccount",
];

pub fn is_common(name: &str) -> bool {
    COMMON.contains(&name)
}

/// Refuse any parameter the action does not take: `known` lists its names, and prefixes ending
/// in `.` for its numbered ones (`Tag.`), which their own readers check.
pub fn only(rpc: &RpcRequest, known: &[&str]) -> DomainResult<()> {
    let taken = |name: &str| {
        is_common(name)
            || known.iter().any(|k| if k.ends_with('.') { name.starts_with(k) } else { *k == name })
    };
    match rpc.params.keys().find(|name| !taken(name)) {
        Some(unknown) => Err(DomainError::UnknownParameter(unknown.clone())),
        None => Ok(()),
    }
}

/// The N of `Name.N…`: decimal digits without a leading zero (so `Tag.01` cannot shadow
/// `Tag.1`), within `range`.
pub fn index(n: &str, range: std::ops::RangeInclusive<usize>) -> Option<usize> {
    let digits = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0');
    n.parse::<usize>().ok().filter(|i| digits && range.contains(i))
}

/// A parameter that must be present and not empty.
pub fn required<'a>(rpc: &'a RpcRequest, name: &str) -> DomainResult<&'a str> {
    rpc.get(name).filter(|v| !v.is_empty()).ok_or_else(|| DomainError::missing(name))
}

/// A parameter that may be absent; an empty value counts as absent.
pub fn optional(rpc: &RpcRequest, name: &str) -> Option<String> {
    rpc.get(name).filter(|v| !v.is_empty()).map(str::to_string)
}

pub fn integer(
    rpc: &RpcRequest,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
) -> DomainResult<Option<i64>> {
    match optional(rpc, name) {
        None => Ok(None),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(DomainError::invalid(
                name,
                format!("It must be an integer from {} to {}.", range.start(), range.end()),
            )),
        },
    }
}

/// Description: up to `max` characters (at least `min` when given), not `http(s)://`.
pub fn description(rpc: &RpcRequest, min: usize, max: usize) -> DomainResult<Option<String>> {
    match rpc.get("Description") {
        None => Ok(None),
        Some(d) if min == 0 && d.is_empty() => Ok(None),
        Some(d) => {
            let len = char_len(d);
            // Control characters could not be written into an XML answer; the provider refuses them.
            if len < min || len > max || is_url_like(d) || d.chars().any(char::is_control) {
                Err(DomainError::Malformed(Field::Description))
            } else {
                Ok(Some(d.to_string()))
            }
        }
    }
}

/// ClientToken: ASCII, at most 64 characters.
pub fn client_token(rpc: &RpcRequest) -> DomainResult<Option<String>> {
    match optional(rpc, "ClientToken") {
        Some(t) if !t.is_ascii() || t.len() > 64 => {
            Err(DomainError::invalid("ClientToken", "It must be ASCII and at most 64 characters."))
        }
        other => Ok(other),
    }
}

/// `Tag.N.Key` / `Tag.N.Value` (also the deprecated lower-case `key` / `value`), N 1–20.
pub fn tags(rpc: &RpcRequest) -> DomainResult<Vec<Tag>> {
    let mut by_index: std::collections::BTreeMap<usize, (Option<String>, Option<String>)> =
        Default::default();
    for (name, value) in &rpc.params {
        let Some(rest) = name.strip_prefix("Tag.") else {
            continue;
        };
        let Some((n, field)) = rest.split_once('.') else {
            return Err(DomainError::UnknownParameter(name.clone()));
        };
        let Some(n) = index(n, 1..=MAX_TAGS) else {
            return Err(DomainError::invalid(name, "Tag.N takes N from 1 to 20."));
        };
        let slot = by_index.entry(n).or_default();
        match field {
            "Key" | "key" => slot.0 = slot.0.take().or(Some(value.clone())),
            "Value" | "value" => slot.1 = slot.1.take().or(Some(value.clone())),
            _ => return Err(DomainError::UnknownParameter(name.clone())),
        }
    }
    let mut tags: Vec<Tag> = Vec::new();
    for (key, value) in by_index.into_values() {
        let key = key.unwrap_or_default();
        let value = value.unwrap_or_default();
        let reserved = |s: &str| s.starts_with("aliyun") || s.starts_with("acs:") || contains_url(s);
        if key.is_empty() || char_len(&key) > 64 || reserved(&key) {
            return Err(DomainError::Malformed(Field::TagKey));
        }
        if char_len(&value) > 128 || reserved(&value) {
            return Err(DomainError::Malformed(Field::TagValue));
        }
        if tags.iter().any(|t| t.key == key) {
            return Err(DomainError::DuplicateTagKey);
        }
        if value.chars().any(char::is_control) {
            return Err(DomainError::Malformed(Field::TagValue));
        }
        tags.push(Tag { key, value });
    }
    // The order tags are given in means nothing (and must not change a client token's meaning).
    tags.sort();
    Ok(tags)
}

const CREATE_SNAPSHOT: [&str; 11] = [
    "DiskId",
    "SnapshotName",
    "Description",
    "Category",
    "RetentionDays",
    "InstantAccess",
    "InstantAccessRetentionDays",
    "ClientToken",
    "ResourceGroupId",
    "StorageLocationArn",
    "Tag.",
];

/// DeleteSnapshot (ECS API reference, DeleteSnapshot): the snapshot, and whether to delete one
/// disks were made from.
pub fn delete_snapshot(rpc: &RpcRequest) -> DomainResult<DeleteSnapshot> {
    only(rpc, &["SnapshotId", "Force"])?;
    Ok(DeleteSnapshot {
        snapshot_id: required(rpc, "SnapshotId")?.to_string(),
        region: optional(rpc, "RegionId"),
        force: boolean(rpc, "Force")?,
    })
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

/// CreateSnapshot (the ECS CreateSnapshot API reference).
pub fn create_snapshot(rpc: &RpcRequest) -> DomainResult<CreateSnapshot> {
    only(rpc, &CREATE_SNAPSHOT)?;
    let disk_id = required(rpc, "DiskId")?.to_string();
    let name = match rpc.get("SnapshotName") {
        None => None,
        Some(n) if SNAPSHOT_NAME.accepts(n) => Some(n.to_string()),
        Some(_) => return Err(DomainError::Malformed(Field::SnapshotName)),
    };
    let description = description(rpc, 2, 256)?;
    let retention_days = integer(rpc, "RetentionDays", 1..=65_536)?.map(|d| d as u32);
    let tags = tags(rpc)?;
    let client_token = client_token(rpc)?;
    // Snapshots are standard (the default) or flash; the category is kept lower-case so that
    // `Standard` and an absent category mean the same call.
    let category = match optional(rpc, "Category") {
        None => None,
        Some(c) if c.eq_ignore_ascii_case("standard") => None,
        Some(c) if c.eq_ignore_ascii_case("flash") => Some("flash".to_string()),
        Some(_) => return Err(DomainError::invalid("Category", "Valid values: Standard, Flash.")),
    };
    let instant_access = boolean(rpc, "InstantAccess")?;
    let instant_days = integer(rpc, "InstantAccessRetentionDays", 1..=65_535)?.map(|d| d as u32);
    if instant_days.is_some() && !instant_access {
        return Err(DomainError::invalid(
            "InstantAccessRetentionDays",
            "It applies with InstantAccess=true only.",
        ));
    }
    // Local snapshots on a CloudBox are not part of this world.
    if optional(rpc, "StorageLocationArn").is_some() {
        return Err(DomainError::invalid("StorageLocationArn", "Local snapshots are not supported."));
    }
    Ok(CreateSnapshot {
        region: optional(rpc, "RegionId"),
        name,
        description,
        retention_days,
        // Instant access lasts as long as the snapshot is kept unless told otherwise (the SDK
        // model's default: the value of RetentionDays).
        instant_access: instant_access.then_some(instant_days.or(retention_days).unwrap_or(1)),
        tags,
        category,
        resource_group_id: optional(rpc, "ResourceGroupId"),
        client_token,
        ..CreateSnapshot::new(disk_id)
    })
}

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

/// True for `true` / `True` / `TRUE` (the SDKs send Python booleans).
pub fn boolean(rpc: &RpcRequest, name: &str) -> DomainResult<bool> {
    match rpc.get(name) {
        None | Some("") => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(DomainError::invalid(name, "It must be true or false.")),
    }
}

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

/// A choice among `allowed`, given back in the spelling of the list.
pub fn one_of(rpc: &RpcRequest, name: &str, allowed: &[&str]) -> DomainResult<Option<String>> {
    match optional(rpc, name) {
        Some(v) => match allowed.iter().find(|a| a.eq_ignore_ascii_case(&v)) {
            Some(a) => Ok(Some(a.to_string())),
            None => Err(DomainError::invalid(name, format!("Valid values: {}.", allowed.join(", ")))),
        },
        None => Ok(None),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc(query: &str) -> RpcRequest {
        let req = http::Request::builder().uri(format!("/?{query}")).body(bytes::Bytes::new()).unwrap();
        RpcRequest::parse(&req).unwrap()
    }

    #[test]
    fn snapshot_names() {
        for good in ["cap-snap", "a1", "Fin:ance_J-1", "快照1"] {
            assert!(SNAPSHOT_NAME.accepts(good), "{good}");
        }
        let too_long = "a".repeat(129);
        for bad in ["auto1", "1x", "a", too_long.as_str(), "http://x", "bad name!", ""] {
            assert!(!SNAPSHOT_NAME.accepts(bad), "{bad}");
        }
    }

    #[test]
    fn create_snapshot_rules() {
        let cmd = create_snapshot(&rpc(
            "DiskId=d-1&SnapshotName=n1&RetentionDays=7&Tag.1.Key=env&Tag.1.Value=t&ClientToken=x",
        ))
        .unwrap();
        assert_eq!(cmd.retention_days, Some(7));
        assert_eq!(cmd.tags, vec![Tag { key: "env".into(), value: "t".into() }]);
        assert_eq!(create_snapshot(&rpc("SnapshotName=n1")), Err(DomainError::missing("DiskId")));
        assert_eq!(
            create_snapshot(&rpc("DiskId=d&Description=a")),
            Err(DomainError::Malformed(Field::Description))
        );
        assert!(matches!(
            create_snapshot(&rpc("DiskId=d&RetentionDays=0")),
            Err(DomainError::InvalidParameter { .. })
        ));
        assert!(matches!(
            create_snapshot(&rpc("DiskId=d&RetentionDays=65537")),
            Err(DomainError::InvalidParameter { .. })
        ));
        assert!(create_snapshot(&rpc("DiskId=d&RetentionDays=65536")).is_ok());
    }

    #[test]
    fn tag_rules() {
        let t = |q: &str| tags(&rpc(q));
        assert_eq!(t("Tag.1.Key=a&Tag.2.Key=a"), Err(DomainError::DuplicateTagKey));
        let long_key = format!("Tag.1.Key={}", "k".repeat(65));
        for bad in [
            "Tag.1.Key=",
            "Tag.1.Value=v",
            long_key.as_str(),
            "Tag.1.Key=aliyunx",
            "Tag.1.Key=acs:x",
            "Tag.1.Key=http://x",
        ] {
            assert_eq!(t(bad), Err(DomainError::Malformed(Field::TagKey)), "{bad}");
        }
        let long_value = format!("Tag.1.Key=k&Tag.1.Value={}", "v".repeat(129));
        for bad in [long_value.as_str(), "Tag.1.Key=k&Tag.1.Value=acs:x"] {
            assert_eq!(t(bad), Err(DomainError::Malformed(Field::TagValue)), "{bad}");
        }
        assert_eq!(t("Tag.1.key=k&Tag.1.value=").unwrap(), vec![Tag { key: "k".into(), value: "".into() }]);
        assert!(t("Tag.21.Key=k").is_err());
    }
}
