//! From mic audio to transcript utterances, over a whole file or incrementally.
//!
//! [`transcribe_tracks`] does one stretch of audio: every mic's samples on a common timeline
//! starting at `offset_ms` of the media clock. [`Progress`] carries a hearing's transcription
//! forward window by window while it records: each step takes the audio sealed since the
//! last step, transcribes the utterances that can no longer grow, and records how far it got
//! (`done_ms`) with the utterances so far in a small JSON file, replaced atomically; after a
//! restart the next step starts from there, so finished work is never redone.

use std::path::{Path, PathBuf};

use verbatim_transcript::{Utterance, Word};

use crate::audio;
use crate::features::SAMPLE_RATE;
use crate::segment::{self, Params, Region};
use crate::vad::{self, FRAME, FRAME_MS};
use crate::whisper::{AsrError, LangChoice, Recognizer};

/// A microphone as the transcript labels it.
#[derive(Clone, Debug, Default)]
pub struct Mic {
    pub id: String,
    pub role: String,
    pub speaker: Option<String>,
}

/// Statistics of a run, for the evaluation and the benchmark.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub utterances: usize,
    pub speech_seconds: f64,
    pub guards: Vec<(String, &'static str)>,
}

/// One stretch of audio to transcribe: every mic's samples (16 kHz) on a common timeline
/// that starts at `offset_ms` of the media clock.
pub struct Stretch<'a> {
    pub mics: &'a [Mic],
    pub tracks: &'a [Vec<f32>],
    pub offset_ms: u64,
    /// Per mic: media time before which its speech is already transcribed (a region that
    /// starts earlier is the tail of an utterance done in the previous step).
    pub done_ms: &'a [u64],
    /// Utterances ending at or after this frame may still grow and are left for later
    /// (`None`: the audio is complete, do everything).
    pub final_before: Option<usize>,
}

/// What a stretch gave.
#[derive(Debug, Default)]
pub struct Done {
    pub utterances: Vec<Utterance>,
    /// The frame where the next step must start (`None`: nothing left open).
    pub resume: Option<usize>,
    /// Per mic: the media time where its last processed utterance ended (0: none).
    pub mic_end_ms: Vec<u64>,
}

/// Transcribes the utterances of a stretch that can no longer grow, and those starting
/// before the first one that can.
pub fn transcribe_tracks(
    rec: &dyn Recognizer,
    st: &Stretch,
    lang: LangChoice,
    params: &Params,
    stats: &mut Stats,
) -> Result<Done, AsrError> {
    let (mics, tracks, offset_ms) = (st.mics, st.tracks, st.offset_ms);
    let analysed: Vec<vad::Track> = tracks.iter().map(|t| vad::analyse(t)).collect();
    let at_ms = |frame: usize| offset_ms + (frame as f64 * FRAME_MS) as u64;
    let regions: Vec<Region> = segment::utterances(&analysed, params)
        .into_iter()
        .filter(|r| at_ms(r.start) >= st.done_ms.get(r.mic).copied().unwrap_or(0))
        .collect();
    let resume = regions
        .iter()
        .filter(|r| st.final_before.is_some_and(|f| r.end >= f))
        .map(|r| r.start)
        .min();
    let done: Vec<Region> = regions
        .into_iter()
        .filter(|r| resume.is_none_or(|f| r.start < f))
        .collect();
    let mut out = Vec::with_capacity(done.len());
    let mut mic_end_ms = vec![0u64; mics.len()];
    for r in done {
        mic_end_ms[r.mic] = mic_end_ms[r.mic].max(at_ms(r.end));
        let samples = &tracks[r.mic]
            [(r.start * FRAME).min(tracks[r.mic].len())..(r.end * FRAME).min(tracks[r.mic].len())];
        let got = rec.recognise(samples, lang)?;
        let mic = &mics[r.mic];
        let start_ms = offset_ms + (r.start as f64 * FRAME_MS) as u64;
        let end_ms = offset_ms + (r.end as f64 * FRAME_MS) as u64;
        stats.utterances += 1;
        stats.speech_seconds += samples.len() as f64 / SAMPLE_RATE as f64;
        if !got.guard.is_empty() {
            stats
                .guards
                .push((format!("{}@{start_ms}", mic.id), got.guard));
        }
        if got.words.is_empty() {
            continue;
        }
        let words = got
            .words
            .iter()
            .map(|w| Word {
                text: w.text.clone(),
                start_ms: (start_ms + (w.start as f64 * 1000.0) as u64).min(end_ms),
                end_ms: (start_ms + (w.end as f64 * 1000.0) as u64).min(end_ms),
                p: Some((w.p * 1000.0).round() / 1000.0),
            })
            .collect();
        out.push(Utterance {
            id: format!("{}@{start_ms}", mic.id),
            mic: mic.id.clone(),
            role: mic.role.clone(),
            speaker: mic.speaker.clone(),
            lang: got.lang,
            start_ms,
            end_ms,
            text: got.text,
            words,
            edited: false,
        });
    }
    out.sort_by_key(|u| (u.start_ms, u.mic.clone()));
    Ok(Done {
        utterances: out,
        resume,
        mic_end_ms,
    })
}

/// Transcribes one audio file as one mic (`verbatim transcribe FILE`).
pub fn transcribe_file(
    rec: &dyn Recognizer,
    path: &Path,
    lang: LangChoice,
) -> Result<(Vec<Utterance>, Stats), Box<dyn std::error::Error + Send + Sync>> {
    let samples = audio::decode_file(path)?;
    let mic = Mic {
        id: "file".into(),
        role: String::new(),
        speaker: None,
    };
    let mut stats = Stats::default();
    let st = Stretch {
        mics: &[mic],
        tracks: &[samples],
        offset_ms: 0,
        done_ms: &[0],
        final_before: None,
    };
    let done = transcribe_tracks(rec, &st, lang, &Params::default(), &mut stats)?;
    Ok((done.utterances, stats))
}

/// One sealed segment of a mic's stream.
#[derive(Clone, Debug)]
pub struct SegmentFile {
    pub path: PathBuf,
    pub start_ms: u64,
    pub end_ms: u64,
}

/// How far a hearing's transcription got; persisted between steps and across restarts.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// Everything before this media time has been transcribed.
    pub done_ms: u64,
    /// Set when the hearing ended and everything was transcribed.
    #[serde(default)]
    pub complete: bool,
    /// Per mic: where its last transcribed utterance ended.
    #[serde(default)]
    pub mic_done_ms: std::collections::BTreeMap<String, u64>,
    pub utterances: Vec<Utterance>,
}

/// Longest stretch of audio one step takes.
pub const WINDOW_MS: u64 = 120_000;

impl Progress {
    pub fn load(path: &Path) -> Result<Progress, String> {
        match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
            Ok(b) => serde_json::from_slice(&b).map_err(|e| format!("{}: {e}", path.display())),
        }
    }

    /// Writes to a temporary file, syncs it, and renames it over `path`.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let tmp = path.with_extension("tmp");
        let bytes = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| format!("{}: {e}", path.display()))
    }

    /// One step: transcribes what `streams` (one per mic: its sealed segments in order)
    /// allow beyond `done_ms`. `ended` says the hearing has stopped and no segment will come.
    /// Returns whether anything advanced.
    pub fn step(
        &mut self,
        rec: &dyn Recognizer,
        mics: &[Mic],
        streams: &[Vec<SegmentFile>],
        lang: LangChoice,
        ended: bool,
        stats: &mut Stats,
    ) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
        if self.complete {
            return Ok(false);
        }
        let ends: Vec<u64> = streams
            .iter()
            .filter_map(|s| s.last().map(|f| f.end_ms))
            .collect();
        let Some(&latest) = ends.iter().max() else {
            if ended {
                self.complete = true;
            }
            return Ok(ended);
        };
        // A mic that has delivered nothing for a minute (lost, unplugged) does not hold
        // the others back.
        let available = if ended {
            latest
        } else {
            ends.iter()
                .copied()
                .filter(|&e| e + 60_000 >= latest)
                .min()
                .unwrap_or(latest)
        };
        if available <= self.done_ms {
            if ended {
                self.complete = true;
                return Ok(true);
            }
            return Ok(false);
        }
        let start = self.done_ms;
        let end = available.min(start + WINDOW_MS);
        let last_window = ended && end == available;
        let n = ((end - start) as usize * SAMPLE_RATE) / 1000;
        let mut tracks = vec![vec![0f32; n]; streams.len()];
        for (track, segs) in tracks.iter_mut().zip(streams) {
            for s in segs.iter().filter(|s| s.end_ms > start && s.start_ms < end) {
                let samples = audio::decode_file(&s.path)?;
                // Place the segment at its media time; segments are contiguous, so any
                // rounding is far below a frame.
                let at = (s.start_ms as i64 - start as i64) * SAMPLE_RATE as i64 / 1000;
                for (i, v) in samples.iter().enumerate() {
                    let j = at + i as i64;
                    if j >= 0 && (j as usize) < n {
                        track[j as usize] = *v;
                    }
                }
            }
        }
        let params = Params::default();
        // Utterances that may still grow (they end within a pause of the window's end)
        // wait for the next step, unless the hearing is over.
        let final_before = if last_window {
            None
        } else {
            Some((n / FRAME).saturating_sub((params.join_ms / FRAME_MS) as usize + 1))
        };
        let done_ms: Vec<u64> = mics
            .iter()
            .map(|m| self.mic_done_ms.get(&m.id).copied().unwrap_or(0))
            .collect();
        let st = Stretch {
            mics,
            tracks: &tracks,
            offset_ms: start,
            done_ms: &done_ms,
            final_before,
        };
        let Done {
            utterances: utts,
            resume,
            mic_end_ms,
        } = transcribe_tracks(rec, &st, lang, &params, stats)?;
        for (m, e) in mics.iter().zip(mic_end_ms) {
            let d = self.mic_done_ms.entry(m.id.clone()).or_default();
            *d = (*d).max(e);
        }
        let next = match resume {
            Some(f) => start + (f as f64 * FRAME_MS) as u64,
            None if last_window => end,
            // Nothing open: all but the last pause of the window is done.
            None => end
                .saturating_sub(params.join_ms as u64 + 2 * FRAME_MS as u64)
                .max(start),
        };
        let advanced = next > start || !utts.is_empty();
        self.utterances.extend(utts);
        self.utterances.sort_by_key(|u| (u.start_ms, u.mic.clone()));
        self.done_ms = next;
        if last_window {
            self.complete = true;
        }
        Ok(advanced || self.complete)
    }
}
