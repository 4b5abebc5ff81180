package conformance

// The Alibaba ECS Go SDK (github.com/alibabacloud-go/ecs-20140526/v7 over darabonba-openapi/v2),
// configured as Terraform's alicloud provider and Packer's builder configure it, with each of the
// two signatures the openapi client offers for RPC actions.

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/tea"
)

const (
	aliRegion = "cn-hangzhou"
	aliKey    = "LTAI5tRefAlibaba0001" // acct-ali of the reference world
	aliSecret = "RefAlibabaSecret0001"
)

// aliSigning is one way the openapi client signs: SignatureAlgorithm unset is ACS3-HMAC-SHA256
// (client.DoRequest, the default); "v2" sends RPC actions through client.DoRPCRequest, the
// signature v1 (HMAC-SHA1 over the sorted query).
type aliSigning struct {
	name      string
	algorithm *string
}

var aliSignings = []aliSigning{
	{name: "ACS3-HMAC-SHA256"},
	{name: "RPC-v1-HMAC-SHA1", algorithm: tea.String("v2")},
}

// eachAliSigning runs body once per signature, as a subtest. The virtual clock may move during
// the subtests and goes back to real time once, when the test ends: within a test time only moves
// forward (see virtualClock).
func eachAliSigning(t *testing.T, body func(t *testing.T, c *ecs.Client, s aliSigning)) {
	virtualClock(t)
	for _, s := range aliSignings {
		s := s
		t.Run(s.name, func(t *testing.T) { body(t, aliClient(t, s, aliKey, aliSecret), s) })
	}
}

func aliClient(t *testing.T, s aliSigning, key, secret string) *ecs.Client {
	t.Helper()
	config := &openapi.Config{
		AccessKeyId:     tea.String(key),
		AccessKeySecret: tea.String(secret),
		Endpoint:        tea.String(endpoint),
		Protocol:        tea.String("http"),
		RegionId:        tea.String(aliRegion),
	}
	if s.algorithm != nil {
		config.SignatureAlgorithm = s.algorithm
	}
	client, err := ecs.NewClient(config)
	if err != nil {
		t.Fatalf("ecs.NewClient: %v", err)
	}
	return client
}

// aliOK fails the test unless the call succeeded; it returns nothing, the caller reads the answer.
func aliOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s failed: %s", what, describeAliError(err))
	}
}

// aliRequestID checks the RequestId of a success body.
func aliRequestID(t *testing.T, what string, id *string) {
	t.Helper()
	if !isUUID(tea.StringValue(id)) {
		t.Errorf("%s: RequestId %q is not a UUID", what, tea.StringValue(id))
	}
}

var aliMessageRequestID = regexp.MustCompile(`request id: (\S+)$`)

// aliError checks that err is the SDK's *tea.SDKError with this code and HTTP status, that the body
// the SDK kept (Data, the error object as JSON) names the same code and a request id, and that the
// SDK's message carries that request id; it returns the request id.
func aliError(t *testing.T, what string, err error, code string, status int) string {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: expected %s (%d), the call succeeded", what, code, status)
	}
	var sdkErr *tea.SDKError
	if !errors.As(err, &sdkErr) {
		t.Fatalf("%s: expected a *tea.SDKError %s, got %T: %v", what, code, err, err)
	}
	if got := tea.StringValue(sdkErr.Code); got != code || tea.IntValue(sdkErr.StatusCode) != status {
		t.Fatalf("%s: expected %s (%d), got %s", what, code, status, describeAliError(err))
	}
	data := map[string]any{}
	if jerr := json.Unmarshal([]byte(tea.StringValue(sdkErr.Data)), &data); jerr != nil {
		t.Fatalf("%s: SDKError.Data is not the JSON error body: %q (%v)", what, tea.StringValue(sdkErr.Data), jerr)
	}
	requestID, _ := data["RequestId"].(string)
	if !isUUID(requestID) {
		t.Errorf("%s: the error body's RequestId %q is not a UUID: %s", what, requestID, tea.StringValue(sdkErr.Data))
	}
	if data["Code"] != code {
		t.Errorf("%s: the error body's Code is %v, not %s", what, data["Code"], code)
	}
	if msg, _ := data["Message"].(string); msg == "" {
		t.Errorf("%s: the error body has no Message: %s", what, tea.StringValue(sdkErr.Data))
	}
	m := aliMessageRequestID.FindStringSubmatch(tea.StringValue(sdkErr.Message))
	if m == nil || m[1] != requestID {
		t.Errorf("%s: the SDK's message %q does not end with the request id %q", what, tea.StringValue(sdkErr.Message), requestID)
	}
	return requestID
}

func describeAliError(err error) string {
	var sdkErr *tea.SDKError
	if errors.As(err, &sdkErr) {
		return "SDKError code=" + tea.StringValue(sdkErr.Code) + " status=" + strconv.Itoa(tea.IntValue(sdkErr.StatusCode)) +
			" message=" + tea.StringValue(sdkErr.Message) + " data=" + tea.StringValue(sdkErr.Data)
	}
	return strings.TrimSpace(err.Error())
}

// ------------------------------------------------------------------------------- reads --

// aliSnapshots lists snapshots by id (DescribeSnapshots SnapshotIds, a JSON list, as Terraform sends it).
func aliSnapshots(t *testing.T, c *ecs.Client, ids ...string) []*ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot {
	t.Helper()
	list, _ := json.Marshal(ids)
	resp, err := c.DescribeSnapshots(&ecs.DescribeSnapshotsRequest{
		RegionId:    tea.String(aliRegion),
		SnapshotIds: tea.String(string(list)),
	})
	aliOK(t, "DescribeSnapshots", err)
	aliRequestID(t, "DescribeSnapshots", resp.Body.RequestId)
	if resp.Body.Snapshots == nil {
		t.Fatalf("DescribeSnapshots: no Snapshots in %s", show(resp.Body))
	}
	if int(tea.Int32Value(resp.Body.TotalCount)) != len(resp.Body.Snapshots.Snapshot) {
		t.Errorf("DescribeSnapshots: TotalCount %d for %d snapshots", tea.Int32Value(resp.Body.TotalCount), len(resp.Body.Snapshots.Snapshot))
	}
	return resp.Body.Snapshots.Snapshot
}

// aliSnapshot is the one snapshot of that id; it fails if it is not listed.
func aliSnapshot(t *testing.T, c *ecs.Client, id string) *ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot {
	t.Helper()
	found := aliSnapshots(t, c, id)
	if len(found) != 1 || tea.StringValue(found[0].SnapshotId) != id {
		t.Fatalf("DescribeSnapshots %s: expected that snapshot alone, got %s", id, show(found))
	}
	return found[0]
}

// aliImages lists images (DescribeImages with the filters given; Status defaults to Available only).
func aliImages(t *testing.T, c *ecs.Client, req *ecs.DescribeImagesRequest) []*ecs.DescribeImagesResponseBodyImagesImage {
	t.Helper()
	req.RegionId = tea.String(aliRegion)
	resp, err := c.DescribeImages(req)
	aliOK(t, "DescribeImages", err)
	aliRequestID(t, "DescribeImages", resp.Body.RequestId)
	if resp.Body.Images == nil {
		t.Fatalf("DescribeImages: no Images in %s", show(resp.Body))
	}
	if int(tea.Int32Value(resp.Body.TotalCount)) != len(resp.Body.Images.Image) {
		t.Errorf("DescribeImages: TotalCount %d for %d images", tea.Int32Value(resp.Body.TotalCount), len(resp.Body.Images.Image))
	}
	return resp.Body.Images.Image
}

// aliImage is the one image of that id in any status; it fails if it is not listed.
func aliImage(t *testing.T, c *ecs.Client, id string) *ecs.DescribeImagesResponseBodyImagesImage {
	t.Helper()
	found := aliImages(t, c, &ecs.DescribeImagesRequest{ImageId: tea.String(id), Status: tea.String("ALL")})
	if len(found) != 1 || tea.StringValue(found[0].ImageId) != id {
		t.Fatalf("DescribeImages %s: expected that image alone, got %s", id, show(found))
	}
	return found[0]
}

// aliSnapshotTags are a snapshot's tags as key=value, in the order the gateway lists them.
func aliSnapshotTags(s *ecs.DescribeSnapshotsResponseBodySnapshotsSnapshot) []string {
	var out []string
	if s.Tags != nil {
		for _, tag := range s.Tags.Tag {
			out = append(out, tea.StringValue(tag.TagKey)+"="+tea.StringValue(tag.TagValue))
		}
	}
	return out
}

func aliImageTags(i *ecs.DescribeImagesResponseBodyImagesImage) []string {
	var out []string
	if i.Tags != nil {
		for _, tag := range i.Tags.Tag {
			out = append(out, tea.StringValue(tag.TagKey)+"="+tea.StringValue(tag.TagValue))
		}
	}
	return out
}

// aliListTags: ListTagResources as resource:key=value rows, every page.
func aliListTags(t *testing.T, c *ecs.Client, req *ecs.ListTagResourcesRequest) []string {
	t.Helper()
	req.RegionId = tea.String(aliRegion)
	var rows []string
	for page := 0; page < 20; page++ {
		resp, err := c.ListTagResources(req)
		aliOK(t, "ListTagResources", err)
		aliRequestID(t, "ListTagResources", resp.Body.RequestId)
		if resp.Body.TagResources != nil {
			for _, r := range resp.Body.TagResources.TagResource {
				rows = append(rows, tea.StringValue(r.ResourceId)+":"+tea.StringValue(r.TagKey)+"="+tea.StringValue(r.TagValue))
			}
		}
		if tea.StringValue(resp.Body.NextToken) == "" {
			return rows
		}
		req.NextToken = resp.Body.NextToken
	}
	t.Fatalf("ListTagResources: more than 20 pages")
	return nil
}

// ------------------------------------------------------------------------------ cleanup --

// aliDeleteSnapshotLater deletes the snapshot when the test ends, whatever happened (forced: one
// still being made is cancelled, which gives its disk back).
func aliDeleteSnapshotLater(t *testing.T, c *ecs.Client, id string) {
	t.Cleanup(func() {
		_, _ = c.DeleteSnapshot(&ecs.DeleteSnapshotRequest{SnapshotId: tea.String(id), Force: tea.Bool(true)})
	})
}

func aliDeleteImageLater(t *testing.T, c *ecs.Client, id string) {
	t.Cleanup(func() {
		_, _ = c.DeleteImage(&ecs.DeleteImageRequest{RegionId: tea.String(aliRegion), ImageId: tea.String(id), Force: tea.Bool(true)})
	})
}
