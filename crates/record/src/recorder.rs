//! The recorder of one hearing in one courtroom: starts the sources, takes the secretary's
//! orders (pause, resume, privacy mute, note, stop), watches the disk, and hands the log
//! back when the hearing ends.
//!
//! A conductor thread owns all state; the [`Recorder`] handle sends it orders. Supervisors
//! (one per source) and the sealer (the log's only writer) run beside it.

use crate::config::{CourtroomConfig, SourceConfig, SourceKind};
use crate::events::{AlarmKind, Event, EventBus, RecorderState, Status, StreamStatus};
use crate::sealer::{self, ClosedSegment, Latencies, SealContext, SealJob, Sealer};
use crate::supervisor::{self, Control, Shared, Timeline, Unit};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use verbatim_log::entry::{HearingEvent, HearingOpened, LogNote, SourceEvent};
use verbatim_log::{Entry, Log, SharedLog};

/// Why recording could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Pipeline(#[from] crate::pipeline::PipelineError),
    #[error("the log: {0}")]
    Log(#[from] verbatim_log::LogError),
    #[error("hearing {0} is closed; a closed hearing is never reopened")]
    HearingClosed(String),
    #[error("hearing {hearing} was recorded in courtroom {was}, not {now}")]
    OtherCourtroom {
        hearing: String,
        was: String,
        now: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("the recorder has stopped")]
    Stopped,
    #[error("sealing failed: {0}")]
    Sealing(String),
}

/// The hearing to record.
#[derive(Debug, Clone)]
pub struct HearingInfo {
    pub court: String,
    pub hearing: String,
    pub case_number: String,
    pub judge: String,
    pub secretary: String,
}

/// Where to record and when to give up on the disk.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub data_dir: PathBuf,
    pub checkpoint_interval: Duration,
    /// Free space below which an alarm is raised.
    pub disk_alarm_bytes: u64,
    /// Free space below which recording stops cleanly (everything sealed).
    pub disk_stop_bytes: u64,
}

enum Cmd {
    Pause(String, Sender<Result<(), RecordError>>),
    Resume(Sender<Result<(), RecordError>>),
    Mute {
        stream: String,
        muted: bool,
        reason: String,
        reply: Sender<Result<(), RecordError>>,
    },
    Note {
        author: String,
        role: String,
        text: String,
        reply: Sender<Result<u64, RecordError>>,
    },
    Checkpoint(Sender<Result<u64, RecordError>>),
    Append(Entry, Sender<Result<(), RecordError>>),
    /// Stop recording; close the hearing (`true`) or leave it resumable (`false`).
    Finish(bool, String),
}

/// Handle to a recording hearing.
pub struct Recorder {
    cmd: Sender<Cmd>,
    thread: Option<JoinHandle<Result<(), RecordError>>>,
    events: EventBus,
    status: Arc<Mutex<Status>>,
    streams: Arc<Mutex<Vec<StreamStatus>>>,
    latencies: Arc<Mutex<Latencies>>,
    timeline: Timeline,
}

/// What the log says about a hearing so far.
#[derive(Debug, Default)]
pub struct HearingHistory {
    pub parts: u64,
    pub closed: bool,
    pub courtroom: Option<String>,
    /// Wall-clock time of media time 0 (the first part's opening).
    pub wall_origin_ms: Option<u64>,
    pub next_seq: HashMap<String, u64>,
    pub last_end_ns: HashMap<String, u64>,
}

impl HearingHistory {
    pub fn read(log: &Log, hearing: &str) -> Result<Self, RecordError> {
        let mut h = HearingHistory::default();
        for i in 0..log.size() {
            let bytes = log.entry(i)?;
            // Cheap filter before decoding: the hearing id appears in every entry of it.
            if !contains(&bytes, hearing.as_bytes()) {
                continue;
            }
            let Ok(e) = Entry::decode(&bytes) else {
                continue;
            };
            if e.hearing() != Some(hearing) {
                continue;
            }
            match &e {
                Entry::HearingOpened(o) => {
                    h.parts = h.parts.max(o.part);
                    h.courtroom = Some(o.courtroom.clone());
                    h.wall_origin_ms.get_or_insert(o.at_unix_ms);
                }
                Entry::HearingClosed(_) => h.closed = true,
                _ => {}
            }
            if let Some(f) = e.sealed_file() {
                let n = h.next_seq.entry(f.stream.to_string()).or_insert(0);
                *n = (*n).max(f.seq + 1);
            }
            if let Entry::SegmentSealed(s) = &e {
                h.last_end_ns.insert(s.stream.clone(), s.media_end_ns);
            }
        }
        Ok(h)
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

pub(crate) struct UnitSpec {
    pub name: String,
    pub sources: Vec<SourceConfig>,
}

/// Sources that share a device share a pipeline (one ALSA interface, many microphones).
pub(crate) fn group_units(room: &CourtroomConfig) -> Vec<UnitSpec> {
    let mut units: Vec<UnitSpec> = Vec::new();
    for s in &room.sources {
        if let SourceKind::Alsa { device, .. } = &s.kind {
            let name = format!("alsa:{device}");
            if let Some(u) = units.iter_mut().find(|u| u.name == name) {
                u.sources.push(s.clone());
                continue;
            }
            units.push(UnitSpec {
                name,
                sources: vec![s.clone()],
            });
        } else {
            units.push(UnitSpec {
                name: s.id.clone(),
                sources: vec![s.clone()],
            });
        }
    }
    units
}

impl Recorder {
    /// Opens (or, after a restart, resumes as a new part) a hearing and starts recording.
    /// The log is shared: other courtrooms' recorders and the server write to it too.
    pub fn start(
        log: SharedLog,
        room: CourtroomConfig,
        info: HearingInfo,
        opts: RecordOptions,
    ) -> Result<Recorder, RecordError> {
        room.validate()?;
        crate::init()?;
        if !verbatim_log::entry::is_valid_id(&info.hearing) {
            return Err(RecordError::Invalid(format!(
                "hearing id {:?} is not an identifier (A-Z a-z 0-9 . _ -)",
                info.hearing
            )));
        }
        let history = HearingHistory::read(&verbatim_log::lock(&log), &info.hearing)?;
        if history.closed {
            return Err(RecordError::HearingClosed(info.hearing.clone()));
        }
        if let Some(was) = &history.courtroom {
            if *was != room.id {
                return Err(RecordError::OtherCourtroom {
                    hearing: info.hearing.clone(),
                    was: was.clone(),
                    now: room.id.clone(),
                });
            }
        }
        let now_ms = sealer::now_unix_ms();
        let wall_origin_ms = history.wall_origin_ms.unwrap_or(now_ms);
        let part = history.parts + 1;
        let ctx = SealContext {
            court: info.court.clone(),
            courtroom: room.id.clone(),
            hearing: info.hearing.clone(),
            data_dir: opts.data_dir.clone(),
            wall_origin_ms,
        };

        // Segments a crash left open: seal them as found, before the new part opens.
        let mut next_seq = history.next_seq.clone();
        let mut recovered = Vec::new();
        for s in &room.sources {
            let n = next_seq.entry(s.id.clone()).or_insert(0);
            let start = history.last_end_ns.get(&s.id).copied().unwrap_or(0);
            for (seq, rel) in leftovers(&opts.data_dir, &info.hearing, s, *n) {
                recovered.push(SealJob::Segment(ClosedSegment {
                    stream: s.id.clone(),
                    seq,
                    path: rel,
                    media_start_ns: start,
                    media_end_ns: None,
                    closed_at: Instant::now(),
                }));
                *n = seq + 1;
            }
        }
        let part_offset_ns = now_ms.saturating_sub(wall_origin_ms) * 1_000_000;
        let opened = Entry::HearingOpened(HearingOpened {
            court: info.court.clone(),
            courtroom: room.id.clone(),
            hearing: info.hearing.clone(),
            case_number: info.case_number.clone(),
            judge: info.judge.clone(),
            secretary: info.secretary.clone(),
            part,
            at_unix_ms: now_ms,
        });
        opened
            .validate()
            .map_err(|e| RecordError::Invalid(e.to_string()))?;

        let events = EventBus::default();
        let latencies = Arc::new(Mutex::new(Latencies::default()));
        let log_size = Arc::new(AtomicU64::new(verbatim_log::lock(&log).size()));
        let sealer = Sealer::start(
            log,
            ctx,
            opts.checkpoint_interval,
            events.clone(),
            latencies.clone(),
            log_size.clone(),
        );
        for job in recovered {
            let _ = sealer.tx.send(job);
        }
        let _ = sealer.tx.send(SealJob::Entry(opened));

        let clock = gst::SystemClock::obtain();
        let timeline = Timeline {
            part_base: clock.time(),
            clock,
            part_offset_ns,
        };
        let streams = Arc::new(Mutex::new(
            room.sources
                .iter()
                .map(|s| supervisor::initial_status(s, false))
                .collect::<Vec<_>>(),
        ));
        let status = Arc::new(Mutex::new(Status {
            hearing: info.hearing.clone(),
            part,
            state: RecorderState::Recording,
            media_ns: part_offset_ns,
            streams: Vec::new(),
            disk_free_bytes: free_bytes(&opts.data_dir).unwrap_or(0),
            alarms: Vec::new(),
            seal_latency_p50_ms: 0.0,
            seal_latency_p99_ms: 0.0,
            log_size: log_size.load(Ordering::Relaxed),
        }));
        let (cmd_tx, cmd_rx) = std::sync::mpsc::channel();
        let conductor = Conductor {
            room: room.clone(),
            info,
            opts,
            units: group_units(&room),
            next_seq,
            muted: HashMap::new(),
            running: Vec::new(),
            sealer: Some(sealer),
            events: events.clone(),
            streams: streams.clone(),
            status: status.clone(),
            log_size,
            timeline: timeline.clone(),
            state: RecorderState::Recording,
            disk_alarm: false,
        };
        let thread = std::thread::Builder::new()
            .name("conductor".into())
            .spawn(move || conductor.run(cmd_rx))
            .expect("a thread can be spawned");
        Ok(Recorder {
            cmd: cmd_tx,
            thread: Some(thread),
            events,
            status,
            streams,
            latencies,
            timeline,
        })
    }

    /// Live events: levels, health, seals, alarms, state changes.
    pub fn subscribe(&self) -> Receiver<Event> {
        self.events.subscribe()
    }

    /// A snapshot of the recorder.
    pub fn status(&self) -> Status {
        let mut s = self.status.lock().expect("not poisoned").clone();
        s.streams = self.streams.lock().expect("not poisoned").clone();
        s.media_ns = self.timeline.now_ns();
        let lat = self.latencies.lock().expect("not poisoned");
        s.seal_latency_p50_ms = lat.percentile(0.5);
        s.seal_latency_p99_ms = lat.percentile(0.99);
        s
    }

    /// Every seal latency, milliseconds, as it grows: the handle stays readable after the
    /// recorder has stopped, and then holds the seals of the stop too.
    pub fn seal_latencies(&self) -> Arc<Mutex<Latencies>> {
        self.latencies.clone()
    }

    /// Media time now: nanoseconds from the hearing's start.
    pub fn media_now_ns(&self) -> u64 {
        self.timeline.now_ns()
    }

    fn ask<T>(
        &self,
        make: impl FnOnce(Sender<Result<T, RecordError>>) -> Cmd,
    ) -> Result<T, RecordError> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.cmd.send(make(tx)).map_err(|_| RecordError::Stopped)?;
        rx.recv().map_err(|_| RecordError::Stopped)?
    }

    /// Recess or deliberation: the segments in flight are sealed and recording stops.
    pub fn pause(&self, reason: &str) -> Result<(), RecordError> {
        self.ask(|r| Cmd::Pause(reason.to_string(), r))
    }

    pub fn resume(&self) -> Result<(), RecordError> {
        self.ask(Cmd::Resume)
    }

    /// Privacy mute of a microphone: its audio is not recorded; the mute is logged.
    pub fn set_mute(&self, stream: &str, muted: bool, reason: &str) -> Result<(), RecordError> {
        self.ask(|reply| Cmd::Mute {
            stream: stream.to_string(),
            muted,
            reason: reason.to_string(),
            reply,
        })
    }

    /// A timed note, stamped with the media time now; returns its media time.
    pub fn note(&self, author: &str, role: &str, text: &str) -> Result<u64, RecordError> {
        self.ask(|reply| Cmd::Note {
            author: author.to_string(),
            role: role.to_string(),
            text: text.to_string(),
            reply,
        })
    }

    /// Seals another entry in this recorder's next group commit, in order with its own.
    pub fn append(&self, entry: Entry) -> Result<(), RecordError> {
        entry
            .validate()
            .map_err(|e| RecordError::Invalid(e.to_string()))?;
        self.ask(|reply| Cmd::Append(entry, reply))
    }

    /// Signs a checkpoint of everything sealed so far; returns the log's size.
    pub fn checkpoint(&self) -> Result<u64, RecordError> {
        self.ask(Cmd::Checkpoint)
    }

    /// Recording, paused (by order, or by itself when the disk filled up), or stopped.
    pub fn state(&self) -> RecorderState {
        self.status.lock().expect("not poisoned").state.clone()
    }

    /// Stops recording, seals everything in flight, closes the hearing; returns the final
    /// status.
    pub fn stop(mut self, reason: &str) -> Result<Status, RecordError> {
        self.finish(true, reason)?;
        Ok(self.status())
    }

    /// Stops recording and seals everything, leaving the hearing open to resume later.
    pub fn release(mut self, reason: &str) -> Result<Status, RecordError> {
        self.finish(false, reason)?;
        Ok(self.status())
    }

    fn finish(&mut self, close: bool, reason: &str) -> Result<(), RecordError> {
        let _ = self.cmd.send(Cmd::Finish(close, reason.to_string()));
        self.thread
            .take()
            .ok_or(RecordError::Stopped)?
            .join()
            .map_err(|_| RecordError::Sealing("the conductor thread panicked".into()))?
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.finish(false, "recorder dropped");
        }
    }
}

/// Unsealed segment files at or after `from` in a stream's directory, in order.
fn leftovers(data: &Path, hearing: &str, s: &SourceConfig, from: u64) -> Vec<(u64, String)> {
    let rel_dir = supervisor::stream_dir(hearing, &s.id);
    let Ok(list) = std::fs::read_dir(data.join(&rel_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<(u64, String)> = list
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let seq = name
                .strip_suffix(&format!(".{}", s.extension()))?
                .parse::<u64>()
                .ok()?;
            (seq >= from && e.metadata().ok()?.len() > 0)
                .then(|| (seq, format!("{rel_dir}/{name}")))
        })
        .collect();
    out.sort();
    out
}

/// Free bytes (for unprivileged users) on the filesystem holding `path`.
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a valid out-pointer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    (rc == 0).then(|| st.f_bavail as u64 * st.f_frsize as u64)
}

struct Running {
    ctl: Sender<Control>,
    thread: JoinHandle<Vec<u64>>,
    unit: usize,
}

struct Conductor {
    room: CourtroomConfig,
    info: HearingInfo,
    opts: RecordOptions,
    units: Vec<UnitSpec>,
    next_seq: HashMap<String, u64>,
    muted: HashMap<String, bool>,
    running: Vec<Running>,
    sealer: Option<Sealer>,
    events: EventBus,
    streams: Arc<Mutex<Vec<StreamStatus>>>,
    status: Arc<Mutex<Status>>,
    log_size: Arc<AtomicU64>,
    timeline: Timeline,
    state: RecorderState,
    disk_alarm: bool,
}

impl Conductor {
    fn seal(&self, e: Entry) -> Result<(), RecordError> {
        self.sealer
            .as_ref()
            .ok_or(RecordError::Stopped)?
            .tx
            .send(SealJob::Entry(e))
            .map_err(|_| RecordError::Sealing("the sealer has stopped".into()))
    }

    fn start_units(&mut self) {
        let sealer_tx = self.sealer.as_ref().expect("running").tx.clone();
        for (k, u) in self.units.iter().enumerate() {
            let (ctl_tx, ctl_rx) = std::sync::mpsc::channel();
            let unit = Unit {
                name: u.name.clone(),
                sources: u.sources.clone(),
                next_seq: u
                    .sources
                    .iter()
                    .map(|s| self.next_seq.get(&s.id).copied().unwrap_or(0))
                    .collect(),
                data_dir: self.opts.data_dir.clone(),
                hearing: self.info.hearing.clone(),
                court: self.info.court.clone(),
                segment_ns: (self.room.segment_seconds * 1e9) as u64,
                stall: Duration::from_secs_f64(self.room.stall_seconds),
                silence_alarm: Duration::from_secs_f64(self.room.silence_alarm_seconds),
                silence_db: self.room.silence_db,
                muted: u
                    .sources
                    .iter()
                    .map(|s| self.muted.get(&s.id).copied().unwrap_or(false))
                    .collect(),
            };
            let shared = Shared {
                sealer: sealer_tx.clone(),
                events: self.events.clone(),
                status: self.streams.clone(),
                timeline: self.timeline.clone(),
            };
            let thread = std::thread::Builder::new()
                .name(format!("source {}", u.name))
                .spawn(move || supervisor::run(unit, shared, ctl_rx))
                .expect("a thread can be spawned");
            self.running.push(Running {
                ctl: ctl_tx,
                thread,
                unit: k,
            });
        }
    }

    /// Stops every source, sealing the segments in flight.
    fn stop_units(&mut self) {
        for r in &self.running {
            let _ = r.ctl.send(Control::Stop);
        }
        for r in self.running.drain(..) {
            if let Ok(seqs) = r.thread.join() {
                for (s, seq) in self.units[r.unit].sources.iter().zip(seqs) {
                    self.next_seq.insert(s.id.clone(), seq);
                }
            }
        }
    }

    fn hearing_event(&self, reason: &str) -> HearingEvent {
        HearingEvent {
            court: self.info.court.clone(),
            hearing: self.info.hearing.clone(),
            media_ns: self.timeline.now_ns(),
            at_unix_ms: sealer::now_unix_ms(),
            reason: reason.to_string(),
        }
    }

    fn set_state(&mut self, state: RecorderState, reason: &str) {
        self.state = state.clone();
        self.status.lock().expect("not poisoned").state = state.clone();
        self.events.send(Event::State {
            state,
            reason: reason.to_string(),
        });
    }

    fn alarm(&self, kind: AlarmKind, message: String) {
        self.status
            .lock()
            .expect("not poisoned")
            .alarms
            .push(message.clone());
        self.events.send(Event::Alarm {
            kind,
            stream: None,
            message,
        });
    }

    fn run(mut self, cmds: Receiver<Cmd>) -> Result<(), RecordError> {
        self.start_units();
        let sealed_counter = self.events.subscribe();
        loop {
            let cmd = match cmds.recv_timeout(Duration::from_millis(500)) {
                Ok(c) => Some(c),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    Some(Cmd::Finish(false, "handle dropped".into()))
                }
            };
            self.count_sealed(&sealed_counter);
            {
                let mut st = self.status.lock().expect("not poisoned");
                st.log_size = self.log_size.load(Ordering::Relaxed);
            }
            match cmd {
                None => self.watch_disk(),
                Some(Cmd::Pause(reason, reply)) => {
                    let r = if self.state != RecorderState::Recording {
                        Err(RecordError::Invalid("not recording".into()))
                    } else {
                        // The recess starts when ordered; the segments in flight close after.
                        let paused = self.hearing_event(&reason);
                        self.stop_units();
                        let r = self.seal(Entry::HearingPaused(paused));
                        self.set_state(RecorderState::Paused, &reason);
                        r
                    };
                    let _ = reply.send(r);
                }
                Some(Cmd::Resume(reply)) => {
                    let r = if self.state != RecorderState::Paused {
                        Err(RecordError::Invalid("not paused".into()))
                    } else if free_bytes(&self.opts.data_dir)
                        .is_some_and(|f| f < self.opts.disk_stop_bytes)
                    {
                        Err(RecordError::Invalid("the disk is still nearly full".into()))
                    } else {
                        let r = self.seal(Entry::HearingResumed(self.hearing_event("")));
                        self.start_units();
                        self.set_state(RecorderState::Recording, "resumed");
                        r
                    };
                    let _ = reply.send(r);
                }
                Some(Cmd::Mute {
                    stream,
                    muted,
                    reason,
                    reply,
                }) => {
                    let r = match self.room.sources.iter().find(|s| s.id == stream) {
                        None => Err(RecordError::Invalid(format!("no source {stream:?}"))),
                        Some(s) if !supervisor::is_audio(s) => Err(RecordError::Invalid(format!(
                            "{stream} is not a microphone"
                        ))),
                        Some(_) => {
                            let was = self.muted.insert(stream.clone(), muted).unwrap_or(false);
                            if was == muted {
                                Ok(())
                            } else {
                                for r in &self.running {
                                    let _ = r.ctl.send(Control::SetMute {
                                        stream: stream.clone(),
                                        muted,
                                    });
                                }
                                if let Some(st) = self
                                    .streams
                                    .lock()
                                    .expect("not poisoned")
                                    .iter_mut()
                                    .find(|s| s.id == stream)
                                {
                                    st.muted = muted;
                                }
                                let ev = SourceEvent {
                                    court: self.info.court.clone(),
                                    hearing: self.info.hearing.clone(),
                                    stream: stream.clone(),
                                    media_ns: self.timeline.now_ns(),
                                    at_unix_ms: sealer::now_unix_ms(),
                                    reason,
                                };
                                self.seal(if muted {
                                    Entry::MicMuted(ev)
                                } else {
                                    Entry::MicUnmuted(ev)
                                })
                            }
                        }
                    };
                    let _ = reply.send(r);
                }
                Some(Cmd::Note {
                    author,
                    role,
                    text,
                    reply,
                }) => {
                    let media_ns = self.timeline.now_ns();
                    let e = Entry::LogNote(LogNote {
                        court: self.info.court.clone(),
                        hearing: self.info.hearing.clone(),
                        media_ns,
                        at_unix_ms: sealer::now_unix_ms(),
                        author,
                        role,
                        text,
                    });
                    let r = match e.validate() {
                        Err(err) => Err(RecordError::Invalid(err.to_string())),
                        Ok(()) => self.seal(e).map(|()| media_ns),
                    };
                    let _ = reply.send(r);
                }
                Some(Cmd::Append(entry, reply)) => {
                    let _ = reply.send(self.seal(entry));
                }
                Some(Cmd::Checkpoint(reply)) => {
                    let (tx, rx) = std::sync::mpsc::channel();
                    let r = self
                        .sealer
                        .as_ref()
                        .ok_or(RecordError::Stopped)
                        .and_then(|s| {
                            s.tx.send(SealJob::Checkpoint(tx))
                                .map_err(|_| RecordError::Stopped)
                        })
                        .and_then(|()| rx.recv().map_err(|_| RecordError::Stopped))
                        .and_then(|r| r.map_err(RecordError::Sealing));
                    let _ = reply.send(r);
                }
                Some(Cmd::Finish(close, reason)) => {
                    let at = self.hearing_event(&reason);
                    self.stop_units();
                    if close {
                        let _ = self.seal(Entry::HearingClosed(at));
                    } else if self.state == RecorderState::Recording {
                        let _ = self.seal(Entry::HearingPaused(at));
                    }
                    self.set_state(RecorderState::Stopped, &reason);
                    let sealer = self.sealer.take().ok_or(RecordError::Stopped)?;
                    sealer.finish().map_err(RecordError::Sealing)?;
                    self.count_sealed(&sealed_counter);
                    let size = self.log_size.load(Ordering::Relaxed);
                    self.status.lock().expect("not poisoned").log_size = size;
                    return Ok(());
                }
            }
        }
    }

    /// Per-stream sealed counts for the status.
    fn count_sealed(&self, sealed: &Receiver<Event>) {
        while let Ok(ev) = sealed.try_recv() {
            if let Event::Sealed { stream, bytes, .. } = ev {
                let mut st = self.streams.lock().expect("not poisoned");
                if let Some(s) = st.iter_mut().find(|s| s.id == stream) {
                    s.segments_sealed += 1;
                    s.bytes_sealed += bytes;
                }
            }
        }
    }

    fn watch_disk(&mut self) {
        let Some(free) = free_bytes(&self.opts.data_dir) else {
            return;
        };
        self.status.lock().expect("not poisoned").disk_free_bytes = free;
        if free < self.opts.disk_alarm_bytes && !self.disk_alarm {
            self.disk_alarm = true;
            self.alarm(
                AlarmKind::DiskLow,
                format!("disk nearly full: {} MB free", free / 1_000_000),
            );
        }
        if free < self.opts.disk_stop_bytes && self.state == RecorderState::Recording {
            let reason = format!(
                "disk full: recording stopped with everything sealed ({} MB free)",
                free / 1_000_000
            );
            self.stop_units();
            let _ = self.seal(Entry::HearingPaused(self.hearing_event(&reason)));
            self.alarm(AlarmKind::DiskFull, reason.clone());
            self.set_state(RecorderState::Paused, &reason);
        }
    }
}
