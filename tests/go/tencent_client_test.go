package conformance

// The Tencent Cloud Go SDK (tencentcloud-sdk-go: common, cvm, cbs, tag), configured as Terraform's
// tencentcloud provider and Packer's builder configure it — an endpoint of our own, plain HTTP —
// with the signatures the common client offers.

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	cbs "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cbs/v20170312"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	cvm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/cvm/v20170312"
	tag "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/tag/v20180813"
)

const (
	tcRegion = "ap-guangzhou"
	tcKey    = "AKIDRefTencent00000000000000000001" // acct-tc of the reference world
	tcSecret = "RefTencentSecret00000000000000001"
)

// tcSigning is one way the common client signs and sends: TC3-HMAC-SHA256 over a JSON POST (the
// default), TC3-HMAC-SHA256 over a GET query, and the HmacSHA256 signature of the older form
// (client.sendWithSignatureV1: a form-encoded POST with SecretId, Nonce, Signature…).
type tcSigning struct {
	name, method, signMethod string
}

var tcSignings = []tcSigning{
	{name: "TC3-HMAC-SHA256", method: "POST", signMethod: "TC3-HMAC-SHA256"},
	{name: "TC3-HMAC-SHA256-GET", method: "GET", signMethod: "TC3-HMAC-SHA256"},
	{name: "HmacSHA256", method: "POST", signMethod: "HmacSHA256"},
}

type tcClients struct {
	cvm *cvm.Client
	cbs *cbs.Client
	tag *tag.Client
}

func tcProfile(s tcSigning) *profile.ClientProfile {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint = endpoint
	cpf.HttpProfile.Scheme = "HTTP"
	cpf.HttpProfile.ReqMethod = s.method
	cpf.HttpProfile.ReqTimeout = 30
	cpf.SignMethod = s.signMethod
	return cpf
}

func newTcClients(t *testing.T, s tcSigning, key, secret string) tcClients {
	t.Helper()
	credential := common.NewCredential(key, secret)
	cvmClient, err := cvm.NewClient(credential, tcRegion, tcProfile(s))
	if err != nil {
		t.Fatalf("cvm.NewClient: %v", err)
	}
	cbsClient, err := cbs.NewClient(credential, tcRegion, tcProfile(s))
	if err != nil {
		t.Fatalf("cbs.NewClient: %v", err)
	}
	tagClient, err := tag.NewClient(credential, tcRegion, tcProfile(s))
	if err != nil {
		t.Fatalf("tag.NewClient: %v", err)
	}
	return tcClients{cvm: cvmClient, cbs: cbsClient, tag: tagClient}
}

// eachTcSigning runs body once per signing, as a subtest, within one session of the virtual clock
// (moved back to real time when the test ends).
func eachTcSigning(t *testing.T, body func(t *testing.T, c tcClients, s tcSigning)) {
	virtualClock(t)
	for _, s := range tcSignings {
		s := s
		t.Run(s.name, func(t *testing.T) { body(t, newTcClients(t, s, tcKey, tcSecret), s) })
	}
}

func tcOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s failed: %v", what, err)
	}
}

func tcRequestID(t *testing.T, what string, id *string) {
	t.Helper()
	if id == nil || !isUUID(*id) {
		t.Errorf("%s: RequestId %v is not a UUID", what, str(id))
	}
}

// tcError checks that err is the SDK's *errors.TencentCloudSDKError with this code, a message and
// the answer's request id; it returns the request id.
func tcError(t *testing.T, what string, err error, code string) string {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: expected %s, the call succeeded", what, code)
	}
	var sdkErr *tcerr.TencentCloudSDKError
	if !errors.As(err, &sdkErr) {
		t.Fatalf("%s: expected a *TencentCloudSDKError %s, got %T: %v", what, code, err, err)
	}
	if sdkErr.GetCode() != code {
		t.Fatalf("%s: expected %s, got %v", what, code, err)
	}
	if sdkErr.GetMessage() == "" {
		t.Errorf("%s: %s without a message", what, code)
	}
	if !isUUID(sdkErr.GetRequestId()) {
		t.Errorf("%s: %s with request id %q, not a UUID", what, code, sdkErr.GetRequestId())
	}
	return sdkErr.GetRequestId()
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func strs(values ...string) []*string {
	out := make([]*string, len(values))
	for i := range values {
		out[i] = common.StringPtr(values[i])
	}
	return out
}

// ------------------------------------------------------------------------------- reads --

func tcImages(t *testing.T, c tcClients, req *cvm.DescribeImagesRequest) (uint64, []*cvm.Image) {
	t.Helper()
	resp, err := c.cvm.DescribeImages(req)
	tcOK(t, "DescribeImages", err)
	tcRequestID(t, "DescribeImages", resp.Response.RequestId)
	if resp.Response.TotalCount == nil {
		t.Fatalf("DescribeImages: no TotalCount in %s", resp.ToJsonString())
	}
	return uint64(*resp.Response.TotalCount), resp.Response.ImageSet
}

// tcImage is the one image of that id; it fails if it is not listed.
func tcImage(t *testing.T, c tcClients, id string) *cvm.Image {
	t.Helper()
	req := cvm.NewDescribeImagesRequest()
	req.ImageIds = strs(id)
	total, found := tcImages(t, c, req)
	if total != 1 || len(found) != 1 || str(found[0].ImageId) != id {
		t.Fatalf("DescribeImages %s: expected that image alone, got %d %s", id, total, show(found))
	}
	return found[0]
}

func tcSnapshots(t *testing.T, c tcClients, ids ...string) []*cbs.Snapshot {
	t.Helper()
	req := cbs.NewDescribeSnapshotsRequest()
	req.SnapshotIds = strs(ids...)
	resp, err := c.cbs.DescribeSnapshots(req)
	tcOK(t, "DescribeSnapshots", err)
	tcRequestID(t, "DescribeSnapshots", resp.Response.RequestId)
	if resp.Response.TotalCount == nil || int(*resp.Response.TotalCount) != len(resp.Response.SnapshotSet) {
		t.Errorf("DescribeSnapshots: TotalCount %v for %d snapshots", resp.Response.TotalCount, len(resp.Response.SnapshotSet))
	}
	return resp.Response.SnapshotSet
}

func tcSnapshot(t *testing.T, c tcClients, id string) *cbs.Snapshot {
	t.Helper()
	found := tcSnapshots(t, c, id)
	if len(found) != 1 || str(found[0].SnapshotId) != id {
		t.Fatalf("DescribeSnapshots %s: expected that snapshot alone, got %s", id, show(found))
	}
	return found[0]
}

// tcResource names an image or a snapshot for the Tag service, with the account segment left
// empty as Terraform's BuildTagResourceName leaves it.
func tcResource(kind, id string) string {
	return fmt.Sprintf("qcs::cvm:%s:uin/:%s/%s", tcRegion, kind, id)
}

// tcTags reads a resource's tags from the Tag service (DescribeResourceTagsByResourceIds, pages of
// 15 as Terraform reads them), as sorted key=value.
func tcTags(t *testing.T, c tcClients, kind, id string) []string {
	t.Helper()
	var rows []string
	for offset := uint64(0); offset < 1000; offset += 15 {
		req := tag.NewDescribeResourceTagsByResourceIdsRequest()
		req.ServiceType = common.StringPtr("cvm")
		req.ResourcePrefix = common.StringPtr(kind)
		req.ResourceRegion = common.StringPtr(tcRegion)
		req.ResourceIds = strs(id)
		req.Limit = common.Uint64Ptr(15)
		req.Offset = common.Uint64Ptr(offset)
		resp, err := c.tag.DescribeResourceTagsByResourceIds(req)
		tcOK(t, "DescribeResourceTagsByResourceIds", err)
		tcRequestID(t, "DescribeResourceTagsByResourceIds", resp.Response.RequestId)
		for _, r := range resp.Response.Tags {
			if str(r.ResourceId) != id {
				t.Errorf("DescribeResourceTagsByResourceIds %s listed %s", id, show(r))
			}
			rows = append(rows, str(r.TagKey)+"="+str(r.TagValue))
		}
		if len(resp.Response.Tags) < 15 {
			sort.Strings(rows)
			return rows
		}
	}
	t.Fatalf("DescribeResourceTagsByResourceIds: too many pages")
	return nil
}

func cvmTags(tags []*cvm.Tag) []string {
	var out []string
	for _, tg := range tags {
		out = append(out, str(tg.Key)+"="+str(tg.Value))
	}
	sort.Strings(out)
	return out
}

func cbsTags(tags []*cbs.Tag) []string {
	var out []string
	for _, tg := range tags {
		out = append(out, str(tg.Key)+"="+str(tg.Value))
	}
	sort.Strings(out)
	return out
}

func joined(values []string) string { return strings.Join(values, ",") }

// ------------------------------------------------------------------------------ cleanup --

// tcDeleteImageLater deletes the image and the snapshots it made when the test ends, whatever
// happened; an image still being made cannot be deleted, so the clock is moved past it first.
func tcDeleteImageLater(t *testing.T, c tcClients, id string) {
	t.Cleanup(func() {
		req := cvm.NewDeleteImagesRequest()
		req.ImageIds = strs(id)
		req.DeleteBindedSnap = common.BoolPtr(true)
		if _, err := c.cvm.DeleteImages(req); isTcCode(err, "InvalidImageId.IncorrectState") {
			_, _, _ = control("POST", "clock", map[string]any{"advance": "10s"})
			_, _ = c.cvm.DeleteImages(req)
		}
	})
}

// tcDeleteSnapshotLater deletes the snapshot (and images made of it) when the test ends.
func tcDeleteSnapshotLater(t *testing.T, c tcClients, id string) {
	t.Cleanup(func() {
		req := cbs.NewDeleteSnapshotsRequest()
		req.SnapshotIds = strs(id)
		req.DeleteBindImages = common.BoolPtr(true)
		if _, err := c.cbs.DeleteSnapshots(req); isTcCode(err, "ResourceUnavailable.SnapshotCreating") {
			_, _, _ = control("POST", "clock", map[string]any{"advance": "5s"})
			_, _ = c.cbs.DeleteSnapshots(req)
		}
	})
}

func isTcCode(err error, code string) bool {
	var sdkErr *tcerr.TencentCloudSDKError
	return errors.As(err, &sdkErr) && sdkErr.GetCode() == code
}
