package conformance

// Alibaba snapshots through the Go SDK: CreateSnapshot, DescribeSnapshots (the poll until
// accomplished), ModifySnapshotAttribute and DeleteSnapshot, as Terraform's alicloud_ecs_snapshot
// drives them, with each signature; and the refusals a caller meets, read through *tea.SDKError.

import (
	"strings"
	"testing"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/tea"
)

// A data disk of the running instance, expired but still snapshotted (the Python suite's success
// rows); no snapshot policy of the world touches it and no other test here snapshots it.
const aliSnapshotDisk = "d-ali-expired"

func TestAlibabaSnapshotLifecycle(t *testing.T) {
	awaitIdle(t, "acct-ali", aliSnapshotDisk)
	eachAliSigning(t, func(t *testing.T, c *ecs.Client, s aliSigning) {
		name := unique("go-snap")
		created, err := c.CreateSnapshot(&ecs.CreateSnapshotRequest{
			DiskId:        tea.String(aliSnapshotDisk),
			SnapshotName:  tea.String(name),
			Description:   tea.String("made by the Go SDK"),
			RetentionDays: tea.Int32(30),
			ClientToken:   tea.String(unique("token")),
			Tag:           []*ecs.CreateSnapshotRequestTag{{Key: tea.String("suite"), Value: tea.String("go")}},
		})
		aliOK(t, "CreateSnapshot", err)
		id := tea.StringValue(created.Body.SnapshotId)
		if !strings.HasPrefix(id, "s-") || len(id) < 4 {
			t.Fatalf("CreateSnapshot: SnapshotId %q is not s-…: %s", id, show(created.Body))
		}
		aliDeleteSnapshotLater(t, c, id)
		aliRequestID(t, "CreateSnapshot", created.Body.RequestId)
		if tea.Int32Value(created.StatusCode) != 200 {
			t.Errorf("CreateSnapshot: HTTP %d", tea.Int32Value(created.StatusCode))
		}

		// One snapshot of a disk at a time: a second one while the first is being made is refused.
		_, err = c.CreateSnapshot(&ecs.CreateSnapshotRequest{DiskId: tea.String(aliSnapshotDisk), SnapshotName: tea.String(name + "-2")})
		aliError(t, "a second CreateSnapshot of the disk", err, "IncorrectDiskStatus.CreatingSnapshot", 403)

		first := aliSnapshot(t, c, id)
		if tea.StringValue(first.Status) != "progressing" {
			t.Errorf("a new snapshot is %q, not progressing: %s", tea.StringValue(first.Status), show(first))
		}
		snap := waitFor(t, "snapshot "+id+" accomplished",
			func() *ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot { return aliSnapshot(t, c, id) },
			func(s *ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot) bool {
				return tea.StringValue(s.Status) == "accomplished"
			})
		got := []string{tea.StringValue(snap.SnapshotName), tea.StringValue(snap.Description),
			tea.StringValue(snap.SourceDiskId), tea.StringValue(snap.Progress), tea.StringValue(snap.SourceDiskType)}
		want := []string{name, "made by the Go SDK", aliSnapshotDisk, "100%", "data"}
		if strings.Join(got, "|") != strings.Join(want, "|") || tea.Int32Value(snap.RetentionDays) != 30 {
			t.Errorf("accomplished snapshot: got %v retention %d, want %v retention 30: %s", got,
				tea.Int32Value(snap.RetentionDays), want, show(snap))
		}
		if tags := aliSnapshotTags(snap); strings.Join(tags, ",") != "suite=go" {
			t.Errorf("snapshot tags %v, want [suite=go]", tags)
		}

		// ModifySnapshotAttribute: renamed, described, retention extended; read back at once.
		renamed := name + "-renamed"
		modified, err := c.ModifySnapshotAttribute(&ecs.ModifySnapshotAttributeRequest{
			SnapshotId: tea.String(id), SnapshotName: tea.String(renamed), Description: tea.String("changed"),
			RetentionDays: tea.Int32(60),
		})
		aliOK(t, "ModifySnapshotAttribute", err)
		aliRequestID(t, "ModifySnapshotAttribute", modified.Body.RequestId)
		read := aliSnapshot(t, c, id)
		if tea.StringValue(read.SnapshotName) != renamed || tea.StringValue(read.Description) != "changed" ||
			tea.Int32Value(read.RetentionDays) != 60 {
			t.Errorf("after ModifySnapshotAttribute: %s", show(read))
		}
		_, err = c.ModifySnapshotAttribute(&ecs.ModifySnapshotAttributeRequest{SnapshotId: tea.String(id)})
		aliError(t, "ModifySnapshotAttribute with nothing to change", err, "NoAttributeToModify", 400)
		_, err = c.ModifySnapshotAttribute(&ecs.ModifySnapshotAttributeRequest{SnapshotId: tea.String(id), RetentionDays: tea.Int32(10)})
		aliError(t, "ModifySnapshotAttribute shortening the retention", err, "InvalidOperation.DecreaseRetentionDaysUnsupported", 400)

		// DeleteSnapshot, as Terraform sends it (Force=false); the next read finds nothing.
		deleted, err := c.DeleteSnapshot(&ecs.DeleteSnapshotRequest{SnapshotId: tea.String(id), Force: tea.Bool(false)})
		aliOK(t, "DeleteSnapshot", err)
		aliRequestID(t, "DeleteSnapshot", deleted.Body.RequestId)
		if gone := aliSnapshots(t, c, id); len(gone) != 0 {
			t.Errorf("a deleted snapshot is still listed: %s", show(gone))
		}
	})
}

func TestAlibabaSnapshotRefusals(t *testing.T) {
	eachAliSigning(t, func(t *testing.T, c *ecs.Client, s aliSigning) {
		_, err := c.CreateSnapshot(&ecs.CreateSnapshotRequest{DiskId: tea.String("d-nonexistent"), SnapshotName: tea.String(unique("go-snap"))})
		aliError(t, "CreateSnapshot of an unknown disk", err, "InvalidDiskId.NotFound", 404)
		if !strings.Contains(describeAliError(err), "The specified DiskId does not exist.") {
			t.Errorf("InvalidDiskId.NotFound without the page's message: %s", describeAliError(err))
		}
		_, err = c.CreateSnapshot(&ecs.CreateSnapshotRequest{DiskId: tea.String(aliSnapshotDisk), SnapshotName: tea.String("auto-reserved")})
		aliError(t, "CreateSnapshot named auto…", err, "InvalidSnapshotName.Malformed", 400)
		_, err = c.ModifySnapshotAttribute(&ecs.ModifySnapshotAttributeRequest{SnapshotId: tea.String("s-nonexistent"), SnapshotName: tea.String("abc")})
		aliError(t, "ModifySnapshotAttribute of an unknown snapshot", err, "InvalidSnapshotId.NotFound", 404)
		// Deleting what does not exist is ignored, as the page's rules say.
		deleted, err := c.DeleteSnapshot(&ecs.DeleteSnapshotRequest{SnapshotId: tea.String("s-nonexistent")})
		aliOK(t, "DeleteSnapshot of an unknown snapshot", err)
		aliRequestID(t, "DeleteSnapshot", deleted.Body.RequestId)
	})
}

func TestAlibabaSignatureRefusals(t *testing.T) {
	for _, s := range aliSignings {
		s := s
		t.Run(s.name, func(t *testing.T) {
			wrong := aliClient(t, s, aliKey, "NotTheRightSecret0001")
			_, err := wrong.DescribeSnapshots(&ecs.DescribeSnapshotsRequest{RegionId: tea.String(aliRegion)})
			aliError(t, "a call signed with the wrong secret", err, "SignatureDoesNotMatch", 400)
			unknown := aliClient(t, s, "LTAI5tNoSuchKey000001", "whatever")
			_, err = unknown.DescribeImages(&ecs.DescribeImagesRequest{RegionId: tea.String(aliRegion)})
			aliError(t, "a call with an unknown key", err, "InvalidAccessKeyId.NotFound", 404)
		})
	}
}
