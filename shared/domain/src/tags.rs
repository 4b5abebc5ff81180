//! Tags and resource groups on existing snapshots and images: the commands, and the rule that
//! turns a resource's tags into its new ones. The store writes each resource's new tags on the
//! condition that its tags are still the ones read, so two concurrent calls never lose a change.

use crate::error::{DomainError, DomainResult, TagRefusal};
use crate::model::Tag;

/// The most tags one Alibaba resource carries (ECS API reference, TagResources and AddTags).
pub const MAX_TAGS_PER_RESOURCE: usize = 20;

/// The kinds of resource tags are set on here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaggedKind {
    Snapshot,
    Image,
}

/// What a tagging call does to each resource's tags.
#[derive(Debug, Clone, PartialEq)]
pub enum TagChange {
    /// Add these tags; a key the resource carries takes the new value.
    Add(Vec<Tag>),
    /// Remove the tags with these keys (a key the resource lacks is no change).
    Remove(Vec<String>),
    RemoveAll,
    /// Remove these keys and set these tags, in one change.
    Edit {
        set: Vec<Tag>,
        remove: Vec<String>,
    },
    /// Move the resources to this resource group.
    JoinGroup(String),
}

/// How a provider tells one tag key from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// `Env` and `env` are two tags.
    Exact,
    /// `Env` and `env` are one tag (Alibaba: "The TagKey has duplication with others,
    /// case-insensitive"): setting `env` on a resource that carries `Env` replaces it, and
    /// removing `env` removes it.
    IgnoringCase,
}

impl Keys {
    pub fn same(self, a: &str, b: &str) -> bool {
        match self {
            Keys::Exact => a == b,
            Keys::IgnoringCase => a.to_lowercase() == b.to_lowercase(),
        }
    }
}

/// TagResources, UntagResources or JoinResourceGroup as the dialects hand it over, already
/// checked for format: every resource must be the caller's, in `region`, or nothing changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Retag {
    pub region: String,
    pub kind: TaggedKind,
    pub ids: Vec<String>,
    pub change: TagChange,
    /// The most tags a resource may carry after the change.
    pub limit: usize,
    /// How the provider tells keys apart.
    pub keys: Keys,
}

/// A resource's tags after `change`, keys told apart by `keys`; more than `limit` is refused.
pub fn retag(current: &[Tag], change: &TagChange, limit: usize, keys: Keys) -> DomainResult<Vec<Tag>> {
    let mut tags = current.to_vec();
    let add = |tags: &mut Vec<Tag>, new: &[Tag]| {
        for tag in new {
            match tags.iter_mut().find(|t| keys.same(&t.key, &tag.key)) {
                // The key as now given, with its value.
                Some(t) => *t = tag.clone(),
                None => tags.push(tag.clone()),
            }
        }
    };
    let named = |removed: &[String], t: &Tag| removed.iter().any(|k| keys.same(k, &t.key));
    match change {
        TagChange::Add(new) => add(&mut tags, new),
        TagChange::Remove(removed) => tags.retain(|t| !named(removed, t)),
        TagChange::RemoveAll => tags.clear(),
        TagChange::Edit { set, remove } => {
            tags.retain(|t| !named(remove, t));
            add(&mut tags, set);
        }
        TagChange::JoinGroup(_) => {}
    }
    if tags.len() > limit {
        return Err(DomainError::Tagging(TagRefusal::QuotaExceeded));
    }
    Ok(tags)
}
