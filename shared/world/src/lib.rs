//! The world file (format version 1): the situation a user wants to test, parsed and checked
//! into domain resources. A malformed world is refused with the path of the bad field.

mod reader;

use chrono::{DateTime, Utc};
use domain::*;
use reader::{err, Obj, Res};
pub use reader::{parse_time, WorldError};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The world shipped with the project (also at `infra/worlds/reference.json`).
pub const REFERENCE_WORLD: &str = include_str!("../../../infra/worlds/reference.json");

/// A checked world, ready to be written to the store.
#[derive(Debug, Clone)]
pub struct World {
    pub settings: Settings,
    pub accounts: Vec<Account>,
    pub credentials: Vec<Credential>,
    pub regions: Vec<Region>,
    pub instances: Vec<Instance>,
    pub disks: Vec<Disk>,
    pub snapshots: Vec<Snapshot>,
    pub images: Vec<Image>,
    pub snapshot_policies: Vec<SnapshotPolicy>,
}

/// Parse and check a world document. Relative times are taken from `now`.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<World, WorldError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| WorldError { path: "(document)".into(), problem: format!("not valid JSON: {e}") })?;
    Parser { now, ids: HashSet::new() }.world(&value)
}

struct Parser {
    now: DateTime<Utc>,
    ids: HashSet<String>,
}

const PROVIDERS: [&str; 3] = ["alibaba", "tencent", "zenlayer"];

fn provider(s: &str) -> Provider {
    match s {
        "tencent" => Provider::Tencent,
        "zenlayer" => Provider::Zenlayer,
        _ => Provider::Alibaba,
    }
}

impl Parser {
    fn unique_id(&mut self, o: &mut Obj<'_>) -> Res<String> {
        let id = o.string("id")?;
        if id.is_empty() {
            return err(&o.at("id"), "must not be empty");
        }
        if !self.ids.insert(id.clone()) {
            return err(&o.at("id"), format!("id {id:?} is used twice in this world"));
        }
        Ok(id)
    }

    fn world(&mut self, v: &Value) -> Res<World> {
        let mut o = Obj::new("", v)?;
        let version = o.required("version")?;
        if version.as_u64() != Some(1) {
            return err("version", format!("unsupported version {version} (this is format version 1)"));
        }
        let settings = match o.raw("settings") {
            Some(s) => settings(s)?,
            None => Settings::default(),
        };
        let regions = list(o.array("regions")?, "regions", |p, v| self.region(p, v))?;
        let (accounts, credentials) = {
            let mut accounts = Vec::new();
            let mut credentials = Vec::new();
            for (i, v) in o.array("accounts")?.iter().enumerate() {
                let (a, c) = self.account(&format!("accounts[{i}]"), v, &settings)?;
                accounts.push(a);
                credentials.extend(c);
            }
            (accounts, credentials)
        };
        let mut keys = HashSet::new();
        for c in &credentials {
            if !keys.insert(c.access_key_id.clone()) {
                return err("accounts", format!("access key {:?} is given twice", c.access_key_id));
            }
        }
        let refs = Refs::new(&accounts, &regions);
        let mut instances = list(o.array("instances")?, "instances", |p, v| self.instance(p, v, &refs))?;
        let mut disks = list(o.array("disks")?, "disks", |p, v| self.disk(p, v, &refs))?;
        let snapshots = list(o.array("snapshots")?, "snapshots", |p, v| self.snapshot(p, v, &refs))?;
        let images = list(o.array("images")?, "images", |p, v| self.image(p, v, &refs))?;
        let mut names = HashSet::new();
        for (i, im) in images.iter().enumerate() {
            if !names.insert((&im.account, &im.region, &im.name)) {
                return err(
                    &format!("images[{i}].name"),
                    format!(
                        "image name {:?} is used twice in account {:?} and region {:?}",
                        im.name, im.account, im.region
                    ),
                );
            }
        }
        let snapshot_policies =
            list(o.array("snapshot_policies")?, "snapshot_policies", |p, v| self.policy(p, v, &refs))?;
        for (i, f) in o.array("faults")?.iter().enumerate() {
            attach_fault(&format!("faults[{i}]"), f, &mut instances, &mut disks)?;
        }
        o.finish()?;
        derive_disk_counters(&mut disks, &snapshots);
        let mut images = images;
        derive_image_disks(&mut images, &disks, &instances);
        place_images(&mut images, &accounts, &regions);
        Ok(World {
            settings,
            accounts,
            credentials,
            regions,
            instances,
            disks,
            snapshots,
            images,
            snapshot_policies,
        })
    }

    fn region(&mut self, path: &str, v: &Value) -> Res<Region> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let p = o.choice_or("provider", "provider", &PROVIDERS, "")?;
        if p.is_empty() {
            return err(&o.at("provider"), "required field is missing");
        }
        let zones = o.required("zones")?;
        let zones_path = o.at("zones");
        let zones = match zones.as_array() {
            Some(a) => a
                .iter()
                .enumerate()
                .map(|(i, z)| reader::as_string(&format!("{zones_path}[{i}]"), z))
                .collect::<Res<Vec<_>>>()?,
            None => return err(&zones_path, "expected a list of zone ids"),
        };
        o.finish()?;
        Ok(Region { id, provider: provider(&p), zones })
    }

    fn account(&mut self, path: &str, v: &Value, settings: &Settings) -> Res<(Account, Vec<Credential>)> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let p = o.choice_or("provider", "provider", &PROVIDERS, "")?;
        if p.is_empty() {
            return err(&o.at("provider"), "required field is missing");
        }
        let provider = provider(&p);
        let balance_ok = o.bool_or("balance_ok", true)?;
        let snapshot_service = o.bool_or("snapshot_service", true)?;
        let default_images = match provider {
            Provider::Alibaba => 100,
            Provider::Tencent => 10,
            Provider::Zenlayer => 20,
        };
        let quotas = match o.raw("quotas") {
            Some(q) => {
                let mut q = Obj::new(o.at("quotas"), q)?;
                let images = q.uint_or("images_per_region", default_images)?;
                let snaps = q.uint_or("snapshots_per_disk", 64)?;
                q.finish()?;
                Quotas { images_per_region: clamp_u32(images), snapshots_per_disk: clamp_u32(snaps) }
            }
            None => Quotas { images_per_region: default_images as u32, snapshots_per_disk: 64 },
        };
        let mut resource_groups = Vec::new();
        for (i, g) in o.array("resource_groups")?.iter().enumerate() {
            let mut g = Obj::new(format!("{}[{i}]", o.at("resource_groups")), g)?;
            resource_groups.push(ResourceGroup {
                id: g.string("id")?,
                name: g.opt_string("name")?.unwrap_or_default(),
                default: g.bool_or("default", false)?,
            });
            g.finish()?;
        }
        if resource_groups.is_empty() {
            resource_groups.push(ResourceGroup {
                id: "rg-default".into(),
                name: "Default".into(),
                default: true,
            });
        }
        let account = Account {
            id,
            provider,
            balance_ok,
            snapshot_service,
            quotas,
            resource_groups,
            settings: settings.clone(),
        };
        let creds_path = o.at("credentials");
        let creds = o.required("credentials")?;
        let Some(creds) = creds.as_array().filter(|a| !a.is_empty()) else {
            return err(&creds_path, "expected a non-empty list of {\"access_key_id\", \"secret\"}");
        };
        let mut credentials = Vec::new();
        for (i, c) in creds.iter().enumerate() {
            let mut c = Obj::new(format!("{creds_path}[{i}]"), c)?;
            let access_key_id = c.string("access_key_id")?;
            let secret = c.string("secret")?;
            if access_key_id.is_empty() || secret.is_empty() {
                return err(&c.path, "access_key_id and secret must not be empty");
            }
            c.finish()?;
            credentials.push(Credential { access_key_id, secret, account: account.clone() });
        }
        o.finish()?;
        Ok((account, credentials))
    }

    fn owner(&self, o: &mut Obj<'_>, refs: &Refs) -> Res<(String, String)> {
        let account = o.string("account")?;
        let Some(provider) = refs.accounts.get(&account) else {
            return err(&o.at("account"), format!("no account {account:?} in this world"));
        };
        let region = o.string("region")?;
        match refs.regions.get(&region) {
            Some((p, _)) if p == provider => Ok((account, region)),
            Some(_) => err(
                &o.at("region"),
                format!("region {region:?} belongs to another provider than account {account:?}"),
            ),
            None => err(&o.at("region"), format!("no region {region:?} in this world")),
        }
    }

    fn zone(&self, o: &mut Obj<'_>, refs: &Refs, region: &str) -> Res<String> {
        let zone = o.string("zone")?;
        match refs.regions.get(region) {
            Some((_, zones)) if zones.contains(&zone) => Ok(zone),
            _ => err(&o.at("zone"), format!("zone {zone:?} is not a zone of region {region:?}")),
        }
    }

    fn instance(&mut self, path: &str, v: &Value, refs: &Refs) -> Res<Instance> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let (account, region) = self.owner(&mut o, refs)?;
        let zone = self.zone(&mut o, refs, &region)?;
        let statuses: Vec<&str> = InstanceStatus::ALL.iter().map(|s| s.as_str()).collect();
        let status = o.choice_or("status", "status", &statuses, "running")?;
        let status = *InstanceStatus::ALL.iter().find(|s| s.as_str() == status).expect("checked");
        let os = match o.choice_or("os", "os", &["linux", "windows"], "linux")?.as_str() {
            "windows" => Os::Windows,
            _ => Os::Linux,
        };
        let stopped_mode = match o
            .choice_or("stopped_mode", "stopped mode", &["keep_charging", "stop_charging"], "keep_charging")?
            .as_str()
        {
            "stop_charging" => StoppedMode::StopCharging,
            _ => StoppedMode::KeepCharging,
        };
        let instance = Instance {
            id,
            account,
            region,
            zone,
            status,
            os,
            gpu: o.bool_or("gpu", false)?,
            locked_for_security: o.bool_or("locked_for_security", false)?,
            ever_started: o.bool_or("ever_started", true)?,
            operation_in_progress: o.bool_or("operation_in_progress", false)?,
            image_supported: o.bool_or("image_supported", true)?,
            full_image_supported: o.bool_or("full_image_supported", true)?,
            instance_image_supported: o.bool_or("instance_image_supported", true)?,
            stopped_mode,
            soft_shutdown_fails: o.bool_or("soft_shutdown_fails", false)?,
            faults: Vec::new(),
            imaging_until: None,
        };
        o.finish()?;
        Ok(instance)
    }

    fn disk(&mut self, path: &str, v: &Value, refs: &Refs) -> Res<Disk> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let (account, region) = self.owner(&mut o, refs)?;
        let zone = self.zone(&mut o, refs, &region)?;
        let kind = match o.choice_or("type", "disk type", &["system", "data"], "")?.as_str() {
            "system" => DiskType::System,
            "data" => DiskType::Data,
            _ => return err(&o.at("type"), "required field is missing"),
        };
        let category = o.opt_string("category")?.unwrap_or_else(|| "cloud_essd".into());
        let instance = o.opt_string("instance")?;
        let default_status = if instance.is_some() { "in_use" } else { "available" };
        let statuses: Vec<&str> = DiskStatus::ALL.iter().map(|s| s.as_str()).collect();
        let status = o.choice_or("status", "disk status", &statuses, default_status)?;
        let status = *DiskStatus::ALL.iter().find(|s| s.as_str() == status).expect("checked");
        let billing =
            match o.choice_or("billing", "billing state", &["ok", "expired", "arrears"], "ok")?.as_str() {
                "expired" => Billing::Expired,
                "arrears" => Billing::Arrears,
                _ => Billing::Ok,
            };
        let disk = Disk {
            id,
            account,
            region,
            zone,
            kind,
            category,
            shared_block: o.bool_or("shared_block", false)?,
            size_gb: clamp_u32(o.uint_or("size_gb", 40)?),
            instance,
            ever_attached: o.bool_or("ever_attached", true)?,
            ever_used: o.bool_or("ever_used", true)?,
            data_loaded_at: o.time_or("data_loaded_at", "-2d", self.now)?,
            status,
            billing,
            snapshot_supported: o.bool_or("snapshot_supported", true)?,
            device_type_supported: o.bool_or("device_type_supported", true)?,
            kms_authorized: o.bool_or("kms_authorized", true)?,
            faults: Vec::new(),
            busy_until: None,
            snapshot_count: 0,
        };
        o.finish()?;
        Ok(disk)
    }

    fn snapshot(&mut self, path: &str, v: &Value, refs: &Refs) -> Res<Snapshot> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let (account, region) = self.owner(&mut o, refs)?;
        let disk_id = o.string("disk")?;
        let source_disk_type =
            match o.choice_or("source_disk_type", "disk type", &["system", "data"], "data")?.as_str() {
                "system" => DiskType::System,
                _ => DiskType::Data,
            };
        let created_at = o.time_or("created_at", "-1d", self.now)?;
        let status = o.choice_or(
            "status",
            "snapshot status",
            &["progressing", "accomplished", "failed"],
            "accomplished",
        )?;
        // How far a snapshot that stays in progress has got (an addition to the format).
        let progress = match o.opt_uint("progress")? {
            None => None,
            Some(p) if status == "progressing" && p <= 99 => Some(p as u8),
            Some(_) => return err(&o.at("progress"), "0..=99, and only with status \"progressing\""),
        };
        let retention_days = match o.opt_uint("retention_days")? {
            Some(d) if (1..=65_536).contains(&d) => Some(d as u32),
            Some(d) => return err(&o.at("retention_days"), format!("{d} is outside 1..=65536")),
            None => None,
        };
        let tags = match o.raw("tags") {
            Some(t) => tags(&o.at("tags"), t)?,
            None => Vec::new(),
        };
        let snapshot = Snapshot {
            id,
            account,
            region,
            disk_id,
            source_disk_type,
            size_gb: clamp_u32(o.uint_or("size_gb", 40)?),
            name: o.opt_string("name")?,
            description: None,
            category: None,
            created_at,
            // A world's snapshot keeps the state it is given: `progressing` never completes.
            ready_at: (status != "progressing").then_some(created_at),
            failed: status == "failed",
            retention_days,
            deadline: None,
            instant_access: None,
            stuck_at: progress,
            image_allowed: o.bool_or("image_allowed", true)?,
            tags,
            resource_group_id: None,
            image_ids: Vec::new(),
            automatic: false,
        };
        o.finish()?;
        Ok(snapshot)
    }

    fn image(&mut self, path: &str, v: &Value, refs: &Refs) -> Res<Image> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let (account, region) = self.owner(&mut o, refs)?;
        let name = o.string("name")?;
        let status =
            o.choice_or("status", "image status", &["available", "creating", "failed"], "available")?;
        let created_at = o.time_or("created_at", "-1d", self.now)?;
        // Until its disks are derived (from its source instance), one system disk of this size.
        let size_gb = clamp_u32(o.uint_or("size_gb", 40)?);
        let image = Image {
            id,
            account,
            region,
            name,
            created_at,
            ready_at: (status != "creating").then_some(created_at),
            failed: status == "failed",
            source_instance: o.opt_string("source_instance")?,
            version: None,
            description: None,
            disks: vec![ImageDisk {
                device: "/dev/xvda".into(),
                snapshot_id: None,
                size_gb,
                kind: DiskType::System,
            }],
            tags: Vec::new(),
            platform: None,
            architecture: None,
            image_family: None,
            boot_mode: None,
            resource_group_id: None,
            zone: None,
            os: None,
            imds_support: None,
            detection_strategy: None,
            secure_boot: None,
        };
        o.finish()?;
        Ok(image)
    }

    fn policy(&mut self, path: &str, v: &Value, refs: &Refs) -> Res<SnapshotPolicy> {
        let mut o = Obj::new(path, v)?;
        let id = self.unique_id(&mut o)?;
        let (account, region) = self.owner(&mut o, refs)?;
        let time_points = small_ints(&o.at("time_points"), o.required("time_points")?, 0, 23)?;
        let repeat_weekdays = match o.raw("repeat_weekdays") {
            Some(v) => small_ints(&o.at("repeat_weekdays"), v, 1, 7)?,
            None => (1..=7).collect(),
        };
        let offset = o.int_or("utc_offset_hours", 0)?;
        if !(-12..=14).contains(&offset) {
            return err(&o.at("utc_offset_hours"), format!("{offset} is outside -12..=14"));
        }
        let retention_days = o.int_or("retention_days", -1)?;
        if retention_days != -1 && !(1..=65_536).contains(&retention_days) {
            return err(&o.at("retention_days"), "must be -1 (keep forever) or 1..=65536");
        }
        let disks_path = o.at("disks");
        let disks = o
            .array("disks")?
            .iter()
            .enumerate()
            .map(|(i, d)| reader::as_string(&format!("{disks_path}[{i}]"), d))
            .collect::<Res<Vec<_>>>()?;
        o.finish()?;
        Ok(SnapshotPolicy {
            id,
            account,
            region,
            time_points,
            utc_offset_hours: offset as i8,
            repeat_weekdays,
            retention_days: retention_days as i32,
            disks,
        })
    }
}

fn settings(v: &Value) -> Res<Settings> {
    let mut o = Obj::new("settings", v)?;
    let defaults = Settings::default();
    let auth = match o.choice_or("auth", "auth mode", &["strict", "off"], "strict")?.as_str() {
        "off" => AuthMode::Off,
        _ => AuthMode::Strict,
    };
    let timings = match o.raw("timings") {
        Some(t) => {
            let mut t = Obj::new("settings.timings", t)?;
            let d = Timings::default();
            let timings = Timings {
                snapshot_seconds: t.uint_or("snapshot_seconds", d.snapshot_seconds)?,
                image_seconds: t.uint_or("image_seconds", d.image_seconds)?,
                request_processing_ms: t.uint_or("request_processing_ms", d.request_processing_ms)?,
            };
            t.finish()?;
            timings
        }
        None => Timings::default(),
    };
    let rate_limits = match o.raw("rate_limits") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                Ok((k.clone(), clamp_u32(reader::as_uint(&format!("settings.rate_limits.{k}"), v)?)))
            })
            .collect::<Res<BTreeMap<_, _>>>()?,
        Some(_) => {
            return err(
                "settings.rate_limits",
                "expected an object of \"dialect:Action\": requests per second",
            )
        }
        None => defaults.rate_limits.clone(),
    };
    let skew = o.uint_or("signature_max_skew_seconds", defaults.signature_max_skew_seconds)?;
    // A nonce is remembered for two days: a request must not stay fresh longer than that.
    if skew > MAX_SKEW_SECONDS {
        return err(
            "settings.signature_max_skew_seconds",
            format!("{skew} is over {MAX_SKEW_SECONDS} (one day)"),
        );
    }
    let settings = Settings {
        auth,
        timings,
        idempotency_ttl_seconds: o.uint_or("idempotency_ttl_seconds", defaults.idempotency_ttl_seconds)?,
        signature_max_skew_seconds: skew,
        rate_limits,
    };
    o.finish()?;
    Ok(settings)
}

/// The longest a request may stay fresh: a day, well inside the two days a nonce is remembered.
pub const MAX_SKEW_SECONDS: u64 = 86_400;

fn tags(path: &str, v: &Value) -> Res<Vec<Tag>> {
    let Some(map) = v.as_object() else {
        return err(path, "expected an object of key: value");
    };
    map.iter()
        .map(|(k, v)| Ok(Tag { key: k.clone(), value: reader::as_string(&format!("{path}.{k}"), v)? }))
        .collect()
}

fn small_ints(path: &str, v: &Value, min: u8, max: u8) -> Res<Vec<u8>> {
    let Some(items) = v.as_array() else {
        return err(path, "expected a list of integers");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, x)| match x.as_u64() {
            Some(n) if n >= u64::from(min) && n <= u64::from(max) => Ok(n as u8),
            _ => err(&format!("{path}[{i}]"), format!("expected an integer in {min}..={max}, found {x}")),
        })
        .collect()
}

fn list<T>(items: &[Value], name: &str, mut each: impl FnMut(&str, &Value) -> Res<T>) -> Res<Vec<T>> {
    items.iter().enumerate().map(|(i, v)| each(&format!("{name}[{i}]"), v)).collect()
}

fn clamp_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Lookups for cross-references: account → provider, region → (provider, zones).
struct Refs {
    accounts: HashMap<String, Provider>,
    regions: HashMap<String, (Provider, Vec<String>)>,
}

impl Refs {
    fn new(accounts: &[Account], regions: &[Region]) -> Self {
        Refs {
            accounts: accounts.iter().map(|a| (a.id.clone(), a.provider)).collect(),
            regions: regions.iter().map(|r| (r.id.clone(), (r.provider, r.zones.clone()))).collect(),
        }
    }
}

fn attach_fault(path: &str, v: &Value, instances: &mut [Instance], disks: &mut [Disk]) -> Res<()> {
    let mut o = Obj::new(path, v)?;
    let fault = Fault { dialect: o.string("dialect")?, action: o.string("action")?, code: o.string("code")? };
    let resource = o.string("resource")?;
    let resource_path = o.at("resource");
    o.finish()?;
    if let Some(d) = disks.iter_mut().find(|d| d.id == resource) {
        d.faults.push(fault);
    } else if let Some(i) = instances.iter_mut().find(|i| i.id == resource) {
        i.faults.push(fault);
    } else {
        return err(&resource_path, format!("no disk or instance {resource:?} in this world"));
    }
    Ok(())
}

/// An image made from an instance of the world has that instance's zone, system and disks: the
/// system disk at `/dev/xvda`, data disks from `/dev/xvdb` on.
fn derive_image_disks(images: &mut [Image], disks: &[Disk], instances: &[Instance]) {
    for image in images.iter_mut() {
        let Some(instance) = &image.source_instance else { continue };
        if let Some(source) = instances.iter().find(|i| &i.id == instance) {
            image.zone = Some(source.zone.clone());
            image.os = Some(source.os);
        }
        let mut own: Vec<&Disk> = disks.iter().filter(|d| d.instance.as_ref() == Some(instance)).collect();
        if own.is_empty() {
            continue;
        }
        own.sort_by_key(|d| (d.kind != DiskType::System, d.id.clone()));
        let mut data = (b'b'..=b'z').map(|c| format!("/dev/xvd{}", c as char));
        image.disks = own
            .iter()
            .map(|d| ImageDisk {
                device: match d.kind {
                    DiskType::System => "/dev/xvda".into(),
                    DiskType::Data => data.next().unwrap_or_default(),
                },
                snapshot_id: None,
                size_gb: d.size_gb,
                kind: d.kind,
            })
            .collect();
    }
}

/// An image not made from an instance of the world sits in its region's first zone; a Zenlayer
/// account's image, in the account's default resource group (where CreateImage puts it).
fn place_images(images: &mut [Image], accounts: &[Account], regions: &[Region]) {
    for image in images.iter_mut() {
        if image.zone.is_none() {
            image.zone = regions.iter().find(|r| r.id == image.region).and_then(|r| r.zones.first().cloned());
        }
        let account = accounts.iter().find(|a| a.id == image.account);
        if let Some(account) = account.filter(|a| a.provider == Provider::Zenlayer) {
            if image.resource_group_id.is_none() {
                image.resource_group_id =
                    account.resource_groups.iter().find(|g| g.default).map(|g| g.id.clone());
            }
        }
    }
}

/// A disk's snapshot counter and in-progress lock follow from the world's snapshots of it.
fn derive_disk_counters(disks: &mut [Disk], snapshots: &[Snapshot]) {
    for disk in disks.iter_mut() {
        let own = snapshots.iter().filter(|s| s.disk_id == disk.id);
        disk.snapshot_count = own.clone().count() as u32;
        if own.clone().any(|s| s.ready_at.is_none() && !s.failed) {
            // A snapshot that never completes keeps its disk busy for good.
            disk.busy_until = Some(domain::forever());
        }
    }
}

#[cfg(test)]
mod tests;
