//! GStreamer pipelines: one per physical source (an ALSA interface feeding several
//! microphones is one source), each ending in one `splitmuxsink` per stream.
//!
//! Cameras that deliver H.264/H.265 are remuxed, never re-encoded; only raw video (test
//! patterns, V4L2) is encoded, once. Every microphone is its own mono FLAC track in its own
//! Matroska segments. Pipeline descriptions are fixed text; everything that comes from
//! configuration (URLs, paths, devices) is set as a property, never spliced into text.

use crate::config::{Media, SourceConfig, SourceKind, VideoCodec};
use crate::meter::{Meter, Mute};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Sample rate of every recorded microphone track.
pub const AUDIO_RATE: i32 = 48_000;
/// Frame rate and size of encoded test patterns.
const TEST_FPS: i32 = 25;

/// Why a pipeline could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("GStreamer: {0}")]
    Gst(String),
    #[error("GStreamer element {0:?} is missing: install the GStreamer plugin that provides it")]
    MissingElement(String),
}

impl From<glib::Error> for PipelineError {
    fn from(e: glib::Error) -> Self {
        PipelineError::Gst(e.to_string())
    }
}

impl From<glib::BoolError> for PipelineError {
    fn from(e: glib::BoolError) -> Self {
        PipelineError::Gst(e.to_string())
    }
}

use gstreamer::glib;

/// One stream of a pipeline: its segment writer and, for microphones, meter and mute.
pub struct StreamElements {
    pub id: String,
    pub splitmux: gst::Element,
    pub meter: Option<Meter>,
    pub privacy: Option<Mute>,
    /// Where the stream enters its branch: an EOS sent here closes the open segment after
    /// everything already queued, whatever the source does.
    pub entry: gst::Pad,
    /// Clock time (ns) at which the last buffer reached the segment writer, for the stall
    /// watchdog.
    pub last_buffer: Arc<AtomicU64>,
}

/// A built, not yet started pipeline.
pub struct Built {
    pub pipeline: gst::Pipeline,
    pub streams: Vec<StreamElements>,
}

/// Where and how a stream's segments are written.
pub struct SegmentTarget {
    pub dir: PathBuf,
    pub extension: &'static str,
    pub start_index: u64,
}

fn make(factory: &str, name: Option<&str>) -> Result<gst::Element, PipelineError> {
    let mut b = gst::ElementFactory::make(factory);
    if let Some(n) = name {
        b = b.name(n);
    }
    b.build()
        .map_err(|_| PipelineError::MissingElement(factory.to_string()))
}

/// The part of a video pipeline that produces parsed H.264/H.265, as a pipeline
/// description whose last element is named `out`.
fn video_head(kind: &SourceKind, segment_ns: u64) -> (String, bool) {
    let gop = ((segment_ns as f64 / 1e9) * TEST_FPS as f64)
        .round()
        .max(1.0) as u32;
    let encode = format!(
        "x264enc tune=zerolatency speed-preset=ultrafast bitrate=800 key-int-max={gop} \
         ! video/x-h264,profile=baseline ! h264parse name=out config-interval=-1"
    );
    match kind {
        SourceKind::RtspCamera { codec, .. } => {
            let (depay, parse) = match codec {
                VideoCodec::H264 => ("rtph264depay", "h264parse"),
                VideoCodec::H265 => ("rtph265depay", "h265parse"),
            };
            (
                format!(
                    "rtspsrc name=src protocols=tcp latency=200 tcp-timeout=3000000 \
                     ! {depay} ! {parse} name=out config-interval=-1"
                ),
                false,
            )
        }
        SourceKind::V4l2 { .. } => (
            format!("v4l2src name=src ! videoconvert ! videorate ! video/x-raw,framerate={TEST_FPS}/1 ! {encode}"),
            true,
        ),
        SourceKind::TestPattern { .. } => (
            format!(
                "videotestsrc name=src is-live=true \
                 ! video/x-raw,width=640,height=360,framerate={TEST_FPS}/1 \
                 ! timeoverlay name=label halignment=left valignment=top font-desc=\"Sans 14\" \
                 ! clockoverlay halignment=right valignment=bottom font-desc=\"Sans 18\" \
                   time-format=\"%Y-%m-%d %H:%M:%S\" \
                 ! videoconvert ! {encode}"
            ),
            true,
        ),
        SourceKind::File { .. } => (
            "filesrc name=src ! parsebin ! h264parse config-interval=-1 ! identity name=out sync=true"
                .to_string(),
            false,
        ),
        _ => unreachable!("audio sources have no video head"),
    }
}

/// The part of an audio pipeline that produces raw audio, as a pipeline description whose
/// last element is named `out`.
fn audio_head(kind: &SourceKind) -> String {
    match kind {
        SourceKind::RtspAudio { .. } => {
            "rtspsrc name=src protocols=tcp latency=200 tcp-timeout=3000000 ! decodebin \
             ! audioconvert name=out"
                .into()
        }
        // The test sources deliver a format the encoder takes (`CONVERTED`), so their
        // microphones need no converter and resampler.
        SourceKind::TestTone { .. } => format!(
            "audiotestsrc name=src is-live=true wave=sine volume=0.2 samplesperbuffer=960 \
             ! capsfilter name=out caps={CONVERTED}"
        ),
        SourceKind::TestSpeech { .. } => format!(
            "multifilesrc name=src loop=true ! rawaudioparse use-sink-caps=false format=pcm \
             pcm-format=s16le sample-rate={AUDIO_RATE} num-channels=1 \
             ! audiobuffersplit output-buffer-duration=1/50 ! identity name=out sync=true"
        ),
        // Real-time pacing needs small buffers: `identity sync` waits for a buffer's start
        // and then lets all of it through at once.
        SourceKind::File { .. } => "filesrc name=src ! decodebin ! audioconvert \
             ! audiobuffersplit output-buffer-duration=1/50 ! identity name=out sync=true"
            .into(),
        _ => unreachable!("video and ALSA sources have their own heads"),
    }
}

/// What the test sources deliver: mono 48 kHz, 16 bits, as the encoder takes it.
const CONVERTED: &str = "audio/x-raw,format=S16LE,rate=48000,channels=1";

/// Whether a source's audio must be converted to mono 48 kHz first (a device's or a file's
/// own rate and channels); the test sources deliver `CONVERTED` as it is.
fn needs_conversion(kind: &SourceKind) -> bool {
    !matches!(
        kind,
        SourceKind::TestTone { .. } | SourceKind::TestSpeech { .. }
    )
}

/// Builds the pipeline for one source (or one ALSA device and the microphones on it).
pub fn build(
    sources: &[&SourceConfig],
    targets: &[SegmentTarget],
    segment_ns: u64,
    speech_cache: &dyn Fn(&Path) -> Result<PathBuf, PipelineError>,
) -> Result<Built, PipelineError> {
    let first = sources[0];

    if let SourceKind::Alsa { device, .. } = &first.kind {
        let pipeline = gst::Pipeline::new();
        let mut streams = Vec::new();
        let src = make("alsasrc", Some("src"))?;
        src.set_property("device", device);
        let convert = make("audioconvert", None)?;
        let split = make("deinterleave", None)?;
        pipeline.add_many([&src, &convert, &split])?;
        gst::Element::link_many([&src, &convert, &split])?;
        let mut branches = Vec::new();
        for (source, target) in sources.iter().zip(targets) {
            let SourceKind::Alsa { channel, .. } = source.kind else {
                unreachable!("grouped by device")
            };
            let stream = audio_branch(&pipeline, &source.id, target, segment_ns, true)?;
            branches.push((channel, stream.entry.clone()));
            streams.push(stream);
        }
        // deinterleave adds src_N pads once it knows the channel count; channels that no
        // microphone is configured for go to a fakesink.
        let weak = pipeline.downgrade();
        split.connect_pad_added(move |_, pad| {
            let n = pad
                .name()
                .strip_prefix("src_")
                .and_then(|n| n.parse::<u32>().ok());
            let target = match branches.iter().find(|(c, _)| Some(*c) == n) {
                Some((_, entry)) => Some(entry.clone()),
                None => weak.upgrade().and_then(|p| {
                    let fake = gst::ElementFactory::make("fakesink").build().ok()?;
                    fake.set_property("sync", false);
                    p.add(&fake).ok()?;
                    fake.sync_state_with_parent().ok()?;
                    fake.static_pad("sink")
                }),
            };
            if let Some(sink) = target {
                let _ = pad.link(&sink);
            }
        });
        return Ok(Built { pipeline, streams });
    }

    let target = &targets[0];
    match first.media() {
        Media::Video => {
            let (desc, encoded) = video_head(&first.kind, segment_ns);
            let (pipeline, out) = head(&desc)?;
            configure_source(&pipeline, &first.kind, &first.label)?;
            let out = out
                .static_pad("src")
                .expect("the head's last element has a src pad");
            if !encoded {
                mend_timestamps(&out);
            }
            let queue = make("queue", None)?;
            queue.set_property("max-size-time", 4_000_000_000u64);
            queue.set_property("max-size-bytes", 0u32);
            queue.set_property("max-size-buffers", 0u32);
            let mux = make("mp4mux", None)?;
            // Fragmented MP4: a crash keeps all but the last half second of the open file.
            mux.set_property("fragment-duration", 500u32);
            let sink = splitmux(target, mux)?;
            // Splits happen at keyframes. An encoder we run is asked for one at each split;
            // a camera's keyframe interval must divide the segment length, and the limit is
            // half a second past it so that jitter does not push a split a whole GOP later.
            sink.set_property("send-keyframe-requests", encoded);
            let max = if encoded {
                segment_ns
            } else {
                segment_ns + 500_000_000
            };
            sink.set_property("max-size-time", max);
            pipeline.add_many([&queue, &sink])?;
            out.link(&queue.static_pad("sink").expect("queue sink"))
                .map_err(|e| PipelineError::Gst(format!("{e:?}")))?;
            let sinkpad = sink
                .request_pad_simple("video")
                .ok_or_else(|| PipelineError::Gst("splitmuxsink refused a video pad".into()))?;
            queue
                .static_pad("src")
                .expect("queue src")
                .link(&sinkpad)
                .map_err(|e| PipelineError::Gst(format!("{e:?}")))?;
            let last_buffer = watch_pad(&queue.static_pad("src").expect("queue src"), false);
            Ok(Built {
                pipeline,
                streams: vec![StreamElements {
                    id: first.id.clone(),
                    splitmux: sink,
                    meter: None,
                    privacy: None,
                    entry: queue.static_pad("sink").expect("queue sink"),
                    last_buffer,
                }],
            })
        }
        Media::Audio => {
            let desc = audio_head(&first.kind);
            let (pipeline, out) = head(&desc)?;
            if let SourceKind::TestSpeech { path } = &first.kind {
                let raw = speech_cache(path)?;
                pipeline
                    .by_name("src")
                    .expect("named")
                    .set_property("location", raw.to_string_lossy().as_ref());
            } else {
                configure_source(&pipeline, &first.kind, &first.label)?;
            }
            let stream = audio_branch(
                &pipeline,
                &first.id,
                target,
                segment_ns,
                needs_conversion(&first.kind),
            )?;
            out.static_pad("src")
                .expect("the head's last element has a src pad")
                .link(&stream.entry)
                .map_err(|e| PipelineError::Gst(format!("{e:?}")))?;
            Ok(Built {
                pipeline,
                streams: vec![stream],
            })
        }
    }
}

/// A new pipeline holding a source's head, and the head's last element, which every head
/// description names `out`. The head's elements are the pipeline's own children (no bin, no
/// ghost pad), and whatever follows is linked to `out` directly.
fn head(desc: &str) -> Result<(gst::Pipeline, gst::Element), PipelineError> {
    let pipeline = gst::parse::launch(desc)?
        .downcast::<gst::Pipeline>()
        .map_err(|_| PipelineError::Gst(format!("not a pipeline: {desc}")))?;
    let out = pipeline
        .by_name("out")
        .expect("every head names its last element `out`");
    Ok((pipeline, out))
}

/// Sets what configuration decides on the source element named `src` (and the overlay).
fn configure_source(
    head: &gst::Pipeline,
    kind: &SourceKind,
    label: &str,
) -> Result<(), PipelineError> {
    let src = head
        .by_name("src")
        .expect("every head names its source `src`");
    match kind {
        SourceKind::RtspCamera { url, .. } | SourceKind::RtspAudio { url } => {
            src.set_property("location", url)
        }
        SourceKind::V4l2 { device } => src.set_property("device", device),
        SourceKind::File { path, .. } => {
            src.set_property("location", path.to_string_lossy().as_ref())
        }
        SourceKind::TestPattern { pattern } => {
            if !pattern.is_empty() {
                src.set_property_from_str("pattern", pattern);
            }
            if let Some(overlay) = head.by_name("label") {
                overlay.set_property("text", label);
            }
        }
        SourceKind::TestTone { freq } => src.set_property("freq", *freq),
        SourceKind::TestSpeech { .. } | SourceKind::Alsa { .. } => {}
    }
    Ok(())
}

/// Adds a microphone's branch to `pipeline`: converter where needed, meter and mute, FLAC,
/// segments. The stream's `entry` is the branch's first sink pad, for the source to link to.
///
/// Every microphone ends in FLAC, after a converter to mono 48 kHz where the
/// source needs one; the meter and the privacy mute are one probe on the encoder's input
/// ([`Meter`], [`Mute`]): it measures what the microphone hears, muted or not, and then
/// silences a muted microphone's samples.
///
/// No queue of its own: the source's streaming thread (or, for an ALSA interface, the one
/// thread that splits its channels) converts, meters and encodes, as a plain gst-launch
/// line does, and `splitmuxsink`'s own queue takes the writing to disk off that thread.
/// A queue here cost each microphone a thread and a thread switch per 20 ms buffer: 7 % of
/// a core at 10 courtrooms in the benchmark (docs/BENCHMARKS.md). For the same reason a
/// source's elements and its microphones' tails are all direct children of the pipeline,
/// not bins of their own: a bin's ghost pad is one more pad push per buffer.
fn audio_branch(
    pipeline: &gst::Pipeline,
    id: &str,
    target: &SegmentTarget,
    segment_ns: u64,
    convert: bool,
) -> Result<StreamElements, PipelineError> {
    let enc = make("flacenc", None)?;
    let mux = make("matroskamux", None)?;
    let sink = splitmux(target, mux)?;
    sink.set_property("max-size-time", segment_ns);
    let mut chain = Vec::new();
    if convert {
        // The sample format is left to negotiation among those the encoder takes: a 24-bit
        // interface stays 24-bit.
        let caps = gst::Caps::builder("audio/x-raw")
            .field("rate", AUDIO_RATE)
            .field("channels", 1i32)
            .build();
        chain.push(make("audioconvert", None)?);
        chain.push(make("audioresample", None)?);
        let filter = make("capsfilter", None)?;
        filter.set_property("caps", &caps);
        chain.push(filter);
    }
    chain.push(enc.clone());
    pipeline.add_many(&chain)?;
    pipeline.add(&sink)?;
    gst::Element::link_many(&chain)?;
    let enc_sink = enc.static_pad("sink").expect("flacenc has a sink pad");
    let mute = Mute::default();
    let meter = Meter::attach(&enc_sink, mute.clone());
    let enc_src = enc.static_pad("src").expect("flacenc has a src pad");
    let sinkpad = sink
        .request_pad_simple("audio_%u")
        .ok_or_else(|| PipelineError::Gst("splitmuxsink refused an audio pad".into()))?;
    enc_src
        .link(&sinkpad)
        .map_err(|e| PipelineError::Gst(format!("{e:?}")))?;
    // flacenc pushes its header packets as untimestamped buffers; they also travel in the
    // caps (streamheader), from which matroskamux writes them into every segment. Left in
    // the stream, splitmuxsink takes them for a GOP with no time and fails ("Queued GOP
    // time is negative"); the watch drops them.
    let last_buffer = watch_pad(&enc_src, true);
    Ok(StreamElements {
        id: id.to_string(),
        splitmux: sink,
        meter: Some(meter),
        privacy: Some(mute),
        entry: chain[0].static_pad("sink").expect("has a sink pad"),
        last_buffer,
    })
}

fn splitmux(target: &SegmentTarget, muxer: gst::Element) -> Result<gst::Element, PipelineError> {
    let sink = make("splitmuxsink", None)?;
    sink.set_property("muxer", &muxer);
    let pattern = target.dir.join(format!("%06d.{}", target.extension));
    sink.set_property("location", pattern.to_string_lossy().as_ref());
    sink.set_property(
        "start-index",
        i32::try_from(target.start_index).unwrap_or(i32::MAX),
    );
    Ok(sink)
}

/// Mends a camera's timestamps before they reach the segment writer, so that what a
/// loaded machine does to them does not stop the camera. Two things are mended:
///
/// * **A frame without a presentation time** gets one, instead of the muxer failing on it
///   ("Could not multiplex stream: Buffer has no PTS"). Seen with RTSP cameras when the
///   machine is loaded (the benchmark at 20 courtrooms: 161 restarts in 40 s); the
///   depayloader and parser let such frames through. The frame takes its decoding time,
///   which is its presentation time in streams without B-frames and the nearest earlier
///   time otherwise; with neither, the previous frame's. Frames before the first timed one
///   are dropped: a segment starts at a keyframe anyway.
/// * **Time that steps back.** Under load the RTP jitter buffer re-bases a camera's clock,
///   and its timestamps can step back by more than a GOP. `splitmuxsink` then stops the
///   whole camera ("Queued GOP time is negative": a GOP must not start before the GOP
///   written before it), and each restart loses seconds of video (benchmark runs F and G
///   in docs/BENCHMARKS.md). So a GOP never starts before everything already passed: at
///   each keyframe the stream is moved forward, PTS and DTS alike, by just what that
///   takes, and a frame of the GOP that would still fall earlier (an open GOP's leading
///   B-frames) is held at the GOP's start. The shift is worked out afresh at each
///   keyframe, so it shrinks by about a frame per GOP and is gone once the camera's own
///   time is past the shifted one again: no frame is lost, and the camera's time comes
///   back to its own within seconds.
fn mend_timestamps(pad: &gst::Pad) {
    // The probe runs on the one streaming thread; a mutex only because probes are `Fn`.
    let state = std::sync::Mutex::new(Mend::default());
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() else {
            return gst::PadProbeReturn::Ok;
        };
        let mut m = state.lock().unwrap_or_else(|p| p.into_inner());
        let key = !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT);
        let pts = buffer.pts().map(|t| t.nseconds());
        let dts = buffer.dts().map(|t| t.nseconds());
        let Some((out_pts, out_dts)) = m.mend(pts, dts, key) else {
            return gst::PadProbeReturn::Drop;
        };
        // Nearly every frame passes as it came: only a mended one is written to.
        if (Some(out_pts), out_dts) != (pts, dts) {
            let b = buffer.make_mut();
            b.set_pts(gst::ClockTime::from_nseconds(out_pts));
            b.set_dts(out_dts.map(gst::ClockTime::from_nseconds));
        }
        gst::PadProbeReturn::Ok
    });
}

/// What [`mend_timestamps`] keeps between frames, in nanoseconds.
#[derive(Default)]
struct Mend {
    /// The camera's own presentation time of the last frame that had one.
    last_raw: Option<u64>,
    /// The latest presentation time passed on.
    latest: Option<u64>,
    /// Where the current GOP may start at the earliest, and how far it is moved forward.
    floor: u64,
    shift: u64,
}

impl Mend {
    /// The smallest step between one GOP's last frame and the next GOP's first.
    const STEP: u64 = 1_000_000;

    /// The presentation and decoding times to pass on for a frame, or `None` to drop it.
    fn mend(
        &mut self,
        pts: Option<u64>,
        dts: Option<u64>,
        key: bool,
    ) -> Option<(u64, Option<u64>)> {
        let raw = pts.or(dts).or(self.last_raw)?;
        self.last_raw = Some(raw);
        if key {
            self.floor = self.latest.map_or(0, |t| t + Self::STEP);
            self.shift = self.floor.saturating_sub(raw);
        }
        let out = (raw + self.shift).max(self.floor);
        self.latest = Some(self.latest.map_or(out, |t| t.max(out)));
        Some((out, dts.map(|d| (d + self.shift).min(out))))
    }
}

/// Records the clock time of every buffer that passes `pad`; with `drop_untimed`, drops
/// the buffers that have no presentation time instead.
fn watch_pad(pad: &gst::Pad, drop_untimed: bool) -> Arc<AtomicU64> {
    let last = Arc::new(AtomicU64::new(0));
    let l = last.clone();
    let clock = gst::SystemClock::obtain();
    pad.add_probe(
        gst::PadProbeType::BUFFER | gst::PadProbeType::BUFFER_LIST,
        move |_, info| {
            if drop_untimed && matches!(info.buffer(), Some(b) if b.pts().is_none()) {
                return gst::PadProbeReturn::Drop;
            }
            l.store(clock.time().nseconds(), Ordering::Relaxed);
            gst::PadProbeReturn::Ok
        },
    );
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use gstreamer_app as gst_app;

    fn launch(description: &str) -> gst::Pipeline {
        gst::parse::launch(description)
            .expect("valid description")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline")
    }

    /// The element `name` of `pipeline`, as the type it is.
    fn element<T: IsA<gst::Element>>(pipeline: &gst::Pipeline, name: &str) -> T {
        pipeline
            .by_name(name)
            .and_then(|e| e.downcast::<T>().ok())
            .unwrap_or_else(|| panic!("no {name} of that type"))
    }

    /// What a camera's frames look like after the mend: a missing presentation time is
    /// the decoding time, else the previous frame's; untimed frames before any timed one
    /// are dropped. Frames with one are untouched. (One keyframe, then delta frames.)
    #[test]
    fn frames_without_a_presentation_time_get_one() {
        gst::init().expect("GStreamer initialises");
        let pipeline = launch(
            "appsrc name=in format=time caps=video/x-h264,stream-format=byte-stream,alignment=au \
             ! appsink name=out sync=false",
        );
        let src: gst_app::AppSrc = element(&pipeline, "in");
        let sink: gst_app::AppSink = element(&pipeline, "out");
        mend_timestamps(&src.static_pad("src").expect("src pad"));
        pipeline.set_state(gst::State::Playing).expect("plays");
        let ms = gst::ClockTime::from_mseconds;
        // (pts, dts) in; the frames are told apart by their first byte.
        let frames: [(Option<u64>, Option<u64>); 5] = [
            (None, None),          // before any time: dropped
            (Some(0), Some(0)),    // timed: kept as is
            (None, Some(40)),      // decoding time only: takes it
            (None, None),          // nothing: takes the previous frame's
            (Some(120), Some(80)), // timed, B-frame style: untouched
        ];
        for (i, (pts, dts)) in frames.iter().enumerate() {
            let mut b = gst::Buffer::from_slice(vec![i as u8; 8]);
            let m = b.get_mut().expect("fresh buffer");
            m.set_pts(pts.map(ms));
            m.set_dts(dts.map(ms));
            if i > 1 {
                m.set_flags(gst::BufferFlags::DELTA_UNIT);
            }
            src.push_buffer(b).expect("pushed");
        }
        src.end_of_stream().expect("ended");
        let mut got = Vec::new();
        while let Ok(sample) = sink.pull_sample() {
            let b = sample.buffer().expect("a buffer");
            let first = b.map_readable().expect("readable")[0];
            got.push((first, b.pts().map(|t| t.mseconds())));
        }
        pipeline.set_state(gst::State::Null).expect("stops");
        assert_eq!(
            got,
            vec![(1, Some(0)), (2, Some(40)), (3, Some(40)), (4, Some(120))]
        );
    }

    const FRAME: u64 = 40_000_000;

    /// Whole GOPs of 25 frames at 25 fps, no B-frames, from the camera's clock `t0`:
    /// (pts, dts, keyframe).
    fn gop(t0: u64) -> Vec<(u64, u64, bool)> {
        (0..25)
            .map(|i| (t0 + i * FRAME, t0 + i * FRAME, i == 0))
            .collect()
    }

    /// A camera whose clock steps back 1.5 s at its third GOP: every GOP still starts
    /// after everything before it, frames keep their spacing inside a GOP, and the shift
    /// wears off (about a frame per GOP) until the camera's own times come through.
    #[test]
    fn a_clock_that_steps_back_is_moved_forward_until_it_catches_up() {
        let mut m = Mend::default();
        let mut raw_start = 0u64;
        let mut latest = 0u64;
        let mut shifts = Vec::new();
        for g in 0..60u64 {
            if g == 2 {
                raw_start -= 1_500_000_000;
            }
            let frames = gop(raw_start);
            let mut first = None;
            for (k, &(pts, dts, key)) in frames.iter().enumerate() {
                let (out, out_dts) = m.mend(Some(pts), Some(dts), key).expect("timed");
                assert_eq!(out_dts, Some(out), "no B-frames: DTS follows PTS");
                match first {
                    None => {
                        assert!(
                            g == 0 || out > latest,
                            "GOP {g} starts at {out}, before {latest}"
                        );
                        first = Some(out);
                    }
                    Some(f) => assert_eq!(out, f + k as u64 * FRAME, "spacing kept in GOP {g}"),
                }
                latest = latest.max(out);
            }
            shifts.push(first.expect("a frame") - raw_start);
            raw_start += 25 * FRAME;
        }
        assert_eq!(&shifts[..2], &[0, 0], "nothing moved before the step");
        // Moved to just after the last frame before the step (1 ms later, not a frame).
        assert_eq!(shifts[2], 1_500_000_000 - FRAME + Mend::STEP);
        assert!(
            shifts.windows(2).skip(2).all(|w| w[1] <= w[0]),
            "the shift only shrinks: {shifts:?}"
        );
        assert_eq!(shifts[59], 0, "the camera's own time is back: {shifts:?}");
    }

    /// An open GOP's leading B-frames (shown before their keyframe) that would fall before
    /// the previous GOP are held at the GOP's start, with DTS never after PTS.
    #[test]
    fn leading_frames_are_held_at_the_gop_start() {
        let mut m = Mend::default();
        assert_eq!(
            m.mend(Some(1_000), Some(1_000), true),
            Some((1_000, Some(1_000)))
        );
        // The clock steps back; the keyframe comes first, then a frame shown before it.
        let (k, _) = m.mend(Some(500), Some(400), true).expect("timed");
        assert_eq!(k, 1_000 + Mend::STEP);
        let (b, b_dts) = m.mend(Some(450), Some(420), false).expect("timed");
        assert_eq!(b, k, "held at the GOP's start");
        assert!(b_dts.expect("dts") <= b);
    }

    /// Real H.264 frames (B-frames included), as a camera would send them.
    fn camera_frames(n: u32) -> (gst::Caps, Vec<gst::Buffer>) {
        let pipeline = launch(&format!(
            "videotestsrc num-buffers={n} ! video/x-raw,width=160,height=120,framerate=25/1 \
             ! x264enc key-int-max=10 bframes=2 speed-preset=ultrafast \
             ! h264parse ! video/x-h264,stream-format=avc,alignment=au \
             ! appsink name=out sync=false"
        ));
        let sink: gst_app::AppSink = element(&pipeline, "out");
        pipeline.set_state(gst::State::Playing).expect("plays");
        let mut frames = Vec::new();
        let mut caps = None;
        while let Ok(s) = sink.pull_sample() {
            caps = s.caps_owned();
            frames.push(s.buffer_owned().expect("a buffer"));
        }
        pipeline.set_state(gst::State::Null).expect("stops");
        (caps.expect("caps"), frames)
    }

    /// Records `frames` as a camera is recorded (queue, fragmented MP4 segments of 0.4 s
    /// GOPs), every timestamp from the fifth keyframe on moved back by `back_ms`, paced
    /// so that the writer keeps up as it does live. Returns the bus error, if any, and
    /// the segment files' sizes.
    fn record(
        caps: &gst::Caps,
        frames: &[gst::Buffer],
        back_ms: u64,
        mend: bool,
    ) -> (Option<String>, Vec<u64>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let pipeline = gst::Pipeline::new();
        let src = gst_app::AppSrc::builder()
            .format(gst::Format::Time)
            .caps(caps)
            .build();
        let queue = make("queue", None).expect("queue");
        let mux = make("mp4mux", None).expect("mp4mux");
        mux.set_property("fragment-duration", 500u32);
        let target = SegmentTarget {
            dir: dir.path().to_path_buf(),
            extension: "mp4",
            start_index: 0,
        };
        let sink = splitmux(&target, mux).expect("splitmuxsink");
        sink.set_property("max-size-time", 900_000_000u64);
        sink.set_property("send-keyframe-requests", false);
        pipeline
            .add_many([src.upcast_ref::<gst::Element>(), &queue, &sink])
            .expect("added");
        src.link(&queue).expect("linked");
        let pad = sink.request_pad_simple("video").expect("video pad");
        queue
            .static_pad("src")
            .expect("src")
            .link(&pad)
            .expect("linked");
        if mend {
            mend_timestamps(&src.static_pad("src").expect("src pad"));
        }
        pipeline.set_state(gst::State::Playing).expect("plays");
        let shift = gst::ClockTime::from_mseconds(back_ms);
        let mut keyframes = 0;
        for f in frames {
            let mut b = f.copy();
            if !b.flags().contains(gst::BufferFlags::DELTA_UNIT) {
                keyframes += 1;
            }
            if keyframes >= 5 {
                let m = b.get_mut().expect("own copy");
                m.set_pts(f.pts().map(|t| t.saturating_sub(shift)));
                m.set_dts(f.dts().map(|t| t.saturating_sub(shift)));
            }
            if src.push_buffer(b).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = src.end_of_stream();
        let bus = pipeline.bus().expect("bus");
        let mut error = None;
        while let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(10)) {
            match msg.view() {
                gst::MessageView::Eos(_) => break,
                gst::MessageView::Error(e) => {
                    error = Some(format!("{:?}", e.debug()));
                    break;
                }
                _ => {}
            }
        }
        pipeline.set_state(gst::State::Null).expect("stops");
        let mut sizes: Vec<u64> = std::fs::read_dir(dir.path())
            .expect("segments")
            .map(|e| e.expect("entry").metadata().expect("size").len())
            .collect();
        sizes.sort();
        (error, sizes)
    }

    /// The failure of benchmark runs F and G, made on purpose: a camera's time steps back
    /// by more than a GOP. Unmended, `splitmuxsink` stops the camera; mended, every frame
    /// is written, in as many segments as without the step.
    #[test]
    fn a_camera_whose_time_steps_back_keeps_recording() {
        gst::init().expect("GStreamer initialises");
        let (caps, frames) = camera_frames(90);
        // Three GOPs back: the writer has passed the point stepped back to, however slow.
        let (error, _) = record(&caps, &frames, 1200, false);
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("Queued GOP time is negative")),
            "the step back stops an unmended camera: {error:?}"
        );
        let (error, sizes) = record(&caps, &frames, 1200, true);
        assert_eq!(error, None);
        let (_, steady) = record(&caps, &frames, 0, true);
        assert_eq!(sizes.len(), steady.len(), "{sizes:?} against {steady:?}");
        assert!(
            sizes.iter().all(|&s| s > 1000),
            "every segment has frames: {sizes:?}"
        );
    }

    /// A muted microphone's segments hold digital silence, while its meter still shows
    /// the tone it hears; unmuted, the tone is recorded. Through `build`, as the
    /// recorder builds a microphone, and back out of the FLAC segments.
    #[test]
    fn a_muted_microphone_records_silence_and_still_meters() {
        gst::init().expect("GStreamer initialises");
        for muted in [false, true] {
            let dir = tempfile::tempdir().expect("temp dir");
            let source = SourceConfig {
                id: "mic1".into(),
                label: String::new(),
                role: None,
                position: None,
                kind: SourceKind::TestTone { freq: 440.0 },
            };
            let target = SegmentTarget {
                dir: dir.path().to_path_buf(),
                extension: "mka",
                start_index: 0,
            };
            let built = build(&[&source], &[target], 500_000_000, &|p| Ok(p.to_path_buf()))
                .expect("a microphone pipeline");
            let stream = &built.streams[0];
            stream.privacy.as_ref().expect("a mute").set(muted);
            built
                .pipeline
                .set_state(gst::State::Playing)
                .expect("plays");
            std::thread::sleep(std::time::Duration::from_millis(1300));
            stream.entry.send_event(gst::event::Eos::new());
            let bus = built.pipeline.bus().expect("bus");
            let eos = bus.timed_pop_filtered(
                gst::ClockTime::from_seconds(10),
                &[gst::MessageType::Eos, gst::MessageType::Error],
            );
            assert!(
                matches!(
                    eos.as_ref().map(|m| m.view()),
                    Some(gst::MessageView::Eos(_))
                ),
                "{eos:?}"
            );
            built.pipeline.set_state(gst::State::Null).expect("stops");
            // The tone is 0.2 of full scale: -14 dBFS at its peaks.
            let heard = stream
                .meter
                .as_ref()
                .expect("a meter")
                .latest()
                .expect("a reading");
            assert!(
                (heard.peak_db + 14.0).abs() < 0.5,
                "muted={muted}: {heard:?}"
            );

            let mut files: Vec<_> = std::fs::read_dir(dir.path())
                .expect("segments")
                .map(|e| e.expect("entry").path())
                .collect();
            files.sort();
            assert!(files.len() >= 2, "{files:?}");
            let (mut samples, mut peak) = (0usize, 0i32);
            for f in files {
                let decode = launch(
                    "filesrc name=in ! matroskademux ! flacparse ! flacdec \
                     ! audio/x-raw,format=S16LE ! appsink name=out sync=false",
                );
                element::<gst::Element>(&decode, "in")
                    .set_property("location", f.to_string_lossy().as_ref());
                let sink: gst_app::AppSink = element(&decode, "out");
                decode.set_state(gst::State::Playing).expect("plays");
                while let Ok(s) = sink.pull_sample() {
                    let map = s
                        .buffer()
                        .expect("a buffer")
                        .map_readable()
                        .expect("mapped");
                    for b in map.chunks_exact(2) {
                        peak = peak.max(i32::from(i16::from_le_bytes([b[0], b[1]])).abs());
                        samples += 1;
                    }
                }
                decode.set_state(gst::State::Null).expect("stops");
            }
            assert!(samples > 48_000, "muted={muted}: {samples} samples");
            if muted {
                assert_eq!(peak, 0, "nothing of a muted microphone is recorded");
            } else {
                assert!(peak > 6_000, "the tone is recorded: peak {peak}");
            }
        }
    }
}
