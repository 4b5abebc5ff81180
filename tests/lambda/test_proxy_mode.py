"""The Lambda path: the official Alibaba SDKs, pointed at the gateway in proxy mode, reach the
functions that `cargo lambda watch` serves, and cannot tell the difference.

Needs PROXY_ENDPOINT (host:port of `gateway --proxy … --control-plane`) over a table loaded with the
reference world; infra/local/test.sh sets this up.
"""
import json
import os

import pytest
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.models import Config
from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.CreateSnapshotRequest import CreateSnapshotRequest

AK, SECRET = "LTAI5tRefAlibaba0001", "RefAlibabaSecret0001"


@pytest.fixture(scope="module")
def endpoint():
    value = os.environ.get("PROXY_ENDPOINT")
    if not value:
        raise pytest.UsageError("PROXY_ENDPOINT is not set: run this through infra/local/test.sh")
    return value


def clock(endpoint, change):
    """POST /_emulator/clock on the proxy gateway (it runs with --control-plane)."""
    import urllib.request

    request = urllib.request.Request("http://%s/_emulator/clock" % endpoint, data=json.dumps(change).encode(),
                                     method="POST", headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return json.loads(response.read())


def tea(endpoint, v1=False):
    kw = dict(access_key_id=AK, access_key_secret=SECRET, endpoint=endpoint, protocol="http",
              region_id="cn-hangzhou")
    if v1:
        kw["signature_algorithm"] = "v2"
    return Client(Config(**kw))


@pytest.mark.parametrize("v1, disk", [(False, "d-ali-stopped-data"), (True, "d-ali-expired")])
def test_create_and_describe_snapshot_through_the_functions(endpoint, v1, disk):
    client = tea(endpoint, v1)
    created = client.create_snapshot(models.CreateSnapshotRequest(
        disk_id=disk, snapshot_name="via-lambda", description="through the functions ~*"))
    assert created.status_code == 200
    snapshot_id = created.body.snapshot_id
    assert snapshot_id.startswith("s-")
    listed = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id="cn-hangzhou", snapshot_ids=json.dumps([snapshot_id])))
    [snapshot] = listed.body.snapshots.snapshot
    assert snapshot.snapshot_name == "via-lambda"
    assert snapshot.description == "through the functions ~*"
    # settings.timings.snapshot_seconds (2 s) later on the virtual clock (moved through the proxy
    # gateway's control plane; the functions read it from the table), it is accomplished.
    clock(endpoint, {"advance": "2s"})
    try:
        listed = client.describe_snapshots(models.DescribeSnapshotsRequest(
            region_id="cn-hangzhou", snapshot_ids=json.dumps([snapshot_id])))
        [snapshot] = listed.body.snapshots.snapshot
        assert (snapshot.status, snapshot.progress) == ("accomplished", "100%")
    finally:
        assert clock(endpoint, {"real": True})["offset_ms"] == 0


def test_create_image_through_the_functions(endpoint):
    created = tea(endpoint).create_image(models.CreateImageRequest(
        region_id="cn-hangzhou", snapshot_id="s-ali-sys", image_name="via-lambda"))
    assert created.body.image_id.startswith("m-")


def test_the_lifecycle_actions_through_the_functions(endpoint):
    """Every lifecycle action reaches its function: modify, tag, list, join a group, delete."""
    client = tea(endpoint)
    region = "cn-hangzhou"
    image_id = client.create_image(models.CreateImageRequest(
        region_id=region, snapshot_id="s-ali-sys", image_name="via-lambda-life")).body.image_id
    # A snapshot being made is cancelled by its delete, its disk free at once.
    snapshot_id = client.create_snapshot(models.CreateSnapshotRequest(disk_id="d-ali-stopped-sys")).body.snapshot_id
    client.delete_snapshot(models.DeleteSnapshotRequest(snapshot_id=snapshot_id))
    gone = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id=region, snapshot_ids=json.dumps([snapshot_id])))
    assert gone.body.snapshots.snapshot == []
    # The image is available after image_seconds (3 s) before it can be modified.
    clock(endpoint, {"advance": "5s"})
    try:
        client.modify_image_attribute(models.ModifyImageAttributeRequest(
            region_id=region, image_id=image_id, description="modified through the functions"))
        client.tag_resources(models.TagResourcesRequest(
            region_id=region, resource_type="image", resource_id=[image_id],
            tag=[models.TagResourcesRequestTag(key="via", value="lambda")]))
        listed = client.list_tag_resources(models.ListTagResourcesRequest(
            region_id=region, resource_type="image", resource_id=[image_id]))
        assert [(r.tag_key, r.tag_value) for r in listed.body.tag_resources.tag_resource] == [("via", "lambda")]
        client.untag_resources(models.UntagResourcesRequest(
            region_id=region, resource_type="image", resource_id=[image_id], all=True))
        client.join_resource_group(models.JoinResourceGroupRequest(
            region_id=region, resource_type="image", resource_id=image_id, resource_group_id="rg-lambda"))
        [image] = client.describe_images(models.DescribeImagesRequest(
            region_id=region, image_id=image_id, status="ALL")).body.images.image
        assert (image.description, image.resource_group_id) == ("modified through the functions", "rg-lambda")
        client.delete_image(models.DeleteImageRequest(region_id=region, image_id=image_id))
        gone = client.describe_images(models.DescribeImagesRequest(region_id=region, image_id=image_id, status="ALL"))
        assert gone.body.images.image == []

        client.modify_snapshot_attribute(models.ModifySnapshotAttributeRequest(
            snapshot_id="s-ali-sys", description="described through the functions"))
        [snapshot] = client.describe_snapshots(models.DescribeSnapshotsRequest(
            region_id=region, snapshot_ids=json.dumps(["s-ali-sys"]))).body.snapshots.snapshot
        assert snapshot.description == "described through the functions"
    finally:
        assert clock(endpoint, {"real": True})["offset_ms"] == 0


def test_errors_keep_their_envelope(endpoint):
    with pytest.raises(Exception) as raised:
        tea(endpoint).create_snapshot(models.CreateSnapshotRequest(disk_id="d-nope"))
    assert raised.value.code == "InvalidDiskId.NotFound"
    assert raised.value.statusCode == 404


def test_the_old_sdk_and_a_wrong_secret(endpoint):
    request = CreateSnapshotRequest()
    request.set_endpoint(endpoint)
    request.set_DiskId("d-ali-stopped-sys")
    body = json.loads(AcsClient(AK, SECRET, "cn-hangzhou").do_action_with_exception(request))
    assert body["SnapshotId"].startswith("s-")
    with pytest.raises(ServerException) as raised:
        AcsClient(AK, "wrong", "cn-hangzhou").do_action_with_exception(request)
    # The SDK recognises its own string to sign in the message: a wrong secret.
    assert raised.value.get_error_code() == "InvalidAccessKeySecret"


def test_an_unknown_action_reaches_the_catch_all(endpoint):
    import urllib.error
    import urllib.request

    request = urllib.request.Request("http://%s/?Action=RebootTheCloud" % endpoint, method="POST")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=30)
    assert raised.value.code == 404
    assert json.loads(raised.value.read())["Code"] == "InvalidAction.NotFound"


def test_the_scheduler_function_applies_policies_once_per_slot():
    """The scheduler binary, invoked through the Lambda runtime API with an EventBridge event."""
    import urllib.request

    watch = os.environ.get("WATCH_ENDPOINT")
    if not watch:
        raise pytest.UsageError("WATCH_ENDPOINT is not set: run this through infra/local/test.sh")
    event = {
        "version": "0", "id": "e-1", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": "2026-11-23T13:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/hourly"], "detail": {},
    }

    def invoke():
        request = urllib.request.Request(
            "http://%s/2015-03-31/functions/scheduler/invocations" % watch,
            data=json.dumps(event).encode(), method="POST",
            headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    first = invoke()
    # sp-ali-daily fires at 13:00 UTC on d-ali-running-sys (busy for good: skipped),
    # d-ali-running-data (snapshotted) and d-ali-local (a local disk: skipped).
    assert first["due_policies"] == ["sp-ali-daily"], first
    assert len(first["created"]) == 1, first
    assert sorted(f["disk"] for f in first["failed"]) == ["d-ali-local", "d-ali-running-sys"], first
    second = invoke()
    assert second["created"] == [] and second["already_made"] == first["created"], second


# ---- Tencent through the functions: TC3 (header-routed) and the HmacSHA256 form (body-routed) ----

TC_ID, TC_KEY = "AKIDRefTencent00000000000000000001", "RefTencentSecret00000000000000001"


def tencent(endpoint, service, sign_method):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile

    profile = ClientProfile(signMethod=sign_method, httpProfile=HttpProfile(protocol="http", endpoint=endpoint))
    cred = credential.Credential(TC_ID, TC_KEY)
    if service == "cvm":
        from tencentcloud.cvm.v20170312 import cvm_client
        return cvm_client.CvmClient(cred, "ap-guangzhou", profile)
    if service == "tag":
        from tencentcloud.tag.v20180813 import tag_client
        return tag_client.TagClient(cred, "ap-guangzhou", profile)
    from tencentcloud.cbs.v20170312 import cbs_client
    return cbs_client.CbsClient(cred, "ap-guangzhou", profile)


@pytest.mark.parametrize("sign_method, name", [("TC3-HMAC-SHA256", "tc-lambda-tc3"), ("HmacSHA256", "tc-lambda-form")])
def test_tencent_create_image_and_describe_through_the_functions(endpoint, sign_method, name):
    from tencentcloud.cvm.v20170312 import models as cvm

    client = tencent(endpoint, "cvm", sign_method)
    request = cvm.CreateImageRequest()
    request.SnapshotIds = ["snap-tc-sys"]
    request.ImageName = name
    created = client.CreateImage(request)
    assert created.ImageId.startswith("img-") and created.RequestId
    describe = cvm.DescribeImagesRequest()
    describe.ImageIds = [created.ImageId]
    listed = client.DescribeImages(describe)
    assert [i.ImageName for i in listed.ImageSet] == [name]


def test_tencent_lifecycle_and_the_tag_service_through_the_functions(endpoint):
    cvm = tencent(endpoint, "cvm", "TC3-HMAC-SHA256")
    made = json.loads(cvm.call("CreateImage", {"SnapshotIds": ["snap-tc-sys"], "ImageName": "via-lambda-tc"}))
    image_id = made["Response"]["ImageId"]
    # The image is NORMAL after image_seconds (3 s) before it can be modified.
    clock(endpoint, {"advance": "4s"})
    try:
        cvm.call("ModifyImageAttribute", {"ImageId": image_id, "ImageDescription": "through the functions"})
        tag = tencent(endpoint, "tag", "TC3-HMAC-SHA256")
        tag.call("ModifyResourceTags", {"Resource": "qcs::cvm:ap-guangzhou:uin/:image/%s" % image_id,
                                        "ReplaceTags": [{"TagKey": "via", "TagValue": "lambda"}]})
        listed = json.loads(tag.call("DescribeResourceTagsByResourceIds", {
            "ServiceType": "cvm", "ResourcePrefix": "image", "ResourceRegion": "ap-guangzhou",
            "ResourceIds": [image_id]}))
        assert [t["TagKey"] for t in listed["Response"]["Tags"]] == ["via"], listed
        cvm.call("DeleteImages", {"ImageIds": [image_id]})
        gone = json.loads(cvm.call("DescribeImages", {"ImageIds": [image_id]}))
        assert gone["Response"]["ImageSet"] == []
    finally:
        assert clock(endpoint, {"real": True})["offset_ms"] == 0


def test_tencent_snapshot_and_an_error_through_the_functions(endpoint):
    from tencentcloud.cbs.v20170312 import models as cbs
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

    client = tencent(endpoint, "cbs", "TC3-HMAC-SHA256")
    request = cbs.CreateSnapshotRequest()
    request.DiskId = "disk-tc-windows-sys"
    created = client.CreateSnapshot(request)
    assert created.SnapshotId.startswith("snap-")
    request.DiskId = "disk-nope"
    with pytest.raises(TencentCloudSDKException) as raised:
        client.CreateSnapshot(request)
    assert raised.value.code == "InvalidDiskId.NotFound"
    assert raised.value.requestId


# ---- Zenlayer through the functions (x-zc-action routes) ----

def test_zenlayer_image_snapshot_and_an_error_through_the_functions(endpoint):
    from zenlayercloud.common.config import Config
    from zenlayercloud.common.credential import Credential
    from zenlayercloud.common.excpetion.zenlayer_cloud_sdk_exception import ZenlayerCloudSdkException
    from zenlayercloud.zec.v20250901 import models, zec_client

    client = zec_client.ZecClient(Credential("ZLRefZenlayer0001", "RefZenlayerSecret0001"),
                                  Config(scheme="http", domain=endpoint))
    request = models.CreateImageRequest()
    request.instanceId, request.imageName = "zl-ins-stopped", "zl-via-lambda"
    created = client.CreateImage(request)
    assert created.imageName == "zl-via-lambda" and created.imageId.isdigit()
    describe = models.DescribeImagesRequest()
    describe.imageIds = [created.imageId]
    assert [i.imageName for i in client.DescribeImages(describe).dataSet] == ["zl-via-lambda"]
    snapshot = models.CreateSnapshotRequest()
    snapshot.diskId, snapshot.snapshotName = "zl-ins-running-sys", "via-lambda"
    assert client.CreateSnapshot(snapshot).snapshotId.isdigit()
    request.instanceId = "zl-ins-gpu"
    with pytest.raises(ZenlayerCloudSdkException) as raised:
        client.CreateImage(request)
    assert raised.value.code == "OPERATION_DENIED_GPU_INSTANCE_NOT_SUPPORT"


def test_zenlayer_lifecycle_in_both_versions_through_the_functions(endpoint):
    """A snapshot made through 2024-04-01 and deleted through 2025-09-01; an image renamed, tagged
    (ZRM), moved (User) and deleted: each write reaches its function by its x-zc-action route."""
    from zenlayercloud.common.config import Config
    from zenlayercloud.common.credential import Credential
    from zenlayercloud.user.v20240529 import models as user_models, user_client
    from zenlayercloud.zec.v20240401 import models as old, zec_client as old_client
    from zenlayercloud.zec.v20250901 import models, zec_client
    from zenlayercloud.zrm.v20251014 import models as zrm_models, zrm_client

    credential = Credential("ZLRefZenlayer0001", "RefZenlayerSecret0001")
    config = Config(scheme="http", domain=endpoint)
    client, client_2024 = zec_client.ZecClient(credential, config), old_client.ZecClient(credential, config)
    # What earlier tests made of these disks and instances is done before this one starts.
    clock(endpoint, {"advance": "10s"})
    try:
        snapshot = old.CreateSnapshotRequest()
        snapshot.diskId, snapshot.snapshotName = "zl-ins-running-sys", "lambda-2024"
        snapshot_id = client_2024.CreateSnapshot(snapshot).snapshotId
        image = models.CreateImageRequest()
        image.instanceId, image.imageName = "zl-ins-stopped", "zl-lambda-life"
        image_id = client.CreateImage(image).imageId
        # Its system disk's snapshot (2 s), then the image (3 s).
        clock(endpoint, {"advance": "6s"})
        rename = models.ModifyImagesAttributesRequest()
        rename.imageIds, rename.imageName = [image_id], "zl-lambda-renamed"
        client.ModifyImagesAttributes(rename)
        tags = zrm_models.ModifyResourceTagsRequest()
        tags.resourceUuid = image_id
        tags.replaceTags = [zrm_models.Tag({"key": "via", "value": "lambda"})]
        zrm_client.ZrmClient(credential, config).ModifyResourceTags(tags)
        move = user_models.AddResourceResourceGroupRequest()
        move.resourceGroupId, move.resources = "rg-images", [image_id, snapshot_id]
        user_client.UserClient(credential, config).AddResourceResourceGroup(move)
        listed = models.DescribeCustomImagesRequest()
        listed.imageIds = [image_id]
        [seen] = client.DescribeCustomImages(listed).dataSet
        assert (seen.imageName, seen.resourceGroupId) == ("zl-lambda-renamed", "rg-images")
        assert [(t.key, t.value) for t in seen.tags.tags] == [("via", "lambda")]
        delete_images = models.DeleteImagesRequest()
        delete_images.imageIds = [image_id]
        assert client.DeleteImages(delete_images).imageIds == []
        delete = models.DeleteSnapshotsRequest()
        delete.snapshotIds = [snapshot_id]
        assert client.DeleteSnapshots(delete).snapshotIds == []
        described = old.DescribeSnapshotsRequest()
        described.snapshotIds = [snapshot_id]
        assert client_2024.DescribeSnapshots(described).dataSet in (None, [])
    finally:
        assert clock(endpoint, {"real": True})["offset_ms"] == 0
