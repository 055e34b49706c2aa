//! `verbatim redact`: a redaction for public copies, declared span by span with reasons,
//! made by `verbatim_record::redact` and sealed in the court's log.

use std::path::Path;

use anyhow::{bail, Context, Result};
use verbatim_log::Entry;
use verbatim_record::redact::{RedactRequest, Redacted, SpanRequest};

use crate::court;

/// Parses `STREAM[,STREAM...]:FROM-TO:REASON` (seconds from the hearing's start) into one
/// span per stream.
pub fn parse_span(text: &str) -> Result<Vec<SpanRequest>> {
    let shape = "give STREAM[,STREAM...]:FROM-TO:REASON, e.g. mic3:62.5-80:name of a minor";
    let mut parts = text.splitn(3, ':');
    let (Some(streams), Some(range), Some(reason)) = (parts.next(), parts.next(), parts.next())
    else {
        bail!("--span {text:?}: {shape}");
    };
    let (from, to) = range
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)))
        .with_context(|| {
            format!("--span {text:?}: {range:?} is not FROM-TO in seconds; {shape}")
        })?;
    if !(from.is_finite() && to.is_finite() && (0.0..1e9).contains(&from) && to <= 1e9) {
        bail!("--span {text:?}: the times must be seconds from the hearing's start");
    }
    if to <= from {
        bail!("--span {text:?}: the span must end after it starts");
    }
    if reason.trim().is_empty() {
        bail!("--span {text:?}: give the reason (closed part, minor, personal data...)");
    }
    let mut out = Vec::new();
    for s in streams.split(',') {
        let s = s.trim();
        if !verbatim_log::entry::is_valid_id(s) {
            bail!("--span {text:?}: {s:?} is not a stream id (cam1, mic3...)");
        }
        out.push(SpanRequest {
            stream: s.to_string(),
            from_ns: (from * 1e9).round() as u64,
            to_ns: (to * 1e9).round() as u64,
            reason: reason.trim().to_string(),
        });
    }
    Ok(out)
}

/// Makes the redaction and seals it.
pub fn redact(
    data: &Path,
    hearing: &str,
    spans: Vec<SpanRequest>,
    by: String,
    role: String,
) -> Result<Redacted> {
    let mut court = court::open(data).context(
        "a redaction is sealed in the court's log, which another process holds (a running \
         `verbatim serve`)",
    )?;
    let mut log = Vec::with_capacity(court.log.size() as usize);
    for i in 0..court.log.size() {
        if let Ok(e) = Entry::decode(&court.log.entry(i)?) {
            log.push(e);
        }
    }
    let req = RedactRequest {
        court: court.config.court.id.clone(),
        hearing: hearing.to_string(),
        by,
        role,
        at_unix_ms: court::now_unix_ms(),
        spans,
    };
    verbatim_record::redact::redact_hearing(data, &log, &req, |entries| {
        court.log.append_batch(entries).map_err(|e| e.to_string())?;
        court.log.publish_checkpoint().map_err(|e| e.to_string())?;
        Ok(())
    })
    .map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_and_bad_ones_are_named() {
        let s = parse_span("mic1,mic2:10-12.5:a minor: her name").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].stream, "mic2");
        assert_eq!((s[0].from_ns, s[0].to_ns), (10_000_000_000, 12_500_000_000));
        assert_eq!(s[0].reason, "a minor: her name");
        for bad in [
            "mic1:10-12",
            "mic1:12-10:x",
            "mic1:a-b:x",
            "mic1:10-12: ",
            "../x:1-2:x",
            "mic1:-5-2:x",
            "mic1:nan-2:x",
        ] {
            assert!(parse_span(bad).is_err(), "{bad}");
        }
    }
}
