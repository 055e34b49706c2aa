//! Sealing: a hearing's record appended to the court's log while it records.
//!
//! Every closed segment file is hashed, made read-only and synced (with its directory) the
//! moment it arrives, side by side with the others on the log's pool; its `segment_sealed`
//! entry is then appended in the order the jobs came, and whatever arrives close together
//! ([`GATHER_GAP`]) as one batch with one sync (group commit). A thread of its own signs a
//! checkpoint every `checkpoint_interval`, and once more when the hearing ends.

use crate::events::{AlarmKind, Event, EventBus};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SendError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use verbatim_log::entry::{SegmentRecovered, SegmentSealed};
use verbatim_log::pool::{raise_priority, spawn, Pending};
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
        log_size: Arc<AtomicU64>,
    ) -> Sealer {
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sealer".into())
            .spawn(move || {
                // The threads started here run at this priority too.
                raise_priority();
                let checkpoints =
                    Checkpointer::start(log.clone(), checkpoint_interval, events.clone());
                let (items_tx, items_rx) = std::sync::mpsc::channel();
                let appender = std::thread::Builder::new()
                    .name("seal-append".into())
                    .spawn(move || {
                        let sealed = append(
                            &log,
                            &items_rx,
                            &checkpoints,
                            &events,
                            &latencies,
                            &log_size,
                        );
                        sealed.and(checkpoints.finish())
                    })
                    .expect("a thread can be spawned");
                let ctx = Arc::new(ctx);
                // Ends when every sender is gone; the appender then drains what is left.
                for job in rx {
                    if items_tx.send(dispatch(&ctx, job)).is_err() {
                        break;
                    }
                }
                drop(items_tx);
                appender
                    .join()
                    .map_err(|_| "the sealer's append thread panicked".to_string())?
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

/// A job on its way to the log, in the order the jobs came.
enum Item {
    Entry(Entry),
    /// A closed segment whose file ([`prepare`]) and directory are being synced.
    Segment(
        ClosedSegment,
        Pending<Prepared>,
        Pending<Result<(), String>>,
    ),
    Checkpoint(Sender<Result<u64, String>>),
}

/// A segment's entry and its file's length, or why it cannot be sealed.
type Prepared = Result<(Entry, u64), String>;

/// Starts a closed segment on its way to the disk the moment it arrives: its file is
/// hashed, made read-only and synced, and its directory synced (its entry for the file,
/// and for the next file its writer has just created), side by side on the log's pool
/// ([`verbatim_log::pool`]). While they wait, the appender gathers and appends what came
/// before; a batch waits for about one sync, not for the sum of its syncs, nor for the
/// batch before it to be appended first.
fn dispatch(ctx: &Arc<SealContext>, job: SealJob) -> Item {
    match job {
        SealJob::Entry(e) => Item::Entry(e),
        SealJob::Checkpoint(reply) => Item::Checkpoint(reply),
        SealJob::Segment(seg) => {
            let abs = ctx.data_dir.join(&seg.path);
            let file = fs::File::open(&abs).ok().inspect(start_writeback);
            let dir = abs.parent().map(Path::to_path_buf);
            let synced = {
                let (ctx, seg) = (ctx.clone(), seg.clone());
                spawn(Box::new(move || prepare(&ctx, &seg, file)))
            };
            let dir_synced = spawn(Box::new(move || match dir {
                Some(d) => verbatim_log::store::sync_dir(&d).map_err(|e| e.to_string()),
                None => Ok(()),
            }));
            Item::Segment(seg, synced, dir_synced)
        }
    }
}

/// How the appender gathers a batch: after an item arrives it takes the next one that
/// comes within `GATHER_GAP`, and so on, for at most `GATHER_MAX`. A courtroom's streams
/// close their segments within a few hundred milliseconds of each other, in clusters a few
/// milliseconds apart (cameras at keyframes, microphones at audio buffers); one at a time,
/// each took a log sync of its own (`perf trace` at 20 courtrooms: batches of 1.35
/// segments on average, six log syncs within 10 ms). The segments' syncs run meanwhile.
const GATHER_GAP: Duration = Duration::from_millis(20);
const GATHER_MAX: Duration = Duration::from_millis(100);

/// The appender's loop: until the sealer stops, gathers a batch of items, waits for its
/// segments to be durable and appends its entries, in order, with one log sync.
fn append(
    log: &SharedLog,
    items: &Receiver<Item>,
    checkpoints: &Checkpointer,
    events: &EventBus,
    latencies: &Mutex<Latencies>,
    log_size: &AtomicU64,
) -> Result<(), String> {
    let mut failed: Option<String> = None;
    while let Ok(first) = items.recv() {
        // Entries go to the log in the order their jobs came; `sealed` holds, for each, the
        // segment it seals, if it does.
        let mut entries = Vec::new();
        let mut sealed: Vec<Option<(ClosedSegment, u64)>> = Vec::new();
        let mut replies = Vec::new();
        for item in gather(items, first) {
            match item {
                // One bad entry must not stop the sealing of everything else.
                Item::Entry(e) => match e.validate() {
                    Ok(()) => {
                        entries.push(e);
                        sealed.push(None);
                    }
                    Err(err) => events.send(Event::Alarm {
                        kind: AlarmKind::SealFailed,
                        stream: None,
                        message: format!("refused a {} entry: {err}", e.kind()),
                    }),
                },
                Item::Checkpoint(reply) => replies.push(reply),
                Item::Segment(seg, synced, dir_synced) => {
                    let (prepared, dir_synced) = (synced.wait(), dir_synced.wait());
                    // Without its directory synced the file's name may not last: the
                    // segment is not sealed, and nothing more is appended (as when the log
                    // itself cannot be written).
                    if let Err(e) = &dir_synced {
                        failed.get_or_insert(e.clone());
                    }
                    match prepared.and_then(|p| dir_synced.map(|()| p)) {
                        Ok((entry, bytes)) => {
                            entries.push(entry);
                            sealed.push(Some((seg, bytes)));
                        }
                        Err(e) => events.send(Event::Alarm {
                            kind: AlarmKind::SealFailed,
                            stream: Some(seg.stream.clone()),
                            message: format!("cannot seal {}: {e}", seg.path),
                        }),
                    }
                }
            }
        }
        if failed.is_none() {
            failed = checkpoints.failure();
        }
        if failed.is_none() && !entries.is_empty() {
            let mut log = verbatim_log::lock(log);
            match log.append_batch(&entries) {
                Ok(range) => {
                    let now = Instant::now();
                    let mut lat = latencies.lock().expect("not poisoned");
                    for (i, (seg, bytes)) in range
                        .zip(&sealed)
                        .filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
                    {
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
                    log_size.store(log.size(), Ordering::Relaxed);
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
        // A checkpoint asked for covers what was sent before the ask: all appended by now.
        for reply in replies {
            match &failed {
                None => checkpoints.now(reply),
                Some(f) => {
                    let _ = reply.send(Err(f.clone()));
                }
            }
        }
    }
    match failed {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// `first` and what follows it closely ([`GATHER_GAP`], [`GATHER_MAX`]): one batch, for
/// one log sync.
fn gather(items: &Receiver<Item>, first: Item) -> Vec<Item> {
    let mut batch = vec![first];
    let until = Instant::now() + GATHER_MAX;
    loop {
        let left = until
            .saturating_duration_since(Instant::now())
            .min(GATHER_GAP);
        if left.is_zero() {
            break;
        }
        match items.recv_timeout(left) {
            Ok(i) => batch.push(i),
            // Past the gap, or the sealer gone: the loop's next `recv` tells which.
            Err(_) => break,
        }
    }
    batch.extend(items.try_iter());
    batch
}

/// Signs checkpoints on a thread of its own, every `interval` and when asked, so that a
/// checkpoint's syncs (its tiles, their directories, the checkpoint itself) do not hold up
/// the sealing of segments that close meanwhile: it holds the log only while it writes,
/// and the sealer syncs its next batch's files in the meantime.
struct Checkpointer {
    tx: Sender<Sender<Result<u64, String>>>,
    failed: Arc<Mutex<Option<String>>>,
    thread: JoinHandle<Result<(), String>>,
}

impl Checkpointer {
    fn start(log: SharedLog, interval: Duration, events: EventBus) -> Checkpointer {
        let (tx, rx) = std::sync::mpsc::channel::<Sender<Result<u64, String>>>();
        let failed = Arc::new(Mutex::new(None));
        let failure = failed.clone();
        let publish = move || {
            let r = verbatim_log::lock(&log)
                .publish_checkpoint()
                .map(|cp| cp.size)
                .map_err(|e| e.to_string());
            if let Err(e) = &r {
                events.send(Event::Alarm {
                    kind: AlarmKind::SealFailed,
                    stream: None,
                    message: format!("the log's checkpoint cannot be written: {e}"),
                });
                *failure.lock().expect("not poisoned") = Some(e.clone());
            }
            r
        };
        let thread = std::thread::Builder::new()
            .name("checkpoints".into())
            .spawn(move || loop {
                let signed = match rx.recv_timeout(interval) {
                    Ok(reply) => {
                        let r = publish();
                        let _ = reply.send(r.clone());
                        r
                    }
                    Err(RecvTimeoutError::Timeout) => publish(),
                    // The hearing has ended: the last checkpoint covers all of it.
                    Err(RecvTimeoutError::Disconnected) => return publish().map(|_| ()),
                };
                signed?;
            })
            .expect("a thread can be spawned");
        Checkpointer { tx, failed, thread }
    }

    /// Signs a checkpoint of the log as it is now, and sends its size to `reply`.
    fn now(&self, reply: Sender<Result<u64, String>>) {
        if let Err(SendError(reply)) = self.tx.send(reply) {
            let why = self
                .failure()
                .unwrap_or_else(|| "checkpoints have stopped".into());
            let _ = reply.send(Err(why));
        }
    }

    /// Why a checkpoint could not be written, once one could not.
    fn failure(&self) -> Option<String> {
        self.failed.lock().expect("not poisoned").clone()
    }

    /// Signs the last checkpoint and ends the thread.
    fn finish(self) -> Result<(), String> {
        drop(self.tx);
        self.thread
            .join()
            .map_err(|_| "the checkpoint thread panicked".to_string())?
    }
}

/// Hashes a closed file, makes it read-only, syncs it and builds its entry. `file` is the
/// segment already opened (and its writeback started), if that worked.
fn prepare(
    ctx: &SealContext,
    seg: &ClosedSegment,
    file: Option<fs::File>,
) -> Result<(Entry, u64), String> {
    let abs = ctx.data_dir.join(&seg.path);
    let mut f = match file {
        Some(f) => f,
        None => fs::File::open(&abs).map_err(|e| format!("{}: {e}", abs.display()))?,
    };
    let (bytes, sha256) = hash(&mut f, &abs)?;
    // Before the sync, so that the mode is as durable as the content.
    f.set_permissions(fs::Permissions::from_mode(0o444))
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", abs.display()))?;
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
    entry.validate().map_err(|e| e.to_string())?;
    Ok((entry, bytes))
}

/// Asks the kernel to start writing a file's dirty pages to the disk, without waiting. Only
/// a head start for the fsync that follows (which alone makes the file durable): on a file
/// system without `sync_file_range` the call fails, and the fsync does it all.
fn start_writeback(f: &fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor; the call only schedules writeback.
    unsafe {
        libc::sync_file_range(f.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Syncs a file to stable storage and returns its length and SHA-256 (hex). The file is
/// hashed while its writes are under way, then synced: its writer has closed it, so what
/// is hashed is what reaches the disk.
pub fn sync_and_hash(path: &Path) -> Result<(u64, String), String> {
    let mut f = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    start_writeback(&f);
    let hashed = hash(&mut f, path)?;
    f.sync_all()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(hashed)
}

/// An open file's length and SHA-256 (hex), read from its start; `path` names it in errors.
fn hash(f: &mut fs::File, path: &Path) -> Result<(u64, String), String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, Write};
    use std::sync::atomic::AtomicU64;

    const ORIGIN: &str = "test.court/sealer";

    /// A sealer for hearing h1 of court c1 over a fresh log in `data`, and the log.
    fn start(data: &Path) -> (Sealer, SharedLog) {
        let (skey, _) = verbatim_log::checkpoint::generate_key(ORIGIN).unwrap();
        let key = verbatim_log::SignerKey::parse(&skey).unwrap();
        let log = verbatim_log::Log::create(&data.join("log"), ORIGIN, key).unwrap();
        let shared: SharedLog = Arc::new(Mutex::new(log));
        let ctx = SealContext {
            court: "c1".into(),
            courtroom: "r1".into(),
            hearing: "h1".into(),
            data_dir: data.to_path_buf(),
            wall_origin_ms: 0,
        };
        let sealer = Sealer::start(
            shared.clone(),
            ctx,
            Duration::from_secs(60),
            EventBus::default(),
            Arc::new(Mutex::new(Latencies::default())),
            Arc::new(AtomicU64::new(0)),
        );
        (sealer, shared)
    }

    /// The sealer's threads (the sealer, its appender, its checkpoints and the log's sync
    /// pool) run at nice -5 where the process may raise priority (as root, which CI is),
    /// and at the process's own otherwise (where a thread could be caught before it tried,
    /// so that case only shows nothing goes wrong).
    #[test]
    fn the_sealer_threads_get_the_cpu_first() {
        let tmp = tempfile::tempdir().unwrap();
        let (sealer, _) = start(tmp.path());
        // Starts the pool's threads.
        let tasks: Vec<verbatim_log::pool::Task<()>> = vec![Box::new(|| ()), Box::new(|| ())];
        verbatim_log::pool::in_parallel(tasks);
        // (name, nice) of this process's threads, from /proc (field 19 of stat).
        let nices = || -> Vec<(String, i64)> {
            fs::read_dir("/proc/self/task")
                .unwrap()
                .filter_map(|t| fs::read_to_string(t.ok()?.path().join("stat")).ok())
                .map(|s| {
                    let name = s[s.find('(').unwrap() + 1..s.rfind(')').unwrap()].to_string();
                    let f: Vec<&str> = s[s.rfind(')').unwrap() + 2..].split(' ').collect();
                    (name, f[16].parse().unwrap())
                })
                .collect()
        };
        // SAFETY: plain system calls.
        let (root, own) = unsafe {
            (
                libc::geteuid() == 0,
                libc::getpriority(libc::PRIO_PROCESS, 0) as i64,
            )
        };
        let want = if root { -5 } else { own };
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let ours: Vec<(String, i64)> = nices()
                .into_iter()
                .filter(|(n, _)| {
                    ["sealer", "seal-append", "checkpoints"].contains(&n.as_str())
                        || n.starts_with("log-sync")
                })
                .collect();
            if ours.len() >= 4 && ours.iter().all(|(_, nice)| *nice == want) {
                break;
            }
            assert!(Instant::now() < deadline, "want nice {want}: {:?}", nices());
            std::thread::sleep(Duration::from_millis(20));
        }
        sealer.finish().unwrap();
    }

    /// A closed file is hashed while its writeback runs and synced after: the seal holds
    /// its final bytes, the header its writer rewrote at the end (as mp4mux and matroskamux
    /// do) included, and the file is made read-only. Files of one batch are all sealed, in
    /// the order they were sent, with the entries sent between them.
    #[test]
    fn closed_files_are_sealed_with_their_final_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().to_path_buf();
        let (sealer, shared) = start(&data);
        let dir = crate::supervisor::stream_dir("h1", "cam1");
        fs::create_dir_all(data.join(&dir)).unwrap();
        let mut files = Vec::new();
        for seq in 1..=3u64 {
            let rel = format!("{dir}/{seq:06}.mp4");
            let mut f = fs::File::create(data.join(&rel)).unwrap();
            let mut content = Vec::new();
            for i in 0..4u8 {
                let chunk = vec![i + seq as u8; 300_000];
                f.write_all(&chunk).unwrap();
                content.extend_from_slice(&chunk);
            }
            f.rewind().unwrap();
            f.write_all(b"HEAD").unwrap();
            content[..4].copy_from_slice(b"HEAD");
            drop(f);
            files.push((rel, content));
        }
        for (seq, (rel, _)) in (1..).zip(&files) {
            if seq == 2 {
                let note = Entry::LogNote(verbatim_log::entry::LogNote {
                    court: "c1".into(),
                    hearing: "h1".into(),
                    media_ns: 2_000_000_000,
                    at_unix_ms: 1,
                    author: "secretary".into(),
                    role: "judge".into(),
                    text: "between two segments".into(),
                });
                sealer.tx.send(SealJob::Entry(note)).unwrap();
            }
            sealer
                .tx
                .send(SealJob::Segment(ClosedSegment {
                    stream: "cam1".into(),
                    seq,
                    path: rel.clone(),
                    media_start_ns: (seq - 1) * 2_000_000_000,
                    media_end_ns: Some(seq * 2_000_000_000),
                    closed_at: Instant::now(),
                }))
                .unwrap();
        }
        sealer.finish().unwrap();

        let log = verbatim_log::lock(&shared);
        let entries: Vec<Entry> = (0..log.size())
            .map(|i| Entry::decode(&log.entry(i).unwrap()).unwrap())
            .collect();
        let kinds: Vec<&str> = entries.iter().map(Entry::kind).collect();
        assert_eq!(
            kinds,
            [
                "segment_sealed",
                "log_note",
                "segment_sealed",
                "segment_sealed"
            ]
        );
        let sealed: Vec<_> = entries.iter().filter_map(|e| e.sealed_file()).collect();
        assert_eq!(sealed.len(), files.len(), "{entries:?}");
        for (s, (rel, content)) in sealed.iter().zip(&files) {
            assert_eq!(s.path, rel);
            assert_eq!(s.bytes, content.len() as u64);
            assert_eq!(
                s.sha256,
                verbatim_log::tree::to_hex(&Sha256::digest(content))
            );
            let mode = fs::metadata(data.join(rel)).unwrap().permissions().mode();
            assert_eq!(mode & 0o222, 0, "sealed files are read-only");
        }
    }
}
