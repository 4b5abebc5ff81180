//! Fuzz targets, one per dialect: requests shaped like that dialect's, pushed to the extremes a
//! single unsigned request can reach, through the dialect's request parser, parameter readers,
//! signature reading and verification and error rendering (`common::exercise`). Only a panic or
//! a stack overflow fails. Every case goes through the target's dialect, whether or not the
//! gateway's detection would route it there (most are), so that a failure is that dialect's.
//!
//! The robustness test's strategies stay near ordinary requests. These are skewed towards the
//! limits: flattened parameter names of up to 1,000 dot-separated segments (and past that, as
//! far as a 1 MB body goes) with prefixes that clash; JSON bodies nested 1,000 levels deep, or
//! lists of tens of thousands of elements; parameter counts, values and headers whose sizes are
//! skewed up to the 1 MB body limit; `Authorization` headers of every scheme with varying
//! `SignedHeaders`, and requests signed for real so that verification runs to its end. Most
//! cases stay small and quick, a few in each run are huge: the sizes are drawn from tiers.
//!
//! Every case runs on a fresh thread with a 2 MiB stack, the default of the tokio workers the
//! gateway parses requests on: a test thread's larger stack would hide a recursion that
//! overflows there. A stack overflow aborts a process, so each target runs its cases in a child
//! process of this test binary (the same test, `FUZZ_CHILD` set) and reports how it died; before
//! each case the child notes its seed, so the case that killed it can be written out again. A
//! case that panics is shrunk first (proptest's simplification); one that overflows is not, as
//! every attempt would cost a process: its summary shows the depth that did it.
//!
//! Budget and replay, from the environment:
//! - `FUZZ_SECONDS=N`: generate cases until N seconds are spent (per target). Without it, a short
//!   run: 2,000 cases or 20 s, whichever comes first (`FUZZ_CASES` changes the count).
//! - `FUZZ_SEED=<hex>`: run that one case only; its request is written to
//!   `target/tmp/fuzz/<dialect>-<seed>.http` (the form of `common::raw`, which the libFuzzer
//!   targets in `fuzz/` read too). `FUZZ_DRY=1` writes it without running it.
//! - `FUZZ_FILE=<path>`: run the request in that file (that form again: a reproducer, or a
//!   libFuzzer input or crash artifact).
//! - `FUZZ_EXPORT=<dir>`: also write every case run to `<dir>` in that form (seeds for libFuzzer).
//!
//! Each target prints `figures: fuzz <dialect>: <cases> cases in <s> s, <depth> deepest name,
//! <bytes> largest body, failures: <n>`, where the depth is the most dot-separated segments in
//! one parameter name, or the deepest JSON nesting, whichever is greater.

mod common;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use common::exercise::exercise_as;
use dialects::tencent::signature::Algorithm;
use dialects::{alibaba, encoding, tencent, zenlayer, Dialect, MAX_BODY_BYTES};
use proptest::prelude::*;
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The stack each case runs on: a tokio worker's default.
const STACK: usize = 2 << 20;
/// The longest query string a case carries: `http` refuses a URI of 64 KiB or more.
const QUERY_MAX: usize = 60_000;
const DEFAULT_CASES: u64 = 2_000;
const DEFAULT_SECONDS: u64 = 20;
/// Set in the child process that runs a target's cases.
const CHILD: &str = "FUZZ_CHILD";

#[test]
fn alibaba() {
    target(Dialect::Alibaba);
}

#[test]
fn tencent() {
    target(Dialect::Tencent);
}

#[test]
fn zenlayer() {
    target(Dialect::Zenlayer);
}

// ---------------------------------------------------------------------------------------------
// What each dialect's requests look like.

/// The names, paths and headers a dialect's requests are made of.
struct Profile {
    dialect: Dialect,
    paths: &'static [&'static str],
    actions: &'static [&'static str],
    /// Where the action goes besides the `Action` parameter.
    action_header: &'static str,
    /// Parameters with one value.
    scalars: &'static [&'static str],
    /// Lists and structures, flattened as `Root.N[.Field]`.
    roots: &'static [&'static str],
    fields: &'static [&'static str],
    /// Whether the dialect reads parameters from the query and a form body, or a JSON body.
    flattened: bool,
    json: bool,
    json_keys: &'static [&'static str],
    json_lists: &'static [&'static str],
    json_fields: &'static [&'static str],
}

#[rustfmt::skip]
const ALIBABA: Profile = Profile {
    dialect: Dialect::Alibaba,
    paths: &["/", "/ecs", "//"],
    actions: &["CreateSnapshot", "CreateImage", "DescribeSnapshots", "DescribeImages", "Bogus"],
    action_header: "x-acs-action",
    scalars: &[
        "Action", "Version", "RegionId", "Format", "AccessKeyId", "Signature", "SignatureMethod",
        "SignatureVersion", "SignatureNonce", "Timestamp", "DiskId", "InstanceId", "SnapshotId",
        "SnapshotName", "ImageName", "ImageVersion", "ImageFamily", "Description", "ClientToken",
        "RetentionDays", "InstantAccess", "DryRun", "PageNumber", "PageSize", "MaxResults", "NextToken",
        "SnapshotIds", "ImageId", "Status", "Usage", "Category", "Platform", "Architecture",
        "ResourceGroupId", "OSType", "ShowExpired", "Features.ImdsSupport",
    ],
    roots: &["Tag", "Filter", "DiskDeviceMapping", "Tags", "SnapshotIds"],
    fields: &["Key", "Value", "SnapshotId", "Size", "Device", "DiskType"],
    flattened: true,
    json: false,
    json_keys: &[],
    json_lists: &[],
    json_fields: &[],
};

#[rustfmt::skip]
const TENCENT: Profile = Profile {
    dialect: Dialect::Tencent,
    paths: &["/", "/v2/index.php", "/v2/index.php/"],
    actions: &["CreateImage", "CreateSnapshot", "DescribeImages", "DescribeSnapshots", "Bogus"],
    action_header: "x-tc-action",
    scalars: &[
        "Action", "Version", "Region", "Timestamp", "Nonce", "SecretId", "SignatureMethod", "Signature",
        "Token", "Language", "InstanceId", "ImageName", "ImageDescription", "ForcePoweroff", "Sysprep",
        "DryRun", "ImageFamily", "DiskId", "SnapshotName", "Deadline", "DiskBackupId", "Limit", "Offset",
        "Order", "OrderField", "InstanceType",
    ],
    roots: &["DataDiskIds", "SnapshotIds", "ImageIds", "Filters", "TagSpecification", "Tags"],
    fields: &["Name", "Values", "Key", "Value", "ResourceType", "Tags"],
    flattened: true,
    json: true,
    json_keys: &[
        "InstanceId", "ImageName", "ImageDescription", "ForcePoweroff", "Sysprep", "DataDiskIds",
        "SnapshotIds", "DryRun", "TagSpecification", "ImageFamily", "DiskId", "SnapshotName", "Deadline",
        "DiskBackupId", "Tags", "Filters", "ImageIds", "Limit", "Offset", "Order", "OrderField",
        "InstanceType",
    ],
    json_lists: &["DataDiskIds", "SnapshotIds", "ImageIds", "Filters", "TagSpecification", "Tags"],
    json_fields: &["Name", "Values", "Key", "Value", "ResourceType", "Tags"],
};

#[rustfmt::skip]
const ZENLAYER: Profile = Profile {
    dialect: Dialect::Zenlayer,
    paths: &["/api/v2/zec", "/api/v2/vm", "/api/v2/", "/api/v2/zec/", "/api/v2/zec/x", "/api/v2/zrm", "/api/v2/user"],
    actions: &[
        "CreateImage", "CreateSnapshot", "DescribeImages", "DescribeCustomImages", "DescribeSnapshots",
        "DeleteImages", "ModifyImagesAttributes", "DeleteSnapshots", "ModifySnapshotsAttribute",
        "ModifyResourceTags", "AddResourceResourceGroup", "Bogus",
    ],
    action_header: "x-zc-action",
    scalars: &["Action", "instanceId"],
    roots: &["snapshotIds", "tags"],
    fields: &["key", "value"],
    flattened: false,
    json: true,
    json_keys: &[
        "instanceId", "imageName", "diskIds", "snapshotIds", "tags", "tagKeys", "imageIds", "imageType",
        "imageSource", "imageStatus", "category", "osType", "pageNum", "pageSize", "regionId",
        "resourceGroupId", "retentionTime", "snapshotName", "snapshotType", "status", "zoneId", "diskId",
        "diskType", "isPermanent", "resourceUuid", "replaceTags", "deleteTagKeys", "resources",
    ],
    json_lists: &["snapshotIds", "diskIds", "imageIds", "tags", "tagKeys", "replaceTags", "deleteTagKeys", "resources"],
    json_fields: &["key", "value", "tagKeys"],
};

fn profile(d: Dialect) -> &'static Profile {
    match d {
        Dialect::Alibaba => &ALIBABA,
        Dialect::Tencent => &TENCENT,
        Dialect::Zenlayer => &ZENLAYER,
    }
}

/// Parameter values, as they go on the wire (already percent-encoded where they need to be).
#[rustfmt::skip]
const VALUES: &[&str] = &[
    "", "1", "0", "-1", "true", "FALSE", "maybe", "XML", "JSON", "cn-hangzhou", "ap-guangzhou",
    "d-bp1xxxxxxxxxxxxxxxxx", "ins-12345678", "disk-1", "1660545330971680835", "a+b", "%E6%B5%8B", "%FF",
    "%00", "%", "%2", "x%26y%3Dz", "2026-11-23T14:49:55Z", "1795445401", "HmacSHA256", "HmacSHA1",
    "HMAC-SHA1", "1.0", "2014-05-26", "2017-03-12", "9223372036854775808", "99999999999999999999",
    "eyJ4IjoxfQ", "MTIuYWJj",
];

/// Segments of a flattened name: list indexes (in range, huge, signed, padded), the structures'
/// field names, empty segments and percent-encoded dots.
#[rustfmt::skip]
const SEGMENTS: &[&str] = &[
    "0", "1", "2", "9", "10", "00", "01", "-1", "+1", "4294967296", "18446744073709551616",
    "99999999999999999999999999", "", "Key", "Value", "Values", "Name", "Tags", "ResourceType", "a", "x",
    "%2E", "%2e0", "%00", "%E6%B5%8B", "%FF", "%20", "+", "N", "0x1", "1e3",
];

/// Units a large value is repeated from.
#[rustfmt::skip]
const VALUE_UNITS: &[&str] =
    &["a", "ab12", "%E6%B5%8B", "+", "%25", "%FF%FE", "x%26y%3D", "%2E", ".", "0", "%00", "~", "a.0."];

#[rustfmt::skip]
const JSON_SCALARS: &[&str] = &[
    "\"\"", "\"a\"", "\"1\"", "0", "-1", "1.5e308", "1e400", "18446744073709551616", "true", "false", "null",
    "[]", "{}", "\"TRUE\"", "\"d-1\"", "\"\\u0000\"", "\"\\ud800\"", "\"1660545330971680835\"",
    "\"ap-guangzhou-3\"", "\"asia-east-1a\"",
];

/// Units a large JSON string is repeated from (escapes, a lone surrogate, raw control bytes).
#[rustfmt::skip]
const JSON_STRING_UNITS: &[&str] =
    &["a", "\\u0000", "\\ud800", "\\uD83D\\uDE00", "\\\"", "\\\\", "\\n", "测", "\u{1}", "\\x"];

const CONTENT_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "APPLICATION/X-WWW-FORM-URLENCODED",
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
];

const HOSTS: &[&str] = &[
    "ecs.aliyuncs.com",
    "cvm.tencentcloudapi.com",
    "cbs.tencentcloudapi.com",
    "console.zenlayer.com",
    "127.0.0.1:8080",
    "",
    "HOST.example",
];

/// Header names a signature may list: the ones the schemes need, others, and malformed ones.
#[rustfmt::skip]
const SIGNED_NAMES: &[&str] = &[
    "content-type", "host", "x-tc-action", "x-tc-timestamp", "x-tc-region", "x-tc-version", "x-acs-date",
    "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-action", "x-acs-version", "x-zc-timestamp",
    "x-zc-action", "x-zc-signature-method", "authorization", "HOST", "Content-Type", "", " ", "bad header",
    "x-unknown", "\u{e9}",
];

/// The signing headers every scheme reads, with values near and far from what they expect.
#[rustfmt::skip]
const SIGNING_HEADERS: &[&str] = &[
    "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-action", "x-acs-version",
    "x-tc-timestamp", "x-tc-region", "x-tc-version", "x-tc-action", "x-tc-content-sha256", "x-tc-token",
    "x-zc-timestamp", "x-zc-action", "x-zc-version", "x-zc-signature-method",
];

#[rustfmt::skip]
const SIGNING_VALUES: &[&str] = &[
    "CreateImage", "DescribeSnapshots", "0", "-1", "9223372036854775807", "-9223372036854775808",
    "99999999999999999999", "1795445401", " 1795445401 ", "2026-11-23T14:49:55Z", "2026-11-23T14:49:55+25:00",
    "+262143-12-31T23:59:59Z", "nonce", "UNSIGNED-PAYLOAD",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "2017-03-12", "2014-05-26",
    "2025-09-01", "ap-guangzhou", "ZC2-HMAC-SHA256", "HmacSHA256", "",
];

#[rustfmt::skip]
const SCHEMES: &[&str] = &[
    "TC3-HMAC-SHA256", "ACS3-HMAC-SHA256", "ZC2-HMAC-SHA256", "Bearer", "HMAC-SHA256", "tc3-hmac-sha256", "",
];

#[rustfmt::skip]
const SIGNATURES: &[&str] = &[
    "", "zz", "00", "0", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "=", "a=b",
];

// ---------------------------------------------------------------------------------------------
// Sizes and depths, skewed: most draws small, a few at the extreme.

/// A length up to `max`: mostly under 256, sometimes up to 64 KiB, now and then anywhere up to
/// `max` or within 1/64 of it.
fn skewed(max: usize) -> BoxedStrategy<usize> {
    prop_oneof![
        40 => 0..=max.min(16),
        25 => 0..=max.min(256),
        15 => 0..=max.min(4_096),
        10 => 0..=max.min(65_536),
        6 => 0..=max,
        4 => max - max / 64..=max,
    ]
    .boxed()
}

/// A depth (segments of a name, levels of JSON): a third shallow, most of the rest up to 1,000,
/// with 1,000 itself drawn often, and a few far past it (as deep as 1 MB allows).
fn depth() -> BoxedStrategy<usize> {
    prop_oneof![
        30 => 1..=6usize,
        20 => 6..=100usize,
        20 => 100..=1_000usize,
        15 => Just(1_000usize),
        10 => 1_000..=20_000usize,
        5 => 20_000..=400_000usize,
    ]
    .boxed()
}

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> + Clone {
    prop::sample::select(items)
}

/// `unit` repeated to `len` bytes (or just past, so that a unit is never cut).
fn repeat_to(unit: &str, len: usize) -> String {
    unit.repeat(len.div_ceil(unit.len().max(1)))
}

// ---------------------------------------------------------------------------------------------
// Flattened parameters: `name=value` pairs as they go on the wire.

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0..12u32).prop_map(|n| n.to_string()),
        3 => pick(SEGMENTS).prop_map(String::from),
        1 => "[A-Za-z0-9]{1,8}",
    ]
}

/// One name `root.s1.s2…` of `depth` segments, cycling through `pattern`, and a few other names
/// cut from it that clash with it: the same name again, a prefix given as a value, a prefix
/// continued as a list (`.0`) and as a structure (`.x`).
fn deep_names(p: &'static Profile) -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop_oneof![pick(p.roots), pick(p.scalars), pick(&["a", "A", ""])],
        prop::collection::vec(segment(), 1..=4),
        depth(),
        prop::collection::vec((0..=1_000usize, 0..4u8), 0..4),
        pick(VALUES),
    )
        .prop_map(|(root, pattern, depth, clashes, value)| {
            // Where each segment ends: a prefix of `cut` segments is `name[..ends[cut - 1]]`.
            let mut name = String::from(root);
            let mut ends = vec![name.len()];
            for i in 0..depth.saturating_sub(1) {
                name.push('.');
                name.push_str(&pattern[i % pattern.len()]);
                ends.push(name.len());
            }
            let mut pairs = vec![(name.clone(), value.to_string())];
            for (permille, how) in clashes {
                let cut = (depth * permille / 1_000).clamp(1, depth);
                let prefix = &name[..ends[cut - 1]];
                pairs.push(match how {
                    0 => (name.clone(), "again".into()),
                    1 => (prefix.to_string(), "leaf".into()),
                    2 => (format!("{prefix}.0"), "list".into()),
                    _ => (format!("{prefix}.x"), "object".into()),
                });
            }
            pairs
        })
}

/// `Root.N[.Field]=value` for N over a count skewed up to 100,000: a list as long as the body
/// holds, 0- or 1-based, dense or sparse, now and then with an index given twice.
fn wide_list(p: &'static Profile) -> impl Strategy<Value = Vec<(String, String)>> {
    (
        pick(p.roots),
        prop::option::of(pick(p.fields)),
        skewed(100_000),
        0..=1usize,
        prop_oneof![4 => Just(1usize), 1 => 2..1_000usize],
        prop::option::weighted(0.2, 2..50usize),
        pick(VALUES),
    )
        .prop_map(|(root, field, count, start, stride, twice_every, value)| {
            let mut pairs = Vec::with_capacity(count);
            let mut bytes = 0;
            for i in 0..count {
                let n = if twice_every.is_some_and(|every| i % every == 1) { i - 1 } else { i };
                let name = match field {
                    Some(f) => format!("{root}.{}.{f}", start + n * stride),
                    None => format!("{root}.{}", start + n * stride),
                };
                bytes += name.len() + value.len() + 2;
                pairs.push((name, value.to_string()));
                if bytes > MAX_BODY_BYTES {
                    break;
                }
            }
            pairs
        })
}

/// Names and values as large as a body holds: one value of a size skewed up to 1 MB, or one
/// name that long.
fn big_pair(p: &'static Profile) -> impl Strategy<Value = (String, String)> {
    (pick(p.scalars), pick(VALUE_UNITS), skewed(MAX_BODY_BYTES), any::<bool>()).prop_map(
        |(name, unit, len, as_name)| {
            let big = repeat_to(unit, len);
            if as_name {
                (big, "v".into())
            } else {
                (name.to_string(), big)
            }
        },
    )
}

/// A request's flattened parameters: known ones with plausible or hostile values, deep names,
/// long lists and large values, in some order.
fn flattened(p: &'static Profile) -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::collection::vec((pick(p.scalars), pick(VALUES)), 0..8),
        prop::collection::vec(deep_names(p), 0..3),
        prop::collection::vec(wide_list(p), 0..2),
        prop::collection::vec(big_pair(p), 0..2),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(scalars, deep, wide, big, rotate)| {
            let mut pairs: Vec<(String, String)> =
                scalars.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            pairs.extend(deep.into_iter().flatten());
            pairs.extend(wide.into_iter().flatten());
            pairs.extend(big);
            if !pairs.is_empty() {
                let by = rotate.index(pairs.len());
                pairs.rotate_left(by);
            }
            pairs
        })
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JSON bodies, written as text (duplicate keys and invalid escapes included, which a JSON value
// could not hold).

/// A member whose value nests `depth` levels, arrays and objects in a cycling pattern.
fn nested_member(p: &'static Profile) -> impl Strategy<Value = String> {
    (
        pick(p.json_keys),
        prop::collection::vec(any::<bool>(), 1..=4),
        depth(),
        pick(p.json_fields),
        pick(JSON_SCALARS),
    )
        .prop_map(|(key, pattern, depth, inner, leaf)| {
            let open_object = format!("{{\"{inner}\":");
            let mut out = format!("\"{key}\":");
            for i in 0..depth {
                if pattern[i % pattern.len()] {
                    out.push('[');
                } else {
                    out.push_str(&open_object);
                }
                if out.len() > MAX_BODY_BYTES {
                    break;
                }
            }
            out.push_str(leaf);
            for i in (0..depth).rev() {
                out.push(if pattern[i % pattern.len()] { ']' } else { '}' });
                if out.len() > 2 * MAX_BODY_BYTES {
                    break;
                }
            }
            out
        })
}

/// A list member with a count skewed up to 100,000 elements (as many as 1 MB holds): ids, numbers,
/// nulls, tags, filters, or a mix.
fn wide_member(p: &'static Profile) -> impl Strategy<Value = String> {
    (pick(p.json_lists), skewed(100_000), 0..7u8, prop::option::weighted(0.1, 2..50usize)).prop_map(
        |(key, count, kind, twice_every)| {
            let mut out = format!("\"{key}\":[");
            for i in 0..count {
                if i > 0 {
                    out.push(',');
                }
                let n = if twice_every.is_some_and(|every| i % every == 1) { i - 1 } else { i };
                let element = match (kind, n % 7) {
                    (0, _) | (6, 0) => format!("\"{}\"", 1_000_000_000_000_000_000u64 + n as u64),
                    (1, _) | (6, 1) => n.to_string(),
                    (2, _) | (6, 2) => "null".to_string(),
                    (3, _) | (6, 3) => {
                        format!("{{\"Key\":\"k{n}\",\"Value\":\"v\",\"key\":\"k{n}\",\"value\":\"v\"}}")
                    }
                    (4, _) | (6, 4) => format!("{{\"Name\":\"n{n}\",\"Values\":[\"a\",\"{n}\"]}}"),
                    (5, _) | (6, 5) => {
                        format!("{{\"ResourceType\":\"image\",\"Tags\":[{{\"Key\":\"k{n}\"}}]}}")
                    }
                    _ => "[[[]]]".to_string(),
                };
                out.push_str(&element);
                if out.len() > MAX_BODY_BYTES {
                    break;
                }
            }
            out.push(']');
            out
        },
    )
}

/// A string member of a length skewed up to 1 MB, of escapes and bytes JSON may refuse.
fn big_string_member(p: &'static Profile) -> impl Strategy<Value = String> {
    (pick(p.json_keys), pick(JSON_STRING_UNITS), skewed(MAX_BODY_BYTES))
        .prop_map(|(key, unit, len)| format!("\"{key}\":\"{}\"", repeat_to(unit, len)))
}

/// Many members: known names with scalars (duplicates likely), or a count skewed up to 50,000 of
/// distinct names.
fn scalar_members(p: &'static Profile) -> impl Strategy<Value = Vec<String>> {
    (prop::collection::vec((pick(p.json_keys), pick(JSON_SCALARS)), 0..8), skewed(50_000)).prop_map(
        |(known, many)| {
            let mut out: Vec<String> = known.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let mut bytes = 0;
            for i in 0..many {
                let member = format!("\"k{i}\":{i}");
                bytes += member.len() + 1;
                out.push(member);
                if bytes > MAX_BODY_BYTES {
                    break;
                }
            }
            out
        },
    )
}

/// A JSON body: an object of those members, now and then cut short, wrapped in an array, or
/// followed by more bytes.
fn json_body(p: &'static Profile) -> impl Strategy<Value = Vec<u8>> {
    (
        scalar_members(p),
        prop::collection::vec(nested_member(p), 0..2),
        prop::collection::vec(wide_member(p), 0..2),
        prop::collection::vec(big_string_member(p), 0..2),
        prop_oneof![12 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8), 1 => Just(3u8)],
        0..=1_000usize,
    )
        .prop_map(|(mut members, nested, wide, strings, shape, permille)| {
            members.extend(nested);
            members.extend(wide);
            members.extend(strings);
            let mut body = format!("{{{}}}", members.join(",")).into_bytes();
            match shape {
                1 => body.truncate(body.len() * permille / 1_000),
                2 => {
                    body.insert(0, b'[');
                    body.push(b']');
                }
                3 => body.extend_from_slice(b" {\"x\": 1}"),
                _ => {}
            }
            body
        })
}

// ---------------------------------------------------------------------------------------------
// Headers.

/// An `Authorization` header of any scheme: a credential (TC3's scope with its parts right or
/// wrong), `SignedHeaders` listing the needed headers, others and malformed names (their count
/// skewed up to thousands), and a signature, laid out as the SDKs do or not.
fn authorization() -> impl Strategy<Value = String> {
    let today = Utc::now().format("%Y-%m-%d").to_string();
    let dates: Vec<String> = [today.as_str(), "2026-01-01", "", "x", "2026-13-45"].map(String::from).to_vec();
    let credential = prop_oneof![
        "AKID[A-Za-z0-9]{0,12}",
        (
            "AKID[A-Za-z0-9]{0,4}",
            prop::sample::select(dates),
            pick(&["cvm", "cbs", "", "a/b"]),
            pick(&["tc3_request", "", "TC3_REQUEST"])
        )
            .prop_map(|(id, date, service, end)| format!("{id}/{date}/{service}/{end}")),
        Just("/".to_string()),
        Just("a/b/c/d/e/f".to_string()),
    ];
    let signed =
        (prop::collection::vec(pick(SIGNED_NAMES), 0..6), skewed(5_000)).prop_map(|(names, extra)| {
            let mut all: Vec<String> = names.into_iter().map(String::from).collect();
            all.extend((0..extra).map(|i| format!("x-h{i}")));
            all.join(";")
        });
    let signature =
        prop_oneof![pick(SIGNATURES).prop_map(String::from), "[0-9a-f]{64}", "[A-Za-z0-9+/=]{1,80}"];
    (pick(SCHEMES), credential, signed, signature, 0..6u8).prop_map(|(scheme, cred, signed, sig, layout)| {
        match layout {
            0 => format!("{scheme} Credential={cred}, SignedHeaders={signed}, Signature={sig}"),
            1 => format!("{scheme} Credential={cred},SignedHeaders={signed},Signature={sig}"),
            2 => format!("{scheme} Signature={sig}, SignedHeaders={signed}, Credential={cred}"),
            3 => format!("{scheme} Credential={cred}, SignedHeaders={signed}"),
            4 => format!("{scheme} Credential={cred}, Credential=, SignedHeaders={signed}, Signature={sig}, Signature="),
            _ => format!("{scheme}   Credential = {cred} ,SignedHeaders={signed};, Signature={sig},,"),
        }
    })
}

/// Headers: `Authorization`, the schemes' signing headers, the robustness test's noise, a name
/// given twice, and one value of a size skewed up to 64 KiB.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    (
        prop::option::weighted(0.6, authorization()),
        prop::option::weighted(0.8, pick(HOSTS)),
        prop::collection::vec((pick(SIGNING_HEADERS), pick(SIGNING_VALUES)), 0..6),
        prop::collection::vec((0..common::noise::HEADERS.len(), common::noise::fragment()), 0..3),
        prop::option::weighted(0.1, (pick(SIGNING_HEADERS), pick(&["a", "1", "x;y", " "]), skewed(65_536))),
        any::<bool>(),
    )
        .prop_map(|(auth, host, signing, noise, big, twice)| {
            let mut out = Vec::new();
            if let Some(auth) = auth {
                out.push(("authorization".to_string(), auth));
            }
            if let Some(host) = host {
                out.push(("host".to_string(), host.to_string()));
            }
            out.extend(signing.into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
            out.extend(noise.into_iter().map(|(i, v)| (common::noise::HEADERS[i].to_string(), v)));
            if let Some((name, unit, len)) = big {
                out.push((name.to_string(), repeat_to(unit, len)));
            }
            if twice {
                if let Some(first) = out.first().cloned() {
                    out.push(first);
                }
            }
            out
        })
}

// ---------------------------------------------------------------------------------------------
// Whole requests.

/// Where a request carries its parameters, and how.
#[derive(Debug, Clone)]
enum Payload {
    /// Flattened, in the query string (or the form body when they do not fit a URI).
    Query(Vec<(String, String)>),
    /// Flattened, in a form body.
    Form(Vec<(String, String)>),
    /// Flattened, split between the query and a form body.
    Split(Vec<(String, String)>, usize),
    Json(Vec<u8>),
    /// The robustness test's bodies: bytes, small JSON, unclosed brackets.
    Noise(Vec<u8>),
}

/// How a request is signed once built: with the secret the exercise verifies with, so that the
/// signature matches and verification runs past the comparison (or, tampered afterwards, not).
#[derive(Debug, Clone, Copy)]
enum Signing {
    None,
    AlibabaV1,
    AlibabaAcs3,
    TencentTc3,
    TencentLegacy(Algorithm),
    Zenlayer,
}

#[derive(Debug, Clone)]
struct Shape {
    method: &'static str,
    path: String,
    payload: Payload,
    /// 0: the action as a parameter, 1: in the header, 2: both (maybe different), 3: neither.
    action_mode: u8,
    action: &'static str,
    other_action: &'static str,
    headers: Vec<(String, String)>,
    /// A content type other than the payload's.
    content_type: Option<&'static str>,
    extra_query: Option<String>,
    signing: Signing,
    tamper: bool,
}

fn payload(p: &'static Profile) -> BoxedStrategy<Payload> {
    let mut options: Vec<(u32, BoxedStrategy<Payload>)> = Vec::new();
    if p.flattened {
        options.push((3, flattened(p).prop_map(Payload::Query).boxed()));
        options.push((3, flattened(p).prop_map(Payload::Form).boxed()));
        options.push((
            1,
            (flattened(p), any::<prop::sample::Index>())
                .prop_map(|(pairs, at)| {
                    let at = if pairs.is_empty() { 0 } else { at.index(pairs.len()) };
                    Payload::Split(pairs, at)
                })
                .boxed(),
        ));
    } else {
        // The query is not read, but the request may still carry one.
        options.push((1, flattened(p).prop_map(Payload::Query).boxed()));
    }
    if p.json {
        options.push((if p.flattened { 4 } else { 8 }, json_body(p).prop_map(Payload::Json).boxed()));
    }
    options.push((1, common::noise::body().prop_map(Payload::Noise).boxed()));
    Union::new_weighted(options).boxed()
}

fn signing(d: Dialect) -> BoxedStrategy<Signing> {
    match d {
        Dialect::Alibaba => prop_oneof![
            3 => Just(Signing::None),
            1 => Just(Signing::AlibabaV1),
            1 => Just(Signing::AlibabaAcs3),
        ]
        .boxed(),
        Dialect::Tencent => prop_oneof![
            3 => Just(Signing::None),
            1 => Just(Signing::TencentTc3),
            1 => Just(Signing::TencentLegacy(Algorithm::HmacSha1)),
            1 => Just(Signing::TencentLegacy(Algorithm::HmacSha256)),
        ]
        .boxed(),
        Dialect::Zenlayer => prop_oneof![3 => Just(Signing::None), 2 => Just(Signing::Zenlayer)].boxed(),
    }
}

fn shape(p: &'static Profile) -> impl Strategy<Value = Shape> {
    let path = prop_oneof![
        8 => pick(p.paths).prop_map(String::from),
        1 => "/[a-z0-9/._~-]{0,16}",
        1 => (pick(p.paths), pick(&["a", "%2F", "/", ".."]), skewed(8_192))
            .prop_map(|(base, unit, len)| format!("{base}{}", repeat_to(unit, len))),
    ];
    (
        (pick(&["POST", "POST", "POST", "GET", "GET", "PUT", "DELETE", "get", "OPTIONS"]), path, payload(p)),
        (0..4u8, pick(p.actions), pick(p.actions)),
        headers(),
        prop::option::weighted(0.15, pick(CONTENT_TYPES)),
        prop::option::weighted(0.1, common::noise::query()),
        signing(p.dialect),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(
                (method, path, payload),
                (action_mode, action, other_action),
                headers,
                content_type,
                extra_query,
                signing,
                tamper,
            )| Shape {
                method,
                path,
                payload,
                action_mode,
                action,
                other_action,
                headers,
                content_type,
                extra_query,
                signing,
                tamper,
            },
        )
}

/// A target's cases: its dialect's shapes, built and signed; one in ten from the robustness
/// test's strategy, whatever dialect that lands in.
fn cases(d: Dialect) -> impl Strategy<Value = http::Request<Bytes>> {
    let p = profile(d);
    prop_oneof![
        9 => shape(p).prop_map(move |s| build(p, &s)),
        1 => common::noise::request(),
    ]
}

fn form_content_type(headers: &mut Vec<(String, String)>, json: bool) {
    let value = if json { "application/json" } else { "application/x-www-form-urlencoded" };
    headers.push(("content-type".into(), value.into()));
}

/// The request a shape describes. Whatever `http` would refuse (a URI of 64 KiB, a header value
/// with a control byte) is left out rather than failing the case.
fn build(p: &Profile, s: &Shape) -> http::Request<Bytes> {
    let mut query_pairs: Vec<(String, String)> = Vec::new();
    let mut form_pairs: Vec<(String, String)> = Vec::new();
    let mut body: Vec<u8> = Vec::new();
    let mut headers = s.headers.clone();
    match &s.payload {
        Payload::Query(pairs) => query_pairs = pairs.clone(),
        Payload::Form(pairs) => form_pairs = pairs.clone(),
        Payload::Split(pairs, at) => {
            query_pairs = pairs[..*at].to_vec();
            form_pairs = pairs[*at..].to_vec();
        }
        Payload::Json(json) => body = json.clone(),
        Payload::Noise(bytes) => body = bytes.clone(),
    }
    let action = ("Action".to_string(), s.action.to_string());
    match s.action_mode {
        0 => query_pairs.insert(0, action),
        1 => headers.push((p.action_header.into(), s.action.into())),
        2 => {
            query_pairs.insert(0, action);
            headers.push((p.action_header.into(), s.other_action.into()));
        }
        _ => {}
    }
    let mut query = encode_pairs(&query_pairs);
    if let Some(extra) = &s.extra_query {
        query = if query.is_empty() { extra.clone() } else { format!("{query}&{extra}") };
    }
    if query.len() + s.path.len() > QUERY_MAX {
        // Too long for a URI: the dialects that read a form body get the parameters there.
        if p.flattened {
            form_pairs.splice(0..0, query_pairs);
        }
        query = String::new();
    }
    if !form_pairs.is_empty() {
        body = encode_pairs(&form_pairs).into_bytes();
        form_content_type(&mut headers, false);
    } else if matches!(s.payload, Payload::Json(_)) {
        form_content_type(&mut headers, true);
    }
    if let Some(ct) = s.content_type {
        headers.retain(|(k, _)| k != "content-type");
        headers.push(("content-type".into(), ct.into()));
    }
    // The gateway refuses a larger body before any dialect reads it; the parameter signatures
    // add about 300 bytes to it.
    let room = if matches!(s.signing, Signing::AlibabaV1 | Signing::TencentLegacy(_)) { 1_024 } else { 0 };
    body.truncate(MAX_BODY_BYTES - room);
    let path = if s.path.len() > QUERY_MAX { "/".to_string() } else { s.path.clone() };
    let uri = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
    let mut b = http::Request::builder().method(s.method).uri(&uri);
    if b.uri_ref().is_none() {
        b = http::Request::builder().method(s.method).uri(&path);
    }
    for (k, v) in &headers {
        // From bytes: a value beyond ASCII is carried (as `http` allows) and read as not text.
        if let (Ok(k), Ok(v)) =
            (http::HeaderName::try_from(k.as_str()), http::HeaderValue::from_bytes(v.as_bytes()))
        {
            b = b.header(k, v);
        }
    }
    let mut req = b
        .body(Bytes::from(body))
        .unwrap_or_else(|_| http::Request::builder().uri("/").body(Bytes::new()).expect("a plain request"));
    sign(&mut req, s.signing);
    if s.tamper {
        let mut bytes = req.body().to_vec();
        match bytes.last_mut() {
            Some(last) => *last ^= 1,
            None => bytes.push(b'x'),
        }
        bytes.truncate(MAX_BODY_BYTES);
        *req.body_mut() = Bytes::from(bytes);
    }
    req
}

/// Sign `req` with the key id `AKID` and the secret `secret`, as the SDKs do. The parameter
/// schemes add their parameters at the end of the form body when there is one, else of the
/// query; a request whose parameters do not decode (or would not fit a URI) stays unsigned.
fn sign(req: &mut http::Request<Bytes>, signing: Signing) {
    let now = Utc::now();
    match signing {
        Signing::None => {}
        Signing::AlibabaAcs3 => alibaba::signature::sign_acs3(req, "AKID", "secret", now),
        Signing::TencentTc3 => tencent::signature::sign_tc3(req, "AKID", "secret", "cvm", now),
        Signing::Zenlayer => zenlayer::signature::sign(req, "AKID", "secret", now),
        Signing::AlibabaV1 => {
            let in_body = dialects::header(req, "content-type")
                .is_none_or(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
                && !req.body().is_empty();
            let Some(mut pairs) = wire_pairs(req, in_body) else { return };
            let before = pairs.len();
            alibaba::signature::sign_v1(req.method().as_str(), &mut pairs, "AKID", "secret", now);
            append_pairs(req, &pairs[before..], in_body);
        }
        Signing::TencentLegacy(algorithm) => {
            let in_body = dialects::header(req, "content-type")
                .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
            let Some(mut pairs) = wire_pairs(req, in_body) else { return };
            let kept = pairs.iter().filter(|(k, _)| k != "Signature").count();
            let host = dialects::header(req, "host").unwrap_or("").to_string();
            let (method, path) = (req.method().to_string(), req.uri().path().to_string());
            tencent::signature::sign_legacy(
                &method, &host, &path, &mut pairs, "AKID", "secret", algorithm, now,
            );
            append_pairs(req, &pairs[kept..], in_body);
        }
    }
}

/// The decoded parameters a parameter signature covers: the query's, then the form body's.
fn wire_pairs(req: &http::Request<Bytes>, with_body: bool) -> Option<Vec<(String, String)>> {
    let mut pairs = encoding::form_pairs(req.uri().query().unwrap_or("").as_bytes()).ok()?;
    if with_body {
        pairs.extend(encoding::form_pairs(req.body()).ok()?);
    }
    Some(pairs)
}

fn append_pairs(req: &mut http::Request<Bytes>, added: &[(String, String)], in_body: bool) {
    let encoded: Vec<(String, String)> =
        added.iter().map(|(k, v)| (encoding::rfc3986(k), encoding::rfc3986(v))).collect();
    let extra = encode_pairs(&encoded);
    if in_body {
        let mut body = req.body().to_vec();
        body.push(b'&');
        body.extend_from_slice(extra.as_bytes());
        *req.body_mut() = Bytes::from(body);
        return;
    }
    let uri = match req.uri().query() {
        Some(q) if !q.is_empty() => format!("{}?{q}&{extra}", req.uri().path()),
        _ => format!("{}?{extra}", req.uri().path()),
    };
    if let Ok(uri) = http::Uri::try_from(uri) {
        *req.uri_mut() = uri;
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring what the cases reached.

#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    cases: u64,
    depth: usize,
    bytes: usize,
    failures: u64,
    /// Cases the gateway would have routed to the target's dialect.
    routed: u64,
}

impl Figures {
    fn line(&self, d: Dialect, seconds: f64) -> String {
        format!(
            "figures: fuzz {}: {} cases in {seconds:.1} s, {} deepest name, {} largest body, failures: {}",
            d.name(),
            self.cases,
            self.depth,
            self.bytes,
            self.failures
        )
    }
}

/// One line on a case, for a report: method, URI (cut), headers, body size and depth.
fn summary(req: &http::Request<Bytes>) -> String {
    let uri = req.uri().to_string();
    let shown: String = uri.chars().take(160).collect();
    let names: Vec<&str> = req.headers().keys().map(|k| k.as_str()).collect();
    format!(
        "{} {shown}{} ({} B URI); headers {names:?}; body {} B; deepest name or JSON {}",
        req.method(),
        if shown.len() < uri.len() { "…" } else { "" },
        uri.len(),
        req.body().len(),
        common::raw::depth(req)
    )
}

// ---------------------------------------------------------------------------------------------
// Running: the child generates and runs the cases, the parent watches it.

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    std::fs::create_dir_all(&dir).expect("the fuzz work directory");
    dir
}

/// Where the child notes the case it is about to run, for the parent to read if it dies.
fn state_file(d: Dialect) -> PathBuf {
    work_dir().join(format!("{}.state", d.name()))
}

fn case_file(d: Dialect, seed: u64, suffix: &str) -> PathBuf {
    work_dir().join(format!("{}-{seed:016x}{suffix}.http", d.name()))
}

/// Each case's RNG seed, from the run's base seed and the case's number (SplitMix64), so that one
/// case can be generated again alone.
fn case_seed(base: u64, i: u64) -> u64 {
    let mut z = base.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = ProptestConfig { failure_persistence: None, ..ProptestConfig::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Run one case on a fresh 2 MiB stack, as the gateway would if it routed the request to the
/// target's dialect (most cases are; the rest reach its parsers all the same). A panic comes back
/// as its message.
/// `label` names the thread, which is what Rust's report of a stack overflow shows.
fn run_case(d: Dialect, req: http::Request<Bytes>, label: &str) -> Result<(), String> {
    std::thread::Builder::new()
        .name(format!("fuzz {} {label}", d.name()))
        .stack_size(STACK)
        .spawn(move || {
            // The routing every request goes through, then the target's own dialect whatever
            // the routing says: a failure here is that dialect's.
            let _ = (Dialect::of(&req), Dialect::of_head(&req));
            exercise_as(d, &req);
        })
        .expect("a thread for the case")
        .join()
        .map_err(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into())
        })
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Shrink a failing case: simpler while it still fails, back when it stops. Quietly (each
/// attempt that fails panics again), for at most a minute.
fn shrink<T: ValueTree<Value = http::Request<Bytes>>>(d: Dialect, tree: &mut T, seed: u64) -> String {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
            default_hook(info);
        }
    }));
    QUIET.store(true, std::sync::atomic::Ordering::Relaxed);
    let started = Instant::now();
    let mut last_failure = String::new();
    let mut steps = 0;
    if tree.simplify() {
        while steps < 2_000 && started.elapsed() < Duration::from_secs(60) {
            steps += 1;
            let more = match run_case(d, tree.current(), &format!("seed {seed:016x}")) {
                Err(message) => {
                    last_failure = message;
                    tree.simplify()
                }
                Ok(()) => tree.complicate(),
            };
            if !more {
                break;
            }
        }
    }
    QUIET.store(false, std::sync::atomic::Ordering::Relaxed);
    last_failure
}

struct Budget {
    until: Duration,
    cases: Option<u64>,
}

impl Budget {
    fn from_env() -> Budget {
        let number =
            |name: &str| env(name).map(|v| v.parse::<u64>().unwrap_or_else(|_| panic!("{name}={v}")));
        match number("FUZZ_SECONDS") {
            Some(seconds) => Budget { until: Duration::from_secs(seconds), cases: number("FUZZ_CASES") },
            None => Budget {
                until: Duration::from_secs(DEFAULT_SECONDS),
                cases: Some(number("FUZZ_CASES").unwrap_or(DEFAULT_CASES)),
            },
        }
    }
}

/// The child: generate and run cases until the budget is spent or one fails.
fn fuzz(d: Dialect) {
    let strategy = cases(d);
    if let Some(seed) = env("FUZZ_SEED") {
        let seed = u64::from_str_radix(seed.trim_start_matches("0x"), 16).expect("FUZZ_SEED in hex");
        let req = strategy.new_tree(&mut runner(seed)).expect("a case").current();
        let file = case_file(d, seed, "");
        std::fs::write(&file, common::raw::to_raw(&req)).expect("the case file");
        eprintln!("fuzz {}: seed {seed:016x}: {}", d.name(), summary(&req));
        eprintln!("fuzz {}: the request is in {}", d.name(), file.display());
        if env("FUZZ_DRY").is_none() {
            run_case(d, req, &format!("seed {seed:016x}"))
                .unwrap_or_else(|e| panic!("seed {seed:016x}: {e}"));
        }
        return;
    }
    if let Some(file) = env("FUZZ_FILE") {
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let req = common::raw::from_raw(&data).unwrap_or_else(|| panic!("{file}: no request line"));
        eprintln!("fuzz {}: {file}: {}", d.name(), summary(&req));
        run_case(d, req, &file).unwrap_or_else(|e| panic!("{file}: {e}"));
        return;
    }
    let budget = Budget::from_env();
    let export = env("FUZZ_EXPORT").map(PathBuf::from);
    if let Some(dir) = &export {
        std::fs::create_dir_all(dir).expect("the export directory");
    }
    let base: u64 = env("FUZZ_BASE_SEED")
        .map(|s| u64::from_str_radix(&s, 16).expect("FUZZ_BASE_SEED in hex"))
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
                as u64
        });
    eprintln!("fuzz {}: base seed {base:016x}, stack {} KiB per case", d.name(), STACK / 1024);
    let started = Instant::now();
    let mut figures = Figures::default();
    let state = state_file(d);
    let mut i = 0u64;
    while started.elapsed() < budget.until && budget.cases.is_none_or(|n| i < n) {
        let seed = case_seed(base, i);
        i += 1;
        let mut tree = strategy.new_tree(&mut runner(seed)).expect("a case");
        let req = tree.current();
        figures.cases += 1;
        figures.depth = figures.depth.max(common::raw::depth(&req));
        figures.bytes = figures.bytes.max(req.body().len());
        figures.routed += u64::from(Dialect::of(&req) == d);
        let note = format!(
            "{seed:016x} {} {} {} {}\n{}\n",
            figures.cases,
            started.elapsed().as_millis(),
            figures.depth,
            figures.bytes,
            summary(&req)
        );
        std::fs::write(&state, note).expect("the state file");
        if let Some(dir) = &export {
            std::fs::write(dir.join(format!("{seed:016x}")), common::raw::to_raw(&req)).expect("an export");
        }
        if let Err(message) = run_case(d, req, &format!("seed {seed:016x}")) {
            figures.failures += 1;
            eprintln!("fuzz {}: seed {seed:016x} panicked: {message}; shrinking", d.name());
            let last = shrink(d, &mut tree, seed);
            let minimal = tree.current();
            let file = case_file(d, seed, ".min");
            std::fs::write(&file, common::raw::to_raw(&minimal)).expect("the case file");
            eprintln!("fuzz {}: smallest failing case: {}", d.name(), summary(&minimal));
            eprintln!("fuzz {}: its panic: {}", d.name(), if last.is_empty() { &message } else { &last });
            eprintln!("fuzz {}: the request is in {}", d.name(), file.display());
            eprintln!("fuzz {}: replay the original with FUZZ_SEED={seed:016x}", d.name());
            break;
        }
    }
    let _ = std::fs::remove_file(&state);
    eprintln!(
        "fuzz {}: {} of {} cases would be routed to {} by the gateway (all ran through it)",
        d.name(),
        figures.routed,
        figures.cases,
        d.name()
    );
    eprintln!("{}", figures.line(d, started.elapsed().as_secs_f64()));
    assert_eq!(figures.failures, 0, "fuzz {}: a case failed (see above)", d.name());
}

/// The parent: run the target in a child process and tell how it ended. A stack overflow
/// aborts the child; its last note names the case, which a second child writes out.
fn target(d: Dialect) {
    if std::env::var_os(CHILD).is_some() {
        return fuzz(d);
    }
    let exe = std::env::current_exe().expect("this test binary");
    let child = |extra: &[(&str, String)]| {
        let mut cmd = std::process::Command::new(&exe);
        cmd.args([d.name(), "--exact", "--nocapture", "--test-threads=1"]).env(CHILD, "1");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.status().expect("the fuzz child process")
    };
    let _ = std::fs::remove_file(state_file(d));
    let status = child(&[]);
    if status.success() {
        return;
    }
    let Ok(note) = std::fs::read_to_string(state_file(d)) else {
        panic!("fuzz {}: the target failed ({status}; see above)", d.name());
    };
    let mut fields = note.lines().next().unwrap_or("").split(' ');
    let mut next = || fields.next().unwrap_or("0").to_string();
    let (seed, cases, ms, depth, bytes) = (next(), next(), next(), next(), next());
    let figures = Figures {
        cases: cases.parse().unwrap_or(0),
        depth: depth.parse().unwrap_or(0),
        bytes: bytes.parse().unwrap_or(0),
        failures: 1,
        routed: 0,
    };
    eprintln!("fuzz {}: the child process died ({status}) on case {cases}, seed {seed}:", d.name());
    eprintln!("fuzz {}:   {}", d.name(), note.lines().nth(1).unwrap_or(""));
    // Written out without being run (it would kill this second child too).
    let _ = child(&[("FUZZ_SEED", seed.clone()), ("FUZZ_DRY", "1".into())]);
    eprintln!(
        "fuzz {}: replay: FUZZ_SEED={seed} cargo test -p dialects --test fuzz -- --nocapture {}",
        d.name(),
        d.name()
    );
    eprintln!("{}", figures.line(d, ms.parse::<f64>().unwrap_or(0.0) / 1_000.0));
    panic!("fuzz {}: the process died ({status}) on seed {seed}", d.name());
}

/// The generators themselves: the extremes are reached, requests round-trip through the text
/// form the reproducers are written in, and a signed request verifies.
#[test]
fn strategies_reach_the_extremes() {
    let name = deep_names(&TENCENT);
    let mut runner = runner(7);
    let (mut deepest, mut largest) = (0, 0);
    for _ in 0..400 {
        let pairs = name.new_tree(&mut runner).expect("names").current();
        deepest = deepest.max(common::raw::deepest_name(encode_pairs(&pairs).as_bytes()));
    }
    assert!(deepest >= 1_000, "deepest name {deepest}");
    let strategy = cases(Dialect::Zenlayer);
    for _ in 0..300 {
        let req = strategy.new_tree(&mut runner).expect("a case").current();
        largest = largest.max(req.body().len());
        let again = common::raw::from_raw(&common::raw::to_raw(&req)).expect("the text form reads back");
        assert_eq!((again.method(), again.uri(), again.headers()), (req.method(), req.uri(), req.headers()));
        assert_eq!(again.body(), req.body());
    }
    assert!(largest > MAX_BODY_BYTES / 2, "largest body {largest}");
    let mut req = http::Request::builder()
        .method("POST")
        .uri("/api/v2/zec")
        .header("content-type", "application/json")
        .header("host", "h")
        .body(Bytes::from_static(b"{}"))
        .expect("a request");
    sign(&mut req, Signing::Zenlayer);
    let presented = zenlayer::signature::presented(&req).expect("presented");
    let now: DateTime<Utc> = Utc::now();
    assert!(zenlayer::signature::verify(&req, &presented, "secret", now, 300).is_ok());
}
