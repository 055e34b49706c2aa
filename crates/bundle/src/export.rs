//! Writing a bundle from a court's data directory.
//!
//! The sealed files are copied byte for byte (never re-muxed); the log excerpt holds the
//! hearing's entries in the range from its opening to its last entry in the span, every
//! other entry of that range as its leaf hash only, and the range proof to the court's
//! current signed checkpoint. The bundle is written under a temporary name beside `out` and
//! renamed into place when complete: there is never a half-written bundle at `out`.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use verbatim_log::checkpoint::open_checkpoint;
use verbatim_log::layout;
use verbatim_log::store::{read_entries, CHECKPOINT_FILE};
use verbatim_log::tree::{leaf_hash, to_hex, Tree};
use verbatim_log::{Entry, VerifierKey};

use crate::format::{
    LeafJson, LogJson, Manifest, ManifestFile, CHECKPOINT, FORMAT, KEY, LOG_EXCERPT, LOG_FORMAT,
    MANIFEST, README,
};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Input(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the court's log: {0}")]
    Log(String),
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A clip bound given in seconds from the hearing's start, as milliseconds; `name` names it
/// in the error ("from", "to").
pub fn seconds_to_ms(name: &str, v: Option<f64>) -> Result<Option<u64>, String> {
    match v {
        None => Ok(None),
        Some(s) if (0.0..1e9).contains(&s) => Ok(Some((s * 1000.0).round() as u64)),
        Some(s) => Err(format!(
            "{name} must be a number of seconds from the hearing's start, not {s}"
        )),
    }
}

/// The span of an export for the audit record: "whole hearing" or "clip 2.5..9 s".
pub fn span_text(from: Option<f64>, to: Option<f64>) -> String {
    match (from, to) {
        (None, None) => "whole hearing".to_string(),
        (f, t) => format!(
            "clip {}..{} s",
            f.unwrap_or(0.0),
            t.map_or("end".into(), |t| t.to_string())
        ),
    }
}

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportRequest {
    pub hearing: String,
    /// A clip: milliseconds of media time from the hearing's start. `None`, `None`: the
    /// whole hearing.
    pub from_ms: Option<u64>,
    pub to_ms: Option<u64>,
    /// The court's name, for people.
    pub court_name: String,
    pub created_unix_ms: u64,
    /// Language of the certificate.
    pub lang: verbatim_transcript::export::UiLang,
    /// A redacted public copy: the id of a sealed redaction of the hearing.
    pub redaction: Option<String>,
}

/// A bundle's content before it is written: everything but the media bytes.
#[derive(Clone, Debug)]
pub struct Plan {
    pub manifest: Manifest,
    pub log: LogJson,
    pub checkpoint: Vec<u8>,
    pub key: String,
    /// (source in the data directory, path in the bundle)
    pub copies: Vec<(PathBuf, String)>,
    pub judge: String,
    pub date_unix_ms: u64,
    pub lang: verbatim_transcript::export::UiLang,
    /// C2SP tlog-proof files: (path in the bundle, bytes).
    pub tlog_proofs: Vec<(String, Vec<u8>)>,
    /// Per stream: (segments, first media ms, last media ms), for the certificate.
    pub stream_spans: Vec<(String, u64, u64, u64)>,
    /// The streams' files in the data directory, in order, for making derived copies.
    pub tracks: Vec<Track>,
    /// Files outside the proof to add under `derived/`: (file on disk, path in the bundle).
    /// [`Plan::add_derived`] also lists them in the manifest.
    pub derived_files: Vec<(PathBuf, String)>,
}

/// One stream of the bundle: its kind (camera, microphone) and its files in the data
/// directory in order (a redacted copy's replacements in place of the originals), each with
/// the media time it starts.
#[derive(Clone, Debug)]
pub struct Track {
    pub stream: String,
    pub kind: &'static str,
    pub files: Vec<(PathBuf, u64)>,
}

impl Plan {
    /// Log positions given in full.
    pub fn disclosed(&self) -> u64 {
        self.log.leaves.iter().filter(|l| l.entry.is_some()).count() as u64
            + self.log.also.len() as u64
    }

    /// Adds a file outside the proof as `derived/<name>` (listed in the manifest as such).
    pub fn add_derived(&mut self, file: PathBuf, name: &str) -> Result<(), ExportError> {
        let path = format!("{}{name}", crate::format::DERIVED_DIR);
        if !crate::format::safe_path(&path) || self.manifest.derived.contains(&path) {
            return Err(ExportError::Input(format!(
                "{path:?} cannot be a derived file"
            )));
        }
        self.manifest.derived.push(path.clone());
        self.derived_files.push((file, path));
        Ok(())
    }

    /// Log positions given as leaf hashes only.
    pub fn withheld(&self) -> u64 {
        self.log.leaves.iter().filter(|l| l.entry.is_none()).count() as u64
    }
}

/// Reads the log and decides what goes into the bundle.
pub fn plan(data: &Path, req: &ExportRequest) -> Result<Plan, ExportError> {
    if let (Some(f), Some(t)) = (req.from_ms, req.to_ms) {
        if f >= t {
            return Err(ExportError::Input(format!(
                "the clip's start ({} s) must be before its end ({} s)",
                f as f64 / 1000.0,
                t as f64 / 1000.0
            )));
        }
    }
    let log_dir = data.join(layout::LOG_DIR);
    let key_path = data.join(layout::VERIFIER_KEY);
    let key_text = std::fs::read_to_string(&key_path).map_err(io(&key_path))?;
    let key = VerifierKey::parse(key_text.trim())
        .map_err(|e| ExportError::Log(format!("{}: {e}", key_path.display())))?;
    let cp_path = log_dir.join(CHECKPOINT_FILE);
    let note = std::fs::read(&cp_path).map_err(io(&cp_path))?;
    let cp = open_checkpoint(&note, &key, key.name())
        .map_err(|e| ExportError::Log(format!("{}: {e}", cp_path.display())))?;
    let entries = read_entries(&log_dir).map_err(|e| ExportError::Log(e.to_string()))?;
    let size = cp.size;
    if (entries.len() as u64) < size {
        return Err(ExportError::Log(format!(
            "the journal holds {} entries but the checkpoint covers {size}; run `verbatim verify`",
            entries.len()
        )));
    }
    let mut tree = Tree::new();
    for e in &entries[..size as usize] {
        tree.push(leaf_hash(e));
    }
    if tree.root() != cp.root {
        return Err(ExportError::Log(
            "the journal does not match the signed checkpoint; run `verbatim verify`".into(),
        ));
    }

    // The hearing's entries, and which of them the bundle discloses.
    let (from, to) = (req.from_ms.unwrap_or(0), req.to_ms.unwrap_or(u64::MAX));
    let clip = req.from_ms.is_some() || req.to_ms.is_some();
    let in_span = |ns: u64| {
        let ms = ns / 1_000_000;
        ms >= from && ms <= to
    };
    let mut opened: Option<(u64, verbatim_log::entry::HearingOpened)> = None;
    let mut chosen: Vec<(u64, Entry)> = Vec::new();
    let mut latest_revision: Option<u64> = None;
    // A redacted copy: the redaction's entries, and the redactions the hearing has.
    let mut redaction: Vec<(u64, Entry)> = Vec::new();
    let mut redaction_ids: Vec<String> = Vec::new();
    for (i, bytes) in entries[..size as usize].iter().enumerate() {
        let Ok(e) = Entry::decode(bytes) else {
            continue;
        };
        if e.hearing() != Some(req.hearing.as_str()) || matches!(e, Entry::Audit(_)) {
            continue;
        }
        let i = i as u64;
        match &e {
            Entry::Redaction(r) => {
                redaction_ids.push(r.redaction.clone());
                if Some(&r.redaction) == req.redaction.as_ref() {
                    redaction.push((i, e));
                }
                continue;
            }
            Entry::SegmentRedacted(r) => {
                if Some(&r.redaction) == req.redaction.as_ref() {
                    redaction.push((i, e));
                }
                continue;
            }
            _ => {}
        }
        let keep = match &e {
            Entry::HearingOpened(o) => {
                if opened.is_none() {
                    opened = Some((i, o.clone()));
                }
                true
            }
            Entry::SegmentSealed(s) => {
                s.media_start_ns / 1_000_000 < to && s.media_end_ns / 1_000_000 > from
            }
            Entry::SegmentRecovered(s) => in_span(s.media_start_ns),
            Entry::LogNote(n) => in_span(n.media_ns),
            Entry::HearingPaused(h) | Entry::HearingResumed(h) | Entry::HearingClosed(h) => {
                in_span(h.media_ns)
            }
            Entry::SourceLost(s)
            | Entry::SourceRestored(s)
            | Entry::MicMuted(s)
            | Entry::MicUnmuted(s) => in_span(s.media_ns),
            Entry::TranscriptRevision(t) => {
                latest_revision = Some(t.revision);
                true
            }
            Entry::TranscriptCertified(_) => true,
            // Provenance of imported streams: always disclosed with the hearing.
            Entry::MediaImported(_) => true,
            _ => false,
        };
        if keep {
            chosen.push((i, e));
        }
    }
    let Some((begin, opened)) = opened else {
        return Err(ExportError::Input(format!(
            "the log has no hearing {:?} (`verbatim hearings --data DIR` lists them)",
            req.hearing
        )));
    };
    // Only the latest transcript revision, and its certification.
    chosen.retain(|(_, e)| match e {
        Entry::TranscriptRevision(t) => Some(t.revision) == latest_revision,
        Entry::TranscriptCertified(c) => Some(c.revision) == latest_revision,
        _ => true,
    });
    // A redacted public copy withholds the transcript (its words would give away what was
    // muted) and the notes inside the redacted spans; its re-encoded segments stand in for
    // the originals.
    let mut replaced: std::collections::BTreeMap<
        (String, u64),
        (u64, verbatim_log::entry::SegmentRedacted),
    > = Default::default();
    if let Some(rid) = &req.redaction {
        let Some(spans) = redaction.iter().find_map(|(_, e)| match e {
            Entry::Redaction(r) => Some(r.spans.clone()),
            _ => None,
        }) else {
            return Err(ExportError::Input(format!(
                "hearing {} has no redaction {rid:?} ({}; `verbatim redact` makes one)",
                req.hearing,
                if redaction_ids.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("it has {}", redaction_ids.join(", "))
                }
            )));
        };
        chosen.retain(|(_, e)| match e {
            Entry::TranscriptRevision(_) | Entry::TranscriptCertified(_) => false,
            Entry::LogNote(n) => !spans
                .iter()
                .any(|s| n.media_ns >= s.from_ns && n.media_ns < s.to_ns),
            _ => true,
        });
        for (i, e) in &redaction {
            if let Entry::SegmentRedacted(r) = e {
                replaced.insert((r.stream.clone(), r.seq), (*i, r.clone()));
            }
        }
    }
    let segments = chosen
        .iter()
        .filter(|(_, e)| matches!(e, Entry::SegmentSealed(_) | Entry::SegmentRecovered(_)))
        .count();
    if segments == 0 {
        return Err(ExportError::Input(if clip {
            format!(
                "hearing {} has no segment between {} s and {} s",
                req.hearing,
                from as f64 / 1000.0,
                req.to_ms
                    .map(|t| format!("{}", t as f64 / 1000.0))
                    .unwrap_or_else(|| "its end".into())
            )
        } else {
            format!(
                "hearing {} has no sealed segment yet{}",
                req.hearing,
                if (entries.len() as u64) > size {
                    " under the signed checkpoint (try again in a few seconds)"
                } else {
                    ""
                }
            )
        }));
    }
    // The range runs from the hearing's first disclosed entry (its opening, unless something
    // of it was sealed earlier) to its last.
    let begin = chosen.first().map_or(begin, |(i, _)| (*i).min(begin));
    let end = chosen.last().map(|(i, _)| i + 1).unwrap_or(begin + 1);
    let mut disclosed: BTreeSet<u64> = chosen.iter().map(|(i, _)| *i).collect();
    // The redaction's entries: inside the range they are disclosed there; after it (a
    // redaction made later) each comes with its own inclusion proof. Only the replacements
    // of segments in the bundle are given.
    let mut also = Vec::new();
    let in_bundle: BTreeSet<(String, u64)> = chosen
        .iter()
        .filter_map(|(_, e)| e.segment().map(|s| (s.stream.to_string(), s.seq)))
        .collect();
    replaced.retain(|k, _| in_bundle.contains(k));
    let mut redaction_index = None;
    for (i, e) in &redaction {
        if let Entry::SegmentRedacted(r) = e {
            if !replaced.contains_key(&(r.stream.clone(), r.seq)) {
                continue;
            }
        } else {
            redaction_index = Some(*i);
        }
        if (begin..end).contains(i) {
            disclosed.insert(*i);
        } else {
            let proof = tree
                .inclusion_proof(*i, size)
                .map_err(|e| ExportError::Log(e.to_string()))?;
            also.push(crate::format::AlsoJson {
                index: *i,
                entry: String::from_utf8(entries[*i as usize].clone())
                    .map_err(|_| ExportError::Log(format!("entry {i} is not UTF-8")))?,
                proof: proof.iter().map(|h| to_hex(&h.0)).collect(),
            });
        }
    }
    let proof = tree
        .range_proof(begin, end, size)
        .map_err(|e| ExportError::Log(e.to_string()))?;
    let mut leaves = Vec::with_capacity((end - begin) as usize);
    for i in begin..end {
        let bytes = &entries[i as usize];
        if disclosed.contains(&i) {
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| ExportError::Log(format!("entry {i} is not UTF-8")))?;
            leaves.push(LeafJson {
                entry: Some(text),
                withheld: None,
            });
        } else {
            leaves.push(LeafJson {
                entry: None,
                withheld: Some(to_hex(&leaf_hash(bytes).0)),
            });
        }
    }
    let mut files = Vec::new();
    let mut copies = Vec::new();
    let mut spans: std::collections::BTreeMap<String, (u64, u64, u64)> = Default::default();
    for (_, e) in &chosen {
        if let Entry::SegmentSealed(s) = e {
            let x = spans.entry(s.stream.clone()).or_insert((0, u64::MAX, 0));
            x.0 += 1;
            x.1 = x.1.min(s.media_start_ns / 1_000_000);
            x.2 = x.2.max(s.media_end_ns / 1_000_000);
        }
    }
    for (i, e) in &chosen {
        let replacement = e
            .segment()
            .and_then(|s| replaced.get(&(s.stream.to_string(), s.seq)));
        if let Some((ri, r)) = replacement {
            files.push(ManifestFile {
                path: r.path.clone(),
                bytes: r.bytes,
                sha256: r.sha256.clone(),
                entry: *ri,
            });
            copies.push((data.join(&r.path), r.path.clone()));
            continue;
        }
        if let Some(f) = e.sealed_file() {
            files.push(ManifestFile {
                path: f.path.to_string(),
                bytes: f.bytes,
                sha256: f.sha256.to_string(),
                entry: *i,
            });
            copies.push((data.join(f.path), f.path.to_string()));
        }
    }
    let mut tracks: Vec<Track> = Vec::new();
    let mut segs: Vec<(&str, u64, u64, String)> = chosen
        .iter()
        .filter_map(|(_, e)| {
            let s = e.segment()?;
            let path = replaced
                .get(&(s.stream.to_string(), s.seq))
                .map_or(s.path.to_string(), |(_, r)| r.path.clone());
            Some((s.stream, s.seq, s.start_ns, path))
        })
        .collect();
    segs.sort();
    for (stream, _, start, path) in segs {
        match tracks.last_mut() {
            Some(t) if t.stream == stream => t.files.push((data.join(&path), start)),
            _ => tracks.push(Track {
                stream: stream.to_string(),
                kind: crate::verify::kind_of(&path),
                files: vec![(data.join(&path), start)],
            }),
        }
    }
    // Standard C2SP inclusion proofs of the entries a reader looks for first: the opening,
    // notes, events, the transcript and its certification, and the first and last entry.
    let mut proof_of: BTreeSet<u64> = chosen
        .iter()
        .filter(|(_, e)| !matches!(e, Entry::SegmentSealed(_) | Entry::SegmentRecovered(_)))
        .map(|(i, _)| *i)
        .collect();
    proof_of.insert(begin);
    proof_of.insert(end - 1);
    proof_of.extend(redaction_index);
    let mut tlog_proofs = Vec::new();
    for i in proof_of {
        let proof = tree
            .inclusion_proof(i, size)
            .map_err(|e| ExportError::Log(e.to_string()))?;
        let p = crate::format::TlogProof {
            index: i,
            proof,
            checkpoint: note.clone(),
        };
        tlog_proofs.push((
            format!("{}{i}.tlog-proof", crate::format::PROOFS_DIR),
            p.encode(),
        ));
    }
    Ok(Plan {
        manifest: Manifest {
            format: FORMAT.into(),
            origin: cp.origin.clone(),
            court: opened.court.clone(),
            court_name: req.court_name.clone(),
            hearing: req.hearing.clone(),
            case_number: opened.case_number.clone(),
            courtroom: opened.courtroom.clone(),
            from_ms: req.from_ms,
            to_ms: req.to_ms,
            created_unix_ms: req.created_unix_ms,
            redaction: req.redaction.clone(),
            files,
            derived: Vec::new(),
        },
        log: LogJson {
            format: LOG_FORMAT.into(),
            origin: cp.origin.clone(),
            checkpoint_size: size,
            begin,
            leaves,
            proof: proof.iter().map(|h| to_hex(&h.0)).collect(),
            also,
        },
        checkpoint: note,
        key: format!("{}\n", key.as_str()),
        copies,
        judge: opened.judge.clone(),
        date_unix_ms: opened.at_unix_ms,
        lang: req.lang,
        tlog_proofs,
        stream_spans: spans
            .into_iter()
            .map(|(k, (n, a, b))| (k, n, a, b))
            .collect(),
        tracks,
        derived_files: Vec::new(),
    })
}

/// The README of a bundle: what it is and how to check it.
pub fn readme(p: &Plan) -> String {
    let m = &p.manifest;
    let span = match (m.from_ms, m.to_ms) {
        (None, None) => "the whole hearing".to_string(),
        (f, t) => format!(
            "a clip from {} s to {} of the hearing's media time",
            f.unwrap_or(0) as f64 / 1000.0,
            t.map(|t| format!("{} s", t as f64 / 1000.0))
                .unwrap_or_else(|| "its end".into())
        ),
    };
    let span = match &m.redaction {
        None => span,
        Some(r) => format!(
            "{span}\n\
             REDACTED PUBLIC COPY (redaction {r}): the segments its declared spans touch are\n\
             re-encoded with those spans muted or blanked, sealed by the court as the\n\
             redaction's; every other segment is the original, byte for byte. The transcript\n\
             and the notes inside the spans are withheld."
        ),
    };
    format!(
        "Evidence bundle of hearing {hearing} (case {case}), {court_name}\n\
         Court log: {origin}\n\
         Span: {span}\n\
         \n\
         This directory (or archive) is a copy of part of the court's tamper-evident record:\n\
         the original sealed media files, byte for byte, and the log entries that seal them\n\
         with a proof that they are entries {begin}..{last} of the court's signed log of {size}\n\
         entries. Check it offline, with nothing but the court's public key:\n\
         \n\
         \x20   verbatim verify <this bundle> --key '<the court's published verifier key>'\n\
         \n\
         or open verify.html in a browser (when present) and choose the bundle's files.\n\
         \n\
         Layout:\n\
         \x20 bundle.json        manifest: court, hearing, span, files (not trusted by itself)\n\
         \x20 court.vkey         the court's verifier key as the court gave it\n\
         \x20 log/checkpoint     the court's signed checkpoint (C2SP signed note)\n\
         \x20 log/entries.json   the log entries {begin}..{last}: this hearing's in full, others as\n\
         \x20                    leaf hashes only; the range proof\n\
         \x20 hearings/...       sealed media segments and the transcript revision, byte for byte\n\
         \x20 certificate.pdf    what is included, hashes, checkpoint, QR code of the checkpoint\n\
         \x20 derived/...        convenience copies made from the record: NOT covered by the proof\n\
         \n\
         Format: docs/bundles.md in the verbatim sources.\n",
        hearing = m.hearing,
        case = m.case_number,
        court_name = m.court_name,
        origin = m.origin,
        begin = p.log.begin,
        last = p.log.begin + p.log.leaves.len() as u64 - 1,
        size = p.log.checkpoint_size,
    )
}

fn hms(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn utc(ms: u64) -> Result<String, ExportError> {
    let (y, mo, d, h, mi, sec) =
        verbatim_transcript::export::civil(ms, 0).map_err(|e| ExportError::Input(e.to_string()))?;
    Ok(format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{sec:02} UTC"))
}

/// The certificate for people: what the bundle holds, the hashes, the checkpoint and a QR
/// code of it.
pub fn certificate(plan: &Plan) -> Result<Vec<u8>, ExportError> {
    use verbatim_transcript::export::{
        certificate_pdf, Certificate, CertificateFile, CertificateStream,
    };
    let m = &plan.manifest;
    let note = String::from_utf8_lossy(&plan.checkpoint).into_owned();
    let (origin, size, root) = verbatim_log::checkpoint::parse_unverified(&plan.checkpoint)
        .ok_or_else(|| ExportError::Log("the checkpoint does not parse".into()))?;
    let mut span = match (m.from_ms, m.to_ms) {
        (None, None) => "00:00:00 – end (whole hearing)".to_string(),
        (f, t) => format!(
            "{} – {} (clip)",
            hms(f.unwrap_or(0)),
            t.map(hms).unwrap_or_else(|| "end".into())
        ),
    };
    if let Some(r) = &m.redaction {
        span.push_str(&format!("; redacted public copy ({r})"));
    }
    let c = Certificate {
        lang: plan.lang,
        court_name: if m.court_name.is_empty() {
            m.court.clone()
        } else {
            m.court_name.clone()
        },
        log_origin: origin,
        hearing: m.hearing.clone(),
        case_number: if m.case_number.is_empty() {
            "-".into()
        } else {
            m.case_number.clone()
        },
        judge: plan.judge.clone(),
        date: utc(plan.date_unix_ms)?[..10].to_string(),
        span,
        created: utc(m.created_unix_ms)?,
        streams: plan
            .stream_spans
            .iter()
            .map(|(id, n, a, b)| CertificateStream {
                id: id.clone(),
                kind: m
                    .files
                    .iter()
                    .find(|f| f.path.contains(&format!("/{id}/")))
                    .map(|f| crate::verify::kind_of(&f.path))
                    .unwrap_or("camera")
                    .into(),
                segments: *n,
                from: hms(*a),
                to: hms(*b),
            })
            .collect(),
        files: m
            .files
            .iter()
            .map(|f| CertificateFile {
                path: f.path.clone(),
                bytes: f.bytes,
                sha256: f.sha256.clone(),
            })
            .collect(),
        derived: m.derived.clone(),
        checkpoint_size: size,
        checkpoint_root_hex: to_hex(&root.0),
        checkpoint_text: note.clone(),
        key_name: plan.key.split('+').next().unwrap_or("").to_string(),
        key_text: plan.key.trim().to_string(),
        entries: format!(
            "entries {}–{} of {} ({} disclosed, {} withheld)",
            plan.log.begin,
            plan.log.begin + plan.log.leaves.len() as u64 - 1,
            plan.log.checkpoint_size,
            plan.disclosed(),
            plan.withheld()
        ),
        qr_payload: note,
    };
    certificate_pdf(&c).map_err(|e| ExportError::Input(e.to_string()))
}

/// What was written.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Written {
    pub out: PathBuf,
    pub files: u64,
    pub bytes: u64,
    pub disclosed: u64,
    pub withheld: u64,
    pub begin: u64,
    pub end: u64,
    pub checkpoint_size: u64,
}

/// Extra files for people (certificate, verification page), bundle path and bytes.
pub type Extras = Vec<(String, Vec<u8>)>;

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    out.with_file_name(name)
}

/// Writes the bundle at `out`: a tar archive when `out` ends in `.tar`, else a directory.
pub fn write(plan: &Plan, extras: &Extras, out: &Path) -> Result<Written, ExportError> {
    if out.exists() {
        return Err(ExportError::Input(format!(
            "{} already exists; a bundle is never written over anything",
            out.display()
        )));
    }
    for (src, _) in &plan.copies {
        if !src.is_file() {
            return Err(ExportError::Log(format!(
                "{} is sealed in the log but missing from the data directory; run `verbatim verify`",
                src.display()
            )));
        }
    }
    let mut small: Vec<(String, Vec<u8>)> = vec![
        (
            MANIFEST.into(),
            serde_json::to_vec_pretty(&plan.manifest).expect("serializable"),
        ),
        (KEY.into(), plan.key.as_bytes().to_vec()),
        (CHECKPOINT.into(), plan.checkpoint.clone()),
        (
            LOG_EXCERPT.into(),
            serde_json::to_vec(&plan.log).expect("serializable"),
        ),
        (README.into(), readme(plan).into_bytes()),
        (crate::format::CERTIFICATE.into(), certificate(plan)?),
    ];
    small.extend(plan.tlog_proofs.iter().cloned());
    small.push((
        crate::format::VERIFY_PAGE.into(),
        crate::page::standalone_page().into_bytes(),
    ));
    small.extend(extras.iter().cloned());
    let tmp = partial_path(out);
    let as_tar = out.extension().is_some_and(|e| e == "tar");
    let result = if as_tar {
        write_tar(plan, &small, &tmp)
    } else {
        write_dir(plan, &small, &tmp)
    };
    if let Err(e) = result {
        if as_tar {
            let _ = std::fs::remove_file(&tmp);
        } else {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        return Err(e);
    }
    std::fs::rename(&tmp, out).map_err(io(out))?;
    let bytes = plan.manifest.files.iter().map(|f| f.bytes).sum();
    Ok(Written {
        out: out.to_path_buf(),
        files: plan.manifest.files.len() as u64,
        bytes,
        disclosed: plan.disclosed(),
        withheld: plan.withheld(),
        begin: plan.log.begin,
        end: plan.log.begin + plan.log.leaves.len() as u64,
        checkpoint_size: plan.log.checkpoint_size,
    })
}

fn write_dir(plan: &Plan, small: &[(String, Vec<u8>)], dir: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut made = BTreeSet::new();
    let mut parent_of = |p: &Path| -> Result<(), ExportError> {
        if let Some(parent) = p.parent() {
            if made.insert(parent.to_path_buf()) {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
        }
        Ok(())
    };
    for (path, bytes) in small {
        let p = dir.join(path);
        parent_of(&p)?;
        let mut f = File::create(&p).map_err(io(&p))?;
        f.write_all(bytes).map_err(io(&p))?;
    }
    for (src, rel) in plan.copies.iter().chain(&plan.derived_files) {
        let p = dir.join(rel);
        parent_of(&p)?;
        std::fs::copy(src, &p).map_err(io(src))?;
    }
    Ok(())
}

fn write_tar(plan: &Plan, small: &[(String, Vec<u8>)], path: &Path) -> Result<(), ExportError> {
    let f = File::create(path).map_err(io(path))?;
    let mut b = tar::Builder::new(std::io::BufWriter::with_capacity(1 << 20, f));
    b.mode(tar::HeaderMode::Deterministic);
    let mtime = plan.manifest.created_unix_ms / 1000;
    let header = |size: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h
    };
    for (name, bytes) in small {
        let mut h = header(bytes.len() as u64);
        b.append_data(&mut h, name, bytes.as_slice())
            .map_err(io(path))?;
    }
    for (src, rel) in plan.copies.iter().chain(&plan.derived_files) {
        let f = File::open(src).map_err(io(src))?;
        let len = f.metadata().map_err(io(src))?.len();
        let mut h = header(len);
        b.append_data(&mut h, rel, f).map_err(io(src))?;
    }
    let mut w = b.into_inner().map_err(io(path))?;
    w.flush().map_err(io(path))?;
    Ok(())
}
