//! Reading an action's parameters from a JSON object (Tencent's API 3.0 body, or its flattened
//! forms rebuilt into one; Zenlayer's body): every name checked against what the action takes,
//! numbers and booleans accepted as JSON values or as the strings flattened forms carry.

use domain::{DomainError, DomainResult};
use serde_json::{Map, Value};

/// An action's parameters, refusing any the action does not take.
pub struct Params<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    pub fn of(map: &'a Map<String, Value>, known: &[&str]) -> DomainResult<Params<'a>> {
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(DomainError::UnknownParameter(unknown.clone()));
        }
        Ok(Params { map })
    }

    /// A parameter's raw value (null counts as absent).
    pub fn value_of(&self, name: &str) -> Option<&'a Value> {
        self.value(name)
    }

    /// An object parameter.
    pub fn object(&self, name: &str) -> DomainResult<Option<&'a Map<String, Value>>> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(DomainError::invalid(name, "It must be an object.")),
        }
    }

    fn value(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    pub fn has(&self, name: &str) -> bool {
        self.value(name).is_some()
    }

    /// A string (flattened forms carry every value as one; a JSON body must use a string).
    pub fn string(&self, name: &str) -> DomainResult<Option<String>> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(DomainError::invalid(name, "It must be a string.")),
        }
    }

    pub fn required(&self, name: &str) -> DomainResult<String> {
        self.string(name)?.filter(|s| !s.is_empty()).ok_or_else(|| DomainError::missing(name))
    }

    /// `true`/`false` as JSON booleans or as strings in any case (`"TRUE"`, `"False"`).
    pub fn boolean(&self, name: &str) -> DomainResult<Option<bool>> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(DomainError::invalid(name, "It must be TRUE or FALSE.")),
        }
    }

    pub fn integer(&self, name: &str, range: std::ops::RangeInclusive<i64>) -> DomainResult<Option<i64>> {
        let n = match self.value(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
            Some(_) => None,
        };
        match n {
            Some(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(DomainError::invalid(
                name,
                format!("It must be an integer from {} to {}.", range.start(), range.end()),
            )),
        }
    }

    /// A list of strings (`Name.N` flattened, or a JSON array).
    pub fn strings(&self, name: &str) -> DomainResult<Option<Vec<String>>> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(DomainError::invalid(name, "It must be a list of strings.")),
                })
                .collect::<DomainResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(DomainError::invalid(name, "It must be a list of strings.")),
        }
    }

    /// A list of strings of at most `max` items: id lists are bounded, as every Describe call of
    /// the providers bounds them, before any id is looked up.
    pub fn ids(&self, name: &str, max: usize) -> DomainResult<Option<Vec<String>>> {
        if let Some(Value::Array(items)) = self.value(name) {
            if items.len() > max {
                return Err(DomainError::invalid(name, format!("It takes at most {max} items.")));
            }
        }
        self.strings(name)
    }

    pub fn objects(&self, name: &str) -> DomainResult<Vec<&'a Map<String, Value>>> {
        match self.value(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_object().ok_or_else(|| DomainError::invalid(name, "It must be a list of objects."))
                })
                .collect(),
            Some(_) => Err(DomainError::invalid(name, "It must be a list of objects.")),
        }
    }
}

pub fn field<'a>(obj: &'a Map<String, Value>, list: &str, name: &str) -> DomainResult<Option<&'a str>> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(DomainError::invalid(&format!("{list}.{name}"), "It must be a string.")),
    }
}
