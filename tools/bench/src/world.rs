//! The benchmark's world: one account per provider, each with many disks on one instance,
//! snapshots and images complete at once, no quota or rate limit in the way.

use crate::clients::{ALI, TC, ZL};
use serde_json::{json, Value};

pub const DISKS: usize = 200;

/// The id of disk `i` of a provider's bench instance.
pub fn disk(provider: &str, i: usize) -> String {
    match provider {
        "alibaba" => format!("d-bench-{}", i % DISKS),
        "tencent" => format!("disk-bench{:04}", i % DISKS),
        _ => format!("zl-bench-disk-{}", i % DISKS),
    }
}

/// Alibaba system disks to make images from (an image needs a system disk's snapshot), each on
/// its own instance.
pub const IMAGE_DISKS: usize = 50;

pub fn image_disk(k: usize) -> String {
    format!("d-bench-sys-{}", k % IMAGE_DISKS)
}

pub const INSTANCE: [(&str, &str); 3] =
    [("alibaba", "i-bench"), ("tencent", "ins-bench001"), ("zenlayer", "zl-bench-ins")];

pub fn text() -> String {
    let places = [
        ("alibaba", "acct-bench-ali", "cn-hangzhou", "cn-hangzhou-h", ALI),
        ("tencent", "acct-bench-tc", "ap-guangzhou", "ap-guangzhou-3", TC),
        ("zenlayer", "acct-bench-zl", "asia-east-1", "asia-east-1a", ZL),
    ];
    let (mut accounts, mut regions, mut instances, mut disks) = (vec![], vec![], vec![], vec![]);
    for (provider, account, region, zone, key) in places {
        let instance = INSTANCE.iter().find(|(p, _)| *p == provider).map(|(_, i)| *i).unwrap_or_default();
        accounts.push(json!({"id": account, "provider": provider,
            "credentials": [{"access_key_id": key.0, "secret": key.1}],
            "quotas": {"snapshots_per_disk": 1_000_000, "images_per_region": 1_000_000}}));
        regions.push(json!({"id": region, "provider": provider, "zones": [zone]}));
        instances.push(
            json!({"id": instance, "account": account, "region": region, "zone": zone, "status": "stopped"}),
        );
        if provider == "alibaba" {
            for k in 0..IMAGE_DISKS {
                let instance = format!("i-bench-sys-{k}");
                instances.push(json!({"id": instance, "account": account, "region": region, "zone": zone, "status": "stopped"}));
                disks.push(json!({"id": image_disk(k), "account": account, "region": region, "zone": zone,
                    "type": "system", "instance": instance}));
            }
        }
        for i in 0..DISKS {
            disks.push(json!({"id": disk(provider, i), "account": account, "region": region, "zone": zone,
                "type": if i == 0 { "system" } else { "data" }, "instance": instance}));
        }
    }
    let world: Value = json!({
        "version": 1,
        "settings": {"timings": {"snapshot_seconds": 0, "image_seconds": 0}, "rate_limits": {}},
        "accounts": accounts,
        "regions": regions,
        "instances": instances,
        "disks": disks,
    });
    world.to_string()
}
