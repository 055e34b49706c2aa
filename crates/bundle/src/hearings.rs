//! The hearings a log holds, summarised from its entries (for `verbatim hearings`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use verbatim_log::Entry;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HearingSummary {
    pub hearing: String,
    pub court: String,
    pub courtroom: String,
    pub case_number: String,
    pub judge: String,
    /// Index of the entry that first opened it.
    pub first_entry: u64,
    pub last_entry: u64,
    pub parts: u64,
    pub opened_unix_ms: u64,
    pub closed: bool,
    pub streams: BTreeSet<String>,
    pub segments: u64,
    /// Media time covered: the end of its last segment.
    pub media_end_ms: u64,
    pub notes: u64,
    pub revisions: u64,
    pub certified: bool,
    /// Streams brought in from outside recordings (`verbatim import`): lower assurance.
    pub imported_streams: u64,
    /// Redactions for public copies (`verbatim redact`), by id.
    pub redactions: Vec<String>,
}

/// Hearings in order of opening. Entries that do not decode are skipped (the log's own
/// verifier reports them).
pub fn summarise<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<HearingSummary> {
    let mut map: BTreeMap<String, HearingSummary> = BTreeMap::new();
    for (i, bytes) in entries.into_iter().enumerate() {
        let i = i as u64;
        let Ok(e) = Entry::decode(bytes) else {
            continue;
        };
        let Some(h) = e.hearing().map(str::to_string) else {
            continue;
        };
        if matches!(e, Entry::Audit(_)) {
            continue;
        }
        let s = map.entry(h.clone()).or_insert_with(|| HearingSummary {
            hearing: h,
            first_entry: i,
            ..Default::default()
        });
        s.last_entry = i;
        match &e {
            Entry::HearingOpened(o) => {
                if s.parts == 0 {
                    s.court = o.court.clone();
                    s.courtroom = o.courtroom.clone();
                    s.case_number = o.case_number.clone();
                    s.judge = o.judge.clone();
                    s.opened_unix_ms = o.at_unix_ms;
                }
                s.parts += 1;
                s.closed = false;
            }
            Entry::HearingClosed(_) => s.closed = true,
            Entry::SegmentSealed(seg) => {
                s.streams.insert(seg.stream.clone());
                s.segments += 1;
                s.media_end_ms = s.media_end_ms.max(seg.media_end_ns / 1_000_000);
            }
            Entry::SegmentRecovered(seg) => {
                s.streams.insert(seg.stream.clone());
                s.segments += 1;
            }
            Entry::LogNote(_) => s.notes += 1,
            Entry::TranscriptRevision(_) => s.revisions += 1,
            Entry::TranscriptCertified(_) => s.certified = true,
            Entry::MediaImported(_) => s.imported_streams += 1,
            Entry::Redaction(r) => s.redactions.push(r.redaction.clone()),
            _ => {}
        }
    }
    let mut out: Vec<HearingSummary> = map.into_values().collect();
    out.sort_by_key(|s| s.first_entry);
    out
}
