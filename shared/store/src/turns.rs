//! Writes of one process to one item, one at a time. Calls that change the same resource's tags
//! at once each read it and write it on the condition that it is unchanged; all but one lose that
//! condition and read again, and on DynamoDB Local, which runs transactions one at a time, dozens
//! of them retrying make each other time out. Within a process they wait their turn instead:
//! each item's writers are queued on one of a fixed set of locks (an item's key picks it), so the
//! conditions only meet writers of other processes, and memory does not grow with the items.

use crate::Store;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Locks: more than the writes a process makes at once, so that two items seldom share one.
const TURNS: usize = 256;

#[derive(Debug, Clone)]
pub(crate) struct Turns(Arc<Vec<Arc<Mutex<()>>>>);

impl Default for Turns {
    fn default() -> Self {
        Turns(Arc::new((0..TURNS).map(|_| Arc::new(Mutex::new(()))).collect()))
    }
}

/// This process's turn at writing some items, held until dropped.
#[derive(Debug)]
pub struct Turn {
    _held: Vec<OwnedMutexGuard<()>>,
}

impl Store {
    /// Wait for this process's turn at writing each of the items `keys` name (any key that tells
    /// the items apart, a resource id say), and hold it until the [`Turn`] is dropped. The locks
    /// are taken in one order, so two calls naming the same items never wait for each other.
    pub async fn one_at_a_time(&self, keys: &[&str]) -> Turn {
        let mut slots: Vec<usize> = keys
            .iter()
            .map(|k| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                k.hash(&mut h);
                (h.finish() % TURNS as u64) as usize
            })
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let mut held = Vec::with_capacity(slots.len());
        for slot in slots {
            held.push(self.turns.0[slot].clone().lock_owned().await);
        }
        Turn { _held: held }
    }
}
