//! Whisper's log-mel features, computed as Whisper computes them.
//!
//! The audio (16 kHz mono, at most 30 s) is padded with zeros to 30 s; a centred 400-point
//! STFT with a periodic Hann window and hop 160 gives 3000 frames (the last of the 3001 is
//! dropped, as Whisper does); power spectra go through the model's 80 Slaney mel filters;
//! then `log10(max(x, 1e-10))`, clamped to 8 below the window's maximum and scaled by
//! `(x + 4) / 4`. (ct2rs's own extractor normalises each frame on its own and fills the
//! padding with zeros, which is not what the model was trained on: it makes the model
//! hallucinate after short utterances.)

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

pub const SAMPLE_RATE: usize = 16_000;
pub const N_FFT: usize = 400;
pub const HOP: usize = 160;
pub const N_SAMPLES: usize = 30 * SAMPLE_RATE;
pub const N_FRAMES: usize = N_SAMPLES / HOP;

/// A reusable extractor: the FFT plan, the window and the mel filter bank.
pub struct MelExtractor {
    n_mels: usize,
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// `n_mels` rows of `N_FFT / 2 + 1` weights.
    filters: Vec<f32>,
}

impl MelExtractor {
    pub fn new(n_mels: usize) -> MelExtractor {
        let fft = FftPlanner::new().plan_fft_forward(N_FFT);
        let window = (0..N_FFT)
            .map(|i| {
                let x = std::f32::consts::PI * 2.0 * i as f32 / N_FFT as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        let bank = mel_spec::mel::mel(SAMPLE_RATE as f64, N_FFT, n_mels, None, None, false, true);
        let filters = bank.iter().map(|&v| v as f32).collect();
        MelExtractor {
            n_mels,
            fft,
            window,
            filters,
        }
    }

    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// Features of up to 30 s of audio: `n_mels` rows of `N_FRAMES` values, row-major (the
    /// layout CTranslate2 expects for a `[1, n_mels, 3000]` input).
    pub fn extract(&self, samples: &[f32]) -> Vec<f32> {
        self.extract_frames(samples, N_FRAMES)
    }

    /// Like [`MelExtractor::extract`], but only the first `frames` frames of the 30 s window
    /// (at least those the audio reaches, at most `N_FRAMES`): `n_mels` rows of `frames`
    /// values. The values are those of the full window, cut.
    pub fn extract_frames(&self, samples: &[f32], frames: usize) -> Vec<f32> {
        let samples = &samples[..samples.len().min(N_SAMPLES)];
        let bins = N_FFT / 2 + 1;
        // Frames whose window reaches into the audio; the rest see only zeros.
        let content_frames = (samples.len() + N_FFT / 2).div_ceil(HOP).min(N_FRAMES);
        let frames = frames.clamp(content_frames, N_FRAMES);
        let mut out = vec![0f32; self.n_mels * frames];
        let mut buf = vec![Complex::new(0f32, 0f32); N_FFT];
        let mut power = vec![0f32; bins];
        let half = (N_FFT / 2) as isize;
        let n = N_SAMPLES as isize;
        // The signal is the audio padded with zeros to N_SAMPLES; centred frames reflect at
        // the start (numpy/torch "reflect" padding) and see zeros past the end.
        let sample = |i: isize| -> f32 {
            let j = if i < 0 {
                -i
            } else if i >= n {
                2 * (n - 1) - i
            } else {
                i
            };
            samples.get(j as usize).copied().unwrap_or(0.0)
        };
        let mut max = f32::NEG_INFINITY;
        for f in 0..content_frames {
            let start = (f * HOP) as isize - half;
            for (k, c) in buf.iter_mut().enumerate() {
                *c = Complex::new(sample(start + k as isize) * self.window[k], 0.0);
            }
            self.fft.process(&mut buf);
            for (p, c) in power.iter_mut().zip(&buf[..bins]) {
                *p = c.norm_sqr();
            }
            for m in 0..self.n_mels {
                let row = &self.filters[m * bins..(m + 1) * bins];
                let e: f32 = row.iter().zip(&power).map(|(w, p)| w * p).sum();
                let v = e.max(1e-10).log10();
                max = max.max(v);
                out[m * frames + f] = v;
            }
        }
        // Frames of pure padding: log10(1e-10).
        let silent = -10f32;
        max = max.max(silent);
        let floor = max - 8.0;
        for m in 0..self.n_mels {
            let row = &mut out[m * frames..(m + 1) * frames];
            for (f, v) in row.iter_mut().enumerate() {
                let x = if f < content_frames { *v } else { silent };
                *v = (x.max(floor) + 4.0) / 4.0;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_flat_and_a_tone_lights_its_band() {
        let ex = MelExtractor::new(80);
        let f = ex.extract(&[0.0; 16000]);
        assert_eq!(f.len(), 80 * N_FRAMES);
        assert!(f.iter().all(|&v| (v - (-10f32 + 4.0) / 4.0).abs() < 1e-6));
        // A 1 kHz tone for one second: energy in the band around 1 kHz, only in the
        // first ~100 frames, and the floor is 8 below the peak.
        let tone: Vec<f32> = (0..16000)
            .map(|i| (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16000.0).sin() * 0.5)
            .collect();
        let f = ex.extract(&tone);
        // A cut window holds the same values as the full one.
        let cut = ex.extract_frames(&tone, 700);
        for m in 0..80 {
            assert_eq!(
                cut[m * 700..(m + 1) * 700],
                f[m * N_FRAMES..m * N_FRAMES + 700]
            );
        }
        // Never fewer frames than the audio reaches, never more than the window.
        assert_eq!(ex.extract_frames(&tone, 1).len(), 80 * 102);
        assert_eq!(ex.extract_frames(&tone, 9000).len(), 80 * N_FRAMES);
        let max = f.iter().cloned().fold(f32::MIN, f32::max);
        let min = f.iter().cloned().fold(f32::MAX, f32::min);
        assert!((max - min - 2.0).abs() < 1e-4, "range {min}..{max}");
        let band = |m: usize, frame: usize| f[m * N_FRAMES + frame];
        let loudest = (0..80)
            .max_by(|&a, &b| band(a, 50).total_cmp(&band(b, 50)))
            .unwrap();
        assert!((20..40).contains(&loudest), "loudest band {loudest}");
        assert!(band(loudest, 50) > band(loudest, 500) + 1.0);
    }
}
