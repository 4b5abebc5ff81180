use super::*;
use serde_json::Value;

mod refusals;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn refused(text: &str) -> String {
    parse(text, now()).expect_err("the world should be refused").to_string()
}

#[test]
fn the_reference_world_parses_with_its_defaults() {
    let w = parse(REFERENCE_WORLD, now()).expect("reference world");
    assert_eq!(w.settings.timings.snapshot_seconds, 2);
    let quota = w.accounts.iter().find(|a| a.id == "acct-ali-quota").unwrap();
    assert_eq!(quota.quotas.snapshots_per_disk, 2);
    assert_eq!(quota.quotas.images_per_region, 1);
    let tc = w.accounts.iter().find(|a| a.id == "acct-tc").unwrap();
    assert_eq!(tc.quotas.images_per_region, 10);
    let loading = w.disks.iter().find(|d| d.id == "d-ali-loading").unwrap();
    assert_eq!(loading.data_loaded_at, now() - chrono::Duration::minutes(10));
    let unattached = w.disks.iter().find(|d| d.id == "d-ali-neverattached").unwrap();
    assert_eq!(unattached.status, DiskStatus::Available);
    let quota_disk = w.disks.iter().find(|d| d.id == "d-ali-quota-data").unwrap();
    assert_eq!(quota_disk.snapshot_count, 2);
    let busy = w.disks.iter().find(|d| d.id == "d-ali-running-sys").unwrap();
    assert_eq!(busy.busy_until, Some(domain::forever()), "s-ali-progressing keeps its disk busy");
    let fails = w.disks.iter().find(|d| d.id == "d-ali-fails").unwrap();
    assert_eq!(fails.faults[0].code, "CreateSnapshot.Failed");
    let cdu = w.instances.iter().find(|i| i.id == "ins-tc-cdu").unwrap();
    assert_eq!(cdu.faults.len(), 1);
    let old = w.snapshots.iter().find(|s| s.id == "s-ali-2012").unwrap();
    assert_eq!(old.created_at.to_rfc3339(), "2012-06-01T00:00:00+00:00");
    assert_eq!(w.credentials.len(), w.accounts.len());
}

#[test]
fn a_bad_field_is_named_by_its_path() {
    let mut v: Value = serde_json::from_str(REFERENCE_WORLD).unwrap();
    v["instances"][3]["status"] = "runing".into();
    let got = refused(&v.to_string());
    let expected = "instances[3].status: unknown status \"runing\" (expected one of pending, starting, running, stopping, stopped, rebooting, terminating) at line 1 column ";
    assert!(got.starts_with(expected), "{got}");
}

#[test]
fn malformed_worlds_are_refused_with_paths() {
    let cases = [
        (r#"{"version":2}"#, "version: unsupported version 2"),
        (
            r#"{"version":1,"accounts":[{"id":"a","provider":"aws","credentials":[]}]}"#,
            "accounts[0].provider: unknown provider \"aws\"",
        ),
        (
            r#"{"version":1,"accounts":[{"id":"a","provider":"alibaba"}]}"#,
            "accounts[0].credentials: required field is missing",
        ),
        (r#"{"version":1,"disks":[{"id":"d"}]}"#, "disks[0].account: required field is missing"),
        (
            r#"{"version":1,"settings":{"timings":{"snapshot_seconds":-1}}}"#,
            "settings.timings.snapshot_seconds: invalid value: integer `-1`, expected a non-negative integer",
        ),
        (r#"{"version":1,"settings":{"colour":"red"}}"#, "settings.colour: unknown field"),
        (r#"{"version":1,"settings":{"auth":"lax"}}"#, "settings.auth: unknown auth mode \"lax\""),
        ("{not json", "(document): not valid JSON"),
    ];
    for (text, expected) in cases {
        let got = refused(text);
        assert!(got.starts_with(expected), "{text}\n  got: {got}\n  expected: {expected}");
    }
}

#[test]
fn cross_references_are_checked() {
    let base = r#"{"version":1,
        "accounts":[{"id":"a","provider":"alibaba","credentials":[{"access_key_id":"k","secret":"s"}]}],
        "regions":[{"id":"r","provider":"alibaba","zones":["z"]}],"#;
    let bad_zone = format!(r#"{base}"instances":[{{"id":"i","account":"a","region":"r","zone":"q"}}]}}"#);
    assert!(refused(&bad_zone).starts_with("instances[0].zone: zone \"q\" is not a zone of region \"r\""));
    let bad_account =
        format!(r#"{base}"disks":[{{"id":"d","account":"b","region":"r","zone":"z","type":"data"}}]}}"#);
    assert!(refused(&bad_account).starts_with("disks[0].account: no account \"b\""));
    let dup =
        format!(r#"{base}"disks":[{{"id":"a","account":"a","region":"r","zone":"z","type":"data"}}]}}"#);
    assert!(refused(&dup).starts_with("disks[0].id: id \"a\" is used twice"));
    let bad_fault = format!(
        r#"{base}"faults":[{{"dialect":"alibaba","action":"CreateSnapshot","resource":"nope","code":"X"}}]}}"#
    );
    assert!(refused(&bad_fault).starts_with("faults[0].resource: no disk or instance \"nope\""));
    let fault = |dialect: &str, action: &str| {
        format!(
            r#"{base}"faults":[{{"dialect":"{dialect}","action":"{action}","resource":"nope","code":"X"}}]}}"#
        )
    };
    let misspelt = refused(&fault("alibaba", "CreateSnapshots"));
    assert!(
        misspelt.starts_with("faults[0].action: alibaba serves no action \"CreateSnapshots\""),
        "{misspelt}"
    );
    let no_dialect = refused(&fault("aliyun", "CreateSnapshot"));
    assert!(no_dialect.starts_with("faults[0].action: unknown dialect \"aliyun\""), "{no_dialect}");
    // Another dialect's action, and the scheduler's name, which every dialect has.
    assert!(refused(&fault("zenlayer", "DeleteImage")).starts_with("faults[0].action: zenlayer serves no"));
    assert!(refused(&fault("tencent", "AutoSnapshot")).starts_with("faults[0].resource"));
    let limits = |key: &str| format!(r#"{{"version":1,"settings":{{"rate_limits":{{"{key}":5}}}}}}"#);
    let bad_limit = refused(&limits("tencent:CreateImages"));
    assert!(
        bad_limit.starts_with("settings.rate_limits.tencent:CreateImages: tencent serves no"),
        "{bad_limit}"
    );
    assert!(
        refused(&limits("CreateImage")).starts_with("settings.rate_limits.CreateImage: not dialect:Action")
    );
}

#[test]
fn relative_and_absolute_times() {
    let t = |s: &str| parse_time("t", s, now());
    assert_eq!(t("-30m").unwrap(), now() - chrono::Duration::minutes(30));
    assert_eq!(t("+2h").unwrap(), now() + chrono::Duration::hours(2));
    assert_eq!(t("-400d").unwrap(), now() - chrono::Duration::days(400));
    assert_eq!(t("-5s").unwrap(), now() - chrono::Duration::seconds(5));
    assert!(t("2012-06-01T00:00:00Z").is_ok());
    for bad in ["30m", "-m", "-3w", "yesterday", "", "+-5d", "-5.5d", "- 5d", "-99999999999999d"] {
        assert!(t(bad).is_err(), "{bad}");
    }
}

#[test]
fn image_names_are_unique_per_account_and_region() {
    let text = reference_with_images(
        r#"[{"id":"m-1","account":"acct-ali","region":"cn-hangzhou","name":"x"},
        {"id":"m-2","account":"acct-ali","region":"cn-hangzhou","name":"x"}]"#,
    );
    assert!(refused(&text).starts_with("images[1].name: image name \"x\" is used twice"));
}

fn reference_with_images(images: &str) -> String {
    let mut v: Value = serde_json::from_str(REFERENCE_WORLD).unwrap();
    v["images"] = serde_json::from_str(images).unwrap();
    v.to_string()
}

#[test]
fn world_images_have_disks() {
    let w = parse(REFERENCE_WORLD, now()).unwrap();
    let golden = w.images.iter().find(|i| i.id == "m-ali-golden").unwrap();
    let disks: Vec<(&str, u32)> = golden.disks.iter().map(|d| (d.device.as_str(), d.size_gb)).collect();
    assert_eq!(disks, vec![("/dev/xvda", 40), ("/dev/xvdb", 200)], "the disks of i-ali-stopped");
    let filler = w.images.iter().find(|i| i.id == "m-ali-quota").unwrap();
    assert_eq!(filler.size_gb(), 40);
}

#[test]
fn a_disk_made_from_a_snapshot_and_an_instance_of_an_image_are_linked_both_ways() {
    let mut v: Value = serde_json::from_str(REFERENCE_WORLD).unwrap();
    let disk = v["disks"].as_array().unwrap().iter().position(|d| d["id"] == "d-ali-running-data").unwrap();
    let instance =
        v["instances"].as_array().unwrap().iter().position(|i| i["id"] == "i-ali-running").unwrap();
    v["disks"][disk]["source_snapshot"] = "s-ali-data".into();
    v["instances"][instance]["image"] = "m-ali-golden".into();
    let w = parse(&v.to_string(), now()).expect("linked world");
    let snapshot = w.snapshots.iter().find(|s| s.id == "s-ali-data").unwrap();
    assert_eq!(snapshot.disk_ids, vec!["d-ali-running-data".to_string()]);
    let image = w.images.iter().find(|i| i.id == "m-ali-golden").unwrap();
    assert_eq!(image.instance_ids, vec!["i-ali-running".to_string()]);

    // A link to what is not the owner's, in the region, in the world, is refused by its path.
    v["disks"][disk]["source_snapshot"] = "s-ali-quota-1".into();
    assert!(refused(&v.to_string())
        .starts_with(&format!("disks[{disk}].source_snapshot: no snapshot \"s-ali-quota-1\"")));
    v["disks"][disk]["source_snapshot"] = "s-ali-data".into();
    v["instances"][instance]["image"] = "m-nowhere".into();
    assert!(
        refused(&v.to_string()).starts_with(&format!("instances[{instance}].image: no image \"m-nowhere\""))
    );
}
