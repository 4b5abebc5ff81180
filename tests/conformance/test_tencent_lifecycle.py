"""The life of a Tencent image and snapshot as the tools drive it, through tencentcloud-sdk-python
(CVM, CBS and the Tag service's own client; TC3 POST, TC3 GET and the HmacSHA256 form), replayed
call for call against a world of their own:

- Terraform's tencentcloud_image: tencentcloudstack/terraform-provider-tencentcloud
  tencentcloud/services/cvm/resource_tc_image.go with service_tencentcloud_cvm.go, and the tag
  calls of tencentcloud/services/tag/service_tencentcloud_tag.go (ModifyTags,
  DescribeResourceTags, which sends DescribeResourceTagsByResourceIds 20 at a time);
- Terraform's tencentcloud_cbs_snapshot: tencentcloud/services/cbs/resource_tc_cbs_snapshot.go with
  service_tencentcloud_cbs.go;
- Packer: hashicorp/packer-plugin-tencentcloud builder/tencentcloud/cvm/step_pre_validate.go,
  step_create_image.go and common.go (GetImageByName: the image-name filter and TotalCount),
  artifact.go (Destroy: DescribeImages by id, then DeleteImages).
"""
from __future__ import annotations

import json

import pytest

import control
from ecs_sdk import Creds

VARIANTS = pytest.mark.parametrize("sdk", ["tc3", "tc3-get", "hmac256"])
REGION = "ap-guangzhou"
TF = Creds("AKIDTerraformWorld000000000000000001", "TerraformWorldSecret0000000000000001")

# A world none of the other tests is written for.
WORLD = {
    "version": 1,
    "settings": {"timings": {"snapshot_seconds": 3, "image_seconds": 5}},
    "accounts": [{"id": "acct-tf-tencent", "provider": "tencent",
                  "credentials": [{"access_key_id": TF.access_key_id, "secret": TF.secret}]}],
    "regions": [{"id": REGION, "provider": "tencent", "zones": ["ap-guangzhou-6"]}],
    "instances": [{"id": "ins-tfweb001", "account": "acct-tf-tencent", "region": REGION, "zone": "ap-guangzhou-6",
                   "status": "stopped"}],
    "disks": [
        {"id": "disk-tfsys01", "account": "acct-tf-tencent", "region": REGION, "zone": "ap-guangzhou-6",
         "type": "system", "size_gb": 50, "instance": "ins-tfweb001"},
        {"id": "disk-tfdat01", "account": "acct-tf-tencent", "region": REGION, "zone": "ap-guangzhou-6",
         "type": "data", "size_gb": 100, "instance": "ins-tfweb001"},
    ],
}


@pytest.fixture
def tf_world(worlds, tmp_path):
    path = tmp_path / "tencent-world.json"
    path.write_text(json.dumps(WORLD), encoding="utf-8")
    worlds.load(path)


def resource(kind: str, resource_id: str) -> str:
    # BuildTagResourceName: the account segment left empty.
    return "qcs::cvm:%s:uin/:%s/%s" % (REGION, kind, resource_id)


class Calls:
    def __init__(self, api, sdk):
        self.api, self.sdk = api, sdk

    def __call__(self, action, **params):
        out = self.api.tc(self.sdk, TF, action, params)
        assert out.ok, out.describe()
        return out.body

    def refused(self, action, code, **params):
        out = self.api.tc(self.sdk, TF, action, params)
        assert (out.ok, out.code) == (False, code), out.describe()

    def tags(self, kind, resource_id):
        # DescribeResourceTags: pages of 20 until a short one.
        rows, offset = [], 0
        while True:
            page = self("DescribeResourceTagsByResourceIds", ServiceType="cvm", ResourcePrefix=kind,
                        ResourceRegion=REGION, ResourceIds=[resource_id], Limit=20, Offset=offset)
            rows += [(t["TagKey"], t["TagValue"]) for t in page["Tags"] if t["ResourceId"] == resource_id]
            if len(page["Tags"]) < 20:
                return sorted(rows)
            offset += 20


@VARIANTS
def test_terraform_tencentcloud_image(api, sdk, tf_world):
    call = Calls(api, sdk)
    image_id = call("CreateImage", InstanceId="ins-tfweb001", ImageName="tf-web", ImageDescription="made by terraform",
                    ForcePoweroff="TRUE",
                    TagSpecification=[{"ResourceType": "image", "Tags": [{"Key": "managed-by", "Value": "terraform"}]}]
                    )["ImageId"]
    # DescribeImageById: until NORMAL, and an image whose SnapshotSet is empty counts as missing.
    image = control.wait(lambda: (call("DescribeImages", ImageIds=[image_id])["ImageSet"] or [{}])[0],
                 lambda i: i.get("ImageState") == "NORMAL", "NORMAL")
    assert image["SnapshotSet"], json.dumps(image)
    call("ModifyResourceTags", Resource=resource("image", image_id),
         ReplaceTags=[{"TagKey": "managed-by", "TagValue": "terraform"}])
    assert call.tags("image", image_id) == [("managed-by", "terraform")]

    # Update: ModifyImageAttribute with name and description, then the tag diff.
    call("ModifyImageAttribute", ImageId=image_id, ImageName="tf-web-2", ImageDescription="second edition")
    call("ModifyResourceTags", Resource=resource("image", image_id),
         ReplaceTags=[{"TagKey": "tier", "TagValue": "web"}], DeleteTags=[{"TagKey": "managed-by"}])
    [read] = call("DescribeImages", ImageIds=[image_id])["ImageSet"]
    assert (read["ImageName"], read["ImageDescription"]) == ("tf-web-2", "second edition"), json.dumps(read)
    assert call.tags("image", image_id) == [("tier", "web")]
    assert read["Tags"] == [{"Key": "tier", "Value": "web"}], json.dumps(read)

    # Delete: DeleteImages, then wait for an empty ImageSet.
    call("DeleteImages", ImageIds=[image_id])
    gone = call("DescribeImages", ImageIds=[image_id])
    assert (gone["TotalCount"], gone["ImageSet"]) == (0, []), json.dumps(gone)
    # Its snapshots stay (DeleteBindedSnap was not sent), no longer bound to an image.
    for s in image["SnapshotSet"]:
        [snap] = call("DescribeSnapshots", SnapshotIds=[s["SnapshotId"]])["SnapshotSet"]
        assert snap["ImageCount"] == 0, json.dumps(snap)


@VARIANTS
def test_terraform_tencentcloud_cbs_snapshot(api, sdk, tf_world):
    call = Calls(api, sdk)
    snapshot_id = call("CreateSnapshot", DiskId="disk-tfdat01", SnapshotName="tf-data")["SnapshotId"]
    snap = control.wait(lambda: (call("DescribeSnapshots", SnapshotIds=[snapshot_id])["SnapshotSet"] or [{}])[0],
                lambda s: s.get("SnapshotState") == "NORMAL", "NORMAL")
    assert (snap["DiskId"], snap["SnapshotName"], snap["DiskUsage"]) == ("disk-tfdat01", "tf-data", "DATA_DISK")
    call("ModifyResourceTags", Resource=resource("snapshot", snapshot_id),
         ReplaceTags=[{"TagKey": "backup", "TagValue": "daily"}])
    assert call.tags("snapshot", snapshot_id) == [("backup", "daily")]
    # The Tag service's batch calls on it (tencentcloud_tag_attachment's): TagResources adds a tag,
    # UnTagResources takes one away, each answering the resources it could not change (none).
    name = resource("snapshot", snapshot_id)
    tagged = call("TagResources", ResourceList=[name], Tags=[{"TagKey": "tier", "TagValue": "db"}])
    assert not tagged.get("FailedResources"), json.dumps(tagged)
    assert call.tags("snapshot", snapshot_id) == [("backup", "daily"), ("tier", "db")]
    untagged = call("UnTagResources", ResourceList=[name], TagKeys=["backup"])
    assert not untagged.get("FailedResources"), json.dumps(untagged)
    assert call.tags("snapshot", snapshot_id) == [("tier", "db")]
    call("ModifySnapshotAttribute", SnapshotId=snapshot_id, SnapshotName="tf-data-renamed")
    [read] = call("DescribeSnapshots", SnapshotIds=[snapshot_id])["SnapshotSet"]
    assert read["SnapshotName"] == "tf-data-renamed"
    call("DeleteSnapshots", SnapshotIds=[snapshot_id])
    assert call("DescribeSnapshots", SnapshotIds=[snapshot_id])["SnapshotSet"] == []


@VARIANTS
def test_packer_build_find_by_name_and_destroy(api, sdk, tf_world):
    call = Calls(api, sdk)
    name = "packer-%s" % sdk
    by_name = {"Filters": [{"Name": "image-name", "Values": [name]}]}
    assert call("DescribeImages", **by_name)["TotalCount"] == 0  # stepPreValidate
    call("CreateImage", InstanceId="ins-tfweb001", ImageName=name, ForcePoweroff="TRUE")
    image = control.wait(lambda: [i for i in call("DescribeImages", **by_name)["ImageSet"] if i["ImageName"] == name],
                 lambda found: found and found[0]["ImageState"] == "NORMAL", "NORMAL by name")[0]
    # Artifact.Destroy.
    assert call("DescribeImages", ImageIds=[image["ImageId"]])["TotalCount"] == 1
    call("DeleteImages", ImageIds=[image["ImageId"]])
    found = call("DescribeImages", **by_name)
    assert (found["TotalCount"], found["ImageSet"]) == (0, []), json.dumps(found)


@VARIANTS
def test_deletes_and_tags_refused_by_their_codes(api, sdk, tf_world):
    call = Calls(api, sdk)
    snapshot_id = call("CreateSnapshot", DiskId="disk-tfsys01", SnapshotName="base")["SnapshotId"]
    call.refused("DeleteSnapshots", "ResourceUnavailable.SnapshotCreating", SnapshotIds=[snapshot_id])
    control.advance(4)
    image_id = call("CreateImage", SnapshotIds=[snapshot_id], ImageName="bound")["ImageId"]
    call.refused("DeleteImages", "InvalidImageId.IncorrectState", ImageIds=[image_id])
    call.refused("DeleteSnapshots", "UnsupportedOperation.SnapshotHasBindedImage", SnapshotIds=[snapshot_id])
    call.refused("DeleteImages", "InvalidImageId.NotFound", ImageIds=["img-nothere1"])
    call.refused("ModifyResourceTags", "InvalidParameterValue.ResourceDescriptionError",
                 Resource="qcs::cvm:ap-shanghai:uin/:snapshot/%s" % snapshot_id,
                 ReplaceTags=[{"TagKey": "k", "TagValue": "v"}])
    call.refused("ModifyResourceTags", "InvalidParameter.ReservedTagKey", Resource=resource("snapshot", snapshot_id),
                 ReplaceTags=[{"TagKey": "qcloud:x", "TagValue": "v"}])
    control.advance(6)
    call("CreateImage", SnapshotIds=[snapshot_id], ImageName="second")
    call.refused("ModifyImageAttribute", "InvalidImageName.Duplicate", ImageId=image_id, ImageName="second")
    control.advance(6)
    call("DeleteSnapshots", SnapshotIds=[snapshot_id], DeleteBindImages=True)
    assert call("DescribeImages", ImageIds=[image_id])["ImageSet"] == []
    assert call("DescribeSnapshots", SnapshotIds=[snapshot_id])["SnapshotSet"] == []
