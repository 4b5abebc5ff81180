"""The call sequences of Terraform's Alibaba Cloud provider (aliyun/terraform-provider-alicloud),
replayed call for call through the official Python SDKs (tea ACS3, tea v1, old core v1) against a
world of their own, written here and not the reference world the other tests know.

- alicloud_image: alicloud/resource_alicloud_image.go with alicloud/service_alicloud_ecs_v2.go
  (DescribeEcsImage, EcsImageStateRefreshFunc, SetResourceTags) and alicloud/service_alicloud_ecs.go
  (DescribeImageById, which the delete reads with five statuses).
- alicloud_ecs_snapshot: alicloud/resource_alicloud_ecs_snapshot.go with
  alicloud/service_alicloud_ecs_v2.go (DescribeEcsSnapshot).
"""
from __future__ import annotations

import json
import uuid

import pytest

import control
from ecs_sdk import SDK_VARIANTS, Creds, images_of, snapshots_of

sdks = pytest.mark.parametrize("sdk", SDK_VARIANTS)

REGION = "cn-hangzhou"  # the old SDK names its client's region on every call
TF = Creds("LTAI5tTerraformWorld01", "TerraformWorldSecret01")

# A world none of the other tests is written for: one account, one stopped instance with its two
# disks, and one snapshot of the system disk.
WORLD = {
    "version": 1,
    "settings": {"timings": {"snapshot_seconds": 4, "image_seconds": 6}},
    "accounts": [{"id": "acct-terraform", "provider": "alibaba",
                  "credentials": [{"access_key_id": TF.access_key_id, "secret": TF.secret}]}],
    "regions": [{"id": REGION, "provider": "alibaba", "zones": ["cn-hangzhou-k"]}],
    "instances": [{"id": "i-tf-web", "account": "acct-terraform", "region": REGION, "zone": "cn-hangzhou-k",
                   "status": "stopped"}],
    "disks": [
        {"id": "d-tf-sys", "account": "acct-terraform", "region": REGION, "zone": "cn-hangzhou-k",
         "type": "system", "size_gb": 50, "instance": "i-tf-web"},
        {"id": "d-tf-data", "account": "acct-terraform", "region": REGION, "zone": "cn-hangzhou-k",
         "type": "data", "size_gb": 200, "instance": "i-tf-web"},
    ],
    "snapshots": [{"id": "s-tf-base", "account": "acct-terraform", "region": REGION, "disk": "d-tf-sys",
                   "source_disk_type": "system", "size_gb": 50, "name": "base"}],
}


@pytest.fixture
def tf_world(worlds, tmp_path):
    path = tmp_path / "terraform-world.json"
    path.write_text(json.dumps(WORLD), encoding="utf-8")
    worlds.load(path)


def ok(out):
    assert out.ok, out.describe()
    return out.body


def tags_of(resource):
    return sorted((t["TagKey"], t["TagValue"]) for t in (resource.get("Tags") or {}).get("Tag") or [])


@sdks
def test_alicloud_image_create_read_update_destroy(api, sdk, tf_world):
    call = lambda action, **p: api.call(sdk, TF, action, p)  # noqa: E731

    def describe(**p):
        return images_of(ok(call("DescribeImages", RegionId=REGION, **p)))

    # Create: CreateImage with the schema's defaults (Architecture x86_64) and a tag.
    image_id = ok(call("CreateImage", RegionId=REGION, ClientToken=str(uuid.uuid4()), SnapshotId="s-tf-base",
                       ImageName="tf-web", ImageVersion="1.0.0", Description="", Platform="Ubuntu",
                       Architecture="x86_64", Tag=[{"Key": "managed-by", "Value": "terraform"}]))["ImageId"]
    # Wait: DescribeImages (ImageId, Status=ALL) until Usable is true.
    image = control.wait(lambda: (describe(ImageId=image_id, Status="ALL") or [{}])[0],
                 lambda i: i.get("Usable") is True, "Usable")
    assert image["Status"] == "Available", json.dumps(image)
    # Read: DescribeEcsImage (ImageId alone, the default Available), the ForceNew fields exactly as sent.
    [read] = describe(ImageId=image_id)
    assert {k: read.get(k) for k in ("Architecture", "Platform", "ImageVersion", "ImageName", "Description")} == {
        "Architecture": "x86_64", "Platform": "Ubuntu", "ImageVersion": "1.0.0", "ImageName": "tf-web",
        "Description": ""}, json.dumps(read)
    assert tags_of(read) == [("managed-by", "terraform")]
    assert [m.get("SnapshotId") for m in read["DiskDeviceMappings"]["DiskDeviceMapping"]] == ["s-tf-base"]

    # Update: ModifyImageAttribute with what changed, then JoinResourceGroup, then SetResourceTags
    # (UntagResources of the removed keys, TagResources of the new), then the Description wait.
    ok(call("ModifyImageAttribute", RegionId=REGION, ImageId=image_id, Description="web tier, second edition"))
    ok(call("JoinResourceGroup", RegionId=REGION, ResourceType="image", ResourceId=image_id,
            ResourceGroupId="rg-tf-web"))
    ok(call("UntagResources", RegionId=REGION, ResourceType="image", ResourceId=[image_id], TagKey=["managed-by"]))
    ok(call("TagResources", RegionId=REGION, ResourceType="image", ResourceId=[image_id],
            Tag=[{"Key": "tier", "Value": "web"}]))
    read = control.wait(lambda: describe(ImageId=image_id)[0],
                lambda i: i.get("Description") == "web tier, second edition", "the new Description")
    assert (read.get("ResourceGroupId"), tags_of(read)) == ("rg-tf-web", [("tier", "web")]), json.dumps(read)

    # Destroy: DescribeImageById (five statuses), DeleteImage (Force=false), wait until not found.
    statuses = "Creating,Waiting,Available,UnAvailable,CreateFailed"
    assert [i["ImageId"] for i in describe(ImageId=image_id, Status=statuses)] == [image_id]
    ok(call("DeleteImage", RegionId=REGION, ImageId=image_id, Force=False))
    control.wait(lambda: describe(ImageId=image_id, Status=statuses), lambda found: found == [], "the image gone")
    # Its name and its snapshot are free again.
    ok(call("CreateImage", RegionId=REGION, SnapshotId="s-tf-base", ImageName="tf-web"))


@sdks
def test_alicloud_ecs_snapshot_create_read_update_destroy(api, sdk, tf_world):
    call = lambda action, **p: api.call(sdk, TF, action, p)  # noqa: E731

    def describe(snapshot_id):
        return snapshots_of(ok(call("DescribeSnapshots", RegionId=REGION, SnapshotIds=json.dumps([snapshot_id]))))

    # Create: CreateSnapshot with a client token, tags, name, description and retention; no RegionId
    # in the tea request (the old SDK adds its client's).
    snapshot_id = ok(call("CreateSnapshot", ClientToken=str(uuid.uuid4()), DiskId="d-tf-data",
                          SnapshotName="tf-data", Description="made by terraform", RetentionDays=30,
                          Tag=[{"Key": "managed-by", "Value": "terraform"}]))["SnapshotId"]
    # Wait: DescribeEcsSnapshot until Status is accomplished.
    snapshot = control.wait(lambda: describe(snapshot_id)[0], lambda s: s.get("Status") == "accomplished", "accomplished")
    assert {k: snapshot.get(k) for k in ("SnapshotName", "Description", "RetentionDays", "SourceDiskId")} == {
        "SnapshotName": "tf-data", "Description": "made by terraform", "RetentionDays": 30,
        "SourceDiskId": "d-tf-data"}, json.dumps(snapshot)
    assert tags_of(snapshot) == [("managed-by", "terraform")]

    # Update: ModifySnapshotAttribute (rename, longer retention), JoinResourceGroup, SetResourceTags.
    ok(call("ModifySnapshotAttribute", SnapshotId=snapshot_id, SnapshotName="tf-data-renamed", RetentionDays=60))
    ok(call("JoinResourceGroup", RegionId=REGION, ResourceType="snapshot", ResourceId=snapshot_id,
            ResourceGroupId="rg-tf-data"))
    ok(call("UntagResources", RegionId=REGION, ResourceType="snapshot", ResourceId=[snapshot_id],
            TagKey=["managed-by"]))
    ok(call("TagResources", RegionId=REGION, ResourceType="snapshot", ResourceId=[snapshot_id],
            Tag=[{"Key": "backup", "Value": "daily"}]))
    [read] = describe(snapshot_id)
    assert {k: read.get(k) for k in ("SnapshotName", "RetentionDays", "ResourceGroupId", "Status")} == {
        "SnapshotName": "tf-data-renamed", "RetentionDays": 60, "ResourceGroupId": "rg-tf-data",
        "Status": "accomplished"}, json.dumps(read)
    assert tags_of(read) == [("backup", "daily")]

    # Destroy: DeleteSnapshot (Force=false), no wait; the next read finds nothing.
    ok(call("DeleteSnapshot", SnapshotId=snapshot_id, Force=False))
    assert describe(snapshot_id) == []
