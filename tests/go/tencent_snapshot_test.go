package conformance

// Tencent CBS snapshots through the Go SDK — CreateSnapshot, DescribeSnapshots (the poll until
// NORMAL), ModifySnapshotAttribute, DeleteSnapshots — with the Tag service's four actions on the
// snapshot, as Terraform's tencentcloud_cbs_snapshot drives them, with each signing.

import (
	"strings"
	"testing"
	"time"

	cbs "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cbs/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tag "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/tag/v20180813"
)

// The data disk of the stopped instance (100 GB); no other test here snapshots it.
const tcSnapshotDisk = "disk-tc-stopped-data"

func TestTencentSnapshotLifecycle(t *testing.T) {
	awaitIdle(t, "acct-tc", tcSnapshotDisk)
	eachTcSigning(t, func(t *testing.T, c tcClients, s tcSigning) {
		name := unique("go-snap")
		create := cbs.NewCreateSnapshotRequest()
		create.DiskId = common.StringPtr(tcSnapshotDisk)
		create.SnapshotName = common.StringPtr(name)
		create.Tags = []*cbs.Tag{{Key: common.StringPtr("suite"), Value: common.StringPtr("go")}}
		created, err := c.cbs.CreateSnapshot(create)
		tcOK(t, "CreateSnapshot", err)
		id := str(created.Response.SnapshotId)
		if !strings.HasPrefix(id, "snap-") {
			t.Fatalf("CreateSnapshot: SnapshotId %q is not snap-…: %s", id, created.ToJsonString())
		}
		tcDeleteSnapshotLater(t, c, id)
		tcRequestID(t, "CreateSnapshot", created.Response.RequestId)

		// While it is being made: no second snapshot of the disk, no delete, no change.
		again := cbs.NewCreateSnapshotRequest()
		again.DiskId = common.StringPtr(tcSnapshotDisk)
		_, err = c.cbs.CreateSnapshot(again)
		tcError(t, "a second CreateSnapshot of the disk", err, "ResourceUnavailable.SnapshotCreating")
		del := cbs.NewDeleteSnapshotsRequest()
		del.SnapshotIds = strs(id)
		_, err = c.cbs.DeleteSnapshots(del)
		tcError(t, "DeleteSnapshots of a snapshot being made", err, "ResourceUnavailable.SnapshotCreating")
		early := cbs.NewModifySnapshotAttributeRequest()
		early.SnapshotId = common.StringPtr(id)
		early.SnapshotName = common.StringPtr(name + "-early")
		_, err = c.cbs.ModifySnapshotAttribute(early)
		tcError(t, "ModifySnapshotAttribute of a snapshot being made", err, "InvalidSnapshot.NotSupported")

		first := tcSnapshot(t, c, id)
		if str(first.SnapshotState) != "CREATING" || first.Percent == nil || *first.Percent >= 100 {
			t.Errorf("a new snapshot: %s", show(first))
		}
		snap := waitFor(t, "snapshot "+id+" NORMAL",
			func() *cbs.Snapshot { return tcSnapshot(t, c, id) },
			func(s *cbs.Snapshot) bool { return str(s.SnapshotState) == "NORMAL" })
		got := []any{str(snap.SnapshotName), str(snap.DiskId), str(snap.DiskUsage), u64(snap.DiskSize), u64(snap.Percent),
			b(snap.IsPermanent), b(snap.Encrypt), joined(cbsTags(snap.Tags))}
		want := []any{name, tcSnapshotDisk, "DATA_DISK", uint64(100), uint64(100), true, false, "suite=go"}
		if show(got) != show(want) {
			t.Errorf("NORMAL snapshot: got %v, want %v: %s", got, want, show(snap))
		}
		if snap.Placement == nil || str(snap.Placement.Zone) != "ap-guangzhou-3" {
			t.Errorf("snapshot Placement: %s", show(snap.Placement))
		}

		// ModifySnapshotAttribute: renamed with a deadline (no longer permanent), then permanent again.
		deadline := time.Now().UTC().Add(7 * 24 * time.Hour).Truncate(time.Second)
		modify := cbs.NewModifySnapshotAttributeRequest()
		modify.SnapshotId = common.StringPtr(id)
		modify.SnapshotName = common.StringPtr(name + "-renamed")
		modify.Deadline = common.StringPtr(deadline.Format("2006-01-02T15:04:05+00:00"))
		modified, err := c.cbs.ModifySnapshotAttribute(modify)
		tcOK(t, "ModifySnapshotAttribute", err)
		tcRequestID(t, "ModifySnapshotAttribute", modified.Response.RequestId)
		read := tcSnapshot(t, c, id)
		shown, perr := time.Parse(time.RFC3339, str(read.DeadlineTime))
		if str(read.SnapshotName) != name+"-renamed" || b(read.IsPermanent) || perr != nil || !shown.Equal(deadline) {
			t.Errorf("after ModifySnapshotAttribute (deadline %s): %s", deadline.Format(time.RFC3339), show(read))
		}
		permanent := cbs.NewModifySnapshotAttributeRequest()
		permanent.SnapshotId = common.StringPtr(id)
		permanent.IsPermanent = common.BoolPtr(true)
		_, err = c.cbs.ModifySnapshotAttribute(permanent)
		tcOK(t, "ModifySnapshotAttribute IsPermanent", err)
		if read := tcSnapshot(t, c, id); !b(read.IsPermanent) {
			t.Errorf("IsPermanent=true did not make it permanent: %s", show(read))
		}
		nothing := cbs.NewModifySnapshotAttributeRequest()
		nothing.SnapshotId = common.StringPtr(id)
		_, err = c.cbs.ModifySnapshotAttribute(nothing)
		tcError(t, "ModifySnapshotAttribute with nothing to change", err, "MissingParameter")

		// The Tag service: the tags given at create time and these are one set.
		resource := tcResource("snapshot", id)
		mrt := tag.NewModifyResourceTagsRequest()
		mrt.Resource = common.StringPtr(resource)
		mrt.ReplaceTags = []*tag.Tag{{TagKey: common.StringPtr("backup"), TagValue: common.StringPtr("daily")}}
		mrtResp, err := c.tag.ModifyResourceTags(mrt)
		tcOK(t, "ModifyResourceTags", err)
		tcRequestID(t, "ModifyResourceTags", mrtResp.Response.RequestId)
		if got := joined(tcTags(t, c, "snapshot", id)); got != "backup=daily,suite=go" {
			t.Errorf("DescribeResourceTagsByResourceIds after ModifyResourceTags: %s", got)
		}
		tr := tag.NewTagResourcesRequest()
		tr.ResourceList = strs(resource)
		tr.Tags = []*tag.Tag{{TagKey: common.StringPtr("tier"), TagValue: common.StringPtr("db")}}
		trResp, err := c.tag.TagResources(tr)
		tcOK(t, "TagResources", err)
		tcRequestID(t, "TagResources", trResp.Response.RequestId)
		if len(trResp.Response.FailedResources) != 0 {
			t.Errorf("TagResources FailedResources: %s", show(trResp.Response.FailedResources))
		}
		ut := tag.NewUnTagResourcesRequest()
		ut.ResourceList = strs(resource)
		ut.TagKeys = strs("backup")
		utResp, err := c.tag.UnTagResources(ut)
		tcOK(t, "UnTagResources", err)
		tcRequestID(t, "UnTagResources", utResp.Response.RequestId)
		if len(utResp.Response.FailedResources) != 0 {
			t.Errorf("UnTagResources FailedResources: %s", show(utResp.Response.FailedResources))
		}
		if got := joined(tcTags(t, c, "snapshot", id)); got != "suite=go,tier=db" {
			t.Errorf("DescribeResourceTagsByResourceIds after TagResources and UnTagResources: %s", got)
		}
		if got := joined(cbsTags(tcSnapshot(t, c, id).Tags)); got != "suite=go,tier=db" {
			t.Errorf("DescribeSnapshots Tags after the Tag service: %s", got)
		}

		// DeleteSnapshots; the next read finds nothing.
		deleted, err := c.cbs.DeleteSnapshots(del)
		tcOK(t, "DeleteSnapshots", err)
		tcRequestID(t, "DeleteSnapshots", deleted.Response.RequestId)
		if gone := tcSnapshots(t, c, id); len(gone) != 0 {
			t.Errorf("a deleted snapshot is still listed: %s", show(gone))
		}
	})
}

func u64(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func b(p *bool) bool { return p != nil && *p }
