//! ECS's words for what a resource is and how it stands: snapshot and image statuses, usages,
//! disk and OS types, snapshot chains and owner ids, as the Describe answers show them and their
//! filters match them.

use chrono::{DateTime, Utc};
use domain::{DiskType, Image, Os, Progress, Snapshot};
use sha2::{Digest, Sha256};

/// The chain a disk's snapshots form (one per disk here).
pub fn snapshot_link_id(s: &Snapshot) -> String {
    format!("sl-{}", s.disk_id)
}

/// A snapshot's usage: what was made from it, images, disks or both.
pub fn snapshot_usage(s: &Snapshot) -> &'static str {
    match (s.image_ids.is_empty(), s.disk_ids.is_empty()) {
        (true, true) => "none",
        (false, true) => "image",
        (true, false) => "disk",
        (false, false) => "image_disk",
    }
}

/// An image's usage: `instance` while instances run it.
pub fn image_usage(i: &Image) -> &'static str {
    if i.instance_ids.is_empty() {
        "none"
    } else {
        "instance"
    }
}

pub fn snapshot_status(p: Progress) -> &'static str {
    match p {
        Progress::InProgress { .. } => "progressing",
        Progress::Done => "accomplished",
        Progress::Failed => "failed",
    }
}

pub fn disk_type(t: DiskType) -> &'static str {
    match t {
        DiskType::System => "system",
        DiskType::Data => "data",
    }
}

pub const IMAGE_STATUSES: [&str; 6] =
    ["Creating", "Waiting", "Available", "UnAvailable", "CreateFailed", "Deprecated"];

/// Whether an image can be used at once to create an instance: one that is available.
pub fn usable(p: Progress) -> bool {
    p == Progress::Done
}

/// An image's status at `now`: an available image its owner deprecated is `Deprecated` (still
/// usable, as ModifyImageAttribute's page says).
pub fn image_status(i: &Image, now: DateTime<Utc>) -> &'static str {
    match i.state(now) {
        Progress::InProgress { .. } => "Creating",
        Progress::Done if i.deprecated => "Deprecated",
        Progress::Done => "Available",
        Progress::Failed => "CreateFailed",
    }
}

/// An account's owner id as the API shows it: a stable number derived from the account.
pub fn owner_id(account: &str) -> u64 {
    let digest = Sha256::digest(account.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().unwrap_or_default()) % 10_000_000_000_000_000
}

pub fn os_type(i: &Image) -> &'static str {
    let windows_platform = i.platform.as_deref().is_some_and(|p| p.to_ascii_lowercase().contains("windows"));
    if windows_platform || i.os == Some(Os::Windows) {
        "windows"
    } else {
        "linux"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::images::describe_images;
    use crate::alibaba::params::rpc;
    use crate::alibaba::snapshots::describe_snapshots;
    use chrono::Duration;
    use domain::DomainError;

    fn snapshot(now: DateTime<Utc>) -> Snapshot {
        Snapshot::new("s-1", "acct", "r", "d-1", DiskType::Data, 20, now - Duration::hours(1))
    }

    fn image(now: DateTime<Utc>) -> Image {
        let at = (now - Duration::hours(1)).timestamp_millis();
        serde_json::from_value(serde_json::json!({
            "id": "m-1", "account": "acct", "region": "r", "name": "n",
            "created_at": at, "ready_at": at, "failed": false,
        }))
        .unwrap()
    }

    #[test]
    fn snapshot_words() {
        assert_eq!(snapshot_status(Progress::InProgress { percent: 40 }), "progressing");
        assert_eq!(snapshot_status(Progress::Done), "accomplished");
        assert_eq!(snapshot_status(Progress::Failed), "failed");
        assert_eq!((disk_type(DiskType::System), disk_type(DiskType::Data)), ("system", "data"));
        let now = Utc::now();
        let s = snapshot(now);
        assert_eq!(snapshot_link_id(&s), "sl-d-1");
        assert_eq!(snapshot_usage(&s), "none");
        let made = |images: &[&str], disks: &[&str]| Snapshot {
            image_ids: images.iter().map(|i| i.to_string()).collect(),
            disk_ids: disks.iter().map(|d| d.to_string()).collect(),
            ..snapshot(now)
        };
        assert_eq!(snapshot_usage(&made(&["m-1"], &[])), "image");
        assert_eq!(snapshot_usage(&made(&[], &["d-2"])), "disk");
        assert_eq!(snapshot_usage(&made(&["m-1"], &["d-2"])), "image_disk");
    }

    #[test]
    fn image_words() {
        let now = Utc::now();
        let available = image(now);
        assert_eq!(image_status(&available, now), "Available");
        assert!(usable(available.state(now)));
        let deprecated = Image { deprecated: true, ..image(now) };
        assert_eq!(image_status(&deprecated, now), "Deprecated");
        let creating = Image { ready_at: Some(now + Duration::hours(1)), ..image(now) };
        assert_eq!(image_status(&creating, now), "Creating");
        assert!(!usable(creating.state(now)));
        assert_eq!(image_status(&Image { failed: true, ..image(now) }, now), "CreateFailed");
        assert_eq!(os_type(&available), "linux");
        assert_eq!(os_type(&Image { platform: Some("Windows Server 2022".into()), ..image(now) }), "windows");
        assert_eq!(os_type(&Image { os: Some(Os::Windows), ..image(now) }), "windows");
        assert_eq!(image_usage(&available), "none");
        assert_eq!(image_usage(&Image { instance_ids: vec!["i-1".into()], ..image(now) }), "instance");
        assert_eq!(owner_id("acct"), owner_id("acct"));
        assert_ne!(owner_id("acct"), owner_id("other"));
        assert!(owner_id("acct") < 10_000_000_000_000_000);
    }

    /// Every status word an answer shows is one its Describe call's `Status` filter takes, and
    /// asking for it finds the resource that shows it.
    #[test]
    fn a_status_shown_is_a_status_asked_for() {
        let now = Utc::now();
        let snapshots = [
            snapshot(now),
            Snapshot { ready_at: None, stuck_at: Some(40), ..snapshot(now) },
            Snapshot { failed: true, ..snapshot(now) },
        ];
        for s in &snapshots {
            let word = snapshot_status(s.state(now));
            let query =
                describe_snapshots(&rpc(&format!("RegionId=r&Status={word}")), "acct", b"key").unwrap();
            assert!(query.matches(s, None, now), "{word}");
        }
        let images = [
            image(now),
            Image { deprecated: true, ..image(now) },
            Image { ready_at: Some(now + Duration::hours(1)), ..image(now) },
            Image { failed: true, ..image(now) },
        ];
        for i in &images {
            let word = image_status(i, now);
            assert!(IMAGE_STATUSES.contains(&word), "{word}");
            let query = describe_images(&rpc(&format!("RegionId=r&Status={word}"))).unwrap();
            assert!(query.matches(i, now), "{word}");
        }
        let unknown = describe_images(&rpc("RegionId=r&Status=Pending"));
        assert!(matches!(unknown, Err(DomainError::InvalidParameter { ref name, .. }) if name == "Status"));
    }
}
