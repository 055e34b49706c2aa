//! One supervisor thread per pipeline: runs it, turns its bus messages into sealed segments,
//! levels and health, and restarts it with backoff when the source fails or stalls, logging
//! the gap. A failing source never touches another source's pipeline.

use crate::config::{Media, SourceConfig};
use crate::events::{AlarmKind, Event, EventBus, Health, StreamStatus};
use crate::pipeline::{self, SegmentTarget};
use crate::sealer::{ClosedSegment, SealJob};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use verbatim_log::entry::SourceEvent;
use verbatim_log::Entry;

/// Orders to a supervisor.
pub enum Control {
    /// Finish the segments in flight, seal them, and end.
    Stop,
    SetMute {
        stream: String,
        muted: bool,
    },
}

/// The shared clock and the hearing part's time origin.
#[derive(Clone)]
pub struct Timeline {
    pub clock: gst::Clock,
    /// Clock time at which this part's media time is `part_offset_ns`.
    pub part_base: gst::ClockTime,
    /// Media time (from the hearing's first part) at which this part began.
    pub part_offset_ns: u64,
}

impl Timeline {
    /// Media time now.
    pub fn now_ns(&self) -> u64 {
        self.part_offset_ns
            + self
                .clock
                .time()
                .nseconds()
                .saturating_sub(self.part_base.nseconds())
    }
}

/// What a supervisor needs.
pub struct Unit {
    pub name: String,
    pub sources: Vec<SourceConfig>,
    /// Next segment number per stream (same order as `sources`).
    pub next_seq: Vec<u64>,
    pub data_dir: PathBuf,
    pub hearing: String,
    pub court: String,
    pub segment_ns: u64,
    pub stall: Duration,
    pub silence_alarm: Duration,
    pub silence_db: f64,
    pub muted: Vec<bool>,
}

pub struct Shared {
    pub sealer: Sender<SealJob>,
    pub events: EventBus,
    pub status: Arc<Mutex<Vec<StreamStatus>>>,
    pub timeline: Timeline,
}

/// Relative path of a stream's segment directory.
pub fn stream_dir(hearing: &str, stream: &str) -> String {
    format!("{}/{hearing}/{stream}", verbatim_log::layout::HEARINGS_DIR)
}

/// Relative path of a segment.
pub fn segment_path(hearing: &str, source: &SourceConfig, seq: u64) -> String {
    format!(
        "{}/{seq:06}.{}",
        stream_dir(hearing, &source.id),
        source.extension()
    )
}

/// Runs the unit until told to stop; returns the next segment number per stream.
pub fn run(mut unit: Unit, shared: Shared, ctl: Receiver<Control>) -> Vec<u64> {
    let mut lost: Option<String> = None;
    let mut backoff = Duration::from_millis(500);
    loop {
        let outcome = run_once(&mut unit, &shared, &ctl, &mut lost);
        match outcome {
            Outcome::Stopped => break,
            Outcome::Ended => {
                set_health(&shared, &unit, Health::Ended);
                // Wait for the order to stop; nothing more will come from this source.
                while !matches!(ctl.recv(), Ok(Control::Stop) | Err(_)) {}
                break;
            }
            Outcome::Failed { reason, recorded } => {
                if lost.is_none() {
                    let at = shared.timeline.now_ns();
                    for s in &unit.sources {
                        let _ =
                            shared
                                .sealer
                                .send(SealJob::Entry(Entry::SourceLost(SourceEvent {
                                    court: unit.court.clone(),
                                    hearing: unit.hearing.clone(),
                                    stream: s.id.clone(),
                                    media_ns: at,
                                    at_unix_ms: crate::sealer::now_unix_ms(),
                                    reason: reason.clone(),
                                })));
                        shared.events.send(Event::Alarm {
                            kind: AlarmKind::SourceLost,
                            stream: Some(s.id.clone()),
                            message: format!("{} lost: {reason}", s.id),
                        });
                    }
                    lost = Some(reason.clone());
                }
                set_health(&shared, &unit, Health::Lost { reason });
                if recorded {
                    backoff = Duration::from_millis(500);
                }
                // Back off, but obey a stop at once.
                match ctl.recv_timeout(backoff) {
                    Ok(Control::Stop) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                        break
                    }
                    Ok(Control::SetMute { stream, muted }) => {
                        apply_mute_flag(&mut unit, &stream, muted)
                    }
                    Err(_) => {}
                }
                // Capped low: every second of backoff is a second missing from the record.
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        }
    }
    set_health(&shared, &unit, Health::Idle);
    unit.next_seq
}

enum Outcome {
    Stopped,
    Ended,
    Failed { reason: String, recorded: bool },
}

fn apply_mute_flag(unit: &mut Unit, stream: &str, muted: bool) {
    if let Some(i) = unit.sources.iter().position(|s| s.id == stream) {
        unit.muted[i] = muted;
    }
}

fn set_health(shared: &Shared, unit: &Unit, health: Health) {
    let mut status = shared.status.lock().expect("not poisoned");
    for s in &unit.sources {
        if let Some(st) = status.iter_mut().find(|st| st.id == s.id) {
            if st.health != health {
                st.health = health.clone();
                shared.events.send(Event::Health {
                    stream: s.id.clone(),
                    health: health.clone(),
                });
            }
        }
    }
}

/// Converts a raw PCM cache for a speech file (see `speech::cache`).
fn speech_cache(path: &Path) -> Result<PathBuf, pipeline::PipelineError> {
    crate::speech::raw_pcm(path)
}

fn run_once(
    unit: &mut Unit,
    shared: &Shared,
    ctl: &Receiver<Control>,
    lost: &mut Option<String>,
) -> Outcome {
    let targets: Vec<SegmentTarget> = unit
        .sources
        .iter()
        .zip(&unit.next_seq)
        .map(|(s, &seq)| SegmentTarget {
            dir: unit.data_dir.join(stream_dir(&unit.hearing, &s.id)),
            extension: s.extension(),
            start_index: seq,
        })
        .collect();
    for t in &targets {
        if let Err(e) = std::fs::create_dir_all(&t.dir) {
            return Outcome::Failed {
                reason: format!("cannot create {}: {e}", t.dir.display()),
                recorded: false,
            };
        }
    }
    let refs: Vec<&SourceConfig> = unit.sources.iter().collect();
    let built = match pipeline::build(&refs, &targets, unit.segment_ns, &speech_cache) {
        Ok(b) => b,
        Err(e) => {
            return Outcome::Failed {
                reason: e.to_string(),
                recorded: false,
            }
        }
    };
    let pipeline = built.pipeline;
    pipeline.use_clock(Some(&shared.timeline.clock));
    for (i, s) in built.streams.iter().enumerate() {
        if let Some(p) = &s.privacy {
            p.set(unit.muted[i]);
        }
    }
    let bus = pipeline.bus().expect("a pipeline has a bus");
    let started = Instant::now();
    if pipeline.set_state(gst::State::Playing).is_err() {
        let reason = first_error(&bus).unwrap_or_else(|| "the pipeline would not start".into());
        let _ = pipeline.set_state(gst::State::Null);
        return Outcome::Failed {
            reason,
            recorded: false,
        };
    }
    set_health(shared, unit, Health::Starting);

    let index_of: HashMap<String, usize> = built
        .streams
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut opened: HashMap<String, u64> = HashMap::new();
    let mut recorded = false;
    let mut loud_at: Vec<Instant> = vec![Instant::now(); built.streams.len()];
    let mut silent_alarm: Vec<bool> = vec![false; built.streams.len()];
    // The last meter reading taken from each stream.
    let mut read_levels: Vec<u64> = vec![0; built.streams.len()];
    let mut stopping = false;
    let mut stop_deadline = None;

    let outcome = loop {
        // Orders first.
        while let Ok(c) = ctl.try_recv() {
            match c {
                Control::Stop => {
                    if !stopping {
                        stopping = true;
                        stop_deadline = Some(Instant::now() + Duration::from_secs(5));
                        // End each stream where it enters its branch: the segments in
                        // flight close with everything queued, whether or not the source
                        // (a looping file, a network camera) would honour an EOS itself.
                        send_eos_detached(built.streams.iter().map(|s| s.entry.clone()));
                    }
                }
                Control::SetMute { stream, muted } => {
                    apply_mute_flag(unit, &stream, muted);
                    if let Some(&i) = index_of.get(&stream) {
                        if let Some(p) = &built.streams[i].privacy {
                            p.set(muted);
                        }
                    }
                    let mut status = shared.status.lock().expect("not poisoned");
                    if let Some(st) = status.iter_mut().find(|st| st.id == stream) {
                        st.muted = muted;
                    }
                }
            }
        }
        if stop_deadline.is_some_and(|d| Instant::now() > d) {
            break Outcome::Stopped;
        }

        // The watchdog: a source that delivers nothing for `stall` is lost.
        if !stopping {
            let now = shared.timeline.clock.time().nseconds();
            for s in &built.streams {
                let last = s.last_buffer.load(Ordering::Relaxed);
                // A source gets twice the stall time to deliver its first data (an RTSP
                // camera connects and waits for a keyframe).
                let stalled = if last == 0 {
                    started.elapsed() > unit.stall * 2
                } else {
                    Duration::from_nanos(now.saturating_sub(last)) > unit.stall
                };
                if stalled {
                    let reason = format!(
                        "no data from {} for {:.1} s",
                        s.id,
                        unit.stall.as_secs_f64()
                    );
                    finish(&pipeline, &bus, unit, shared, &mut opened);
                    return Outcome::Failed { reason, recorded };
                }
            }
        }

        // Microphone levels: the meters' latest readings (a new one every 100 ms; the
        // loop wakes at least as often).
        for (i, s) in built.streams.iter().enumerate() {
            let Some(r) = s.meter.as_ref().and_then(|m| m.latest()) else {
                continue;
            };
            if read_levels[i] == r.seq {
                continue;
            }
            read_levels[i] = r.seq;
            let id = s.id.as_str();
            let now = Instant::now();
            if r.rms_db > unit.silence_db || unit.muted[i] {
                loud_at[i] = now;
            }
            let silent = now.duration_since(loud_at[i]) > unit.silence_alarm;
            {
                let mut status = shared.status.lock().expect("not poisoned");
                if let Some(st) = status.iter_mut().find(|st| st.id == id) {
                    st.rms_db = Some(r.rms_db);
                    st.peak_db = Some(r.peak_db);
                    st.silent_since_ns = silent.then(|| {
                        shared
                            .timeline
                            .now_ns()
                            .saturating_sub(now.duration_since(loud_at[i]).as_nanos() as u64)
                    });
                }
            }
            if silent && !silent_alarm[i] {
                shared.events.send(Event::Alarm {
                    kind: AlarmKind::MicSilent,
                    stream: Some(id.to_string()),
                    message: format!(
                        "microphone {id} silent for {:.0} s",
                        unit.silence_alarm.as_secs_f64()
                    ),
                });
            }
            silent_alarm[i] = silent;
            shared.events.send(Event::Level {
                stream: id.to_string(),
                rms_db: r.rms_db,
                peak_db: r.peak_db,
            });
        }

        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(100)) else {
            continue;
        };
        match msg.view() {
            gst::MessageView::Element(e) => {
                let Some(st) = e.structure() else { continue };
                match st.name().as_str() {
                    "splitmuxsink-fragment-opened" | "splitmuxsink-fragment-closed" => {
                        let Some(src) = msg.src() else { continue };
                        let Some(i) = built
                            .streams
                            .iter()
                            .position(|s| s.splitmux.upcast_ref::<gst::Object>() == src)
                        else {
                            continue;
                        };
                        let location = st.get::<String>("location").unwrap_or_default();
                        let rt = st
                            .get::<gst::ClockTime>("running-time")
                            .map(|t| t.nseconds())
                            .unwrap_or(0);
                        let media = media_time(&pipeline, &shared.timeline, rt);
                        if st.name().as_str() == "splitmuxsink-fragment-opened" {
                            opened.insert(location, media);
                            if !recorded {
                                recorded = true;
                                if let Some(reason) = lost.take() {
                                    restored(unit, shared, &reason);
                                }
                                set_health(shared, unit, Health::Recording);
                            }
                        } else {
                            let start = opened.remove(&location).unwrap_or(media);
                            seal_closed(unit, shared, i, &location, start, Some(media));
                        }
                    }
                    _ => {}
                }
            }
            gst::MessageView::Eos(_) => {
                if stopping {
                    break Outcome::Stopped;
                }
                let _ = pipeline.set_state(gst::State::Null);
                seal_leftovers(unit, shared, &mut opened);
                // A file plays to its end; a camera or microphone that ends its stream
                // (a server closing the connection) has failed and is retried.
                if unit
                    .sources
                    .iter()
                    .all(|s| matches!(s.kind, crate::config::SourceKind::File { .. }))
                {
                    return Outcome::Ended;
                }
                return Outcome::Failed {
                    reason: "the source ended its stream".into(),
                    recorded,
                };
            }
            gst::MessageView::Error(err) => {
                // The element's debug text says what exactly went wrong ("Could not
                // multiplex stream" alone does not): its last line, after the source
                // location, is the human part.
                let detail = err
                    .debug()
                    .and_then(|d| d.lines().last().map(|l| format!(": {l}")))
                    .unwrap_or_default();
                let reason = format!(
                    "{} ({}){detail}",
                    err.error(),
                    err.src().map(|s| s.name().to_string()).unwrap_or_default()
                );
                if stopping {
                    break Outcome::Stopped;
                }
                finish(&pipeline, &bus, unit, shared, &mut opened);
                return Outcome::Failed { reason, recorded };
            }
            _ => {}
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    seal_leftovers(unit, shared, &mut opened);
    outcome
}

/// Media time of a running time of `pipeline`. splitmuxsink reports some running times
/// offset by 2^63 (seen with cameras whose decoding timestamps run ahead of presentation);
/// anything implausible — more than 10 s from the shared clock's now — is replaced by now,
/// since fragment messages arrive as the fragment opens or closes.
fn media_time(pipeline: &gst::Pipeline, t: &Timeline, running_ns: u64) -> u64 {
    let now = t.now_ns();
    let base = pipeline.base_time().map_or(0, |b| b.nseconds());
    let computed = t
        .part_offset_ns
        .saturating_add(base)
        .saturating_add(running_ns)
        .saturating_sub(t.part_base.nseconds());
    if computed.abs_diff(now) > 10_000_000_000 {
        now
    } else {
        computed
    }
}

fn seal_closed(
    unit: &mut Unit,
    shared: &Shared,
    i: usize,
    location: &str,
    start: u64,
    end: Option<u64>,
) {
    let Some(seq) = Path::new(location)
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return;
    };
    let source = &unit.sources[i];
    let _ = shared.sealer.send(SealJob::Segment(ClosedSegment {
        stream: source.id.clone(),
        seq,
        path: segment_path(&unit.hearing, source, seq),
        media_start_ns: start,
        media_end_ns: end,
        closed_at: Instant::now(),
    }));
    unit.next_seq[i] = unit.next_seq[i].max(seq + 1);
}

/// After a failure: try to close the open segments cleanly (EOS), then stop the pipeline.
fn finish(
    pipeline: &gst::Pipeline,
    bus: &gst::Bus,
    unit: &mut Unit,
    shared: &Shared,
    opened: &mut HashMap<String, u64>,
) {
    if !opened.is_empty() {
        send_eos_detached(
            pipeline
                .iterate_recurse()
                .into_iter()
                .flatten()
                .filter(|e| e.factory().is_some_and(|f| f.name() == "splitmuxsink"))
                .flat_map(|sink| sink.sink_pads()),
        );
        let deadline = Instant::now() + Duration::from_millis(1500);
        while Instant::now() < deadline && !opened.is_empty() {
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(50)) else {
                continue;
            };
            if let gst::MessageView::Element(e) = msg.view() {
                let Some(st) = e.structure() else { continue };
                if st.name().as_str() == "splitmuxsink-fragment-closed" {
                    let location = st.get::<String>("location").unwrap_or_default();
                    let rt = st
                        .get::<gst::ClockTime>("running-time")
                        .map(|t| t.nseconds())
                        .unwrap_or(0);
                    let media = media_time(pipeline, &shared.timeline, rt);
                    if let Some(start) = opened.remove(&location) {
                        if let Some(i) = stream_of(unit, &location) {
                            seal_closed(unit, shared, i, &location, start, Some(media));
                        }
                    }
                }
            }
        }
    }
    let _ = pipeline.set_state(gst::State::Null);
    seal_leftovers(unit, shared, opened);
}

/// Sends an EOS into each pad from a thread of its own, and returns at once.
///
/// An EOS is serialized with the data: sending it waits for the pad's streaming thread to
/// let go of the pad. A streaming thread that never does — blocked in a full queue, or
/// inside a `splitmuxsink` whose muxer has failed — would hang the supervisor with it, and
/// with the supervisor the whole recorder's stop (found by the courtroom benchmark at 20
/// courtrooms). The caller waits for the segments to close for as long as it chooses, then
/// sets the pipeline to NULL, which wakes every blocked thread; the sender then ends too.
pub(crate) fn send_eos_detached(
    pads: impl IntoIterator<Item = gst::Pad>,
) -> std::thread::JoinHandle<()> {
    let pads: Vec<gst::Pad> = pads.into_iter().collect();
    std::thread::Builder::new()
        .name("eos".into())
        .spawn(move || {
            for pad in pads {
                pad.send_event(gst::event::Eos::new());
            }
        })
        .expect("a thread can be spawned")
}

fn stream_of(unit: &Unit, location: &str) -> Option<usize> {
    let dir = Path::new(location).parent()?;
    unit.sources
        .iter()
        .position(|s| unit.data_dir.join(stream_dir(&unit.hearing, &s.id)) == dir)
}

/// Files a failed pipeline left open: sealed as found, so nothing written is lost and the
/// numbering stays without gaps.
fn seal_leftovers(unit: &mut Unit, shared: &Shared, opened: &mut HashMap<String, u64>) {
    for (location, start) in opened.drain() {
        if let Some(i) = stream_of(unit, &location) {
            if Path::new(&location).is_file() {
                seal_closed(unit, shared, i, &location, start, None);
            }
        }
    }
}

fn restored(unit: &Unit, shared: &Shared, reason: &str) {
    let at = shared.timeline.now_ns();
    for s in &unit.sources {
        let _ = shared
            .sealer
            .send(SealJob::Entry(Entry::SourceRestored(SourceEvent {
                court: unit.court.clone(),
                hearing: unit.hearing.clone(),
                stream: s.id.clone(),
                media_ns: at,
                at_unix_ms: crate::sealer::now_unix_ms(),
                reason: format!("recording again after: {reason}"),
            })));
    }
}

fn first_error(bus: &gst::Bus) -> Option<String> {
    while let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(10)) {
        if let gst::MessageView::Error(e) = msg.view() {
            return Some(e.error().to_string());
        }
    }
    None
}

/// The status line of a configured source before it starts.
pub fn initial_status(s: &SourceConfig, muted: bool) -> StreamStatus {
    StreamStatus {
        id: s.id.clone(),
        label: s.label.clone(),
        media: s.media(),
        role: s.role.clone(),
        position: s.position.clone(),
        health: Health::Idle,
        rms_db: None,
        peak_db: None,
        muted,
        silent_since_ns: None,
        segments_sealed: 0,
        bytes_sealed: 0,
    }
}

/// Whether a source kind delivers audio.
pub fn is_audio(s: &SourceConfig) -> bool {
    s.media() == Media::Audio
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A streaming thread blocked for good (here: upstream of a full queue whose sink waits
    /// an hour for its clock) must not block whoever ends the stream, and the sender must
    /// end once the pipeline is set to NULL.
    #[test]
    fn eos_into_a_blocked_branch_does_not_block_the_caller() {
        gst::init().expect("GStreamer initialises");
        let pipeline = gst::parse::launch(
            "audiotestsrc is-live=true samplesperbuffer=480 \
             ! queue name=q max-size-buffers=1 max-size-bytes=0 max-size-time=0 \
             ! fakesink sync=true ts-offset=3600000000000",
        )
        .expect("valid description")
        .downcast::<gst::Pipeline>()
        .expect("a pipeline");
        let queue = pipeline.by_name("q").expect("named");
        let entry = queue.static_pad("sink").expect("queue sink");
        pipeline.set_state(gst::State::Playing).expect("plays");
        // Wait until the queue is full: the source's thread then sits in the queue's chain
        // function, holding the pad's stream lock.
        let deadline = Instant::now() + Duration::from_secs(10);
        while queue.property::<u32>("current-level-buffers") < 1 {
            assert!(Instant::now() < deadline, "the queue never filled");
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(100));

        let started = Instant::now();
        let sender = send_eos_detached([entry]);
        assert!(started.elapsed() < Duration::from_millis(500));
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            !sender.is_finished(),
            "the EOS is held up by the blocked thread"
        );

        pipeline.set_state(gst::State::Null).expect("stops");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sender.is_finished() {
            assert!(
                Instant::now() < deadline,
                "the sender did not end after NULL"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        sender.join().expect("the sender did not panic");
    }
}
