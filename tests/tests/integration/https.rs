//! HTTP and HTTPS on the gateway's one port: a connection that opens with a TLS handshake is
//! served over TLS with a certificate of the local CA, any other as plain HTTP. Every dialect's
//! signature verifies over TLS exactly as over HTTP, and a client that does not trust the CA
//! cannot connect.

use integration_tests::*;
use serde_json::json;

fn local_tls() -> (gateway::tls::LocalTls, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("tls-{}", uuid::Uuid::new_v4().simple()));
    (gateway::tls::local_tls(&dir, &["gateway.test".into()]).expect("the local CA"), dir)
}

#[tokio::test]
async fn every_dialect_signs_and_is_served_over_https_and_plain_http_on_the_same_port() {
    let (tls, dir) = local_tls();
    let ca = tls.ca_pem.to_string();
    let mut gw = Gateway::start_with_tls(REFERENCE_WORLD, tls, &ca).await;
    for https in [true, false] {
        gw.use_https(https.then_some(ca.as_str()));
        let ali = gw.call(ALI, "DescribeSnapshots", &[("RegionId", "cn-hangzhou")]).await;
        assert_eq!(ali.status, 200, "https {https}: {}", ali.text);
        let acs3 = gw.call_signed(Signing::Acs3, ALI, "DescribeImages", &[("RegionId", "cn-hangzhou")]).await;
        assert_eq!(acs3.status, 200, "https {https}: {}", acs3.text);
        let tc = gw.tc(TcSigning::Tc3, TC, "DescribeImages", json!({})).await;
        assert_eq!(tc.tc_code(), None, "https {https}: {}", tc.text);
        let form = gw.tc(TcSigning::Form, TC, "DescribeImages", json!({})).await;
        assert_eq!(form.tc_code(), None, "https {https}: {}", form.text);
        let zl = gw.zl(ZL, "DescribeImages", json!({})).await;
        assert_eq!(zl.status, 200, "https {https}: {}", zl.text);
    }
    // A create over HTTPS, and its replay refused as over HTTP.
    gw.use_https(Some(&ca));
    let made = gw.call(ALI, "CreateSnapshot", &[("DiskId", "d-ali-stopped-data")]).await;
    assert_eq!(made.status, 200, "{}", made.text);
    gw.assert_consistent().await;
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_local_ca_cannot_connect() {
    let (tls, dir) = local_tls();
    let (other, other_dir) = local_tls();
    let gw = Gateway::start_with_tls(REFERENCE_WORLD, tls, &other.ca_pem).await;
    let tcp = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let refused = tokio_rustls::TlsConnector::from(client_config(&other.ca_pem)).connect(name, tcp).await;
    let Err(error) = refused else { panic!("a certificate of another CA was accepted") };
    let error = error.to_string();
    assert!(error.contains("UnknownIssuer") || error.contains("invalid peer certificate"), "{error}");
    for d in [dir, other_dir] {
        std::fs::remove_dir_all(d).ok();
    }
}
