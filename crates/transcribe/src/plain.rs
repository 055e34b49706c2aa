//! Whisper "the plain way", for comparison in the evaluation: one ct2rs call per file with
//! the language forced, using ct2rs's own feature extraction, 30 s windows and defaults
//! (beam search of 5). No voice activity detection, attribution, per-utterance language,
//! or guards.

use std::path::Path;

use ct2rs::sys::{ComputeType, Config, Device};

use crate::whisper::AsrError;

/// A word of the plain run: text and seconds from the start of the file.
#[derive(Clone, Debug)]
pub struct PlainWord {
    pub text: String,
    pub start: f32,
    pub end: f32,
}

pub struct Plain {
    model: ct2rs::Whisper,
}

impl Plain {
    pub fn load(model_dir: &Path, threads: usize) -> Result<Plain, AsrError> {
        let cfg = Config {
            device: Device::CPU,
            compute_type: ComputeType::INT8,
            num_threads_per_replica: threads.max(1),
            ..Default::default()
        };
        let model = ct2rs::Whisper::new(model_dir, cfg).map_err(|e| AsrError::Model {
            dir: model_dir.display().to_string(),
            detail: e.to_string(),
        })?;
        Ok(Plain { model })
    }

    /// The words of a whole file (16 kHz mono samples), language forced.
    pub fn transcribe(&self, samples: &[f32], lang: &str) -> Result<Vec<PlainWord>, AsrError> {
        let segs = self
            .model
            .generate_segments(samples, Some(lang), &Default::default())
            .map_err(|e| AsrError::Run(e.to_string()))?;
        Ok(segs
            .into_iter()
            .flat_map(|s| s.words.unwrap_or_default())
            .map(|w| PlainWord {
                text: w.word,
                start: w.start,
                end: w.end,
            })
            .collect())
    }
}
