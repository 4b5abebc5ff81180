//! The one table from domain errors to ZEC's HTTP statuses, codes and messages. The codes are the
//! pages' where a page gives one (CreateImage's five; CreateSnapshot's, DeleteSnapshots',
//! ModifySnapshotsAttribute's and ModifyImagesAttributes'; the image status code of the older VM
//! service's DeleteImages, which ZEC's page leaves out); the rest follow the provider's
//! UPPER_SNAKE style and its common codes (`REQUEST_LIMIT_EXCEEDED`, `INVALID_ZONE_NOT_FOUND`,
//! `INTERNAL_SERVER_ERROR`). The provider publishes no authentication codes: these are the
//! project's, with 401.

use super::ZenlayerAction::{self, *};
use domain::{AuthFailure, DomainError, Field, TagRefusal};

/// An answer: HTTP status, code, message.
pub type Answer = (u16, String, String);

fn a(status: u16, code: &str, message: &str) -> Answer {
    (status, code.to_string(), message.to_string())
}

/// The answer to `e` in `action` (`None` when the request named no served action).
pub fn answer(e: &DomainError, action: Option<ZenlayerAction>) -> Answer {
    use DomainError as E;
    let image = action == Some(CreateImage);
    match e {
        E::MissingParameter(name) => {
            a(400, "MISSING_PARAMETER", &format!("The parameter {name} is required."))
        }
        E::InvalidParameter { name, reason } => {
            a(400, "INVALID_PARAMETER", &format!("The parameter {name} is not valid. {reason}"))
        }
        E::UnknownParameter(name) => {
            a(400, "INVALID_PARAMETER", &format!("The parameter {name} is not supported."))
        }
        E::Malformed(Field::RetentionTime) => a(
            400,
            "INVALID_SNAPSHOT_RETENTION_TIME",
            "Invalid snapshot retention time. It must be yyyy-MM-ddTHH:mm:ssZ, 24 hours after the current time.",
        ),
        E::Malformed(field) | E::TooLong(field) => {
            a(400, "INVALID_PARAMETER", &format!("The value of {field:?} is not valid."))
        }
        E::DuplicateTagKey => a(400, "INVALID_PARAMETER", "Tag keys must be unique."),
        E::ParameterConflict(names) => {
            a(400, "INVALID_PARAMETER", &format!("{names} cannot be given together."))
        }
        E::OneOfRequired(names) => a(400, "MISSING_PARAMETER", &format!("One of {names} is required.")),
        E::DependsOn { name, on } => a(400, "INVALID_PARAMETER", &format!("{name} requires {on}.")),
        E::InvalidFilter(name) => {
            a(400, "INVALID_PARAMETER", &format!("The filter {name} is not supported."))
        }
        E::TooManyIds(max) => a(400, "INVALID_PARAMETER", &format!("At most {max} ids may be given.")),
        E::MalformedId(id) => a(400, "INVALID_PARAMETER", &format!("The id {id} is not valid.")),
        E::Auth(failure) => auth(failure),
        E::UnknownAction(action) => a(
            404,
            "INVALID_ACTION_NOT_FOUND",
            &format!("The action {action} does not exist in this service."),
        ),
        E::UnsupportedVersion(v) => {
            a(400, "INVALID_VERSION_NOT_SUPPORTED", &format!("The API version {v} is not supported."))
        }
        E::RequestTooLarge => a(
            413,
            "REQUEST_ENTITY_TOO_LARGE",
            &format!("The request body exceeds the limit of {} bytes.", crate::MAX_BODY_BYTES),
        ),
        E::Throttled => a(429, "REQUEST_LIMIT_EXCEEDED", "Request limit exceeded. Please try again later."),
        E::DryRunPassed => a(400, "DRY_RUN_OPERATION", "The request would have succeeded."),
        E::RegionNotFound => a(404, "INVALID_ZONE_NOT_FOUND", "The zone or region does not exist."),
        // User API, AddResourceResourceGroup (the codes of Zenlayer's resource-group calls).
        E::ResourceGroupNotFound if action == Some(AddResourceResourceGroup) => {
            a(404, "OPERATION_FAILED_RESOURCE_GROUP_NOT_FOUND", "Resource group does not exist.")
        }
        E::Tagging(TagRefusal::ResourceNotFound) if action == Some(AddResourceResourceGroup) => {
            a(404, "OPERATION_FAILED_RESOURCE_NOT_FOUND", "Resources do not exist.")
        }
        // ZRM API, ModifyResourceTags.
        E::Tagging(TagRefusal::ResourceNotFound) => a(404, "INVALID_RESOURCE_NOT_FOUND", "Resources do not exist."),
        E::Tagging(TagRefusal::UnsupportedResourceType) if action == Some(ModifyResourceTags) => {
            a(404, "INVALID_RESOURCE_CAN_NOT_BOUND", "Resources cannot be associated.")
        }
        E::Tagging(TagRefusal::QuotaExceeded) => a(
            400,
            "INVALID_PARAMETER_EXCEED_MAXIMUM",
            "A resource carries at most 50 tags.",
        ),
        E::Tagging(TagRefusal::KeyInBothLists) => {
            a(400, "INVALID_PARAMETER", "A tag key cannot be both in replaceTags and in deleteTagKeys.")
        }
        E::Tagging(TagRefusal::UnsupportedResourceType) => {
            a(400, "INVALID_PARAMETER", "Only images and snapshots can be labelled here.")
        }
        E::Tagging(_) => a(400, "INVALID_PARAMETER", "The tags are not valid."),
        E::ResourceGroupNotFound => {
            a(404, "INVALID_RESOURCE_GROUP_NOT_FOUND", "The resource group does not exist.")
        }
        E::InstanceNotFound => a(404, "INVALID_INSTANCE_NOT_FOUND", "Instance not found."),
        E::DiskNotFound => a(404, "INVALID_DISK_NOT_FOUND", "Disk not found."),
        E::SnapshotNotFound => a(404, "INVALID_DISK_SNAPSHOT_NOT_FOUND", "The snapshot does not exist."),
        // Being made, or an image made from it (ZEC API, DeleteSnapshots).
        E::SnapshotNotReady | E::SnapshotBacksImage => {
            a(400, "OPERATION_DENIED_DISK_SNAPSHOT_STATUS", "The snapshot status is not supported.")
        }
        // Being created, or run by instances.
        E::ImageCreating | E::ImageInUse => a(
            400,
            "INVALID_IMAGE_STATUS",
            "Operations on the image with current status are not supported.",
        ),
        E::ImageNotFound => a(404, "INVALID_IMAGE_NOT_FOUND", "Image not found."),
        E::ImageQuotaReached => {
            a(400, "INVALID_IMAGE_QUOTA_EXCEED", "Quota limit of custom image is exceeded.")
        }
        E::ImageNameTaken => a(400, "INVALID_IMAGE_NAME_DUPLICATE", "The image name is already in use."),
        E::GpuInstanceUnsupported => a(
            400,
            "OPERATION_DENIED_GPU_INSTANCE_NOT_SUPPORT",
            "GPU instances are not supported for custom image creation.",
        ),
        E::InstanceBusy | E::InstanceImageInProgress => in_operation(),
        // An image snapshots its instance's system disk: one being snapshotted is an operation
        // in progress on the instance.
        E::DiskSnapshotInProgress if image => in_operation(),
        E::InstanceStatusForbids(_)
        | E::InstanceLockedForSecurity
        | E::StoppedWithoutCharging
        | E::InstanceImageUnsupported
        | E::InstanceImageOperationUnsupported => a(
            400,
            "OPERATION_DENIED_INSTANCE_STATUS_NOT_SUPPORT",
            "Current instance state does not allow this operation.",
        ),
        E::DiskSnapshotInProgress => {
            a(400, "OPERATION_DENIED_DISK_SNAPSHOT_CREATING", "A snapshot of the disk is being created.")
        }
        E::SnapshotQuotaReached => {
            a(400, "INVALID_SNAPSHOT_QUOTA_EXCEED", "Quota limit of snapshots is exceeded.")
        }
        E::InsufficientBalance => {
            a(400, "OPERATION_DENIED_INSUFFICIENT_BALANCE", "The account balance is insufficient.")
        }
        E::SnapshotServiceUnavailable => {
            a(400, "OPERATION_DENIED_SNAPSHOT_SERVICE_UNAVAILABLE", "The snapshot service is not enabled.")
        }
        E::DiskInArrears => a(400, "OPERATION_DENIED_DISK_EXPIRED", "The disk has expired."),
        E::DiskSnapshotUnsupported
        | E::DiskCategoryUnsupported
        | E::DiskTypeUnsupported
        | E::KmsUnauthorized
        | E::VolumeStatusForbids(_) => {
            a(400, "OPERATION_DENIED_DISK_NOT_SUPPORT", "The disk does not support snapshots.")
        }
        E::DiskStatusForbids(_) | E::DiskNeverAttached | E::DiskNeverUsed | E::DiskDataLoading => a(
            400,
            "UNSUPPORTED_OPERATION_DISK_STATUS",
            "Operations on the disk with current status are not supported.",
        ),
        // Rules of other providers' actions and sources no ZEC action takes; answered as bad
        // parameters should they ever arise.
        E::SnapshotBacksDisk
        | E::ImageBootModeInUse
        | E::NothingToModify
        | E::RetentionShortened
        | E::ImdsDowngrade
        | E::ImageNotAvailable
        | E::ImageNotDeprecated
        | E::SnapshotTooOld
        | E::SnapshotImageNotAllowed
        | E::SnapshotNotFromSystemDisk
        | E::NoSystemDiskSnapshot
        | E::SeveralSystemDiskSnapshots
        | E::DiskSizeUnsupported
        | E::FullImageUnsupported
        | E::DataDiskIsSystemDisk
        | E::DataDiskNotOfInstance
        | E::DataDiskLocal
        | E::DataDiskSwap => a(400, "INVALID_PARAMETER", &e.to_string()),
        E::TokenReusedWithOtherParameters | E::TokenInFlight => {
            a(400, "OPERATION_DENIED_IDEMPOTENT_CONFLICT", "The request conflicts with another in progress.")
        }
        E::Fault(code) => {
            a(if code == "INTERNAL_SERVER_ERROR" { 500 } else { 400 }, code, "The operation failed.")
        }
        E::Internal(_) => a(500, "INTERNAL_SERVER_ERROR", "An internal error occurred."),
        E::Unavailable => a(
            503,
            "SERVICE_TEMPORARY_UNAVAILABLE",
            "The service is temporarily unavailable. Please try again later.",
        ),
    }
}

fn in_operation() -> Answer {
    a(400, "OPERATION_DENIED_INSTANCE_IN_OPERATION", "Instance is performing another operation.")
}

fn auth(failure: &AuthFailure) -> Answer {
    match failure {
        AuthFailure::Missing(name) if name == "x-zc-timestamp" => {
            a(401, "INVALID_AUTHORIZATION", "The request carries no x-zc-timestamp.")
        }
        AuthFailure::Missing(_) | AuthFailure::UnsupportedMethod(_) => a(
            401,
            "INVALID_AUTHORIZATION",
            "The request needs an Authorization header signed with ZC2-HMAC-SHA256.",
        ),
        AuthFailure::UnknownKey => a(401, "INVALID_ACCESS_KEY", "The access key does not exist."),
        AuthFailure::Mismatch { .. } | AuthFailure::NonceReused => {
            a(401, "SIGNATURE_MISMATCH", "The request signature does not match.")
        }
        AuthFailure::SignatureBound => a(
            401,
            "SIGNATURE_MISMATCH",
            "The request signature was already used for another action: sign this request again.",
        ),
        AuthFailure::Stale => a(401, "SIGNATURE_EXPIRED", "The request timestamp is too far from now."),
        AuthFailure::BadTimestamp => {
            a(401, "INVALID_AUTHORIZATION", "The x-zc-timestamp is not a Unix time.")
        }
    }
}
