//! The recogniser: Whisper through CTranslate2 (`ct2rs`), one utterance (≤ 30 s) at a time.
//!
//! For each utterance the encoder runs **once**; its output serves the language choice, the
//! decoding and the word alignment:
//!
//! 1. features ([`crate::features`]), then `encode` over the utterance and `encoder_pad`
//!    seconds of silence after it (5 s by default), not the whole 30 s window: the encoder's
//!    cost grows with its input, and an utterance is 5 s on average. CTranslate2 accepts any
//!    input up to 3000 frames; the positions used are the first ones, as in the full window.
//!    On the evaluation set this encodes about 4x less and gives the same word error rate
//!    within noise (docs/BENCHMARKS.md, "Transcription"); `encoder_pad = 30` restores the
//!    full window;
//! 2. language: Whisper's language detector on the encoded audio, restricted to Kazakh and
//!    Russian (never another language): Kazakh when `p(kk) · kk_bias ≥ p(ru)`. Whisper base
//!    saw little Kazakh, so its detector underrates it; `kk_bias` is tuned on the evaluation
//!    set (see docs/transcription.md);
//! 3. decoding with `<|notimestamps|>` (we cut utterances ourselves), a length limit from the
//!    utterance's duration, and the scores needed by the guards;
//! 4. guards: a repetition loop is decoded again with a repetition penalty and no repeated
//!    trigrams, and what still loops is cut to one occurrence; a "no speech" result with low
//!    confidence, or one of Whisper's known hallucinated phrases (subtitle credits learnt
//!    from film subtitles), gives no words;
//! 5. word times by CTranslate2's DTW over the alignment heads' cross-attention.

use std::path::{Path, PathBuf};

use ct2rs::sys::{self, ComputeType, Config, Device, StorageView, WhisperOptions};
use ct2rs::tokenizers::hf;
use ct2rs::Tokenizer as _;
use verbatim_transcript::Lang;

use crate::features::{MelExtractor, HOP, N_FRAMES, N_SAMPLES, SAMPLE_RATE};

#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error("model directory {dir}: {detail}")]
    Model { dir: String, detail: String },
    #[error("utterance of {seconds:.1} s: at most 30 s at a time")]
    TooLong { seconds: f64 },
    #[error("recogniser: {0}")]
    Run(String),
}

/// How the language of an utterance is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LangChoice {
    /// Per utterance, between Kazakh and Russian.
    Auto,
    /// Forced (`--lang`).
    Fixed(Lang),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RecognisedWord {
    pub text: String,
    /// Seconds from the start of the utterance's audio.
    pub start: f32,
    pub end: f32,
    pub p: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Recognised {
    pub lang: Lang,
    /// Detector probabilities of kk and ru (0 when the language was forced).
    pub p_kk: f32,
    pub p_ru: f32,
    pub text: String,
    pub words: Vec<RecognisedWord>,
    pub avg_logprob: f32,
    pub no_speech_prob: f32,
    /// What the guards did, for the record: "", "loop-redecoded", "loop-cut", "no-speech",
    /// "hallucination".
    pub guard: &'static str,
}

/// A speech recogniser. The Whisper backend is the real one; the trait keeps the
/// transcription engine independent of it.
pub trait Recognizer: Send {
    fn recognise(&self, samples: &[f32], lang: LangChoice) -> Result<Recognised, AsrError>;
    /// Model and settings, recorded in the transcript.
    fn describe(&self) -> String;
}

#[derive(Clone, Debug)]
pub struct WhisperConfig {
    pub model_dir: PathBuf,
    pub threads: usize,
    pub beam_size: usize,
    pub kk_bias: f32,
    /// Seconds of silence given to the encoder after the utterance (see the module
    /// documentation); 30 or more: always the full 30 s window.
    pub encoder_pad: f32,
}

/// The default of [`WhisperConfig::encoder_pad`].
pub const DEFAULT_ENCODER_PAD: f32 = 5.0;

impl WhisperConfig {
    pub fn new(model_dir: impl Into<PathBuf>) -> WhisperConfig {
        WhisperConfig {
            model_dir: model_dir.into(),
            threads: 2,
            beam_size: 1,
            kk_bias: 4.0,
            encoder_pad: DEFAULT_ENCODER_PAD,
        }
    }
}

pub struct Whisper {
    model: sys::Whisper,
    tokenizer: hf::Tokenizer,
    /// Token ids of `<|startoftranscript|>`, `<|kk|>`, `<|ru|>`, `<|transcribe|>`.
    ids: [usize; 4],
    mel: MelExtractor,
    config: WhisperConfig,
}

/// Phrases Whisper produces from silence or noise because its training subtitles ended with
/// them; never said in a courtroom.
const HALLUCINATIONS: &[&str] = &[
    "продолжение следует",
    "субтитры",
    "редактор субтитров",
    "корректор",
    "спасибо за просмотр",
    "подписывайтесь на канал",
    "ставьте лайк",
    "dimatorzok",
    "амара.орг",
    "amara.org",
];

impl Whisper {
    pub fn load(config: WhisperConfig) -> Result<Whisper, AsrError> {
        let dir = config.model_dir.display().to_string();
        let model_err = |detail: String| AsrError::Model {
            dir: dir.clone(),
            detail,
        };
        for f in ["model.bin", "config.json", "tokenizer.json"] {
            if !config.model_dir.join(f).is_file() {
                return Err(model_err(format!(
                    "{f} is missing (scripts/fetch-whisper-model assembles Whisper base there)"
                )));
            }
        }
        let n_mels = n_mels(&config.model_dir).map_err(&model_err)?;
        let ct2 = Config {
            device: Device::CPU,
            compute_type: ComputeType::INT8,
            num_threads_per_replica: config.threads.max(1),
            ..Default::default()
        };
        let model =
            sys::Whisper::new(&config.model_dir, ct2).map_err(|e| model_err(e.to_string()))?;
        if !model.is_multilingual() {
            return Err(model_err(
                "the model is English-only; Kazakh and Russian need a multilingual Whisper".into(),
            ));
        }
        let mut tokenizer =
            hf::Tokenizer::new(&config.model_dir).map_err(|e| model_err(e.to_string()))?;
        let mut ids = [0usize; 4];
        for (i, t) in [
            "<|startoftranscript|>",
            "<|kk|>",
            "<|ru|>",
            "<|transcribe|>",
        ]
        .iter()
        .enumerate()
        {
            ids[i] = tokenizer
                .inner()
                .token_to_id(t)
                .ok_or_else(|| model_err(format!("the tokenizer has no {t} token")))?
                as usize;
        }
        Ok(Whisper {
            model,
            tokenizer,
            ids,
            mel: MelExtractor::new(n_mels),
            config,
        })
    }

    fn options(&self, max_length: usize, penalised: bool) -> WhisperOptions {
        WhisperOptions {
            beam_size: self.config.beam_size.max(1),
            max_length,
            return_scores: true,
            return_no_speech_prob: true,
            repetition_penalty: if penalised { 1.25 } else { 1.0 },
            no_repeat_ngram_size: if penalised { 3 } else { 0 },
            ..Default::default()
        }
    }
}

/// Frames given to the encoder for `samples` of audio: the audio and `pad` seconds after it,
/// in whole seconds, at most the 30 s window (always the window when `pad` ≥ 30).
pub(crate) fn encoder_frames(samples: usize, pad: f32) -> usize {
    if !pad.is_finite() || pad >= 30.0 {
        return N_FRAMES;
    }
    let per_second = SAMPLE_RATE / HOP;
    let wanted = samples.div_ceil(HOP) + (pad.max(0.0) * per_second as f32) as usize;
    (wanted.div_ceil(per_second) * per_second).clamp(per_second, N_FRAMES)
}

/// `n_mels` from preprocessor_config.json (80 for base, 128 for large-v3); 80 if absent.
fn n_mels(dir: &Path) -> Result<usize, String> {
    match std::fs::read(dir.join("preprocessor_config.json")) {
        Err(_) => Ok(80),
        Ok(b) => {
            let v: serde_json::Value =
                serde_json::from_slice(&b).map_err(|e| format!("preprocessor_config.json: {e}"))?;
            Ok(v.get("feature_size").and_then(|v| v.as_u64()).unwrap_or(80) as usize)
        }
    }
}

/// Probabilities of `<|kk|>` and `<|ru|>` in one detector result. ct2rs 0.10 keeps the fields
/// of its result private; its `Debug` form is `DetectionResult { language: "<|ru|>",
/// probability: 0.93 }` (pinned version; a test checks the parse).
pub(crate) fn kk_ru(results: &[impl std::fmt::Debug]) -> (f32, f32) {
    let (mut kk, mut ru) = (0f32, 0f32);
    for r in results {
        let s = format!("{r:?}");
        let p = s
            .split("probability:")
            .nth(1)
            .and_then(|t| t.trim().trim_end_matches('}').trim().parse::<f32>().ok())
            .unwrap_or(0.0);
        if s.contains("\"<|kk|>\"") {
            kk = p;
        } else if s.contains("\"<|ru|>\"") {
            ru = p;
        }
    }
    (kk, ru)
}

fn is_special(t: &str) -> bool {
    t.starts_with("<|") && t.ends_with("|>")
}

/// A word loop at the end of `words` (a phrase of 1..=8 words repeated at least 3 times in a
/// row): the index where the first repetition after the original starts.
pub(crate) fn loop_start(words: &[String]) -> Option<usize> {
    let n = words.len();
    for period in 1..=8usize {
        if n < period * 3 {
            break;
        }
        // Count how many times the last `period` words repeat backwards.
        let mut reps = 1;
        while (reps + 1) * period <= n {
            let a = n - reps * period;
            let b = a - period;
            if words[b..a] != words[a..a + period] {
                break;
            }
            reps += 1;
        }
        if reps >= 3 {
            return Some(n - (reps - 1) * period);
        }
    }
    None
}

/// A word that loops inside itself ("СОТОТОТОТОТО...", "ааааааа"): a unit of 1..=4 letters
/// repeated at least 6 times in a row (numbers aside). No Kazakh or Russian word does that;
/// Whisper does when its decoder is stuck on one sub-word token.
pub(crate) fn looping_word(word: &str) -> bool {
    let c: Vec<char> = word.chars().collect();
    for unit in 1..=4usize {
        let mut run = 1;
        let mut i = unit;
        while i + unit <= c.len() {
            if c[i..i + unit] == c[i - unit..i] && c[i..i + unit].iter().all(|c| c.is_alphabetic())
            {
                run += 1;
                if run >= 6 {
                    return true;
                }
                i += unit;
            } else {
                run = 1;
                i += 1;
            }
        }
    }
    false
}

/// Where the output starts to loop: a repeated phrase at the end, or a word looping inside
/// itself (the words from there on are cut).
pub(crate) fn loop_cut(words: &[String]) -> Option<usize> {
    let inner = words.iter().position(|w| looping_word(w));
    match (loop_start(words), inner) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(crate) fn hallucinated(text: &str) -> bool {
    let t = text.to_lowercase();
    HALLUCINATIONS.iter().any(|h| t.contains(h))
}

struct Decoded {
    tokens: Vec<String>,
    ids: Vec<usize>,
    avg_logprob: f32,
    no_speech_prob: f32,
}

impl Whisper {
    fn decode(
        &self,
        enc: &StorageView,
        prompt: &[&str],
        opts: &WhisperOptions,
    ) -> Result<Decoded, AsrError> {
        let run = |e: anyhow::Error| AsrError::Run(e.to_string());
        let mut res = self
            .model
            .generate(enc, &[prompt.to_vec()], opts)
            .map_err(run)?;
        let r = res.pop().ok_or_else(|| AsrError::Run("no result".into()))?;
        let tokens = r.sequences.into_iter().next().unwrap_or_default();
        let ids = r.sequences_ids.into_iter().next().unwrap_or_default();
        // CTranslate2's score is the cumulative log-probability divided by
        // length^length_penalty; with the default penalty of 1 it is the mean per token.
        let avg_logprob = r.scores.first().copied().unwrap_or(0.0);
        Ok(Decoded {
            tokens,
            ids,
            avg_logprob,
            no_speech_prob: r.no_speech_prob,
        })
    }

    fn words_of(&self, d: &Decoded) -> Result<Vec<(String, Vec<usize>)>, AsrError> {
        // Group token positions into words: a token starting with 'Ġ' (a space in GPT-2's
        // byte alphabet) starts a word; punctuation joins the word before it.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, t) in d.tokens.iter().enumerate() {
            if is_special(t) {
                continue;
            }
            match groups.last_mut() {
                Some(g) if !t.starts_with('Ġ') => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        let mut words: Vec<(String, Vec<usize>)> = Vec::new();
        for g in groups {
            let text = self
                .tokenizer
                .decode(g.iter().map(|&i| d.tokens[i].clone()).collect())
                .map_err(|e| AsrError::Run(e.to_string()))?
                .trim()
                .to_string();
            if text.is_empty() {
                continue;
            }
            let punct = text.chars().all(|c| !c.is_alphanumeric());
            match words.last_mut() {
                Some(w) if punct => {
                    w.0.push_str(&text);
                    w.1.extend(g);
                }
                _ => words.push((text, g)),
            }
        }
        Ok(words)
    }
}

impl Recognizer for Whisper {
    fn recognise(&self, samples: &[f32], choice: LangChoice) -> Result<Recognised, AsrError> {
        if samples.len() > N_SAMPLES {
            return Err(AsrError::TooLong {
                seconds: samples.len() as f64 / SAMPLE_RATE as f64,
            });
        }
        let run = |e: anyhow::Error| AsrError::Run(e.to_string());
        let frames = encoder_frames(samples.len(), self.config.encoder_pad);
        let mut feats = self.mel.extract_frames(samples, frames);
        let shape = [1, self.mel.n_mels(), frames];
        let view = StorageView::new(&shape, &mut feats, Device::CPU).map_err(run)?;
        let t0 = std::time::Instant::now();
        let enc = self.model.encode(&view, false).map_err(run)?;
        let t_enc = t0.elapsed().as_secs_f64();

        let (lang, p_kk, p_ru) = match choice {
            LangChoice::Fixed(l) => (l, 0.0, 0.0),
            LangChoice::Auto => {
                let det = self.model.detect_language(&enc).map_err(run)?;
                let (kk, ru) = kk_ru(det.first().map(|v| v.as_slice()).unwrap_or(&[]));
                (
                    if kk * self.config.kk_bias >= ru {
                        Lang::Kk
                    } else {
                        Lang::Ru
                    },
                    kk,
                    ru,
                )
            }
        };
        let t_det = t0.elapsed().as_secs_f64();
        let lang_token = format!("<|{}|>", lang.code());
        let prompt = [
            "<|startoftranscript|>",
            lang_token.as_str(),
            "<|transcribe|>",
            "<|notimestamps|>",
        ];
        let seconds = samples.len() as f64 / SAMPLE_RATE as f64;
        let max_length = (24.0 + seconds * 16.0).min(440.0) as usize;

        let mut guard = "";
        let mut d = self.decode(&enc, &prompt, &self.options(max_length, false))?;
        let mut words = self.words_of(&d)?;
        let texts = |w: &[(String, Vec<usize>)]| {
            w.iter().map(|(t, _)| t.to_lowercase()).collect::<Vec<_>>()
        };
        if loop_cut(&texts(&words)).is_some() || d.tokens.len() + 4 >= max_length {
            let d2 = self.decode(&enc, &prompt, &self.options(max_length, true))?;
            let w2 = self.words_of(&d2)?;
            guard = "loop-redecoded";
            d = d2;
            words = w2;
            if let Some(cut) = loop_cut(&texts(&words)) {
                words.truncate(cut);
                guard = "loop-cut";
            }
        }
        let text = words
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let empty = |guard| Recognised {
            lang,
            p_kk,
            p_ru,
            text: String::new(),
            words: Vec::new(),
            avg_logprob: d.avg_logprob,
            no_speech_prob: d.no_speech_prob,
            guard,
        };
        if d.no_speech_prob > 0.6 && d.avg_logprob < -1.0 {
            return Ok(empty("no-speech"));
        }
        if hallucinated(&text) {
            return Ok(empty("hallucination"));
        }
        if words.is_empty() {
            return Ok(empty(guard));
        }

        let t_dec = t0.elapsed().as_secs_f64();
        // Word times: DTW on the cross-attention of the alignment heads.
        let lang_id = if lang == Lang::Kk {
            self.ids[1]
        } else {
            self.ids[2]
        };
        let start_seq = [self.ids[0], lang_id, self.ids[3]];
        let keep: Vec<usize> = words.iter().flat_map(|(_, g)| g.iter().copied()).collect();
        let text_ids: Vec<usize> = keep.iter().map(|&i| d.ids[i]).collect();
        let content_frames = (samples.len() / HOP).clamp(1, N_FRAMES);
        let al = self
            .model
            .align(
                &enc,
                &start_seq,
                std::slice::from_ref(&text_ids),
                &[content_frames],
                7,
            )
            .map_err(run)?;
        let al = al
            .into_iter()
            .next()
            .ok_or_else(|| AsrError::Run("no alignment".into()))?;
        let n = text_ids.len();
        let (mut first, mut last) = (vec![i64::MAX; n], vec![-1i64; n]);
        for a in &al.alignments {
            if let Some(t) = usize::try_from(a.token_x).ok().filter(|&t| t < n) {
                first[t] = first[t].min(a.frame_x);
                last[t] = last[t].max(a.frame_x + 1);
            }
        }
        // Monotonic token times; tokens the DTW skipped take the time before them.
        let mut prev = 0i64;
        for t in 0..n {
            if last[t] < 0 {
                first[t] = prev;
                last[t] = prev;
            }
            first[t] = first[t].max(prev);
            last[t] = last[t].max(first[t]);
            prev = last[t];
        }
        let t_al = t0.elapsed().as_secs_f64();
        if std::env::var_os("PROF").is_some() {
            eprintln!(
                "PROF {seconds:.2} {t_enc:.3} {:.3} {:.3} {:.3} {} {}",
                t_det - t_enc,
                t_dec - t_det,
                t_al - t_dec,
                d.tokens.len(),
                guard
            );
        }
        let limit = seconds as f32;
        let mut out = Vec::with_capacity(words.len());
        let mut k = 0;
        for (text, g) in &words {
            let (a, b) = (k, k + g.len() - 1);
            k += g.len();
            let p = al
                .text_token_probs
                .get(a..=b)
                .map(|s| s.iter().sum::<f32>() / s.len() as f32)
                .unwrap_or(0.0);
            // 50 encoder frames per second.
            let start = (first[a] as f32 / 50.0).min(limit);
            let end = (last[b] as f32 / 50.0).clamp(start, limit);
            out.push(RecognisedWord {
                text: text.clone(),
                start,
                end,
                p,
            });
        }
        Ok(Recognised {
            lang,
            p_kk,
            p_ru,
            text,
            words: out,
            avg_logprob: d.avg_logprob,
            no_speech_prob: d.no_speech_prob,
            guard,
        })
    }

    fn describe(&self) -> String {
        let name = self
            .config
            .model_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!(
            "whisper:{name} ctranslate2 int8 beam={} threads={} kk_bias={} encoder_pad={}",
            self.config.beam_size,
            self.config.threads,
            self.config.kk_bias,
            self.config.encoder_pad
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoder_sees_the_utterance_and_its_padding_in_whole_seconds() {
        let s = SAMPLE_RATE;
        assert_eq!(encoder_frames(s * 4, 5.0), 900);
        assert_eq!(encoder_frames(s * 4 + 1, 5.0), 1000);
        assert_eq!(encoder_frames(s * 2, 0.0), 200);
        assert_eq!(encoder_frames(0, 0.0), 100);
        // Never past the window; 30 s of padding (or nonsense) is the full window.
        assert_eq!(encoder_frames(s * 28, 5.0), N_FRAMES);
        assert_eq!(encoder_frames(s, 30.0), N_FRAMES);
        assert_eq!(encoder_frames(s, f32::NAN), N_FRAMES);
        assert_eq!(encoder_frames(s, -3.0), 100);
    }

    #[test]
    fn loops_are_found_and_cut_after_the_first_occurrence() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(loop_start(&w("да да да")), Some(1));
        assert_eq!(
            loop_start(&w("суд идёт суд идёт суд идёт суд идёт")),
            Some(2)
        );
        assert_eq!(loop_start(&w("прошу встать суд идёт")), None);
        assert_eq!(loop_start(&w("а б а б")), None);
        // A word stuck on one sub-word token is cut with what follows it.
        assert!(looping_word("сотототототототототот"));
        assert!(looping_word("аааааааа"));
        assert!(looping_word("ТОТОТОТОТОТОТО"));
        for real in [
            "заседание",
            "Сотталушы",
            "дүкендерде",
            "ололо",
            "1000000",
            "ПППП",
        ] {
            assert!(!looping_word(real), "{real}");
        }
        assert_eq!(loop_cut(&w("сот тотототототототототот деп айтты")), Some(1));
        assert_eq!(loop_cut(&w("прошу встать суд идёт")), None);
        assert!(hallucinated("Продолжение следует..."));
        assert!(!hallucinated("Слушается дело номер два"));
    }

    #[test]
    fn detector_results_are_read_from_their_debug_form() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct DetectionResult {
            language: String,
            probability: f32,
        }
        let r = [
            DetectionResult {
                language: "<|ru|>".into(),
                probability: 0.7,
            },
            DetectionResult {
                language: "<|kk|>".into(),
                probability: 0.05,
            },
            DetectionResult {
                language: "<|en|>".into(),
                probability: 0.2,
            },
        ];
        assert_eq!(kk_ru(&r), (0.05, 0.7));
    }
}
