//! WebVTT, SRT and text read back with a checker written here.

mod common;

use common::*;
use verbatim_transcript::export::{self, UiLang, MAX_CUE_MS, MAX_LINES, MAX_LINE_CHARS};
use verbatim_transcript::Lang;

/// A cue as parsed back.
#[derive(Debug)]
struct Cue {
    start: u64,
    end: u64,
    speaker: String,
    /// The visible text lines, tags removed and entities decoded.
    lines: Vec<String>,
}

fn parse_timestamp(s: &str, sep: char) -> u64 {
    let (hms, ms) = s
        .split_once(sep)
        .unwrap_or_else(|| panic!("timestamp {s:?}"));
    let parts: Vec<&str> = hms.split(':').collect();
    assert_eq!(parts.len(), 3, "timestamp {s:?}");
    assert!(
        parts[0].len() >= 2 && parts[1].len() == 2 && parts[2].len() == 2 && ms.len() == 3,
        "timestamp {s:?}"
    );
    let num = |p: &str| -> u64 {
        assert!(p.bytes().all(|b| b.is_ascii_digit()), "timestamp {s:?}");
        p.parse().unwrap()
    };
    let (h, m, sec) = (num(parts[0]), num(parts[1]), num(parts[2]));
    assert!(m < 60 && sec < 60);
    ((h * 60 + m) * 60 + sec) * 1000 + num(ms)
}

fn parse_timing(line: &str, sep: char) -> (u64, u64) {
    let (a, b) = line
        .split_once(" --> ")
        .unwrap_or_else(|| panic!("timing line {line:?}"));
    let b = b.split(' ').next().unwrap();
    (parse_timestamp(a, sep), parse_timestamp(b, sep))
}

/// Removes WebVTT tags, decodes its three entities, and returns the voice of `<v ...>`.
fn vtt_text(payload: &str) -> (String, String) {
    let mut voice = String::new();
    let mut text = String::new();
    let mut rest = payload;
    while let Some(i) = rest.find('<') {
        text += &rest[..i];
        let j = rest[i..].find('>').expect("an unclosed tag") + i;
        let tag = &rest[i + 1..j];
        if let Some(v) = tag.strip_prefix("v ") {
            voice = v.to_string();
        } else {
            assert!(
                ["lang kk", "lang ru", "/lang", "/v"].contains(&tag),
                "tag <{tag}>"
            );
        }
        rest = &rest[j + 1..];
    }
    text += rest;
    let decode = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    assert!(!text.contains('<') && !text.contains('>'), "{payload:?}");
    (decode(&voice), decode(&text))
}

fn parse_vtt(s: &str) -> (Vec<Cue>, Vec<String>) {
    assert!(s.starts_with("WEBVTT\n\n"), "header");
    let mut cues = Vec::new();
    let mut notes = Vec::new();
    for block in s.trim_end().split("\n\n").skip(1) {
        assert!(
            !block.is_empty() && !block.starts_with('\n'),
            "blank lines between blocks only"
        );
        if block.starts_with("NOTE") {
            assert!(!block.contains("-->"), "--> in a NOTE");
            notes.push(block.to_string());
            continue;
        }
        let lines: Vec<&str> = block.lines().collect();
        assert!(!lines[0].contains("-->"), "cue identifier: {block:?}");
        let (start, end) = parse_timing(lines[1], '.');
        let payload = lines[2..].join("\n");
        assert!(!payload.contains("-->"), "--> in a cue: {payload:?}");
        assert!(lines[2..].iter().all(|l| !l.is_empty()));
        let (speaker, text) = vtt_text(&payload);
        cues.push(Cue {
            start,
            end,
            speaker,
            lines: text.lines().map(str::to_string).collect(),
        });
    }
    (cues, notes)
}

fn parse_srt(s: &str) -> Vec<Cue> {
    let mut cues = Vec::new();
    for (i, block) in s.trim_end().split("\n\n").enumerate() {
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines[0], (i + 1).to_string(), "SRT numbering");
        let (start, end) = parse_timing(lines[1], ',');
        assert!(
            lines.len() > 2
                && lines[2..]
                    .iter()
                    .all(|l| !l.trim().is_empty() && !l.contains("-->")),
            "{block:?}"
        );
        cues.push(Cue {
            start,
            end,
            speaker: String::new(),
            lines: lines[2..].iter().map(|l| l.to_string()).collect(),
        });
    }
    cues
}

/// The rules every cue list keeps: well-formed times, starts in order, at most 7 s and two
/// lines of 42 characters, one speaker's cues never overlapping.
fn check_cues(cues: &[Cue], voices: bool) {
    let mut last_start = 0;
    let mut ends: std::collections::HashMap<&str, u64> = Default::default();
    for c in cues {
        assert!(c.start >= last_start, "starts out of order at {c:?}");
        last_start = c.start;
        assert!(
            c.end > c.start && c.end - c.start <= MAX_CUE_MS,
            "duration of {c:?}"
        );
        assert!(
            !c.lines.is_empty() && c.lines.len() <= MAX_LINES,
            "lines of {c:?}"
        );
        assert!(
            c.lines.iter().all(|l| l.chars().count() <= MAX_LINE_CHARS),
            "line length of {c:?}"
        );
        if voices {
            assert!(!c.speaker.is_empty());
            if let Some(end) = ends.get(c.speaker.as_str()) {
                assert!(*end <= c.start, "{}'s cues overlap at {c:?}", c.speaker);
            }
            ends.insert(&c.speaker, c.end);
        }
    }
}

#[test]
fn webvtt_and_srt_parse_back_and_keep_the_cue_rules() {
    let t = hearing();
    let ctx = context(UiLang::Ru);
    let vtt = String::from_utf8(export::to_webvtt(&t, &ctx).unwrap()).unwrap();
    let (cues, notes) = parse_vtt(&vtt);
    check_cues(&cues, true);
    assert!(
        notes[0].contains("Номер дела: 2-1234/2026") && notes[0].contains("НЕ УДОСТОВЕРЕНО"),
        "{vtt}"
    );
    // Every utterance's words, in order, in its speaker's cues.
    let words_of = |speaker: &str| -> String {
        cues.iter()
            .filter(|c| c.speaker == speaker)
            .flat_map(|c| c.lines.clone())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        words_of("Истец (Иванов И. И.)"),
        "Сумма иска < 5 000 000 & проценты --> по договору"
    );
    assert!(vtt.contains("<v Истец (Иванов И. И.)><lang ru>Сумма иска &lt; 5 000 000 &amp; проценты --&gt; по\nдоговору</lang></v>"), "{vtt}");
    let witness: Vec<&Cue> = cues
        .iter()
        .filter(|c| c.speaker.starts_with("Свидетель"))
        .collect();
    assert!(
        witness.len() >= 3,
        "a 28-word utterance without word times is split: {witness:?}"
    );
    assert_eq!(
        words_of("Свидетель (Жұмабаев Ә.)"),
        flat(&t.utterances[5].text)
    );
    // Split at word times: each of the judge's long utterance's cues starts at a word.
    let starts: Vec<u64> = t.utterances[4].words.iter().map(|w| w.start_ms).collect();
    let judge_long: Vec<&Cue> = cues
        .iter()
        .filter(|c| c.start >= 25_000 && c.start < 45_000 && c.speaker.starts_with("Судья"))
        .collect();
    assert!(
        judge_long.len() >= 3 && judge_long.iter().all(|c| starts.contains(&c.start)),
        "{judge_long:?}"
    );
    // The plaintiff and the defendant talk over each other.
    let p = cues
        .iter()
        .find(|c| c.speaker.starts_with("Истец"))
        .unwrap();
    let d = cues
        .iter()
        .find(|c| c.speaker.starts_with("Ответчик"))
        .unwrap();
    assert!(d.start < p.end, "the overlap is kept");

    let srt = String::from_utf8(export::to_srt(&t, &ctx).unwrap()).unwrap();
    let scues = parse_srt(&srt);
    check_cues(&scues, false);
    assert!(scues.len() >= cues.len(), "labels take room: {srt}");
    assert!(srt.starts_with("1\n00:00:01,000 --> "), "{srt}");
    assert!(
        srt.contains("\nСудья (Ахметова А. Б.): Сот отырысы"),
        "{srt}"
    );
    assert!(srt.contains(" -> по"), "--> in the text is defused: {srt}");
}

#[test]
fn an_empty_transcript_says_there_is_no_speech() {
    let t = transcript(vec![utterance(0, "judge", Lang::Kk, 0, "   ", true)]);
    let ctx = context(UiLang::Ru);
    let no_speech = "В записи нет речи.";
    let text = String::from_utf8(export::to_text(&t, &ctx).unwrap()).unwrap();
    assert!(text.contains(no_speech), "{text}");
    let vtt = String::from_utf8(export::to_webvtt(&t, &ctx).unwrap()).unwrap();
    let (cues, notes) = parse_vtt(&vtt);
    assert!(
        cues.is_empty() && notes.iter().any(|n| n.contains(no_speech)),
        "{vtt}"
    );
    let srt = String::from_utf8(export::to_srt(&t, &ctx).unwrap()).unwrap();
    let scues = parse_srt(&srt);
    assert_eq!(scues.len(), 1);
    assert_eq!(scues[0].lines, [format!("[{no_speech}]")]);
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    let t = hearing();
    let ctx = certified(context(UiLang::En), 3);
    for r in [
        export::to_text(&t, &ctx),
        export::to_webvtt(&t, &ctx),
        export::to_srt(&t, &ctx),
    ] {
        assert!(r.unwrap_err().to_string().contains("revision 3"));
    }
    let mut bad = t.clone();
    bad.utterances[1].start_ms = 0;
    let e = export::to_srt(&bad, &context(UiLang::En))
        .unwrap_err()
        .to_string();
    assert!(e.contains("starts before"), "{e}");
}
