//! The snapshot actions' parameters (ZEC CreateSnapshot, DescribeSnapshots, DeleteSnapshots,
//! ModifySnapshotsAttribute), checked by their pages and SDK models, into domain commands and
//! queries.

use super::params::{choice, paging, required_ids, MAX_DESCRIBED_IDS};
use super::wire::ZlRequest;
use crate::json_params::Params;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use domain::modify::Lifetime;
use domain::snapshot::CreateSnapshot;
use domain::text::NameRule;
use domain::{DomainError, DomainResult, Field};

/// snapshotName: 2–63 characters, starting and ending with a letter or a digit; letters,
/// digits, `-` and `.`.
pub const SNAPSHOT_NAME: NameRule = NameRule {
    min: 2,
    max: 63,
    first: |c| c.is_ascii_alphanumeric(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'),
    refused_prefixes: &[],
};

/// CreateSnapshot: diskId, snapshotName, retentionTime (`yyyy-MM-ddTHH:mm:ssZ`, at least 24 hours
/// ahead; the snapshot is released then). The same in both versions.
pub fn create_snapshot(zl: &ZlRequest, now: DateTime<Utc>) -> DomainResult<CreateSnapshot> {
    let p = Params::of(&zl.params, &["diskId", "snapshotName", "retentionTime"])?;
    let disk_id = p.required("diskId")?;
    let name = snapshot_name(p.required("snapshotName")?)?;
    let deadline = retention_time(&p, now)?;
    Ok(CreateSnapshot { name: Some(name), deadline, ..CreateSnapshot::new(disk_id) })
}

/// A snapshot name by [`SNAPSHOT_NAME`], ending with a letter or a digit too.
pub fn snapshot_name(name: String) -> DomainResult<String> {
    let ends_well = name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if !SNAPSHOT_NAME.accepts(&name) || !ends_well {
        return Err(DomainError::Malformed(Field::SnapshotName));
    }
    Ok(name)
}

/// `retentionTime`, when given: exactly `yyyy-MM-ddTHH:mm:ssZ` (the parser alone would take a
/// signed, six-digit year), "24 hours after the current time" at least.
pub fn retention_time(p: &Params<'_>, now: DateTime<Utc>) -> DomainResult<Option<DateTime<Utc>>> {
    let Some(t) = p.string("retentionTime")?.filter(|t| !t.is_empty()) else { return Ok(None) };
    match NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%SZ") {
        Ok(at)
            if t.len() == 20
                && t.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && at.and_utc() >= now + Duration::hours(24) =>
        {
            Ok(Some(at.and_utc()))
        }
        _ => Err(DomainError::Malformed(Field::RetentionTime)),
    }
}

pub const SNAPSHOT_STATUSES: [&str; 5] = ["CREATING", "AVAILABLE", "FAILED", "ROLLING_BACK", "DELETING"];

/// DescribeSnapshots: the filters of its SDK model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DescribeSnapshots {
    pub snapshot_ids: Option<Vec<String>>,
    pub zone: Option<String>,
    pub status: Option<String>,
    pub disk_ids: Option<Vec<String>>,
    pub disk_type: Option<String>,
    pub snapshot_type: Option<String>,
    pub name: Option<String>,
    pub resource_group_id: Option<String>,
    pub page_num: usize,
    pub page_size: usize,
}

pub fn describe_snapshots(zl: &ZlRequest) -> DomainResult<DescribeSnapshots> {
    let known = [
        "snapshotIds",
        "zoneId",
        "status",
        "diskIds",
        "diskType",
        "snapshotType",
        "snapshotName",
        "pageSize",
        "pageNum",
        "resourceGroupId",
    ];
    let p = Params::of(&zl.params, &known)?;
    let (page_num, page_size) = paging(&p)?;
    Ok(DescribeSnapshots {
        snapshot_ids: p.ids("snapshotIds", MAX_DESCRIBED_IDS)?,
        zone: p.string("zoneId")?.filter(|z| !z.is_empty()),
        status: choice(&p, "status", &SNAPSHOT_STATUSES)?,
        disk_ids: p.ids("diskIds", MAX_DESCRIBED_IDS)?,
        disk_type: choice(&p, "diskType", &["SYSTEM", "DATA"])?,
        snapshot_type: choice(&p, "snapshotType", &["Auto", "Manual"])?,
        name: p.string("snapshotName")?.filter(|n| !n.is_empty()),
        resource_group_id: p.string("resourceGroupId")?.filter(|g| !g.is_empty()),
        page_num,
        page_size,
    })
}

/// DeleteSnapshots: `snapshotIds`.
pub fn delete_snapshots(zl: &ZlRequest) -> DomainResult<Vec<String>> {
    required_ids(&Params::of(&zl.params, &["snapshotIds"])?, "snapshotIds")
}

/// ModifySnapshotsAttribute: a new name, or a new release time, for snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct ModifySnapshots {
    pub ids: Vec<String>,
    pub name: Option<String>,
    pub lifetime: Option<Lifetime>,
}

/// `snapshotIds`, and at least one of `snapshotName`, `retentionTime` (at least 24 hours ahead)
/// and `isPermanent`. "If you want to change it to indefinite retention, please set isPermanent =
/// true": `true` with a time contradicts it; `false` without one says nothing. Both versions take
/// all four (the 2024-04-01 SDK model lists the first two, the Go SDK and Terraform send all).
pub fn modify_snapshots(zl: &ZlRequest, now: DateTime<Utc>) -> DomainResult<ModifySnapshots> {
    let p = Params::of(&zl.params, &["snapshotIds", "snapshotName", "retentionTime", "isPermanent"])?;
    let ids = required_ids(&p, "snapshotIds")?;
    let name = p.string("snapshotName")?.filter(|n| !n.is_empty()).map(snapshot_name).transpose()?;
    let until = retention_time(&p, now)?;
    let lifetime = match (p.boolean("isPermanent")?, until) {
        (Some(true), Some(_)) => {
            return Err(DomainError::ParameterConflict("isPermanent, retentionTime".into()))
        }
        (Some(true), None) => Some(Lifetime::Permanent),
        (Some(false), None) => {
            return Err(DomainError::DependsOn {
                name: "isPermanent=false".into(),
                on: "retentionTime".into(),
            })
        }
        (_, Some(at)) => Some(Lifetime::Until(at)),
        (None, None) => None,
    };
    if name.is_none() && lifetime.is_none() {
        return Err(DomainError::OneOfRequired("snapshotName, retentionTime, isPermanent".into()));
    }
    Ok(ModifySnapshots { ids, name, lifetime })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn zl(body: Value) -> ZlRequest {
        ZlRequest::of_body(body)
    }

    fn at(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    #[test]
    fn snapshot_rules() {
        let now = Utc::now();
        let later = (now + Duration::hours(25)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let soon = (now + Duration::hours(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let cmd =
            create_snapshot(&zl(json!({"diskId": "d", "snapshotName": "s-1", "retentionTime": later})), now)
                .unwrap();
        assert!(cmd.deadline.is_some());
        assert!(create_snapshot(
            &zl(json!({"diskId": "d", "snapshotName": "s-1", "retentionTime": soon})),
            now
        )
        .is_err());
        assert!(create_snapshot(&zl(json!({"diskId": "d", "snapshotName": "s-"})), now).is_err());
        for odd in [
            "+262142-12-31T23:59:59Z",
            "2999-12-31T23:59:59.5Z",
            "2999-12-31 23:59:59Z",
            " 2999-12-31T23:59:59Z",
        ] {
            let body = json!({"diskId": "d", "snapshotName": "s-1", "retentionTime": odd});
            assert!(create_snapshot(&zl(body), now).is_err(), "{odd}");
        }
    }

    #[test]
    fn describe_id_lists_take_at_most_a_hundred() {
        let ids = |n: usize| (0..n).map(|i| i.to_string()).collect::<Vec<_>>();
        let refused = |r: DomainResult<()>, name: &str| {
            assert!(
                matches!(r, Err(DomainError::InvalidParameter { name: ref n, .. }) if n == name),
                "{name}: {r:?}"
            );
        };
        assert!(describe_snapshots(&zl(json!({"snapshotIds": ids(100)}))).is_ok());
        refused(describe_snapshots(&zl(json!({"snapshotIds": ids(5_000)}))).map(drop), "snapshotIds");
        refused(describe_snapshots(&zl(json!({"diskIds": ids(101)}))).map(drop), "diskIds");
    }

    #[test]
    fn delete_id_lists() {
        let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        assert_eq!(
            delete_snapshots(&zl(json!({"snapshotIds": []}))),
            Err(DomainError::missing("snapshotIds"))
        );
        assert!(delete_snapshots(&zl(json!({"snapshotIds": many}))).is_err());
        assert!(delete_snapshots(&zl(json!({"snapshotIds": [""]}))).is_err());
    }

    #[test]
    fn snapshot_lifetimes() {
        let now = Utc::now();
        let later = at(now + Duration::hours(25));
        let m = |b: Value| modify_snapshots(&zl(b), now);
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "isPermanent": true})).unwrap().lifetime,
            Some(Lifetime::Permanent)
        );
        let until = m(json!({"snapshotIds": ["1"], "retentionTime": later})).unwrap().lifetime;
        assert!(matches!(until, Some(Lifetime::Until(_))));
        assert!(m(json!({"snapshotIds": ["1"], "retentionTime": later, "isPermanent": false})).is_ok());
        assert!(matches!(
            m(json!({"snapshotIds": ["1"], "retentionTime": later, "isPermanent": true})),
            Err(DomainError::ParameterConflict(_))
        ));
        assert!(matches!(
            m(json!({"snapshotIds": ["1"], "isPermanent": false})),
            Err(DomainError::DependsOn { .. })
        ));
        assert!(matches!(m(json!({"snapshotIds": ["1"]})), Err(DomainError::OneOfRequired(_))));
        let soon = at(now + Duration::hours(2));
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "retentionTime": soon})),
            Err(DomainError::Malformed(Field::RetentionTime))
        );
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "snapshotName": "ab-"})),
            Err(DomainError::Malformed(Field::SnapshotName))
        );
        assert_eq!(
            m(json!({"snapshotIds": ["1"], "snapshotName": "ab"})).unwrap().name.as_deref(),
            Some("ab")
        );
    }
}
