//! A captured request sent again under another action. TC3 and ZC2 signatures have no nonce, and
//! the official SDKs sign only `content-type;host`: the action header is outside the signature.
//! A signature is bound to the first action it was used for, so a captured `DescribeSnapshots`
//! sent again as `DeleteSnapshots` is refused with the provider's signature code and changes
//! nothing; the same request sent again as itself is still served (the providers allow it), and a
//! read is never refused for it (honest clients sign identical bodies for different reads).
//! Within the two seconds after a signature's first use a change may still follow under it, as
//! an honest client's read and delete of one id, signed in one second, are alike.

use chrono::Utc;
use integration_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

/// Past the span in which one client second's requests arrive (`store::nonce::SAME_SECOND_MS`).
async fn later() {
    tokio::time::sleep(Duration::from_millis(2_200)).await;
}

/// A TC3 request as the SDKs sign it, for `action` of `service` with `body`.
fn tc3(gw: &Gateway, service: &str, action: &str, version: &str, body: &Value) -> Captured {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/")
        .header("host", gw.addr.to_string())
        .header("content-type", "application/json")
        .header("x-tc-action", action)
        .header("x-tc-version", version)
        .header("x-tc-region", "ap-guangzhou")
        .body(bytes::Bytes::from(body.to_string()))
        .unwrap();
    dialects::tencent::signature::sign_tc3(&mut req, TC.0, TC.1, service, Utc::now());
    Captured(req)
}

/// A ZEC 2025-09-01 request as the SDKs sign it, for `action` with `body`.
fn zc2(gw: &Gateway, action: &str, body: &Value) -> Captured {
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/api/v2/zec")
        .header("host", gw.addr.to_string())
        .header("content-type", "application/json")
        .header("x-zc-action", action)
        .header("x-zc-version", "2025-09-01")
        .header("x-zc-service", "zec")
        .body(bytes::Bytes::from(body.to_string()))
        .unwrap();
    dialects::zenlayer::signature::sign(&mut req, ZL.0, ZL.1, Utc::now());
    Captured(req)
}

/// The bytes of a signed request, as a client on the path saw them.
struct Captured(http::Request<bytes::Bytes>);

impl Captured {
    /// Send the same bytes with the header `name` set to `value` (the action header, say).
    async fn send_with(&self, gw: &Gateway, name: &str, value: &str) -> Reply {
        let mut headers: Vec<(String, String)> = self
            .0
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .filter(|(k, _)| k != name)
            .collect();
        headers.push((name.to_string(), value.to_string()));
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        gw.raw("POST", self.0.uri().path(), &h, self.0.body().to_vec()).await
    }

    /// The same bytes, as sent.
    async fn send(&self, gw: &Gateway, action_header: &str) -> Reply {
        let action = self.0.headers()[action_header].to_str().unwrap().to_string();
        self.send_with(gw, action_header, &action).await
    }

    /// The same bytes with the signature's hex in upper case (which verifies all the same).
    fn upper_cased(&self) -> Captured {
        let mut req = self.0.clone();
        let auth = req.headers()["authorization"].to_str().unwrap().to_string();
        let (head, signature) = auth.rsplit_once("Signature=").unwrap();
        let changed = format!("{head}Signature={}", signature.to_ascii_uppercase());
        req.headers_mut().insert("authorization", http::HeaderValue::from_str(&changed).unwrap());
        Captured(req)
    }
}

fn tc_code(r: &Reply) -> String {
    r.tc_code().unwrap_or_else(|| format!("(success) {}", r.text))
}

async fn tc_snapshot_listed(gw: &Gateway, id: &str) -> bool {
    let out = gw.tc_ok(TcSigning::Tc3, TC, "DescribeSnapshots", json!({"SnapshotIds": [id]})).await;
    out["TotalCount"] == 1
}

#[tokio::test]
async fn a_tencent_describe_sent_again_as_a_delete_is_refused() {
    let gw = Gateway::start(&timed_world(0, 0)).await;
    let ids = json!({"SnapshotIds": ["snap-tc-data"]});
    let describe = tc3(&gw, "cbs", "DescribeSnapshots", "2017-03-12", &ids);
    let first = describe.send(&gw, "x-tc-action").await;
    assert_eq!(first.tc_response()["TotalCount"], 1, "{}", first.text);
    later().await;
    for captured in [&describe, &describe.upper_cased()] {
        let replayed = captured.send_with(&gw, "x-tc-action", "DeleteSnapshots").await;
        assert_eq!(replayed.status, 200, "Tencent answers errors with 200");
        assert_eq!(tc_code(&replayed), "AuthFailure.SignatureFailure");
        assert!(replayed.tc_response()["RequestId"].as_str().is_some(), "{}", replayed.text);
        assert!(tc_snapshot_listed(&gw, "snap-tc-data").await, "nothing deleted");
    }
    // Sent again as itself, it is served, as Tencent serves it.
    let again = describe.send(&gw, "x-tc-action").await;
    assert_eq!(again.tc_response()["TotalCount"], 1, "{}", again.text);

    // CVM's images the same way: DescribeImages sent again as DeleteImages.
    let image = gw
        .tc_ok(
            TcSigning::Tc3,
            TC,
            "CreateImage",
            json!({"SnapshotIds": ["snap-tc-sys"], "ImageName": "kept"}),
        )
        .await["ImageId"]
        .as_str()
        .unwrap()
        .to_string();
    let describe = tc3(&gw, "cvm", "DescribeImages", "2017-03-12", &json!({"ImageIds": [image]}));
    assert_eq!(describe.send(&gw, "x-tc-action").await.tc_response()["TotalCount"], 1);
    later().await;
    let replayed = describe.send_with(&gw, "x-tc-action", "DeleteImages").await;
    assert_eq!(tc_code(&replayed), "AuthFailure.SignatureFailure");
    let listed = gw.tc_ok(TcSigning::Tc3, TC, "DescribeImages", json!({"ImageIds": [image]})).await;
    assert_eq!(listed["TotalCount"], 1, "the image is still there: {listed}");
    gw.assert_consistent().await;
}

/// An honest client's read and delete of one id in one second (Terraform's refresh, then its
/// destroy) carry the same signature: the delete is served. After that, the signature is the
/// delete's: a read of the same bytes is served, another change is refused. A client that signs
/// `X-TC-Action` has it checked by the signature itself.
#[tokio::test]
async fn a_read_then_a_change_in_one_second_and_a_change_binds_its_signature() {
    let gw = Gateway::start(&timed_world(0, 0)).await;
    let ids = json!({"SnapshotIds": ["snap-tc-data"]});
    let describe = tc3(&gw, "cbs", "DescribeSnapshots", "2017-03-12", &ids);
    assert_eq!(describe.send(&gw, "x-tc-action").await.tc_response()["TotalCount"], 1);
    let deleted = describe.send_with(&gw, "x-tc-action", "DeleteSnapshots").await;
    assert_eq!(tc_code(&deleted), format!("(success) {}", deleted.text));
    assert!(!tc_snapshot_listed(&gw, "snap-tc-data").await);
    later().await;
    let read = describe.send_with(&gw, "x-tc-action", "DescribeSnapshots").await;
    assert_eq!(read.tc_response()["TotalCount"], 0, "{}", read.text);
    // Another change under it: refused, whatever the action.
    let other = describe.send_with(&gw, "x-tc-action", "ModifySnapshotAttribute").await;
    assert_eq!(tc_code(&other), "AuthFailure.SignatureFailure");

    // Signed, the action header is the signature's: changed, it does not verify.
    let mut req =
        tc3(&gw, "cbs", "DescribeSnapshots", "2017-03-12", &json!({"SnapshotIds": ["snap-tc-sys"]})).0;
    let signed = ["content-type", "host", "x-tc-action"];
    dialects::tencent::signature::sign_tc3_headers(&mut req, TC.0, TC.1, "cbs", Utc::now(), &signed);
    let signed_action = Captured(req);
    assert_eq!(signed_action.send(&gw, "x-tc-action").await.tc_response()["TotalCount"], 1);
    let changed = signed_action.send_with(&gw, "x-tc-action", "DeleteSnapshots").await;
    assert_eq!(tc_code(&changed), "AuthFailure.SignatureFailure");
    assert!(tc_snapshot_listed(&gw, "snap-tc-sys").await);
    gw.assert_consistent().await;
}

/// How many snapshots a ZEC DescribeSnapshots answer lists.
fn zl_listed(r: &Reply) -> usize {
    assert_eq!(r.zl_code(), None, "{}", r.text);
    r.json()["response"]["dataSet"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_zenlayer_describe_sent_again_as_a_delete_is_refused() {
    let gw = Gateway::start(&timed_world(0, 0)).await;
    let made =
        gw.zl(ZL, "CreateSnapshot", json!({"diskId": "zl-ins-stopped-sys", "snapshotName": "kept"})).await;
    let id = made.zl_field("snapshotId");
    let listed = async || zl_listed(&gw.zl(ZL, "DescribeSnapshots", json!({"snapshotIds": [id]})).await);
    assert_eq!(listed().await, 1);
    let describe = zc2(&gw, "DescribeSnapshots", &json!({"snapshotIds": [id]}));
    assert_eq!(zl_listed(&describe.send(&gw, "x-zc-action").await), 1);
    later().await;
    for captured in [&describe, &describe.upper_cased()] {
        let replayed = captured.send_with(&gw, "x-zc-action", "DeleteSnapshots").await;
        assert_eq!(replayed.status, 401, "{}", replayed.text);
        assert_eq!(replayed.zl_code().as_deref(), Some("SIGNATURE_MISMATCH"), "{}", replayed.text);
        assert!(replayed.json()["requestId"].as_str().is_some(), "{}", replayed.text);
        assert_eq!(listed().await, 1, "nothing deleted");
    }
    let again = describe.send(&gw, "x-zc-action").await;
    assert_eq!(zl_listed(&again), 1, "{}", again.text);
    gw.assert_consistent().await;
}
