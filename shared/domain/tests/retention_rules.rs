//! When a snapshot is released (ECS API reference, CreateSnapshot: RetentionDays; CBS API,
//! CreateSnapshot: Deadline; ZEC API, CreateSnapshot: retentionTime), how far a snapshot has got,
//! and the name rule that keeps automatic snapshots' names for the provider (ECS API reference,
//! CreateSnapshot: SnapshotName cannot start with auto).

mod common;

use chrono::{Duration, NaiveDate};
use common::{now, snapshot};
use domain::schedule::{expired, Slot};
use domain::text::NameRule;
use domain::{DiskType, Progress};

/// Per row: retention days, deadline (from now), images made from it, age; when it expires
/// (from now) and whether it is released now.
#[test]
fn retention_rules() {
    let h = Duration::hours;
    let table = [
        ("kept for ever", None, None, false, h(24 * 400), None, false),
        ("7 days, 6 days old", Some(7), None, false, h(24 * 6), Some(h(24)), false),
        ("7 days, 7 days old", Some(7), None, false, h(24 * 7), Some(h(0)), true),
        ("7 days, 8 days old", Some(7), None, false, h(24 * 8), Some(h(-24)), true),
        ("7 days passed, an image made from it", Some(7), None, true, h(24 * 8), Some(h(-24)), false),
        ("deadline later", None, Some(h(1)), false, h(1), Some(h(1)), false),
        ("deadline now", None, Some(h(0)), false, h(1), Some(h(0)), true),
        ("deadline over retention", Some(1), Some(h(1)), false, h(24 * 8), Some(h(1)), false),
        ("deadline passed, an image made from it", None, Some(h(-1)), true, h(2), Some(h(-1)), false),
    ];
    for (name, days, deadline, imaged, age, expires_in, released) in table {
        let mut s = snapshot("s-1", DiskType::Data, 100);
        s.created_at = now() - age;
        s.retention_days = days;
        s.deadline = deadline.map(|d| now() + d);
        if imaged {
            s.image_ids = vec!["m-1".into()];
        }
        assert_eq!(s.expires_at(), expires_in.map(|d| now() + d), "{name}");
        assert_eq!(expired(&s, now()), released, "{name}");
    }
}

/// Per row: seconds since it started, seconds it takes (`None`: never on its own), failed, the
/// world's stuck percentage; its state now.
#[test]
fn progress_rules() {
    let table = [
        ("just started", 0, Some(10), false, None, Progress::InProgress { percent: 0 }),
        ("half way", 5, Some(10), false, None, Progress::InProgress { percent: 50 }),
        ("a second before done", 999, Some(1000), false, None, Progress::InProgress { percent: 99 }),
        ("at its ready time", 10, Some(10), false, None, Progress::Done),
        ("after it", 11, Some(10), false, None, Progress::Done),
        ("failed", 11, Some(10), true, None, Progress::Failed),
        ("stuck", 11, None, false, Some(40), Progress::InProgress { percent: 40 }),
        ("never ready, not stuck", 11, None, false, None, Progress::InProgress { percent: 0 }),
        ("stuck, then failed", 11, None, true, Some(40), Progress::Failed),
    ];
    for (name, since, takes, failed, stuck, expected) in table {
        let mut s = snapshot("s-1", DiskType::Data, 100);
        s.created_at = now() - Duration::seconds(since);
        s.ready_at = takes.map(|t| s.created_at + Duration::seconds(t));
        (s.failed, s.stuck_at) = (failed, stuck);
        assert_eq!(s.state(now()), expected, "{name}");
    }
}

/// SnapshotName as the ECS page states it: 2–128 characters, a letter first, then letters,
/// digits, `:`, `_`, `-`; not `http(s)://`, not `auto…` (the provider's own names).
const SNAPSHOT_NAME: NameRule = NameRule {
    min: 2,
    max: 128,
    first: char::is_alphabetic,
    rest: |c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-'),
    refused_prefixes: &["auto"],
};

#[test]
fn name_rules() {
    let slot = Slot {
        policy_id: "sp-1".into(),
        date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        hour: 1,
        index: 1,
    };
    let auto = slot.snapshot_name();
    let longest = "a".repeat(128);
    let too_long = "a".repeat(129);
    let chinese_128 = "快".repeat(128);
    let table: [(&str, &str, bool); 13] = [
        ("two letters", "ab", true),
        ("one letter", "a", false),
        ("128 characters", &longest, true),
        ("129 characters", &too_long, false),
        ("128 characters of 3 bytes each", &chinese_128, true),
        ("a digit first", "1ab", false),
        ("colon, underscore, hyphen", "a:b_c-d", true),
        ("a space", "a b", false),
        ("a URL", "https://x", false),
        ("a name of an automatic snapshot", &auto, false),
        ("starting with auto", "autoscale", false),
        ("starting with autu", "autumn", true),
        ("auto later on", "my-auto", true),
    ];
    assert_eq!(auto, "auto_20260302_1");
    for (name, value, accepted) in table {
        assert_eq!(SNAPSHOT_NAME.accepts(value), accepted, "{name}: {value}");
    }
}
