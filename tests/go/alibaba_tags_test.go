package conformance

// Alibaba tags and resource groups through the Go SDK: TagResources, UntagResources,
// ListTagResources and JoinResourceGroup on a snapshot and an image of the test's own, as
// Terraform's SetResourceTags and its resource-group update send them, with each signature.

import (
	"sort"
	"strings"
	"testing"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/tea"
)

func TestAlibabaTagsAndResourceGroups(t *testing.T) {
	awaitIdle(t, "acct-ali", "d-ali-running-data")
	eachAliSigning(t, func(t *testing.T, c *ecs.Client, s aliSigning) {
		// A disk no other test snapshots; the test never moves the clock, and the snapshot, still being
		// made, is deleted (cancelled) at the end, which gives the disk back at once.
		snap, err := c.CreateSnapshot(&ecs.CreateSnapshotRequest{DiskId: tea.String("d-ali-running-data"), SnapshotName: tea.String(unique("go-tags"))})
		aliOK(t, "CreateSnapshot", err)
		snapshotID := tea.StringValue(snap.Body.SnapshotId)
		aliDeleteSnapshotLater(t, c, snapshotID)
		img, err := c.CreateImage(&ecs.CreateImageRequest{RegionId: tea.String(aliRegion), SnapshotId: tea.String("s-ali-sys"), ImageName: tea.String(unique("go-tags"))})
		aliOK(t, "CreateImage", err)
		imageID := tea.StringValue(img.Body.ImageId)
		aliDeleteImageLater(t, c, imageID)
		// Tags are per test: a key of its own, so that nothing else in the account matches it.
		key := unique("go-key")

		// A snapshot: two tags, listed by id, then one removed.
		tagged, err := c.TagResources(&ecs.TagResourcesRequest{
			RegionId: tea.String(aliRegion), ResourceType: tea.String("snapshot"), ResourceId: []*string{tea.String(snapshotID)},
			Tag: []*ecs.TagResourcesRequestTag{{Key: tea.String("env"), Value: tea.String("prod")}, {Key: tea.String(key), Value: tea.String("core")}},
		})
		aliOK(t, "TagResources snapshot", err)
		aliRequestID(t, "TagResources", tagged.Body.RequestId)
		want := []string{"env=prod", key + "=core"}
		sort.Strings(want)
		gotTags := aliSnapshotTags(aliSnapshot(t, c, snapshotID))
		sort.Strings(gotTags)
		if strings.Join(gotTags, ",") != strings.Join(want, ",") {
			t.Errorf("DescribeSnapshots tags %v, want %v", gotTags, want)
		}
		rows := aliListTags(t, c, &ecs.ListTagResourcesRequest{ResourceType: tea.String("snapshot"), ResourceId: []*string{tea.String(snapshotID)}})
		sort.Strings(rows)
		wantRows := []string{snapshotID + ":env=prod", snapshotID + ":" + key + "=core"}
		sort.Strings(wantRows)
		if strings.Join(rows, ",") != strings.Join(wantRows, ",") {
			t.Errorf("ListTagResources by id: %v, want %v", rows, wantRows)
		}
		untagged, err := c.UntagResources(&ecs.UntagResourcesRequest{
			RegionId: tea.String(aliRegion), ResourceType: tea.String("snapshot"), ResourceId: []*string{tea.String(snapshotID)},
			TagKey: []*string{tea.String("env")},
		})
		aliOK(t, "UntagResources snapshot", err)
		aliRequestID(t, "UntagResources", untagged.Body.RequestId)
		if got := aliSnapshotTags(aliSnapshot(t, c, snapshotID)); strings.Join(got, ",") != key+"=core" {
			t.Errorf("after UntagResources env: %v", got)
		}

		// An image: a tag, found by its key across the account, then every tag removed.
		_, err = c.TagResources(&ecs.TagResourcesRequest{
			RegionId: tea.String(aliRegion), ResourceType: tea.String("image"), ResourceId: []*string{tea.String(imageID)},
			Tag: []*ecs.TagResourcesRequestTag{{Key: tea.String(key), Value: tea.String("linux")}},
		})
		aliOK(t, "TagResources image", err)
		if got := aliImageTags(aliImage(t, c, imageID)); strings.Join(got, ",") != key+"=linux" {
			t.Errorf("DescribeImages tags %v", got)
		}
		rows = aliListTags(t, c, &ecs.ListTagResourcesRequest{ResourceType: tea.String("image"), Tag: []*ecs.ListTagResourcesRequestTag{{Key: tea.String(key)}}})
		if strings.Join(rows, ",") != imageID+":"+key+"=linux" {
			t.Errorf("ListTagResources by key: %v", rows)
		}
		_, err = c.UntagResources(&ecs.UntagResourcesRequest{
			RegionId: tea.String(aliRegion), ResourceType: tea.String("image"), ResourceId: []*string{tea.String(imageID)}, All: tea.Bool(true),
		})
		aliOK(t, "UntagResources All", err)
		if rows := aliListTags(t, c, &ecs.ListTagResourcesRequest{ResourceType: tea.String("image"), ResourceId: []*string{tea.String(imageID)}}); len(rows) != 0 {
			t.Errorf("after UntagResources All: %v", rows)
		}

		// JoinResourceGroup: both kinds; the group reads back from both Describes.
		group := "rg-" + strings.TrimPrefix(unique("go"), "go-")
		for _, r := range [][2]string{{"snapshot", snapshotID}, {"image", imageID}} {
			joined, err := c.JoinResourceGroup(&ecs.JoinResourceGroupRequest{
				RegionId: tea.String(aliRegion), ResourceType: tea.String(r[0]), ResourceId: tea.String(r[1]), ResourceGroupId: tea.String(group),
			})
			aliOK(t, "JoinResourceGroup "+r[0], err)
			aliRequestID(t, "JoinResourceGroup", joined.Body.RequestId)
		}
		if got := tea.StringValue(aliSnapshot(t, c, snapshotID).ResourceGroupId); got != group {
			t.Errorf("snapshot ResourceGroupId %q, want %q", got, group)
		}
		if got := tea.StringValue(aliImage(t, c, imageID).ResourceGroupId); got != group {
			t.Errorf("image ResourceGroupId %q, want %q", got, group)
		}

		// Refusals, each through the SDK's error.
		_, err = c.TagResources(&ecs.TagResourcesRequest{RegionId: tea.String(aliRegion), ResourceType: tea.String("snapshot"),
			ResourceId: []*string{tea.String(snapshotID)}, Tag: []*ecs.TagResourcesRequestTag{{Key: tea.String("acs:x"), Value: tea.String("b")}}})
		aliError(t, "TagResources with a reserved key", err, "InvalidTagKey.Malformed", 400)
		_, err = c.TagResources(&ecs.TagResourcesRequest{RegionId: tea.String(aliRegion), ResourceType: tea.String("snapshot"),
			ResourceId: []*string{tea.String("s-nonexistent")}, Tag: []*ecs.TagResourcesRequestTag{{Key: tea.String("a"), Value: tea.String("b")}}})
		aliError(t, "TagResources of an unknown snapshot", err, "InvalidResourceId.NotFound", 404)
		_, err = c.UntagResources(&ecs.UntagResourcesRequest{RegionId: tea.String(aliRegion), ResourceType: tea.String("snapshot"),
			ResourceId: []*string{tea.String(snapshotID)}, TagKey: []*string{tea.String("a")}, All: tea.Bool(true)})
		aliError(t, "UntagResources with keys and All", err, "Param.Conflict", 403)
		_, err = c.ListTagResources(&ecs.ListTagResourcesRequest{RegionId: tea.String(aliRegion), ResourceType: tea.String("snapshot")})
		aliError(t, "ListTagResources with neither ids nor tags", err, "BothEmpty.TagsAndResources", 403)
		_, err = c.JoinResourceGroup(&ecs.JoinResourceGroupRequest{RegionId: tea.String(aliRegion), ResourceType: tea.String("image"),
			ResourceId: tea.String(imageID), ResourceGroupId: tea.String("no-group")})
		aliError(t, "JoinResourceGroup of a group that is not rg-…", err, "InvalidResourceGroup.NotFound", 404)
	})
}
