//! Each kind of refusal, on a small world: where it is (the path) and what is wrong.

use super::*;
use serde_json::json;

/// One Alibaba account `a` (key `k`) in region `r` (zone `z`), and one of everything else.
fn small() -> Value {
    json!({
        "version": 1,
        "settings": {"timings": {"snapshot_seconds": 0}, "rate_limits": {"alibaba:CreateImage": 5}},
        "accounts": [{"id": "a", "provider": "alibaba", "quotas": {"snapshots_per_disk": 3},
            "resource_groups": [{"id": "g", "default": true}],
            "credentials": [{"access_key_id": "k", "secret": "s"}]}],
        "regions": [{"id": "r", "provider": "alibaba", "zones": ["z"]}],
        "instances": [{"id": "i", "account": "a", "region": "r", "zone": "z"}],
        "disks": [{"id": "d", "account": "a", "region": "r", "zone": "z", "type": "system", "instance": "i"}],
        "snapshots": [{"id": "s", "account": "a", "region": "r", "disk": "d", "tags": {"team": "x"}}],
        "images": [{"id": "m", "account": "a", "region": "r", "name": "n", "source_instance": "i"}],
        "snapshot_policies": [{"id": "p", "account": "a", "region": "r", "time_points": [1], "disks": ["d"]}],
        "faults": [{"dialect": "alibaba", "action": "CreateSnapshot", "resource": "d", "code": "X"}]
    })
}

fn refusal(change: impl FnOnce(&mut Value)) -> WorldError {
    let mut v = small();
    change(&mut v);
    parse(&v.to_string(), now()).expect_err("the world should be refused")
}

/// The refusal of `small()` changed by `change` is at `path` and its problem starts with `problem`.
#[track_caller]
fn assert_refused(change: impl FnOnce(&mut Value), path: &str, problem: &str) {
    let e = refusal(change);
    assert_eq!(e.path, path, "{e}");
    assert!(e.problem.starts_with(problem), "{e}\n  expected the problem to start with: {problem}");
}

fn at<'v>(v: &'v mut Value, pointer: &str) -> &'v mut Value {
    v.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer} is in the small world"))
}

/// A JSON pointer written as a refusal writes a path: `/accounts/0/id` is `accounts[0].id`.
fn path_of(pointer: &str) -> String {
    let mut path = String::new();
    for part in pointer.split('/').skip(1) {
        match part.parse::<usize>() {
            Ok(i) => path.push_str(&format!("[{i}]")),
            Err(_) if path.is_empty() => path.push_str(part),
            Err(_) => path.push_str(&format!(".{part}")),
        }
    }
    path
}

/// Sets the value at `pointer`, adding the field to its object if it is not there.
fn set(v: &mut Value, pointer: &str, value: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    match at(v, parent) {
        Value::Array(items) => items[last.parse::<usize>().unwrap()] = value,
        object => object[last] = value,
    }
}

#[test]
fn the_small_world_parses() {
    let w = parse(&small().to_string(), now()).expect("small world");
    assert_eq!(w.settings.rate_limits.get("alibaba:CreateImage"), Some(&5));
    assert_eq!(w.settings.timings.image_seconds, 3, "the default for a field left out");
    assert_eq!((w.accounts[0].quotas.snapshots_per_disk, w.accounts[0].quotas.images_per_region), (3, 100));
    assert_eq!(w.disks[0].faults.len(), 1);
    assert_eq!(w.disks[0].status, DiskStatus::InUse);
    assert_eq!(w.snapshots[0].tags, vec![Tag { key: "team".into(), value: "x".into() }]);
    assert_eq!(w.images[0].zone.as_deref(), Some("z"));
}

#[test]
fn null_is_an_absent_optional_field() {
    let mut v = small();
    for (pointer, field) in [
        ("", "settings"),
        ("", "faults"),
        ("/settings", "timings"),
        ("/accounts/0", "quotas"),
        ("/instances/0", "status"),
        ("/disks/0", "instance"),
        ("/snapshots/0", "tags"),
        ("/snapshot_policies/0", "repeat_weekdays"),
    ] {
        at(&mut v, pointer)[field] = Value::Null;
    }
    let w = parse(&v.to_string(), now()).expect("nulls are defaults");
    assert_eq!(w.settings.timings.snapshot_seconds, 2);
    assert_eq!(w.instances[0].status, InstanceStatus::Running);
    assert_eq!(w.disks[0].status, DiskStatus::Available, "no instance: available");
    assert_eq!(w.snapshot_policies[0].repeat_weekdays, vec![1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn unknown_fields_are_refused_in_every_object() {
    for (pointer, path) in [
        ("", "colour"),
        ("/settings", "settings.colour"),
        ("/settings/timings", "settings.timings.colour"),
        ("/accounts/0", "accounts[0].colour"),
        ("/accounts/0/quotas", "accounts[0].quotas.colour"),
        ("/accounts/0/resource_groups/0", "accounts[0].resource_groups[0].colour"),
        ("/accounts/0/credentials/0", "accounts[0].credentials[0].colour"),
        ("/regions/0", "regions[0].colour"),
        ("/instances/0", "instances[0].colour"),
        ("/disks/0", "disks[0].colour"),
        ("/snapshots/0", "snapshots[0].colour"),
        ("/images/0", "images[0].colour"),
        ("/snapshot_policies/0", "snapshot_policies[0].colour"),
        ("/faults/0", "faults[0].colour"),
    ] {
        assert_refused(
            |v| at(v, pointer)["colour"] = "red".into(),
            path,
            "unknown field `colour`, expected ",
        );
    }
}

#[test]
fn wrong_types_are_refused_with_what_was_expected() {
    let cases: [(&str, Value, &str, &str); 12] = [
        ("/accounts", json!({}), "accounts", "invalid type: map, expected a sequence"),
        (
            "/accounts/0",
            json!(["a", "alibaba"]),
            "accounts[0]",
            "invalid type: sequence, expected an account object",
        ),
        ("/settings", json!([]), "settings", "invalid type: sequence, expected an object"),
        (
            "/settings/timings/snapshot_seconds",
            json!("2"),
            "",
            "invalid type: string \"2\", expected a non-negative integer",
        ),
        (
            "/settings/rate_limits",
            json!([]),
            "",
            "invalid type: sequence, expected an object of \"dialect:Action\"",
        ),
        (
            "/disks/0/size_gb",
            json!(1.5),
            "",
            "invalid type: floating point `1.5`, expected an integer in 0..=4294967295",
        ),
        ("/instances/0/gpu", json!("yes"), "", "invalid type: string \"yes\", expected a boolean"),
        ("/regions/0/zones", json!("z"), "", "invalid type: string \"z\", expected a sequence"),
        ("/snapshots/0/tags", json!(["x"]), "", "invalid type: sequence, expected an object of key: value"),
        (
            "/snapshots/0/tags/team",
            json!(1),
            "snapshots[0].tags.team",
            "invalid type: integer `1`, expected a string",
        ),
        ("/disks/0/id", Value::Null, "", "invalid type: null, expected a string"),
        ("/snapshots/0/created_at", json!(-1), "", "invalid type: integer `-1`, expected a string"),
    ];
    for (pointer, value, path, problem) in cases {
        // The path is the pointer's unless given.
        let path = if path.is_empty() { path_of(pointer) } else { path.to_string() };
        assert_refused(|v| set(v, pointer, value), &path, problem);
    }
}

#[test]
fn a_missing_required_field_is_named_by_its_own_path() {
    for (pointer, field) in [
        ("/accounts/0", "provider"),
        ("/accounts/0", "credentials"),
        ("/accounts/0/credentials/0", "secret"),
        ("/regions/0", "zones"),
        ("/instances/0", "zone"),
        ("/disks/0", "type"),
        ("/snapshots/0", "disk"),
        ("/images/0", "name"),
        ("/snapshot_policies/0", "time_points"),
        ("/faults/0", "code"),
    ] {
        let path = path_of(&format!("{pointer}/{field}"));
        assert_refused(
            |v| _ = at(v, pointer).as_object_mut().unwrap().remove(field),
            &path,
            "required field is missing",
        );
    }
    assert_refused(
        |v| _ = v.as_object_mut().unwrap().remove("version"),
        "version",
        "required field is missing",
    );
}

#[test]
fn unknown_names_are_refused_listing_the_known_ones() {
    for (pointer, problem) in [
        ("/accounts/0/provider", "unknown provider \"bad\" (expected one of alibaba, tencent, zenlayer)"),
        ("/regions/0/provider", "unknown provider \"bad\""),
        ("/settings/auth", "unknown auth mode \"bad\" (expected one of strict, off)"),
        ("/instances/0/status", "unknown status \"bad\" (expected one of pending, starting, running,"),
        ("/instances/0/os", "unknown os \"bad\" (expected one of linux, windows)"),
        (
            "/instances/0/stopped_mode",
            "unknown stopped mode \"bad\" (expected one of keep_charging, stop_charging)",
        ),
        ("/disks/0/type", "unknown disk type \"bad\" (expected one of system, data)"),
        ("/disks/0/status", "unknown disk status \"bad\" (expected one of in_use, available,"),
        ("/disks/0/billing", "unknown billing state \"bad\" (expected one of ok, expired, arrears)"),
        ("/snapshots/0/source_disk_type", "unknown disk type \"bad\""),
        (
            "/snapshots/0/status",
            "unknown snapshot status \"bad\" (expected one of progressing, accomplished, failed)",
        ),
        ("/images/0/status", "unknown image status \"bad\" (expected one of available, creating, failed)"),
    ] {
        assert_refused(|v| set(v, pointer, "bad".into()), &path_of(pointer), problem);
    }
    // Names are spelled exactly.
    assert_refused(
        |v| v["instances"][0]["status"] = "Running".into(),
        "instances[0].status",
        "unknown status \"Running\"",
    );
}

#[test]
fn numbers_out_of_range_are_refused() {
    for (pointer, value, problem) in [
        (
            "/snapshot_policies/0/time_points/0",
            json!(24),
            "invalid value: integer `24`, expected an integer in 0..=23",
        ),
        (
            "/snapshot_policies/0/repeat_weekdays",
            json!([7, 0]),
            "invalid value: integer `0`, expected an integer in 1..=7",
        ),
        (
            "/snapshot_policies/0/utc_offset_hours",
            json!(-13),
            "invalid value: integer `-13`, expected an integer in -12..=14",
        ),
        (
            "/snapshot_policies/0/retention_days",
            json!(-2),
            "invalid value: integer `-2`, expected an integer in -1..=65536",
        ),
        (
            "/snapshots/0/retention_days",
            json!(0),
            "invalid value: integer `0`, expected an integer in 1..=65536",
        ),
        ("/snapshots/0/progress", json!(100), "invalid value: integer `100`, expected an integer in 0..=99"),
        (
            "/disks/0/size_gb",
            json!(1u64 << 32),
            "invalid value: integer `4294967296`, expected an integer in 0..=4294967295",
        ),
        (
            "/accounts/0/quotas/images_per_region",
            json!(-1),
            "invalid value: integer `-1`, expected an integer in 0..=",
        ),
        (
            "/settings/rate_limits/alibaba:CreateImage",
            json!(-1),
            "invalid value: integer `-1`, expected an integer in 0..=",
        ),
    ] {
        let mut path = path_of(pointer);
        if pointer.ends_with("repeat_weekdays") {
            path.push_str("[1]");
        }
        assert_refused(|v| set(v, pointer, value), &path, problem);
    }
}

#[test]
fn times_are_rfc3339_or_relative() {
    assert_refused(
        |v| v["snapshots"][0]["created_at"] = "yesterday".into(),
        "snapshots[0].created_at",
        "bad time \"yesterday\" (expected RFC 3339 or a relative time like -30m, +2h, -400d)",
    );
    assert_refused(
        |v| v["disks"][0]["data_loaded_at"] = "-99999999999d".into(),
        "disks[0].data_loaded_at",
        "time \"-99999999999d\" is more than 100000 years from now",
    );
}

/// A change to the small world.
type Change = fn(&mut Value);

#[test]
fn each_cross_reference_is_checked() {
    let cases: [(Change, &str, &str); 14] = [
        (|v| v["regions"][0]["id"] = "".into(), "regions[0].id", "must not be empty"),
        (
            |v| v["images"][0]["id"] = "d".into(),
            "images[0].id",
            "id \"d\" is used twice in this world (also at disks[0].id)",
        ),
        (
            |v| v["accounts"][0]["credentials"] = json!([]),
            "accounts[0].credentials",
            "expected a non-empty list",
        ),
        (
            |v| v["accounts"][0]["credentials"][0]["secret"] = "".into(),
            "accounts[0].credentials[0].secret",
            "must not be empty",
        ),
        (
            |v| {
                v["accounts"].as_array_mut().unwrap().push(json!({"id": "b", "provider": "alibaba",
                "credentials": [{"access_key_id": "k2", "secret": "s"}, {"access_key_id": "k", "secret": "s"}]}))
            },
            "accounts[1].credentials[1].access_key_id",
            "access key \"k\" is given twice (also at accounts[0].credentials[0].access_key_id)",
        ),
        (|v| v["disks"][0]["account"] = "b".into(), "disks[0].account", "no account \"b\" in this world"),
        (
            |v| v["instances"][0]["region"] = "q".into(),
            "instances[0].region",
            "no region \"q\" in this world",
        ),
        (
            |v| {
                v["regions"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "r2", "provider": "tencent", "zones": ["z"]}));
                v["snapshot_policies"][0]["region"] = "r2".into();
            },
            "snapshot_policies[0].region",
            "region \"r2\" belongs to another provider than account \"a\"",
        ),
        (|v| v["disks"][0]["zone"] = "q".into(), "disks[0].zone", "zone \"q\" is not a zone of region \"r\""),
        (
            |v| {
                v["images"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "m2", "account": "a", "region": "r", "name": "n"}))
            },
            "images[1].name",
            "image name \"n\" is used twice in account \"a\" and region \"r\" (also at images[0].name)",
        ),
        (
            |v| v["snapshots"][0]["progress"] = 10.into(),
            "snapshots[0].progress",
            "only a snapshot with status \"progressing\"",
        ),
        (
            |v| v["snapshot_policies"][0]["retention_days"] = 0.into(),
            "snapshot_policies[0].retention_days",
            "must be -1",
        ),
        (
            |v| v["faults"][0]["resource"] = "nope".into(),
            "faults[0].resource",
            "no disk or instance \"nope\" in this world",
        ),
        (
            |v| v["settings"]["signature_max_skew_seconds"] = 86_401.into(),
            "settings.signature_max_skew_seconds",
            "86401 is over 86400 (one day)",
        ),
    ];
    for (change, path, problem) in cases {
        assert_refused(change, path, problem);
    }
    // A progress with its status, and a fault on an instance, are fine.
    let mut v = small();
    v["snapshots"][0]["status"] = "progressing".into();
    v["snapshots"][0]["progress"] = 10.into();
    v["faults"][0]["resource"] = "i".into();
    let w = parse(&v.to_string(), now()).unwrap();
    assert_eq!((w.snapshots[0].stuck_at, w.instances[0].faults.len()), (Some(10), 1));
}

#[test]
fn a_key_given_twice_is_refused() {
    let e = parse(r#"{"version":1,"settings":{"auth":"off","auth":"strict"}}"#, now()).unwrap_err();
    assert_eq!(e.path, "settings.auth", "{e}");
    assert!(e.problem.starts_with("given twice in this object"), "{e}");
    let e = parse(r#"{"version":1,"settings":{"rate_limits":{"a:B":1,"a:B":2}}}"#, now()).unwrap_err();
    assert_eq!(e.path, "settings.rate_limits.a:B", "{e}");
    assert!(e.problem.starts_with("key \"a:B\" is given twice in this object"), "{e}");
}

#[test]
fn the_document_itself() {
    for (text, expected) in [
        ("[]", "(document): invalid type: sequence, expected a world object"),
        ("null", "(document): invalid type: null, expected a world object"),
        (r#"{"version":1} x"#, "(document): not valid JSON: trailing characters"),
        (r#"{"version":2,"colour":"red"}"#, "version: unsupported version 2 (this is format version 1)"),
        (r#"{"colour":"red","version":1}"#, "colour: unknown field `colour`"),
    ] {
        let got = parse(text, now()).unwrap_err().to_string();
        assert!(got.starts_with(expected), "{text}\n  got: {got}\n  expected: {expected}");
    }
}

#[test]
fn a_refusal_gives_the_line_of_the_bad_field() {
    let line = REFERENCE_WORLD.lines().position(|l| l.contains("\"i-ali-stopped\"")).unwrap() + 1;
    let text = REFERENCE_WORLD.replacen("\"i-ali-stopped\",", "\"i-ali-stopped\", \"colour\": 1,", 1);
    let e = parse(&text, now()).unwrap_err();
    assert!(e.path.ends_with("].colour"), "{e}");
    assert!(e.problem.contains(&format!(" at line {line} column ")), "{e}");
}
