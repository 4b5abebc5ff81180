//! The one table from domain errors to Tencent Cloud's codes and messages (every answer is
//! HTTP 200). CVM codes are those of the CreateImage pages (API 3.0, and the older page on
//! `/v2/index.php`); CBS codes (CreateSnapshot) come from the CBS SDK's own error list; the
//! rest are the provider's common codes.

use super::actions::Service;
use super::TencentAction::{self, *};
use crate::actions::Action as _;
use domain::{AuthFailure, DiskStatus, DomainError, Field, InstanceStatus, TagRefusal};

/// What the table needs to know besides the error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The action, when the request named one that is served.
    pub action: Option<TencentAction>,
    /// The older CreateImage page (`/v2/index.php`): one length code for every limit.
    pub legacy: bool,
}

/// An answer: code and message.
pub type Answer = (String, String);

fn a(code: &str, message: &str) -> Answer {
    (code.to_string(), message.to_string())
}

pub fn answer(e: &DomainError, cx: Context) -> Answer {
    use DomainError as E;
    // The CBS snapshot actions (DescribeSnapshots keeps CVM's wording for a missing snapshot).
    let snapshot = matches!(cx.action, Some(CreateSnapshot | DeleteSnapshots | ModifySnapshotAttribute));
    let tag_service = cx.action.map(|a| a.api()) == Some(Service::Tag);
    match e {
        // ---- the Tag service's own codes for tag keys and values ----
        E::TooLong(Field::TagKey) if tag_service => {
            a("InvalidParameterValue.TagKeyLengthExceeded", "The tag key exceeds the length limit.")
        }
        E::TooLong(Field::TagValue) if tag_service => {
            a("InvalidParameterValue.TagValueLengthExceeded", "The tag value exceeds the length limit.")
        }
        E::Malformed(Field::TagKey) if tag_service => {
            a("InvalidParameterValue.TagKeyCharacterIllegal", "The tag key contains illegal characters.")
        }
        E::Malformed(Field::TagValue) if tag_service => {
            a("InvalidParameterValue.TagValueCharacterIllegal", "The tag value contains illegal characters.")
        }
        E::DuplicateTagKey if tag_service => {
            a("InvalidParameterValue.TagKeyDuplicate", "The tag list contains a duplicate TagKey.")
        }
        E::MissingParameter(name) => {
            a("MissingParameter", &format!("The request is missing a required parameter `{name}`."))
        }
        E::InvalidParameter { name, reason } => {
            a("InvalidParameterValue", &format!("The value of parameter `{name}` is invalid. {reason}"))
        }
        E::UnknownParameter(name) => {
            a("UnknownParameter", &format!("The parameter `{name}` is not recognized."))
        }
        E::TooLong(_) if cx.action == Some(ModifyImageAttribute) => {
            a("InvalidParameterValue.TooLarge", "The parameter value exceeds the maximum limit.")
        }
        E::TooLong(_) if cx.action == Some(ModifySnapshotAttribute) => {
            a("InvalidParameterValue", "The snapshot name has at most 60 characters.")
        }
        E::Malformed(Field::ImageFamily) => {
            a("InvalidParameterValue.InvalidImageFamily", "The image family name is malformed.")
        }
        E::TooLong(Field::Description) if !cx.legacy => {
            a("InvalidParameterValue.TooLarge", "The parameter value exceeds the maximum limit.")
        }
        E::TooLong(_) => a("InvalidParameter.ValueTooLarge", "The length of parameter exceeds the limit."),
        E::Malformed(field) => a("InvalidParameterValue", &format!("The value of {field:?} is not valid.")),
        E::DuplicateTagKey => a("InvalidParameterValue", "The tag keys must be unique."),
        E::ParameterConflict(names) => a(
            "InvalidParameterConflict",
            &format!("The two specified parameters conflict: {names} cannot be given together."),
        ),
        E::OneOfRequired(names) => a(
            "InvalidParameter.SpecifyOneParameter",
            &format!("At least one of the multiple parameters must be passed in: {names}."),
        ),
        E::DependsOn { name, on } => a(
            "InvalidParameter.InvalidDependence",
            &format!("Invalid parameter dependency: `{name}` requires `{on}`."),
        ),
        E::TooManyIds(max) => a(
            "InvalidParameterValue.LimitExceeded",
            &format!("The number of parameter values exceeds the limit: at most {max} ids."),
        ),
        E::InvalidFilter(name) => a("InvalidFilter", &format!("The filter `{name}` is not supported.")),
        E::MalformedId(id) if snapshot || cx.action == Some(DescribeSnapshots) => {
            a("InvalidSnapshotId.Malformed", &format!("The snapshot ID `{id}` is malformed."))
        }
        E::MalformedId(id) => a("InvalidImageId.Malformed", &format!("The image ID `{id}` is malformed.")),
        E::Auth(failure) => auth(failure),
        E::UnsupportedVersion(v) => a("NoSuchVersion", &format!("The API version `{v}` does not exist.")),
        E::UnknownAction(action) => a("InvalidAction", &format!("The action `{action}` is not supported.")),
        E::RequestTooLarge => a(
            "RequestSizeLimitExceeded",
            &format!("The request body exceeds the limit of {} bytes.", crate::MAX_BODY_BYTES),
        ),
        E::Throttled => a("RequestLimitExceeded", "Your requests are too frequent, please try again later."),
        E::DryRunPassed => {
            a("DryRunOperation", "The request would have succeeded, but the DryRun parameter was used.")
        }
        E::RegionNotFound => a("UnsupportedRegion", "The region is not supported by this API."),

        // ---- what the request names ----
        E::ResourceGroupNotFound => a("InvalidParameterValue", "The resource group does not exist."),
        E::DiskNotFound => a("InvalidDiskId.NotFound", "The specified disk does not exist."),
        E::InstanceNotFound => a("InvalidInstanceId.NotFound", "No instance found."),
        E::ImageNotFound => a("InvalidImageId.NotFound", "The image does not exist."),
        E::SnapshotNotFound if snapshot => {
            a("InvalidSnapshotId.NotFound", "The specified snapshot does not exist.")
        }
        E::SnapshotNotFound => {
            a("InvalidParameter.SnapshotNotFound", "The specified snapshot does not exist.")
        }

        // ---- images ----
        // CBS DeleteSnapshots and ModifySnapshotAttribute: a snapshot still being made.
        E::SnapshotNotReady if cx.action == Some(DeleteSnapshots) => {
            a("ResourceUnavailable.SnapshotCreating", "The snapshot is being created and cannot be used yet.")
        }
        E::SnapshotNotReady if cx.action == Some(ModifySnapshotAttribute) => {
            a("InvalidSnapshot.NotSupported", "The snapshot does not support this operation now.")
        }
        E::SnapshotTooOld | E::SnapshotNotReady | E::SnapshotImageNotAllowed => {
            a("InvalidSnapshot.NotSupported", "The specified snapshot cannot be used to create an image now.")
        }
        E::SnapshotNotFromSystemDisk | E::NoSystemDiskSnapshot => a(
            "InvalidParameter.SystemSnapshotNotFound",
            "The parameter does not contain system disk snapshot.",
        ),
        E::SeveralSystemDiskSnapshots => {
            a("InvalidParameter.DuplicateSystemSnapshots", "Only one system disk snapshot can be included.")
        }
        E::DiskSizeUnsupported => a("InvalidParameterValue", "The disk size is outside the permitted range."),
        E::ImageNameTaken => a("InvalidImageName.Duplicate", "The specified image name already exists."),
        E::ImageQuotaReached => a("ImageQuotaLimitExceeded", "The image quota has been exceeded."),
        E::InstanceImageUnsupported | E::GpuInstanceUnsupported => {
            a("InvalidInstance.NotSupported", "This instance is not supported.")
        }
        E::InstanceImageOperationUnsupported => {
            a("UnsupportedOperation.NotSupportInstanceImage", "The instance does not support this operation.")
        }
        E::FullImageUnsupported => {
            a("InvalidParameter.InstanceImageNotSupport", "This API does not support instance images.")
        }
        E::DataDiskIsSystemDisk => a(
            "InvalidParameter.DataDiskIdContainsRootDisk",
            "RootDisk ID should not be passed to DataDiskIds.",
        ),
        E::DataDiskNotOfInstance => a(
            "InvalidParameter.DataDiskNotBelongSpecifiedInstance",
            "The specified data disk does not belong to the specified instance.",
        ),
        E::DataDiskLocal => a(
            "InvalidParameter.LocalDataDiskNotSupport",
            "Local disks cannot be used to create instance images.",
        ),
        E::DataDiskSwap => a("InvalidParameter.SwapDiskNotSupport", "Swap disks are not supported."),

        // ---- the account ----
        E::InsufficientBalance => a("InvalidAccount.InsufficientBalance", "Insufficient account balance."),
        E::SnapshotServiceUnavailable => {
            a("UnauthorizedOperation", "The snapshot service is not enabled for this account.")
        }

        // ---- the instance ----
        E::InstanceImageInProgress => a("MutexOperation.TaskRunning", "An identical job is running."),
        // An instance image snapshots its disks: one being snapshotted is the same conflict.
        E::DiskSnapshotInProgress if !snapshot => {
            a("MutexOperation.TaskRunning", "An identical job is running.")
        }
        E::InstanceBusy => a(
            "OperationDenied.InstanceOperationInProgress",
            "The instance has an operation in progress. Please try again later.",
        ),
        E::StoppedWithoutCharging => a(
            "UnsupportedOperation.StoppedModeStopCharging",
            "The instance does not support the no charges when shut down feature.",
        ),
        E::InstanceStatusForbids(status) if !snapshot => instance_state(*status),
        E::InstanceStatusForbids(_) | E::InstanceLockedForSecurity => {
            a("UnsupportedOperation.StateError", "The state of the instance does not support this operation.")
        }

        // ---- the disk (CBS CreateSnapshot) ----
        E::DiskSnapshotInProgress => {
            a("ResourceUnavailable.SnapshotCreating", "A snapshot of this disk is being created.")
        }
        E::SnapshotQuotaReached => a("InsufficientSnapshotQuota", "The snapshot quota is insufficient."),
        E::DiskSnapshotUnsupported => {
            a("InvalidDisk.NotSupportSnapshot", "The disk does not support snapshots.")
        }
        E::DiskCategoryUnsupported => {
            a("InvalidDisk.NotSupported", "The operation is not supported for this disk type.")
        }
        E::DiskTypeUnsupported => {
            a("InvalidDisk.TypeError", "The disk type does not support this operation.")
        }
        E::DiskInArrears => a("ResourceUnavailable.Expire", "The disk has expired."),
        E::KmsUnauthorized => {
            a("UnsupportedOperation.DiskEncrypt", "The encrypted disk's key cannot be used.")
        }
        E::VolumeStatusForbids(_) => a(
            "UnsupportedOperation.ShareDiskNotSupportSnap",
            "Shared disks do not support snapshots in this state.",
        ),
        E::DiskStatusForbids(DiskStatus::Creating | DiskStatus::Transferring | DiskStatus::Detaching)
        | E::DiskDataLoading => a("InvalidDisk.Busy", "The disk is busy. Please try again later."),
        E::DiskStatusForbids(_) | E::DiskNeverAttached | E::DiskNeverUsed => {
            a("UnsupportedOperation.StateError", "The state of the disk does not support this operation.")
        }

        E::Tagging(refusal) => tagging(*refusal, cx.action),

        // ---- modifying (no Tencent action here modifies yet) ----
        E::NothingToModify | E::RetentionShortened | E::ImdsDowngrade => {
            a("InvalidParameterValue", "The modification is not valid.")
        }
        E::ImageCreating | E::ImageNotAvailable | E::ImageNotDeprecated => {
            a("InvalidImageId.IncorrectState", "The image state does not support this operation.")
        }

        // ---- deleting (no Tencent action here deletes yet) ----
        E::ImageInUse | E::ImageBootModeInUse => a(
            "InvalidParameterValue.InvalidImageId",
            "The image is used by instances: this operation is not allowed.",
        ),
        E::SnapshotBacksDisk => a("UnsupportedOperation", "The snapshot does not support this operation."),
        // CBS DeleteSnapshots and ModifySnapshotAttribute.
        E::SnapshotBacksImage => a(
            "UnsupportedOperation.SnapshotHasBindedImage",
            "The snapshot has custom images made from it: delete them first.",
        ),

        // ---- idempotency (no Tencent action here takes a client token) ----
        E::TokenReusedWithOtherParameters | E::TokenInFlight => {
            a("InvalidParameter.InvalidClientToken", "The client token is in use.")
        }

        E::Fault(code) => a(code, &fault_message(code)),
        E::Internal(_) => a("InternalError", "An internal error occurred."),
        // The common code for a failure on the provider's side; the message says to retry.
        E::Unavailable => {
            a("InternalError", "The service is temporarily unavailable. Please try again later.")
        }
    }
}

/// The CreateImage page's codes for an instance in a state that cannot make images.
fn instance_state(status: InstanceStatus) -> Answer {
    match status {
        InstanceStatus::Rebooting => a(
            "UnsupportedOperation.InstanceStateRebooting",
            "The instances are being restarted, and this operation is not supported.",
        ),
        InstanceStatus::Stopping => a(
            "UnsupportedOperation.InstanceStateStopping",
            "The instance is being shut down, and this operation is not supported.",
        ),
        InstanceStatus::Terminating => a(
            "UnsupportedOperation.InstanceStateTerminating",
            "The instance is being terminated, and the operation is not supported.",
        ),
        InstanceStatus::Pending => a(
            "UnsupportedOperation.InstanceStatePending",
            "The instance is being created, and this operation is not supported.",
        ),
        InstanceStatus::Starting => a(
            "UnsupportedOperation.InstanceStateStarting",
            "The instance is starting, and this operation is not supported.",
        ),
        InstanceStatus::Running | InstanceStatus::Stopped => {
            a("UnsupportedOperation.StateError", "The state of the instance does not support this operation.")
        }
    }
}

/// The Tag service's codes (API 2018-08-13: ModifyResourceTags, TagResources, UnTagResources,
/// DescribeResourceTagsByResourceIds).
fn tagging(refusal: TagRefusal, action: Option<TencentAction>) -> Answer {
    use TagRefusal as R;
    let describe = action == Some(DescribeResourceTagsByResourceIds);
    match refusal {
        R::Missing(name) => {
            a("MissingParameter", &format!("The request is missing a required parameter `{name}`."))
        }
        R::BadResourceName | R::ResourceNotFound if describe => {
            a("InvalidParameterValue.ResourceIdInvalid", "The resource id is invalid.")
        }
        R::BadResourceName | R::ResourceNotFound => a(
            "InvalidParameterValue.ResourceDescriptionError",
            "The resource description is wrong: no such resource of this account in this region.",
        ),
        R::UnknownResourceType => {
            a("InvalidParameterValue.ResourcePrefixInvalid", "The resource prefix is invalid.")
        }
        R::UnsupportedResourceType => {
            a("InvalidParameterValue.ServiceTypeInvalid", "The service type is invalid.")
        }
        R::TooManyResources if describe => {
            a("InvalidParameterValue.ResourceIdInvalid", "At most 50 resource ids may be given.")
        }
        R::TooManyResources => a(
            "LimitExceeded.ResourceNumPerRequest",
            "The number of resources in one request exceeds the limit.",
        ),
        R::TooManyTags | R::TooManyTagValues => {
            a("LimitExceeded.TagNumPerRequest", "The number of tags in one request exceeds the limit.")
        }
        R::QuotaExceeded => a(
            "LimitExceeded.ResourceAttachedTags",
            "The number of tags attached to the resource exceeds the limit.",
        ),
        R::ValueWithoutKey => a("InvalidParameterValue.TagKeyEmpty", "The tag key cannot be empty."),
        R::ReservedKey => a(
            "InvalidParameter.ReservedTagKey",
            "The system reserved tag keys qcloud, tencent and project cannot be created.",
        ),
        R::KeyInBothLists => a(
            "InvalidParameterValue.DeleteTagsParamError",
            "DeleteTags cannot contain elements of ReplaceTags or AddTags.",
        ),
        R::BadRegion => a("InvalidParameterValue.RegionInvalid", "The region is invalid."),
        R::BadOffset => {
            a("InvalidParameterValue.OffsetInvalid", "The offset must be a multiple of the limit.")
        }
        R::NothingToChange
        | R::KeysDifferInCase
        | R::AllWithKeys
        | R::NothingToList
        | R::TagsWithFilters
        | R::BadTagFilter
        | R::BadNextToken => a("InvalidParameter.Tag", "The Tag parameter is wrong."),
    }
}

fn auth(failure: &AuthFailure) -> Answer {
    match failure {
        AuthFailure::Missing(name) if name == "SecretId" || name == "Authorization" => {
            a("AuthFailure.InvalidAuthorization", "The request carries no valid Authorization or SecretId.")
        }
        AuthFailure::Missing(name) => {
            a("MissingParameter", &format!("The request is missing a required parameter `{name}`."))
        }
        AuthFailure::UnknownKey => a("AuthFailure.SecretIdNotFound", "The SecretId is not found."),
        AuthFailure::Mismatch { .. } => {
            a("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        }
        AuthFailure::Stale => a(
            "AuthFailure.SignatureExpire",
            "The signature expired: the request timestamp is too far from now.",
        ),
        AuthFailure::BadTimestamp => a("InvalidParameter", "The Timestamp is not a valid Unix time."),
        // The legacy form's nonce protects against replays; a reused one is a replayed request.
        AuthFailure::NonceReused => a("AuthFailure.SignatureFailure", "The Nonce was already used."),
        // TC3 does not sign the action header; a signature is bound to its first action.
        AuthFailure::SignatureBound => a(
            "AuthFailure.SignatureFailure",
            "The signature was already used for another action: sign this request again.",
        ),
        AuthFailure::UnsupportedMethod(_) => {
            a("AuthFailure.InvalidAuthorization", "The signature method is not supported.")
        }
    }
}

fn fault_message(code: &str) -> String {
    match code {
        "ResourceInsufficient.CloudDiskUnavailable" => {
            "The parameters of cloud disk do not meet the specification.".into()
        }
        "InternalError" => "An internal error occurred.".into(),
        _ => "The request has failed.".into(),
    }
}
