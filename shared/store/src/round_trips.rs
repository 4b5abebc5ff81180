//! Counting the store's round trips: every attempt the SDK sends to DynamoDB (retries included),
//! so that a benchmark can say how many one request costs instead of assuming it; and the round
//! trips of time, those sent while no other was in flight, so that calls sent side by side count
//! once (what one request waits for, when it is the only one).

use aws_sdk_dynamodb::config::interceptors::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Shared by every clone of a store's client.
#[derive(Debug, Clone, Default)]
pub struct RoundTrips(Arc<Counts>);

#[derive(Debug, Default)]
struct Counts {
    sent: AtomicU64,
    in_flight: AtomicU64,
    /// Attempts sent while none was in flight.
    waits: AtomicU64,
}

impl RoundTrips {
    /// Every attempt sent.
    pub fn get(&self) -> u64 {
        self.0.sent.load(Ordering::Relaxed)
    }

    /// The round trips of time: attempts sent while no other was in flight.
    pub fn waits(&self) -> u64 {
        self.0.waits.load(Ordering::SeqCst)
    }
}

impl Intercept for RoundTrips {
    fn name(&self) -> &'static str {
        "RoundTrips"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // DynamoDB's JSON protocol names the operation in `X-Amz-Target: DynamoDB_20120810.<Op>`.
        let request = context.request();
        if let Some(target) = request.headers().get("x-amz-target") {
            let operation = target.rsplit('.').next().unwrap_or(target);
            crate::usage::record(operation, request.body().bytes());
        }
        self.0.sent.fetch_add(1, Ordering::Relaxed);
        if self.0.in_flight.fetch_add(1, Ordering::SeqCst) == 0 {
            self.0.waits.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Every attempt ends here, answered or not. (One that failed before it was sent, which
        // a request to DynamoDB does not, would end another's flight early: this is a measure.)
        let _ = self.0.in_flight.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        Ok(())
    }
}
