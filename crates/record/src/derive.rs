//! Convenience copies for people: one MP4 per camera with the microphones mixed in, made
//! from sealed segments for an evidence bundle's `derived/` directory. They are outside the
//! proof (the bundle says so); the segments they are made from are the record.
//!
//! The camera's H.264 is remuxed, not re-encoded; the microphones are decoded, mixed and
//! encoded to AAC. Every segment is placed by its own media time from the log (its
//! timestamps inside the file count from zero), so cameras and microphones stay in step
//! and a recorded gap stays a gap. A feeder thread per stream reads the segments one after
//! another (a small demuxing or decoding pipeline each) into the main pipeline's `appsrc`.
//! (`splitmuxsrc` would read the segments as one stream, but it mis-times the recorder's
//! fragmented MP4 parts: PTS jumps at every part boundary.)

use std::path::{Path, PathBuf};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

/// One stream's segment files, in order, each with its media start (ns from the hearing's
/// start).
#[derive(Clone, Debug, Default)]
pub struct Track {
    pub files: Vec<(PathBuf, u64)>,
}

fn err(out: &Path, problem: impl std::fmt::Display) -> String {
    format!("{}: {problem}", out.display())
}

const AUDIO_CAPS: &str = "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1";

/// Reads one segment to its end through `chain` into samples handed to `each`.
fn read_segment(
    file: &Path,
    chain: &str,
    mut each: impl FnMut(gst::Sample) -> Result<(), String>,
) -> Result<(), String> {
    let p = gst::parse::launch(&format!(
        "filesrc name=src ! {chain} ! appsink name=sink sync=false"
    ))
    .map_err(|e| e.to_string())?
    .downcast::<gst::Pipeline>()
    .map_err(|_| "not a pipeline".to_string())?;
    p.by_name("src")
        .expect("named")
        .set_property("location", file.to_string_lossy().as_ref());
    let sink = p
        .by_name("sink")
        .expect("named")
        .downcast::<gst_app::AppSink>()
        .expect("an appsink");
    let result = (|| {
        p.set_state(gst::State::Playing)
            .map_err(|_| format!("{}: cannot be read", file.display()))?;
        let bus = p.bus().expect("a pipeline has a bus");
        loop {
            if let Some(s) = sink.try_pull_sample(gst::ClockTime::from_mseconds(100)) {
                each(s)?;
                continue;
            }
            if sink.is_eos() {
                return Ok(());
            }
            if let Some(m) = bus.pop_filtered(&[gst::MessageType::Error]) {
                if let gst::MessageView::Error(e) = m.view() {
                    return Err(format!("{}: {}", file.display(), e.error()));
                }
            }
        }
    })();
    let _ = p.set_state(gst::State::Null);
    result
}

/// Feeds a track's segments into `src`, each buffer retimed by its segment's media start
/// less `base`; ends the stream when done.
fn feed(src: gst_app::AppSrc, track: Track, base: u64, video: bool) -> Result<(), String> {
    // The stream ends whatever happens, so that the pipeline finishes and the error is
    // reported rather than waited on.
    let r = feed_all(&src, &track, base, video);
    let _ = src.end_of_stream();
    r
}

fn feed_all(src: &gst_app::AppSrc, track: &Track, base: u64, video: bool) -> Result<(), String> {
    let chain = if video {
        "qtdemux ! h264parse ! video/x-h264,stream-format=avc,alignment=au".to_string()
    } else {
        format!("decodebin ! audioconvert ! audioresample ! {AUDIO_CAPS}")
    };
    let mut caps_set = false;
    for (file, start) in &track.files {
        let shift = gst::ClockTime::from_nseconds(start.saturating_sub(base));
        // A segment's own timestamps start from zero (MP4) or carry on from the previous
        // one (Matroska): they are taken relative to its first buffer.
        let mut origin: Option<gst::ClockTime> = None;
        read_segment(file, &chain, |sample| {
            if !caps_set {
                if let Some(c) = sample.caps() {
                    src.set_caps(Some(&c.to_owned()));
                    caps_set = true;
                }
            }
            let Some(b) = sample.buffer() else {
                return Ok(());
            };
            let mut b = b.copy();
            let first =
                *origin.get_or_insert_with(|| b.dts_or_pts().unwrap_or(gst::ClockTime::ZERO));
            {
                let b = b.make_mut();
                let retime = |t: gst::ClockTime| t.saturating_sub(first) + shift;
                if let Some(pts) = b.pts() {
                    b.set_pts(retime(pts));
                }
                if let Some(dts) = b.dts() {
                    b.set_dts(retime(dts));
                }
            }
            src.push_buffer(b)
                .map(|_| ())
                .map_err(|e| format!("{}: {e:?}", file.display()))
        })?;
    }
    Ok(())
}

fn appsrc(video: bool) -> gst_app::AppSrc {
    let src = gst_app::AppSrc::builder()
        .format(gst::Format::Time)
        .is_live(false)
        .block(true)
        .max_bytes(if video { 16 << 20 } else { 4 << 20 })
        .build();
    if !video {
        src.set_caps(Some(&AUDIO_CAPS.parse::<gst::Caps>().expect("valid caps")));
    }
    src
}

/// Writes `out`: the camera's segments remuxed, with the microphones mixed to AAC (none:
/// video only). Fails, naming `out` and the file at fault, if anything cannot be read or
/// written.
pub fn camera_mp4(
    camera: &Track,
    mics: &[Track],
    out: &Path,
    timeout_s: u64,
) -> Result<(), String> {
    crate::init().map_err(|e| err(out, e))?;
    if camera.files.is_empty() {
        return Err(err(out, "no camera segments"));
    }
    let mics: Vec<&Track> = mics.iter().filter(|m| !m.files.is_empty()).collect();
    let base = mics
        .iter()
        .map(|m| m.files[0].1)
        .chain([camera.files[0].1])
        .min()
        .unwrap_or(0);
    let pipeline = gst::Pipeline::new();
    let make = |f: &str| {
        gst::ElementFactory::make(f)
            .build()
            .map_err(|e| err(out, format!("{f}: {e}")))
    };
    let mux = make("mp4mux")?;
    mux.set_property("faststart", true);
    let sink = make("filesink")?;
    sink.set_property("location", out.to_string_lossy().as_ref());
    let vsrc = appsrc(true);
    let parse = make("h264parse")?;
    pipeline
        .add_many([vsrc.upcast_ref(), &parse, &mux, &sink])
        .map_err(|e| err(out, e))?;
    vsrc.link(&parse).map_err(|e| err(out, e))?;
    parse
        .link_pads(Some("src"), &mux, Some("video_%u"))
        .map_err(|e| err(out, e))?;
    mux.link(&sink).map_err(|e| err(out, e))?;
    let mut feeders: Vec<(gst_app::AppSrc, Track, bool)> = vec![(vsrc, camera.clone(), true)];
    if !mics.is_empty() {
        let mix = make("audiomixer")?;
        let conv = make("audioconvert")?;
        let enc = make("avenc_aac")?;
        enc.set_property("bitrate", 128_000i32);
        let aparse = make("aacparse")?;
        pipeline
            .add_many([&mix, &conv, &enc, &aparse])
            .map_err(|e| err(out, e))?;
        gst::Element::link_many([&mix, &conv, &enc, &aparse]).map_err(|e| err(out, e))?;
        aparse
            .link_pads(Some("src"), &mux, Some("audio_%u"))
            .map_err(|e| err(out, e))?;
        for m in mics {
            let src = appsrc(false);
            pipeline.add(&src).map_err(|e| err(out, e))?;
            src.link(&mix).map_err(|e| err(out, e))?;
            feeders.push((src, m.clone(), false));
        }
    }

    pipeline
        .set_state(gst::State::Playing)
        .map_err(|_| err(out, "could not start"))?;
    let threads: Vec<std::thread::JoinHandle<Result<(), String>>> = feeders
        .into_iter()
        .map(|(src, track, video)| std::thread::spawn(move || feed(src, track, base, video)))
        .collect();
    let bus = pipeline.bus().expect("a pipeline has a bus");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout_s);
    let result = loop {
        if std::time::Instant::now() > deadline {
            break Err(err(out, format!("took longer than {timeout_s} s")));
        }
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_mseconds(200)) else {
            continue;
        };
        match msg.view() {
            gst::MessageView::Error(e) => break Err(err(out, e.error())),
            gst::MessageView::Eos(_) => break Ok(()),
            _ => {}
        }
    };
    // Stopping the pipeline unblocks any feeder still pushing.
    let _ = pipeline.set_state(gst::State::Null);
    let mut fed = Ok(());
    for t in threads {
        match t.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => fed = Err(err(out, e)),
            Err(_) => fed = Err(err(out, "a feeder thread panicked")),
        }
    }
    fed?;
    result?;
    match std::fs::metadata(out) {
        Ok(m) if m.len() > 0 => Ok(()),
        _ => Err(err(out, "nothing was written")),
    }
}
