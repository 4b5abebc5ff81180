"""The call sequences of Zenlayer's Terraform provider (zenlayer/terraform-provider-zenlayercloud),
replayed call for call through the official Python SDK's clients of the same API versions, against a
world of their own written here and against the reference world the other tests know (neither is
one the sequences were written for: they read ids and names from what the world holds).

- zenlayercloud_zec_disk_snapshot: zenlayercloud/services/zec/resource_zc_zec_disk_snapshot.go with
  service_zenlayer_zec.go (DescribeSnapshotById, DeleteSnapshot) and extension_zec.go (the snapshot
  statuses), all through the 2024-04-01 client (``WithZecClient``).
- zenlayercloud_zec_image: zenlayercloud/services/zec/resource_zc_zec_image.go through the 2025-09-01
  client (``WithZec2Client``), with the User client's AddResourceResourceGroup and the ZRM client's
  ModifyResourceTags for its ``resource_group_id`` and ``tags``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

import control
import zenlayer_sdk as zs
from conftest import mark_dirty
from ecs_sdk import Creds

TF = Creds("ZLTerraformWorld0001", "ZLTerraformWorldSecret0001")


@dataclass
class Place:
    """What a sequence needs from a world: an account, a stopped instance, a disk, two groups."""

    creds: Creds
    instance: str
    disk: str
    zone: str
    group: str
    other_group: str
    other_group_name: str


OWN_WORLD = {
    "version": 1,
    "settings": {"timings": {"snapshot_seconds": 4, "image_seconds": 6}},
    "accounts": [{"id": "acct-terraform-zl", "provider": "zenlayer",
                  "credentials": [{"access_key_id": TF.access_key_id, "secret": TF.secret}],
                  "resource_groups": [{"id": "rg-tf-main", "name": "Main", "default": True},
                                      {"id": "rg-tf-prod", "name": "Production", "default": False}]}],
    "regions": [{"id": "na-west-1", "provider": "zenlayer", "zones": ["na-west-1b"]}],
    "instances": [{"id": "tf-zl-web", "account": "acct-terraform-zl", "region": "na-west-1",
                   "zone": "na-west-1b", "status": "stopped"}],
    "disks": [
        {"id": "tf-zl-web-sys", "account": "acct-terraform-zl", "region": "na-west-1", "zone": "na-west-1b",
         "type": "system", "size_gb": 20, "instance": "tf-zl-web"},
        {"id": "tf-zl-web-data", "account": "acct-terraform-zl", "region": "na-west-1", "zone": "na-west-1b",
         "type": "data", "size_gb": 100, "instance": "tf-zl-web"},
    ],
}


@pytest.fixture(params=["own-world", "reference-world"])
def place(request, worlds, reference_world, tmp_path):
    if request.param == "own-world":
        path = tmp_path / "terraform-zenlayer-world.json"
        path.write_text(json.dumps(OWN_WORLD), encoding="utf-8")
        worlds.load(path)
        return Place(TF, "tf-zl-web", "tf-zl-web-data", "na-west-1b", "rg-tf-main", "rg-tf-prod", "Production")
    mark_dirty("acct-zl")
    return Place(reference_world.creds("acct-zl"), "zl-ins-stopped", "zl-ins-stopped-sys", "asia-east-1a",
                 "rg-default", "rg-images", "Images")


def ok(out: zs.ZlOutcome):
    assert out.ok, out.describe()
    return out.body


def test_zec_disk_snapshot_create_read_update_destroy(place):
    call = lambda action, **p: zs.call(place.creds, action, p, api="zec-2024")  # noqa: E731

    def read(snapshot_id):
        """DescribeSnapshotById: DescribeSnapshots {snapshotIds: [id]}, the first of dataSet or nil."""
        items = ok(call("DescribeSnapshots", snapshotIds=[snapshot_id]))["dataSet"] or []
        return items[0] if items else None

    # Create: CreateSnapshot {diskId, snapshotName, retentionTime}; an empty snapshotId is an error.
    keep_until = zs.retention(72)
    snapshot_id = ok(call("CreateSnapshot", diskId=place.disk, snapshotName="Terraform-Snapshot",
                          retentionTime=keep_until))["snapshotId"]
    assert snapshot_id
    # Wait (BuildSnapshotState): CREATING pending, AVAILABLE the target, FAILED a failure; no other.
    seen = []

    def status():
        s = read(snapshot_id)
        seen.append(s and s["status"])
        return s

    control.wait(status, lambda s: s is not None and s["status"] == "AVAILABLE", "AVAILABLE")
    assert set(seen) <= {"CREATING", "AVAILABLE"}, seen
    # Read: every field it sets, several dereferenced without a nil check.
    s = read(snapshot_id)
    assert s["diskId"] == place.disk and s["snapshotName"] == "Terraform-Snapshot" and s["zoneId"] == place.zone
    assert s["snapshotType"] == "Manual" and s["status"] == "AVAILABLE" and s["retentionTime"] == keep_until
    assert s["createTime"].endswith("Z") and s["diskAbility"] is True
    assert s["resourceGroup"]["resourceGroupId"] == place.group and s["resourceGroup"]["resourceGroupName"]
    # Update name and retention: {snapshotIds, snapshotName, isPermanent: true} when retention_time is
    # emptied, {snapshotIds, snapshotName, retentionTime} otherwise — never both. The Go SDK's
    # 2024-04-01 model carries both fields; the Python one has only the name.
    ok(zs.call(place.creds, "ModifySnapshotsAttribute", {"snapshotIds": [snapshot_id], "snapshotName": "tf-snap-2"},
               api="zec-2024", beyond_model={"isPermanent": True}))
    s = read(snapshot_id)
    assert (s["snapshotName"], s.get("retentionTime")) == ("tf-snap-2", None)
    later = zs.retention(96)
    ok(zs.call(place.creds, "ModifySnapshotsAttribute", {"snapshotIds": [snapshot_id], "snapshotName": "tf-snap-2"},
               api="zec-2024", beyond_model={"retentionTime": later}))
    assert read(snapshot_id)["retentionTime"] == later
    # Delete: DeleteSnapshots {snapshotIds: [id]} (its failed list ignored), then DescribeSnapshotById
    # until nil; DELETING retries, any other status is an error.
    ok(call("DeleteSnapshots", snapshotIds=[snapshot_id]))
    gone = control.wait(lambda: read(snapshot_id), lambda s: s is None or s["status"] != "DELETING", "gone")
    assert gone is None, "snapshot status is not deleted, current status %s" % gone["status"]
    # A retried delete finds nothing: INVALID_DISK_SNAPSHOT_NOT_FOUND, which the provider counts as done.
    zs.assert_error(call("DeleteSnapshots", snapshotIds=[snapshot_id]), "INVALID_DISK_SNAPSHOT_NOT_FOUND", 404)


def test_zec_image_create_read_update_destroy(place):
    call = lambda action, **p: zs.call(place.creds, action, p, api="zec")  # noqa: E731

    def read(image_id):
        """DescribeImageById: DescribeCustomImages {imageIds: [id]}, the first of dataSet or nil."""
        items = ok(call("DescribeCustomImages", imageIds=[image_id]))["dataSet"] or []
        return items[0] if items else None

    # Create: CreateImage {instanceId, imageName, resourceGroupId, tags}; an empty imageId is an error.
    image_id = ok(call("CreateImage", instanceId=place.instance, imageName="tf-web-image", resourceGroupId=place.group,
                       tags=zs.tag_assoc([("managed-by", "terraform"), ("team", "web")])))["imageId"]
    assert image_id
    # Wait: CREATING, PROCESSING, SYNCING pending; AVAILABLE the target; FAILED, UNAVAILABLE failures.
    seen = []

    def status():
        i = read(image_id)
        seen.append(i and i["imageStatus"])
        return i

    control.wait(status, lambda i: i is not None and i["imageStatus"] == "AVAILABLE", "AVAILABLE")
    assert set(seen) <= {"CREATING", "PROCESSING", "SYNCING", "AVAILABLE"}, seen
    # Read: every field it sets.
    i = read(image_id)
    assert (i["imageName"], i["resourceGroupId"], i["imageType"], i["imageSource"]) == (
        "tf-web-image", place.group, "CUSTOM_IMAGE", "CUSTOM")
    for name in ("imageSize", "imageVersion", "imageDescription", "category", "osType", "nicNetworkType"):
        assert name in i, "%s missing: %s" % (name, i)
    assert sorted((t["key"], t["value"]) for t in i["tags"]["tags"]) == [("managed-by", "terraform"), ("team", "web")]
    # Update image_name: ModifyImagesAttributes {imageIds: [id], imageName}.
    ok(call("ModifyImagesAttributes", imageIds=[image_id], imageName="tf-web-image-2"))
    # Update resource_group_id: the User client's AddResourceResourceGroup.
    ok(zs.call(place.creds, "AddResourceResourceGroup", {"resourceGroupId": place.other_group, "resources": [image_id]},
               api="user"))
    # Update tags: the ZRM client's ModifyResourceTags, the whole new map in replaceTags and the keys
    # gone in deleteTagKeys (ParseTagChanges).
    ok(zs.call(place.creds, "ModifyResourceTags",
               {"resourceUuid": image_id, "replaceTags": [{"key": "managed-by", "value": "terraform"},
                                                          {"key": "env", "value": "prod"}],
                "deleteTagKeys": ["team"]}, api="zrm"))
    i = read(image_id)
    assert (i["imageName"], i["resourceGroupId"], i["resourceGroupName"]) == (
        "tf-web-image-2", place.other_group, place.other_group_name)
    assert sorted((t["key"], t["value"]) for t in i["tags"]["tags"]) == [("env", "prod"), ("managed-by", "terraform")]
    # Delete: DeleteImages, then DescribeImageById until nil (DELETING and any other status retried).
    assert ok(call("DeleteImages", imageIds=[image_id]))["imageIds"] == []
    assert control.wait(lambda: read(image_id), lambda v: v is None, "gone") is None
    # The name is free again.
    again = ok(call("CreateImage", instanceId=place.instance, imageName="tf-web-image-2"))["imageId"]
    assert again and again != image_id
