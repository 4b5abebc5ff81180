//! The one error type of the domain. It names outcomes, never a provider's code: each dialect
//! maps every variant to its own code, HTTP status and message in one table.

use crate::model::{DiskStatus, InstanceStatus};
use thiserror::Error;

/// A request parameter whose format the provider checks and reports with a dedicated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    SnapshotName,
    ImageName,
    ImageVersion,
    Description,
    TagKey,
    TagValue,
    RetentionDays,
    ImageFamily,
    BootMode,
    LicenseType,
    ImdsSupport,
    /// ModifySnapshotAttribute's `DisableInstantAccess`, which must still be a boolean.
    DisableInstantAccess,
    /// A snapshot's release time given as a time (ZEC's `retentionTime`): its format, or too soon.
    RetentionTime,
}

/// Why a request's authentication failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credentials at all, or a part of the signature is missing.
    Missing(String),
    /// The access key is not known.
    UnknownKey,
    /// The signature does not match; carries the server's string to sign (the old Alibaba SDK
    /// parses it out of the message).
    Mismatch { string_to_sign: String },
    /// The request's timestamp is outside the allowed skew.
    Stale,
    /// The timestamp cannot be parsed.
    BadTimestamp,
    /// The nonce was already used.
    NonceReused,
    /// A change signed by a signature without a nonce that was first used for another action
    /// (the same bytes sent again under another action header).
    SignatureBound,
    /// A signature method or version the dialect does not support.
    UnsupportedMethod(String),
}

/// Why a tagging request (TagResources, UntagResources, ListTagResources, JoinResourceGroup) is
/// refused, beyond the tag format rules every action shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagRefusal {
    /// A required list or parameter of these actions is absent (they name it apart).
    Missing(&'static str),
    /// A resource type the provider does not know.
    UnknownResourceType,
    /// A resource type the provider knows, of a resource not served here.
    UnsupportedResourceType,
    TooManyResources,
    TooManyTags,
    TooManyTagValues,
    /// A resource named that the caller does not have in the region.
    ResourceNotFound,
    /// More tags on one resource than it may carry.
    QuotaExceeded,
    /// A tag value given without its key.
    ValueWithoutKey,
    /// Every tag asked removed, together with keys to remove.
    AllWithKeys,
    /// A listing that names no resource and no tag.
    NothingToList,
    /// A listing by tags and by tag filters at once.
    TagsWithFilters,
    BadTagFilter,
    BadNextToken,
    /// A resource name that is not the provider's form, or names no resource of the caller.
    BadResourceName,
    /// A tag key the provider reserves for itself.
    ReservedKey,
    /// One key both set and removed in one call.
    KeyInBothLists,
    /// A call that names no tag to set or remove.
    NothingToChange,
    /// A region the provider does not have.
    BadRegion,
    /// An offset that is not a multiple of the page size.
    BadOffset,
    /// Two keys of one call that differ only in case.
    KeysDifferInCase,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    // ---- the request itself ----
    #[error("missing parameter {0}")]
    MissingParameter(String),
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter { name: String, reason: String },
    #[error("malformed {0:?}")]
    Malformed(Field),
    /// Longer than the page allows (providers that report length apart from format).
    #[error("{0:?} too long")]
    TooLong(Field),
    /// A parameter the action does not take.
    #[error("unknown parameter {0}")]
    UnknownParameter(String),
    /// Parameters that cannot be given together, named as the caller spelled them.
    #[error("parameters {0} cannot be given together")]
    ParameterConflict(String),
    /// None of several alternatives was given.
    #[error("one of {0} is required")]
    OneOfRequired(String),
    /// A parameter given without the one it depends on.
    #[error("{name} requires {on}")]
    DependsOn { name: String, on: String },
    /// More ids than the action takes at once.
    #[error("more than {0} ids")]
    TooManyIds(usize),
    /// A filter name the action does not know.
    #[error("unknown filter {0}")]
    InvalidFilter(String),
    /// A resource id that is not of the form the provider gives its ids.
    #[error("malformed resource id {0}")]
    MalformedId(String),
    #[error("duplicate tag key")]
    DuplicateTagKey,
    #[error("authentication failed: {0:?}")]
    Auth(AuthFailure),
    #[error("unknown action {0}")]
    UnknownAction(String),
    /// An API version the dialect does not serve.
    #[error("unsupported API version {0}")]
    UnsupportedVersion(String),
    #[error("request body too large")]
    RequestTooLarge,
    #[error("too many requests")]
    Throttled,
    /// A dry run whose checks all passed: nothing was created.
    #[error("dry run passed")]
    DryRunPassed,

    // ---- what the request names ----
    #[error("region not found")]
    RegionNotFound,
    #[error("disk not found")]
    DiskNotFound,
    #[error("instance not found")]
    InstanceNotFound,
    #[error("snapshot not found")]
    SnapshotNotFound,
    #[error("resource group not found")]
    ResourceGroupNotFound,
    #[error("image not found")]
    ImageNotFound,

    // ---- deleting ----
    /// A snapshot an image is made from cannot be deleted before the image.
    #[error("an image is made from the snapshot")]
    SnapshotBacksImage,
    /// A snapshot disks were created from is deleted only by force.
    #[error("disks were created from the snapshot")]
    SnapshotBacksDisk,
    /// An image instances run is deleted only by force.
    #[error("instances run the image")]
    ImageInUse,
    /// The boot mode of an image instances run cannot change.
    #[error("instances run the image: its boot mode cannot change")]
    ImageBootModeInUse,

    // ---- tagging ----
    #[error("tagging refused: {0:?}")]
    Tagging(TagRefusal),

    // ---- modifying ----
    /// A modification that names nothing to change.
    #[error("nothing to modify")]
    NothingToModify,
    /// A retention that would end before the one the snapshot has.
    #[error("retention cannot be shortened")]
    RetentionShortened,
    #[error("image still being created")]
    ImageCreating,
    /// Instance metadata access cannot go back from v2 to v1.
    #[error("instance metadata access cannot go back to v1")]
    ImdsDowngrade,
    /// Only an available image can be deprecated.
    #[error("image not available")]
    ImageNotAvailable,
    /// Only a deprecated image can be made available again.
    #[error("image not deprecated")]
    ImageNotDeprecated,

    // ---- snapshots an image is made from ----
    #[error("snapshot taken before images could be made from snapshots")]
    SnapshotTooOld,
    #[error("snapshot not complete")]
    SnapshotNotReady,
    #[error("snapshot not allowed to make images")]
    SnapshotImageNotAllowed,
    #[error("snapshot not of a system disk")]
    SnapshotNotFromSystemDisk,
    #[error("no system disk snapshot among the mappings")]
    NoSystemDiskSnapshot,
    #[error("several system disk snapshots among the mappings")]
    SeveralSystemDiskSnapshots,
    #[error("disk size outside the allowed range or below its snapshot")]
    DiskSizeUnsupported,

    // ---- images ----
    #[error("image name already used")]
    ImageNameTaken,
    #[error("image quota reached")]
    ImageQuotaReached,
    #[error("instance cannot be made into an image")]
    InstanceImageUnsupported,

    // ---- the account ----
    #[error("insufficient balance")]
    InsufficientBalance,
    #[error("snapshot service not enabled")]
    SnapshotServiceUnavailable,

    // ---- the instance ----
    #[error("instance status {0:?} forbids this operation")]
    InstanceStatusForbids(InstanceStatus),
    #[error("instance locked for security")]
    InstanceLockedForSecurity,
    #[error("another operation is in progress on the instance")]
    InstanceBusy,
    #[error("an image of the instance is being created")]
    InstanceImageInProgress,
    #[error("the instance does not support instance images")]
    InstanceImageOperationUnsupported,
    #[error("the instance is stopped without charges")]
    StoppedWithoutCharging,
    #[error("images of GPU instances cannot be made")]
    GpuInstanceUnsupported,

    // ---- the data disks of an instance image ----
    #[error("the instance cannot make images with data disks")]
    FullImageUnsupported,
    #[error("a data disk named is the system disk")]
    DataDiskIsSystemDisk,
    #[error("a data disk named is not attached to the instance")]
    DataDiskNotOfInstance,
    #[error("a data disk named is a local disk")]
    DataDiskLocal,
    #[error("a data disk named is a swap disk")]
    DataDiskSwap,

    // ---- the disk ----
    #[error("disk never attached")]
    DiskNeverAttached,
    #[error("disk never used (or its instance never started)")]
    DiskNeverUsed,
    #[error("a snapshot of this disk is in progress")]
    DiskSnapshotInProgress,
    #[error("snapshot quota of the disk reached")]
    SnapshotQuotaReached,
    #[error("disk in arrears")]
    DiskInArrears,
    #[error("disk does not support snapshots")]
    DiskSnapshotUnsupported,
    #[error("disk category does not support this operation")]
    DiskCategoryUnsupported,
    #[error("disk device type not supported")]
    DiskTypeUnsupported,
    #[error("disk status {0:?} forbids this operation")]
    DiskStatusForbids(DiskStatus),
    #[error("disk data still loading")]
    DiskDataLoading,
    #[error("shared volume status {0:?} forbids this operation")]
    VolumeStatusForbids(DiskStatus),
    #[error("encryption key not usable by the service")]
    KmsUnauthorized,

    // ---- idempotency ----
    #[error("client token reused with other parameters")]
    TokenReusedWithOtherParameters,
    #[error("client token still being processed")]
    TokenInFlight,

    // ---- the provider itself ----
    /// A provider-side failure injected by the world; carries the documented code to answer.
    #[error("injected fault {0}")]
    Fault(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// The store could not be reached for now (after retries): the caller may try again.
    #[error("temporarily unavailable")]
    Unavailable,
}

impl DomainError {
    pub fn missing(name: &str) -> Self {
        DomainError::MissingParameter(name.to_string())
    }

    pub fn invalid(name: &str, reason: impl Into<String>) -> Self {
        DomainError::InvalidParameter { name: name.to_string(), reason: reason.into() }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
