//! The virtual clock: `GET /_emulator/clock`, `POST /_emulator/clock` with `{"advance": "36h"}`,
//! `{"set": "<RFC 3339>"}` or `{"real": true}`, and `POST /_emulator/scheduler`. Moving the clock
//! forward fires the scheduler for every hour passed, as EventBridge would have.

use super::{answer, rfc3339};
use crate::{scheduler, App};
use chrono::{DateTime, Duration, Utc};
use dialects::WireResponse;
use serde_json::{json, Value};

/// The farthest the clock may be from real time, either way (ten years), whatever the moves that
/// took it there.
const LIMIT_MS: i64 = store::MAX_CLOCK_OFFSET_MS;

pub(super) fn show(app: &App) -> Value {
    json!({
        "time": rfc3339(app.now()),
        "real_time": rfc3339(app.real_now()),
        "offset_ms": app.clock_offset_ms(),
        "virtual": app.clock_offset_ms() != 0,
    })
}

enum Change {
    Advance(i64),
    Set(DateTime<Utc>),
    Real,
}

fn change_of(body: &[u8]) -> Result<Change, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Some(o) = v.as_object().filter(|o| o.len() == 1) else {
        return Err(r#"give one of {"advance": "36h"}, {"set": "<RFC 3339>"}, {"real": true}"#.into());
    };
    let (name, value) = o.iter().next().expect("one entry");
    match (name.as_str(), value) {
        ("advance", Value::String(text)) => duration_ms(text).map(Change::Advance),
        ("set", Value::String(text)) => DateTime::parse_from_rfc3339(text)
            .map(|t| Change::Set(t.with_timezone(&Utc)))
            .map_err(|e| format!("set: {text:?} is not an RFC 3339 time: {e}")),
        ("real", Value::Bool(true)) => Ok(Change::Real),
        _ => Err(format!("unknown clock change {name}: {value} (advance, set, real)")),
    }
}

/// `"36h"`, `"3d"`, `"1d12h30m"`, `"90s"`, `"-2h"` in milliseconds.
fn duration_ms(text: &str) -> Result<i64, String> {
    let bad = || format!("advance: {text:?} is not a duration like 36h, 3d, 1d12h, 90m or 45s");
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: i64 = match c {
            'd' => 86_400_000,
            'h' => 3_600_000,
            'm' => 60_000,
            's' => 1_000,
            _ => return Err(bad()),
        };
        let n: i64 = digits.parse().map_err(|_| bad())?;
        total = n.checked_mul(unit).and_then(|ms| total.checked_add(ms)).ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() || rest.is_empty() {
        return Err(bad());
    }
    Ok(sign * total)
}

pub(super) async fn change(app: &App, body: &[u8]) -> WireResponse {
    let change = match change_of(body) {
        Ok(c) => c,
        Err(e) => return answer(400, json!({"error": e})),
    };
    let moved = scheduler::exclusively(
        app,
        Box::pin(async {
            let real = app.real_now();
            let (from, to, offset) = match change {
                Change::Advance(ms) => {
                    let Some((old, new)) = app.store.shift_clock(ms).await? else { return Ok(None) };
                    (real + Duration::milliseconds(old), real + Duration::milliseconds(new), new)
                }
                Change::Set(at) => {
                    let offset = (at - real).num_milliseconds();
                    if offset.abs() > LIMIT_MS {
                        return Ok(None);
                    }
                    let old = app.store.set_clock_offset(offset).await?;
                    (real + Duration::milliseconds(old), at, offset)
                }
                Change::Real => {
                    (real + Duration::milliseconds(app.store.set_clock_offset(0).await?), real, 0)
                }
            };
            let report = if to > from { Some(Box::pin(scheduler::pass(app, from, to)).await?) } else { None };
            Ok(Some((to, offset, report)))
        }),
    );
    match moved.await {
        Ok(Some((to, offset, report))) => answer(
            200,
            json!({
                "time": rfc3339(to),
                "offset_ms": offset,
                "virtual": offset != 0,
                "scheduler": report,
            }),
        ),
        Ok(None) => answer(
            400,
            json!({"error": "the clock stays within ten years of real time", "offset_ms": app.clock_offset_ms()}),
        ),
        Err(e) => answer(503, json!({"error": e.to_string()})),
    }
}

/// Run the scheduler now, for the current virtual hour.
pub(super) async fn scheduler(app: &App) -> WireResponse {
    let work = Box::pin(async {
        // The clock as it is once the lease is held (a change may have just finished).
        let app = app.synced().await?;
        scheduler::run(&app, app.now()).await
    });
    let ran = scheduler::exclusively(app, work);
    match ran.await {
        Ok(report) => answer(200, json!(report)),
        Err(e) => answer(503, json!({"error": e.to_string()})),
    }
}

#[cfg(test)]
mod tests {
    use super::duration_ms;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration_ms("36h"), Ok(36 * 3_600_000));
        assert_eq!(duration_ms("3d"), Ok(3 * 86_400_000));
        assert_eq!(duration_ms("1d12h30m15s"), Ok(86_400_000 + 12 * 3_600_000 + 30 * 60_000 + 15_000));
        assert_eq!(duration_ms("-2h"), Ok(-2 * 3_600_000));
        for bad in ["", "h", "12", "3x", "1.5h", "-", "99999999999999999999d"] {
            assert!(duration_ms(bad).is_err(), "{bad:?}");
        }
    }
}
