//! The snapshot scheduler: on each scheduled event, every policy due in that hour snapshots
//! each of its disks once (a second delivery of the event replays instead of duplicating), a
//! disk that cannot be snapshotted is reported and skipped, and snapshots whose retention has
//! passed are released.

use crate::usecases::idempotent::Made;
use crate::usecases::{create_snapshot, Caller};
use crate::App;
use chrono::{DateTime, Utc};
use dialects::actions::Origin;
use dialects::Dialect;
use domain::schedule::{self, Slot};
use domain::snapshot::CreateSnapshot;
use domain::{Account, DomainResult, Provider, SnapshotPolicy};
use serde::Serialize;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The instant the run was for (the event's time; for a clock moved on, where it stopped).
    pub at: String,
    /// The hours whose policies were applied, when the clock moved across several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<String>,
    /// Firings a clock move passed over, and why (see [`pass`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passed_over: Vec<String>,
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

/// What runs under the lease: boxed and type-erased, which keeps the nested futures of a clock
/// move (a pass, each slot, each create) small on the stack and quick to compile.
pub type Work<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = DomainResult<T>> + Send + 'a>>;

/// How long one holder may keep the scheduler's lease, and how long another waits for it.
const LEASE: std::time::Duration = std::time::Duration::from_secs(120);
/// How long the work under the lease may take: less than the lease, so that it never runs on
/// once another holder may have taken it.
const WORK_LIMIT: std::time::Duration = std::time::Duration::from_secs(100);

/// Run `work` while holding the scheduler's lease, waiting for it while another process (or
/// request) holds it: scheduler runs and clock changes happen one at a time, so that every slot
/// fires at its own hour, in order. (A snapshot made at a later virtual hour would otherwise keep
/// the disk busy for an earlier slot fired after it.) The work is cut off at [`WORK_LIMIT`], and
/// the lease is given back however the work ends, even when the caller goes away mid-way.
pub async fn exclusively<T>(app: &App, work: Work<'_, T>) -> DomainResult<T> {
    let holder = uuid::Uuid::new_v4().to_string();
    let started = std::time::Instant::now();
    loop {
        let now = Utc::now().timestamp_millis();
        if app.store.take_scheduler_lease(&holder, now, now + LEASE.as_millis() as i64).await? {
            break;
        }
        if started.elapsed() > LEASE {
            return Err(domain::DomainError::Unavailable);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let mut lease = Lease { store: Some(app.store.clone()), holder };
    let outcome = match tokio::time::timeout(WORK_LIMIT, work).await {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::warn!("scheduler work cut off at its time limit");
            Err(domain::DomainError::Unavailable)
        }
    };
    if let Some(store) = lease.store.take() {
        store.end_scheduler_lease(&lease.holder).await?;
    }
    outcome
}

/// A lease held: given back on drop when the work's future is dropped before it ends (the
/// client of a clock move went away).
struct Lease {
    store: Option<store::Store>,
    holder: String,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let (Some(store), Ok(runtime)) = (self.store.take(), tokio::runtime::Handle::try_current()) else {
            return;
        };
        let holder = std::mem::take(&mut self.holder);
        runtime.spawn(async move {
            if let Err(e) = store.end_scheduler_lease(&holder).await {
                tracing::warn!(error = %e, "the scheduler's lease could not be given back; it runs out");
            }
        });
    }
}

/// Apply every policy due at `at`, then release what has expired by now.
pub async fn run(app: &App, at: DateTime<Utc>) -> DomainResult<Report> {
    let mut report = Report { at: at.to_rfc3339(), ..Report::default() };
    let policies = app.store.policies().await?;
    apply(app, &policies, at, &mut report).await?;
    release(app, &mut report).await?;
    log(&report);
    Ok(report)
}

/// A scheduled event delivered at the real instant `delivered`: it acts for the hour the virtual
/// clock shows then (the same hour when the clock is real).
pub async fn fire(app: &App, delivered: DateTime<Utc>) -> DomainResult<Report> {
    let work = Box::pin(async move {
        let app = app.synced().await?;
        let at = delivered + chrono::Duration::milliseconds(app.clock_offset_ms());
        run(&app, at).await
    });
    store::usage::FUNCTION.scope(SCHEDULER, exclusively(app, work)).await
}

/// The scheduler function's binary.
const SCHEDULER: &str = "scheduler";

/// The most firings of one policy a clock move applies. A disk holds at most 64 snapshots, and
/// the snapshots of the firings applied all outlive the move (see [`pass`]), so a policy's disks
/// are full after that many: every later create would be refused by the quota.
const MAX_FIRINGS_PER_POLICY: usize = 64;

/// The virtual clock moved from `from` to `to`: fire, in order, the hourly events EventBridge
/// would have delivered in between (each top of the hour in `(from, to]`) that can leave a
/// snapshot behind, each at its own instant, then release what has expired by `to`. Each disk
/// gets one snapshot per slot however often the slot fires (its client token is the slot's), so a
/// process firing the same hour meanwhile makes nothing twice.
///
/// The firings are computed from the policies, not found by visiting every hour, and bounded:
/// a firing whose snapshot would be past its retention at `to` is passed over (it would be made
/// and released within the move), and so is every firing of a policy after its first
/// [`MAX_FIRINGS_PER_POLICY`]. So the work is proportional to what can be seen after the move,
/// not to how far the clock went. The report names what was passed over.
pub async fn pass(app: &App, from: DateTime<Utc>, to: DateTime<Utc>) -> DomainResult<Report> {
    store::usage::FUNCTION.scope(SCHEDULER, Box::pin(passing(app, from, to))).await
}

async fn passing(app: &App, from: DateTime<Utc>, to: DateTime<Utc>) -> DomainResult<Report> {
    let mut report = Report { at: to.to_rfc3339(), ..Report::default() };
    let policies = app.store.policies().await?;
    let mut firings = Vec::new();
    for (i, policy) in policies.iter().enumerate() {
        let mut start = from;
        if policy.retention_days > 0 {
            let kept_from = to - chrono::Duration::days(i64::from(policy.retention_days));
            if kept_from > from {
                start = kept_from;
                report.passed_over.push(format!(
                    "{}: firings up to {} (their snapshots would be released by {})",
                    policy.id,
                    start.to_rfc3339(),
                    to.to_rfc3339()
                ));
            }
        }
        let found = schedule::firings(policy, start, to, MAX_FIRINGS_PER_POLICY + 1);
        if found.len() > MAX_FIRINGS_PER_POLICY {
            let (at, _) = &found[MAX_FIRINGS_PER_POLICY];
            report.passed_over.push(format!(
                "{}: firings from {} (its disks' snapshot quota is full by then)",
                policy.id,
                at.to_rfc3339()
            ));
        }
        firings.extend(found.into_iter().take(MAX_FIRINGS_PER_POLICY).map(|(at, _)| (at, i)));
    }
    firings.sort();
    let mut k = 0;
    while k < firings.len() {
        let at = firings[k].0;
        let due: Vec<SnapshotPolicy> =
            firings[k..].iter().take_while(|(t, _)| *t == at).map(|(_, i)| policies[*i].clone()).collect();
        k += due.len();
        report.slots.push(at.to_rfc3339());
        Box::pin(apply(&app.clone().at(at), &due, at, &mut report)).await?;
    }
    release(&app.clone().at(to), &mut report).await?;
    log(&report);
    Ok(report)
}

/// Snapshot the disks of every policy due at `at` (as of `app`'s time).
async fn apply(
    app: &App,
    policies: &[SnapshotPolicy],
    at: DateTime<Utc>,
    report: &mut Report,
) -> DomainResult<()> {
    let now = app.now();
    for policy in policies {
        let Some(slot) = schedule::due(policy, at) else { continue };
        let Some(account) = app.store.account(&policy.account).await? else {
            tracing::warn!(policy = %policy.id, "policy of an unknown account");
            continue;
        };
        report.due_policies.push(policy.id.clone());
        for disk in &policy.disks {
            // Boxed: a create's future is large, and a clock change nests it deep.
            Box::pin(snapshot_disk(app, &account, policy, &slot, disk, now, report)).await;
        }
    }
    Ok(())
}

/// Release the snapshots whose retention has passed by `app`'s time.
async fn release(app: &App, report: &mut Report) -> DomainResult<()> {
    let now = app.now();
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
    Ok(())
}

fn log(report: &Report) {
    tracing::info!(
        created = report.created.len(),
        already_made = report.already_made.len(),
        failed = report.failed.len(),
        released = report.released.len(),
        "scheduled snapshots applied"
    );
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
        region: Some(policy.region.clone()),
        name: Some(slot.snapshot_name()),
        retention_days: u32::try_from(policy.retention_days).ok().filter(|d| *d > 0),
        automatic: true,
        client_token: Some(slot.token(disk)),
        ..CreateSnapshot::new(disk)
    };
    let caller = Caller {
        account,
        origin: Origin::Scheduler(Dialect::of_provider(account.provider)),
        now,
        arrived: Utc::now(),
    };
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
