package conformance

// Tencent refusals through the Go SDK's *errors.TencentCloudSDKError (code, message and request
// id), with each signing: CVM, CBS, the Tag service and the signature itself. Nothing here changes
// what the account has.

import (
	"testing"

	cbs "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cbs/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	cvm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cvm/v20170312"
	tag "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/tag/v20180813"
)

func TestTencentRefusals(t *testing.T) {
	for _, s := range tcSignings {
		s := s
		t.Run(s.name, func(t *testing.T) {
			c := newTcClients(t, s, tcKey, tcSecret)

			cs := cbs.NewCreateSnapshotRequest()
			cs.DiskId = common.StringPtr("disk-nonexistent")
			_, err := c.cbs.CreateSnapshot(cs)
			tcError(t, "CreateSnapshot of an unknown disk", err, "InvalidDiskId.NotFound")

			ds := cbs.NewDescribeSnapshotsRequest()
			ds.Filters = []*cbs.Filter{{Name: common.StringPtr("no-such-filter"), Values: strs("x")}}
			_, err = c.cbs.DescribeSnapshots(ds)
			tcError(t, "DescribeSnapshots with an unknown filter", err, "InvalidFilter")

			dels := cbs.NewDeleteSnapshotsRequest()
			dels.SnapshotIds = strs("snap-nothere1")
			_, err = c.cbs.DeleteSnapshots(dels)
			tcError(t, "DeleteSnapshots of an unknown snapshot", err, "InvalidSnapshotId.NotFound")

			mod := cbs.NewModifySnapshotAttributeRequest()
			mod.SnapshotId = common.StringPtr("snap-nothere1")
			mod.SnapshotName = common.StringPtr("x")
			_, err = c.cbs.ModifySnapshotAttribute(mod)
			tcError(t, "ModifySnapshotAttribute of an unknown snapshot", err, "InvalidSnapshotId.NotFound")

			di := cvm.NewDescribeImagesRequest()
			di.ImageIds = strs("not-an-image-id")
			_, err = c.cvm.DescribeImages(di)
			tcError(t, "DescribeImages of a malformed id", err, "InvalidImageId.Malformed")

			deli := cvm.NewDeleteImagesRequest()
			deli.ImageIds = strs("img-nothere1")
			_, err = c.cvm.DeleteImages(deli)
			tcError(t, "DeleteImages of an unknown image", err, "InvalidImageId.NotFound")

			ci := cvm.NewCreateImageRequest()
			ci.InstanceId = common.StringPtr("ins-tc-stopped")
			ci.ImageName = common.StringPtr(unique("go-refused"))
			ci.SnapshotIds = strs("snap-tc-sys")
			_, err = c.cvm.CreateImage(ci)
			tcError(t, "CreateImage from an instance and snapshots", err, "InvalidParameterConflict")

			mia := cvm.NewModifyImageAttributeRequest()
			mia.ImageId = common.StringPtr("img-nothere1")
			mia.ImageName = common.StringPtr("x")
			_, err = c.cvm.ModifyImageAttribute(mia)
			tcError(t, "ModifyImageAttribute of an unknown image", err, "InvalidImageId.NotFound")

			reserved := tag.NewModifyResourceTagsRequest()
			reserved.Resource = common.StringPtr(tcResource("snapshot", "snap-tc-sys"))
			reserved.ReplaceTags = []*tag.Tag{{TagKey: common.StringPtr("qcloud:x"), TagValue: common.StringPtr("v")}}
			_, err = c.tag.ModifyResourceTags(reserved)
			tcError(t, "ModifyResourceTags with a reserved key", err, "InvalidParameter.ReservedTagKey")

			elsewhere := tag.NewModifyResourceTagsRequest()
			elsewhere.Resource = common.StringPtr("qcs::cvm:ap-shanghai:uin/:snapshot/snap-tc-sys")
			elsewhere.ReplaceTags = []*tag.Tag{{TagKey: common.StringPtr("k"), TagValue: common.StringPtr("v")}}
			_, err = c.tag.ModifyResourceTags(elsewhere)
			tcError(t, "ModifyResourceTags of a resource in another region", err, "InvalidParameterValue.ResourceDescriptionError")

			// TagResources judges each resource on its own: one that cannot be changed is listed.
			missing := tcResource("snapshot", "snap-nothere1")
			tr := tag.NewTagResourcesRequest()
			tr.ResourceList = strs(missing)
			tr.Tags = []*tag.Tag{{TagKey: common.StringPtr("k"), TagValue: common.StringPtr("v")}}
			trResp, err := c.tag.TagResources(tr)
			tcOK(t, "TagResources of an unknown resource", err)
			if f := trResp.Response.FailedResources; len(f) != 1 || str(f[0].Resource) != missing ||
				str(f[0].Code) != "InvalidParameterValue.ResourceDescriptionError" || str(f[0].Message) == "" {
				t.Errorf("TagResources FailedResources: %s", show(f))
			}
			ut := tag.NewUnTagResourcesRequest()
			ut.ResourceList = strs(missing)
			ut.TagKeys = strs("k")
			utResp, err := c.tag.UnTagResources(ut)
			tcOK(t, "UnTagResources of an unknown resource", err)
			if f := utResp.Response.FailedResources; len(f) != 1 || str(f[0].Resource) != missing {
				t.Errorf("UnTagResources FailedResources: %s", show(f))
			}

			dt := tag.NewDescribeResourceTagsByResourceIdsRequest()
			dt.ServiceType = common.StringPtr("cos")
			dt.ResourcePrefix = common.StringPtr("image")
			dt.ResourceIds = strs("img-tcgolden")
			_, err = c.tag.DescribeResourceTagsByResourceIds(dt)
			tcError(t, "DescribeResourceTagsByResourceIds of another service", err, "InvalidParameterValue.ServiceTypeInvalid")

			wrong := newTcClients(t, s, tcKey, "NotTheRightSecret0000000000000001")
			_, err = wrong.cvm.DescribeImages(cvm.NewDescribeImagesRequest())
			tcError(t, "a call signed with the wrong secret", err, "AuthFailure.SignatureFailure")
			unknown := newTcClients(t, s, "AKIDNoSuchKey0000000000000000000001", "whatever")
			_, err = unknown.cbs.DescribeSnapshots(cbs.NewDescribeSnapshotsRequest())
			tcError(t, "a call with an unknown key", err, "AuthFailure.SecretIdNotFound")
		})
	}
}
