//! Automatic snapshot policies: which policies are due at an instant, what their snapshots are
//! named, and when a snapshot's retention has passed.

use crate::model::{Snapshot, SnapshotPolicy};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};

/// One firing of a policy: a local date and hour among its time points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub policy_id: String,
    pub date: NaiveDate,
    pub hour: u8,
    /// 1-based position of the hour among the policy's time points (the name's last part).
    pub index: usize,
}

impl Slot {
    /// The name the provider gives automatic snapshots: `auto_<yyyymmdd>_<n>`. Names starting
    /// with `auto` are refused to callers, so these cannot be forged.
    pub fn snapshot_name(&self) -> String {
        format!("auto_{}_{}", self.date.format("%Y%m%d"), self.index)
    }

    /// The client token of this slot's snapshot of `disk`: a second delivery of the same event
    /// replays it instead of making another snapshot.
    pub fn token(&self, disk: &str) -> String {
        format!("auto/{}/{}T{:02}/{disk}", self.policy_id, self.date.format("%Y%m%d"), self.hour)
    }
}

/// The slot of `policy` that `at` falls in, if the policy fires in that hour.
pub fn due(policy: &SnapshotPolicy, at: DateTime<Utc>) -> Option<Slot> {
    let local = at + Duration::hours(i64::from(policy.utc_offset_hours));
    let weekday = local.weekday().number_from_monday() as u8;
    let hour = local.hour() as u8;
    if !policy.repeat_weekdays.contains(&weekday) {
        return None;
    }
    let mut hours = policy.time_points.clone();
    hours.sort_unstable();
    hours.dedup();
    let index = hours.iter().position(|h| *h == hour)? + 1;
    Some(Slot { policy_id: policy.id.clone(), date: local.date_naive(), hour, index })
}

/// The instants in `(from, to]` at which `policy` fires, in order, at most `limit` of them.
///
/// Computed from the policy's days and hours, not by visiting every hour: the work is
/// proportional to the firings found (a policy fires at least once a week when it fires at all),
/// however far apart `from` and `to` are.
pub fn firings(
    policy: &SnapshotPolicy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: usize,
) -> Vec<(DateTime<Utc>, Slot)> {
    let mut hours = policy.time_points.clone();
    hours.retain(|h| *h < 24);
    hours.sort_unstable();
    hours.dedup();
    let fires = !hours.is_empty() && policy.repeat_weekdays.iter().any(|d| (1..=7).contains(d));
    let mut out = Vec::new();
    if !fires || from >= to {
        return out;
    }
    let offset = Duration::hours(i64::from(policy.utc_offset_hours));
    let mut date = (from + offset).date_naive();
    let last = (to + offset).date_naive();
    while date <= last && out.len() < limit {
        let weekday = date.weekday().number_from_monday() as u8;
        if policy.repeat_weekdays.contains(&weekday) {
            for (i, hour) in hours.iter().enumerate() {
                let Some(local) = date.and_hms_opt(u32::from(*hour), 0, 0) else { continue };
                let at = local.and_utc() - offset;
                if at > from && at <= to && out.len() < limit {
                    let slot = Slot { policy_id: policy.id.clone(), date, hour: *hour, index: i + 1 };
                    out.push((at, slot));
                }
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    out
}

/// A snapshot whose retention period has passed: the provider releases it — unless an image is
/// made from it, which the providers never delete from under the image. The one visibility rule:
/// an expired snapshot is not listed, cannot make an image, and is released by the scheduler.
pub fn expired(snapshot: &Snapshot, now: DateTime<Utc>) -> bool {
    snapshot.image_ids.is_empty() && snapshot.expires_at().is_some_and(|end| end <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(points: Vec<u8>, days: Vec<u8>, offset: i8) -> SnapshotPolicy {
        SnapshotPolicy {
            id: "sp-1".into(),
            account: "a".into(),
            region: "r".into(),
            time_points: points,
            utc_offset_hours: offset,
            repeat_weekdays: days,
            retention_days: 7,
            disks: vec![],
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn firings_are_computed_not_replayed() {
        // Mondays and Thursdays at 01:00 and 13:00, UTC+8.
        let p = policy(vec![13, 1], vec![1, 4], 8);
        let (from, to) = (at("2026-11-22T00:00:00Z"), at("2026-12-06T00:00:00Z"));
        let all = firings(&p, from, to, usize::MAX);
        // The same as visiting every hour.
        let mut hourly = Vec::new();
        let mut t = from + Duration::hours(1);
        while t <= to {
            if let Some(slot) = due(&p, t) {
                hourly.push((t, slot));
            }
            t += Duration::hours(1);
        }
        assert_eq!(all, hourly);
        assert_eq!(all.len(), 8);
        assert_eq!(firings(&p, from, to, 3), hourly[..3].to_vec());
        // Ten years ask for no more work than the firings wanted.
        let started = std::time::Instant::now();
        let decade = firings(&p, at("2016-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), 64);
        assert_eq!(decade.len(), 64);
        assert!(decade.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
        // A policy without days or hours never fires.
        assert!(firings(&policy(vec![], vec![1], 0), from, to, 10).is_empty());
        assert!(firings(&policy(vec![1], vec![], 0), from, to, 10).is_empty());
    }

    #[test]
    fn slots_follow_hours_weekdays_and_offsets() {
        // 2026-11-23 is a Monday.
        let p = policy(vec![13, 1], vec![1, 2, 3, 4, 5, 6, 7], 0);
        let slot = due(&p, at("2026-11-23T13:59:00Z")).unwrap();
        assert_eq!((slot.hour, slot.index), (13, 2));
        assert_eq!(slot.snapshot_name(), "auto_20261123_2");
        assert_eq!(slot.token("d-1"), "auto/sp-1/20261123T13/d-1");
        assert!(due(&p, at("2026-11-23T12:00:00Z")).is_none());
        // UTC+8: 17:00 UTC on Monday is 01:00 on Tuesday there.
        let east = policy(vec![1], vec![2], 8);
        let slot = due(&east, at("2026-11-23T17:30:00Z")).unwrap();
        assert_eq!(slot.date.to_string(), "2026-11-24");
        assert!(
            due(&policy(vec![1], vec![1], 8), at("2026-11-23T17:30:00Z")).is_none(),
            "not on Monday there"
        );
    }
}
