package conformance

// Tencent CVM images through the Go SDK — CreateImage, DescribeImages (the poll until NORMAL),
// ModifyImageAttribute, DeleteImages — with the Tag service's ModifyResourceTags, as Terraform's
// tencentcloud_image and Packer's Tencent builder drive them, with each signing.

import (
	"strings"
	"testing"

	cbs "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cbs/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	cvm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cvm/v20170312"
	tag "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/tag/v20180813"
)

// Terraform's tencentcloud_image: create from an instance with a tag, wait until NORMAL, update
// name, description and tags, delete (here with its snapshots).
func TestTencentImageLifecycle(t *testing.T) {
	awaitIdle(t, "acct-tc", "ins-tc-stopped", "disk-tc-stopped-sys")
	eachTcSigning(t, func(t *testing.T, c tcClients, s tcSigning) {
		name := unique("go-image")
		create := cvm.NewCreateImageRequest()
		create.InstanceId = common.StringPtr("ins-tc-stopped")
		create.ImageName = common.StringPtr(name)
		create.ImageDescription = common.StringPtr("made by the Go SDK")
		create.ForcePoweroff = common.StringPtr("TRUE")
		create.TagSpecification = []*cvm.TagSpecification{{
			ResourceType: common.StringPtr("image"),
			Tags:         []*cvm.Tag{{Key: common.StringPtr("managed-by"), Value: common.StringPtr("go")}},
		}}
		created, err := c.cvm.CreateImage(create)
		tcOK(t, "CreateImage", err)
		id := str(created.Response.ImageId)
		if !strings.HasPrefix(id, "img-") {
			t.Fatalf("CreateImage: ImageId %q is not img-…: %s", id, created.ToJsonString())
		}
		tcDeleteImageLater(t, c, id)
		tcRequestID(t, "CreateImage", created.Response.RequestId)

		first := tcImage(t, c, id)
		if str(first.ImageState) != "CREATING" {
			t.Errorf("a new image is %q, not CREATING: %s", str(first.ImageState), show(first))
		}
		del := cvm.NewDeleteImagesRequest()
		del.ImageIds = strs(id)
		_, err = c.cvm.DeleteImages(del)
		tcError(t, "DeleteImages of an image being made", err, "InvalidImageId.IncorrectState")

		image := waitFor(t, "image "+id+" NORMAL",
			func() *cvm.Image { return tcImage(t, c, id) },
			func(i *cvm.Image) bool { return str(i.ImageState) == "NORMAL" })
		got := []string{str(image.ImageName), str(image.ImageDescription), str(image.ImageType), joined(cvmTags(image.Tags))}
		want := []string{name, "made by the Go SDK", "PRIVATE_IMAGE", "managed-by=go"}
		if joined(got) != joined(want) {
			t.Errorf("NORMAL image: got %v, want %v: %s", got, want, show(image))
		}
		var snapshots []string
		for _, sn := range image.SnapshotSet {
			snapshots = append(snapshots, str(sn.SnapshotId))
		}
		if len(image.SnapshotSet) != 1 || str(image.SnapshotSet[0].DiskUsage) != "SYSTEM_DISK" || !strings.HasPrefix(snapshots[0], "snap-") {
			t.Errorf("an image of ins-tc-stopped has its system disk's snapshot alone: %s", show(image.SnapshotSet))
		}
		for _, sid := range snapshots {
			tcDeleteSnapshotLater(t, c, sid)
		}

		// Update as Terraform does: ModifyImageAttribute, then the tag diff through the Tag service.
		modify := cvm.NewModifyImageAttributeRequest()
		modify.ImageId = common.StringPtr(id)
		modify.ImageName = common.StringPtr(name + "-2")
		modify.ImageDescription = common.StringPtr("second edition")
		modified, err := c.cvm.ModifyImageAttribute(modify)
		tcOK(t, "ModifyImageAttribute", err)
		tcRequestID(t, "ModifyImageAttribute", modified.Response.RequestId)
		mrt := tag.NewModifyResourceTagsRequest()
		mrt.Resource = common.StringPtr(tcResource("image", id))
		mrt.ReplaceTags = []*tag.Tag{{TagKey: common.StringPtr("tier"), TagValue: common.StringPtr("web")}}
		mrt.DeleteTags = []*tag.TagKeyObject{{TagKey: common.StringPtr("managed-by")}}
		_, err = c.tag.ModifyResourceTags(mrt)
		tcOK(t, "ModifyResourceTags", err)
		read := tcImage(t, c, id)
		if str(read.ImageName) != name+"-2" || str(read.ImageDescription) != "second edition" || joined(cvmTags(read.Tags)) != "tier=web" {
			t.Errorf("after ModifyImageAttribute and ModifyResourceTags: %s", show(read))
		}
		if got := joined(tcTags(t, c, "image", id)); got != "tier=web" {
			t.Errorf("DescribeResourceTagsByResourceIds image: %s", got)
		}
		// Found by its tag.
		byTag := cvm.NewDescribeImagesRequest()
		byTag.Filters = []*cvm.Filter{{Name: common.StringPtr("tag:tier"), Values: strs("web")}, {Name: common.StringPtr("image-id"), Values: strs(id)}}
		if total, found := tcImages(t, c, byTag); total != 1 || len(found) != 1 || str(found[0].ImageId) != id {
			t.Errorf("DescribeImages by tag:tier and image-id: %d %s", total, show(found))
		}
		taken := cvm.NewModifyImageAttributeRequest()
		taken.ImageId = common.StringPtr(id)
		taken.ImageName = common.StringPtr("golden-tc") // the world image's name
		_, err = c.cvm.ModifyImageAttribute(taken)
		tcError(t, "renaming to a name another image has", err, "InvalidImageName.Duplicate")

		// Delete: a dry run deletes nothing; then the image and the snapshots it made.
		dry := cvm.NewDeleteImagesRequest()
		dry.ImageIds = strs(id)
		dry.DryRun = common.BoolPtr(true)
		_, err = c.cvm.DeleteImages(dry)
		tcOK(t, "DeleteImages DryRun", err)
		tcImage(t, c, id)
		del.DeleteBindedSnap = common.BoolPtr(true)
		deleted, err := c.cvm.DeleteImages(del)
		tcOK(t, "DeleteImages", err)
		tcRequestID(t, "DeleteImages", deleted.Response.RequestId)
		gone := cvm.NewDescribeImagesRequest()
		gone.ImageIds = strs(id)
		if total, found := tcImages(t, c, gone); total != 0 || len(found) != 0 {
			t.Errorf("a deleted image is still listed: %d %s", total, show(found))
		}
		if left := tcSnapshots(t, c, snapshots...); len(left) != 0 {
			t.Errorf("DeleteBindedSnap left the image's snapshots: %s", show(left))
		}
	})
}

// Packer's Tencent builder: no image of that name yet (stepPreValidate), CreateImage, wait until the
// image found by name is NORMAL, then Artifact.Destroy: DescribeImages by id, DeleteImages. Its
// snapshots stay, bound to no image; the test deletes them.
func TestTencentPackerImage(t *testing.T) {
	awaitIdle(t, "acct-tc", "ins-tc-windows", "disk-tc-windows-sys")
	eachTcSigning(t, func(t *testing.T, c tcClients, s tcSigning) {
		name := unique("packer-go")
		byName := cvm.NewDescribeImagesRequest()
		byName.Filters = []*cvm.Filter{{Name: common.StringPtr("image-name"), Values: strs(name)}}
		if total, found := tcImages(t, c, byName); total != 0 || len(found) != 0 {
			t.Fatalf("an image named %s before it was made: %s", name, show(found))
		}
		create := cvm.NewCreateImageRequest()
		create.InstanceId = common.StringPtr("ins-tc-windows") // stopped; no other test images it
		create.ImageName = common.StringPtr(name)
		create.ForcePoweroff = common.StringPtr("TRUE")
		created, err := c.cvm.CreateImage(create)
		tcOK(t, "CreateImage", err)
		id := str(created.Response.ImageId)
		tcDeleteImageLater(t, c, id)

		// One image of an instance at a time.
		second := cvm.NewCreateImageRequest()
		second.InstanceId = common.StringPtr("ins-tc-windows")
		second.ImageName = common.StringPtr(name + "-2")
		_, err = c.cvm.CreateImage(second)
		tcError(t, "a second CreateImage of the instance while its first is made", err, "MutexOperation.TaskRunning")

		image := waitFor(t, "image "+name+" NORMAL",
			func() []*cvm.Image { _, found := tcImages(t, c, byName); return found },
			func(found []*cvm.Image) bool { return len(found) == 1 && str(found[0].ImageState) == "NORMAL" })[0]
		if str(image.ImageId) != id || str(image.Platform) == "" {
			t.Errorf("found by name: %s (made %s)", show(image), id)
		}
		var snapshots []string
		for _, sn := range image.SnapshotSet {
			snapshots = append(snapshots, str(sn.SnapshotId))
			tcDeleteSnapshotLater(t, c, str(sn.SnapshotId))
		}
		if len(snapshots) != 1 {
			t.Errorf("image snapshots: %s", show(image.SnapshotSet))
		}

		tcImage(t, c, id)
		del := cvm.NewDeleteImagesRequest()
		del.ImageIds = strs(id)
		_, err = c.cvm.DeleteImages(del)
		tcOK(t, "DeleteImages", err)
		if total, found := tcImages(t, c, byName); total != 0 || len(found) != 0 {
			t.Errorf("the deleted image is still found by name: %s", show(found))
		}
		for _, sid := range snapshots {
			snap := tcSnapshot(t, c, sid)
			if u64(snap.ImageCount) != 0 || str(snap.SnapshotState) != "NORMAL" {
				t.Errorf("the snapshot of a deleted image: %s", show(snap))
			}
			ds := cbs.NewDeleteSnapshotsRequest()
			ds.SnapshotIds = strs(sid)
			_, err := c.cbs.DeleteSnapshots(ds)
			tcOK(t, "DeleteSnapshots "+sid, err)
		}
	})
}
