//! Runtime faults, in the style of LocalStack's chaos API: `POST /_emulator/faults` puts one fault
//! (an object) or several (an array) in force, `GET` lists them, `DELETE` removes one (`?id=`) or
//! all. They are kept in the table, so every process serving it applies them; the pipeline calls
//! [`strike`] for every authenticated request, and a fault's error is answered in the request's
//! own dialect, as the provider answers that code.

use super::answer;
use crate::routes::Route;
use crate::App;
use dialects::WireResponse;
use domain::chaos::RuntimeFault;
use domain::{DomainError, DomainResult};
use serde_json::{json, Value};

/// The longest delay a fault may add.
const MAX_LATENCY_MS: u64 = 30_000;

/// Apply the faults in force to a request of `account` in `dialect` for `action`, naming the
/// resources `named`: wait out their latency, then fail with the first one's code that is hit.
pub async fn strike(app: &App, route: Route, account: &str, named: &[&str]) -> DomainResult<()> {
    // Several faults' latencies add up; the request waits no longer than one fault may make it.
    let mut waited_ms = 0;
    for fault in app.faults() {
        if !fault.applies(route.dialect().name(), route.wire(), account, named) || !chance(fault.probability)
        {
            continue;
        }
        // A limited fault hits only while it has requests left, counted across processes.
        if fault.count.is_some() && !app.store.take_fault(&fault.id).await? {
            continue;
        }
        tracing::info!(fault = %fault.id, code = fault.code.as_deref().unwrap_or(""), "runtime fault hit");
        let latency = fault.latency_ms.min(MAX_LATENCY_MS - waited_ms);
        if latency > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
            waited_ms += latency;
        }
        if let Some(code) = &fault.code {
            return Err(DomainError::Fault(code.clone()));
        }
    }
    Ok(())
}

/// True with probability `p`.
fn chance(p: f64) -> bool {
    if p >= 1.0 {
        return true;
    }
    // 53 random bits from a v4 UUID: a uniform draw in [0, 1).
    let draw = (uuid::Uuid::new_v4().as_u64_pair().0 >> 11) as f64 / (1u64 << 53) as f64;
    draw < p
}

pub(super) async fn list(app: &App) -> WireResponse {
    match app.store.emulator_state().await {
        Ok(state) => answer(200, json!({"faults": state.faults})),
        Err(e) => answer(503, json!({"error": e.to_string()})),
    }
}

pub(super) async fn add(app: &App, body: &[u8]) -> WireResponse {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return answer(400, json!({"error": format!("the body is not JSON: {e}")})),
    };
    let given = match parsed {
        Value::Array(items) => items,
        one => vec![one],
    };
    if given.len() > store::MAX_FAULTS {
        let e = format!("at most {} faults are in force at once", store::MAX_FAULTS);
        return answer(400, json!({"error": e}));
    }
    let mut faults = Vec::new();
    for (i, v) in given.iter().enumerate() {
        match fault_of(v) {
            Ok(f) => faults.push(f),
            Err(e) => return answer(400, json!({"error": format!("fault {i}: {e}")})),
        }
    }
    for fault in &faults {
        match app.store.add_fault(fault).await {
            Ok(true) => {}
            // Those before it are in force: the answer lists what is.
            Ok(false) => {
                let e = format!(
                    "{} faults are in force already (at most {}); fault {} was not added",
                    store::MAX_FAULTS,
                    store::MAX_FAULTS,
                    fault.id
                );
                return answer(409, json!({"error": e}));
            }
            Err(e) => return answer(503, json!({"error": e.to_string()})),
        }
    }
    list(app).await
}

/// A fault as given, checked: a dialect and one of its actions, a provider-shaped code or a
/// latency (or both), a probability in (0, 1], a count of at least one.
fn fault_of(v: &Value) -> Result<RuntimeFault, String> {
    let o = v.as_object().ok_or("a fault is a JSON object")?;
    let mut with_id = o.clone();
    with_id
        .entry("id")
        .or_insert_with(|| json!(format!("fault-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])));
    let fault: RuntimeFault = serde_json::from_value(Value::Object(with_id)).map_err(|e| e.to_string())?;
    Route::named(&fault.dialect, &fault.action)?;
    let id_ok = !fault.id.is_empty() && fault.id.len() <= 64;
    if !id_ok || !fault.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err("id: 1 to 64 letters, digits, - or _".into());
    }
    if let Some(code) = &fault.code {
        let shaped = code.len() <= 80
            && code.starts_with(|c: char| c.is_ascii_alphabetic())
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
        if !shaped {
            return Err(format!("code {code:?} is not a provider error code"));
        }
    }
    if fault.code.is_none() && fault.latency_ms == 0 {
        return Err("give a code, a latency_ms, or both".into());
    }
    if !(fault.probability > 0.0 && fault.probability <= 1.0) {
        return Err("probability: more than 0, at most 1".into());
    }
    if fault.count == Some(0) {
        return Err("count: at least 1 (leave it out for a fault that stays)".into());
    }
    for (name, value) in [("resource", &fault.resource), ("account", &fault.account)] {
        if value.as_ref().is_some_and(|v| v.len() > 128) {
            return Err(format!("{name}: at most 128 characters"));
        }
    }
    if fault.latency_ms > MAX_LATENCY_MS {
        return Err(format!("latency_ms: at most {MAX_LATENCY_MS}"));
    }
    Ok(fault)
}

pub(super) async fn remove(app: &App, query: &str, body: &[u8]) -> WireResponse {
    let from_query =
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "id").map(|(_, v)| v.into_owned());
    let from_body = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
    match from_query.or(from_body) {
        Some(id) => match app.store.remove_fault(&id).await {
            Ok(true) => answer(200, json!({"removed": 1})),
            Ok(false) => answer(404, json!({"error": format!("no fault {id}")})),
            Err(e) => answer(503, json!({"error": e.to_string()})),
        },
        None => match app.store.clear_faults().await {
            Ok(n) => answer(200, json!({"removed": n})),
            Err(e) => answer(503, json!({"error": e.to_string()})),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_checked_before_they_are_kept() {
        let ok = fault_of(&json!({"dialect": "tencent", "action": "CreateImage", "code": "InternalError"}))
            .unwrap();
        assert!(ok.id.starts_with("fault-") && ok.probability == 1.0 && ok.count.is_none());
        let latency =
            json!({"dialect": "zenlayer", "action": "CreateSnapshot", "latency_ms": 200, "count": 2});
        assert_eq!(fault_of(&latency).unwrap().count, Some(2));
        for bad in [
            json!({"dialect": "aws", "action": "CreateImage", "code": "X"}),
            json!({"dialect": "tencent", "action": "DeleteEverything", "code": "X"}),
            json!({"dialect": "tencent", "action": "CreateImage"}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "no spaces"}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "X", "probability": 0}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "X", "probability": 1.5}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "X", "count": 0}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "X", "latency_ms": 600000}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "X", "colour": "red"}),
            json!({"dialect": "tencent", "action": "CreateImage", "code": "X", "id": "a b"}),
            json!("a string"),
        ] {
            assert!(fault_of(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn chance_follows_the_probability() {
        let hits = (0..10_000).filter(|_| chance(0.25)).count();
        assert!((2_000..3_000).contains(&hits), "{hits} of 10000 at 0.25");
        assert!((0..100).all(|_| chance(1.0)));
    }
}
