package conformance

// Alibaba images through the Go SDK: CreateImage, DescribeImages (the poll until Available),
// ModifyImageAttribute and DeleteImage, as Terraform's alicloud_image and Packer's Alibaba builder
// drive them, with each signature.

import (
	"sort"
	"strings"
	"testing"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/tea"
)

// Packer's builder/ecs/client.go: ImageStatusQueried.
const packerImageStatuses = "Waiting,Creating,CreateFailed,Available"

func TestAlibabaImageLifecycle(t *testing.T) {
	eachAliSigning(t, func(t *testing.T, c *ecs.Client, s aliSigning) {
		name := unique("go-image")
		created, err := c.CreateImage(&ecs.CreateImageRequest{
			RegionId:     tea.String(aliRegion),
			SnapshotId:   tea.String("s-ali-sys"), // a system-disk snapshot of the world, accomplished
			ImageName:    tea.String(name),
			ImageVersion: tea.String("1.0.0"),
			Description:  tea.String("made by the Go SDK"),
			Platform:     tea.String("Ubuntu"),
			Architecture: tea.String("x86_64"),
			ClientToken:  tea.String(unique("token")),
			Tag:          []*ecs.CreateImageRequestTag{{Key: tea.String("managed-by"), Value: tea.String("go")}},
		})
		aliOK(t, "CreateImage", err)
		id := tea.StringValue(created.Body.ImageId)
		if !strings.HasPrefix(id, "m-") || len(id) < 4 {
			t.Fatalf("CreateImage: ImageId %q is not m-…: %s", id, show(created.Body))
		}
		aliDeleteImageLater(t, c, id)
		aliRequestID(t, "CreateImage", created.Body.RequestId)

		// DescribeImages without Status lists Available images only: not this one yet.
		if listed := aliImages(t, c, &ecs.DescribeImagesRequest{ImageId: tea.String(id)}); len(listed) != 0 {
			t.Errorf("an image being created is listed without Status: %s", show(listed))
		}
		first := aliImage(t, c, id)
		if tea.StringValue(first.Status) != "Creating" {
			t.Errorf("a new image is %q, not Creating: %s", tea.StringValue(first.Status), show(first))
		}
		image := waitFor(t, "image "+id+" Available",
			func() *ecs.DescribeImagesResponseBodyImagesImage {
				found := aliImages(t, c, &ecs.DescribeImagesRequest{ImageId: tea.String(id), Status: tea.String("Creating,Available")})
				if len(found) != 1 {
					t.Fatalf("DescribeImages %s Creating,Available: %s", id, show(found))
				}
				return found[0]
			},
			func(i *ecs.DescribeImagesResponseBodyImagesImage) bool {
				return tea.StringValue(i.Status) == "Available"
			})
		got := []string{tea.StringValue(image.ImageName), tea.StringValue(image.Description), tea.StringValue(image.Platform),
			tea.StringValue(image.Architecture), tea.StringValue(image.ImageVersion), tea.StringValue(image.Progress),
			tea.StringValue(image.ImageOwnerAlias)}
		want := []string{name, "made by the Go SDK", "Ubuntu", "x86_64", "1.0.0", "100%", "self"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Available image: got %v, want %v: %s", got, want, show(image))
		}
		if tags := aliImageTags(image); strings.Join(tags, ",") != "managed-by=go" {
			t.Errorf("image tags %v, want [managed-by=go]", tags)
		}
		if image.DiskDeviceMappings == nil || len(image.DiskDeviceMappings.DiskDeviceMapping) != 1 ||
			tea.StringValue(image.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId) != "s-ali-sys" {
			t.Errorf("image mappings: %s", show(image.DiskDeviceMappings))
		}
		// Now the default listing has it.
		if listed := aliImages(t, c, &ecs.DescribeImagesRequest{ImageName: tea.String(name)}); len(listed) != 1 || tea.StringValue(listed[0].ImageId) != id {
			t.Errorf("DescribeImages by ImageName: %s", show(listed))
		}

		// ModifyImageAttribute: renamed, described, a family; read back at once.
		renamed := name + "-2"
		modified, err := c.ModifyImageAttribute(&ecs.ModifyImageAttributeRequest{
			RegionId: tea.String(aliRegion), ImageId: tea.String(id), ImageName: tea.String(renamed),
			Description: tea.String("second edition"), ImageFamily: tea.String("go.family"),
		})
		aliOK(t, "ModifyImageAttribute", err)
		aliRequestID(t, "ModifyImageAttribute", modified.Body.RequestId)
		read := aliImage(t, c, id)
		if tea.StringValue(read.ImageName) != renamed || tea.StringValue(read.Description) != "second edition" ||
			tea.StringValue(read.ImageFamily) != "go.family" {
			t.Errorf("after ModifyImageAttribute: %s", show(read))
		}
		// Deprecated and back.
		_, err = c.ModifyImageAttribute(&ecs.ModifyImageAttributeRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), Status: tea.String("Deprecated")})
		aliOK(t, "ModifyImageAttribute Status=Deprecated", err)
		if read := aliImage(t, c, id); tea.StringValue(read.Status) != "Deprecated" {
			t.Errorf("a deprecated image is %q: %s", tea.StringValue(read.Status), show(read))
		}
		_, err = c.ModifyImageAttribute(&ecs.ModifyImageAttributeRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), Status: tea.String("Deprecated")})
		aliError(t, "deprecating a deprecated image", err, "ImageStatus.NotAvailable", 403)
		_, err = c.ModifyImageAttribute(&ecs.ModifyImageAttributeRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), Status: tea.String("Available")})
		aliOK(t, "ModifyImageAttribute Status=Available", err)
		// Refusals: a name another image has, an unknown image.
		_, err = c.ModifyImageAttribute(&ecs.ModifyImageAttributeRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), ImageName: tea.String("golden-base")})
		aliError(t, "renaming to the world image's name", err, "InvalidImageName.Duplicated", 400)
		_, err = c.ModifyImageAttribute(&ecs.ModifyImageAttributeRequest{RegionId: tea.String(aliRegion), ImageId: tea.String("m-nonexistent"), ImageName: tea.String("abc")})
		aliError(t, "ModifyImageAttribute of an unknown image", err, "InvalidImageId.NotFound", 404)

		// DeleteImage: a dry run deletes nothing; then the delete, and the image is gone.
		_, err = c.DeleteImage(&ecs.DeleteImageRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), DryRun: tea.Bool(true)})
		aliError(t, "DeleteImage DryRun", err, "DryRunOperation", 400)
		aliImage(t, c, id)
		deleted, err := c.DeleteImage(&ecs.DeleteImageRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), Force: tea.Bool(false)})
		aliOK(t, "DeleteImage", err)
		aliRequestID(t, "DeleteImage", deleted.Body.RequestId)
		statuses := "Creating,Waiting,Available,UnAvailable,CreateFailed"
		if gone := aliImages(t, c, &ecs.DescribeImagesRequest{ImageId: tea.String(id), Status: tea.String(statuses)}); len(gone) != 0 {
			t.Errorf("a deleted image is still listed: %s", show(gone))
		}
	})
}

// Packer's Alibaba builder: an image of a stopped instance (each disk snapshotted), found by name in
// Packer's statuses; its cleanup deletes the image, then each of its mappings' snapshots.
func TestAlibabaPackerImageOfAnInstance(t *testing.T) {
	awaitIdle(t, "acct-ali", "i-ali-stopped", "d-ali-stopped-sys", "d-ali-stopped-data")
	eachAliSigning(t, func(t *testing.T, c *ecs.Client, s aliSigning) {
		name := unique("packer-go")
		created, err := c.CreateImage(&ecs.CreateImageRequest{RegionId: tea.String(aliRegion), InstanceId: tea.String("i-ali-stopped"), ImageName: tea.String(name)})
		aliOK(t, "CreateImage from an instance", err)
		id := tea.StringValue(created.Body.ImageId)
		aliDeleteImageLater(t, c, id)
		byName := &ecs.DescribeImagesRequest{ImageName: tea.String(name), Status: tea.String(packerImageStatuses)}
		image := waitFor(t, "image "+name+" Available",
			func() []*ecs.DescribeImagesResponseBodyImagesImage { return aliImages(t, c, byName) },
			func(found []*ecs.DescribeImagesResponseBodyImagesImage) bool {
				return len(found) == 1 && tea.StringValue(found[0].Status) == "Available"
			})[0]
		if tea.StringValue(image.ImageId) != id {
			t.Fatalf("found by name: %s, made %s", tea.StringValue(image.ImageId), id)
		}
		var snapshots, devices []string
		if image.DiskDeviceMappings != nil {
			for _, m := range image.DiskDeviceMappings.DiskDeviceMapping {
				snapshots = append(snapshots, tea.StringValue(m.SnapshotId))
				devices = append(devices, tea.StringValue(m.Device)+":"+tea.StringValue(m.Type))
			}
		}
		for _, sid := range snapshots {
			aliDeleteSnapshotLater(t, c, sid)
		}
		sort.Strings(devices)
		if strings.Join(devices, ",") != "/dev/xvda:system,/dev/xvdb:data" {
			t.Errorf("an image of i-ali-stopped maps %v, want its system and data disks: %s", devices, show(image.DiskDeviceMappings))
		}
		for _, sid := range snapshots {
			snap := aliSnapshot(t, c, sid)
			if tea.StringValue(snap.Usage) != "image" || tea.StringValue(snap.Status) != "accomplished" {
				t.Errorf("the image's snapshot %s: Usage %q Status %q", sid, tea.StringValue(snap.Usage), tea.StringValue(snap.Status))
			}
			// A snapshot an image is made from is not deleted while the image exists.
			_, err := c.DeleteSnapshot(&ecs.DeleteSnapshotRequest{SnapshotId: tea.String(sid)})
			aliError(t, "DeleteSnapshot of an image's snapshot", err, "SnapshotCreatedImage", 403)
		}

		_, err = c.DeleteImage(&ecs.DeleteImageRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id)})
		aliOK(t, "DeleteImage", err)
		for _, sid := range snapshots {
			_, err := c.DeleteSnapshot(&ecs.DeleteSnapshotRequest{SnapshotId: tea.String(sid)})
			aliOK(t, "DeleteSnapshot "+sid, err)
			if gone := aliSnapshots(t, c, sid); len(gone) != 0 {
				t.Errorf("deleted snapshot %s still listed", sid)
			}
		}
		if found := aliImages(t, c, byName); len(found) != 0 {
			t.Errorf("the deleted image is still found by name: %s", show(found))
		}
	})
}
