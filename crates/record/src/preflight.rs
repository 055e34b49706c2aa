//! The pre-hearing test: does every source deliver a signal? Each source's real pipeline
//! runs for a few seconds into a scratch directory (outside the data directory; nothing is
//! sealed), and cameras must deliver frames and microphones sound above the silence level.

use crate::config::{CourtroomConfig, Media, SourceConfig};
use crate::pipeline::{self, SegmentTarget};
use crate::recorder::RecordError;
use gstreamer as gst;
use gstreamer::prelude::*;
use serde::Serialize;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// One source's result.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCheck {
    pub id: String,
    pub label: String,
    pub media: Media,
    pub ok: bool,
    /// What was found, in English: "frames arriving", "sound, peak -12 dBFS", or the fault.
    pub detail: String,
    /// The same as a code for interfaces that say it in the secretary's language:
    /// `frames`, `sound`, `silent` (peak at or below `limit_db`), `no_signal`, or `failed`
    /// (then `detail` holds the framework's own message and the source's address).
    pub code: &'static str,
    /// Microphones: loudest peak seen, dBFS.
    pub peak_db: Option<f64>,
    /// Microphones: the silence level the peak must exceed, dBFS.
    pub limit_db: Option<f64>,
}

/// Runs every source of `room` for `duration`, all at once, and reports on each.
pub fn check(room: &CourtroomConfig, duration: Duration) -> Result<Vec<SourceCheck>, RecordError> {
    room.validate()?;
    crate::init()?;
    let scratch = std::env::temp_dir().join(format!(
        "verbatim-preflight-{}-{}",
        std::process::id(),
        crate::sealer::now_unix_ms()
    ));
    // Sources sharing a device (an ALSA interface) share a pipeline, as when recording.
    let units = crate::recorder::group_units(room);
    let running: Vec<Result<(pipeline::Built, gst::Bus), RecordError>> = units
        .iter()
        .map(|u| start_unit(&u.sources, room, &scratch))
        .collect();
    let mut errors: Vec<Option<String>> = vec![None; running.len()];
    let deadline = Instant::now() + duration;
    while Instant::now() < deadline {
        for (k, r) in running.iter().enumerate() {
            let Ok((_, bus)) = r else { continue };
            while let Some(msg) = bus.timed_pop(gst::ClockTime::ZERO) {
                match msg.view() {
                    gst::MessageView::Error(e) if errors[k].is_none() => {
                        errors[k] = Some(e.error().to_string());
                    }
                    _ => {}
                }
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = Vec::new();
    for ((unit, r), error) in units.iter().zip(running).zip(errors) {
        match r {
            Err(e) => out.extend(unit.sources.iter().map(|s| fail(s, e.to_string()))),
            Ok((built, _)) => {
                let _ = built.pipeline.set_state(gst::State::Null);
                for (s, stream) in unit.sources.iter().zip(&built.streams) {
                    let delivered = stream.last_buffer.load(Ordering::Relaxed) != 0;
                    out.push(match (&error, s.media()) {
                        (Some(e), _) => fail(s, e.clone()),
                        (None, _) if !delivered => SourceCheck {
                            code: "no_signal",
                            ..fail(s, "no signal: nothing arrived".into())
                        },
                        (None, Media::Video) => SourceCheck {
                            id: s.id.clone(),
                            label: s.label.clone(),
                            media: Media::Video,
                            ok: true,
                            detail: "frames arriving".into(),
                            code: "frames",
                            peak_db: None,
                            limit_db: None,
                        },
                        (None, Media::Audio) => {
                            let peak = stream
                                .meter
                                .as_ref()
                                .and_then(|m| m.latest())
                                .map(|r| r.loudest_db);
                            let p = peak.unwrap_or(f64::NEG_INFINITY);
                            let ok = p > room.silence_db;
                            SourceCheck {
                                id: s.id.clone(),
                                label: s.label.clone(),
                                media: Media::Audio,
                                ok,
                                detail: if ok {
                                    format!("sound, peak {p:.0} dBFS")
                                } else {
                                    format!(
                                        "silent: peak {p:.0} dBFS, below {:.0} dBFS (is the microphone on?)",
                                        room.silence_db
                                    )
                                },
                                code: if ok { "sound" } else { "silent" },
                                peak_db: peak,
                                limit_db: Some(room.silence_db),
                            }
                        }
                    });
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(out)
}

fn fail(s: &SourceConfig, detail: String) -> SourceCheck {
    use crate::config::SourceKind;
    let detail = match &s.kind {
        SourceKind::RtspCamera { url, .. } | SourceKind::RtspAudio { url } => {
            format!("{detail} ({url})")
        }
        SourceKind::V4l2 { device } | SourceKind::Alsa { device, .. } => {
            format!("{detail} ({device})")
        }
        _ => detail,
    };
    SourceCheck {
        id: s.id.clone(),
        label: s.label.clone(),
        media: s.media(),
        ok: false,
        detail,
        code: "failed",
        peak_db: None,
        limit_db: None,
    }
}

fn start_unit(
    sources: &[SourceConfig],
    room: &CourtroomConfig,
    scratch: &std::path::Path,
) -> Result<(pipeline::Built, gst::Bus), RecordError> {
    let mut targets = Vec::new();
    for s in sources {
        let dir = scratch.join(&s.id);
        std::fs::create_dir_all(&dir).map_err(|e| RecordError::Invalid(e.to_string()))?;
        targets.push(SegmentTarget {
            dir,
            extension: s.extension(),
            start_index: 0,
        });
    }
    let refs: Vec<&SourceConfig> = sources.iter().collect();
    let built = pipeline::build(
        &refs,
        &targets,
        (room.segment_seconds * 1e9) as u64,
        &crate::speech::raw_pcm,
    )?;
    let bus = built.pipeline.bus().expect("a pipeline has a bus");
    built
        .pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| RecordError::Invalid(format!("{}: {e}", sources[0].id)))?;
    Ok((built, bus))
}
