//! What DeleteSnapshot does with the snapshot it finds (ECS API reference, DeleteSnapshot): a
//! snapshot that does not exist — for this caller, in the region named — is ignored; one an image
//! is made from is refused; one disks were created from goes only by force; any other is deleted,
//! one still being made included.

mod common;

use common::{account, check, now, snapshot, Row};
use domain::delete::{plan_delete, DeleteSnapshot};
use domain::{DiskType, DomainError, Snapshot};

/// The call, and the snapshot as read (`None`: no such snapshot).
struct World {
    cmd: DeleteSnapshot,
    found: Option<Snapshot>,
}

fn allowed() -> World {
    let cmd = DeleteSnapshot { snapshot_id: "s-1".into(), region: None, force: false };
    World { cmd, found: Some(snapshot("s-1", DiskType::Data, 100)) }
}

/// `Ok` when the snapshot is to be deleted; a refusal as the domain gives it; ignoring shows as
/// `SnapshotNotFound`, the one outcome a caller never sees for it.
fn answer(w: &World) -> Result<(), DomainError> {
    match plan_delete(&w.cmd, w.found.as_ref(), &account())? {
        Some(s) if s.id == w.cmd.snapshot_id => Ok(()),
        Some(other) => Err(DomainError::Internal(format!("deletes {}", other.id))),
        None => Err(DomainError::SnapshotNotFound),
    }
}

#[test]
fn delete_rules() {
    let ignored = Err(DomainError::SnapshotNotFound);
    let table: &[Row<World>] = &[
        ("a complete snapshot", |_| {}, Ok(())),
        ("no such snapshot", |w| w.found = None, ignored.clone()),
        ("another account's", |w| w.found.as_mut().unwrap().account = "acct-2".into(), ignored.clone()),
        ("in the region named", |w| w.cmd.region = Some(common::REGION.into()), Ok(())),
        ("in another region than named", |w| w.cmd.region = Some("cn-beijing".into()), ignored.clone()),
        (
            "still being made: cancelled",
            |w| w.found.as_mut().unwrap().ready_at = Some(now() + chrono::Duration::hours(1)),
            Ok(()),
        ),
        ("failed", |w| w.found.as_mut().unwrap().failed = true, Ok(())),
        (
            "an image is made from it",
            |w| w.found.as_mut().unwrap().image_ids = vec!["m-1".into()],
            Err(DomainError::SnapshotBacksImage),
        ),
        (
            "an image is made from it, forced",
            |w| {
                w.cmd.force = true;
                w.found.as_mut().unwrap().image_ids = vec!["m-1".into()];
            },
            Err(DomainError::SnapshotBacksImage),
        ),
        (
            "another account's an image is made from: ignored, not refused",
            |w| {
                let s = w.found.as_mut().unwrap();
                s.account = "acct-2".into();
                s.image_ids = vec!["m-1".into()];
            },
            ignored.clone(),
        ),
        (
            "disks were created from it",
            |w| w.found.as_mut().unwrap().disk_ids = vec!["d-1".into()],
            Err(DomainError::SnapshotBacksDisk),
        ),
        (
            "disks were created from it, forced",
            |w| {
                w.cmd.force = true;
                w.found.as_mut().unwrap().disk_ids = vec!["d-1".into()];
            },
            Ok(()),
        ),
        (
            "an image and disks are made from it, forced: the image decides",
            |w| {
                w.cmd.force = true;
                let s = w.found.as_mut().unwrap();
                s.disk_ids = vec!["d-1".into()];
                s.image_ids = vec!["m-1".into()];
            },
            Err(DomainError::SnapshotBacksImage),
        ),
    ];
    check(table, allowed, answer);
}

/// ZEC's DeleteSnapshots deletes what it may and lists the rest: an unknown id refuses the whole
/// call; a snapshot being made or an image is made from is kept and listed; when nothing can go,
/// the first refusal is the answer.
#[test]
fn each_snapshot_delete() {
    use domain::delete::plan_each_snapshot_delete;
    let ready = snapshot("s-1", DiskType::Data, 100);
    let mut making = snapshot("s-2", DiskType::Data, 100);
    making.ready_at = Some(now() + chrono::Duration::hours(1));
    let mut imaged = snapshot("s-3", DiskType::Data, 100);
    imaged.image_ids = vec!["m-1".into()];
    let mut disked = snapshot("s-4", DiskType::Data, 100);
    disked.disk_ids = vec!["d-1".into()];
    let found = [ready, making, imaged, disked];
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let plan =
        plan_each_snapshot_delete(&ids(&["s-1", "s-2", "s-3", "s-4", "s-1"]), &found, &account(), now())
            .unwrap();
    let deleted: Vec<&str> = plan.delete.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(deleted, ["s-1", "s-4"]);
    assert_eq!(
        plan.refused,
        vec![("s-2".into(), DomainError::SnapshotNotReady), ("s-3".into(), DomainError::SnapshotBacksImage)]
    );
    let refused = |v: &[&str]| plan_each_snapshot_delete(&ids(v), &found, &account(), now()).unwrap_err();
    assert_eq!(refused(&["s-1", "s-9"]), DomainError::SnapshotNotFound);
    assert_eq!(refused(&["s-3", "s-2"]), DomainError::SnapshotBacksImage);
    let mut theirs = found.to_vec();
    theirs[0].account = "acct-2".into();
    let plan = plan_each_snapshot_delete(&ids(&["s-1"]), &theirs, &account(), now());
    assert_eq!(plan.unwrap_err(), DomainError::SnapshotNotFound);
}
