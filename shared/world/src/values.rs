//! The values of the world file that are more than a JSON type: bounded integers, names from a
//! fixed set, times, and objects read as key-value pairs. Each refuses what it cannot take with a
//! message naming the value found and what was expected.

use chrono::{DateTime, Duration, Utc};
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};
use serde::Deserialize;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

/// A non-negative integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uint(pub u64);

impl<'de> Deserialize<'de> for Uint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Uint;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Uint, E> {
                Ok(Uint(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Uint, E> {
                u64::try_from(n).map(Uint).map_err(|_| E::invalid_value(Unexpected::Signed(n), &self))
            }
        }
        d.deserialize_u64(V)
    }
}

/// An integer in `MIN..=MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int<const MIN: i64, const MAX: i64>(pub i64);

/// A count that fits the 32 bits the domain keeps it in.
pub type U32 = Int<0, 4_294_967_295>;

impl<const MIN: i64, const MAX: i64> Int<MIN, MAX> {
    /// The value in an integer type that holds all of `MIN..=MAX`.
    pub fn get<T: TryFrom<i64>>(self) -> T {
        T::try_from(self.0).unwrap_or_else(|_| unreachable!("{} was read as in {MIN}..={MAX}", self.0))
    }
}

impl<'de, const MIN: i64, const MAX: i64> Deserialize<'de> for Int<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const MIN: i64, const MAX: i64>;
        impl<const MIN: i64, const MAX: i64> Visitor<'_> for V<MIN, MAX> {
            type Value = Int<MIN, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an integer in {MIN}..={MAX}")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
                if (MIN..=MAX).contains(&n) {
                    Ok(Int(n))
                } else {
                    Err(E::invalid_value(Unexpected::Signed(n), &self))
                }
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
                match i64::try_from(n) {
                    Ok(n) if (MIN..=MAX).contains(&n) => Ok(Int(n)),
                    _ => Err(E::invalid_value(Unexpected::Unsigned(n), &self)),
                }
            }
        }
        d.deserialize_i64(V::<MIN, MAX>)
    }
}

/// A type the format spells as one of a fixed set of names.
pub trait Spelled: Sized + Copy + 'static {
    /// What a value is, in a refusal: `unknown {WHAT} "x" (expected one of …)`.
    const WHAT: &'static str;
    /// Every name and its value, in the order a refusal lists them.
    const ALL: &'static [(&'static str, Self)];
}

/// A value of `T` given by its name; any other name is refused, listing the names there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice<T>(pub T);

impl<T: Spelled> Choice<T> {
    pub fn get(self) -> T {
        self.0
    }
}

impl<'de, T: Spelled> Deserialize<'de> for Choice<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        match T::ALL.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => Ok(Choice(*value)),
            None => {
                let names: Vec<&str> = T::ALL.iter().map(|(n, _)| *n).collect();
                let expected = names.join(", ");
                Err(de::Error::custom(format!("unknown {} {name:?} (expected one of {expected})", T::WHAT)))
            }
        }
    }
}

/// The furthest a relative time may reach either way: far inside the instants the clock can hold
/// on either side of any real moment.
const MAX_RELATIVE_YEARS: i64 = 100_000;

/// A time as the format gives it: RFC 3339, or relative to the moment of loading (`-30m`, `+2h`,
/// `-400d`; units s, m, h, d).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Time {
    At(DateTime<Utc>),
    FromNow(Duration),
}

impl Time {
    pub fn parse(text: &str) -> Result<Time, String> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(Time::At(t.with_timezone(&Utc)));
        }
        let bad =
            || format!("bad time {text:?} (expected RFC 3339 or a relative time like -30m, +2h, -400d)");
        let (sign, rest) = match text.as_bytes().first() {
            Some(b'-') => (-1, &text[1..]),
            Some(b'+') => (1, &text[1..]),
            _ => return Err(bad()),
        };
        let Some((unit, digits)) = rest.chars().last().map(|u| (u, &rest[..rest.len() - u.len_utf8()]))
        else {
            return Err(bad());
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let unit_seconds = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let seconds = digits.parse::<i64>().ok().and_then(|n| n.checked_mul(unit_seconds));
        match seconds {
            Some(s) if s <= MAX_RELATIVE_YEARS * 365 * 86_400 => {
                Ok(Time::FromNow(Duration::seconds(sign * s)))
            }
            _ => Err(format!("time {text:?} is more than {MAX_RELATIVE_YEARS} years from now")),
        }
    }

    /// The instant, with relative times taken from `now`.
    pub fn at(self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Time::At(t) => t,
            // Only a `now` tens of thousands of years away could leave the clock's range.
            Time::FromNow(d) => now.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
                DateTime::<Utc>::MIN_UTC
            } else {
                DateTime::<Utc>::MAX_UTC
            }),
        }
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Time::parse(&text).map_err(de::Error::custom)
    }
}

/// An object read as its key-value pairs, in the order written; a key given twice is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairs<V>(pub Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Pairs<V> {
    /// `what` names the object in a refusal: `expected {what}`.
    pub fn read<D: Deserializer<'de>>(d: D, what: &'static str) -> Result<Self, D::Error> {
        struct Entries<V>(&'static str, PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = Pairs<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(self.0)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<V>, A::Error> {
                let mut seen = HashSet::new();
                let mut pairs = Vec::new();
                while let Some(key) = map.next_key_seed(NewKey(&seen))? {
                    seen.insert(key.clone());
                    pairs.push((key, map.next_value()?));
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(Entries(what, PhantomData))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Pairs::read(d, "an object of key: value")
    }
}

/// A key not seen before in its object: refused while it is read, so the refusal's path ends in it.
struct NewKey<'a>(&'a HashSet<String>);

impl<'de> DeserializeSeed<'de> for NewKey<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        let key = String::deserialize(d)?;
        if self.0.contains(&key) {
            return Err(de::Error::custom(format!("key {key:?} is given twice in this object")));
        }
        Ok(key)
    }
}

/// A struct of the format, read only from a JSON object. A derived struct would also take a list
/// of its fields' values in order, which the format has no place for: the derived reader
/// (`#[serde(remote = "Self")]`) is called here with the object's entries alone.
pub trait Object: Sized {
    /// What it is, in a refusal: `expected {WHAT}`.
    const WHAT: &'static str;
    fn derived<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

pub fn object<'de, D: Deserializer<'de>, T: Object>(d: D) -> Result<T, D::Error> {
    struct Entries<T>(PhantomData<T>);
    impl<'de, T: Object> Visitor<'de> for Entries<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(T::WHAT)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::derived(MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(Entries(PhantomData))
}
