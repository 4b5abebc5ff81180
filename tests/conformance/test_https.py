"""HTTPS on the gateway's own port, with the local CA trusted, through the providers' own tools:
Tencent's command line (tccli, which always speaks https), the Alibaba tea SDK with
protocol="https", the Tencent SDK and the Zenlayer SDK with scheme "https". Each makes one create
and one describe; signatures verify over TLS exactly as over plain http (the Host signed is the
Host received). A client that does not trust the CA cannot connect.

Needs GATEWAY_CA (the CA certificate the gateway printed) and TCCLI_BIN (tccli in its own venv,
whose certifi bundle trusts that CA): infra/local/test.sh sets both.
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import mark_dirty

TC_ID, TC_KEY = "AKIDRefTencent00000000000000000001", "RefTencentSecret00000000000000001"
ALI_AK, ALI_SECRET = "LTAI5tRefAlibaba0001", "RefAlibabaSecret0001"
ZL_ID, ZL_KEY = "ZLRefZenlayer0001", "RefZenlayerSecret0001"


def needed(name: str) -> str:
    value = os.environ.get(name)
    if not value or not os.path.exists(value):
        raise pytest.UsageError("%s is not set to an existing file: run this through infra/local/test.sh" % name)
    return value


@pytest.fixture(scope="module")
def ca() -> str:
    return needed("GATEWAY_CA")


@pytest.fixture(scope="module")
def endpoint() -> str:
    return os.environ["GATEWAY_ENDPOINT"]


def tccli(endpoint, tmp_path, *args, service="cvm") -> dict:
    command = [needed("TCCLI_BIN"), service, *args, "--region", "ap-guangzhou", "--secretId", TC_ID,
               "--secretKey", TC_KEY, "--endpoint", endpoint]
    # tccli keeps its configuration under $HOME/.tccli: a scratch home keeps the user's apart.
    out = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, HOME=str(tmp_path)))
    assert out.returncode == 0, "tccli %s failed:\n%s\n%s" % (args[0], out.stdout, out.stderr)
    return json.loads(out.stdout)


def test_tccli_describes_and_creates_images_over_https(endpoint, ca, tmp_path):
    listed = tccli(endpoint, tmp_path, "DescribeImages")
    assert listed["TotalCount"] >= 1 and listed["ImageSet"], listed
    mark_dirty()
    made = tccli(endpoint, tmp_path, "CreateImage", "--InstanceId", "ins-tc-stopped", "--ImageName", "via-tccli")
    assert made["ImageId"].startswith("img-"), made
    found = tccli(endpoint, tmp_path, "DescribeImages", "--ImageIds", json.dumps([made["ImageId"]]))
    assert [i["ImageName"] for i in found["ImageSet"]] == ["via-tccli"], found


def test_tccli_tags_an_image_through_the_tag_service_over_https(endpoint, ca, tmp_path):
    # tccli signs the Tag service's calls with the HmacSHA256 form (version 2018-08-13).
    mark_dirty()
    resource = "qcs::cvm:ap-guangzhou:uin/:image/img-tcgolden"
    tccli(endpoint, tmp_path, "ModifyResourceTags", "--Resource", resource,
          "--ReplaceTags", json.dumps([{"TagKey": "via", "TagValue": "tccli"}]), service="tag")
    listed = tccli(endpoint, tmp_path, "DescribeResourceTagsByResourceIds", "--ServiceType", "cvm",
                   "--ResourcePrefix", "image", "--ResourceRegion", "ap-guangzhou",
                   "--ResourceIds", json.dumps(["img-tcgolden"]), service="tag")
    assert [(t["TagKey"], t["TagValue"]) for t in listed["Tags"]] == [("via", "tccli")], listed
    images = tccli(endpoint, tmp_path, "DescribeImages", "--ImageIds", json.dumps(["img-tcgolden"]))
    assert images["ImageSet"][0]["Tags"] == [{"Key": "via", "Value": "tccli"}], images


def test_the_alibaba_tea_sdk_over_https(endpoint, ca, monkeypatch):
    from alibabacloud_ecs20140526 import models
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_tea_openapi.models import Config

    # The tea SDK builds its TLS context from the system defaults (which SSL_CERT_FILE names) and
    # certifi's bundle.
    monkeypatch.setenv("SSL_CERT_FILE", ca)
    client = Client(Config(access_key_id=ALI_AK, access_key_secret=ALI_SECRET, endpoint=endpoint,
                           protocol="https", region_id="cn-hangzhou"))
    mark_dirty()
    made = client.create_snapshot(models.CreateSnapshotRequest(disk_id="d-ali-stopped-data", snapshot_name="via-https"))
    assert made.status_code == 200 and made.body.snapshot_id.startswith("s-")
    listed = client.describe_snapshots(models.DescribeSnapshotsRequest(
        region_id="cn-hangzhou", snapshot_ids=json.dumps([made.body.snapshot_id])))
    assert [s.snapshot_name for s in listed.body.snapshots.snapshot] == ["via-https"]


def tencent_client(endpoint, certification):
    from tencentcloud.common import credential
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.cvm.v20170312 import cvm_client

    profile = ClientProfile(httpProfile=HttpProfile(protocol="https", endpoint=endpoint, certification=certification))
    return cvm_client.CvmClient(credential.Credential(TC_ID, TC_KEY), "ap-guangzhou", profile)


def test_the_tencent_sdk_over_https_and_not_without_the_ca(endpoint, ca):
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
    from tencentcloud.cvm.v20170312 import models

    client = tencent_client(endpoint, ca)
    mark_dirty()
    request = models.CreateImageRequest()
    request.from_json_string(json.dumps({"InstanceId": "ins-tc-stopped", "ImageName": "via-https-sdk"}))
    image_id = client.CreateImage(request).ImageId
    describe = models.DescribeImagesRequest()
    describe.from_json_string(json.dumps({"ImageIds": [image_id]}))
    assert [i.ImageName for i in client.DescribeImages(describe).ImageSet] == ["via-https-sdk"]
    # certifi's bundle alone does not know the local CA: the handshake is refused.
    with pytest.raises(TencentCloudSDKException) as refused:
        tencent_client(endpoint, None).DescribeImages(models.DescribeImagesRequest())
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value), refused.value


def test_the_zenlayer_sdk_over_https(endpoint, ca):
    from zenlayercloud.common.config import Config
    from zenlayercloud.common.credential import Credential
    from zenlayercloud.zec.v20250901 import models
    from zenlayercloud.zec.v20250901.zec_client import ZecClient

    client = ZecClient(Credential(ZL_ID, ZL_KEY), Config(scheme="https", domain=endpoint, certification=ca))
    mark_dirty()
    request = models.CreateSnapshotRequest()
    request.from_json_string(json.dumps({"diskId": "zl-ins-stopped-sys", "snapshotName": "via-https"}))
    snapshot_id = client.CreateSnapshot(request).snapshotId
    describe = models.DescribeSnapshotsRequest()
    describe.from_json_string(json.dumps({"snapshotIds": [snapshot_id]}))
    assert [s.snapshotName for s in client.DescribeSnapshots(describe).dataSet] == ["via-https"]


def test_plain_http_on_the_same_port_is_unchanged(endpoint):
    import urllib.request

    with urllib.request.urlopen("http://%s/_emulator/health" % endpoint, timeout=30) as response:
        assert json.loads(response.read())["status"] == "running"
    with urllib.request.urlopen("http://%s/_emulator/ca.pem" % endpoint, timeout=30) as response:
        assert response.read().decode() == open(needed("GATEWAY_CA"), encoding="utf-8").read()
