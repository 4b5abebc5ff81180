//! The Lambda entry point behind an Application Load Balancer and behind API Gateway (HTTP API /
//! function URL): an event as AWS delivers it becomes the same request the gateway sees, and a
//! signed SDK request still verifies.

use integration_tests::*;
use serde_json::{json, Value};
use service::{App, Function, Scope};

/// A CreateSnapshot request as the tea SDK sends it with v1 signing: form-style query (`+` for a
/// space), every parameter in the query, the signed Host as configured.
fn signed_query(description: &str) -> (String, String) {
    let mut pairs = vec![
        ("Action".to_string(), "CreateSnapshot".to_string()),
        ("DiskId".into(), "d-ali-expired".into()),
        ("Description".into(), description.into()),
    ];
    dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, chrono::Utc::now());
    let query = pairs.iter().map(|(k, v)| format!("{}={}", form(k), form(v))).collect::<Vec<_>>().join("&");
    (query, "ecs.internal.example:8080".to_string())
}

fn form(s: &str) -> String {
    dialects::encoding::rfc3986(s).replace("%20", "+")
}

fn raw_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn alb_event(query: &str, host: &str) -> Value {
    // The load balancer passes query values as received (still percent-encoded).
    let params: serde_json::Map<String, Value> =
        raw_pairs(query).into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/create-snapshot/abc"}},
        "httpMethod": "POST",
        "path": "/",
        "queryStringParameters": params,
        "headers": {"host": host, "x-acs-version": "2014-05-26", "content-length": "0"},
        "body": "",
        "isBase64Encoded": false
    })
}

fn apigw_v2_event(query: &str, host: &str) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": query,
        "headers": {"host": host, "x-acs-version": "2014-05-26", "content-length": "0"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": host, "domainPrefix": "ecs",
            "http": {"method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "sdk"},
            "requestId": "id", "routeKey": "$default", "stage": "$default", "time": "23/Nov/2026:00:00:00 +0000", "timeEpoch": 0
        },
        "isBase64Encoded": false
    })
}

async fn invoke(app: &App, event: &Value, function: Function) -> (u16, Value) {
    let req = lambda_http::request::from_str(&event.to_string()).expect("the event parses");
    let resp = service::lambda::handle(app, req, Scope::Only(function)).await;
    let status = resp.status().as_u16();
    let body = match resp.body() {
        lambda_http::Body::Text(t) => t.clone(),
        other => panic!("unexpected body {other:?}"),
    };
    (status, serde_json::from_str(&body).unwrap())
}

#[tokio::test]
async fn signed_requests_verify_through_alb_and_api_gateway_events() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let app = App::new(gw.store.clone());
    for (kind, make) in [("alb", alb_event as fn(&str, &str) -> Value), ("apigw-v2", apigw_v2_event)] {
        // Values with spaces and characters that encode differently in form and RFC 3986 styles.
        let (query, host) = signed_query(&format!("nightly {kind} ~*'() 测试"));
        let (status, body) = invoke(&app, &make(&query, &host), Function::CreateSnapshot).await;
        assert_eq!(status, 200, "{kind}: {body}");
        let id = body["SnapshotId"].as_str().unwrap();
        let snapshot = gw.store.snapshot(id).await.unwrap().unwrap();
        assert_eq!(snapshot.description.as_deref(), Some(format!("nightly {kind} ~*'() 测试").as_str()));
        // Let the snapshot finish before the next one on the same disk.
        gw.advance_clock(2100).await;
    }
}

/// A signed request for `action` with `params`.
fn signed(action: &str, params: &[(&str, &str)]) -> String {
    let mut pairs = vec![("Action".to_string(), action.to_string())];
    pairs.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    dialects::alibaba::signature::sign_v1("POST", &mut pairs, ALI.0, ALI.1, chrono::Utc::now());
    pairs.iter().map(|(k, v)| format!("{}={}", form(k), form(v))).collect::<Vec<_>>().join("&")
}

#[tokio::test]
async fn every_function_serves_its_actions_from_both_event_shapes() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let app = App::new(gw.store.clone());
    let host = "ecs.internal.example";
    // The scope a function serves, an action, its parameters, a field of its answer.
    type Case<'a> = (Scope, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            Scope::Only(Function::CreateImage),
            "CreateImage",
            vec![("RegionId", "cn-hangzhou"), ("SnapshotId", "s-ali-sys")],
            "ImageId",
        ),
        (
            Scope::Only(Function::Describe),
            "DescribeSnapshots",
            vec![("RegionId", "cn-hangzhou")],
            "Snapshots",
        ),
        (Scope::Only(Function::Describe), "DescribeImages", vec![("RegionId", "cn-hangzhou")], "Images"),
        (
            Scope::All,
            "DescribeSnapshots",
            vec![("RegionId", "cn-hangzhou"), ("DiskId", "d-ali-stopped-sys")],
            "Snapshots",
        ),
    ];
    for (scope, action, params, field) in cases {
        for make in [alb_event as fn(&str, &str) -> Value, apigw_v2_event] {
            let event = make(&signed(action, &params), host);
            let req = lambda_http::request::from_str(&event.to_string()).unwrap();
            let resp = service::lambda::handle(&app, req, scope).await;
            let body = match resp.body() {
                lambda_http::Body::Text(t) => t.clone(),
                other => panic!("unexpected body {other:?}"),
            };
            assert_eq!(resp.status(), 200, "{scope:?} {action}: {body}");
            let json: Value = serde_json::from_str(&body).unwrap();
            assert!(!json[field].is_null(), "{scope:?} {action}: {body}");
        }
    }
}

#[tokio::test]
async fn a_function_answers_only_its_own_actions() {
    let gw = Gateway::start(REFERENCE_WORLD).await;
    let app = App::new(gw.store.clone());
    let (query, host) = signed_query("x y");
    let (status, body) = invoke(&app, &apigw_v2_event(&query, &host), Function::Describe).await;
    assert_eq!((status, body["Code"].as_str()), (404, Some("InvalidAction.NotFound")));
    // A tampered parameter no longer verifies, through the event path too.
    let tampered = query.replace("d-ali-expired", "d-ali-stopped-sys");
    let (status, body) = invoke(&app, &alb_event(&tampered, &host), Function::CreateSnapshot).await;
    assert_eq!((status, body["Code"].as_str()), (400, Some("SignatureDoesNotMatch")));
}
