//! Captions: WebVTT and SRT.
//!
//! Each utterance becomes one or more cues of at most [`MAX_CUE_MS`] and [`MAX_LINES`] lines
//! of [`MAX_LINE_CHARS`] characters. A long utterance is split between words: at the words'
//! own times when the utterance has word times that spell its text, else at times in
//! proportion to the text before the split. Cues of one speaker never overlap; cues of
//! different speakers may (people talk over each other), which WebVTT allows.

use std::collections::HashMap;

use super::{clean, Document, ExportContext, ExportError};
use crate::{Lang, Transcript, Utterance};

/// The longest a cue stays on screen, unless one word takes longer.
pub const MAX_CUE_MS: u64 = 7000;
/// Lines of text in a cue.
pub const MAX_LINES: usize = 2;
/// Characters in a line of a cue (a token longer than this is cut).
pub const MAX_LINE_CHARS: usize = 42;
/// The shortest a cue stays on screen (an utterance without duration still shows).
const MIN_CUE_MS: u64 = 700;
/// The longest speaker label put in front of an SRT cue's text.
const MAX_SRT_LABEL_CHARS: usize = 32;

/// One caption.
#[derive(Debug)]
pub(crate) struct Cue {
    pub start_ms: u64,
    pub end_ms: u64,
    pub speaker: String,
    pub lang: Lang,
    /// The visible lines (with the speaker in front of the first, in SRT).
    pub lines: Vec<String>,
}

/// A token of an utterance's text with its time.
#[derive(Debug, Clone)]
struct Tok {
    text: String,
    start: u64,
    end: u64,
}

/// The tokens of an utterance with times: the words' own when they spell the text, else in
/// proportion to the characters before each token.
fn tokens(u: &Utterance) -> Vec<Tok> {
    let text = clean(&u.text);
    let text_toks: Vec<&str> = text.split(' ').filter(|s| !s.is_empty()).collect();
    let words: Vec<(String, u64, u64)> = u
        .words
        .iter()
        .map(|w| (clean(&w.text), w.start_ms, w.end_ms))
        .collect();
    let spelled = words
        .iter()
        .flat_map(|(t, _, _)| t.split(' ').filter(|s| !s.is_empty()));
    let mut toks = Vec::new();
    if !words.is_empty() && spelled.eq(text_toks.iter().copied()) {
        for (t, start, end) in &words {
            let parts: Vec<&str> = t.split(' ').filter(|s| !s.is_empty()).collect();
            let k = parts.len() as u64;
            for (i, p) in parts.iter().enumerate() {
                let i = i as u64;
                toks.push(Tok {
                    text: p.to_string(),
                    start: start + (end - start) * i / k,
                    end: start + (end - start) * (i + 1) / k,
                });
            }
        }
    } else {
        let total: u64 = text_toks.iter().map(|t| t.chars().count() as u64 + 1).sum();
        let dur = u.end_ms - u.start_ms;
        let mut before = 0;
        for t in &text_toks {
            let n = t.chars().count() as u64;
            toks.push(Tok {
                text: t.to_string(),
                start: u.start_ms + dur * before / total.max(1),
                end: u.start_ms + dur * (before + n) / total.max(1),
            });
            before += n + 1;
        }
    }
    // A token too long for a line is cut into pieces, its time shared in proportion.
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        let chars: Vec<char> = t.text.chars().collect();
        if chars.len() <= MAX_LINE_CHARS {
            out.push(t);
            continue;
        }
        let n = chars.len() as u64;
        for (i, piece) in chars.chunks(MAX_LINE_CHARS).enumerate() {
            let from = (i * MAX_LINE_CHARS) as u64;
            let to = from + piece.len() as u64;
            out.push(Tok {
                text: piece.iter().collect(),
                start: t.start + (t.end - t.start) * from / n,
                end: t.start + (t.end - t.start) * to / n,
            });
        }
    }
    out
}

/// Greedy wrapping into lines of at most [`MAX_LINE_CHARS`] (tokens are no longer than that).
fn wrap<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut len = 0;
    for w in words {
        let n = w.chars().count();
        match lines.last_mut() {
            Some(line) if len + 1 + n <= MAX_LINE_CHARS => {
                line.push(' ');
                line.push_str(w);
                len += 1 + n;
            }
            _ => {
                lines.push(w.to_string());
                len = n;
            }
        }
    }
    lines
}

/// The speaker label in front of an SRT cue: the whole label if short, else the role alone,
/// else cut.
fn srt_label(label: &str) -> String {
    let fit = |s: &str| s.chars().count() < MAX_SRT_LABEL_CHARS;
    if fit(label) {
        return format!("{label}:");
    }
    if let Some((role, _)) = label.split_once(" (") {
        if fit(role) {
            return format!("{role}:");
        }
    }
    let cut: String = label.chars().take(MAX_SRT_LABEL_CHARS - 2).collect();
    format!("{cut}…:")
}

/// The cues of a transcript, ordered by start; `with_label` puts the speaker in front of the
/// first cue of each utterance (SRT has no voice spans).
pub(crate) fn cues(t: &Transcript, ctx: &ExportContext, with_label: bool) -> Vec<Cue> {
    let mut cues = Vec::new();
    for u in &t.utterances {
        let toks = tokens(u);
        if toks.is_empty() {
            continue;
        }
        let speaker = super::speaker_label(u, ctx);
        let label = with_label.then(|| srt_label(&speaker));
        let prefix = |first: bool| -> Vec<&str> {
            match (&label, first) {
                (Some(l), true) => l.split(' ').collect(),
                _ => Vec::new(),
            }
        };
        let mut chunks: Vec<Vec<Tok>> = Vec::new();
        let mut cur: Vec<Tok> = Vec::new();
        for tok in toks {
            if let Some(first) = cur.first() {
                let mut words = prefix(chunks.is_empty());
                words.extend(cur.iter().map(|t| t.text.as_str()));
                words.push(&tok.text);
                if wrap(words).len() > MAX_LINES || tok.end.saturating_sub(first.start) > MAX_CUE_MS
                {
                    chunks.push(std::mem::take(&mut cur));
                }
            }
            cur.push(tok);
        }
        chunks.push(cur);
        for (i, chunk) in chunks.iter().enumerate() {
            let start = chunk[0].start;
            let natural_end = chunks.get(i + 1).map_or(u.end_ms, |next| next[0].start);
            let last_word_end = chunk.last().map_or(start, |t| t.end);
            let end = natural_end.min(start + MAX_CUE_MS).max(last_word_end);
            let mut words = prefix(i == 0);
            words.extend(chunk.iter().map(|t| t.text.as_str()));
            cues.push(Cue {
                start_ms: start,
                end_ms: end,
                speaker: speaker.clone(),
                lang: u.lang,
                lines: wrap(words),
            });
        }
    }
    settle(&mut cues);
    cues
}

/// Gives every cue a minimum duration, orders cues by start, and keeps one speaker's cues
/// from overlapping: an earlier cue ends where the next begins; a cue starting with the one
/// before it waits for it to end.
fn settle(cues: &mut [Cue]) {
    for c in cues.iter_mut() {
        c.end_ms = c.end_ms.max(c.start_ms + MIN_CUE_MS);
    }
    cues.sort_by_key(|c| c.start_ms);
    let mut last: HashMap<String, usize> = HashMap::new();
    for i in 0..cues.len() {
        if let Some(&j) = last.get(&cues[i].speaker) {
            if cues[i].start_ms < cues[j].end_ms {
                if cues[j].start_ms < cues[i].start_ms {
                    cues[j].end_ms = cues[i].start_ms;
                } else {
                    cues[i].start_ms = cues[j].end_ms;
                    cues[i].end_ms = cues[i].end_ms.max(cues[i].start_ms + MIN_CUE_MS);
                }
            }
        }
        last.insert(cues[i].speaker.clone(), i);
    }
    cues.sort_by_key(|c| c.start_ms);
}

/// `HH:MM:SS.mmm` (WebVTT, `sep` '.') or `HH:MM:SS,mmm` (SRT, `sep` ',').
fn timestamp(ms: u64, sep: char) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}{sep}{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

/// Escapes cue text and voice annotations for WebVTT (`-->` cannot survive it).
fn vtt_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text for a WebVTT NOTE or an SRT cue: no `-->`, no line breaks.
fn no_arrow(s: &str) -> String {
    let mut s = clean(s);
    while s.contains("-->") {
        s = s.replace("-->", "->");
    }
    s
}

/// WebVTT captions: a NOTE with the case, revision, certification and checkpoint, then one
/// cue per part of an utterance, `<v speaker><lang kk|ru>text</lang></v>`.
pub fn to_webvtt(t: &Transcript, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let d = Document::build(t, ctx)?;
    let mut o = String::from("WEBVTT\n\nNOTE\n");
    o += &no_arrow(&d.title_line);
    o += "\n";
    for (k, v) in &d.fields {
        o += &format!("{}: {}\n", no_arrow(k), no_arrow(v));
    }
    o += &format!(
        "{}: {}\n{}\n",
        no_arrow(d.l.revision),
        no_arrow(&d.revision),
        no_arrow(d.status())
    );
    for (k, v) in d.certification.iter().chain(&d.checkpoint) {
        o += &format!("{}: {}\n", no_arrow(k), no_arrow(v));
    }
    let cues = cues(t, ctx, false);
    if cues.is_empty() {
        o += &format!("\nNOTE {}\n", no_arrow(d.l.no_speech));
    }
    for (n, c) in cues.iter().enumerate() {
        o += &format!(
            "\n{}\n{} --> {}\n<v {}><lang {}>{}</lang></v>\n",
            n + 1,
            timestamp(c.start_ms, '.'),
            timestamp(c.end_ms, '.'),
            vtt_escape(&c.speaker),
            c.lang.code(),
            vtt_escape(&c.lines.join("\n")),
        );
    }
    Ok(o.into_bytes())
}

/// SRT captions: numbered cues, the speaker in front of each utterance's first cue. With no
/// speech, one cue says so (SRT has no comments).
pub fn to_srt(t: &Transcript, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let d = Document::build(t, ctx)?;
    let cues = cues(t, ctx, true);
    let mut o = String::new();
    if cues.is_empty() {
        o += &format!(
            "1\n{} --> {}\n[{}]\n",
            timestamp(0, ','),
            timestamp(5000, ','),
            no_arrow(d.l.no_speech)
        );
    }
    for (n, c) in cues.iter().enumerate() {
        if n > 0 {
            o += "\n";
        }
        o += &format!(
            "{}\n{} --> {}\n",
            n + 1,
            timestamp(c.start_ms, ','),
            timestamp(c.end_ms, ',')
        );
        for line in &c.lines {
            o += &no_arrow(line);
            o += "\n";
        }
    }
    Ok(o.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{context, transcript, utterance};
    use super::super::UiLang;
    use super::*;

    #[test]
    fn long_utterances_split_at_word_times_into_short_two_line_cues() {
        let text = (0..60)
            .map(|i| format!("сөз{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let u = utterance(0, "witness", Lang::Kk, 10_000, &text);
        let word_starts: Vec<u64> = u.words.iter().map(|w| w.start_ms).collect();
        let t = transcript(vec![u]);
        let cues = cues(&t, &context(UiLang::Kk), false);
        assert!(cues.len() > 3, "{cues:?}");
        let mut words = Vec::new();
        for (i, c) in cues.iter().enumerate() {
            assert!(
                c.end_ms > c.start_ms && c.end_ms - c.start_ms <= MAX_CUE_MS,
                "{c:?}"
            );
            assert!(
                c.lines.len() <= MAX_LINES
                    && c.lines.iter().all(|l| l.chars().count() <= MAX_LINE_CHARS)
            );
            assert!(
                word_starts.contains(&c.start_ms),
                "cue {i} starts between words: {c:?}"
            );
            if let Some(next) = cues.get(i + 1) {
                assert!(c.end_ms <= next.start_ms, "one speaker's cues overlap");
            }
            words.extend(
                c.lines
                    .iter()
                    .flat_map(|l| l.split(' ').map(str::to_string)),
            );
        }
        assert_eq!(words.join(" "), text);
        assert_eq!(cues[0].start_ms, 10_000);
    }

    #[test]
    fn without_word_times_splits_by_proportion_of_text() {
        let text = "Бір екі үш төрт бес алты жеті сегіз тоғыз он. ".repeat(6);
        let mut u = utterance(0, "judge", Lang::Kk, 0, &text);
        u.words.clear();
        u.end_ms = 30_000;
        let cues = cues(&transcript(vec![u]), &context(UiLang::Kk), false);
        assert!(cues.len() >= 5, "{cues:?}");
        assert_eq!((cues[0].start_ms, cues.last().unwrap().end_ms), (0, 30_000));
        for w in cues.windows(2) {
            // contiguous, but for a cue cut at MAX_CUE_MS just before its next word
            assert!(
                w[0].end_ms <= w[1].start_ms && w[1].start_ms - w[0].end_ms < 200,
                "{w:?}"
            );
            assert!(w[0].end_ms - w[0].start_ms <= MAX_CUE_MS);
        }
    }

    #[test]
    fn edited_text_that_the_words_no_longer_spell_is_timed_by_proportion() {
        let mut u = utterance(0, "judge", Lang::Ru, 0, "раз два три");
        u.text = "раз два четыре".into();
        let toks = tokens(&u);
        assert_eq!(
            toks.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["раз", "два", "четыре"]
        );
        assert_eq!(
            (toks[0].start, toks[2].end),
            (u.start_ms, u.end_ms - 1200 / 15)
        );
    }

    #[test]
    fn one_speakers_overlapping_utterances_do_not_overlap_as_cues() {
        let a = utterance(0, "judge", Lang::Ru, 1000, "первое высказывание судьи");
        let mut b = utterance(1, "judge", Lang::Ru, 1000, "второе");
        b.id = "x".into();
        let c = utterance(2, "prosecutor", Lang::Ru, 1100, "перебивает");
        let cues = cues(&transcript(vec![a, b, c]), &context(UiLang::Ru), true);
        let judge: Vec<&Cue> = cues
            .iter()
            .filter(|c| c.speaker.starts_with("Судья"))
            .collect();
        assert_eq!(judge.len(), 2);
        assert!(judge[0].end_ms <= judge[1].start_ms && judge[1].end_ms > judge[1].start_ms);
        assert!(cues
            .iter()
            .any(|c| c.speaker == "Прокурор" && c.start_ms < judge[0].end_ms));
        assert_eq!(cues[0].lines[0], "Судья (Ахметова А. Б.): первое");
    }

    #[test]
    fn labels_timestamps_and_escapes() {
        assert_eq!(srt_label("Судья (Ахметова А.)"), "Судья (Ахметова А.):");
        assert_eq!(
            srt_label("Представитель (Константинопольская-Иванова)"),
            "Представитель:"
        );
        assert_eq!(
            srt_label(&"ә".repeat(40)).chars().count(),
            MAX_SRT_LABEL_CHARS
        );
        assert_eq!(timestamp(3_723_004, '.'), "01:02:03.004");
        assert_eq!(timestamp(360_000_000, ','), "100:00:00,000");
        assert_eq!(vtt_escape("a<b>&c-->"), "a&lt;b&gt;&amp;c--&gt;");
        assert_eq!(no_arrow("a ---> b\nc"), "a -> b c");
    }
}
