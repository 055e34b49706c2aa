//! Offline verification of a bundle: what it proves, or every way it fails.
//!
//! No I/O here: the bundle is read through [`Files`], so the CLI (directories, tar
//! archives) and the browser (WebAssembly) share this code.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sha2::{Digest, Sha256};
use verbatim_log::checkpoint::open_checkpoint;
use verbatim_log::tree::{hash_from_hex, leaf_hash, to_hex, verify_range, Hash};
use verbatim_log::{Entry, VerifierKey};

use crate::format::{
    safe_path, LogJson, Manifest, TlogProof, CHECKPOINT, DERIVED_DIR, FORMAT, FOR_PEOPLE, KEY,
    LOG_EXCERPT, LOG_FORMAT, MANIFEST, METADATA, PROOFS_DIR,
};

/// Largest metadata file read whole (the log excerpt of a long hearing is the largest).
pub const MAX_METADATA_BYTES: u64 = 256 << 20;

/// Read access to a bundle's files. `Sync`: the verifier hashes files on several threads
/// where it can.
pub trait Files: Sync {
    /// The whole file, or `None` if the bundle has no such file. Files larger than `limit`
    /// are an error.
    fn read(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String>;
    /// SHA-256 and size of a file, read as a stream; `None` if absent.
    fn digest(&self, path: &str) -> Result<Option<([u8; 32], u64)>, String>;
    /// Every regular file in the bundle, with problems found while listing (links, files
    /// that are not regular, duplicate names in an archive).
    fn list(&self) -> (Vec<String>, Vec<String>);
}

/// Files held in memory (tests, the browser).
impl Files for BTreeMap<String, Vec<u8>> {
    fn read(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        match self.get(path) {
            Some(b) if b.len() as u64 > limit => {
                Err(format!("{path} is larger than {limit} bytes"))
            }
            Some(b) => Ok(Some(b.clone())),
            None => Ok(None),
        }
    }

    fn digest(&self, path: &str) -> Result<Option<([u8; 32], u64)>, String> {
        Ok(self
            .get(path)
            .map(|b| (Sha256::digest(b).into(), b.len() as u64)))
    }

    fn list(&self) -> (Vec<String>, Vec<String>) {
        (self.keys().cloned().collect(), Vec::new())
    }
}

/// One stream of media in the bundle, as proven.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StreamReport {
    pub stream: String,
    /// camera, microphone or other (from the file type).
    pub kind: String,
    pub first_seq: u64,
    pub last_seq: u64,
    pub files: u64,
    pub bytes: u64,
    pub from_ms: u64,
    pub to_ms: u64,
    /// Segments replaced by the redaction's re-encodings (the rest are original).
    pub redacted: u64,
}

/// The redaction of a redacted public copy, as proven.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RedactionReport {
    pub id: String,
    pub by: String,
    pub role: String,
    pub at_unix_ms: u64,
    /// "mic3 muted 00:01:02.000 to 00:01:20.000: reason"
    pub spans: Vec<String>,
    pub replaced: u64,
}

/// A transcript revision in the bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TranscriptReport {
    pub revision: u64,
    pub author: String,
    pub path: String,
    pub certified_by: Option<String>,
}

/// What a bundle proves, or why it does not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub ok: bool,
    pub problems: Vec<String>,
    pub origin: String,
    pub key: String,
    /// Where the key came from: "given" (pinned by the caller) or "bundle".
    pub key_source: String,
    pub checkpoint_size: u64,
    pub checkpoint_root: String,
    pub begin: u64,
    pub end: u64,
    pub disclosed: u64,
    pub withheld: u64,
    pub proof_hashes: u64,
    pub hearing: String,
    pub case_number: String,
    pub courtroom: String,
    pub judge: String,
    pub from_ms: Option<u64>,
    pub to_ms: Option<u64>,
    pub streams: Vec<StreamReport>,
    pub transcript: Option<TranscriptReport>,
    pub notes: u64,
    /// Recorded gaps and events in the span: "cam2 lost at 00:01:10: reason".
    pub events: Vec<String>,
    /// Files covered by the proof (path, size), all checked.
    pub proven_files: u64,
    pub proven_bytes: u64,
    /// Files outside the proof, declared derived.
    pub derived: Vec<String>,
    /// C2SP tlog-proof files checked (each an inclusion proof of a disclosed entry).
    pub tlog_proofs: u64,
    /// Streams brought in from outside recordings, with their provenance.
    pub imports: Vec<String>,
    /// A redacted public copy: the redaction and its declared spans.
    pub redaction: Option<RedactionReport>,
}

fn hms(ms: u64) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        ms % 1000
    )
}

impl Report {
    /// The report for people: exactly what is proven, and every problem.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        let mut line = |s: String| {
            o.push_str(&s);
            o.push('\n');
        };
        if self.ok {
            line("VERIFIED: this bundle is an unaltered part of the court's log.".into());
        } else {
            line(format!(
                "NOT VERIFIED: {} problem(s); nothing below is proven.",
                self.problems.len()
            ));
            for p in &self.problems {
                line(format!("  problem: {p}"));
            }
        }
        line(format!("Court log: {}", self.origin));
        line(format!(
            "Signed by key: {} ({})",
            self.key,
            if self.key_source == "given" {
                "the key you gave"
            } else {
                "the key inside the bundle: compare it with the court's published key, or pass --key"
            }
        ));
        line(format!(
            "Checkpoint: {} entries, root {}",
            self.checkpoint_size, self.checkpoint_root
        ));
        if self.end > self.begin {
            line(format!(
                "Entries {}..{} of the log, contiguous (range proof of {} hashes): {} disclosed, {} withheld (other hearings, access records: leaf hashes only)",
                self.begin,
                self.end - 1,
                self.proof_hashes,
                self.disclosed,
                self.withheld
            ));
        }
        line(format!(
            "Hearing: {} (case {}, courtroom {}, judge {})",
            self.hearing, self.case_number, self.courtroom, self.judge
        ));
        match (self.from_ms, self.to_ms) {
            (None, None) => line("Span: the whole hearing".into()),
            (f, t) => line(format!(
                "Span: a clip, {} to {} of the hearing's media time",
                hms(f.unwrap_or(0)),
                t.map(hms).unwrap_or_else(|| "the end".into())
            )),
        }
        if let Some(red) = &self.redaction {
            line(format!(
                "REDACTED PUBLIC COPY: redaction {} by {} ({}), {} segment(s) replaced by re-encodings the court sealed; changes only in segments its declared spans touch:",
                red.id, red.by, red.role, red.replaced
            ));
            for s in &red.spans {
                line(format!("  redacted: {s}"));
            }
        }
        for s in &self.streams {
            line(format!(
                "  {} ({}): segments {}..{}, {} files, {} bytes, {} to {}, {}",
                s.stream,
                s.kind,
                s.first_seq,
                s.last_seq,
                s.files,
                s.bytes,
                hms(s.from_ms),
                hms(s.to_ms),
                if s.redacted == 0 {
                    "every file byte for byte as sealed".to_string()
                } else {
                    format!(
                        "{} redacted re-encoding(s) as sealed with the redaction, every other file byte for byte as sealed",
                        s.redacted
                    )
                }
            ));
        }
        if self.transcript.is_none() && self.redaction.is_some() {
            line("Transcript: withheld from the redacted copy".into());
        }
        if let Some(t) = &self.transcript {
            line(format!(
                "Transcript: revision {} by {} ({}){}",
                t.revision,
                t.author,
                t.path,
                match &t.certified_by {
                    Some(b) => format!(", certified by {b}"),
                    None => ", not certified".into(),
                }
            ));
        }
        for i in &self.imports {
            line(format!("  imported: {i}"));
        }
        line(format!("Notes: {}", self.notes));
        for e in &self.events {
            line(format!("  event: {e}"));
        }
        if self.tlog_proofs > 0 {
            line(format!(
                "C2SP tlog-proofs: {} inclusion proofs of disclosed entries, all valid",
                self.tlog_proofs
            ));
        }
        line(format!(
            "Proven files: {} ({} bytes)",
            self.proven_files, self.proven_bytes
        ));
        for d in &self.derived {
            line(format!("  derived, NOT proven: {d}"));
        }
        o
    }
}

/// A segment as the report needs it: seq, media start and end (ms), bytes, path, redacted.
type Seg = (u64, u64, u64, u64, String, bool);

fn reason(r: &str) -> String {
    if r.is_empty() {
        String::new()
    } else {
        format!(": {r}")
    }
}

/// What a sealed file records, by its type: camera, microphone or other.
pub(crate) fn kind_of(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "mka" | "wav" | "flac" | "opus" | "oga" => "microphone",
        "mkv" | "mp4" | "ts" | "mov" | "avi" => "camera",
        _ => "other",
    }
}

/// Verifies a bundle. `pinned_key`: the court's verifier key as the caller knows it; without
/// it the key inside the bundle is used and the report says so.
pub fn verify(files: &dyn Files, pinned_key: Option<&VerifierKey>) -> Report {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    verify_with(files, pinned_key, threads)
}

/// [`verify`] hashing files on `threads` threads (1: on the caller's; WebAssembly has no
/// others).
pub fn verify_with(files: &dyn Files, pinned_key: Option<&VerifierKey>, threads: usize) -> Report {
    let mut r = Report::default();
    let mut problems: Vec<String> = Vec::new();
    run(files, pinned_key, threads.max(1), &mut r, &mut problems);
    r.ok = problems.is_empty();
    r.problems = problems;
    r
}

fn read_text(files: &dyn Files, path: &str, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    match files.read(path, MAX_METADATA_BYTES) {
        Ok(Some(b)) => Some(b),
        Ok(None) => {
            problems.push(format!("{path} is missing"));
            None
        }
        Err(e) => {
            problems.push(format!("{path}: {e}"));
            None
        }
    }
}

/// SHA-256 and size of a file, or why not.
type Hashed = Result<Option<([u8; 32], u64)>, String>;

/// [`Files::digest`] of each path, on up to `threads` threads; in order.
fn digests(files: &dyn Files, paths: &[String], threads: usize) -> Vec<Hashed> {
    if threads <= 1 || paths.len() < 2 || cfg!(target_family = "wasm") {
        return paths.iter().map(|p| files.digest(p)).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out: std::sync::Mutex<Vec<Option<Hashed>>> =
        std::sync::Mutex::new((0..paths.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.min(paths.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(p) = paths.get(i) else { break };
                let d = files.digest(p);
                out.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(d);
            });
        }
    });
    out.into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|d| d.unwrap_or_else(|| Err("not hashed".into())))
        .collect()
}

fn run(
    files: &dyn Files,
    pinned: Option<&VerifierKey>,
    threads: usize,
    r: &mut Report,
    problems: &mut Vec<String>,
) {
    let (listed, list_problems) = files.list();
    problems.extend(list_problems);

    // The manifest: what the bundle claims to be.
    let Some(mbytes) = read_text(files, MANIFEST, problems) else {
        return;
    };
    let manifest: Manifest = match serde_json::from_slice(&mbytes) {
        Ok(m) => m,
        Err(e) => {
            problems.push(format!("{MANIFEST} is not a bundle manifest: {e}"));
            return;
        }
    };
    if manifest.format != FORMAT {
        problems.push(format!(
            "{MANIFEST}: format {:?}, this verifier reads {FORMAT:?}",
            manifest.format
        ));
        return;
    }
    r.hearing = manifest.hearing.clone();
    r.from_ms = manifest.from_ms;
    r.to_ms = manifest.to_ms;

    // The key.
    let bundle_key = read_text(files, KEY, problems).and_then(|b| {
        match std::str::from_utf8(&b)
            .map_err(|e| e.to_string())
            .and_then(|t| VerifierKey::parse(t.trim()).map_err(|e| e.to_string()))
        {
            Ok(k) => Some(k),
            Err(e) => {
                problems.push(format!("{KEY} is not a verifier key: {e}"));
                None
            }
        }
    });
    let key = match (pinned, &bundle_key) {
        (Some(p), Some(b)) => {
            if p != b {
                problems.push(format!(
                    "{KEY} holds the key {}, not the key given ({})",
                    b.as_str(),
                    p.as_str()
                ));
            }
            r.key_source = "given".into();
            p.clone()
        }
        (Some(p), None) => {
            r.key_source = "given".into();
            p.clone()
        }
        (None, Some(b)) => {
            r.key_source = "bundle".into();
            b.clone()
        }
        (None, None) => return,
    };
    r.key = key.as_str().to_string();

    // The checkpoint, signed by that key for the manifest's origin.
    let Some(note) = read_text(files, CHECKPOINT, problems) else {
        return;
    };
    let cp = match open_checkpoint(&note, &key, &manifest.origin) {
        Ok(cp) => cp,
        Err(e) => {
            problems.push(format!("{CHECKPOINT}: {e}"));
            return;
        }
    };
    r.origin = cp.origin.clone();
    r.checkpoint_size = cp.size;
    r.checkpoint_root = to_hex(&cp.root.0);

    // The log excerpt and its range proof.
    let Some(lbytes) = read_text(files, LOG_EXCERPT, problems) else {
        return;
    };
    let log: LogJson = match serde_json::from_slice(&lbytes) {
        Ok(l) => l,
        Err(e) => {
            problems.push(format!("{LOG_EXCERPT} is not a log excerpt: {e}"));
            return;
        }
    };
    if log.format != LOG_FORMAT || log.origin != cp.origin || log.checkpoint_size != cp.size {
        problems.push(format!(
            "{LOG_EXCERPT} is for {:?} at size {} (format {:?}), the checkpoint is {:?} at size {}",
            log.origin, log.checkpoint_size, log.format, cp.origin, cp.size
        ));
        return;
    }
    let mut leaves: Vec<Hash> = Vec::with_capacity(log.leaves.len());
    let mut disclosed_at: BTreeMap<u64, Hash> = BTreeMap::new();
    let mut disclosed: Vec<(u64, Entry)> = Vec::new();
    for (k, leaf) in log.leaves.iter().enumerate() {
        let index = log.begin.saturating_add(k as u64);
        match (&leaf.entry, &leaf.withheld) {
            (Some(text), None) => {
                leaves.push(leaf_hash(text.as_bytes()));
                disclosed_at.insert(index, leaf_hash(text.as_bytes()));
                match Entry::decode(text.as_bytes()) {
                    Ok(e) => disclosed.push((index, e)),
                    Err(e) => problems.push(format!("entry {index}: {e}")),
                }
            }
            (None, Some(hex)) => match hash_from_hex(hex) {
                Some(h) => {
                    leaves.push(h);
                    r.withheld += 1;
                }
                None => {
                    problems.push(format!(
                        "entry {index}: withheld leaf hash {hex:?} is not 64 hex digits"
                    ));
                    return;
                }
            },
            _ => {
                problems.push(format!(
                    "entry {index}: give either the entry or its withheld leaf hash"
                ));
                return;
            }
        }
    }
    let mut proof = Vec::with_capacity(log.proof.len());
    for h in &log.proof {
        match hash_from_hex(h) {
            Some(h) => proof.push(h),
            None => {
                problems.push(format!(
                    "{LOG_EXCERPT}: proof hash {h:?} is not 64 hex digits"
                ));
                return;
            }
        }
    }
    r.begin = log.begin;
    r.end = log.begin.saturating_add(leaves.len() as u64);
    r.disclosed = disclosed.len() as u64;
    r.proof_hashes = proof.len() as u64;
    if let Err(e) = verify_range(&leaves, log.begin, cp.size, cp.root, &proof) {
        problems.push(format!(
            "the entries {}..{} are not those of the signed log: {e} (an entry was changed, added, removed or reordered, or the proof altered)",
            r.begin,
            r.end.saturating_sub(1)
        ));
        return;
    }

    // Entries after the range, each with its own inclusion proof.
    let mut seen_also = BTreeSet::new();
    for a in &log.also {
        if (r.begin..r.end).contains(&a.index) || !seen_also.insert(a.index) {
            problems.push(format!("{LOG_EXCERPT}: entry {} is given twice", a.index));
            continue;
        }
        let mut proof = Vec::with_capacity(a.proof.len());
        for h in &a.proof {
            match hash_from_hex(h) {
                Some(h) => proof.push(h),
                None => problems.push(format!(
                    "entry {}: proof hash {h:?} is not 64 hex digits",
                    a.index
                )),
            }
        }
        let leaf = leaf_hash(a.entry.as_bytes());
        if let Err(e) =
            verbatim_log::tree::verify_inclusion(leaf, a.index, cp.size, cp.root, &proof)
        {
            problems.push(format!(
                "entry {} is not that entry of the signed log: {e} (the entry or its inclusion proof was altered)",
                a.index
            ));
            continue;
        }
        match Entry::decode(a.entry.as_bytes()) {
            Ok(e) => {
                disclosed_at.insert(a.index, leaf);
                disclosed.push((a.index, e));
                r.disclosed += 1;
            }
            Err(e) => problems.push(format!("entry {}: {e}", a.index)),
        }
    }

    // A redacted copy: the redaction's declared spans, and the segments it replaced.
    let mut redaction: Option<verbatim_log::entry::Redaction> = None;
    for (index, e) in &disclosed {
        if let Entry::Redaction(x) = e {
            if x.hearing != manifest.hearing {
                continue;
            }
            if redaction.is_some() {
                problems.push(format!(
                    "entry {index}: a second redaction ({}); a public copy is made under one",
                    x.redaction
                ));
            } else {
                redaction = Some(x.clone());
            }
        }
    }
    if manifest.redaction != redaction.as_ref().map(|x| x.redaction.clone()) {
        problems.push(format!(
            "{MANIFEST} names redaction {:?}, the disclosed entries {:?}",
            manifest.redaction,
            redaction.as_ref().map(|x| &x.redaction)
        ));
    }
    // (stream, seq) -> (entry index, the replacement)
    let mut replaced: BTreeMap<(String, u64), (u64, verbatim_log::entry::SegmentRedacted)> =
        BTreeMap::new();
    for (index, e) in &disclosed {
        if let Entry::SegmentRedacted(x) = e {
            if redaction.as_ref().map(|r| &r.redaction) != Some(&x.redaction) {
                problems.push(format!(
                    "entry {index}: a segment redacted for {}, not the bundle's redaction",
                    x.redaction
                ));
            } else if replaced
                .insert((x.stream.clone(), x.seq), (*index, x.clone()))
                .is_some()
            {
                problems.push(format!(
                    "stream {} segment {} is replaced twice",
                    x.stream, x.seq
                ));
            }
        }
    }
    let is_replaced = |e: &Entry| {
        e.segment()
            .is_some_and(|s| replaced.contains_key(&(s.stream.to_string(), s.seq)))
    };
    // The segments the bundle discloses, for matching replacements to their originals.
    let disclosed_segments: BTreeSet<(String, u64)> = disclosed
        .iter()
        .filter_map(|(_, e)| e.segment().map(|s| (s.stream.to_string(), s.seq)))
        .collect();

    // C2SP tlog-proofs: each an inclusion proof of a disclosed entry, to this checkpoint.
    for path in listed.iter().filter(|p| p.starts_with(PROOFS_DIR)) {
        let checked = (|| -> Result<(), String> {
            let bytes = files.read(path, 1 << 20)?.ok_or("missing")?;
            let p = TlogProof::decode(&bytes)?;
            if p.checkpoint != note {
                return Err("its checkpoint is not the bundle's".into());
            }
            if *path != format!("{PROOFS_DIR}{}.tlog-proof", p.index) {
                return Err(format!(
                    "it proves entry {}, not the one its name says",
                    p.index
                ));
            }
            let leaf = disclosed_at
                .get(&p.index)
                .ok_or(format!("entry {} is not disclosed in the bundle", p.index))?;
            verbatim_log::tree::verify_inclusion(*leaf, p.index, cp.size, cp.root, &p.proof)
                .map_err(|e| format!("the inclusion proof fails: {e}"))
        })();
        match checked {
            Ok(()) => r.tlog_proofs += 1,
            Err(e) => problems.push(format!("{path}: {e}")),
        }
    }

    // The sealed files the disclosed entries name, hashed up front on several threads.
    let sealed_paths: Vec<String> = disclosed
        .iter()
        .filter(|(_, e)| e.hearing() == Some(manifest.hearing.as_str()) && !is_replaced(e))
        .filter_map(|(_, e)| e.sealed_file().map(|f| f.path.to_string()))
        .filter(|p| safe_path(p))
        .collect();
    let mut hashed: BTreeMap<String, Hashed> = sealed_paths
        .iter()
        .cloned()
        .zip(digests(files, &sealed_paths, threads))
        .collect();

    // The disclosed entries: all of this hearing; the sealed files they name.
    let mut proven: BTreeMap<String, (u64, u64)> = BTreeMap::new(); // path -> (bytes, entry)
    let mut streams: BTreeMap<String, Vec<Seg>> = BTreeMap::new();
    let mut certified: BTreeMap<u64, String> = BTreeMap::new();
    for (index, e) in &disclosed {
        if e.hearing() != Some(manifest.hearing.as_str()) {
            problems.push(format!(
                "entry {index} ({}) is not of hearing {}",
                e.kind(),
                manifest.hearing
            ));
            continue;
        }
        match e {
            Entry::HearingOpened(o) if r.case_number.is_empty() && r.courtroom.is_empty() => {
                r.case_number = o.case_number.clone();
                r.courtroom = o.courtroom.clone();
                r.judge = o.judge.clone();
            }
            Entry::LogNote(_) => r.notes += 1,
            Entry::HearingPaused(h) | Entry::HearingResumed(h) | Entry::HearingClosed(h) => {
                r.events.push(format!(
                    "{} at {}{}",
                    e.kind(),
                    hms(h.media_ns / 1_000_000),
                    reason(&h.reason)
                ));
            }
            Entry::SourceLost(s)
            | Entry::SourceRestored(s)
            | Entry::MicMuted(s)
            | Entry::MicUnmuted(s) => {
                r.events.push(format!(
                    "{} {} at {}{}",
                    s.stream,
                    e.kind(),
                    hms(s.media_ns / 1_000_000),
                    reason(&s.reason)
                ));
            }
            Entry::TranscriptRevision(t) => {
                r.transcript = Some(TranscriptReport {
                    revision: t.revision,
                    author: t.author.clone(),
                    path: t.path.clone(),
                    certified_by: None,
                });
            }
            Entry::TranscriptCertified(c) => {
                certified.insert(c.revision, c.by.clone());
            }
            Entry::MediaImported(m) => r.imports.push(format!(
                "{} imported from {} ({} bytes, SHA-256 {}, {}) by {}: LOWER ASSURANCE than \
                 native capture (the court vouches for the file it was given, not for how it \
                 was recorded)",
                m.stream, m.source_name, m.source_bytes, m.source_sha256, m.source_format, m.by
            )),
            _ => {}
        }
        // A segment the redaction replaced: its original stays out of the bundle, and the
        // replacement must be for this very segment and touched by a declared span.
        if let (Some(seg), Some(red)) = (e.segment(), &redaction) {
            let verbatim_log::entry::SegmentRef {
                stream,
                seq,
                start_ns: start,
                end_ns: end,
                sha256: sha,
                path,
            } = seg;
            let touched = red.spans.iter().any(|x| x.touches(stream, start, end));
            match replaced.get(&(stream.to_string(), seq)) {
                Some((ri, x)) => {
                    if x.original_sha256 != sha {
                        problems.push(format!(
                            "entry {ri} replaces stream {stream} segment {seq} but names another original"
                        ));
                    }
                    if !touched {
                        problems.push(format!(
                            "entry {ri} replaces stream {stream} segment {seq}, which no declared span of redaction {} touches: a change outside the declared spans",
                            red.redaction
                        ));
                    }
                    if matches!(files.digest(path), Ok(Some(_))) {
                        problems.push(format!(
                            "{path} is in the bundle: the original of a redacted segment must not be"
                        ));
                    }
                    streams.entry(stream.to_string()).or_default().push((
                        seq,
                        start / 1_000_000,
                        end.unwrap_or(start) / 1_000_000,
                        x.bytes,
                        x.path.clone(),
                        true,
                    ));
                    continue;
                }
                None if touched => problems.push(format!(
                    "stream {stream} segment {seq} is touched by a declared span of redaction {} but is the original: the redaction is incomplete",
                    red.redaction
                )),
                None => {}
            }
        }
        if let Some(f) = e.sealed_file() {
            if !safe_path(f.path) {
                problems.push(format!("entry {index} names the unsafe path {:?}", f.path));
                continue;
            }
            let digest = hashed
                .remove(f.path)
                .unwrap_or_else(|| Err("named by two entries".into()));
            match digest {
                Ok(Some((digest, len))) => {
                    if len != f.bytes {
                        problems.push(format!(
                            "{}: {len} bytes, sealed with {} (entry {index})",
                            f.path, f.bytes
                        ));
                    } else if to_hex(&digest) != f.sha256 {
                        problems.push(format!(
                            "{}: SHA-256 {} differs from the sealed {} (entry {index}): the file was altered",
                            f.path,
                            to_hex(&digest),
                            f.sha256
                        ));
                    }
                }
                Ok(None) => {
                    problems.push(format!("{} is missing (sealed by entry {index})", f.path))
                }
                Err(e) => problems.push(format!("{}: {e}", f.path)),
            }
            proven.insert(f.path.to_string(), (f.bytes, *index));
            if let Entry::SegmentSealed(s) = e {
                streams.entry(s.stream.clone()).or_default().push((
                    s.seq,
                    s.media_start_ns / 1_000_000,
                    s.media_end_ns / 1_000_000,
                    s.bytes,
                    s.path.clone(),
                    false,
                ));
            } else if let Entry::SegmentRecovered(s) = e {
                streams.entry(s.stream.clone()).or_default().push((
                    s.seq,
                    s.media_start_ns / 1_000_000,
                    s.media_start_ns / 1_000_000,
                    s.bytes,
                    s.path.clone(),
                    false,
                ));
            } else if let Entry::SegmentRedacted(x) = e {
                // Matched with its original above; one with no original here is unexplained.
                if !disclosed_segments.contains(&(x.stream.clone(), x.seq)) {
                    problems.push(format!(
                        "entry {index} replaces stream {} segment {}, which the bundle does not disclose",
                        x.stream, x.seq
                    ));
                }
            }
        }
    }
    if let Some(t) = &mut r.transcript {
        t.certified_by = certified.get(&t.revision).cloned();
    }
    if r.case_number.is_empty() && r.courtroom.is_empty() {
        problems.push(format!(
            "the bundle does not disclose the opening of hearing {}",
            manifest.hearing
        ));
    }

    // Streams: segments run on, none withheld in between.
    for (id, mut segs) in streams {
        segs.sort();
        for w in segs.windows(2) {
            if w[1].0 == w[0].0 {
                problems.push(format!("stream {id}: segment {} is sealed twice", w[0].0));
            } else if w[1].0 != w[0].0 + 1 {
                problems.push(format!(
                    "stream {id}: segments {}..{} are inside the span but not in the bundle",
                    w[0].0 + 1,
                    w[1].0 - 1
                ));
            }
        }
        let first = &segs[0];
        let last = &segs[segs.len() - 1];
        r.streams.push(StreamReport {
            kind: kind_of(&first.4).into(),
            stream: id,
            first_seq: first.0,
            last_seq: last.0,
            files: segs.len() as u64,
            bytes: segs.iter().map(|s| s.3).sum(),
            from_ms: segs.iter().map(|s| s.1).min().unwrap_or(0),
            to_ms: segs.iter().map(|s| s.2).max().unwrap_or(0),
            redacted: segs.iter().filter(|s| s.5).count() as u64,
        });
    }
    if let Some(red) = &redaction {
        r.redaction = Some(RedactionReport {
            id: red.redaction.clone(),
            by: red.by.clone(),
            role: red.role.clone(),
            at_unix_ms: red.at_unix_ms,
            spans: red
                .spans
                .iter()
                .map(|x| {
                    format!(
                        "{} {} {} to {}: {}",
                        x.stream,
                        if x.action == "mute" {
                            "muted"
                        } else {
                            "blanked"
                        },
                        hms(x.from_ns / 1_000_000),
                        hms(x.to_ns / 1_000_000),
                        x.reason
                    )
                })
                .collect(),
            replaced: replaced.len() as u64,
        });
    }
    r.proven_files = proven.len() as u64;
    r.proven_bytes = proven.values().map(|v| v.0).sum();

    // The manifest agrees with the log.
    for f in &manifest.files {
        match proven.get(&f.path) {
            Some((bytes, entry)) if *bytes == f.bytes && *entry == f.entry => {}
            Some(_) => problems.push(format!(
                "{MANIFEST} describes {} differently from its log entry",
                f.path
            )),
            None => problems.push(format!(
                "{MANIFEST} lists {} but no disclosed entry seals it",
                f.path
            )),
        }
    }
    let declared: BTreeSet<&str> = manifest.derived.iter().map(String::as_str).collect();
    for d in &manifest.derived {
        if !d.starts_with(DERIVED_DIR) || !safe_path(d) {
            problems.push(format!("derived file {d:?} is not under {DERIVED_DIR}"));
        }
    }
    // Every file in the bundle is proven, bundle metadata, for people, or declared derived.
    for path in &listed {
        let p = path.as_str();
        if proven.contains_key(p)
            || METADATA.contains(&p)
            || FOR_PEOPLE.contains(&p)
            || (p.starts_with(PROOFS_DIR) && p.ends_with(".tlog-proof"))
        {
            continue;
        }
        if declared.contains(p) && p.starts_with(DERIVED_DIR) {
            r.derived.push(path.clone());
            continue;
        }
        problems.push(format!(
            "{path} is in the bundle but not covered by the proof (nor declared derived)"
        ));
    }
    for d in &declared {
        if !listed.iter().any(|p| p == d) {
            problems.push(format!("derived file {d} is listed but missing"));
        }
    }
}
