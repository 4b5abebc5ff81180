//! Client tokens (ECS API reference, CreateSnapshot and CreateImage: ClientToken; the same
//! token with other parameters is refused, the same call again answers the first one's id):
//! what a second call with a claimed token gets, and which parameters make a call another call.

mod common;

use chrono::Utc;
use common::ecs_rules;
use domain::idempotency::{fingerprint, judge_replay, TokenRecord, TokenStatus};
use domain::image::{CreateImage, ImageSource, MappingSpec, Shutdown};
use domain::snapshot::CreateSnapshot;
use domain::{DomainError as E, Tag};

/// Per row: the claim's status and resource, whether the second call's parameters are the
/// first's, and the answer.
#[test]
fn replay_rules() {
    use TokenStatus::{Completed, InProgress};
    let table = [
        ("done, same call", Completed, Some("s-1"), true, Ok("s-1")),
        ("done, other parameters", Completed, Some("s-1"), false, Err(E::TokenReusedWithOtherParameters)),
        ("in progress, same call", InProgress, None, true, Err(E::TokenInFlight)),
        ("in progress, other parameters", InProgress, None, false, Err(E::TokenReusedWithOtherParameters)),
        ("done without a resource, same call", Completed, None, true, Err(E::TokenInFlight)),
        ("in progress with a resource, same call", InProgress, Some("s-1"), true, Err(E::TokenInFlight)),
    ];
    for (name, status, resource, same, expected) in table {
        let record = TokenRecord {
            fingerprint: "first".into(),
            status,
            claim_id: "claim-1".into(),
            resource_id: resource.map(str::to_string),
            in_flight_until: Utc::now(),
            settled_ms: None,
        };
        let asked = if same { "first" } else { "second" };
        assert_eq!(judge_replay(&record, asked), expected.map(str::to_string), "{name}");
    }
}

/// A change to a command, and whether it is still the same call.
type Change<C> = (&'static str, fn(&mut C), bool);

/// Per row: a change to a CreateSnapshot and whether it is still the same call. The region is
/// checked against the disk, not part of the call; the token itself is not either.
#[test]
fn snapshot_call_identity() {
    let base = || CreateSnapshot { name: Some("nightly".into()), ..CreateSnapshot::new("d-1") };
    let table: &[Change<CreateSnapshot>] = &[
        ("nothing", |_| {}, true),
        ("region given", |c| c.region = Some("cn-hangzhou".into()), true),
        ("another token", |c| c.client_token = Some("t-2".into()), true),
        ("another disk", |c| c.disk_id = "d-2".into(), false),
        ("another name", |c| c.name = Some("weekly".into()), false),
        ("no name", |c| c.name = None, false),
        ("a retention", |c| c.retention_days = Some(7), false),
        ("a tag", |c| c.tags = vec![Tag { key: "k".into(), value: "v".into() }], false),
        ("flash", |c| c.category = Some("flash".into()), false),
        ("made by a policy", |c| c.automatic = true, false),
    ];
    let first = fingerprint(&base());
    for (name, change, same) in table {
        let mut cmd = base();
        change(&mut cmd);
        assert_eq!(fingerprint(&cmd) == first, *same, "{name}");
    }
}

/// Per row: a change to a CreateImage and whether it is still the same call. The token and the
/// provider's rules are not part of the call.
#[test]
fn image_call_identity() {
    let base =
        || CreateImage { name: Some("web".into()), ..CreateImage::from_instance("r-1", "i-1", ecs_rules()) };
    let table: &[Change<CreateImage>] = &[
        ("nothing", |_| {}, true),
        ("another token", |c| c.client_token = Some("t-2".into()), true),
        ("other rules", |c| c.rules.stopped_only = true, true),
        ("another region", |c| c.region = "r-2".into(), false),
        ("another instance", |c| c.source = ImageSource::Instance("i-2".into()), false),
        ("a snapshot instead", |c| c.source = ImageSource::Snapshot("i-1".into()), false),
        (
            "mapped instead",
            |c| {
                let spec = MappingSpec {
                    snapshot_id: Some("i-1".into()),
                    size_gb: None,
                    device: None,
                    disk_type: None,
                };
                c.source = ImageSource::Mappings(vec![spec]);
            },
            false,
        ),
        ("system disk only, not every disk", |c| c.data_disks = Some(vec![]), false),
        ("shut down first", |c| c.shutdown = Shutdown::Soft, false),
    ];
    let first = fingerprint(&base());
    for (name, change, same) in table {
        let mut cmd = base();
        change(&mut cmd);
        assert_eq!(fingerprint(&cmd) == first, *same, "{name}");
    }
}
