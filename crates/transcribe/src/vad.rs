//! Voice activity and level per microphone, in 16 ms frames.
//!
//! Each mic track gets its own `earshot` detector (a small neural VAD, weights built in) and
//! an RMS level per frame. Attribution ([`crate::segment`]) uses both: voice on a mic only
//! counts as that mic's speaker when the mic is among the loudest at that moment, because
//! the same voice reaches the neighbouring mics more quietly (bleed).

/// Samples per frame (16 ms at 16 kHz), as the detector requires.
pub const FRAME: usize = 256;
/// Frame length in milliseconds.
pub const FRAME_MS: f64 = 16.0;

/// Per-frame analysis of one mic track.
#[derive(Clone, Debug, Default)]
pub struct Track {
    /// Voice probability per frame, 0..1.
    pub voice: Vec<f32>,
    /// RMS level per frame in dBFS (−120 for digital silence).
    pub level_db: Vec<f32>,
}

/// Runs the detector over 16 kHz mono samples (a trailing partial frame is ignored).
pub fn analyse(samples: &[f32]) -> Track {
    let mut det = earshot::Detector::default();
    let n = samples.len() / FRAME;
    let mut t = Track {
        voice: Vec::with_capacity(n),
        level_db: Vec::with_capacity(n),
    };
    let mut frame = [0f32; FRAME];
    for chunk in samples.chunks_exact(FRAME) {
        let mut sum = 0f64;
        for (d, &s) in frame.iter_mut().zip(chunk) {
            let s = if s.is_finite() {
                s.clamp(-1.0, 1.0)
            } else {
                0.0
            };
            *d = s;
            sum += (s as f64) * (s as f64);
        }
        let rms = (sum / FRAME as f64).sqrt();
        t.level_db.push(if rms > 1e-6 {
            (20.0 * rms.log10()) as f32
        } else {
            -120.0
        });
        t.voice.push(det.predict_f32(&frame).clamp(0.0, 1.0));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_and_a_tone_are_not_voice_and_levels_are_right() {
        let t = analyse(&vec![0.0; 16000]);
        assert_eq!(t.voice.len(), 62);
        assert!(t.level_db.iter().all(|&l| l == -120.0));
        assert!(t.voice.iter().all(|&v| v < 0.5));
        let tone: Vec<f32> = (0..16000)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 16000.0).sin() * 0.5)
            .collect();
        let t = analyse(&tone);
        // RMS of a 0.5 sine is 0.354: -9 dBFS.
        assert!((t.level_db[10] + 9.03).abs() < 0.2, "{}", t.level_db[10]);
    }
}
