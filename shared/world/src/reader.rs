//! A JSON object reader that knows where it is, so every refusal names the bad field's path.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A refusal: the path of the bad field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldError {
    pub path: String,
    pub problem: String,
}

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

impl std::error::Error for WorldError {}

pub type Res<T> = Result<T, WorldError>;

pub fn err<T>(path: &str, problem: impl Into<String>) -> Res<T> {
    Err(WorldError { path: path.to_string(), problem: problem.into() })
}

/// One JSON object at a path. Fields are taken one by one; [`Obj::finish`] refuses the rest.
pub struct Obj<'a> {
    pub path: String,
    map: &'a Map<String, Value>,
    taken: BTreeSet<&'static str>,
}

impl<'a> Obj<'a> {
    pub fn new(path: impl Into<String>, value: &'a Value) -> Res<Self> {
        let path = path.into();
        match value.as_object() {
            Some(map) => Ok(Obj { path, map, taken: BTreeSet::new() }),
            None => err(&path, format!("expected an object, found {}", kind(value))),
        }
    }

    pub fn at(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{}", self.path, name)
        }
    }

    fn get(&mut self, name: &'static str) -> Option<&'a Value> {
        self.taken.insert(name);
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub fn raw(&mut self, name: &'static str) -> Option<&'a Value> {
        self.get(name)
    }

    pub fn required(&mut self, name: &'static str) -> Res<&'a Value> {
        match self.get(name) {
            Some(v) => Ok(v),
            None => err(&self.at(name), "required field is missing"),
        }
    }

    pub fn string(&mut self, name: &'static str) -> Res<String> {
        let v = self.required(name)?;
        as_string(&self.at(name), v)
    }

    pub fn opt_string(&mut self, name: &'static str) -> Res<Option<String>> {
        match self.get(name) {
            Some(v) => as_string(&self.at(name), v).map(Some),
            None => Ok(None),
        }
    }

    pub fn bool_or(&mut self, name: &'static str, default: bool) -> Res<bool> {
        match self.get(name) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => err(&self.at(name), format!("expected true or false, found {}", kind(v))),
            None => Ok(default),
        }
    }

    pub fn uint_or(&mut self, name: &'static str, default: u64) -> Res<u64> {
        match self.get(name) {
            Some(v) => as_uint(&self.at(name), v),
            None => Ok(default),
        }
    }

    pub fn opt_uint(&mut self, name: &'static str) -> Res<Option<u64>> {
        match self.get(name) {
            Some(v) => as_uint(&self.at(name), v).map(Some),
            None => Ok(None),
        }
    }

    pub fn int_or(&mut self, name: &'static str, default: i64) -> Res<i64> {
        match self.get(name) {
            Some(v) => v
                .as_i64()
                .map_or_else(|| err(&self.at(name), format!("expected an integer, found {}", kind(v))), Ok),
            None => Ok(default),
        }
    }

    /// A string that must be one of `allowed`; `what` names it in the message.
    pub fn choice_or(
        &mut self,
        name: &'static str,
        what: &str,
        allowed: &[&str],
        default: &str,
    ) -> Res<String> {
        let Some(v) = self.get(name) else {
            return Ok(default.to_string());
        };
        let s = as_string(&self.at(name), v)?;
        if allowed.contains(&s.as_str()) {
            Ok(s)
        } else {
            err(&self.at(name), format!("unknown {what} {s:?} (expected one of {})", allowed.join(", ")))
        }
    }

    pub fn time_or(&mut self, name: &'static str, default: &str, now: DateTime<Utc>) -> Res<DateTime<Utc>> {
        let path = self.at(name);
        match self.get(name) {
            Some(v) => parse_time(&path, &as_string(&path, v)?, now),
            None => parse_time(&path, default, now),
        }
    }

    pub fn array(&mut self, name: &'static str) -> Res<&'a [Value]> {
        match self.get(name) {
            Some(Value::Array(a)) => Ok(a),
            Some(v) => err(&self.at(name), format!("expected a list, found {}", kind(v))),
            None => Ok(&[]),
        }
    }

    /// Refuse fields this version of the format does not know (typos would otherwise be silent).
    pub fn finish(self) -> Res<()> {
        match self.map.keys().find(|k| !self.taken.contains(k.as_str())) {
            Some(k) => err(&self.at(k), "unknown field"),
            None => Ok(()),
        }
    }
}

pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub fn as_string(path: &str, v: &Value) -> Res<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => err(path, format!("expected a string, found {}", kind(other))),
    }
}

pub fn as_uint(path: &str, v: &Value) -> Res<u64> {
    v.as_u64().map_or_else(|| err(path, format!("expected a non-negative integer, found {v}")), Ok)
}

/// RFC 3339, or relative to `now`: `-30m`, `+10m`, `-400d` (units s, m, h, d).
pub fn parse_time(path: &str, text: &str, now: DateTime<Utc>) -> Res<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let bad = || {
        err(path, format!("bad time {text:?} (expected RFC 3339 or a relative time like -30m, +2h, -400d)"))
    };
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => return bad(),
    };
    if rest.len() < 2 {
        return bad();
    }
    let (digits, unit) = rest.split_at(rest.len() - 1);
    let Ok(n) = digits.parse::<i64>() else {
        return bad();
    };
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return bad(),
    };
    Ok(now + Duration::seconds(sign * seconds))
}
