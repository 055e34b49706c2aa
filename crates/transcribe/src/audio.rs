//! Audio in: any file GStreamer can decode, as 16 kHz mono `f32` samples.

use std::path::Path;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::features::SAMPLE_RATE;

#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("{path}: no such file")]
    Missing { path: String },
    #[error("GStreamer could not start: {0}")]
    Init(String),
    #[error("{path}: cannot be decoded as audio: {detail}")]
    Decode { path: String, detail: String },
}

/// Decodes the first audio stream of `path` to 16 kHz mono, downmixing channels.
pub fn decode_file(path: &Path) -> Result<Vec<f32>, AudioError> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(AudioError::Missing { path: shown });
    }
    gst::init().map_err(|e| AudioError::Init(e.to_string()))?;
    let fail = |detail: String| AudioError::Decode {
        path: shown.clone(),
        detail,
    };
    let pipeline = gst::Pipeline::new();
    let src = gst::ElementFactory::make("filesrc")
        .property("location", path.to_string_lossy().as_ref())
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let decode = gst::ElementFactory::make("decodebin")
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let convert = gst::ElementFactory::make("audioconvert")
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let resample = gst::ElementFactory::make("audioresample")
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let caps = gst::Caps::builder("audio/x-raw")
        .field("format", "F32LE")
        .field("rate", SAMPLE_RATE as i32)
        .field("channels", 1i32)
        .field("layout", "interleaved")
        .build();
    let sink = gst_app::AppSink::builder().caps(&caps).sync(false).build();
    pipeline
        .add_many([&src, &decode, &convert, &resample, sink.upcast_ref()])
        .map_err(|e| fail(e.to_string()))?;
    src.link(&decode).map_err(|e| fail(e.to_string()))?;
    gst::Element::link_many([&convert, &resample, sink.upcast_ref()])
        .map_err(|e| fail(e.to_string()))?;
    let convert_weak = convert.downgrade();
    decode.connect_pad_added(move |_, pad| {
        let Some(convert) = convert_weak.upgrade() else {
            return;
        };
        let is_audio = pad
            .current_caps()
            .and_then(|c| c.structure(0).map(|s| s.name().starts_with("audio/")))
            .unwrap_or(false);
        let sinkpad = convert
            .static_pad("sink")
            .expect("audioconvert has a sink pad");
        if is_audio && !sinkpad.is_linked() {
            let _ = pad.link(&sinkpad);
        }
    });
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| fail(e.to_string()))?;
    let mut samples = Vec::new();
    let bus = pipeline.bus().expect("a pipeline has a bus");
    let mut idle = std::time::Instant::now();
    let result = loop {
        if let Some(s) = sink.try_pull_sample(gst::ClockTime::from_mseconds(50)) {
            idle = std::time::Instant::now();
            if let Some(map) = s.buffer().and_then(|b| b.map_readable().ok()) {
                samples.extend(
                    map.as_slice()
                        .chunks_exact(4)
                        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                );
            }
            continue;
        }
        if sink.is_eos() {
            break Ok(());
        }
        // No sample: an error on the bus ends the decoding (appsink never sees EOS then).
        if let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error]) {
            if let gst::MessageView::Error(e) = msg.view() {
                break Err(fail(e.error().to_string()));
            }
        }
        if idle.elapsed() > std::time::Duration::from_secs(30) {
            break Err(fail("no audio for 30 s".into()));
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    result.map(|()| samples)
}

/// `samples` (16 kHz mono, the rate the recogniser works at) as a 16-bit PCM WAV file: for
/// the evaluation tools and tests that replay audio as segment files.
pub fn wav_bytes(samples: &[f32]) -> Vec<u8> {
    let data = (samples.len() * 2) as u32;
    let mut b = Vec::with_capacity(44 + data as usize);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // PCM
    b.extend_from_slice(&1u16.to_le_bytes()); // mono
    b.extend_from_slice(&(SAMPLE_RATE as u32).to_le_bytes());
    b.extend_from_slice(&(SAMPLE_RATE as u32 * 2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data.to_le_bytes());
    for s in samples {
        b.extend_from_slice(&((s.clamp(-1.0, 1.0) * 32767.0) as i16).to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_non_audio_files_are_named() {
        let e = decode_file(Path::new("/nonexistent/x.wav")).unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e}");
        let dir = std::env::temp_dir().join(format!("vb-audio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("junk.wav");
        std::fs::write(&p, b"this is not audio at all, just text").unwrap();
        let e = decode_file(&p).unwrap_err();
        assert!(e.to_string().contains("junk.wav"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
