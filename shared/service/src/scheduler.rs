//! The snapshot scheduler: on each scheduled event, every policy due in that hour snapshots
//! each of its disks once (a second delivery of the event replays instead of duplicating), a
//! disk that cannot be snapshotted is reported and skipped, and snapshots whose retention has
//! passed are released.

use crate::usecases::idempotent::Made;
use crate::usecases::{create_snapshot, Caller};
use crate::App;
use chrono::{DateTime, Utc};
use domain::schedule::{self, Slot};
use domain::snapshot::CreateSnapshot;
use domain::{Account, DomainResult, Provider, SnapshotPolicy};
use serde::Serialize;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The instant the run was for (the event's time).
    pub at: String,
    pub due_policies: Vec<String>,
    /// Snapshots made by this run.
    pub created: Vec<String>,
    /// Snapshots this slot had already made (the event was delivered again).
    pub already_made: Vec<String>,
    /// Disks that could not be snapshotted, with the reason.
    pub failed: Vec<Failure>,
    /// Snapshots released because their retention passed.
    pub released: Vec<String>,
    /// Snapshots past their retention kept because an image is made from them.
    pub kept: Vec<String>,
    /// Releases that failed this time (the next run tries again), with the reason.
    pub release_failed: Vec<Failure>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub policy: String,
    pub disk: String,
    pub error: String,
}

/// The id of a new snapshot in the provider's form.
fn snapshot_id(provider: Provider) -> fn() -> String {
    match provider {
        Provider::Alibaba => || dialects::alibaba::resource_id("s"),
        Provider::Tencent => || dialects::tencent::resource_id("snap"),
        Provider::Zenlayer => dialects::zenlayer::resource_id,
    }
}

/// Apply every policy due at `at`, then release what has expired by now.
pub async fn run(app: &App, at: DateTime<Utc>) -> DomainResult<Report> {
    let now = app.now();
    let mut report = Report { at: at.to_rfc3339(), ..Report::default() };
    for policy in app.store.policies().await? {
        let Some(slot) = schedule::due(&policy, at) else { continue };
        let Some(account) = app.store.account(&policy.account).await? else {
            tracing::warn!(policy = %policy.id, "policy of an unknown account");
            continue;
        };
        report.due_policies.push(policy.id.clone());
        for disk in &policy.disks {
            snapshot_disk(app, &account, &policy, &slot, disk, now, &mut report).await;
        }
    }
    for snapshot in app.store.snapshots_due(now).await? {
        let past = snapshot.expires_at().is_some_and(|end| end <= now);
        if past && !schedule::expired(&snapshot, now) {
            report.kept.push(snapshot.id);
            continue;
        }
        if !past {
            continue;
        }
        match app.store.release_snapshot(&snapshot).await {
            Ok(true) => report.released.push(snapshot.id),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(snapshot = %snapshot.id, error = %e, "release failed; the next run retries");
                report.release_failed.push(Failure {
                    policy: String::new(),
                    disk: snapshot.disk_id.clone(),
                    error: format!("{}: {e}", snapshot.id),
                });
            }
        }
    }
    tracing::info!(
        created = report.created.len(),
        already_made = report.already_made.len(),
        failed = report.failed.len(),
        released = report.released.len(),
        "scheduled snapshots applied"
    );
    Ok(report)
}

async fn snapshot_disk(
    app: &App,
    account: &Account,
    policy: &SnapshotPolicy,
    slot: &Slot,
    disk: &str,
    now: DateTime<Utc>,
    report: &mut Report,
) {
    let cmd = CreateSnapshot {
        disk_id: disk.to_string(),
        region: Some(policy.region.clone()),
        name: Some(slot.snapshot_name()),
        description: None,
        retention_days: u32::try_from(policy.retention_days).ok().filter(|d| *d > 0),
        deadline: None,
        instant_access: None,
        tags: Vec::new(),
        category: None,
        resource_group_id: None,
        automatic: true,
        client_token: Some(slot.token(disk)),
    };
    let caller = Caller { account, dialect: account.provider.as_str(), action: "AutoSnapshot", now };
    match create_snapshot::run(&app.store, &caller, &cmd, snapshot_id(account.provider)).await {
        Ok(Made::New(s)) => report.created.push(s.id),
        Ok(Made::Again(id)) => report.already_made.push(id),
        Err(e) => {
            tracing::warn!(policy = %policy.id, disk = %disk, error = %e, "disk skipped");
            report.failed.push(Failure {
                policy: policy.id.clone(),
                disk: disk.to_string(),
                error: e.to_string(),
            });
        }
    }
}
