//! The official exports of a transcript revision: PDF and DOCX (the court's document), WebVTT
//! and SRT (captions for the recording), plain text.
//!
//! Every export is built from one [`Transcript`] revision and an [`ExportContext`] (the
//! hearing's administrative data, the certification and the log checkpoint the revision is
//! anchored to, and the language of the labels). The PDF, DOCX and text share one document
//! model, so they say the same thing: a title block, speaker-labelled paragraphs with times on
//! the media clock (`H:MM:SS`) and the language of an utterance marked where it changes, then
//! the certification status and the log checkpoint.
//!
//! An evidence bundle's certificate ([`certificate_pdf`]) is drawn by the same PDF code.
//!
//! Every function returns the file's bytes or an [`ExportError`]; none panics on bad input.

mod certificate;
mod cues;
mod docx;
mod labels;
mod pdf;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::{clock, Lang, Transcript, TranscriptError, Utterance};
use labels::Labels;

pub use certificate::{certificate_pdf, Certificate, CertificateFile, CertificateStream};
pub use cues::{to_srt, to_webvtt, MAX_CUE_MS, MAX_LINES, MAX_LINE_CHARS};
pub use docx::to_docx;
pub use pdf::to_pdf;

/// The latest media time an export accepts: 1,000 hours (so that time arithmetic cannot
/// overflow on a nonsense transcript).
pub const MAX_MEDIA_MS: u64 = 1000 * 3600 * 1000;

/// Where Debian's `fonts-dejavu-core` puts DejaVu Sans, which the PDF embeds.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// The language of the labels (the transcript's own text stays as spoken).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UiLang {
    #[default]
    Kk,
    Ru,
    En,
}

impl UiLang {
    pub fn parse(s: &str) -> Result<UiLang, ExportError> {
        match s {
            "kk" => Ok(UiLang::Kk),
            "ru" => Ok(UiLang::Ru),
            "en" => Ok(UiLang::En),
            other => Err(ExportError::Context(format!(
                "interface language {other:?}: expected kk, ru or en"
            ))),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            UiLang::Kk => "kk",
            UiLang::Ru => "ru",
            UiLang::En => "en",
        }
    }
}

/// The category of the case (as in the catalog).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseCategory {
    Criminal,
    #[default]
    Civil,
    Administrative,
}

impl CaseCategory {
    pub fn parse(s: &str) -> Result<CaseCategory, ExportError> {
        match s {
            "criminal" => Ok(CaseCategory::Criminal),
            "civil" => Ok(CaseCategory::Civil),
            "administrative" => Ok(CaseCategory::Administrative),
            other => Err(ExportError::Context(format!(
                "case category {other:?}: expected criminal, civil or administrative"
            ))),
        }
    }
}

/// A participant of the hearing: a role (`prosecutor`, `defendant`, `witness`, ... as in the
/// catalog) and a name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub role: String,
    pub name: String,
}

/// A certification of a revision: a log entry made by a judge or secretary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    /// The certified revision; must be the exported one.
    pub revision: u32,
    /// Who certified it (name or login).
    pub by: String,
    pub at_unix_ms: u64,
    /// SHA-256 of the revision document (its JSON bytes), 64 hex digits.
    pub sha256: String,
}

/// The signed checkpoint of the court's log that covers the revision's entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogCheckpoint {
    /// The log's origin line (its name in the checkpoint).
    pub origin: String,
    pub tree_size: u64,
    /// The root hash, standard base64 of 32 bytes.
    pub root_hash: String,
    /// The log index of the revision's `transcript_revision` entry (below `tree_size`).
    pub entry_index: u64,
}

/// What the exports say about the hearing besides the transcript itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportContext {
    pub court_name: String,
    /// Must be the transcript's `court`.
    pub court_id: String,
    pub courtroom: String,
    pub case_number: String,
    pub case_category: CaseCategory,
    /// `YYYY-MM-DD`
    pub hearing_date: String,
    /// `HH:MM`
    pub hearing_start: String,
    pub judge: String,
    pub secretary: String,
    pub participants: Vec<Participant>,
    /// A closed (in camera) hearing.
    pub closed: bool,
    /// The language of the labels.
    pub lang: UiLang,
    /// The court's offset from UTC in minutes, for the wall-clock times printed (Kazakhstan:
    /// +300).
    pub utc_offset_minutes: i32,
    /// `None`: not certified (the machine transcript or a draft).
    pub certification: Option<Certification>,
    /// `None`: the revision's entry is not yet in a signed checkpoint.
    pub checkpoint: Option<LogCheckpoint>,
    /// Where `DejaVuSans.ttf` (and `DejaVuSans-Bold.ttf`, if present) are; PDF only.
    pub font_dir: PathBuf,
}

impl Default for ExportContext {
    fn default() -> Self {
        ExportContext {
            court_name: String::new(),
            court_id: String::new(),
            courtroom: String::new(),
            case_number: String::new(),
            case_category: CaseCategory::default(),
            hearing_date: String::new(),
            hearing_start: String::new(),
            judge: String::new(),
            secretary: String::new(),
            participants: Vec::new(),
            closed: false,
            lang: UiLang::default(),
            utc_offset_minutes: 300,
            certification: None,
            checkpoint: None,
            font_dir: PathBuf::from(DEFAULT_FONT_DIR),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Transcript(#[from] TranscriptError),
    #[error("export context: {0}")]
    Context(String),
    #[error("font {path}: {reason} (install Debian package fonts-dejavu-core, or set the context's font_dir)")]
    Font { path: PathBuf, reason: String },
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("DOCX: {0}")]
    Docx(String),
}

fn bad<T>(m: String) -> Result<T, ExportError> {
    Err(ExportError::Context(m))
}

impl ExportContext {
    /// Checks the context and that it belongs with the transcript.
    pub fn check(&self, t: &Transcript) -> Result<(), ExportError> {
        t.validate()?;
        if clean(&self.court_name).is_empty() {
            return bad("court name is empty".into());
        }
        if self.court_id != t.court {
            return bad(format!(
                "court id {:?} is not the transcript's court {:?}",
                self.court_id, t.court
            ));
        }
        if clean(&self.case_number).is_empty() {
            return bad("case number is empty".into());
        }
        parse_date(&self.hearing_date)?;
        parse_hh_mm(&self.hearing_start)?;
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return bad(format!("UTC offset of {} minutes", self.utc_offset_minutes));
        }
        if let Some(c) = &self.certification {
            if c.revision != t.revision {
                return bad(format!(
                    "the certification is of revision {}, the transcript is revision {}",
                    c.revision, t.revision
                ));
            }
            if clean(&c.by).is_empty() {
                return bad("the certification names no one".into());
            }
            if c.sha256.len() != 64 || !c.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return bad(format!(
                    "certification sha256 {:?}: expected 64 hex digits",
                    c.sha256
                ));
            }
            civil(c.at_unix_ms, 0)?;
        }
        if let Some(k) = &self.checkpoint {
            if clean(&k.origin).is_empty() {
                return bad("checkpoint origin is empty".into());
            }
            if k.entry_index >= k.tree_size {
                return bad(format!(
                    "the revision's entry {} is not in a checkpoint of size {}",
                    k.entry_index, k.tree_size
                ));
            }
            if !is_base64_of_32_bytes(&k.root_hash) {
                return bad(format!(
                    "checkpoint root hash {:?}: expected standard base64 of 32 bytes",
                    k.root_hash
                ));
            }
        }
        civil(t.created_unix_ms, 0)?;
        if let Some(u) = t.utterances.iter().find(|u| u.end_ms > MAX_MEDIA_MS) {
            return bad(format!(
                "utterance {} ends {} ms into the hearing, past {MAX_MEDIA_MS} ms",
                u.id, u.end_ms
            ));
        }
        Ok(())
    }
}

/// One line of text: runs of whitespace and control characters become one space, and
/// characters that XML cannot carry go, so that every format can hold the result.
pub(crate) fn clean(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_base64_of_32_bytes(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 44
        && b[43] == b'='
        && b[..43].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
        // the last character before the padding carries 4 bits of the 32nd byte and 2 unused
        // bits, which must be zero
        && b"AEIMQUYcgkosw048".contains(&b[42])
}

fn parse_date(s: &str) -> Result<(i64, u32, u32), ExportError> {
    let err = || ExportError::Context(format!("hearing date {s:?}: expected YYYY-MM-DD"));
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(err());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32, ExportError> {
        let part = &s[r];
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        part.parse().map_err(|_| err())
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if y < 1900 || !(1..=12).contains(&m) || d == 0 || d > days[m as usize - 1] {
        return Err(err());
    }
    Ok((y as i64, m, d))
}

fn parse_hh_mm(s: &str) -> Result<(u32, u32), ExportError> {
    let err = || ExportError::Context(format!("hearing start {s:?}: expected HH:MM"));
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || !b[..2].iter().chain(&b[3..]).all(|c| c.is_ascii_digit()) {
        return Err(err());
    }
    let (h, m) = (
        s[..2].parse::<u32>().map_err(|_| err())?,
        s[3..].parse::<u32>().map_err(|_| err())?,
    );
    if h > 23 || m > 59 {
        return Err(err());
    }
    Ok((h, m))
}

/// Civil date and time of a Unix time in ms at an offset: (y, m, d, hh, mm, ss).
pub fn civil(unix_ms: u64, offset_min: i32) -> Result<(i64, u32, u32, u32, u32, u32), ExportError> {
    // Up to the year 9999.
    if unix_ms > 253_402_300_799_000 {
        return bad(format!("time {unix_ms} ms is past the year 9999"));
    }
    let secs = (unix_ms / 1000) as i64 + offset_min as i64 * 60;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    Ok((
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem / 60 % 60) as u32,
        (rem % 60) as u32,
    ))
}

fn format_date(lang: UiLang, (y, m, d): (i64, u32, u32)) -> String {
    match lang {
        UiLang::En => format!("{y:04}-{m:02}-{d:02}"),
        UiLang::Kk | UiLang::Ru => format!("{d:02}.{m:02}.{y:04}"),
    }
}

/// A wall-clock time as printed: `12.03.2026 14:02:11 (UTC+05:00)`.
fn format_instant(lang: UiLang, unix_ms: u64, offset_min: i32) -> String {
    let Ok((y, mo, d, h, mi, s)) = civil(unix_ms, offset_min) else {
        return format!("{unix_ms} ms");
    };
    let sign = if offset_min < 0 { '-' } else { '+' };
    let off = offset_min.unsigned_abs();
    format!(
        "{} {h:02}:{mi:02}:{s:02} (UTC{sign}{:02}:{:02})",
        format_date(lang, (y, mo, d)),
        off / 60,
        off % 60
    )
}

/// One utterance in a paragraph.
pub(crate) struct Said {
    /// `H:MM:SS` on the media clock.
    pub time: String,
    /// The language, where it differs from the utterance before (and on the first).
    pub lang_mark: Option<&'static str>,
    pub lang: Lang,
    pub text: String,
}

/// Consecutive utterances of one speaker.
pub(crate) struct Paragraph {
    pub speaker: String,
    pub said: Vec<Said>,
}

/// What the PDF, DOCX and text say, in the interface language.
pub(crate) struct Document {
    pub l: &'static Labels,
    pub fields: Vec<(&'static str, String)>,
    pub participants: Vec<(String, String)>,
    pub revision: String,
    pub paragraphs: Vec<Paragraph>,
    pub certified: bool,
    pub certification: Vec<(&'static str, String)>,
    pub checkpoint: Vec<(&'static str, String)>,
    pub case_footer: String,
    /// For the document's metadata.
    pub title_line: String,
    pub lang: UiLang,
    pub created_unix_ms: u64,
}

/// A role as printed: translated when known, else as configured.
fn role_name(role: &str, ctx: &ExportContext) -> String {
    match labels::role(role, ctx.case_category, ctx.lang) {
        Some(r) => r.to_string(),
        None => clean(&role.replace('_', " ")),
    }
}

/// "Судья (Ахметова А.)": the role, translated, and the speaker's name when known (from the
/// utterance, else the hearing's judge or secretary, else the one participant in that role).
pub(crate) fn speaker_label(u: &Utterance, ctx: &ExportContext) -> String {
    let role = role_name(&u.role, ctx);
    let key = u.role.trim().to_lowercase();
    let name = u
        .speaker
        .as_deref()
        .map(clean)
        .filter(|n| !n.is_empty())
        .or_else(|| {
            let known = match key.as_str() {
                "judge" => clean(&ctx.judge),
                "secretary" => clean(&ctx.secretary),
                _ => {
                    let mut same = ctx
                        .participants
                        .iter()
                        .filter(|p| p.role.trim().to_lowercase() == key);
                    match (same.next(), same.next()) {
                        (Some(p), None) if !key.is_empty() => clean(&p.name),
                        _ => String::new(),
                    }
                }
            };
            (!known.is_empty()).then_some(known)
        });
    match (role.is_empty(), name) {
        (false, Some(n)) => format!("{role} ({n})"),
        (false, None) => role,
        (true, Some(n)) => n,
        (true, None) => format!("{} ({})", labels::labels(ctx.lang).speaker, clean(&u.mic)),
    }
}

impl Document {
    pub fn build(t: &Transcript, ctx: &ExportContext) -> Result<Document, ExportError> {
        ctx.check(t)?;
        let l = labels::labels(ctx.lang);
        let date = format_date(ctx.lang, parse_date(&ctx.hearing_date)?);
        let or_none = |s: &str| {
            let s = clean(s);
            if s.is_empty() {
                l.none.to_string()
            } else {
                s
            }
        };
        let mut court = clean(&ctx.court_name);
        if !ctx.court_id.is_empty() {
            court = format!("{court} ({})", clean(&ctx.court_id));
        }
        let mut fields = vec![(l.court, court)];
        if !clean(&ctx.courtroom).is_empty() {
            fields.push((l.courtroom, clean(&ctx.courtroom)));
        }
        fields.extend([
            (l.case_number, clean(&ctx.case_number)),
            (l.category, l.category(ctx.case_category).to_string()),
            (l.date_time, format!("{date}, {}", ctx.hearing_start)),
            (
                l.hearing,
                (if ctx.closed { l.closed } else { l.open }).to_string(),
            ),
            (l.judge, or_none(&ctx.judge)),
            (l.secretary, or_none(&ctx.secretary)),
        ]);
        let participants = ctx
            .participants
            .iter()
            .map(|p| (role_name(&p.role, ctx), clean(&p.name)))
            .filter(|(r, n)| !(r.is_empty() && n.is_empty()))
            .collect();

        let mut revision = t.revision.to_string();
        match t.based_on {
            None => revision += &format!(" — {}", l.machine),
            Some(b) => revision += &format!(" — {}", l.correction.replace("{b}", &b.to_string())),
        }
        if !clean(&t.recognizer).is_empty() && t.based_on.is_none() {
            revision += &format!(" ({})", clean(&t.recognizer));
        }
        revision += &format!(
            "; {}: {}; {}",
            l.author,
            or_none(&t.author),
            format_instant(ctx.lang, t.created_unix_ms, ctx.utc_offset_minutes)
        );

        let mut paragraphs: Vec<Paragraph> = Vec::new();
        let mut last_lang: Option<Lang> = None;
        for u in &t.utterances {
            let text = clean(&u.text);
            if text.is_empty() {
                continue;
            }
            let speaker = speaker_label(u, ctx);
            let said = Said {
                time: clock(u.start_ms),
                lang_mark: (last_lang != Some(u.lang)).then(|| l.lang_mark(u.lang)),
                lang: u.lang,
                text,
            };
            last_lang = Some(u.lang);
            match paragraphs.last_mut() {
                Some(p) if p.speaker == speaker => p.said.push(said),
                _ => paragraphs.push(Paragraph {
                    speaker,
                    said: vec![said],
                }),
            }
        }

        let certification = match &ctx.certification {
            None => Vec::new(),
            Some(c) => vec![
                (l.certified_revision, c.revision.to_string()),
                (l.certified_by, clean(&c.by)),
                (
                    l.certified_at,
                    format_instant(ctx.lang, c.at_unix_ms, ctx.utc_offset_minutes),
                ),
                (l.sha256, c.sha256.to_ascii_lowercase()),
            ],
        };
        let checkpoint = match &ctx.checkpoint {
            None => vec![(l.checkpoint, l.no_checkpoint.to_string())],
            Some(k) => vec![
                (l.origin, clean(&k.origin)),
                (l.tree_size, k.tree_size.to_string()),
                (l.root_hash, k.root_hash.clone()),
                (l.entry_index, k.entry_index.to_string()),
            ],
        };
        let case_footer = l.case_footer(&clean(&ctx.case_number));
        Ok(Document {
            l,
            fields,
            participants,
            revision,
            paragraphs,
            certified: ctx.certification.is_some(),
            certification,
            checkpoint,
            title_line: format!("{} — {case_footer}", l.title),
            case_footer,
            lang: ctx.lang,
            created_unix_ms: t.created_unix_ms,
        })
    }

    /// The certification status line.
    pub fn status(&self) -> &'static str {
        if self.certified {
            self.l.certified
        } else {
            self.l.not_certified
        }
    }

    /// "[0:00:01] [на казахском языке] text" without the time: the mark and the text.
    pub fn said_text(s: &Said) -> String {
        match s.lang_mark {
            Some(m) => format!("{m} {}", s.text),
            None => s.text.clone(),
        }
    }
}

/// The transcript as UTF-8 plain text: the title block, one line per utterance under its
/// speaker (`[H:MM:SS] text`), then certification and log checkpoint.
pub fn to_text(t: &Transcript, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let d = Document::build(t, ctx)?;
    let l = d.l;
    let mut o = String::new();
    o += l.title;
    o += "\n\n";
    for (k, v) in &d.fields {
        o += &format!("{k}: {v}\n");
    }
    o += &format!("{}:", l.participants);
    if d.participants.is_empty() {
        o += &format!(" {}\n", l.none);
    } else {
        o += "\n";
        for (r, n) in &d.participants {
            o += &format!("  {r}: {n}\n");
        }
    }
    o += &format!("{}: {}\n", l.revision, d.revision);
    o += &format!("\n{}\n\n{}\n", l.transcript.to_uppercase(), l.times_note);
    if d.paragraphs.is_empty() {
        o += &format!("\n{}\n", l.no_speech);
    }
    for p in &d.paragraphs {
        o += &format!("\n{}\n", p.speaker);
        for s in &p.said {
            o += &format!("[{}] {}\n", s.time, Document::said_text(s));
        }
    }
    o += &format!("\n{}\n\n{}\n", l.certification.to_uppercase(), d.status());
    for (k, v) in &d.certification {
        o += &format!("{k}: {v}\n");
    }
    o += &format!("\n{}\n", l.checkpoint.to_uppercase());
    for (k, v) in &d.checkpoint {
        if *k != l.checkpoint {
            o += &format!("{k}: {v}\n");
        } else {
            o += &format!("{v}\n");
        }
    }
    Ok(o.into_bytes())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Word, FORMAT};

    pub fn context(lang: UiLang) -> ExportContext {
        ExportContext {
            court_name: "Бостандықский районный суд г. Алматы".into(),
            court_id: "bostandyk".into(),
            courtroom: "Зал № 3".into(),
            case_number: "2-1234/2026".into(),
            case_category: CaseCategory::Civil,
            hearing_date: "2026-03-12".into(),
            hearing_start: "10:00".into(),
            judge: "Ахметова А. Б.".into(),
            secretary: "Серікова Д.".into(),
            participants: vec![
                Participant {
                    role: "plaintiff".into(),
                    name: "Иванов И. И.".into(),
                },
                Participant {
                    role: "defendant".into(),
                    name: "Серіков Б.".into(),
                },
            ],
            lang,
            ..Default::default()
        }
    }

    pub fn utterance(i: usize, role: &str, lang: Lang, start_ms: u64, text: &str) -> Utterance {
        let n = text.split_whitespace().count().max(1) as u64;
        let end_ms = start_ms + 400 * n;
        Utterance {
            id: format!("mic-{role}@{start_ms}-{i}"),
            mic: format!("mic-{role}"),
            role: role.into(),
            speaker: None,
            lang,
            start_ms,
            end_ms,
            text: text.into(),
            words: text
                .split_whitespace()
                .enumerate()
                .map(|(k, w)| Word {
                    text: w.into(),
                    start_ms: start_ms + 400 * k as u64,
                    end_ms: start_ms + 400 * k as u64 + 350,
                    p: Some(0.9),
                })
                .collect(),
            edited: false,
        }
    }

    pub fn transcript(utterances: Vec<Utterance>) -> Transcript {
        Transcript {
            format: FORMAT.into(),
            court: "bostandyk".into(),
            hearing: "h1".into(),
            revision: 1,
            based_on: None,
            author: "machine".into(),
            created_unix_ms: 1_773_295_200_000,
            recognizer: "whisper-base".into(),
            utterances,
        }
    }

    #[test]
    fn text_groups_speakers_marks_languages_and_says_when_there_is_no_speech() {
        let t = transcript(vec![
            utterance(0, "judge", Lang::Kk, 1000, "Сот отырысы ашық."),
            utterance(1, "judge", Lang::Ru, 4000, "Слушается дело."),
            utterance(2, "plaintiff", Lang::Ru, 9000, "Поддерживаю иск."),
            utterance(3, "plaintiff", Lang::Ru, 12000, "  "),
        ]);
        let s = String::from_utf8(to_text(&t, &context(UiLang::Ru)).unwrap()).unwrap();
        assert!(s.contains("Судья (Ахметова А. Б.)\n[0:00:01] [на казахском языке] Сот отырысы ашық.\n[0:00:04] [на русском языке] Слушается дело.\n"), "{s}");
        assert!(
            s.contains("Истец (Иванов И. И.)\n[0:00:09] Поддерживаю иск.\n"),
            "{s}"
        );
        assert!(
            s.contains("Дата и время заседания: 12.03.2026, 10:00"),
            "{s}"
        );
        assert!(
            s.contains("НЕ УДОСТОВЕРЕНО — машинная стенограмма/черновик"),
            "{s}"
        );
        assert!(s.contains("Редакция стенограммы: 1 — машинное распознавание (whisper-base); автор: machine; 12.03.2026 11:00:00 (UTC+05:00)"), "{s}");
        let e =
            String::from_utf8(to_text(&transcript(vec![]), &context(UiLang::En)).unwrap()).unwrap();
        assert!(e.contains("There is no speech in the recording."), "{e}");
    }

    #[test]
    fn bad_contexts_are_named() {
        let t = transcript(vec![]);
        let check = |f: &dyn Fn(&mut ExportContext)| {
            let mut c = context(UiLang::En);
            f(&mut c);
            to_text(&t, &c).unwrap_err().to_string()
        };
        assert!(check(&|c| c.hearing_date = "2026-02-30".into()).contains("hearing date"));
        assert!(check(&|c| c.hearing_start = "25:00".into()).contains("hearing start"));
        assert!(check(&|c| c.court_id = "other".into()).contains("not the transcript's court"));
        assert!(check(&|c| c.case_number = " \n".into()).contains("case number"));
        let cert = Certification {
            revision: 2,
            by: "x".into(),
            at_unix_ms: 0,
            sha256: "a".repeat(64),
        };
        assert!(check(&|c| c.certification = Some(cert.clone())).contains("revision 2"));
        let k = LogCheckpoint {
            origin: "o".into(),
            tree_size: 5,
            root_hash: "x".into(),
            entry_index: 5,
        };
        assert!(check(&|c| c.checkpoint = Some(k.clone())).contains("not in a checkpoint"));
        let k = LogCheckpoint {
            entry_index: 1,
            ..k
        };
        assert!(check(&|c| c.checkpoint = Some(k.clone())).contains("base64"));
        assert!(UiLang::parse("de").is_err() && CaseCategory::parse("family").is_err());
        let mut far = transcript(vec![utterance(0, "judge", Lang::Kk, 0, "а")]);
        far.utterances[0].end_ms = u64::MAX;
        let e = to_text(&far, &context(UiLang::En)).unwrap_err().to_string();
        assert!(e.contains("past 3600000000 ms"), "{e}");
    }

    #[test]
    fn times_and_base64_are_checked() {
        assert_eq!(civil(0, 0).unwrap(), (1970, 1, 1, 0, 0, 0));
        assert_eq!(
            civil(1_709_251_199_000, 300).unwrap(),
            (2024, 3, 1, 4, 59, 59)
        );
        assert_eq!(
            format_instant(UiLang::Kk, 951_782_400_000, -90),
            "28.02.2000 22:30:00 (UTC-01:30)"
        );
        assert!(is_base64_of_32_bytes(&format!("{}=", "A".repeat(43))));
        assert!(!is_base64_of_32_bytes(&format!("{}B=", "A".repeat(42))));
        assert_eq!(clean(" a\u{1}\tb\n\nc\u{FFFF} "), "a b c");
    }
}
