//! The one table from domain errors to Alibaba's codes, HTTP statuses and messages. Codes and
//! messages are those of the ECS API reference pages (CreateSnapshot, CreateImage) and the provider's common codes.
//! Where the two pages give one condition different statuses, the action decides.

use super::AlibabaAction::{self, *};
use domain::{AuthFailure, DiskStatus, DomainError, Field, TagRefusal};

/// What the table needs to know besides the error.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The action, when the request named one that is served.
    pub action: Option<AlibabaAction>,
    /// The request named a shared block storage volume (`v-…`) where a disk id goes.
    pub volume: bool,
}

/// An answer: HTTP status, code, message.
pub type Answer = (u16, String, String);

fn a(status: u16, code: &str, message: &str) -> Answer {
    (status, code.to_string(), message.to_string())
}

pub fn answer(e: &DomainError, cx: Context) -> Answer {
    let image = cx.action == Some(CreateImage);
    // The image pages give a malformed description 400, the snapshot pages 404.
    let image_page = image || cx.action == Some(ModifyImageAttribute);
    use DomainError as E;
    match e {
        // JoinResourceGroup's page gives its missing parameters 403.
        E::MissingParameter(name) => a(
            if cx.action == Some(JoinResourceGroup) { 403 } else { 400 },
            "MissingParameter",
            &format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        ),
        E::InvalidParameter { name, reason } => {
            a(400, "InvalidParameter", &format!("The specified parameter \"{name}\" is not valid. {reason}"))
        }
        E::Malformed(Field::SnapshotName) => {
            a(400, "InvalidSnapshotName.Malformed", "The specified SnapshotName is wrongly formed.")
        }
        E::Malformed(Field::ImageName) => a(400, "InvalidImageName.Malformed", "The specified Image name is wrongly formed."),
        E::Malformed(Field::ImageVersion) => {
            a(400, "InvalidImageVersion.Malformed", "The specified ImageVersion is wrongly formed.")
        }
        // CreateSnapshot's page gives this code 404; CreateImage's gives it 400.
        E::Malformed(Field::Description) => a(
            if image_page { 400 } else { 404 },
            "InvalidDescription.Malformed",
            "The specified description is wrongly formed.",
        ),
        // ECS API reference, ModifySnapshotAttribute and ModifyImageAttribute.
        // No ECS action takes a retention time; ZEC's field, answered as malformed should it arise.
        E::Malformed(Field::RetentionDays | Field::RetentionTime) => {
            a(400, "InvalidRetentionDays.Malformed", "The specified RetentionDays is not valid.")
        }
        E::Malformed(Field::DisableInstantAccess) => a(
            404,
            "InvalidSnapshotDisableInstantAccess.Malformed",
            "The specified DisableInstantAccess is not valid!",
        ),
        E::Malformed(Field::ImageFamily) => {
            a(400, "InvalidImageFamily.Malformed", "The specified parameter \"ImageFamily\" is malformed.")
        }
        E::Malformed(Field::BootMode) => {
            a(400, "InvalidBootMode.NotSupport", "The specified parameter BootMode is not supported.")
        }
        E::Malformed(Field::LicenseType) => {
            a(400, "InvalidLicenseType.NotSupported", "The specified parameter LicenseType is not supported.")
        }
        E::Malformed(Field::ImdsSupport) => a(
            400,
            "InvalidParameter.FeaturesImdsSupport",
            "The specified parameter Features.ImdsSupport is not supported.",
        ),
        E::Tagging(refusal) => tagging(*refusal),
        E::NothingToModify => a(400, "NoAttributeToModify", "No attribute to be modified in this request."),
        E::RetentionShortened => a(
            400,
            "InvalidOperation.DecreaseRetentionDaysUnsupported",
            "The requested operation to decrease retention days for the snapshot is not supported.",
        ),
        E::ImageCreating => a(
            403,
            "InvalidStatus.ImageIsCreating",
            "The operation cannot be performed because the image is creating. Please wait until the creation is complete and try again.",
        ),
        E::ImdsDowngrade => a(
            403,
            "InvalidOperation.FeaturesImdsSupportNotMatch",
            "The specified parameter Features.ImdsSupport can not be set to v1 from v2.",
        ),
        E::ImageNotAvailable => a(403, "ImageStatus.NotAvailable", "The specified image status is not available."),
        E::ImageNotDeprecated => a(403, "ImageStatus.NotDeprecated", "The specified image status is not deprecated."),
        E::TooLong(field) => answer(&E::Malformed(*field), cx),
        E::UnknownParameter(name) => {
            a(400, "InvalidParameter", &format!("The specified parameter \"{name}\" is not valid."))
        }
        E::ParameterConflict(names) => {
            a(400, "InvalidParameter", &format!("The parameters {names} cannot be specified together."))
        }
        E::OneOfRequired(names) => answer(&E::MissingParameter(names.clone()), cx),
        E::DependsOn { name, on } => {
            a(400, "InvalidParameter", &format!("The specified parameter \"{name}\" requires \"{on}\"."))
        }
        E::TooManyIds(max) => a(400, "InvalidParameter", &format!("At most {max} ids may be given at once.")),
        E::InvalidFilter(name) => a(400, "InvalidParameter", &format!("The specified filter \"{name}\" is not valid.")),
        E::MalformedId(id) => a(400, "InvalidParameter", &format!("The specified id \"{id}\" is not valid.")),
        E::Malformed(Field::TagKey) => a(400, "InvalidTagKey.Malformed", "The specified Tag.n.Key is not valid."),
        E::Malformed(Field::TagValue) => a(400, "InvalidTagValue.Malformed", "The specified Tag.n.Value is not valid."),
        E::DuplicateTagKey => a(400, "Duplicate.TagKey", "The Tag.N.Key contain duplicate key."),
        E::Auth(failure) => auth(failure),
        E::UnsupportedVersion(v) => a(400, "InvalidVersion", &format!("Specified parameter Version ({v}) is not valid.")),
        E::UnknownAction(_) => a(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."),
        E::RequestTooLarge => a(
            400,
            "InvalidParameter",
            &format!("The request body exceeds the limit of {} bytes.", crate::MAX_BODY_BYTES),
        ),
        E::Throttled => a(400, "Throttling.User", "Request was denied due to user flow control."),
        E::DryRunPassed => a(400, "DryRunOperation", "Request validation has been passed with DryRun flag set."),
        E::RegionNotFound => a(404, "InvalidRegionId.NotFound", "The specified RegionId does not exist."),
        E::DiskNotFound if cx.volume => a(404, "InvalidVolumeId.NotFound", "The specified volume does not exist."),
        E::DiskNotFound => a(404, "InvalidDiskId.NotFound", "The specified DiskId does not exist."),
        E::InstanceNotFound => a(
            if image { 400 } else { 404 },
            "InvalidInstanceId.NotFound",
            "The specified InstanceId does not exist.",
        ),
        E::ResourceGroupNotFound => {
            a(404, "InvalidResourceGroup.NotFound", "The specified resource group does not exist.")
        }
        E::ImageNotFound => a(404, "InvalidImageId.NotFound", "The specified ImageId does not exist."),
        E::SnapshotNotFound => a(404, "InvalidSnapshotId.NotFound", "The specified SnapshotId does not exist."),
        // ECS API reference, DeleteSnapshot.
        E::SnapshotBacksImage => {
            a(403, "SnapshotCreatedImage", "The snapshot has been used to create user defined image(s).")
        }
        E::SnapshotBacksDisk => a(403, "SnapshotCreatedDisk", "The snapshot has been used to create disk(s)."),
        // ECS API reference, DeleteImage and ModifyImageAttribute (whose code the page spells so).
        E::ImageInUse => a(
            403,
            "ImageUsingByInstance",
            "The specified image has been used to create instances. You can use the DescribeInstances API to query these instances, or you can use the force parameter to proceed.",
        ),
        E::ImageBootModeInUse => a(
            403,
            "OperationDeined.ImageUsingByInstance",
            "The boot mode of the image cannot be modified because it has associated instances.",
        ),
        E::SnapshotTooOld => a(
            403,
            "InvalidSnapshot.TooOld",
            "This operation is denied because the specified snapshot by DiskDeviceMapping.n.SnapshotId or SnapshotId is created before 2013-07-15.",
        ),
        E::SnapshotNotReady if cx.action == Some(ModifySnapshotAttribute) => {
            a(400, "InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.")
        }
        E::SnapshotNotReady => a(
            403,
            "InvalidSnapshotId.NotReady",
            "The current status of the DiskDeviceMapping.n.SnapshotId or SnapshotId does not support this operation.",
        ),
        E::SnapshotImageNotAllowed => a(403, "OperationDenied", "The specified snapshot is not allowed to create image."),
        E::SnapshotNotFromSystemDisk => a(403, "OperationDenied", "The specified snapshot is not from system disk."),
        E::NoSystemDiskSnapshot => a(
            400,
            "OperationDenied",
            "The specified parameter DiskDeviceMapping.n.SnapshotId does not contain system disk snapshot.",
        ),
        E::SeveralSystemDiskSnapshots => a(
            400,
            "OperationDenied",
            "The specified parameter DiskDeviceMapping.n.SnapshotId contains two or more system disk snapshots.",
        ),
        E::DiskSizeUnsupported => a(
            400,
            "InvalidSize.ValueNotSupported",
            "The specified parameter DiskDeviceMapping.n.Size beyond the permitted range.",
        ),
        E::ImageNameTaken => a(400, "InvalidImageName.Duplicated", "The specified Image name has already been used."),
        E::ImageQuotaReached => a(403, "QuotaExceed.Image", "The Image Quota exceeds."),
        E::InstanceImageUnsupported => {
            a(400, "InvalidInstanceId.ValueNotSupported", "The specified InstanceId is not allowed to create image.")
        }
        E::InsufficientBalance => a(403, "InvalidAccountStatus.NotEnoughBalance", "Your account does not have enough balance."),
        E::SnapshotServiceUnavailable => a(
            403,
            "InvalidAccountStatus.SnapshotServiceUnavailable",
            "Snapshot service has not been opened yet.",
        ),
        E::InstanceStatusForbids(_) if image => a(
            400,
            "IncorrectInstanceStatus",
            "The current status of the instance does not support this operation.",
        ),
        // An image of an instance snapshots every disk; one already being snapshotted holds the
        // instance in a state that cannot make images now (the page's own instance-state code).
        E::DiskSnapshotInProgress if image => a(
            400,
            "IncorrectInstanceStatus",
            "The current status of the instance does not support this operation.",
        ),
        E::InstanceStatusForbids(_) => a(
            400,
            "IncorrectInstanceStatus",
            "The current status of the resource does not support this operation.",
        ),
        // One image of an instance at a time; another operation on it, or an instance stopped
        // without charges, likewise leave it in a state that cannot make images now.
        E::InstanceImageInProgress | E::InstanceBusy | E::StoppedWithoutCharging => a(
            400,
            "IncorrectInstanceStatus",
            "The current status of the instance does not support this operation.",
        ),
        E::GpuInstanceUnsupported | E::InstanceImageOperationUnsupported => {
            a(400, "InvalidInstanceId.ValueNotSupported", "The specified InstanceId is not allowed to create image.")
        }
        E::FullImageUnsupported
        | E::DataDiskIsSystemDisk
        | E::DataDiskNotOfInstance
        | E::DataDiskLocal
        | E::DataDiskSwap => a(400, "InvalidParameter", "The specified data disks cannot be used in this image."),
        E::InstanceLockedForSecurity if image => a(
            400,
            "InstanceLockedForSecurity",
            "The specified operation is denied as your instance is locked for security reasons.",
        ),
        E::InstanceLockedForSecurity => {
            a(403, "InstanceLockedForSecurity", "The disk attached instance is locked due to security.")
        }
        E::DiskNeverAttached => a(
            403,
            "IncorrectDiskStatus.NeverAttached",
            "The specified disk has never been attached to any instance.",
        ),
        E::DiskNeverUsed => a(403, "IncorrectDiskStatus.NeverUsed", "The specified disk has never been used after creating."),
        E::DiskSnapshotInProgress => {
            a(403, "IncorrectDiskStatus.CreatingSnapshot", "A previous snapshot creation is in process.")
        }
        E::SnapshotQuotaReached => a(403, "QuotaExceed.Snapshot", "The snapshot quota exceeds."),
        E::DiskInArrears => a(403, "DiskInArrears", "The specified operation is denied as your disk has expired."),
        E::DiskSnapshotUnsupported => a(403, "DiskId.ValueNotSupported", "The specified parameter diskid is not supported."),
        E::DiskCategoryUnsupported => a(
            400,
            "DiskCategory.OperationNotSupported",
            "The operation is not supported to the specified disk due to its disk category",
        ),
        E::DiskTypeUnsupported => a(403, "IncorrectDiskType.NotSupport", "The specified device type is not supported."),
        E::DiskStatusForbids(DiskStatus::Invalid) => a(
            403,
            "IncorrectDiskStatus.Invalid",
            "The specified device status invalid, restart instance and try again.",
        ),
        E::DiskStatusForbids(DiskStatus::Transferring) => a(
            403,
            "IncorrectDiskStatus.Transferring",
            "The specified device is transferring, you can retry after the process is finished.",
        ),
        E::DiskStatusForbids(_) | E::DiskDataLoading => {
            a(403, "IncorrectDiskStatus", "The current disk status does not support this operation.")
        }
        E::VolumeStatusForbids(_) => {
            a(403, "IncorrectVolumeStatus", "The current volume status does not support this operation.")
        }
        E::KmsUnauthorized => a(403, "InvalidParameter.KMSKeyId.KMSUnauthorized", "ECS service have no right to access your KMS."),
        // The provider really spells CreateImage's code this way.
        E::TokenReusedWithOtherParameters if image => {
            a(403, "InvalidParamter.Conflict", "The specified same token is trying to make requests with different parameters.")
        }
        E::TokenReusedWithOtherParameters => a(403, "IdempotentParameterMismatch", "The specified clientToken is used."),
        E::TokenInFlight => a(403, "IdempotentProcessing", "The previous idempotent request(s) is still processing."),
        E::Fault(code) => fault(code),
        // The CreateSnapshot page's code for a store that cannot be reached, transient or not (the
        // old SDK retries it either way).
        E::Internal(_) | E::Unavailable => {
            a(500, "InternalError", "The request processing has failed due to some unknown error.")
        }
    }
}

/// ECS API reference, TagResources, UntagResources and ListTagResources.
fn tagging(refusal: TagRefusal) -> Answer {
    use TagRefusal as R;
    match refusal {
        R::Missing(name) => a(
            404,
            &format!("MissingParameter.{name}"),
            &format!("The parameter - {name} should not be null."),
        ),
        R::UnknownResourceType => {
            a(404, "InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.")
        }
        R::UnsupportedResourceType => {
            a(403, "InvalidResourceId.NotSupported", "The specified ResourceId does not support tagging.")
        }
        R::TooManyResources => {
            a(400, "NumberExceed.ResourceIds", "The ResourceIds parameter's number is exceed , Valid : 50.")
        }
        R::TooManyTags => a(400, "NumberExceed.Tags", "The Tags parameter's number is exceed , Valid : 20."),
        R::TooManyTagValues => a(
            403,
            "NumberExceed.TagValues",
            "The number of the specified TagValues is beyond permitted range, the max is 5.",
        ),
        R::ResourceNotFound => {
            a(404, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")
        }
        R::QuotaExceeded => {
            a(400, "OperationDenied.QuotaExceed", "The quota of tags on resource is beyond permitted range.")
        }
        R::ValueWithoutKey => {
            a(400, "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.")
        }
        R::AllWithKeys => {
            a(403, "Param.Conflict", "The specified all is true, but the specified TagKey.N is not empty.")
        }
        R::NothingToList => a(
            403,
            "BothEmpty.TagsAndResources",
            "The specified Tags and ResourcesIds are not allow to both empty.",
        ),
        R::TagsWithFilters => {
            a(400, "InvalidTags.MalFormed", "The tags must be empty, when the tagFilters is not empty.")
        }
        R::BadTagFilter => a(403, "InvalidTagFilter.Malformed", "The specified TagFilter is not valid."),
        R::BadNextToken => a(403, "Invalid.NextToken", "The specified NextToken is not valid."),
        R::KeysDifferInCase => {
            a(403, "TagKey.Duplication", "The TagKey has duplication with others, case-insensitive.")
        }
        // Refusals of other providers' tag services: no Alibaba action gives them.
        R::BadResourceName
        | R::ReservedKey
        | R::KeyInBothLists
        | R::NothingToChange
        | R::BadRegion
        | R::BadOffset => a(400, "InvalidParameter", "The specified tag parameters are not valid."),
    }
}

fn auth(failure: &AuthFailure) -> Answer {
    match failure {
        AuthFailure::Missing(name) if name == "Authorization" => {
            a(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        }
        AuthFailure::Missing(name) => answer(&DomainError::MissingParameter(name.clone()), Context::default()),
        AuthFailure::UnknownKey => a(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
        // The old core SDK compares the text after the first ':' with its own string to sign.
        AuthFailure::Mismatch { string_to_sign } => a(
            400,
            "SignatureDoesNotMatch",
            &format!("Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"),
        ),
        AuthFailure::Stale => a(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
        AuthFailure::BadTimestamp => {
            a(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
        }
        // Alibaba's signatures cover the action and carry a nonce: both refusals are the nonce's.
        AuthFailure::NonceReused | AuthFailure::SignatureBound => {
            a(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
        }
        AuthFailure::UnsupportedMethod(_) => {
            a(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        }
    }
}

/// Injected provider-side failures answer with the documented status and message of their code.
fn fault(code: &str) -> Answer {
    match code {
        "CreateSnapshot.Failed" => a(403, code, "The process of creating snapshot is failed."),
        "InternalError" => a(500, code, "The request processing has failed due to some unknown error."),
        "ServiceUnavailable" => {
            a(503, code, "The request has failed due to a temporary failure of the server.")
        }
        _ => a(403, code, "The request has failed."),
    }
}
