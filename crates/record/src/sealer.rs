//! Sealing: the one thread that owns the court's log while a hearing records.
//!
//! Every closed segment file is synced, hashed, made read-only and appended as a
//! `segment_sealed` entry; whatever arrives together is appended as one batch with one
//! sync (group commit). A checkpoint is signed every `checkpoint_interval`, and once more
//! when the hearing ends.

use crate::events::{AlarmKind, Event, EventBus};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use verbatim_log::entry::{SegmentRecovered, SegmentSealed};
use verbatim_log::{Entry, SharedLog};

/// A segment file that its writer has closed.
#[derive(Debug, Clone)]
pub struct ClosedSegment {
    pub stream: String,
    pub seq: u64,
    /// Relative to the data directory.
    pub path: String,
    pub media_start_ns: u64,
    /// `None` for a file a crash or failure left open, sealed as found.
    pub media_end_ns: Option<u64>,
    /// When the writer reported the file closed.
    pub closed_at: Instant,
}

pub enum SealJob {
    Segment(ClosedSegment),
    Entry(Entry),
    /// Sign a checkpoint now and report its size.
    Checkpoint(Sender<Result<u64, String>>),
}

/// Who and what the sealer writes entries for.
#[derive(Clone)]
pub struct SealContext {
    pub court: String,
    pub courtroom: String,
    pub hearing: String,
    pub data_dir: PathBuf,
    /// Wall-clock time (Unix ms) of media time 0.
    pub wall_origin_ms: u64,
}

/// Seal latencies, milliseconds, for the status and the benchmark.
#[derive(Default)]
pub struct Latencies {
    samples: Vec<f64>,
}

impl Latencies {
    pub fn push(&mut self, ms: f64) {
        self.samples.push(ms);
    }
    pub fn percentile(&self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let mut v = self.samples.clone();
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    }
    pub fn all(&self) -> &[f64] {
        &self.samples
    }
}

pub struct Sealer {
    pub tx: Sender<SealJob>,
    thread: JoinHandle<Result<(), String>>,
}

impl Sealer {
    pub fn start(
        log: SharedLog,
        ctx: SealContext,
        checkpoint_interval: Duration,
        events: EventBus,
        latencies: Arc<Mutex<Latencies>>,
        log_size: Arc<std::sync::atomic::AtomicU64>,
    ) -> Sealer {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sealer".into())
            .spawn(move || {
                run(
                    log,
                    ctx,
                    rx,
                    checkpoint_interval,
                    events,
                    latencies,
                    log_size,
                )
            })
            .expect("a thread can be spawned");
        Sealer { tx, thread }
    }

    /// Seals everything sent so far and signs a final checkpoint.
    pub fn finish(self) -> Result<(), String> {
        drop(self.tx);
        self.thread
            .join()
            .map_err(|_| "the sealer thread panicked".to_string())?
    }
}

fn run(
    log: SharedLog,
    ctx: SealContext,
    rx: Receiver<SealJob>,
    interval: Duration,
    events: EventBus,
    latencies: Arc<Mutex<Latencies>>,
    log_size: Arc<std::sync::atomic::AtomicU64>,
) -> Result<(), String> {
    let mut next_checkpoint = Instant::now() + interval;
    let mut open = true;
    let mut failed: Option<String> = None;
    while open {
        let wait = next_checkpoint.saturating_duration_since(Instant::now());
        let mut jobs = Vec::new();
        match rx.recv_timeout(wait) {
            Ok(j) => jobs.push(j),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => open = false,
        }
        while let Ok(j) = rx.try_recv() {
            jobs.push(j);
        }
        let mut entries = Vec::new();
        let mut sealed: Vec<(ClosedSegment, u64)> = Vec::new();
        let mut dirs = BTreeSet::new();
        let mut replies = Vec::new();
        for job in jobs {
            match job {
                // One bad entry must not stop the sealing of everything else.
                SealJob::Entry(e) => match e.validate() {
                    Ok(()) => entries.push(e),
                    Err(err) => events.send(Event::Alarm {
                        kind: AlarmKind::SealFailed,
                        stream: None,
                        message: format!("refused a {} entry: {err}", e.kind()),
                    }),
                },
                SealJob::Checkpoint(reply) => replies.push(reply),
                SealJob::Segment(seg) => match prepare(&ctx, &seg).and_then(|(entry, bytes)| {
                    entry.validate().map_err(|e| e.to_string())?;
                    Ok((entry, bytes))
                }) {
                    Ok((entry, bytes)) => {
                        if let Some(d) = ctx.data_dir.join(&seg.path).parent() {
                            dirs.insert(d.to_path_buf());
                        }
                        entries.push(entry);
                        sealed.push((seg, bytes));
                    }
                    Err(e) => events.send(Event::Alarm {
                        kind: AlarmKind::SealFailed,
                        stream: Some(seg.stream.clone()),
                        message: format!("cannot seal {}: {e}", seg.path),
                    }),
                },
            }
        }
        if failed.is_none() && !entries.is_empty() {
            // The files' directory entries must be durable before the log refers to them.
            for d in &dirs {
                if let Err(e) = verbatim_log::store::sync_dir(d) {
                    failed = Some(e.to_string());
                }
            }
            let mut log = verbatim_log::lock(&log);
            match log.append_batch(&entries) {
                Ok(range) => {
                    let now = Instant::now();
                    let mut lat = latencies.lock().expect("not poisoned");
                    let mut seg_index = 0;
                    for (i, e) in (range.start..range.end).zip(&entries) {
                        if e.sealed_file().is_none() {
                            continue;
                        }
                        let (seg, bytes) = &sealed[seg_index];
                        seg_index += 1;
                        let ms = now.duration_since(seg.closed_at).as_secs_f64() * 1000.0;
                        lat.push(ms);
                        events.send(Event::Sealed {
                            stream: seg.stream.clone(),
                            seq: seg.seq,
                            bytes: *bytes,
                            latency_ms: ms,
                            index: i,
                        });
                    }
                    log_size.store(log.size(), std::sync::atomic::Ordering::Relaxed);
                }
                Err(e) => failed = Some(e.to_string()),
            }
            if let Some(f) = &failed {
                events.send(Event::Alarm {
                    kind: AlarmKind::SealFailed,
                    stream: None,
                    message: format!("the log cannot be written: {f}"),
                });
            }
        }
        let due = Instant::now() >= next_checkpoint;
        if failed.is_none() && (due || !replies.is_empty() || !open) {
            let r = verbatim_log::lock(&log)
                .publish_checkpoint()
                .map(|cp| cp.size)
                .map_err(|e| e.to_string());
            if let Err(e) = &r {
                failed = Some(e.clone());
            }
            for reply in replies.drain(..) {
                let _ = reply.send(r.clone());
            }
            next_checkpoint = Instant::now() + interval;
        }
        for reply in replies {
            let _ = reply.send(Err(failed.clone().unwrap_or_default()));
        }
        if due {
            next_checkpoint = Instant::now() + interval;
        }
    }
    match failed {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// Makes a closed file durable and read-only, hashes it, and builds its entry.
fn prepare(ctx: &SealContext, seg: &ClosedSegment) -> Result<(Entry, u64), String> {
    let abs = ctx.data_dir.join(&seg.path);
    let (bytes, sha256) = sync_and_hash(&abs)?;
    let mut perms = fs::metadata(&abs).map_err(|e| e.to_string())?.permissions();
    perms.set_mode(0o444);
    fs::set_permissions(&abs, perms).map_err(|e| e.to_string())?;
    let entry = match seg.media_end_ns {
        Some(end) => Entry::SegmentSealed(SegmentSealed {
            court: ctx.court.clone(),
            courtroom: ctx.courtroom.clone(),
            hearing: ctx.hearing.clone(),
            stream: seg.stream.clone(),
            seq: seg.seq,
            media_start_ns: seg.media_start_ns,
            media_end_ns: end.max(seg.media_start_ns),
            captured_unix_ms: ctx.wall_origin_ms + seg.media_start_ns / 1_000_000,
            bytes,
            sha256,
            path: seg.path.clone(),
        }),
        None => Entry::SegmentRecovered(SegmentRecovered {
            court: ctx.court.clone(),
            courtroom: ctx.courtroom.clone(),
            hearing: ctx.hearing.clone(),
            stream: seg.stream.clone(),
            seq: seg.seq,
            media_start_ns: seg.media_start_ns,
            found_unix_ms: now_unix_ms(),
            bytes,
            sha256,
            path: seg.path.clone(),
        }),
    };
    Ok((entry, bytes))
}

/// Syncs a file to stable storage and returns its length and SHA-256 (hex).
pub fn sync_and_hash(path: &Path) -> Result<(u64, String), String> {
    let mut f = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.sync_all()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut h = Sha256::new();
    // On the stack and small: a fresh 1 MiB heap buffer per segment was mapped, faulted
    // in and unmapped again every time (a camera closes a segment every 2 s).
    let mut buf = [0u8; 64 * 1024];
    let mut len = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, verbatim_log::tree::to_hex(&h.finalize())))
}

pub fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
