//! The recogniser end to end with the real Whisper model (CTranslate2), on speech
//! synthesized here: Festival's Russian voice and espeak-ng's Kazakh one.
//!
//! The model comes from scripts/fetch-whisper-model (`VERBATIM_MODEL_DIR` or its default
//! place). Without it these tests say so and pass, except under CI, where the model is
//! installed and its absence is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use verbatim_transcribe::engine::{self, Mic, Progress, SegmentFile, Stats, Stretch};
use verbatim_transcribe::segment::Params;
use verbatim_transcribe::{LangChoice, Recognizer, Whisper, WhisperConfig};
use verbatim_transcript::Lang;

fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("VERBATIM_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/verbatim/models/whisper-base")
        });
    if dir.join("model.bin").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "no Whisper model in {} (scripts/fetch-whisper-model)",
        dir.display()
    );
    eprintln!(
        "skipped: no Whisper model in {} (scripts/fetch-whisper-model)",
        dir.display()
    );
    None
}

fn whisper() -> Option<&'static Whisper> {
    static W: OnceLock<Option<Whisper>> = OnceLock::new();
    W.get_or_init(|| {
        model_dir().map(|d| Whisper::load(WhisperConfig::new(d)).expect("the model loads"))
    })
    .as_ref()
}

/// 16 kHz mono samples of `text` spoken by Festival (ru) or espeak-ng (kk).
fn speak(lang: &str, text: &str, dir: &Path) -> Vec<f32> {
    let wav = dir.join(format!("{lang}-{}.wav", text.len()));
    let ok = if lang == "ru" {
        let txt = dir.join("say.txt");
        std::fs::write(&txt, text).unwrap();
        Command::new("text2wave")
            .args(["-eval", "(voice_msu_ru_nsh_clunits)"])
            .arg(&txt)
            .arg("-o")
            .arg(&wav)
            .status()
    } else {
        Command::new("espeak-ng")
            .args(["-v", "kk", "-s", "145", "-w"])
            .arg(&wav)
            .arg(text)
            .status()
    };
    assert!(ok
        .expect("festival / espeak-ng are installed (scripts/install-deps)")
        .success());
    verbatim_transcribe::audio::decode_file(&wav).unwrap()
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .replace('ё', "е")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// Share of the reference's words found in the hypothesis (order-free recall).
fn recall(reference: &str, hyp: &str) -> f64 {
    let h = words(hyp);
    let r = words(reference);
    r.iter().filter(|w| h.contains(w)).count() as f64 / r.len() as f64
}

const RU: &str =
    "Судебное заседание объявляется открытым. Слушается уголовное дело по обвинению Иванова.";
const RU2: &str =
    "Свидетель, вы предупреждены об уголовной ответственности за дачу ложных показаний.";

#[test]
fn russian_speech_is_recognised_with_word_times_and_its_language() {
    let Some(w) = whisper() else { return };
    let dir = tempfile::tempdir().unwrap();
    let audio = speak("ru", RU, dir.path());
    let r = w.recognise(&audio, LangChoice::Auto).unwrap();
    assert_eq!(r.lang, Lang::Ru, "{r:?}");
    assert!(recall(RU, &r.text) >= 0.6, "recognised {:?}", r.text);
    // Word times inside the audio, in order.
    let len = audio.len() as f32 / 16000.0;
    assert!(!r.words.is_empty());
    let mut last = 0.0;
    for word in &r.words {
        assert!(
            word.start >= last - 0.01 && word.end >= word.start && word.end <= len + 0.01,
            "{word:?}"
        );
        last = word.start;
    }
    // Silence and noise give no words (no hallucinated subtitles).
    let noise: Vec<f32> = (0..16000 * 5)
        .map(|i| ((i * 7919 % 1000) as f32 / 1000.0 - 0.5) * 0.002)
        .collect();
    let r = w.recognise(&noise, LangChoice::Auto).unwrap();
    assert!(r.words.len() <= 2, "noise gave {:?}", r.text);
    // Too long for one window: a named error, not a panic.
    let e = w
        .recognise(&vec![0.0; 16000 * 31], LangChoice::Auto)
        .unwrap_err();
    assert!(e.to_string().contains("at most 30 s"), "{e}");
}

#[test]
fn kazakh_speech_is_taken_as_kazakh() {
    let Some(w) = whisper() else { return };
    let dir = tempfile::tempdir().unwrap();
    let audio = speak(
        "kk",
        "Сот отырысы ашық деп жарияланады. Тараптар сотқа келді ме?",
        dir.path(),
    );
    let r = w.recognise(&audio, LangChoice::Auto).unwrap();
    assert_eq!(
        r.lang,
        Lang::Kk,
        "p(kk) {} p(ru) {}: {:?}",
        r.p_kk,
        r.p_ru,
        r.text
    );
    assert!(!r.text.is_empty());
}

/// Two speakers, each on their own mic with the other bleeding in at -18 dB, then both at
/// once: each utterance is attributed once, to the right mic.
#[test]
fn utterances_go_to_the_speakers_mic_despite_bleed() {
    let Some(w) = whisper() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = speak("ru", RU, dir.path());
    let b = speak("ru", RU2, dir.path());
    let gap = 16000;
    let b_at = a.len() + gap;
    let n = b_at + b.len() + gap;
    let bleed = 10f32.powf(-18.0 / 20.0);
    let mut m1 = vec![0f32; n];
    let mut m2 = vec![0f32; n];
    for (i, s) in a.iter().enumerate() {
        m1[i + gap / 2] += s;
        m2[i + gap / 2] += s * bleed;
    }
    for (i, s) in b.iter().enumerate() {
        m2[b_at + i] += s;
        m1[b_at + i] += s * bleed;
    }
    let mics = [
        Mic {
            id: "mic1".into(),
            role: "judge".into(),
            speaker: Some("Ахметова А.".into()),
        },
        Mic {
            id: "mic2".into(),
            role: "witness".into(),
            speaker: None,
        },
    ];
    let tracks = [m1, m2];
    let st = Stretch {
        mics: &mics,
        tracks: &tracks,
        offset_ms: 5000,
        done_ms: &[0, 0],
        final_before: None,
    };
    let mut stats = Stats::default();
    let done = engine::transcribe_tracks(w, &st, LangChoice::Auto, &Params::default(), &mut stats)
        .unwrap();
    let on = |mic: &str| {
        done.utterances
            .iter()
            .filter(|u| u.mic == mic)
            .map(|u| u.text.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(recall(RU, &on("mic1")) >= 0.6, "mic1: {:?}", on("mic1"));
    assert!(recall(RU2, &on("mic2")) >= 0.6, "mic2: {:?}", on("mic2"));
    assert!(
        recall(RU2, &on("mic1")) < 0.3,
        "mic1 took the witness's words: {:?}",
        on("mic1")
    );
    assert!(
        recall(RU, &on("mic2")) < 0.3,
        "mic2 took the judge's words: {:?}",
        on("mic2")
    );
    let u = &done.utterances[0];
    assert_eq!(
        (u.role.as_str(), u.speaker.as_deref()),
        ("judge", Some("Ахметова А."))
    );
    assert!(
        u.start_ms >= 5000
            && u.words
                .iter()
                .all(|x| x.start_ms >= u.start_ms && x.end_ms <= u.end_ms)
    );
}

fn write_wav(path: &Path, samples: &[f32]) {
    std::fs::write(path, verbatim_transcribe::audio::wav_bytes(samples)).unwrap();
}

/// Incremental transcription over 2 s segment files as they are sealed, with a restart in
/// the middle (progress reloaded from disk): the same utterances as one pass over the
/// whole recording, none twice.
#[test]
fn incremental_steps_and_a_restart_give_the_whole_transcript_once() {
    let Some(w) = whisper() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = speak("ru", RU, dir.path());
    let b = speak("ru", RU2, dir.path());
    let mut track = vec![0f32; 8000];
    track.extend(&a);
    track.extend(vec![0f32; 24000]);
    track.extend(&b);
    track.extend(vec![0f32; 16000]);
    // 2 s segments, as the recorder seals them.
    let seg = 32000;
    let mut files = Vec::new();
    for (i, chunk) in track.chunks(seg).enumerate() {
        let p = dir.path().join(format!("{i:06}.wav"));
        write_wav(&p, chunk);
        let start = i as u64 * 2000;
        files.push(SegmentFile {
            path: p,
            start_ms: start,
            end_ms: start + chunk.len() as u64 * 1000 / 16000,
        });
    }
    let mics = [Mic {
        id: "mic1".into(),
        role: "judge".into(),
        speaker: None,
    }];
    let state = dir.path().join("progress.json");
    let mut stats = Stats::default();
    for sealed in 1..=files.len() {
        // A restart halfway: the progress comes back from its file.
        let mut p = Progress::load(&state).unwrap();
        let ended = sealed == files.len();
        p.step(
            w,
            &mics,
            &[files[..sealed].to_vec()],
            LangChoice::Auto,
            ended,
            &mut stats,
        )
        .unwrap();
        p.save(&state).unwrap();
    }
    let p = Progress::load(&state).unwrap();
    assert!(p.complete);
    let text: String = p
        .utterances
        .iter()
        .map(|u| u.text.clone())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        recall(RU, &text) >= 0.6 && recall(RU2, &text) >= 0.6,
        "{text:?}"
    );
    // Nothing twice: no word of the transcript appears more often than in the script.
    let mut ids: Vec<&str> = p.utterances.iter().map(|u| u.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), p.utterances.len());
    // Nothing transcribed twice: the script's longer words at most as often as said (a
    // misheard short word such as "и" may appear anywhere), and one mic's utterances never
    // overlap in time.
    let script = words(&format!("{RU} {RU2}"));
    for w in words(&text)
        .iter()
        .filter(|w| w.chars().count() >= 4 && script.contains(w))
    {
        let said = script.iter().filter(|x| *x == w).count();
        let got = words(&text).iter().filter(|x| *x == w).count();
        assert!(got <= said, "{w:?} {got} times in {text:?}");
    }
    for pair in p.utterances.windows(2) {
        assert!(
            pair[1].start_ms >= pair[0].end_ms,
            "overlapping utterances: {pair:?}"
        );
    }
}
