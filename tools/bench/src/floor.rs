//! The floor of each call: the DynamoDB calls one request of ours makes — for a create, its one
//! transaction when this process remembers what it needs (the read when it does not, or when the
//! transaction is refused); for any other call, the credential read with what the action reads
//! ahead and the nonce beside it (after it, when the credential is not remembered) — issued straight from this process through the same store and use-case
//! code, with no HTTP, no parsing, no signature and no rendering.
//! The commands are made once (from the dialects' own parameter readers) and only their ids change
//! per call.

use crate::clients::{ALI, TC, ZL};
use crate::{world, Call, Ctx};
use chrono::Utc;
use dialects::actions::{AlibabaAction, Origin, Route, TencentAction, ZenlayerAction};
use dialects::WireRequest;
use domain::image::{CreateImage, ImageSource};
use domain::snapshot::CreateSnapshot;
use service::usecases::describe::{self, SnapshotScope};
use service::usecases::{create_image, create_snapshot, Caller};
use std::sync::OnceLock;
use store::{CallerItem, Ref, Store};

/// The commands the dialects make of the bench's requests, made once.
struct Commands {
    ali_snapshot: CreateSnapshot,
    ali_image: CreateImage,
    tc_snapshot: CreateSnapshot,
    zl_snapshot: CreateSnapshot,
}

fn form(path: &str, body: &str, headers: &[(&str, &str)]) -> WireRequest {
    let mut b = http::Request::builder().method("POST").uri(path).header("host", "bench");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(bytes::Bytes::from(body.to_string())).expect("a valid request")
}

fn commands(snapshot: &str) -> &'static Commands {
    static COMMANDS: OnceLock<Commands> = OnceLock::new();
    COMMANDS.get_or_init(|| {
        use dialects::{alibaba, tencent, zenlayer};
        let now = Utc::now();
        let ali = |q: &str| alibaba::RpcRequest::parse(&form(&format!("/?{q}"), "", &[])).expect("parses");
        let ali_snapshot =
            alibaba::snapshots::create_snapshot(&ali("Action=CreateSnapshot&DiskId=d&ClientToken=t"))
                .expect("valid");
        let image_query =
            format!("Action=CreateImage&RegionId=cn-hangzhou&SnapshotId={snapshot}&ImageName=bench");
        let (ali_image, _) = alibaba::images::create_image(&ali(&image_query)).expect("valid");
        let tc_headers = [("content-type", "application/json"), ("x-tc-action", "CreateSnapshot")];
        let tc = tencent::TcRequest::parse(&form("/", r#"{"DiskId":"d"}"#, &tc_headers)).expect("parses");
        let tc_snapshot = tencent::snapshots::create_snapshot(&tc, "ap-guangzhou", now).expect("valid");
        let zl_headers = [("content-type", "application/json"), ("x-zc-action", "CreateSnapshot")];
        let body = r#"{"diskId":"d","snapshotName":"bench"}"#;
        let zl = zenlayer::ZlRequest::parse(&form("/api/v2/zec", body, &zl_headers)).expect("parses");
        let mut zl_snapshot = zenlayer::snapshots::create_snapshot(&zl, now).expect("valid");
        zl_snapshot.resource_group_id = Some("rg-default".into());
        Commands { ali_snapshot, ali_image, tc_snapshot, zl_snapshot }
    })
}

/// What the pipeline does before any action: read the credential together with what the action
/// will read (one `BatchGetItem`; for a create, first from what the process remembers, with no
/// round trip), and, for the dialects whose signatures carry a nonce, hand the store one to
/// record (by the action's transaction, or settled by [`serve`]).
async fn authenticate(
    store: Store,
    key: &str,
    nonce: Option<&str>,
) -> Result<(Store, domain::Account), String> {
    let credential = store.credential(key).await.map_err(|e| e.to_string())?.ok_or("no credential")?;
    let store = match nonce {
        Some(nonce) => store.with_nonce(key, nonce, Utc::now(), NONCE_SECONDS),
        None => store,
    };
    Ok((store, credential.account))
}

/// How long the pipeline remembers a nonce.
const NONCE_SECONDS: i64 = 2 * 86_400;

/// One call of `call`, as the pipeline makes it, through `base` (the bench's store, or one that
/// keeps what it commits): a create on what this process remembers when it remembers enough,
/// run again on fresh reads when that speculation is refused; any other call on fresh reads.
pub async fn run(ctx: &Ctx, base: &Store, call: Call, c: usize, i: usize) -> Result<(), String> {
    let key = match call {
        Call::TcCreateSnapshot => TC.0,
        Call::ZlCreateSnapshot => ZL.0,
        _ => ALI.0,
    };
    let mut all = vec![Ref::Credential(key.to_string())];
    all.extend(reads(ctx, call, c, i));
    // Every request also reads the emulator's state (virtual clock, runtime faults) in that batch.
    all.push(Ref::Emulator);
    let nonce = uuid::Uuid::new_v4().to_string();
    if call != Call::AliDescribeSnapshots {
        if let Some(store) = base.speculate(&all) {
            let outcome = serve(ctx, store.clone(), call, c, i, &nonce).await;
            if outcome.is_ok() || store.speculation_committed() {
                return outcome;
            }
        }
    } else if base.remembered_credential(key).is_some() {
        // A read on a remembered credential records its nonce beside its batch read.
        let pending = base.with_nonce(key, &nonce, Utc::now(), NONCE_SECONDS);
        let (store, recorded) = tokio::join!(pending.read_ahead(&all), pending.settle_nonce());
        recorded.map_err(|e| e.to_string())?;
        return serve(ctx, store.map_err(|e| e.to_string())?, call, c, i, &nonce).await;
    }
    let store = base.read_ahead(&all).await.map_err(|e| e.to_string())?;
    serve(ctx, store, call, c, i, &nonce).await
}

/// The client token of call `i` at concurrency `c`.
fn token(ctx: &Ctx, c: usize, i: usize) -> String {
    format!("floor-{}-{c}-{i}", ctx.run)
}

/// The action's name, and what the dialect's `reads` names for the same request.
fn reads(ctx: &Ctx, call: Call, c: usize, i: usize) -> Vec<Ref> {
    let key = match call {
        Call::TcCreateSnapshot => TC.0,
        Call::ZlCreateSnapshot => ZL.0,
        _ => ALI.0,
    };
    let token = token(ctx, c, i);
    let action = match call {
        Call::AliCreateImage => "CreateImage",
        _ => "CreateSnapshot",
    };
    let of_caller = |item| Ref::OfCaller { access_key: key.to_string(), item };
    let token_ref = || of_caller(CallerItem::Token { action: action.into(), token: token.clone() });
    let hangzhou = || "cn-hangzhou".to_string();
    match call {
        Call::TcCreateSnapshot => {
            vec![Ref::Region("ap-guangzhou".into()), Ref::Disk(world::disk("tencent", i))]
        }
        Call::ZlCreateSnapshot => vec![Ref::Disk(world::disk("zenlayer", i))],
        Call::AliCreateImage => vec![
            Ref::Region(hangzhou()),
            token_ref(),
            Ref::Snapshot(ctx.image_source(i)),
            of_caller(CallerItem::ImageCount { region: hangzhou() }),
            of_caller(CallerItem::ImageName { region: hangzhou(), name: format!("bench-{token}") }),
        ],
        Call::AliDescribeSnapshots => vec![Ref::Region(hangzhou()), Ref::Snapshot(ctx.snapshot.clone())],
        Call::AliCreateSnapshot => vec![Ref::Disk(world::disk("alibaba", i))],
        _ => vec![token_ref(), Ref::Disk(world::disk("alibaba", i))],
    }
}

/// The action itself, on `store` (its reads read ahead or taken from memory).
async fn serve(
    ctx: &Ctx,
    store: Store,
    call: Call,
    c: usize,
    i: usize,
    nonce_value: &str,
) -> Result<(), String> {
    let commands = commands(&ctx.snapshot);
    let token = token(ctx, c, i);
    let (key, nonce) = match call {
        Call::TcCreateSnapshot => (TC.0, false),
        Call::ZlCreateSnapshot => (ZL.0, false),
        _ => (ALI.0, true),
    };
    let route = match call {
        Call::TcCreateSnapshot => Route::Tencent(TencentAction::CreateSnapshot),
        Call::ZlCreateSnapshot => Route::Zenlayer(ZenlayerAction::CreateSnapshot),
        Call::AliCreateImage => Route::Alibaba(AlibabaAction::CreateImage),
        Call::AliDescribeSnapshots => Route::Alibaba(AlibabaAction::DescribeSnapshots),
        _ => Route::Alibaba(AlibabaAction::CreateSnapshot),
    };
    let (store, account) = authenticate(store, key, nonce.then_some(nonce_value)).await?;
    let store = &store;
    let caller =
        Caller { account: &account, origin: Origin::Action(route), now: Utc::now(), arrived: Utc::now() };
    let outcome = match call {
        Call::AliCreateSnapshotToken | Call::AliCreateSnapshotReplay | Call::AliCreateSnapshot => {
            let mut cmd = commands.ali_snapshot.clone();
            cmd.disk_id = world::disk("alibaba", i);
            cmd.client_token = (call != Call::AliCreateSnapshot).then_some(token);
            create_snapshot::run(store, &caller, &cmd, || format!("s-{}", fresh(20))).await.map(drop)
        }
        Call::AliCreateImage => {
            let mut cmd = commands.ali_image.clone();
            cmd.source = ImageSource::Snapshot(ctx.image_source(i));
            cmd.name = Some(format!("bench-{token}"));
            cmd.client_token = Some(token);
            create_image::run(store, &caller, &cmd, false, |_| format!("m-{}", fresh(20))).await.map(drop)
        }
        Call::AliDescribeSnapshots => {
            // A read records its nonce alongside its reads (unless it did beside its batch read), as
            // the pipeline does.
            let ids = [ctx.snapshot.clone()];
            let read = describe::snapshots(store, &caller, Some("cn-hangzhou"), SnapshotScope::Ids(&ids));
            let (recorded, found) = tokio::join!(store.settle_nonce(), read);
            recorded.map_err(|e| e.to_string())?;
            match found {
                Ok(found) if found.len() == 1 => Ok(()),
                Ok(_) => return Err("the snapshot was not found".into()),
                Err(e) => Err(e),
            }
        }
        Call::TcCreateSnapshot => {
            let mut cmd = commands.tc_snapshot.clone();
            cmd.disk_id = world::disk("tencent", i);
            create_snapshot::run(store, &caller, &cmd, || format!("snap-{}", fresh(8))).await.map(drop)
        }
        Call::ZlCreateSnapshot => {
            let mut cmd = commands.zl_snapshot.clone();
            cmd.disk_id = world::disk("zenlayer", i);
            let zl_id =
                || (1_000_000_000_000_000_000u64 + rand_u64() % 1_000_000_000_000_000_000).to_string();
            create_snapshot::run(store, &caller, &cmd, zl_id).await.map(drop)
        }
    };
    if store.speculative() && !store.speculation_committed() {
        // Answered without its transaction: the pipeline runs it again on fresh reads.
        return Err(format!("a speculation wrote nothing: {outcome:?}"));
    }
    store.settle_nonce().await.map_err(|e| e.to_string())?;
    outcome.map_err(|e| e.to_string())
}

/// `n` fresh lowercase hex characters.
fn fresh(n: usize) -> String {
    uuid::Uuid::new_v4().simple().to_string()[..n].to_string()
}

fn rand_u64() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}
