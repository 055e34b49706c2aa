//! The log's entries: what the court's record says happened, in a versioned, canonical form.
//!
//! An entry is one JSON object in canonical form (RFC 8785 restricted to integers: keys
//! sorted, no whitespace, minimal string escapes, integers below 2^53). The log commits to
//! exact bytes, so one meaning must have one encoding: [`Entry::decode`] accepts bytes only
//! if encoding what it decoded gives back the same bytes. The format is specified in
//! `docs/log-format.md`; every change to it must keep old entries decoding to the same
//! meaning.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Entry format version written by this code.
pub const ENTRY_VERSION: u64 = 1;
/// tlog-tiles entry bundles frame entries with a 16-bit length.
pub const MAX_ENTRY_BYTES: usize = 65_535;
/// Largest integer that JSON readers in every language hold exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
const MAX_ID_LEN: usize = 128;
const MAX_TEXT_LEN: usize = 16_384;

/// Why bytes are not a valid entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    #[error("entry is {0} bytes, more than the 65535 allowed")]
    TooLarge(usize),
    #[error("entry is not a JSON object: {0}")]
    NotJson(String),
    #[error("entry is not in canonical form (sorted keys, no whitespace, minimal escapes, no duplicate or unknown fields)")]
    NotCanonical,
    #[error("entry has no integer \"v\" version field")]
    NoVersion,
    #[error("entry has no string \"kind\" field")]
    NoKind,
    #[error("entry of kind {kind:?} is malformed: {reason}")]
    Malformed { kind: String, reason: String },
    #[error("field {field:?} is invalid: {reason}")]
    InvalidField { field: &'static str, reason: String },
}

/// A segment file closed by the recorder and sealed into the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSealed {
    pub court: String,
    pub courtroom: String,
    pub hearing: String,
    /// Stream id within the hearing, e.g. `cam1`, `mic3`.
    pub stream: String,
    /// Segment number within the stream: 0, 1, 2, ... with no gaps, across parts.
    pub seq: u64,
    /// Media time of the segment's first and last instant, nanoseconds from the hearing's
    /// start on the recorder's shared clock.
    pub media_start_ns: u64,
    pub media_end_ns: u64,
    /// Wall-clock time (Unix epoch, milliseconds, UTC) at which the segment's first instant
    /// was captured.
    pub captured_unix_ms: u64,
    /// Length of the file in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lowercase hexadecimal.
    pub sha256: String,
    /// Where the file lies, relative to the court's data directory, `/`-separated.
    pub path: String,
}

/// A segment file that a crash left open (the segment in flight), sealed as found when the
/// recorder restarted. Its end time is not known from the recorder; the file's own
/// timestamps tell how much it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRecovered {
    pub court: String,
    pub courtroom: String,
    pub hearing: String,
    pub stream: String,
    pub seq: u64,
    /// Media time at which the segment was opened.
    pub media_start_ns: u64,
    /// Wall-clock time at which the restarted recorder found it.
    pub found_unix_ms: u64,
    pub bytes: u64,
    pub sha256: String,
    pub path: String,
}

/// Someone viewed, changed or exported something: the audit trail, sealed like the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    pub court: String,
    /// Username of who did it.
    pub actor: String,
    /// Their role: administrator, judge, secretary, viewer.
    pub role: String,
    /// What: login, login_failed, view_hearing, start_recording, add_note, ...
    pub action: String,
    /// The hearing it concerns, or empty.
    pub hearing: String,
    pub at_unix_ms: u64,
    pub detail: String,
}

/// A revision of a hearing's transcript: a JSON document written once under
/// `hearings/<hearing>/transcript/` and sealed here. Revision 1 is the recogniser's output;
/// each correction is a new revision based on an earlier one (`based_on`, 0 for none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptRevision {
    pub court: String,
    pub hearing: String,
    pub revision: u64,
    pub based_on: u64,
    /// `machine`, or the login of the person who made the correction.
    pub author: String,
    pub role: String,
    pub utterances: u64,
    pub at_unix_ms: u64,
    pub bytes: u64,
    pub sha256: String,
    /// `hearings/<hearing>/transcript/r<revision, 4 digits>.json`.
    pub path: String,
}

/// A transcript revision certified as the official transcript; no revision follows it.
/// Media from outside the court's recorder (a court's own camcorder, a phone) brought into a
/// hearing: its provenance. Sealed just before the segments cut from it (stream `stream`),
/// which carry lower assurance than native capture: the court vouches for the file it was
/// given, not for how it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaImported {
    pub court: String,
    pub hearing: String,
    pub stream: String,
    /// The file's name as given (no directories), its size and SHA-256.
    pub source_name: String,
    pub source_bytes: u64,
    pub source_sha256: String,
    /// What it held, as probed (e.g. "video/x-h264, audio/mpeg").
    pub source_format: String,
    /// Who brought it in, and when.
    pub by: String,
    pub at_unix_ms: u64,
    /// Where in the hearing's media time its first segment starts.
    pub media_offset_ns: u64,
}

/// A redaction of a hearing for a public copy (closed parts, minors, personal data): spans of
/// streams muted (audio) or blanked (video), each with its reason. Sealed just before the
/// `segment_redacted` entries of the segments it replaces; the original segments stay sealed
/// and untouched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    pub court: String,
    pub hearing: String,
    /// The redaction's id within the hearing (`r1`, `r2`, ...).
    pub redaction: String,
    pub by: String,
    pub role: String,
    pub at_unix_ms: u64,
    pub spans: Vec<RedactedSpan>,
}

/// One declared span of a redaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactedSpan {
    pub stream: String,
    /// Media time from the hearing's start.
    pub from_ns: u64,
    pub to_ns: u64,
    /// `mute` (audio) or `blank` (video).
    pub action: String,
    pub reason: String,
}

impl RedactedSpan {
    /// Whether the span touches a segment of `stream` covering `[start_ns, end_ns)` of media
    /// time. A recovered segment (`end_ns` None: its end was never recorded) is taken to run
    /// on to the end of the hearing, so it is redacted whenever in doubt.
    pub fn touches(&self, stream: &str, start_ns: u64, end_ns: Option<u64>) -> bool {
        self.stream == stream
            && start_ns < self.to_ns
            && end_ns.is_none_or(|e| e.max(start_ns + 1) > self.from_ns)
    }
}

/// The most spans one redaction declares (the entry must stay under 64 KB).
pub const MAX_REDACTED_SPANS: usize = 64;
/// The longest reason of a span.
pub const MAX_REDACTION_REASON: usize = 500;

/// A segment re-encoded for a redaction, with the redaction's spans muted or blanked: the
/// file that stands in for segment `seq` of `stream` (SHA-256 `original_sha256`) in the
/// redacted public copy. Written once under
/// `hearings/<hearing>/redactions/<redaction>/<stream>/<seq>.<ext>` and sealed here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRedacted {
    pub court: String,
    pub hearing: String,
    pub redaction: String,
    pub stream: String,
    pub seq: u64,
    pub original_sha256: String,
    pub bytes: u64,
    pub sha256: String,
    pub path: String,
}

/// Where a redacted segment lives in the data directory.
pub fn redacted_path(hearing: &str, redaction: &str, stream: &str, seq: u64, ext: &str) -> String {
    format!("hearings/{hearing}/redactions/{redaction}/{stream}/{seq:06}.{ext}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptCertified {
    pub court: String,
    pub hearing: String,
    pub revision: u64,
    /// SHA-256 of the certified revision's document.
    pub sha256: String,
    pub by: String,
    pub role: String,
    pub at_unix_ms: u64,
}

/// A file sealed by an entry: what the verifier checks on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedFile<'a> {
    pub hearing: &'a str,
    pub stream: &'a str,
    pub seq: u64,
    /// Whether `seq` numbers of the stream run on without gaps (segments, transcript
    /// revisions), or pick out single ones (redacted replacements).
    pub sequenced: bool,
    pub path: &'a str,
    pub bytes: u64,
    pub sha256: &'a str,
}

/// A hearing starts recording (or resumes as a new part after a recorder restart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HearingOpened {
    pub court: String,
    pub courtroom: String,
    pub hearing: String,
    pub case_number: String,
    pub judge: String,
    pub secretary: String,
    /// 1 for the first opening; each restart of the recorder opens a new part.
    pub part: u64,
    pub at_unix_ms: u64,
}

/// A hearing paused, resumed or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HearingEvent {
    pub court: String,
    pub hearing: String,
    pub media_ns: u64,
    pub at_unix_ms: u64,
    /// Why, in the secretary's words (recess, deliberation, ...); may be empty.
    pub reason: String,
}

/// A source (camera, microphone) stopped delivering or came back: the gap in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEvent {
    pub court: String,
    pub hearing: String,
    pub stream: String,
    pub media_ns: u64,
    pub at_unix_ms: u64,
    pub reason: String,
}

/// A timed note written by the secretary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogNote {
    pub court: String,
    pub hearing: String,
    pub media_ns: u64,
    pub at_unix_ms: u64,
    /// User who wrote the note.
    pub author: String,
    /// Speaker or tag the note is about (judge, prosecutor, witness sworn, exhibit, ...).
    pub role: String,
    pub text: String,
}

/// One entry of the court's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    SegmentSealed(SegmentSealed),
    HearingOpened(HearingOpened),
    HearingPaused(HearingEvent),
    HearingResumed(HearingEvent),
    HearingClosed(HearingEvent),
    SourceLost(SourceEvent),
    SourceRestored(SourceEvent),
    /// Privacy mute of a microphone (attorney-client talk): its audio is not recorded.
    MicMuted(SourceEvent),
    MicUnmuted(SourceEvent),
    LogNote(LogNote),
    SegmentRecovered(SegmentRecovered),
    Audit(Audit),
    TranscriptRevision(TranscriptRevision),
    TranscriptCertified(TranscriptCertified),
    MediaImported(MediaImported),
    Redaction(Redaction),
    SegmentRedacted(SegmentRedacted),
    /// A canonical entry of a kind or version this code does not know (written by newer
    /// software). It is still part of the tree and verifies as bytes; its meaning is
    /// for newer readers.
    Unrecognized {
        version: u64,
        kind: String,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Known {
    SegmentSealed(SegmentSealed),
    HearingOpened(HearingOpened),
    HearingPaused(HearingEvent),
    HearingResumed(HearingEvent),
    HearingClosed(HearingEvent),
    SourceLost(SourceEvent),
    SourceRestored(SourceEvent),
    MicMuted(SourceEvent),
    MicUnmuted(SourceEvent),
    LogNote(LogNote),
    SegmentRecovered(SegmentRecovered),
    Audit(Audit),
    TranscriptRevision(TranscriptRevision),
    TranscriptCertified(TranscriptCertified),
    MediaImported(MediaImported),
    Redaction(Redaction),
    SegmentRedacted(SegmentRedacted),
}

const KNOWN_KINDS: [&str; 17] = [
    "segment_sealed",
    "hearing_opened",
    "hearing_paused",
    "hearing_resumed",
    "hearing_closed",
    "source_lost",
    "source_restored",
    "log_note",
    "mic_muted",
    "mic_unmuted",
    "segment_recovered",
    "audit",
    "transcript_revision",
    "transcript_certified",
    "media_imported",
    "redaction",
    "segment_redacted",
];

/// A recorded segment, sealed as it closed or recovered after a crash: what exports,
/// redactions and the bundle verifier need of either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentRef<'a> {
    pub stream: &'a str,
    pub seq: u64,
    pub start_ns: u64,
    /// `None` for a recovered segment: its end was never recorded.
    pub end_ns: Option<u64>,
    pub path: &'a str,
    pub sha256: &'a str,
}

impl Entry {
    /// The segment this entry records (`segment_sealed`, `segment_recovered`), if any.
    pub fn segment(&self) -> Option<SegmentRef<'_>> {
        match self {
            Entry::SegmentSealed(s) => Some(SegmentRef {
                stream: &s.stream,
                seq: s.seq,
                start_ns: s.media_start_ns,
                end_ns: Some(s.media_end_ns),
                path: &s.path,
                sha256: &s.sha256,
            }),
            Entry::SegmentRecovered(s) => Some(SegmentRef {
                stream: &s.stream,
                seq: s.seq,
                start_ns: s.media_start_ns,
                end_ns: None,
                path: &s.path,
                sha256: &s.sha256,
            }),
            _ => None,
        }
    }

    /// The entry's kind as written in its `kind` field.
    pub fn kind(&self) -> &str {
        match self {
            Entry::SegmentSealed(_) => "segment_sealed",
            Entry::HearingOpened(_) => "hearing_opened",
            Entry::HearingPaused(_) => "hearing_paused",
            Entry::HearingResumed(_) => "hearing_resumed",
            Entry::HearingClosed(_) => "hearing_closed",
            Entry::SourceLost(_) => "source_lost",
            Entry::SourceRestored(_) => "source_restored",
            Entry::LogNote(_) => "log_note",
            Entry::MicMuted(_) => "mic_muted",
            Entry::MicUnmuted(_) => "mic_unmuted",
            Entry::SegmentRecovered(_) => "segment_recovered",
            Entry::Audit(_) => "audit",
            Entry::TranscriptRevision(_) => "transcript_revision",
            Entry::TranscriptCertified(_) => "transcript_certified",
            Entry::MediaImported(_) => "media_imported",
            Entry::Redaction(_) => "redaction",
            Entry::SegmentRedacted(_) => "segment_redacted",
            Entry::Unrecognized { kind, .. } => kind,
        }
    }

    /// The hearing the entry belongs to, if it is of a known kind.
    pub fn hearing(&self) -> Option<&str> {
        Some(match self {
            Entry::SegmentSealed(e) => &e.hearing,
            Entry::HearingOpened(e) => &e.hearing,
            Entry::HearingPaused(e) | Entry::HearingResumed(e) | Entry::HearingClosed(e) => {
                &e.hearing
            }
            Entry::SourceLost(e)
            | Entry::SourceRestored(e)
            | Entry::MicMuted(e)
            | Entry::MicUnmuted(e) => &e.hearing,
            Entry::LogNote(e) => &e.hearing,
            Entry::SegmentRecovered(e) => &e.hearing,
            Entry::TranscriptRevision(e) => &e.hearing,
            Entry::TranscriptCertified(e) => &e.hearing,
            Entry::MediaImported(e) => &e.hearing,
            Entry::Redaction(e) => &e.hearing,
            Entry::SegmentRedacted(e) => &e.hearing,
            Entry::Audit(e) if !e.hearing.is_empty() => &e.hearing,
            Entry::Audit(_) | Entry::Unrecognized { .. } => return None,
        })
    }

    fn to_known(&self) -> Option<Known> {
        Some(match self.clone() {
            Entry::SegmentSealed(e) => Known::SegmentSealed(e),
            Entry::HearingOpened(e) => Known::HearingOpened(e),
            Entry::HearingPaused(e) => Known::HearingPaused(e),
            Entry::HearingResumed(e) => Known::HearingResumed(e),
            Entry::HearingClosed(e) => Known::HearingClosed(e),
            Entry::SourceLost(e) => Known::SourceLost(e),
            Entry::SourceRestored(e) => Known::SourceRestored(e),
            Entry::LogNote(e) => Known::LogNote(e),
            Entry::MicMuted(e) => Known::MicMuted(e),
            Entry::MicUnmuted(e) => Known::MicUnmuted(e),
            Entry::SegmentRecovered(e) => Known::SegmentRecovered(e),
            Entry::Audit(e) => Known::Audit(e),
            Entry::TranscriptRevision(e) => Known::TranscriptRevision(e),
            Entry::TranscriptCertified(e) => Known::TranscriptCertified(e),
            Entry::MediaImported(e) => Known::MediaImported(e),
            Entry::Redaction(e) => Known::Redaction(e),
            Entry::SegmentRedacted(e) => Known::SegmentRedacted(e),
            Entry::Unrecognized { .. } => return None,
        })
    }

    fn from_known(k: Known) -> Self {
        match k {
            Known::SegmentSealed(e) => Entry::SegmentSealed(e),
            Known::HearingOpened(e) => Entry::HearingOpened(e),
            Known::HearingPaused(e) => Entry::HearingPaused(e),
            Known::HearingResumed(e) => Entry::HearingResumed(e),
            Known::HearingClosed(e) => Entry::HearingClosed(e),
            Known::SourceLost(e) => Entry::SourceLost(e),
            Known::SourceRestored(e) => Entry::SourceRestored(e),
            Known::LogNote(e) => Entry::LogNote(e),
            Known::MicMuted(e) => Entry::MicMuted(e),
            Known::MicUnmuted(e) => Entry::MicUnmuted(e),
            Known::SegmentRecovered(e) => Entry::SegmentRecovered(e),
            Known::Audit(e) => Entry::Audit(e),
            Known::TranscriptRevision(e) => Entry::TranscriptRevision(e),
            Known::TranscriptCertified(e) => Entry::TranscriptCertified(e),
            Known::MediaImported(e) => Entry::MediaImported(e),
            Known::Redaction(e) => Entry::Redaction(e),
            Known::SegmentRedacted(e) => Entry::SegmentRedacted(e),
        }
    }

    /// The file this entry seals, if it seals one.
    pub fn sealed_file(&self) -> Option<SealedFile<'_>> {
        match self {
            Entry::SegmentSealed(e) => Some(SealedFile {
                hearing: &e.hearing,
                stream: &e.stream,
                seq: e.seq,
                sequenced: true,
                path: &e.path,
                bytes: e.bytes,
                sha256: &e.sha256,
            }),
            Entry::SegmentRecovered(e) => Some(SealedFile {
                hearing: &e.hearing,
                stream: &e.stream,
                seq: e.seq,
                sequenced: true,
                path: &e.path,
                bytes: e.bytes,
                sha256: &e.sha256,
            }),
            // Revisions are numbered from 1; as a sealed "stream" they count from 0, so the
            // verifier's rule that numbers run on without gaps applies to them too.
            Entry::TranscriptRevision(e) => Some(SealedFile {
                hearing: &e.hearing,
                stream: TRANSCRIPT_STREAM,
                seq: e.revision.saturating_sub(1),
                sequenced: true,
                path: &e.path,
                bytes: e.bytes,
                sha256: &e.sha256,
            }),
            Entry::SegmentRedacted(e) => Some(SealedFile {
                hearing: &e.hearing,
                stream: &e.stream,
                seq: e.seq,
                sequenced: false,
                path: &e.path,
                bytes: e.bytes,
                sha256: &e.sha256,
            }),
            _ => None,
        }
    }

    /// Encodes the entry in canonical form, after checking every field.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let known = self.to_known().ok_or_else(|| EntryError::Malformed {
            kind: self.kind().to_string(),
            reason: "entries of unrecognized kinds are never written".into(),
        })?;
        self.validate()?;
        let mut value = serde_json::to_value(&known).map_err(|e| EntryError::Malformed {
            kind: self.kind().to_string(),
            reason: e.to_string(),
        })?;
        value
            .as_object_mut()
            .expect("entries serialize as objects")
            .insert("v".into(), Value::from(ENTRY_VERSION));
        let bytes = canonical_bytes(&value);
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge(bytes.len()));
        }
        Ok(bytes)
    }

    /// Decodes an entry, rejecting anything that is not exactly the canonical encoding of a
    /// valid entry.
    pub fn decode(bytes: &[u8]) -> Result<Self, EntryError> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge(bytes.len()));
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| EntryError::NotJson(e.to_string()))?;
        let Value::Object(map) = &value else {
            return Err(EntryError::NotJson("not an object".into()));
        };
        // Generic canonical form first: sorted keys, no whitespace, no floats, minimal
        // escapes, no duplicate keys (a duplicate collapses and changes the length).
        check_numbers(&value)?;
        if canonical_bytes(&value) != bytes {
            return Err(EntryError::NotCanonical);
        }
        let version = map
            .get("v")
            .and_then(Value::as_u64)
            .ok_or(EntryError::NoVersion)?;
        let kind = map
            .get("kind")
            .and_then(Value::as_str)
            .ok_or(EntryError::NoKind)?
            .to_string();
        if version != ENTRY_VERSION || !KNOWN_KINDS.contains(&kind.as_str()) {
            if version == 0 {
                return Err(EntryError::NoVersion);
            }
            return Ok(Entry::Unrecognized { version, kind });
        }
        let mut body = value.clone();
        body.as_object_mut().expect("checked above").remove("v");
        let known: Known = serde_json::from_value(body).map_err(|e| EntryError::Malformed {
            kind: kind.clone(),
            reason: e.to_string(),
        })?;
        let entry = Entry::from_known(known);
        entry.validate()?;
        if entry.encode()? != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }

    /// Field rules beyond JSON types: identifiers, hashes, paths, time order, sizes.
    pub fn validate(&self) -> Result<(), EntryError> {
        match self {
            Entry::SegmentSealed(e) => {
                id("court", &e.court)?;
                id("courtroom", &e.courtroom)?;
                id("hearing", &e.hearing)?;
                id("stream", &e.stream)?;
                for (field, v) in [
                    ("seq", e.seq),
                    ("media_start_ns", e.media_start_ns),
                    ("media_end_ns", e.media_end_ns),
                    ("captured_unix_ms", e.captured_unix_ms),
                    ("bytes", e.bytes),
                ] {
                    int(field, v)?;
                }
                if e.media_end_ns < e.media_start_ns {
                    return Err(EntryError::InvalidField {
                        field: "media_end_ns",
                        reason: "ends before media_start_ns".into(),
                    });
                }
                if crate::tree::hash_from_hex(&e.sha256).is_none() {
                    return Err(EntryError::InvalidField {
                        field: "sha256",
                        reason: "not 64 lowercase hexadecimal digits".into(),
                    });
                }
                relative_path("path", &e.path)
            }
            Entry::HearingOpened(e) => {
                id("court", &e.court)?;
                id("courtroom", &e.courtroom)?;
                id("hearing", &e.hearing)?;
                text("case_number", &e.case_number, MAX_ID_LEN)?;
                text("judge", &e.judge, MAX_ID_LEN)?;
                text("secretary", &e.secretary, MAX_ID_LEN)?;
                int("part", e.part)?;
                if e.part == 0 {
                    return Err(EntryError::InvalidField {
                        field: "part",
                        reason: "parts are numbered from 1".into(),
                    });
                }
                int("at_unix_ms", e.at_unix_ms)
            }
            Entry::HearingPaused(e) | Entry::HearingResumed(e) | Entry::HearingClosed(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                int("media_ns", e.media_ns)?;
                int("at_unix_ms", e.at_unix_ms)?;
                text("reason", &e.reason, MAX_TEXT_LEN)
            }
            Entry::SourceLost(e)
            | Entry::SourceRestored(e)
            | Entry::MicMuted(e)
            | Entry::MicUnmuted(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                id("stream", &e.stream)?;
                int("media_ns", e.media_ns)?;
                int("at_unix_ms", e.at_unix_ms)?;
                text("reason", &e.reason, MAX_TEXT_LEN)
            }
            Entry::LogNote(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                int("media_ns", e.media_ns)?;
                int("at_unix_ms", e.at_unix_ms)?;
                text("author", &e.author, MAX_ID_LEN)?;
                text("role", &e.role, MAX_ID_LEN)?;
                text("text", &e.text, MAX_TEXT_LEN)
            }
            Entry::SegmentRecovered(e) => {
                id("court", &e.court)?;
                id("courtroom", &e.courtroom)?;
                id("hearing", &e.hearing)?;
                id("stream", &e.stream)?;
                for (field, v) in [
                    ("seq", e.seq),
                    ("media_start_ns", e.media_start_ns),
                    ("found_unix_ms", e.found_unix_ms),
                    ("bytes", e.bytes),
                ] {
                    int(field, v)?;
                }
                if crate::tree::hash_from_hex(&e.sha256).is_none() {
                    return Err(EntryError::InvalidField {
                        field: "sha256",
                        reason: "not 64 lowercase hexadecimal digits".into(),
                    });
                }
                relative_path("path", &e.path)
            }
            Entry::Audit(e) => {
                id("court", &e.court)?;
                text("actor", &e.actor, MAX_ID_LEN)?;
                text("role", &e.role, MAX_ID_LEN)?;
                if !is_valid_id(&e.action) {
                    return Err(EntryError::InvalidField {
                        field: "action",
                        reason: format!("{:?} is not an identifier", e.action),
                    });
                }
                if !e.hearing.is_empty() {
                    id("hearing", &e.hearing)?;
                }
                int("at_unix_ms", e.at_unix_ms)?;
                text("detail", &e.detail, MAX_TEXT_LEN)
            }
            Entry::TranscriptRevision(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                text("author", &e.author, MAX_ID_LEN)?;
                text("role", &e.role, MAX_ID_LEN)?;
                for (field, v) in [
                    ("revision", e.revision),
                    ("based_on", e.based_on),
                    ("utterances", e.utterances),
                    ("at_unix_ms", e.at_unix_ms),
                    ("bytes", e.bytes),
                ] {
                    int(field, v)?;
                }
                if e.revision == 0
                    || e.based_on >= e.revision
                    || (e.revision > 1 && e.based_on == 0)
                {
                    return Err(EntryError::InvalidField {
                        field: "based_on",
                        reason: format!(
                            "revision {} cannot be based on {} (revisions count from 1; each \
                             later one is based on an earlier one)",
                            e.revision, e.based_on
                        ),
                    });
                }
                sha("sha256", &e.sha256)?;
                if e.path != transcript_path(&e.hearing, e.revision) {
                    return Err(EntryError::InvalidField {
                        field: "path",
                        reason: format!("expected {}", transcript_path(&e.hearing, e.revision)),
                    });
                }
                Ok(())
            }
            Entry::TranscriptCertified(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                text("by", &e.by, MAX_ID_LEN)?;
                text("role", &e.role, MAX_ID_LEN)?;
                int("revision", e.revision)?;
                int("at_unix_ms", e.at_unix_ms)?;
                if e.revision == 0 {
                    return Err(EntryError::InvalidField {
                        field: "revision",
                        reason: "revisions count from 1".into(),
                    });
                }
                sha("sha256", &e.sha256)
            }
            Entry::MediaImported(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                id("stream", &e.stream)?;
                text("source_name", &e.source_name, MAX_ID_LEN * 4)?;
                if e.source_name.contains('/') || e.source_name.contains('\\') {
                    return Err(EntryError::InvalidField {
                        field: "source_name",
                        reason: "a file name, without directories".into(),
                    });
                }
                text("source_format", &e.source_format, MAX_ID_LEN * 8)?;
                text("by", &e.by, MAX_ID_LEN)?;
                int("source_bytes", e.source_bytes)?;
                int("at_unix_ms", e.at_unix_ms)?;
                int("media_offset_ns", e.media_offset_ns)?;
                sha("source_sha256", &e.source_sha256)
            }
            Entry::Redaction(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                id("redaction", &e.redaction)?;
                text("by", &e.by, MAX_ID_LEN)?;
                text("role", &e.role, MAX_ID_LEN)?;
                int("at_unix_ms", e.at_unix_ms)?;
                if e.spans.is_empty() || e.spans.len() > MAX_REDACTED_SPANS {
                    return Err(EntryError::InvalidField {
                        field: "spans",
                        reason: format!(
                            "{} spans; a redaction declares 1 to {MAX_REDACTED_SPANS}",
                            e.spans.len()
                        ),
                    });
                }
                for s in &e.spans {
                    id("stream", &s.stream)?;
                    int("from_ns", s.from_ns)?;
                    int("to_ns", s.to_ns)?;
                    if s.to_ns <= s.from_ns {
                        return Err(EntryError::InvalidField {
                            field: "to_ns",
                            reason: "a span ends after it starts".into(),
                        });
                    }
                    if s.action != "mute" && s.action != "blank" {
                        return Err(EntryError::InvalidField {
                            field: "action",
                            reason: format!("{:?} is neither mute nor blank", s.action),
                        });
                    }
                    text("reason", &s.reason, MAX_REDACTION_REASON)?;
                    if s.reason.trim().is_empty() {
                        return Err(EntryError::InvalidField {
                            field: "reason",
                            reason: "every redacted span gives its reason".into(),
                        });
                    }
                }
                Ok(())
            }
            Entry::SegmentRedacted(e) => {
                id("court", &e.court)?;
                id("hearing", &e.hearing)?;
                id("redaction", &e.redaction)?;
                id("stream", &e.stream)?;
                int("seq", e.seq)?;
                int("bytes", e.bytes)?;
                sha("original_sha256", &e.original_sha256)?;
                sha("sha256", &e.sha256)?;
                relative_path("path", &e.path)?;
                let ext = e.path.rsplit_once('.').map_or("", |(_, x)| x);
                if e.path != redacted_path(&e.hearing, &e.redaction, &e.stream, e.seq, ext) {
                    return Err(EntryError::InvalidField {
                        field: "path",
                        reason: format!(
                            "expected {}",
                            redacted_path(&e.hearing, &e.redaction, &e.stream, e.seq, "<ext>")
                        ),
                    });
                }
                Ok(())
            }
            Entry::Unrecognized { .. } => Ok(()),
        }
    }
}

/// The stream name under which transcript revisions are sealed.
pub const TRANSCRIPT_STREAM: &str = "transcript";

/// Where a transcript revision lives in the data directory.
pub fn transcript_path(hearing: &str, revision: u64) -> String {
    format!("hearings/{hearing}/{TRANSCRIPT_STREAM}/r{revision:04}.json")
}

fn sha(field: &'static str, s: &str) -> Result<(), EntryError> {
    if crate::tree::hash_from_hex(s).is_none() {
        return Err(EntryError::InvalidField {
            field,
            reason: "not 64 lowercase hexadecimal digits".into(),
        });
    }
    Ok(())
}

/// The canonical form: serde_json's compact output of the value with every object's members
/// in key order. It writes no whitespace and escapes only `"`, `\` and control characters
/// (lowercase `\u00xx`), as RFC 8785 does. The keys are sorted here, not left to
/// serde_json's map type: a dependency that turns on its `preserve_order` feature (the `c2pa`
/// crate does) makes its maps keep insertion order for the whole build, which would change
/// the bytes of every entry.
fn canonical_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(&sorted(value)).expect("a Value always serializes")
}

/// `value` with every object's members inserted in key order (byte order of the keys, which
/// for the ASCII keys of entries is RFC 8785's order).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::with_capacity(map.len());
            for k in keys {
                out.insert(k.clone(), sorted(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn check_numbers(value: &Value) -> Result<(), EntryError> {
    match value {
        Value::Number(n) => match n.as_u64() {
            Some(v) if v <= MAX_SAFE_INTEGER => Ok(()),
            _ => Err(EntryError::NotCanonical),
        },
        Value::Array(items) => items.iter().try_for_each(check_numbers),
        Value::Object(map) => map.values().try_for_each(check_numbers),
        _ => Ok(()),
    }
}

fn int(field: &'static str, v: u64) -> Result<(), EntryError> {
    if v > MAX_SAFE_INTEGER {
        return Err(EntryError::InvalidField {
            field,
            reason: format!("{v} is above 2^53-1"),
        });
    }
    Ok(())
}

/// Identifiers (court, courtroom, hearing, stream) appear in paths and URLs: ASCII letters,
/// digits, `.`, `_`, `-`; not starting with `.`.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn id(field: &'static str, s: &str) -> Result<(), EntryError> {
    if is_valid_id(s) {
        Ok(())
    } else {
        Err(EntryError::InvalidField {
            field,
            reason: format!(
                "{s:?} is not an identifier (1-128 of A-Z a-z 0-9 . _ -, not starting with .)"
            ),
        })
    }
}

fn text(field: &'static str, s: &str, max: usize) -> Result<(), EntryError> {
    if s.len() > max {
        return Err(EntryError::InvalidField {
            field,
            reason: format!("{} bytes, more than {max}", s.len()),
        });
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(EntryError::InvalidField {
            field,
            reason: "contains a control character".into(),
        });
    }
    Ok(())
}

/// A relative path inside the data directory: `/`-separated identifiers, no `.` or `..`.
pub fn is_valid_relative_path(s: &str) -> bool {
    s.len() <= 1024 && s.split('/').all(is_valid_id)
}

fn relative_path(field: &'static str, s: &str) -> Result<(), EntryError> {
    if is_valid_relative_path(s) {
        Ok(())
    } else {
        Err(EntryError::InvalidField {
            field,
            reason: format!("{s:?} is not a relative path of identifiers"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment() -> Entry {
        Entry::SegmentSealed(SegmentSealed {
            court: "bostandyk".into(),
            courtroom: "room-1".into(),
            hearing: "h1".into(),
            stream: "cam1".into(),
            seq: 7,
            media_start_ns: 14_000_000_000,
            media_end_ns: 16_000_000_000,
            captured_unix_ms: 1_790_000_000_000,
            bytes: 2_000_000,
            sha256: "ab".repeat(32),
            path: "hearings/h1/cam1/000007.mp4".into(),
        })
    }

    #[test]
    fn segment_entry_has_documented_bytes() {
        let bytes = segment().encode().unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            concat!(
                r#"{"bytes":2000000,"captured_unix_ms":1790000000000,"court":"bostandyk","#,
                r#""courtroom":"room-1","hearing":"h1","kind":"segment_sealed","#,
                r#""media_end_ns":16000000000,"media_start_ns":14000000000,"#,
                r#""path":"hearings/h1/cam1/000007.mp4","seq":7,"#,
                r#""sha256":"abababababababababababababababababababababababababababababababab","#,
                r#""stream":"cam1","v":1}"#
            )
        );
        assert_eq!(Entry::decode(&bytes).unwrap(), segment());
    }

    #[test]
    fn every_kind_round_trips() {
        let ev = HearingEvent {
            court: "c".into(),
            hearing: "h".into(),
            media_ns: 5,
            at_unix_ms: 6,
            reason: "перерыв — үзіліс".into(),
        };
        let src = SourceEvent {
            court: "c".into(),
            hearing: "h".into(),
            stream: "mic2".into(),
            media_ns: 1,
            at_unix_ms: 2,
            reason: "rtsp timeout".into(),
        };
        let all = vec![
            segment(),
            Entry::HearingOpened(HearingOpened {
                court: "c".into(),
                courtroom: "r".into(),
                hearing: "h".into(),
                case_number: "2-1234/2026".into(),
                judge: "Ахметова А.".into(),
                secretary: "Сейтқали Н.".into(),
                part: 1,
                at_unix_ms: 3,
            }),
            Entry::HearingPaused(ev.clone()),
            Entry::HearingResumed(ev.clone()),
            Entry::HearingClosed(ev),
            Entry::SourceLost(src.clone()),
            Entry::SourceRestored(src.clone()),
            Entry::MicMuted(src.clone()),
            Entry::MicUnmuted(src),
            Entry::SegmentRecovered(SegmentRecovered {
                court: "c".into(),
                courtroom: "r".into(),
                hearing: "h".into(),
                stream: "cam2".into(),
                seq: 4,
                media_start_ns: 8_000_000_000,
                found_unix_ms: 1_800_000_000_000,
                bytes: 123_456,
                sha256: "0f".repeat(32),
                path: "hearings/h/cam2/000004.mp4".into(),
            }),
            Entry::Audit(Audit {
                court: "c".into(),
                actor: "lawyer1".into(),
                role: "viewer".into(),
                action: "view_hearing".into(),
                hearing: "h".into(),
                at_unix_ms: 11,
                detail: String::new(),
            }),
            Entry::LogNote(LogNote {
                court: "c".into(),
                hearing: "h".into(),
                media_ns: 9,
                at_unix_ms: 10,
                author: "secretary1".into(),
                role: "witness".into(),
                text: "Свидетель предупреждён\n\"об ответственности\"".into(),
            }),
        ];
        for e in all {
            let b = e.encode().unwrap();
            assert_eq!(
                Entry::decode(&b).unwrap(),
                e,
                "{}",
                String::from_utf8_lossy(&b)
            );
        }
    }

    #[test]
    fn non_canonical_forms_are_rejected() {
        let good = String::from_utf8(segment().encode().unwrap()).unwrap();
        let cases = [
            good.replacen(':', ": ", 1), // whitespace
            good.replacen("{\"bytes\":2000000,", "{", 1)
                .replacen("}", ",\"bytes\":2000000}", 1), // key order
            good.replacen("\"seq\":7", "\"seq\":7.0", 1), // float
            good.replacen("\"seq\":7", "\"seq\":07", 1), // leading zero (not JSON)
            good.replacen("\"h1\"", "\"\\u0068\\u0031\"", 1), // needless escape
            good.replacen("\"seq\":7", "\"seq\":7,\"seq\":7", 1), // duplicate key
            good.replacen("\"v\":1", "\"v\":1,\"x\":1", 1), // unknown field
            good.replacen("\"seq\":7", "\"seq\":9007199254740993", 1), // > 2^53
            format!("{good}\n"),         // trailing newline
            format!(" {good}"),
        ];
        for c in cases {
            assert!(Entry::decode(c.as_bytes()).is_err(), "accepted {c}");
        }
    }

    #[test]
    fn invalid_fields_are_rejected_by_name() {
        let mut e = segment();
        if let Entry::SegmentSealed(s) = &mut e {
            s.path = "../etc/passwd".into();
        }
        assert!(matches!(
            e.encode(),
            Err(EntryError::InvalidField { field: "path", .. })
        ));
        let mut e = segment();
        if let Entry::SegmentSealed(s) = &mut e {
            s.sha256 = "AB".repeat(32);
        }
        assert!(matches!(
            e.encode(),
            Err(EntryError::InvalidField {
                field: "sha256",
                ..
            })
        ));
        let mut e = segment();
        if let Entry::SegmentSealed(s) = &mut e {
            s.media_end_ns = 1;
        }
        assert!(e.encode().is_err());
    }

    #[test]
    fn transcript_entries_round_trip_and_their_rules_hold() {
        let r = TranscriptRevision {
            court: "c".into(),
            hearing: "h1".into(),
            revision: 2,
            based_on: 1,
            author: "secretary".into(),
            role: "secretary".into(),
            utterances: 3,
            at_unix_ms: 5,
            bytes: 10,
            sha256: "ab".repeat(32),
            path: transcript_path("h1", 2),
        };
        let e = Entry::TranscriptRevision(r.clone());
        assert_eq!(Entry::decode(&e.encode().unwrap()).unwrap(), e);
        let f = e.sealed_file().unwrap();
        assert_eq!(
            (f.stream, f.seq, f.path),
            ("transcript", 1, "hearings/h1/transcript/r0002.json")
        );
        for bad in [
            TranscriptRevision {
                based_on: 2,
                ..r.clone()
            },
            TranscriptRevision {
                based_on: 0,
                ..r.clone()
            },
            TranscriptRevision {
                revision: 0,
                based_on: 0,
                ..r.clone()
            },
            TranscriptRevision {
                path: "hearings/h1/transcript/r0003.json".into(),
                ..r.clone()
            },
            TranscriptRevision {
                sha256: "x".into(),
                ..r.clone()
            },
        ] {
            assert!(Entry::TranscriptRevision(bad).encode().is_err());
        }
        let c = Entry::TranscriptCertified(TranscriptCertified {
            court: "c".into(),
            hearing: "h1".into(),
            revision: 2,
            sha256: "ab".repeat(32),
            by: "judge".into(),
            role: "judge".into(),
            at_unix_ms: 6,
        });
        assert_eq!(Entry::decode(&c.encode().unwrap()).unwrap(), c);
        assert_eq!(c.hearing(), Some("h1"));
    }

    #[test]
    fn later_kinds_and_versions_decode_as_unrecognized() {
        let b = br#"{"kind":"bundle_exported","revision":3,"v":1}"#;
        assert_eq!(
            Entry::decode(b).unwrap(),
            Entry::Unrecognized {
                version: 1,
                kind: "bundle_exported".into()
            }
        );
        let b = br#"{"kind":"segment_sealed","v":2}"#;
        assert!(matches!(
            Entry::decode(b).unwrap(),
            Entry::Unrecognized { version: 2, .. }
        ));
        // but a later kind must still be canonical
        assert!(Entry::decode(br#"{"v":1,"kind":"x"}"#).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = fastrand::Rng::with_seed(7);
        let good = segment().encode().unwrap();
        for _ in 0..20_000 {
            let mut b = good.clone();
            for _ in 0..rng.usize(1..4) {
                let i = rng.usize(..b.len());
                match rng.u8(..3) {
                    0 => b[i] = rng.u8(..),
                    1 => {
                        b.remove(i);
                    }
                    _ => b.insert(i, rng.u8(..)),
                }
            }
            if let Ok(e) = Entry::decode(&b) {
                // anything accepted must be canonical: re-encoding gives the same bytes
                if !matches!(e, Entry::Unrecognized { .. }) {
                    assert_eq!(e.encode().unwrap(), b);
                }
            }
        }
    }

    #[test]
    fn media_imported_entries_round_trip_and_refuse_paths_and_bad_hashes() {
        let m = MediaImported {
            court: "c1".into(),
            hearing: "h1".into(),
            stream: "import1-video".into(),
            source_name: "камера суда.mp4".into(),
            source_bytes: 102_007,
            source_sha256: "ab".repeat(32),
            source_format: "video/x-h264, audio/mpeg".into(),
            by: "clerk".into(),
            at_unix_ms: 1,
            media_offset_ns: 5_000_000_000,
        };
        let e = Entry::MediaImported(m.clone());
        let bytes = e.encode().unwrap();
        assert_eq!(Entry::decode(&bytes).unwrap(), e);
        assert_eq!(e.kind(), "media_imported");
        assert_eq!(e.hearing(), Some("h1"));
        assert!(e.sealed_file().is_none());
        for bad in [
            MediaImported {
                source_name: "../etc/passwd".into(),
                ..m.clone()
            },
            MediaImported {
                source_sha256: "xyz".into(),
                ..m.clone()
            },
            MediaImported {
                stream: "bad stream".into(),
                ..m.clone()
            },
        ] {
            assert!(Entry::MediaImported(bad).encode().is_err());
        }
    }

    #[test]
    fn redactions_round_trip_and_refuse_bad_spans_and_paths() {
        let span = RedactedSpan {
            stream: "mic3".into(),
            from_ns: 62_000_000_000,
            to_ns: 80_000_000_000,
            action: "mute".into(),
            reason: "имя несовершеннолетнего".into(),
        };
        let r = Redaction {
            court: "almaty".into(),
            hearing: "h1".into(),
            redaction: "r1".into(),
            by: "judge".into(),
            role: "judge".into(),
            at_unix_ms: 1,
            spans: vec![span.clone()],
        };
        let e = Entry::Redaction(r.clone());
        assert_eq!(Entry::decode(&e.encode().unwrap()).unwrap(), e);
        assert_eq!((e.kind(), e.hearing()), ("redaction", Some("h1")));
        let bad_span = |s: RedactedSpan| Redaction {
            spans: vec![s],
            ..r.clone()
        };
        for bad in [
            Redaction {
                spans: vec![],
                ..r.clone()
            },
            Redaction {
                spans: vec![span.clone(); MAX_REDACTED_SPANS + 1],
                ..r.clone()
            },
            bad_span(RedactedSpan {
                to_ns: span.from_ns,
                ..span.clone()
            }),
            bad_span(RedactedSpan {
                action: "bleep".into(),
                ..span.clone()
            }),
            bad_span(RedactedSpan {
                reason: " ".into(),
                ..span.clone()
            }),
            bad_span(RedactedSpan {
                reason: "x".repeat(MAX_REDACTION_REASON + 1),
                ..span.clone()
            }),
        ] {
            assert!(Entry::Redaction(bad).encode().is_err());
        }
        // Which segments a span touches: [62 s, 80 s) touches 60-62.5, not 60-62 or 80-82.
        assert!(span.touches("mic3", 60_000_000_000, Some(62_500_000_000)));
        assert!(!span.touches("mic3", 60_000_000_000, Some(62_000_000_000)));
        assert!(!span.touches("mic3", 80_000_000_000, Some(82_000_000_000)));
        assert!(!span.touches("mic2", 70_000_000_000, Some(72_000_000_000)));
        assert!(
            span.touches("mic3", 10_000_000_000, None),
            "recovered: in doubt"
        );

        let s = SegmentRedacted {
            court: "almaty".into(),
            hearing: "h1".into(),
            redaction: "r1".into(),
            stream: "mic3".into(),
            seq: 31,
            original_sha256: "ab".repeat(32),
            bytes: 10,
            sha256: "cd".repeat(32),
            path: redacted_path("h1", "r1", "mic3", 31, "mka"),
        };
        let e = Entry::SegmentRedacted(s.clone());
        assert_eq!(Entry::decode(&e.encode().unwrap()).unwrap(), e);
        let f = e.sealed_file().unwrap();
        assert_eq!(f.path, "hearings/h1/redactions/r1/mic3/000031.mka");
        assert!(!f.sequenced);
        for bad in [
            SegmentRedacted {
                path: "hearings/h1/mic3/000031.mka".into(),
                ..s.clone()
            },
            SegmentRedacted {
                path: redacted_path("h1", "r2", "mic3", 31, "mka"),
                ..s.clone()
            },
            SegmentRedacted {
                original_sha256: "x".into(),
                ..s.clone()
            },
        ] {
            assert!(Entry::SegmentRedacted(bad).encode().is_err());
        }
    }
}
