//! `verbatim-bench asr`: the transcription evaluation.
//!
//! On the evaluation hearing (scripts/make-eval-hearing: six mic tracks and a reference of
//! who said what, when, in which language) it runs, in one process and one after another:
//!
//! * `verbatim`: the transcriber as the server runs it: voice activity per mic,
//!   attribution, language chosen per utterance between kk and ru, guards;
//! * `verbatim-ru`: the same with the language forced to Russian for every utterance;
//! * `verbatim-30s`: `verbatim` with the encoder given Whisper's whole 30 s window for every
//!   utterance (`encoder_pad = 30`) instead of the utterance and 5 s after it;
//! * `plain-ru` (and optionally `plain-kk`): Whisper the plain way, one ct2rs call per mic
//!   file with the language forced.
//!
//! Scoring is the same for all: each recognised word is placed on its mic at its time; the
//! words of a mic inside a reference line's time (±300 ms) are that line's hypothesis. WER
//! is per language (ru, kk, mixed lines) over the lines' words, after lowercasing, `ё`→`е`
//! and removing punctuation. Attribution accuracy: of the recognised words that fall inside
//! some reference line, the share that lie on the mic of a line speaking at that moment (a
//! neighbour's voice bleeding into a mic and transcribed there counts as misattributed).
//! Real-time factor: processing time / duration of the hearing (all six mics).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use verbatim_transcribe::engine::{transcribe_tracks, Mic, Stats, Stretch};
use verbatim_transcribe::segment::Params;
use verbatim_transcribe::{LangChoice, Whisper, WhisperConfig};
use verbatim_transcript::Lang;

#[derive(clap::Args)]
pub struct AsrArgs {
    /// The evaluation set: mic1.wav .. micN.wav and reference.json.
    #[arg(long)]
    set: PathBuf,
    /// Whisper model directory (CTranslate2).
    #[arg(long)]
    model: PathBuf,
    /// Systems to run, comma-separated: verbatim, verbatim-ru, verbatim-kk, verbatim-30s,
    /// plain-ru, plain-kk.
    #[arg(long, default_value = "verbatim,verbatim-30s,verbatim-ru,plain-ru")]
    systems: String,
    /// Threads for CTranslate2.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Beam size of the verbatim systems.
    #[arg(long, default_value_t = 1)]
    beam: usize,
    /// kk_bias of the language choice.
    #[arg(long)]
    kk_bias: Option<f32>,
    /// Write each system's recognised words here (one JSON file per system).
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

struct RefLine {
    mic: usize,
    lang: String,
    start: i64,
    end: i64,
    words: Vec<String>,
}

/// A recognised word placed on a mic's timeline.
struct HypWord {
    mic: usize,
    at: i64,
    text: String,
}

pub fn normalise(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('ё', "е")
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(|w| w.trim_matches('-').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word-level edit distance.
pub fn edits(r: &[String], h: &[String]) -> usize {
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rw != hw))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()]
}

fn score(lines: &[RefLine], hyp: &[HypWord]) -> Value {
    let slack = 300;
    let mut per: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for l in lines {
        let h: Vec<String> = hyp
            .iter()
            .filter(|w| w.mic == l.mic && w.at >= l.start - slack && w.at <= l.end + slack)
            .flat_map(|w| normalise(&w.text))
            .collect();
        let e = edits(&l.words, &h);
        for key in [l.lang.as_str(), "all"] {
            let t = per.entry(key).or_default();
            t.0 += e;
            t.1 += l.words.len();
        }
    }
    let (mut correct, mut wrong, mut spurious) = (0usize, 0usize, 0usize);
    for w in hyp {
        let inside = |l: &&RefLine| w.at >= l.start - slack && w.at <= l.end + slack;
        if lines.iter().filter(inside).any(|l| l.mic == w.mic) {
            correct += 1;
        } else if lines.iter().any(|l| inside(&l)) {
            wrong += 1;
        } else {
            spurious += 1;
        }
    }
    let wer: serde_json::Map<String, Value> = per
        .iter()
        .map(|(k, (e, n))| {
            (
                k.to_string(),
                json!({ "wer": *e as f64 / (*n).max(1) as f64, "edits": e, "words": n }),
            )
        })
        .collect();
    json!({
        "wer": wer,
        "attribution": correct as f64 / (correct + wrong).max(1) as f64,
        "words_correct_mic": correct, "words_wrong_mic": wrong, "words_outside_speech": spurious,
    })
}

pub fn run(a: AsrArgs) -> Result<()> {
    let reference: Value = serde_json::from_slice(
        &std::fs::read(a.set.join("reference.json")).context("reading reference.json")?,
    )?;
    let duration_s = reference["duration_ms"].as_f64().context("duration_ms")? / 1000.0;
    let mut mics = Vec::new();
    let mut tracks = Vec::new();
    for i in 1.. {
        let p = a.set.join(format!("mic{i}.wav"));
        if !p.is_file() {
            break;
        }
        tracks.push(verbatim_transcribe::audio::decode_file(&p)?);
        mics.push(Mic {
            id: format!("mic{i}"),
            role: String::new(),
            speaker: None,
        });
    }
    if mics.is_empty() {
        bail!("{}: no mic1.wav", a.set.display());
    }
    let lines: Vec<RefLine> = reference["lines"]
        .as_array()
        .context("lines")?
        .iter()
        .map(|l| RefLine {
            mic: l["mic"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches("mic")
                .parse::<usize>()
                .unwrap_or(1)
                - 1,
            lang: l["lang"].as_str().unwrap_or("").to_string(),
            start: l["start_ms"].as_i64().unwrap_or(0),
            end: l["end_ms"].as_i64().unwrap_or(0),
            words: normalise(l["text"].as_str().unwrap_or("")),
        })
        .collect();
    let mut results = Vec::new();
    for system in a
        .systems
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let t0 = Instant::now();
        let (hyp, extra) = match system {
            "verbatim" | "verbatim-ru" | "verbatim-kk" | "verbatim-30s" => {
                let mut cfg = WhisperConfig::new(&a.model);
                cfg.threads = a.threads;
                cfg.beam_size = a.beam;
                if let Some(b) = a.kk_bias {
                    cfg.kk_bias = b;
                }
                if system == "verbatim-30s" {
                    cfg.encoder_pad = 30.0;
                }
                let w = Whisper::load(cfg)?;
                let t0 = Instant::now();
                let lang = match system {
                    "verbatim-ru" => LangChoice::Fixed(Lang::Ru),
                    "verbatim-kk" => LangChoice::Fixed(Lang::Kk),
                    _ => LangChoice::Auto,
                };
                let done_ms = vec![0; mics.len()];
                let st = Stretch {
                    mics: &mics,
                    tracks: &tracks,
                    offset_ms: 0,
                    done_ms: &done_ms,
                    final_before: None,
                };
                let mut stats = Stats::default();
                let done = transcribe_tracks(&w, &st, lang, &Params::default(), &mut stats)?;
                let secs = t0.elapsed().as_secs_f64();
                // Language accuracy on single-language lines.
                let (mut ok, mut n) = (0, 0);
                for u in &done.utterances {
                    let mic = mics.iter().position(|m| m.id == u.mic).unwrap_or(0);
                    let mid = ((u.start_ms + u.end_ms) / 2) as i64;
                    if let Some(l) = lines
                        .iter()
                        .find(|l| l.mic == mic && mid >= l.start && mid <= l.end)
                    {
                        if l.lang == "ru" || l.lang == "kk" {
                            n += 1;
                            ok += usize::from(u.lang.code() == l.lang);
                        }
                    }
                }
                if let Some(dir) = &a.out {
                    std::fs::create_dir_all(dir)?;
                    std::fs::write(
                        dir.join(format!("{system}.json")),
                        serde_json::to_vec_pretty(&done.utterances)?,
                    )?;
                }
                let hyp = done
                    .utterances
                    .iter()
                    .flat_map(|u| {
                        let mic = mics.iter().position(|m| m.id == u.mic).unwrap_or(0);
                        u.words.iter().map(move |w| HypWord {
                            mic,
                            at: ((w.start_ms + w.end_ms) / 2) as i64,
                            text: w.text.clone(),
                        })
                    })
                    .collect::<Vec<_>>();
                (
                    hyp,
                    json!({
                        "seconds": secs, "rtf": secs / duration_s, "utterances": stats.utterances,
                        "speech_seconds": stats.speech_seconds, "guards": stats.guards.len(),
                        "language_accuracy": ok as f64 / n.max(1) as f64, "language_checked": n,
                    }),
                )
            }
            "plain-ru" | "plain-kk" => {
                let p = verbatim_transcribe::plain::Plain::load(&a.model, a.threads)?;
                let t0 = Instant::now();
                let lang = &system[6..];
                let mut hyp = Vec::new();
                let mut dump = Vec::new();
                for (m, t) in tracks.iter().enumerate() {
                    for w in p.transcribe(t, lang)? {
                        dump.push(
                            json!({ "mic": m + 1, "start": w.start, "end": w.end, "text": w.text }),
                        );
                        hyp.push(HypWord {
                            mic: m,
                            at: ((w.start + w.end) * 500.0) as i64,
                            text: w.text,
                        });
                    }
                }
                let secs = t0.elapsed().as_secs_f64();
                if let Some(dir) = &a.out {
                    std::fs::create_dir_all(dir)?;
                    std::fs::write(
                        dir.join(format!("{system}.json")),
                        serde_json::to_vec_pretty(&dump)?,
                    )?;
                }
                (hyp, json!({ "seconds": secs, "rtf": secs / duration_s }))
            }
            other => bail!(
                "unknown system {other:?}: verbatim, verbatim-ru, verbatim-kk, verbatim-30s, plain-ru, \
                 plain-kk"
            ),
        };
        let mut r = score(&lines, &hyp);
        r["system"] = json!(system);
        r["run"] = extra;
        r["wall_seconds"] = json!(t0.elapsed().as_secs_f64());
        if !a.json {
            print_row(&r);
        }
        results.push(r);
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "set": a.set, "duration_s": duration_s, "lines": lines.len(), "results": results })
            )?
        );
    }
    Ok(())
}

fn print_row(r: &Value) {
    let wer = |k: &str| {
        r["wer"][k]["wer"]
            .as_f64()
            .map(|v| format!("{:.1} %", v * 100.0))
            .unwrap_or("-".into())
    };
    println!(
        "{:<12} WER all {:>7}  ru {:>7}  kk {:>7}  mixed {:>7}  attribution {:.1} %  RTF {:.3}  lang-acc {}",
        r["system"].as_str().unwrap_or(""),
        wer("all"),
        wer("ru"),
        wer("kk"),
        wer("mixed"),
        r["attribution"].as_f64().unwrap_or(0.0) * 100.0,
        r["run"]["rtf"].as_f64().unwrap_or(0.0),
        r["run"]["language_accuracy"].as_f64().map(|v| format!("{:.1} %", v * 100.0)).unwrap_or("-".into()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wer_and_normalisation() {
        let r = normalise("Слушается дело, Пётр!");
        assert_eq!(r, ["слушается", "дело", "петр"]);
        assert_eq!(edits(&r, &normalise("слушается дела петр")), 1);
        assert_eq!(edits(&r, &[]), 3);
        assert_eq!(edits(&[], &r), 3);
    }
}
