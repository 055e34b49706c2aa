//! The transcript of a hearing.
//!
//! A transcript is a sequence of **revisions**. Revision 1 is the recogniser's output; every
//! correction by the secretary makes a new revision that names the one it is based on, so the
//! machine output is never lost. Each revision is one JSON document, written once under
//! `hearings/<hearing>/transcript/` and sealed in the court's log (entry `transcript_revision`
//! with its SHA-256). Certifying a revision is another log entry; nothing edits a certified
//! transcript.
//!
//! Times are milliseconds on the hearing's **media clock**, the clock of the segments'
//! `media_start_ns`/`media_end_ns`, so a word maps straight to a moment of playback.

use serde::{Deserialize, Serialize};

pub mod export;

/// The document format of a revision; readers refuse others.
pub const FORMAT: &str = "verbatim-transcript/1";

/// Longest text of one utterance, in bytes (a 30 s utterance is far below it).
pub const MAX_UTTERANCE_TEXT: usize = 8 * 1024;

/// A language of the record. Transcripts are in Kazakh or Russian, chosen per utterance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
        }
    }

    pub fn parse(s: &str) -> Result<Lang, TranscriptError> {
        match s {
            "kk" => Ok(Lang::Kk),
            "ru" => Ok(Lang::Ru),
            other => Err(TranscriptError::Invalid(format!(
                "language {other:?}: a transcript is in kk (Kazakh) or ru (Russian)"
            ))),
        }
    }
}

/// One recognised word with its time on the media clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start_ms: u64,
    pub end_ms: u64,
    /// The recogniser's confidence, 0..1; absent for words typed by a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f32>,
}

/// What one microphone carried between two moments: one speaker's turn, at most 30 s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Utterance {
    /// Stable across revisions: `<mic>@<start_ms>` of the machine output.
    pub id: String,
    /// The microphone (source id) that carried it.
    pub mic: String,
    /// The mic's role (judge, secretary, prosecutor, ...), from the courtroom's configuration.
    #[serde(default)]
    pub role: String,
    /// The participant in that role for this hearing, when the catalog knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    pub lang: Lang,
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
    /// Word times; empty when a person rewrote the utterance and no times are known.
    #[serde(default)]
    pub words: Vec<Word>,
    /// Set when a person changed this utterance after the machine output.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
}

/// One revision of a hearing's transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub format: String,
    pub court: String,
    pub hearing: String,
    /// 1 for the machine output, then 2, 3, ...
    pub revision: u32,
    /// The revision this one corrects (absent for revision 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<u32>,
    /// Who made it: `machine` or a user's login.
    pub author: String,
    pub created_unix_ms: u64,
    /// The recogniser that produced the machine output (model directory name, settings).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recognizer: String,
    pub utterances: Vec<Utterance>,
}

#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("transcript: {0}")]
    Invalid(String),
    #[error("transcript JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl Transcript {
    /// Parses and checks a revision document.
    pub fn from_json(bytes: &[u8]) -> Result<Transcript, TranscriptError> {
        let t: Transcript = serde_json::from_slice(bytes)?;
        t.validate()?;
        Ok(t)
    }

    /// The bytes that are written and sealed.
    pub fn to_json(&self) -> Result<Vec<u8>, TranscriptError> {
        self.validate()?;
        let mut v = serde_json::to_vec_pretty(self)?;
        v.push(b'\n');
        Ok(v)
    }

    /// Checks what a reader and the exports rely on: the format, revision numbering,
    /// utterance times in order and words inside their utterance.
    pub fn validate(&self) -> Result<(), TranscriptError> {
        let bad = |m: String| Err(TranscriptError::Invalid(m));
        if self.format != FORMAT {
            return bad(format!("format {:?}, expected {FORMAT:?}", self.format));
        }
        if self.revision == 0 {
            return bad("revision 0: revisions count from 1".into());
        }
        match self.based_on {
            None if self.revision != 1 => {
                return bad(format!(
                    "revision {} names no revision it is based on",
                    self.revision
                ))
            }
            Some(b) if b >= self.revision => {
                return bad(format!(
                    "revision {} is based on a later revision {b}",
                    self.revision
                ))
            }
            _ => {}
        }
        let mut ids = std::collections::HashSet::new();
        let mut last_start = 0;
        for (i, u) in self.utterances.iter().enumerate() {
            let at = format!("utterance {} ({})", i + 1, u.id);
            if u.id.is_empty() || !ids.insert(u.id.as_str()) {
                return bad(format!("{at}: empty or repeated id"));
            }
            if u.end_ms < u.start_ms {
                return bad(format!("{at}: ends before it starts"));
            }
            if u.start_ms < last_start {
                return bad(format!("{at}: starts before the utterance above it"));
            }
            last_start = u.start_ms;
            if u.text.len() > MAX_UTTERANCE_TEXT || u.text.contains('\0') {
                return bad(format!("{at}: text too long or with a NUL byte"));
            }
            for w in &u.words {
                if w.end_ms < w.start_ms || w.start_ms < u.start_ms || w.end_ms > u.end_ms {
                    return bad(format!(
                        "{at}: word {:?} outside the utterance's time",
                        w.text
                    ));
                }
            }
        }
        Ok(())
    }

    /// The relative path of a revision inside the court's data directory.
    pub fn path(hearing: &str, revision: u32) -> String {
        format!("hearings/{hearing}/transcript/r{revision:04}.json")
    }
}

/// `H:MM:SS` of a media time, for the exports and the interface.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Transcript {
        Transcript {
            format: FORMAT.into(),
            court: "bostandyk".into(),
            hearing: "h1".into(),
            revision: 1,
            based_on: None,
            author: "machine".into(),
            created_unix_ms: 1,
            recognizer: "whisper-base".into(),
            utterances: vec![Utterance {
                id: "mic-1@1000".into(),
                mic: "mic-1".into(),
                role: "judge".into(),
                speaker: Some("Ахметова А.".into()),
                lang: Lang::Kk,
                start_ms: 1000,
                end_ms: 2500,
                text: "Сот отырысы ашық".into(),
                words: vec![Word {
                    text: "Сот".into(),
                    start_ms: 1000,
                    end_ms: 1400,
                    p: Some(0.9),
                }],
                edited: false,
            }],
        }
    }

    #[test]
    fn a_revision_round_trips_and_bad_ones_are_named() {
        let t = sample();
        assert_eq!(Transcript::from_json(&t.to_json().unwrap()).unwrap(), t);
        let mut b = t.clone();
        b.utterances[0].words[0].end_ms = 9000;
        assert!(b
            .validate()
            .unwrap_err()
            .to_string()
            .contains("outside the utterance"));
        let mut b = t.clone();
        b.revision = 2;
        assert!(b.validate().unwrap_err().to_string().contains("based on"));
        let e = Transcript::from_json(br#"{"format":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("transcript JSON"), "{e}");
        assert!(Lang::parse("en").is_err());
        assert_eq!(clock(3_723_000), "1:02:03");
    }
}
