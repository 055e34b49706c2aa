//! Speech files as test microphones: decoded once to raw 48 kHz mono PCM in a cache outside
//! the data directory, then played in a loop in real time.

use crate::pipeline::{PipelineError, AUDIO_RATE};
use gstreamer as gst;
use gstreamer::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The raw PCM (s16le, 48 kHz, mono) of `path`, decoded on first use.
pub fn raw_pcm(path: &Path) -> Result<PathBuf, PipelineError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| PipelineError::Gst(format!("{}: {e}", path.display())))?;
    let mut h = Sha256::new();
    h.update(path.to_string_lossy().as_bytes());
    h.update(meta.len().to_be_bytes());
    if let Ok(m) = meta.modified() {
        h.update(format!("{m:?}").as_bytes());
    }
    let key = verbatim_log::tree::to_hex(&h.finalize()[..12]);
    let dir = std::env::temp_dir().join("verbatim-speech-cache");
    std::fs::create_dir_all(&dir).map_err(|e| PipelineError::Gst(e.to_string()))?;
    let out = dir.join(format!("{key}.s16le"));
    if out.is_file() {
        return Ok(out);
    }
    let tmp = dir.join(format!("{key}.{}.tmp", std::process::id()));
    let p = gst::parse::launch(&format!(
        "filesrc name=src ! decodebin ! audioconvert ! audioresample \
         ! audio/x-raw,format=S16LE,rate={AUDIO_RATE},channels=1 ! filesink name=out"
    ))?
    .downcast::<gst::Pipeline>()
    .map_err(|_| PipelineError::Gst("not a pipeline".into()))?;
    p.by_name("src")
        .expect("named")
        .set_property("location", path.to_string_lossy().as_ref());
    p.by_name("out")
        .expect("named")
        .set_property("location", tmp.to_string_lossy().as_ref());
    p.set_state(gst::State::Playing)
        .map_err(|e| PipelineError::Gst(format!("cannot decode {}: {e}", path.display())))?;
    let bus = p.bus().expect("a pipeline has a bus");
    let result = loop {
        let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(30)) else {
            break Err(format!("decoding {} took too long", path.display()));
        };
        match msg.view() {
            gst::MessageView::Eos(_) => break Ok(()),
            gst::MessageView::Error(e) => {
                break Err(format!("cannot decode {}: {}", path.display(), e.error()))
            }
            _ => {}
        }
    };
    let _ = p.set_state(gst::State::Null);
    result.map_err(PipelineError::Gst)?;
    std::fs::rename(&tmp, &out).map_err(|e| PipelineError::Gst(e.to_string()))?;
    Ok(out)
}
