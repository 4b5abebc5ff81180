//! Driving one call at a fixed concurrency and reading its figures.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one run of one call at one concurrency measured.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub requests: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: usize,
}

/// Run `requests` calls made by `make(i)` with `concurrency` workers. A call answers whether it
/// succeeded and, when it did not, what came back (the first failure is printed).
pub async fn measure<F, Fut>(requests: usize, concurrency: usize, make: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (make, next) = (make.clone(), next.clone());
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return (latencies, errors);
                }
                let t = Instant::now();
                let outcome = make(i).await;
                latencies.push(t.elapsed());
                if let Err(e) = outcome {
                    errors += 1;
                    if errors == 1 {
                        eprintln!("bench: a failed call: {}", e.chars().take(400).collect::<String>());
                    }
                }
            }
        });
    }
    let mut all: Vec<Duration> = Vec::new();
    let mut errors = 0;
    for (lat, e) in workers.join_all().await {
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed();
    all.sort();
    let pct = |p: f64| match all.len() {
        0 => 0.0,
        n => all[((n as f64 * p).ceil() as usize).clamp(1, n) - 1].as_secs_f64() * 1000.0,
    };
    Figures {
        requests: all.len(),
        per_second: all.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        errors,
    }
}
