//! `verbatim-bench asr-live`: how far behind live the transcript runs while a hearing records.
//!
//! The evaluation hearing's mic tracks are cut into segments as the recorder seals them
//! (2 s by default) and replayed on a clock: a segment becomes available when the clock
//! passes its end. The transcriber does exactly what the server's does ([`Progress::step`]
//! over the sealed segments, steps repeated while they advance, then a pause of
//! `--poll-seconds` when there is nothing new) and every step takes the wall time it really
//! takes on this machine: the clock advances by that time. So the run takes about as long
//! as the transcription's own work (not the hearing's 265 s), and the result is the lag the
//! real server would show on this machine: for each utterance, the time from the end of its
//! speech to the moment it is in the live transcript.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::json;
use verbatim_transcribe::engine::{Mic, Progress, SegmentFile, Stats};
use verbatim_transcribe::{LangChoice, Whisper, WhisperConfig};

#[derive(clap::Args)]
pub struct AsrLiveArgs {
    /// The evaluation set: mic1.wav .. micN.wav and reference.json.
    #[arg(long)]
    set: PathBuf,
    /// Whisper model directory (CTranslate2).
    #[arg(long)]
    model: PathBuf,
    /// Threads for CTranslate2.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Segment length, as the recorder seals them.
    #[arg(long, default_value_t = 2.0)]
    segment_seconds: f64,
    /// The server's transcriber wakes this often when there is nothing to do.
    #[arg(long, default_value_t = 4.0)]
    poll_seconds: f64,
    #[arg(long)]
    json: bool,
}

/// Writes 16 kHz mono 16-bit PCM as a WAV file.
fn write_wav(path: &Path, samples: &[f32]) -> Result<()> {
    std::fs::write(path, verbatim_transcribe::audio::wav_bytes(samples))
        .with_context(|| path.display().to_string())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub fn run(a: AsrLiveArgs) -> Result<()> {
    if !(a.segment_seconds > 0.0 && a.poll_seconds > 0.0) {
        bail!("--segment-seconds and --poll-seconds must be positive");
    }
    let work = tempfile::tempdir()?;
    let seg_ms = (a.segment_seconds * 1000.0).round() as u64;
    let mut mics = Vec::new();
    let mut streams: Vec<Vec<SegmentFile>> = Vec::new();
    let mut duration_ms = 0u64;
    for i in 1.. {
        let p = a.set.join(format!("mic{i}.wav"));
        if !p.is_file() {
            break;
        }
        let track = verbatim_transcribe::audio::decode_file(&p)?;
        let len_ms = track.len() as u64 * 1000 / 16_000;
        duration_ms = duration_ms.max(len_ms);
        let dir = work.path().join(format!("mic{i}"));
        std::fs::create_dir_all(&dir)?;
        let per = (seg_ms * 16) as usize;
        let mut segs = Vec::new();
        for (k, chunk) in track.chunks(per).enumerate() {
            let path = dir.join(format!("{k:06}.wav"));
            write_wav(&path, chunk)?;
            let start_ms = k as u64 * seg_ms;
            segs.push(SegmentFile {
                path,
                start_ms,
                end_ms: start_ms + chunk.len() as u64 * 1000 / 16_000,
            });
        }
        streams.push(segs);
        mics.push(Mic {
            id: format!("mic{i}"),
            role: String::new(),
            speaker: None,
        });
    }
    if mics.is_empty() {
        bail!("{}: no mic1.wav", a.set.display());
    }
    let mut cfg = WhisperConfig::new(&a.model);
    cfg.threads = a.threads;
    let w = Whisper::load(cfg)?;

    // The clock: media milliseconds since the hearing started.
    let mut clock: u64 = 0;
    let poll_ms = (a.poll_seconds * 1000.0).round() as u64;
    let mut progress = Progress::default();
    let mut stats = Stats::default();
    let mut lags: Vec<f64> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut busy = 0f64;
    let mut steps = 0usize;
    let mut ended_at = None;
    while !progress.complete {
        let sealed: Vec<Vec<SegmentFile>> = streams
            .iter()
            .map(|s| s.iter().filter(|f| f.end_ms <= clock).cloned().collect())
            .collect();
        let ended = sealed.iter().zip(&streams).all(|(a, b)| a.len() == b.len());
        if ended && ended_at.is_none() {
            ended_at = Some(clock);
        }
        let t0 = Instant::now();
        let advanced = progress
            .step(&w, &mics, &sealed, LangChoice::Auto, ended, &mut stats)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let took = t0.elapsed();
        busy += took.as_secs_f64();
        steps += 1;
        clock += took.as_millis() as u64;
        for u in &progress.utterances {
            if seen.insert(u.id.clone()) {
                lags.push(clock.saturating_sub(u.end_ms) as f64 / 1000.0);
            }
        }
        if !advanced {
            clock += poll_ms;
        }
    }
    let ended_at = ended_at.unwrap_or(clock);
    lags.sort_by(f64::total_cmp);
    let mean = lags.iter().sum::<f64>() / lags.len().max(1) as f64;
    let out = json!({
        "set": a.set, "duration_s": duration_ms as f64 / 1000.0,
        "segment_seconds": a.segment_seconds, "poll_seconds": a.poll_seconds,
        "utterances": lags.len(), "steps": steps, "busy_seconds": busy,
        "busy_share": busy / (ended_at as f64 / 1000.0),
        "lag_s": {
            "mean": mean, "p50": percentile(&lags, 0.5), "p90": percentile(&lags, 0.9),
            "max": lags.last().copied().unwrap_or(0.0),
        },
        "complete_after_end_s": clock.saturating_sub(ended_at) as f64 / 1000.0,
    });
    if a.json {
        println!("{out}");
    } else {
        println!(
            "{} utterances; lag behind live: mean {:.1} s, p50 {:.1} s, p90 {:.1} s, max {:.1} s; \
             transcriber busy {:.0} % of the hearing; complete {:.1} s after it ended",
            lags.len(),
            mean,
            percentile(&lags, 0.5),
            percentile(&lags, 0.9),
            lags.last().copied().unwrap_or(0.0),
            100.0 * busy / (ended_at as f64 / 1000.0),
            clock.saturating_sub(ended_at) as f64 / 1000.0
        );
    }
    Ok(())
}
