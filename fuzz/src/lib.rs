//! What the libFuzzer targets share: the bytes read as a request (the text form of
//! `shared/dialects/tests/common/raw.rs`, which the proptest targets write their reproducers in),
//! run through the path of `shared/dialects/tests/common/exercise.rs` on a 2 MiB stack. Both
//! files are included as they are, so the two engines drive exactly the same code.

#[path = "../../shared/dialects/tests/common/exercise.rs"]
pub mod exercise;
#[path = "../../shared/dialects/tests/common/raw.rs"]
pub mod raw;

use bytes::Bytes;
use dialects::Dialect;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};

/// The stack each input runs on: a tokio worker's default, where the gateway parses requests.
/// libFuzzer calls the target on the main thread, whose 8 MiB would hide an overflow at 2 MiB.
const STACK: usize = 2 << 20;

static CASES: AtomicU64 = AtomicU64::new(0);
static DEEPEST: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

/// Run one input through `dialect`. A panic or a stack overflow aborts the process, which
/// libFuzzer reports as a crash and saves the input of.
pub fn run(dialect: Dialect, data: &[u8]) {
    let Some(req) = raw::from_raw(data) else { return };
    // The gateway answers a larger body without reading it.
    if req.body().len() > dialects::MAX_BODY_BYTES {
        return;
    }
    note(&req);
    let worker = worker().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // A worker that panicked has aborted the process already (libfuzzer-sys's panic hook).
    worker.jobs.send((dialect, req)).expect("the worker thread");
    worker.done.recv().expect("the worker thread");
}

/// The thread inputs run on, one for the whole run: a thread per input would cost more than
/// most inputs take.
struct Worker {
    jobs: mpsc::SyncSender<(Dialect, http::Request<Bytes>)>,
    done: mpsc::Receiver<()>,
}

fn worker() -> &'static Mutex<Worker> {
    static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (jobs, inbox) = mpsc::sync_channel::<(Dialect, http::Request<Bytes>)>(0);
        let (finished, done) = mpsc::channel();
        std::thread::Builder::new()
            .name("dialects-fuzz".into())
            .stack_size(STACK)
            .spawn(move || {
                overflow::report_on_this_thread();
                for (dialect, req) in inbox {
                    let _ = (Dialect::of(&req), Dialect::of_head(&req));
                    exercise::exercise_as(dialect, &req);
                    drop(req);
                    let _ = finished.send(());
                }
            })
            .expect("the worker thread");
        Mutex::new(Worker { jobs, done })
    })
}

/// A stack overflow made visible to libFuzzer. The target has no Rust `main`, so the Rust
/// runtime's overflow handler is never installed: an overflow is a SIGSEGV with no stack left
/// to handle it on, and the kernel kills the process before libFuzzer can save the input. Here
/// the worker gets an alternate signal stack and a SIGSEGV/SIGBUS handler on it that says what
/// happened and aborts, which libFuzzer catches like any crash.
mod overflow {
    use std::ffi::c_void;

    const ALTERNATE_STACK: usize = 256 * 1024;

    pub fn report_on_this_thread() {
        // Lives as long as the thread, which is the whole run.
        let stack: &'static mut [u8] = Box::leak(vec![0u8; ALTERNATE_STACK].into_boxed_slice());
        // SAFETY: plain libc calls with valid, fully initialised arguments; the alternate stack
        // is never freed, and the handler only calls async-signal-safe functions.
        unsafe {
            let alternate = libc::stack_t {
                ss_sp: stack.as_mut_ptr().cast::<c_void>(),
                ss_flags: 0,
                ss_size: stack.len(),
            };
            libc::sigaltstack(&alternate, std::ptr::null_mut());
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut());
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    }

    extern "C" fn handler(_signal: libc::c_int) {
        let message =
            b"\ndialects-fuzz: SIGSEGV: safe Rust faults only on a stack overflow (the 2 MiB worker's)\n";
        // SAFETY: write(2) and abort(3) are async-signal-safe.
        unsafe {
            libc::write(2, message.as_ptr().cast::<c_void>(), message.len());
            libc::abort();
        }
    }
}

/// Count the input and keep the figures (`cases deepest largest`) in the file `FUZZ_FIGURES`
/// names, when a maximum grows and every 256 inputs: libFuzzer ends the process without running
/// anything of ours, so the file is how infra/local/fuzz.sh learns them.
fn note(req: &http::Request<Bytes>) {
    let cases = CASES.fetch_add(1, Ordering::Relaxed) + 1;
    let depth = raw::depth(req);
    let bytes = req.body().len();
    let deeper = DEEPEST.fetch_max(depth, Ordering::Relaxed) < depth;
    let larger = LARGEST.fetch_max(bytes, Ordering::Relaxed) < bytes;
    if deeper || larger || cases.is_multiple_of(256) {
        if let Some(path) = std::env::var_os("FUZZ_FIGURES") {
            let line =
                format!("{cases} {} {}\n", DEEPEST.load(Ordering::Relaxed), LARGEST.load(Ordering::Relaxed));
            let _ = std::fs::write(path, line);
        }
    }
}
