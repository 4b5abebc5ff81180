//! Health, reset, and the accounts' resources with their states derived now.

use super::{answer, rfc3339, Control};
use crate::routes::ROUTES;
use crate::App;
use dialects::WireResponse;
use serde_json::{json, Value};

/// `round_trips`: the store's counts before this call (every request sent to DynamoDB, and the
/// round trips of time: those sent while none was in flight).
pub(super) fn health(app: &App, round_trips: (u64, u64)) -> Value {
    let mut dialects = serde_json::Map::new();
    for route in ROUTES.iter() {
        let actions = dialects.entry(route.dialect().name()).or_insert_with(|| json!([]));
        actions.as_array_mut().expect("an array").push(json!(route.wire()));
    }
    json!({
        "status": "running",
        "table": app.store.table(),
        "time": rfc3339(app.now()),
        "dialects": dialects,
        "apis": dialects::actions::served_apis(),
        "store_round_trips": round_trips.0,
        "store_round_trip_waits": round_trips.1,
    })
}

/// Reload a world: the body's, or (with an empty body) the one the service started with. The same
/// parsing and checks as the `world` command; the accounts it names lose everything they had.
pub(super) async fn reset(app: &App, control: &Control, body: &[u8]) -> WireResponse {
    let text = match (std::str::from_utf8(body).map(str::trim), &control.world) {
        (Ok(""), Some(start)) => start.to_string(),
        (Ok(""), None) => world::REFERENCE_WORLD.to_string(),
        (Ok(text), _) => text.to_string(),
        (Err(_), _) => return answer(400, json!({"error": "the body is not UTF-8"})),
    };
    // A reset starts over: the clock back to real time, no runtime fault in force.
    let parsed = match world::parse(&text, app.real_now()) {
        Ok(w) => w,
        Err(e) => return answer(400, json!({"error": format!("the world is not valid: {e}")})),
    };
    // Under the scheduler's lease: a scheduler run or a clock move (which fires the scheduler)
    // in progress on any process finishes first, and none starts until the reset is done, so a
    // firing's snapshots and its disk's counter never straddle the reload.
    let loaded = crate::scheduler::exclusively(
        app,
        Box::pin(async {
            let summary = app.store.load_world(&parsed).await?;
            app.store.set_clock_offset(0).await?;
            Ok::<_, domain::DomainError>((summary, app.store.clear_faults().await?))
        }),
    );
    match loaded.await {
        Ok((summary, faults)) => answer(
            200,
            json!({
                "loaded": {"accounts": summary.accounts, "items": summary.written},
                "removed": summary.removed,
                "clock": "real",
                "faults_removed": faults,
            }),
        ),
        Err(e @ domain::DomainError::InvalidParameter { .. }) => answer(409, json!({"error": e.to_string()})),
        Err(e) => answer(500, json!({"error": e.to_string()})),
    }
}

/// The resource kinds `state` lists.
const KINDS: [&str; 4] = ["instances", "disks", "snapshots", "images"];

/// Accounts and their resources, with the states derived now. Query: `account`, `kind`.
pub(super) async fn state(app: &App, query: &str) -> WireResponse {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let wanted = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if let Some((name, _)) = pairs.iter().find(|(k, _)| k != "account" && k != "kind") {
        return answer(400, json!({"error": format!("unknown filter {name} (filters: account, kind)")}));
    }
    let kind = wanted("kind");
    if let Some(k) = kind.filter(|k| !KINDS.contains(k)) {
        return answer(400, json!({"error": format!("unknown kind {k} (kinds: {})", KINDS.join(", "))}));
    }
    match read_state(app, wanted("account"), kind).await {
        Ok(accounts) => answer(200, json!({"time": rfc3339(app.now()), "accounts": accounts})),
        Err(e) => answer(500, json!({"error": e.to_string()})),
    }
}

async fn read_state(
    app: &App,
    account: Option<&str>,
    kind: Option<&str>,
) -> domain::DomainResult<Vec<Value>> {
    let store = &app.store;
    let now = app.now();
    let with_state = |mut v: Value, progress: domain::model::Progress| {
        let (state, percent) = match progress {
            domain::model::Progress::InProgress { percent } => ("creating", percent),
            domain::model::Progress::Done => ("available", 100),
            domain::model::Progress::Failed => ("failed", 0),
        };
        v["state"] = json!(state);
        v["progress"] = json!(percent);
        v
    };
    let show = |k: &str| kind.is_none_or(|wanted| wanted == k);
    let mut out = Vec::new();
    for a in store.accounts().await?.into_iter().filter(|a| account.is_none_or(|id| a.id == id)) {
        let mut entry = json!({"id": a.id, "provider": a.provider});
        if show("instances") {
            entry["instances"] =
                serde_json::to_value(store.account_instances(&a.id).await?).unwrap_or_default();
        }
        if show("disks") {
            entry["disks"] = serde_json::to_value(store.account_disks(&a.id).await?).unwrap_or_default();
        }
        if show("snapshots") {
            let snapshots = store.account_snapshots(&a.id).await?;
            let shown = snapshots.iter().map(|s| {
                let mut v = with_state(serde_json::to_value(s).unwrap_or_default(), s.state(now));
                v["expired"] = json!(domain::schedule::expired(s, now));
                v
            });
            entry["snapshots"] = Value::Array(shown.collect());
        }
        if show("images") {
            let images = store.account_images(&a.id).await?;
            let shown =
                images.iter().map(|i| with_state(serde_json::to_value(i).unwrap_or_default(), i.state(now)));
            entry["images"] = Value::Array(shown.collect());
        }
        out.push(entry);
    }
    Ok(out)
}
