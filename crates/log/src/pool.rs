//! Waiting on the disk in parallel: a few threads, started once per process and kept, that
//! run the log's and the sealer's fsyncs side by side.
//!
//! One after the other, every fsync pays a device cache flush of its own, and under load a
//! flush waits behind everyone else's writes: at 20 courtrooms on a slow disk the sealer's
//! fsyncs took 20–270 ms each, and a batch of ten segment files and their directories, or
//! a checkpoint's tiles, added them up (docs/BENCHMARKS.md, fifth session). Issued at once
//! they overlap, and the block layer serves concurrent flushes with one. The threads live
//! as long as the process: starting one per fsync cost more CPU than the syncs (fourth
//! session).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// How many tasks wait at once: a courtroom's ten streams close ten files at a segment
/// boundary, each with its file's sync and its directory's.
const THREADS: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// A job for the pool.
pub type Task<T> = Box<dyn FnOnce() -> T + Send>;

/// A task under way on the pool.
pub struct Pending<T>(Receiver<std::thread::Result<T>>);

impl<T> Pending<T> {
    /// Waits for the task's result; a task that panicked panics the caller.
    pub fn wait(self) -> T {
        match self.0.recv() {
            Ok(Ok(v)) => v,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => unreachable!("a task sends its result before it is dropped"),
        }
    }
}

/// Starts `task` on the pool and returns at once. A task must not itself wait for the
/// pool: with every thread waiting so, nothing would run.
pub fn spawn<T: Send + 'static>(task: Task<T>) -> Pending<T> {
    let (tx, rx) = mpsc::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(task)));
    });
    if let Err(mpsc::SendError(job)) = pool().send(job) {
        // No pool (its threads could not be started): the caller runs it.
        job();
    }
    Pending(rx)
}

/// Runs every task, at once as far as the pool allows (the first on the calling thread),
/// and returns their results in the tasks' order once all have finished. A task that
/// panics panics the caller.
pub fn in_parallel<T: Send + 'static>(tasks: Vec<Task<T>>) -> Vec<T> {
    let mut tasks = tasks.into_iter();
    let Some(first) = tasks.next() else {
        return Vec::new();
    };
    let others: Vec<Pending<T>> = tasks.map(spawn).collect();
    let mut results = vec![first()];
    results.extend(others.into_iter().map(Pending::wait));
    results
}

fn pool() -> &'static Sender<Job> {
    static POOL: OnceLock<Sender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut started = 0;
        for i in 0..THREADS {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("log-sync-{i}"))
                .stack_size(256 * 1024)
                .spawn(move || worker(&rx));
            started += usize::from(spawned.is_ok());
        }
        if started == 0 {
            // Every send fails, and callers run their tasks themselves.
            drop(rx);
        }
        tx
    })
}

fn worker(rx: &Mutex<Receiver<Job>>) {
    raise_priority();
    loop {
        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match job {
            // Jobs catch their own panics.
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Gives the calling thread (and the threads it starts) more of the CPU than the media
/// threads when both want it: nice -5, where the process may (CAP_SYS_NICE, or root);
/// otherwise nothing changes. Sealing works in short bursts, and under load its latency is
/// mostly the wait for a core.
pub fn raise_priority() {
    // SAFETY: plain system calls on this thread's own id.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, -5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_back_in_the_tasks_order() {
        let tasks: Vec<Task<usize>> = (0..20)
            .map(|i| -> Task<usize> {
                Box::new(move || {
                    // Later tasks finish first.
                    std::thread::sleep(Duration::from_millis(20 - i as u64));
                    i * 10
                })
            })
            .collect();
        assert_eq!(
            in_parallel(tasks),
            (0..20).map(|i| i * 10).collect::<Vec<_>>()
        );
        assert!(in_parallel(Vec::<Task<u8>>::new()).is_empty());
    }

    #[test]
    fn tasks_wait_side_by_side() {
        // Each task waits until all of them are running: one after the other, none would
        // see the others.
        let n = THREADS + 1;
        let met = Arc::new((Mutex::new(0usize), std::sync::Condvar::new()));
        let tasks: Vec<Task<bool>> = (0..n)
            .map(|_| -> Task<bool> {
                let met = met.clone();
                Box::new(move || {
                    let (count, cv) = &*met;
                    let mut c = count.lock().unwrap();
                    *c += 1;
                    cv.notify_all();
                    let (c, _) = cv
                        .wait_timeout_while(c, Duration::from_secs(30), |c| *c < n)
                        .unwrap();
                    *c == n
                })
            })
            .collect();
        assert_eq!(in_parallel(tasks), vec![true; n]);
    }

    #[test]
    fn a_panicking_task_panics_the_caller_and_leaves_the_pool_working() {
        let tasks: Vec<Task<u8>> = vec![Box::new(|| 1), Box::new(|| panic!("task failed"))];
        let caught = catch_unwind(AssertUnwindSafe(|| in_parallel(tasks)));
        assert!(caught.is_err());
        let tasks: Vec<Task<u8>> = (0..THREADS as u8 * 2)
            .map(|i| -> Task<u8> { Box::new(move || i) })
            .collect();
        assert_eq!(in_parallel(tasks).len(), THREADS * 2);
    }
}
