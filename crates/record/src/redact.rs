//! Redacted copies of sealed segments, for public copies of a hearing: audio muted and video
//! blanked inside declared spans, everything else of the segment kept.
//!
//! A segment is decoded, the samples or frames inside the spans are replaced (digital
//! silence; black frames) and it is encoded again in the recorder's formats: FLAC in
//! Matroska for audio (lossless, so every sample outside the spans is bit-exact), baseline
//! H.264 in fragmented MP4 for video (frames outside the spans are decoded and encoded once
//! more, at the original's bit rate). The original segment file is only read.

use std::path::Path;
use std::sync::{Arc, Mutex};

use gstreamer as gst;
use gstreamer::prelude::*;

#[derive(Debug, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct RedactError {
    pub file: String,
    pub problem: String,
}

fn err(file: &Path, problem: impl Into<String>) -> RedactError {
    RedactError {
        file: file.display().to_string(),
        problem: problem.into(),
    }
}

/// What to do inside the spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Audio: digital silence.
    Mute,
    /// Video: black frames.
    Blank,
}

/// Writes `dst`, a copy of the segment `src` with `spans` (ns from the segment's first
/// sample or frame, half-open) muted or blanked. `segment_ns` is the segment's length, for
/// the video bit rate. `dst` must not exist; on error it may be left partly written (callers
/// write into a scratch directory).
pub fn redact_segment(
    src: &Path,
    dst: &Path,
    action: Action,
    spans: &[(u64, u64)],
    segment_ns: u64,
    timeout_s: u64,
) -> Result<(), RedactError> {
    crate::init().map_err(|e| err(src, e.to_string()))?;
    let ext = src.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mux = match ext {
        "mp4" => "mp4mux fragment-duration=500",
        "mka" | "mkv" => "matroskamux",
        _ => {
            let problem = format!("a segment of type {ext:?}: only mp4 and mka are redacted");
            return Err(err(src, problem));
        }
    };
    let desc = match action {
        Action::Blank => {
            let bytes = std::fs::metadata(src)
                .map_err(|e| err(src, e.to_string()))?
                .len();
            let seconds = (segment_ns as f64 / 1e9).max(0.5);
            let kbps = ((bytes as f64 * 8.0 / seconds / 1000.0) * 1.2).clamp(300.0, 20_000.0);
            format!(
                "filesrc name=src ! decodebin ! videoconvert ! video/x-raw,format=I420 \
                 ! identity name=cut drop-allocation=true ! x264enc tune=zerolatency speed-preset=ultrafast \
                 bitrate={} key-int-max=250 ! video/x-h264,profile=baseline ! h264parse \
                 ! {mux} ! filesink name=dst",
                kbps as u32
            )
        }
        Action::Mute => format!(
            "filesrc name=src ! decodebin ! audioconvert ! identity name=cut ! flacenc \
             ! {mux} ! filesink name=dst"
        ),
    };
    let pipeline = gst::parse::launch(&desc)
        .map_err(|e| err(src, e.to_string()))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| err(src, "not a pipeline"))?;
    let by = |n: &str| pipeline.by_name(n).expect("named in the description");
    by("src").set_property("location", src.to_string_lossy().as_ref());
    by("dst").set_property("location", dst.to_string_lossy().as_ref());
    let spans: Vec<(u64, u64)> = spans.iter().copied().filter(|(a, b)| b > a).collect();
    let problem: Arc<Mutex<Option<String>>> = Arc::default();
    let first_pts: Arc<Mutex<Option<u64>>> = Arc::default();
    let pad = by("cut")
        .static_pad("sink")
        .expect("identity has a sink pad");
    {
        let problem = problem.clone();
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(gst::PadProbeData::Buffer(buffer)) = info.data.as_mut() else {
                return gst::PadProbeReturn::Ok;
            };
            let Some(pts) = buffer.pts().map(|t| t.nseconds()) else {
                return gst::PadProbeReturn::Ok;
            };
            let first = *first_pts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(pts);
            let rel = pts.saturating_sub(first);
            let caps = pad.current_caps();
            let Some(st) = caps.as_ref().and_then(|c| c.structure(0)) else {
                return gst::PadProbeReturn::Ok;
            };
            let result = match action {
                Action::Mute => mute(buffer, st, rel, &spans),
                Action::Blank => blank(buffer, st, rel, &spans),
            };
            if let Err(e) = result {
                *problem.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                return gst::PadProbeReturn::Drop;
            }
            gst::PadProbeReturn::Ok
        });
    }
    let result = (|| {
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|_| err(src, "could not start decoding it"))?;
        let bus = pipeline.bus().expect("a pipeline has a bus");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout_s);
        loop {
            if std::time::Instant::now() > deadline {
                return Err(err(
                    src,
                    format!("redacting took longer than {timeout_s} s"),
                ));
            }
            let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(200)) else {
                continue;
            };
            match msg.view() {
                gst::MessageView::Error(e) => {
                    return Err(err(src, format!("re-encoding failed: {}", e.error())))
                }
                gst::MessageView::Eos(_) => return Ok(()),
                _ => {}
            }
        }
    })();
    let _ = pipeline.set_state(gst::State::Null);
    result?;
    if let Some(p) = problem.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(err(src, p));
    }
    match std::fs::metadata(dst) {
        Ok(m) if m.len() > 0 => Ok(()),
        _ => Err(err(src, "re-encoding wrote nothing")),
    }
}

fn caps_int(st: &gst::StructureRef, field: &str) -> Result<usize, String> {
    st.get::<i32>(field)
        .ok()
        .filter(|v| *v > 0)
        .map(|v| v as usize)
        .ok_or_else(|| format!("decoded caps without {field}"))
}

/// Zeroes the samples of `buffer` (starting `rel` ns into the segment) that fall inside a
/// span. Zero bytes are silence in every signed integer and float format.
fn mute(
    buffer: &mut gst::Buffer,
    st: &gst::StructureRef,
    rel: u64,
    spans: &[(u64, u64)],
) -> Result<(), String> {
    let format = st.get::<&str>("format").map_err(|_| "no sample format")?;
    let width = match format {
        "S8" => 1,
        "S16LE" | "S16BE" => 2,
        "S24LE" | "S24BE" => 3,
        "S24_32LE" | "S24_32BE" | "S32LE" | "S32BE" | "F32LE" | "F32BE" => 4,
        "F64LE" | "F64BE" => 8,
        other => return Err(format!("cannot mute samples in format {other}")),
    };
    if st.get::<&str>("layout").unwrap_or("interleaved") != "interleaved" {
        return Err("cannot mute non-interleaved audio".into());
    }
    let rate = caps_int(st, "rate")? as u64;
    let frame = width * caps_int(st, "channels")?;
    let buf = buffer.make_mut();
    let mut map = buf.map_writable().map_err(|_| "an unwritable buffer")?;
    let frames = (map.len() / frame) as u64;
    // Sample k plays at rel + k/rate; zero those with a time inside [a, b).
    let at = |ns: u64| -> u64 {
        if ns <= rel {
            0
        } else {
            ((ns - rel) as u128 * rate as u128).div_ceil(1_000_000_000) as u64
        }
        .min(frames)
    };
    for &(a, b) in spans {
        let (from, to) = (at(a), at(b));
        if to > from {
            map[from as usize * frame..to as usize * frame].fill(0);
        }
    }
    Ok(())
}

/// Makes the frame black if any part of its display time falls inside a span.
fn blank(
    buffer: &mut gst::Buffer,
    st: &gst::StructureRef,
    rel: u64,
    spans: &[(u64, u64)],
) -> Result<(), String> {
    let duration = buffer
        .duration()
        .map(|d| d.nseconds())
        .filter(|d| *d > 0)
        .unwrap_or(40_000_000);
    if !spans.iter().any(|&(a, b)| rel < b && rel + duration > a) {
        return Ok(());
    }
    if st.get::<&str>("format").ok() != Some("I420") {
        return Err("frames to blank are not I420".into());
    }
    let (w, h) = (caps_int(st, "width")?, caps_int(st, "height")?);
    // GStreamer's default I420 layout: rows padded to 4 bytes, chroma at half size.
    let round4 = |v: usize| v.div_ceil(4) * 4;
    let (w2, h2) = (w.div_ceil(2), h.div_ceil(2));
    let luma = round4(w) * h2 * 2;
    let chroma = round4(w2) * h2;
    let buf = buffer.make_mut();
    let mut map = buf.map_writable().map_err(|_| "an unwritable buffer")?;
    if map.len() != luma + 2 * chroma {
        return Err(format!(
            "a {w}x{h} I420 frame of {} bytes, expected {}",
            map.len(),
            luma + 2 * chroma
        ));
    }
    map[..luma].fill(16);
    map[luma..].fill(128);
    Ok(())
}

/// One span a redaction asks for: a stream, media time from the hearing's start, a reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanRequest {
    pub stream: String,
    pub from_ns: u64,
    pub to_ns: u64,
    pub reason: String,
}

/// A redaction to make.
#[derive(Clone, Debug, Default)]
pub struct RedactRequest {
    pub court: String,
    pub hearing: String,
    pub by: String,
    pub role: String,
    pub at_unix_ms: u64,
    pub spans: Vec<SpanRequest>,
}

/// The redaction made: its id, and the segments replaced per stream.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Redacted {
    pub redaction: String,
    pub segments: usize,
    pub streams: Vec<(String, Vec<u64>)>,
    pub entries: usize,
}

/// A sealed segment of the hearing: seq, start, end (None: recovered), path, SHA-256.
struct Seg {
    seq: u64,
    start: u64,
    end: Option<u64>,
    path: String,
    sha256: String,
}

fn set_readonly(path: &Path, readonly: bool) {
    if let Ok(meta) = std::fs::metadata(path) {
        let mut p = meta.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(readonly);
        let _ = std::fs::set_permissions(path, p);
    }
}

/// Makes a redaction of a hearing in the court's data directory `data`, whose log holds
/// `log` (every entry, decoded). Each segment a span touches is re-encoded with the spans
/// muted (microphones) or blanked (cameras) in a scratch directory under `work/`; only when
/// all succeeded are they moved to `hearings/<hearing>/redactions/<id>/` and `append`ed to
/// the log, in one batch: a `redaction` entry with the spans and reasons, then a
/// `segment_redacted` entry per replaced segment. On any error nothing is left behind and
/// nothing is sealed. The original segments are only read.
pub fn redact_hearing(
    data: &Path,
    log: &[verbatim_log::Entry],
    req: &RedactRequest,
    append: impl FnOnce(&[verbatim_log::Entry]) -> Result<(), String>,
) -> Result<Redacted, String> {
    use verbatim_log::entry::{
        redacted_path, RedactedSpan, Redaction, SegmentRedacted, MAX_REDACTED_SPANS,
        MAX_REDACTION_REASON,
    };
    use verbatim_log::Entry;

    if req.spans.is_empty() {
        return Err("declare at least one span to redact".into());
    }
    if req.spans.len() > MAX_REDACTED_SPANS {
        return Err(format!(
            "{} spans: one redaction declares at most {MAX_REDACTED_SPANS}",
            req.spans.len()
        ));
    }
    let mut opened = false;
    let mut redactions = 0u64;
    let mut streams: std::collections::BTreeMap<String, Vec<Seg>> = Default::default();
    for e in log {
        if e.hearing() != Some(req.hearing.as_str()) {
            continue;
        }
        match e {
            Entry::HearingOpened(_) => opened = true,
            Entry::Redaction(_) => redactions += 1,
            e => {
                if let Some(g) = e.segment() {
                    streams.entry(g.stream.to_string()).or_default().push(Seg {
                        seq: g.seq,
                        start: g.start_ns,
                        end: g.end_ns,
                        path: g.path.to_string(),
                        sha256: g.sha256.to_string(),
                    });
                }
            }
        }
    }
    if !opened {
        return Err(format!(
            "the log has no hearing {:?} (`verbatim hearings --data DIR` lists them)",
            req.hearing
        ));
    }
    let id = format!("r{}", redactions + 1);
    let mut spans = Vec::new();
    for s in &req.spans {
        let Some(segs) = streams.get(&s.stream) else {
            return Err(format!(
                "hearing {} has no stream {:?} (it has: {})",
                req.hearing,
                s.stream,
                streams.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        let secs = |ns: u64| ns as f64 / 1e9;
        if s.to_ns <= s.from_ns {
            return Err(format!(
                "{}: the span {}..{} s must end after it starts",
                s.stream,
                secs(s.from_ns),
                secs(s.to_ns)
            ));
        }
        if s.reason.trim().is_empty() {
            return Err(format!(
                "{} {}..{} s: give the reason for the redaction (closed part, minor, personal data...)",
                s.stream,
                secs(s.from_ns),
                secs(s.to_ns)
            ));
        }
        if s.reason.len() > MAX_REDACTION_REASON {
            return Err(format!(
                "{}: the reason is {} bytes, at most {MAX_REDACTION_REASON}",
                s.stream,
                s.reason.len()
            ));
        }
        let video = segs.iter().any(|g| g.path.ends_with(".mp4"));
        let span = RedactedSpan {
            stream: s.stream.clone(),
            from_ns: s.from_ns,
            to_ns: s.to_ns,
            action: if video { "blank" } else { "mute" }.into(),
            reason: s.reason.trim().to_string(),
        };
        if !segs.iter().any(|g| span.touches(&s.stream, g.start, g.end)) {
            return Err(format!(
                "{}: no segment lies between {} s and {} s",
                s.stream,
                secs(s.from_ns),
                secs(s.to_ns)
            ));
        }
        spans.push(span);
    }

    // 1. Every touched segment re-encoded in a scratch directory.
    let scratch = data
        .join(verbatim_log::layout::WORK_DIR)
        .join(format!("redact-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let mut made: Vec<(std::path::PathBuf, SegmentRedacted)> = Vec::new();
    let work = (|| -> Result<(), String> {
        for (stream, segs) in &streams {
            let mine: Vec<&RedactedSpan> = spans.iter().filter(|s| &s.stream == stream).collect();
            if mine.is_empty() {
                continue;
            }
            let action = if mine[0].action == "blank" {
                Action::Blank
            } else {
                Action::Mute
            };
            let dir = scratch.join(stream);
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for g in segs {
                if !mine.iter().any(|s| s.touches(stream, g.start, g.end)) {
                    continue;
                }
                let local: Vec<(u64, u64)> = mine
                    .iter()
                    .filter(|s| s.touches(stream, g.start, g.end))
                    .map(|s| (s.from_ns.saturating_sub(g.start), s.to_ns - g.start))
                    .collect();
                let ext = g.path.rsplit_once('.').map_or("bin", |(_, x)| x);
                let dst = dir.join(format!("{:06}.{ext}", g.seq));
                let len = g.end.map_or(2_000_000_000, |e| e.saturating_sub(g.start));
                redact_segment(&data.join(&g.path), &dst, action, &local, len, 120)
                    .map_err(|e| e.to_string())?;
                let (bytes, sha256) = crate::sealer::sync_and_hash(&dst)?;
                made.push((
                    dst,
                    SegmentRedacted {
                        court: req.court.clone(),
                        hearing: req.hearing.clone(),
                        redaction: id.clone(),
                        stream: stream.clone(),
                        seq: g.seq,
                        original_sha256: g.sha256.clone(),
                        bytes,
                        sha256,
                        path: redacted_path(&req.hearing, &id, stream, g.seq, ext),
                    },
                ));
            }
        }
        Ok(())
    })();
    if let Err(e) = work {
        let _ = std::fs::remove_dir_all(&scratch);
        return Err(format!("{e}; nothing was redacted"));
    }

    // 2. Moved into place and sealed in one batch.
    let mut entries = vec![Entry::Redaction(Redaction {
        court: req.court.clone(),
        hearing: req.hearing.clone(),
        redaction: id.clone(),
        by: req.by.clone(),
        role: req.role.clone(),
        at_unix_ms: req.at_unix_ms,
        spans,
    })];
    let mut moved = Vec::new();
    let sealed = (|| -> Result<(), String> {
        for (tmp, r) in &made {
            let dest = data.join(&r.path);
            std::fs::create_dir_all(dest.parent().expect("has a parent"))
                .map_err(|e| format!("{}: {e}", dest.display()))?;
            if dest.exists() {
                return Err(format!("{} already exists", dest.display()));
            }
            std::fs::rename(tmp, &dest).map_err(|e| format!("{}: {e}", dest.display()))?;
            moved.push(dest.clone());
            set_readonly(&dest, true);
            entries.push(Entry::SegmentRedacted(r.clone()));
        }
        append(&entries)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    if let Err(e) = sealed {
        for m in &moved {
            set_readonly(m, false);
            let _ = std::fs::remove_file(m);
        }
        if let Some(dir) = moved.first().and_then(|m| m.parent()?.parent()) {
            let _ = std::fs::remove_dir_all(dir);
        }
        return Err(format!("{e}; nothing was redacted"));
    }
    let mut per: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for (_, r) in &made {
        per.entry(r.stream.clone()).or_default().push(r.seq);
    }
    Ok(Redacted {
        redaction: id,
        segments: made.len(),
        streams: per.into_iter().collect(),
        entries: entries.len(),
    })
}
