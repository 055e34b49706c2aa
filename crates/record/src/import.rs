//! Outside recordings (a court's own camcorder, a phone, a DVD rip) cut into segments like
//! the recorder's: H.264 in fragmented MP4 for video, FLAC in Matroska for audio, 2 s each.
//!
//! Whatever GStreamer can decode is accepted (MP4, MOV, AVI, MKV, MPEG-TS, WAV, MP3...).
//! The file is probed first (what streams, how long); then video and audio are each decoded
//! and encoded as the recorder's are, as fast as the machine allows. Video is re-encoded
//! rather than remuxed so that every segment starts on a keyframe at a 2 s boundary and
//! plays like a native one, whatever the source's codec; the source's own hash is what the
//! log records as provenance. Errors name the file and the problem; the caller writes into
//! a scratch directory and moves nothing unless everything succeeded.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gstreamer as gst;
use gstreamer::prelude::*;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {problem}")]
    File { file: String, problem: String },
}

/// What a source file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    /// Caps names of its decoded streams ("video/x-raw", "audio/x-raw") and their source
    /// formats, e.g. "video: video/x-h264; audio: audio/mpeg".
    pub has_video: bool,
    pub has_audio: bool,
    pub format: String,
    pub duration_ns: Option<u64>,
}

/// One segment written: its file and its media span (ns from the start of the source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub path: PathBuf,
    pub start_ns: u64,
    pub end_ns: u64,
}

/// The segments of one source, per kind.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    pub probe: Probe,
    pub video: Vec<Segment>,
    pub audio: Vec<Segment>,
}

fn err(file: &Path, problem: impl Into<String>) -> ImportError {
    ImportError::File {
        file: file.display().to_string(),
        problem: problem.into(),
    }
}

fn message_text(m: &gst::message::Error) -> String {
    match m.debug() {
        Some(d) if !d.is_empty() => format!("{} ({})", m.error(), d.lines().next().unwrap_or("")),
        _ => m.error().to_string(),
    }
}

/// Probes `file`: which streams it has and how long it is. A file GStreamer cannot read
/// (garbage, an unsupported format, a truncated container) is an error naming the problem.
pub fn probe(file: &Path) -> Result<Probe, ImportError> {
    crate::init().map_err(|e| err(file, e.to_string()))?;
    if !file.is_file() {
        return Err(err(file, "no such file"));
    }
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("filesrc")
        .property("location", file.to_string_lossy().as_ref())
        .build()
        .map_err(|e| err(file, e.to_string()))?;
    // A queue between them makes decodebin read in push mode. In pull mode a demuxer that
    // fails at once (an MP4 cut before its index) can post its error while decodebin is
    // still setting it to PAUSED, when decodebin drops the errors of the element it is
    // plugging; nothing then reached the bus, and the probe waited out its timeout (seen
    // under load, about one import in 20). In push mode the demuxer only gets data after
    // decodebin has finished plugging it, from the same thread.
    let queue = gst::ElementFactory::make("queue")
        .build()
        .map_err(|e| err(file, e.to_string()))?;
    let decode = gst::ElementFactory::make("decodebin")
        .build()
        .map_err(|e| err(file, e.to_string()))?;
    pipeline
        .add_many([&src, &queue, &decode])
        .map_err(|e| err(file, e.to_string()))?;
    gst::Element::link_many([&src, &queue, &decode]).map_err(|e| err(file, e.to_string()))?;
    let found: Arc<Mutex<Vec<String>>> = Arc::default();
    let f = found.clone();
    let p = pipeline.downgrade();
    decode.connect_pad_added(move |_, pad| {
        let caps = pad.current_caps().or_else(|| Some(pad.query_caps(None)));
        let name = caps
            .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
            .unwrap_or_default();
        f.lock().unwrap_or_else(|e| e.into_inner()).push(name);
        let Some(p) = p.upgrade() else { return };
        if let Ok(sink) = gst::ElementFactory::make("fakesink").build() {
            let _ = p.add(&sink);
            let _ = sink.sync_state_with_parent();
            if let Some(sp) = sink.static_pad("sink") {
                let _ = pad.link(&sp);
            }
        }
    });
    // Source formats, as the demuxer announces them, for the provenance record.
    let formats: Arc<Mutex<Vec<String>>> = Arc::default();
    let fm = formats.clone();
    decode.connect("element-added", false, move |args| {
        if let Some(el) = args.get(1).and_then(|v| v.get::<gst::Element>().ok()) {
            let fm = fm.clone();
            el.connect_pad_added(move |_, pad| {
                if let Some(s) = pad
                    .current_caps()
                    .and_then(|c| c.structure(0).map(|s| s.name().to_string()))
                {
                    let mut v = fm.lock().unwrap_or_else(|e| e.into_inner());
                    if !v.contains(&s) && (s.starts_with("video/") || s.starts_with("audio/")) {
                        v.push(s);
                    }
                }
            });
        }
        None
    });
    let result = (|| {
        pipeline
            .set_state(gst::State::Paused)
            .map_err(|_| err(file, "could not start reading it"))?;
        let bus = pipeline.bus().expect("a pipeline has a bus");
        loop {
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(30)) else {
                return Err(err(file, "reading it timed out"));
            };
            match msg.view() {
                gst::MessageView::Error(e) => {
                    return Err(err(
                        file,
                        format!("not media GStreamer can decode: {}", message_text(e)),
                    ))
                }
                gst::MessageView::AsyncDone(_) => break,
                _ => {}
            }
        }
        let duration_ns = pipeline
            .query_duration::<gst::ClockTime>()
            .map(|d| d.nseconds());
        let names = found.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let has_video = names.iter().any(|n| n.starts_with("video/"));
        let has_audio = names.iter().any(|n| n.starts_with("audio/"));
        if !has_video && !has_audio {
            return Err(err(file, "it has neither video nor audio"));
        }
        let format = formats.lock().unwrap_or_else(|e| e.into_inner()).join(", ");
        Ok(Probe {
            has_video,
            has_audio,
            format: if format.is_empty() {
                names.join(", ")
            } else {
                format
            },
            duration_ns,
        })
    })();
    let _ = pipeline.set_state(gst::State::Null);
    result
}

/// Runs one branch (video or audio) of `file` into `dir` as `%06d.<ext>` segments.
fn run_branch(
    file: &Path,
    dir: &Path,
    video: bool,
    segment_ns: u64,
    timeout_s: u64,
) -> Result<Vec<Segment>, ImportError> {
    std::fs::create_dir_all(dir).map_err(|e| err(file, format!("{}: {e}", dir.display())))?;
    let desc = if video {
        let gop = (segment_ns / 40_000_000).max(1); // 25 frames per second
        format!(
            "filesrc name=src ! decodebin ! queue ! videoconvert ! videoscale ! videorate \
             ! video/x-raw,framerate=25/1 \
             ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=1500 key-int-max={gop} \
             ! video/x-h264,profile=baseline ! h264parse config-interval=-1 ! sink.video \
             splitmuxsink name=sink muxer-factory=mp4mux send-keyframe-requests=true"
        )
    } else {
        "filesrc name=src ! decodebin ! queue ! audioconvert ! audioresample \
         ! audio/x-raw,rate=48000,channels=1 ! flacenc name=enc ! sink.audio_0 \
         splitmuxsink name=sink muxer-factory=matroskamux"
            .to_string()
    };
    let pipeline = gst::parse::launch(&desc)
        .map_err(|e| err(file, e.to_string()))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| err(file, "not a pipeline"))?;
    let by = |n: &str| pipeline.by_name(n).expect("named in the description");
    by("src").set_property("location", file.to_string_lossy().as_ref());
    let sink = by("sink");
    let ext = if video { "mp4" } else { "mka" };
    sink.set_property(
        "location",
        dir.join(format!("%06d.{ext}")).to_string_lossy().as_ref(),
    );
    sink.set_property("max-size-time", segment_ns);
    if !video {
        // FLAC headers are untimestamped buffers (they also travel in the caps); splitmuxsink
        // would take them for a GOP with no time (as in the recorder).
        if let Some(pad) = by("enc").static_pad("src") {
            pad.add_probe(gst::PadProbeType::BUFFER, |_, info| match info.buffer() {
                Some(b) if b.pts().is_none() => gst::PadProbeReturn::Drop,
                _ => gst::PadProbeReturn::Ok,
            });
        }
    }
    let mut closed: Vec<(String, u64)> = Vec::new();
    let result = (|| {
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|_| err(file, "could not start decoding it"))?;
        let bus = pipeline.bus().expect("a pipeline has a bus");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout_s);
        loop {
            if std::time::Instant::now() > deadline {
                return Err(err(
                    file,
                    format!("decoding took longer than {timeout_s} s"),
                ));
            }
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(200)) else {
                continue;
            };
            match msg.view() {
                gst::MessageView::Error(e) => {
                    return Err(err(file, format!("decoding failed: {}", message_text(e))))
                }
                gst::MessageView::Eos(_) => return Ok(()),
                gst::MessageView::Element(e) => {
                    if let Some(st) = e.structure() {
                        if st.name().as_str() == "splitmuxsink-fragment-closed" {
                            let loc = st.get::<String>("location").unwrap_or_default();
                            let rt = st
                                .get::<gst::ClockTime>("running-time")
                                .map(|t| t.nseconds())
                                .unwrap_or(0);
                            closed.push((loc, rt));
                        }
                    }
                }
                _ => {}
            }
        }
    })();
    let _ = pipeline.set_state(gst::State::Null);
    result?;
    let mut start = 0u64;
    let mut out = Vec::new();
    for (loc, end) in closed {
        let end = end.max(start);
        out.push(Segment {
            path: PathBuf::from(loc),
            start_ns: start,
            end_ns: end,
        });
        start = end;
    }
    if out.is_empty() {
        return Err(err(file, "no media came out of it"));
    }
    Ok(out)
}

/// Probes `file` and cuts its video and audio into segments under `scratch/video` and
/// `scratch/audio`. A file that decodes to noticeably less than its stated duration is
/// refused as truncated.
pub fn segment_file(file: &Path, scratch: &Path, segment_ns: u64) -> Result<Imported, ImportError> {
    let probe = probe(file)?;
    // Generous: ultrafast x264 runs several times faster than real time at camcorder sizes.
    let timeout_s = 120 + probe.duration_ns.unwrap_or(0) / 1_000_000_000 * 4;
    let mut imported = Imported {
        probe: probe.clone(),
        ..Default::default()
    };
    if probe.has_video {
        imported.video = run_branch(file, &scratch.join("video"), true, segment_ns, timeout_s)?;
    }
    if probe.has_audio {
        imported.audio = run_branch(file, &scratch.join("audio"), false, segment_ns, timeout_s)?;
    }
    if let Some(d) = probe.duration_ns {
        for (kind, segs) in [("video", &imported.video), ("audio", &imported.audio)] {
            let got = segs.last().map_or(0, |s| s.end_ns);
            if !segs.is_empty() && got + 1_500_000_000 < d {
                return Err(err(
                    file,
                    format!(
                        "truncated or damaged: its {kind} decodes to {:.1} s of the {:.1} s it states",
                        got as f64 / 1e9,
                        d as f64 / 1e9
                    ),
                ));
            }
        }
    }
    Ok(imported)
}
