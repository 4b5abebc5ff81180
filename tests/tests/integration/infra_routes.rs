//! The deployment template routes exactly as the code's routing table does: every route has its
//! listener rules, aimed at the function the table names, and no rule routes anything else.

use dialects::Dialect;
use serde_yaml_ng::Value;
use service::{Function, ROUTES};
use std::collections::BTreeSet;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).expect("the template is YAML")
}

fn resources(t: &Value) -> Vec<(String, &Value)> {
    t["Resources"].as_mapping().unwrap().iter().map(|(k, v)| (k.as_str().unwrap().to_string(), v)).collect()
}

fn of_type<'a>(t: &'a Value, kind: &str) -> Vec<(String, &'a Value)> {
    resources(t).into_iter().filter(|(_, r)| r["Type"].as_str() == Some(kind)).collect()
}

/// The binary a function resource runs.
fn binary_of(t: &Value, function_resource: &str) -> String {
    let f = &t["Resources"][function_resource];
    assert_eq!(f["Type"].as_str(), Some("AWS::Serverless::Function"), "{function_resource}");
    f["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap().to_string()
}

/// The binary behind a target group (its Lambda target).
fn target_binary(t: &Value, target_group: &str) -> String {
    let tg = &t["Resources"][target_group];
    let function = tg["Properties"]["Targets"][0]["Id"]["Fn::GetAtt"][0].as_str().unwrap();
    binary_of(t, function)
}

/// (dialect, action, binary, how) for every listener rule, from its condition and target. Query
/// rules name the `Action` parameter, which every dialect's query forms share: their dialect is
/// "any".
fn rules(t: &Value) -> BTreeSet<(&'static str, String, String, &'static str)> {
    let mut out = BTreeSet::new();
    for (name, rule) in of_type(t, "AWS::ElasticLoadBalancingV2::ListenerRule") {
        let props = &rule["Properties"];
        let target =
            props["Actions"][0]["TargetGroupArn"]["Ref"].as_str().unwrap_or_else(|| panic!("{name}: target"));
        let binary = target_binary(t, target);
        let conditions = props["Conditions"].as_sequence().unwrap();
        assert_eq!(conditions.len(), 1, "{name}: one condition per rule");
        let c = &conditions[0];
        let (dialect, action, how) = match c["Field"].as_str().unwrap() {
            "http-header" => {
                let header = c["HttpHeaderConfig"]["HttpHeaderName"].as_str().unwrap().to_ascii_lowercase();
                let dialect = match header.as_str() {
                    "x-acs-action" => "alibaba",
                    "x-tc-action" => "tencent",
                    "x-zc-action" => "zenlayer",
                    other => panic!("{name}: no dialect names its action in header {other}"),
                };
                (dialect, c["HttpHeaderConfig"]["Values"][0].as_str().unwrap().to_string(), "header")
            }
            "query-string" => {
                let pair = &c["QueryStringConfig"]["Values"][0];
                assert_eq!(pair["Key"].as_str(), Some("Action"), "{name}");
                ("any", pair["Value"].as_str().unwrap().to_string(), "query")
            }
            other => panic!("{name}: unexpected condition {other}"),
        };
        out.insert((dialect, action, binary, how));
    }
    out
}

#[test]
fn listener_rules_match_the_routing_table() {
    let t = template();
    let from_template = rules(&t);
    let mut from_code = BTreeSet::new();
    for r in ROUTES.iter() {
        // Every dialect names its action in a header; Alibaba's and Tencent's other forms also in
        // the `Action` query parameter (Zenlayer's never).
        let (dialect, in_query) = match r.dialect() {
            Dialect::Alibaba => ("alibaba", true),
            Dialect::Tencent => ("tencent", true),
            Dialect::Zenlayer => ("zenlayer", false),
        };
        from_code.insert((dialect, r.wire().to_string(), r.function().name().to_string(), "header"));
        if in_query {
            from_code.insert(("any", r.wire().to_string(), r.function().name().to_string(), "query"));
        }
    }
    // One query rule per action can serve every dialect only if they agree on its function.
    for r in ROUTES.iter() {
        for other in ROUTES.iter().filter(|o| o.wire() == r.wire()) {
            assert_eq!(r.function(), other.function(), "{} is served by two functions", r.wire());
        }
    }
    let missing: Vec<_> = from_code.difference(&from_template).collect();
    let extra: Vec<_> = from_template.difference(&from_code).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes without rules: {missing:?}\nrules without routes: {extra:?}"
    );
}

#[test]
fn every_function_is_deployed_and_the_default_is_the_catch_all() {
    let t = template();
    let deployed: BTreeSet<String> =
        of_type(&t, "AWS::Serverless::Function").iter().map(|(name, _)| binary_of(&t, name)).collect();
    for f in Function::ALL {
        assert!(deployed.contains(f.name()), "{} is not in the template", f.name());
    }
    let (_, listener) = &of_type(&t, "AWS::ElasticLoadBalancingV2::Listener")[0];
    let default = listener["Properties"]["DefaultActions"][0]["TargetGroupArn"]["Ref"].as_str().unwrap();
    assert_eq!(target_binary(&t, default), "catch-all");
    let priorities: Vec<u64> = of_type(&t, "AWS::ElasticLoadBalancingV2::ListenerRule")
        .iter()
        .map(|(_, r)| r["Properties"]["Priority"].as_u64().unwrap())
        .collect();
    let unique: BTreeSet<_> = priorities.iter().collect();
    assert_eq!(unique.len(), priorities.len(), "listener rule priorities must be unique");
}

#[test]
fn the_table_matches_what_the_store_creates() {
    let t = template();
    let table = &t["Resources"]["Table"]["Properties"];
    assert_eq!(table["KeySchema"][0]["AttributeName"].as_str(), Some("pk"));
    // Each index the store creates and queries, with its keys, and every one projecting all.
    let indexes: Vec<(&str, &str, &str)> = table["GlobalSecondaryIndexes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|i| {
            assert_eq!(i["Projection"]["ProjectionType"].as_str(), Some("ALL"), "{i:?}");
            let keys = &i["KeySchema"];
            assert_eq!(
                (keys[0]["KeyType"].as_str(), keys[1]["KeyType"].as_str()),
                (Some("HASH"), Some("RANGE"))
            );
            let (hash, range) = (keys[0]["AttributeName"].as_str(), keys[1]["AttributeName"].as_str());
            (i["IndexName"].as_str().unwrap(), hash.unwrap(), range.unwrap())
        })
        .collect();
    assert_eq!(indexes, store::INDEXES.to_vec());
    assert_eq!(table["TimeToLiveSpecification"]["AttributeName"].as_str(), Some("expires_at"));
    assert_eq!(table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(), Some(true));
    assert_eq!(table["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
}

#[test]
fn the_scheduler_runs_every_hour() {
    let t = template();
    let (name, _) = of_type(&t, "AWS::Serverless::Function")
        .into_iter()
        .find(|(name, _)| binary_of(&t, name) == "scheduler")
        .expect("a scheduler function");
    let event = &t["Resources"][name.as_str()]["Properties"]["Events"]["Hourly"];
    assert_eq!(event["Type"].as_str(), Some("Schedule"));
    assert_eq!(event["Properties"]["Schedule"].as_str(), Some("cron(0 * * * ? *)"));
}

/// What the template grants a function: each table action (`PutItem`) and each index's query
/// (`Query by_disk`), in the form `store::usage` records what the code used.
fn granted(function: &Value) -> BTreeSet<String> {
    let mut granted = BTreeSet::new();
    for policy in function["Properties"]["Policies"].as_sequence().unwrap() {
        for statement in policy["Statement"].as_sequence().unwrap() {
            let resource = serde_yaml_ng::to_string(&statement["Resource"]).unwrap();
            for action in statement["Action"].as_sequence().unwrap() {
                let action = action.as_str().unwrap().strip_prefix("dynamodb:").unwrap().to_string();
                if !resource.contains("/index/") {
                    granted.insert(action);
                    continue;
                }
                assert_eq!(action, "Query", "only queries on indexes");
                for index in resource.split("/index/").skip(1) {
                    let name = index.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap();
                    assert!(store::INDEXES.iter().any(|(i, _, _)| *i == name), "no index {name}");
                    granted.insert(format!("Query {name}"));
                }
            }
        }
    }
    granted
}

/// Least privilege, measured: each function is granted exactly the table actions and index queries
/// its code used while the test command's suites ran (every Rust test, every SDK suite), as the
/// store recorded them (`store::usage`, `EMULATOR_USAGE_LOG`); the catch-all, which serves every
/// route, what every route's function used. Run by `infra/local/test.sh` after the suites, with
/// `USAGE_LOGS` naming the files they recorded.
#[test]
#[ignore = "needs what the suites recorded: infra/local/test.sh runs it after them, with USAGE_LOGS"]
fn each_function_is_granted_what_its_code_used() {
    let logs = std::env::var("USAGE_LOGS").expect(
        "USAGE_LOGS: the files EMULATOR_USAGE_LOG made while the suites ran (infra/local/test.sh sets it)",
    );
    let mut used: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for path in logs.split(':') {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for line in text.lines().filter(|l| !l.starts_with("answered ")) {
            let (function, what) = line.split_once(' ').unwrap_or_else(|| panic!("{path}: {line:?}"));
            used.entry(function.to_string()).or_default().insert(what.to_string());
        }
    }
    let mut every_route: BTreeSet<String> = used.get("catch-all").cloned().unwrap_or_default();
    for f in Function::ALL {
        every_route.extend(used.get(f.name()).cloned().unwrap_or_default());
    }
    let t = template();
    for (name, function) in of_type(&t, "AWS::Serverless::Function") {
        let binary = binary_of(&t, &name);
        let want = if binary == "catch-all" {
            every_route.clone()
        } else {
            used.get(&binary).cloned().unwrap_or_default()
        };
        assert!(!want.is_empty(), "{binary}: the suites recorded nothing it used");
        assert_eq!(granted(function), want, "{binary}: what the template grants, and what its code used");
    }
}

#[test]
fn the_listener_serves_https_exactly_when_a_certificate_is_given() {
    let t = template();
    assert_eq!(t["Parameters"]["CertificateArn"]["Default"].as_str(), Some(""));
    let yaml = |v: &Value| serde_yaml_ng::to_string(v).unwrap();
    let condition = yaml(&t["Conditions"]["Https"]);
    assert!(condition.contains("!Not") && condition.contains("CertificateArn"), "{condition}");
    let (_, listener) = &of_type(&t, "AWS::ElasticLoadBalancingV2::Listener")[0];
    let p = &listener["Properties"];
    // Each is `!If [Https, <with the certificate>, <without>]`.
    for (field, with, without) in [("Port", "443", "80"), ("Protocol", "HTTPS", "HTTP")] {
        let shown = yaml(&p[field]);
        let expected = format!("!If\n- Https\n- {with}\n- {without}\n");
        assert_eq!(shown, expected, "{field}");
    }
    let certificates = yaml(&p["Certificates"]);
    assert!(
        certificates.contains("CertificateArn") && certificates.contains("AWS::NoValue"),
        "{certificates}"
    );
}

/// What each SDK suite reaches: every route of the dialects it claims (the README's table of the
/// official SDKs the test command runs), each answered with success at least once, as the
/// gateways it ran against recorded (`answered` lines of `store::usage`). Run by
/// `infra/local/test.sh` after the suites, with `SUITE_LOGS` as `suite=file,file;suite=file`.
#[test]
#[ignore = "needs what the suites recorded: infra/local/test.sh runs it after them, with SUITE_LOGS"]
fn each_sdk_suite_reaches_every_action_it_claims() {
    let claims: [(&str, &[Dialect]); 3] = [
        ("python", &[Dialect::Alibaba, Dialect::Tencent, Dialect::Zenlayer]),
        ("node", &[Dialect::Alibaba, Dialect::Tencent]),
        ("go", &[Dialect::Alibaba, Dialect::Tencent]),
    ];
    let logs =
        std::env::var("SUITE_LOGS").expect("SUITE_LOGS: suite=file,file;… (infra/local/test.sh sets it)");
    let mut answered: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for suite in logs.split(';') {
        let (name, files) = suite.split_once('=').unwrap_or_else(|| panic!("{suite:?}: suite=file,file"));
        for path in files.split(',') {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let lines = text.lines().filter_map(|l| l.strip_prefix("answered "));
            answered.entry(name).or_default().extend(lines.map(str::to_string));
        }
    }
    for (suite, dialects) in claims {
        let reached = answered.get(suite).unwrap_or_else(|| panic!("no log of the {suite} suite"));
        let missed: Vec<&str> = ROUTES
            .iter()
            .filter(|r| dialects.contains(&r.dialect()) && !reached.contains(r.rate_limit_key()))
            .map(|r| r.rate_limit_key())
            .collect();
        assert!(missed.is_empty(), "the {suite} suite had no success of {missed:?}");
    }
}
