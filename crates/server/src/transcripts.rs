//! Transcripts in the web application.
//!
//! * The **transcriber** follows the log: for every hearing with sealed microphone segments
//!   and no transcript yet, it transcribes what has been sealed since its last step (while
//!   the hearing records, so the transcript trails live by a few tens of seconds), keeps its
//!   progress under `work/transcribe/` (so a restart resumes where it stopped), and when the
//!   hearing has closed and everything is transcribed it seals revision 1, the machine
//!   output.
//! * **Revisions**: a correction names the revision it corrects (which must be the latest)
//!   and becomes the next revision, written once and sealed; certification seals the
//!   latest revision's hash and ends editing.
//! * **Exports** of any revision (PDF, DOCX, WebVTT, SRT, text), audited.
//! * **Search** over the latest revision of every hearing and the notes, with closed
//!   hearings filtered inside the query by what the user may see.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Digest;
use verbatim_catalog::{Hearing, Role};
use verbatim_log::entry::{transcript_path, LogNote, TranscriptCertified, TranscriptRevision};
use verbatim_log::Entry;
use verbatim_transcribe::engine::{Mic, Progress, SegmentFile, Stats};
use verbatim_transcribe::{LangChoice, Whisper, WhisperConfig};
use verbatim_transcript::export::{self, ExportContext};
use verbatim_transcript::{Lang, Transcript, Utterance, Word, FORMAT};

use crate::api::{audit, now_ms, visible, Body};
use crate::auth::SignedIn;
use crate::{append_to, ApiError, AppState};

/// What the transcriber is doing, as the API reports it (`state`: idle, transcribing,
/// unavailable, error; the interface translates it). `detail` is the technical reason of
/// `unavailable` and `error`, as the component gave it.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct TranscriberStatus {
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hearing: Option<String>,
    /// Seconds of the hearing transcribed, and sealed so far (while `transcribing`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_s: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_s: Option<u64>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl TranscriberStatus {
    fn idle() -> Self {
        Self {
            state: "idle",
            ..Default::default()
        }
    }

    fn failed(state: &'static str, detail: impl Into<String>) -> Self {
        Self {
            state,
            detail: detail.into(),
            ..Default::default()
        }
    }

    fn transcribing(hearing: &str, done_s: Option<u64>, total_s: Option<u64>) -> Self {
        Self {
            state: "transcribing",
            hearing: Some(hearing.to_string()),
            done_s,
            total_s,
            detail: String::new(),
        }
    }
}

/// The transcriber's state, shared with the API.
pub(crate) struct Transcriber {
    pub config: Option<WhisperConfig>,
    /// What it is doing.
    pub status: std::sync::Mutex<TranscriberStatus>,
    pub wake: Arc<tokio::sync::Notify>,
    whisper: Arc<std::sync::Mutex<Option<Whisper>>>,
    /// Per hearing: the (latest revision, notes) last put in the search index.
    indexed: tokio::sync::Mutex<HashMap<String, (u64, usize)>>,
}

impl Transcriber {
    pub fn new(config: Option<WhisperConfig>) -> Transcriber {
        let status = match &config {
            Some(_) => TranscriberStatus::idle(),
            None => {
                TranscriberStatus::failed("unavailable", "no speech recognition model configured")
            }
        };
        Transcriber {
            config,
            status: std::sync::Mutex::new(status),
            wake: Arc::new(tokio::sync::Notify::new()),
            whisper: Default::default(),
            indexed: Default::default(),
        }
    }

    fn set_status(&self, s: TranscriberStatus) {
        *self.status.lock().unwrap_or_else(|e| e.into_inner()) = s;
    }

    fn status(&self) -> TranscriberStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// What the log says about one hearing.
#[derive(Default, Clone)]
struct HearingLog {
    court: String,
    courtroom: String,
    /// Microphone streams (Matroska audio segments), in order.
    mics: BTreeMap<String, Vec<SegmentFile>>,
    /// Closed after its last opening: no segment will come.
    ended: bool,
    revisions: Vec<(u64, TranscriptRevision)>,
    certified: Option<(u64, TranscriptCertified)>,
    notes: Vec<LogNote>,
}

fn scan(data_dir: &FsPath) -> Result<BTreeMap<String, HearingLog>, String> {
    let log_dir = data_dir.join(verbatim_log::layout::LOG_DIR);
    let entries = verbatim_log::store::read_entries(&log_dir).map_err(|e| e.to_string())?;
    let mut out: BTreeMap<String, HearingLog> = BTreeMap::new();
    for (i, bytes) in entries.iter().enumerate() {
        let Ok(e) = Entry::decode(bytes) else {
            continue;
        };
        let Some(h) = e.hearing() else { continue };
        let rec = out.entry(h.to_string()).or_default();
        match e {
            Entry::HearingOpened(o) => {
                rec.court = o.court;
                rec.courtroom = o.courtroom;
                rec.ended = false;
            }
            Entry::HearingClosed(_) => rec.ended = true,
            Entry::SegmentSealed(s) if s.path.ends_with(".mka") => {
                rec.mics.entry(s.stream).or_default().push(SegmentFile {
                    path: data_dir.join(&s.path),
                    start_ms: s.media_start_ns / 1_000_000,
                    end_ms: s.media_end_ns / 1_000_000,
                });
            }
            Entry::LogNote(n) => rec.notes.push(n),
            Entry::TranscriptRevision(r) => rec.revisions.push((i as u64, r)),
            Entry::TranscriptCertified(c) => rec.certified = Some((i as u64, c)),
            _ => {}
        }
    }
    Ok(out)
}

async fn scan_async(state: &AppState) -> Result<BTreeMap<String, HearingLog>, ApiError> {
    let dir = state.data_dir.clone();
    tokio::task::spawn_blocking(move || scan(&dir))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

fn progress_path(data_dir: &FsPath, hearing: &str) -> PathBuf {
    data_dir
        .join(verbatim_log::layout::WORK_DIR)
        .join("transcribe")
        .join(format!("{hearing}.json"))
}

/// Labels of a hearing's mics: role from the courtroom's configuration, the person in that
/// role from the catalog.
async fn mics_of(state: &AppState, rec: &HearingLog, hearing: Option<&Hearing>) -> Vec<Mic> {
    let room = state.room(&rec.courtroom).await.ok().flatten();
    let mut people: HashMap<String, String> = HashMap::new();
    if let Some(h) = hearing {
        for (role, id) in [("judge", &h.judge_id), ("secretary", &h.secretary_id)] {
            if let Ok(Some(u)) = state.catalog.user(id).await {
                people.insert(role.to_string(), u.display_name);
            }
        }
        if let Ok(ps) = state.catalog.participants(&h.case_id).await {
            for p in ps {
                people.entry(p.role).or_insert(p.name);
            }
        }
    }
    rec.mics
        .keys()
        .map(|id| {
            let role = room
                .as_ref()
                .and_then(|r| r.sources.iter().find(|s| &s.id == id))
                .and_then(|s| s.role.clone())
                .unwrap_or_default();
            Mic {
                id: id.clone(),
                speaker: people.get(&role).cloned(),
                role,
            }
        })
        .collect()
}

/// The transcriber's loop: wakes every few seconds (or when told) and does what is due.
/// Holds the application only while working, and ends when the application is gone (so a
/// dropped router releases the court's log).
pub(crate) async fn run(state: std::sync::Weak<AppState>) {
    let Some(wake) = state.upgrade().map(|s| s.transcriber.wake.clone()) else {
        return;
    };
    loop {
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(4)) => {}
        }
        let Some(state) = state.upgrade() else { return };
        if let Err(e) = work_once(&state).await {
            state
                .transcriber
                .set_status(TranscriberStatus::failed("error", e.to_string()));
        }
    }
}

async fn work_once(state: &Arc<AppState>) -> Result<(), ApiError> {
    let hearings = scan_async(state).await?;
    for (id, rec) in &hearings {
        if rec.revisions.is_empty() && !rec.mics.is_empty() && state.transcriber.config.is_some() {
            transcribe_hearing(state, id, rec).await?;
        }
    }
    // Search: every hearing whose latest revision or notes changed since last indexed.
    let Some(index) = &state.search else {
        return Ok(());
    };
    let hearings = scan_async(state).await?;
    let mut indexed = state.transcriber.indexed.lock().await;
    let mut changed = false;
    for (id, rec) in &hearings {
        let latest = rec.revisions.last().map(|(_, r)| r.revision).unwrap_or(0);
        let key = (latest, rec.notes.len());
        if indexed.get(id) == Some(&key) || (latest == 0 && rec.notes.is_empty()) {
            continue;
        }
        let Ok(Some(h)) = state.catalog.hearing_for_system(id).await else {
            continue;
        };
        let utterances = match latest {
            0 => Vec::new(),
            n => read_revision(&state.data_dir, id, n)?.utterances,
        };
        let judge = match state.catalog.user(&h.judge_id).await {
            Ok(Some(u)) => u.display_name,
            _ => String::new(),
        };
        let meta = verbatim_search::HearingMeta {
            court: h.court_id.clone(),
            courtroom: h.courtroom_id.clone(),
            hearing: h.id.clone(),
            case_number: h.case_number.clone(),
            judge,
            date: h.date.clone(),
            closed: !h.open_to_public,
        };
        let notes: Vec<verbatim_search::Note> = rec
            .notes
            .iter()
            .map(|n| verbatim_search::Note {
                start_ms: n.media_ns / 1_000_000,
                author: n.author.clone(),
                role: n.role.clone(),
                text: n.text.clone(),
            })
            .collect();
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.index_hearing(&meta, &utterances, &notes))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        indexed.insert(id.clone(), key);
        changed = true;
    }
    if changed {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.commit())
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(())
}

async fn transcribe_hearing(
    state: &Arc<AppState>,
    id: &str,
    rec: &HearingLog,
) -> Result<(), ApiError> {
    let config = state
        .transcriber
        .config
        .clone()
        .expect("checked by the caller");
    let catalog_hearing = state.catalog.hearing_for_system(id).await.ok().flatten();
    let mics = mics_of(state, rec, catalog_hearing.as_ref()).await;
    let streams: Vec<Vec<SegmentFile>> = rec.mics.values().cloned().collect();
    let path = progress_path(&state.data_dir, id);
    let ended = rec.ended;
    let whisper = state.transcriber.whisper.clone();
    state
        .transcriber
        .set_status(TranscriberStatus::transcribing(id, None, None));
    let st = state.clone();
    let hearing = id.to_string();
    let progress = tokio::task::spawn_blocking(move || -> Result<(Progress, String), String> {
        let mut guard = whisper.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(Whisper::load(config).map_err(|e| e.to_string())?);
        }
        let w = guard.as_ref().expect("loaded above");
        std::fs::create_dir_all(path.parent().expect("has a parent")).map_err(|e| e.to_string())?;
        let mut p = Progress::load(&path)?;
        let mut stats = Stats::default();
        // Steps of up to two minutes of audio each; progress saved after each, so a
        // restart loses at most one step.
        loop {
            let advanced = p
                .step(w, &mics, &streams, LangChoice::Auto, ended, &mut stats)
                .map_err(|e| e.to_string())?;
            p.save(&path)?;
            st.transcriber.set_status(TranscriberStatus::transcribing(
                &hearing,
                Some(p.done_ms / 1000),
                streams
                    .iter()
                    .filter_map(|s| s.last())
                    .map(|f| f.end_ms / 1000)
                    .max(),
            ));
            if !advanced || p.complete {
                break;
            }
        }
        use verbatim_transcribe::Recognizer as _;
        Ok((p, w.describe()))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let (progress, recognizer) = match progress {
        Ok(p) => p,
        Err(e) => {
            state
                .transcriber
                .set_status(TranscriberStatus::failed("unavailable", e));
            return Ok(());
        }
    };
    let _ = state.events.send(
        json!({ "type": "transcript", "hearing": id, "done_ms": progress.done_ms, "complete": progress.complete })
            .to_string(),
    );
    if progress.complete {
        let t = Transcript {
            format: FORMAT.into(),
            court: state.court.id.clone(),
            hearing: id.to_string(),
            revision: 1,
            based_on: None,
            author: "machine".into(),
            created_unix_ms: now_ms(),
            recognizer,
            utterances: progress.utterances,
        };
        seal_revision(state, &t, "system").await?;
        state.transcriber.set_status(TranscriberStatus::idle());
        state.transcriber.wake.notify_one();
    }
    Ok(())
}

fn read_revision(data_dir: &FsPath, hearing: &str, revision: u64) -> Result<Transcript, ApiError> {
    let path = data_dir.join(transcript_path(hearing, revision));
    let bytes =
        std::fs::read(&path).map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
    Transcript::from_json(&bytes).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Standard base64 with padding (the checkpoint's root, as signed notes write it).
fn base64_std(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes a revision's document once (read-only, synced) and seals it; under the log's
/// lock, so two corrections cannot both become the same revision. If sealing fails the file
/// is removed: no revision exists unless it is in the log.
async fn seal_revision(
    state: &AppState,
    t: &Transcript,
    role: &str,
) -> Result<TranscriptRevision, ApiError> {
    let bytes = t
        .to_json()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let rel = transcript_path(&t.hearing, t.revision as u64);
    let entry = TranscriptRevision {
        court: state.court.id.clone(),
        hearing: t.hearing.clone(),
        revision: t.revision as u64,
        based_on: t.based_on.unwrap_or(0) as u64,
        author: t.author.clone(),
        role: role.to_string(),
        utterances: t.utterances.len() as u64,
        at_unix_ms: now_ms(),
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        path: rel.clone(),
    };
    let writes = state.transcript_writes.lock().await;
    let path = state.data_dir.join(&rel);
    tokio::task::block_in_place(|| -> Result<(), ApiError> {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let dir = path.parent().expect("a revision path has a directory");
        std::fs::create_dir_all(dir).map_err(|e| ApiError::Internal(e.to_string()))?;
        // create_new: an existing revision file is never overwritten.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                ApiError::Conflict(format!("revision {} exists already: {e}", t.revision))
            })?;
        let written = f
            .write_all(&bytes)
            .and_then(|()| f.sync_all())
            .and_then(|()| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)))
            .and_then(|()| std::fs::File::open(dir)?.sync_all());
        let sealed = written
            .map_err(|e| ApiError::Internal(e.to_string()))
            .and_then(|()| append_to(&state.log, &Entry::TranscriptRevision(entry.clone())));
        if sealed.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        sealed
    })?;
    drop(writes);
    state.transcriber.wake.notify_one();
    Ok(entry)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RevisionQuery {
    revision: Option<u64>,
}

fn revision_summary(r: &TranscriptRevision, index: u64) -> Value {
    json!({
        "revision": r.revision, "based_on": r.based_on, "author": r.author, "role": r.role,
        "at_unix_ms": r.at_unix_ms, "utterances": r.utterances, "sha256": r.sha256, "log_index": index,
    })
}

/// The hearing's transcript: a sealed revision (the latest unless asked), or while none is
/// sealed yet the transcriber's live draft.
pub(crate) async fn get_transcript(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<RevisionQuery>,
) -> Result<Json<Value>, ApiError> {
    let h = visible(&state, &who, &id).await?;
    let rec = scan_async(&state).await?.remove(&h.id).unwrap_or_default();
    let revisions: Vec<Value> = rec
        .revisions
        .iter()
        .map(|(i, r)| revision_summary(r, *i))
        .collect();
    let certified = rec.certified.as_ref().map(|(i, c)| {
        json!({ "revision": c.revision, "by": c.by, "role": c.role, "at_unix_ms": c.at_unix_ms, "sha256": c.sha256, "log_index": i })
    });
    let latest = rec.revisions.last().map(|(_, r)| r.revision);
    let want = q.revision.or(latest);
    let (status, transcript) = match want {
        Some(n) => {
            if !rec.revisions.iter().any(|(_, r)| r.revision == n) {
                return Err(ApiError::NotFound(format!(
                    "hearing {id} has no transcript revision {n}"
                )));
            }
            let dir = state.data_dir.clone();
            let hid = h.id.clone();
            let t = tokio::task::spawn_blocking(move || read_revision(&dir, &hid, n))
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))??;
            (
                "sealed",
                serde_json::to_value(t).map_err(|e| ApiError::Internal(e.to_string()))?,
            )
        }
        None => {
            let p = Progress::load(&progress_path(&state.data_dir, &h.id)).unwrap_or_default();
            let status = if rec.mics.is_empty() {
                "none"
            } else if state.transcriber.config.is_none() {
                "unavailable"
            } else {
                "live"
            };
            (
                status,
                json!({ "hearing": h.id, "revision": 0, "utterances": p.utterances, "done_ms": p.done_ms }),
            )
        }
    };
    // Views of sealed revisions are audited; the live draft is polled by the review page,
    // whose opening is audited already (view_record).
    if status == "sealed" {
        let detail = format!("revision {}", transcript["revision"]);
        audit(
            &state,
            &who.user.username,
            who.user.role.as_str(),
            "view_transcript",
            &id,
            &detail,
        )
        .await?;
    }
    Ok(Json(json!({
        "hearing": h.id, "status": status, "transcriber": state.transcriber.status(),
        "revisions": revisions, "certified": certified, "transcript": transcript,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Change {
    id: String,
    text: Option<String>,
    lang: Option<String>,
    speaker: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Correction {
    based_on: u64,
    changes: Vec<Change>,
}

/// Words for corrected text: the recogniser's words where the text still has them in the
/// same order, the rest spread over the utterance's time by length.
fn rewrite_words(u: &Utterance, text: &str) -> Vec<Word> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.is_empty() {
        return Vec::new();
    }
    if tokens.len() == u.words.len() {
        return u
            .words
            .iter()
            .zip(&tokens)
            .map(|(w, t)| Word {
                text: t.to_string(),
                start_ms: w.start_ms,
                end_ms: w.end_ms,
                p: if w.text == *t { w.p } else { None },
            })
            .collect();
    }
    let total: usize = tokens.iter().map(|t| t.chars().count() + 1).sum();
    let span = u.end_ms - u.start_ms;
    let mut at = 0usize;
    tokens
        .iter()
        .map(|t| {
            let len = t.chars().count() + 1;
            let s = u.start_ms + span * at as u64 / total as u64;
            at += len;
            let e = u.start_ms + span * at as u64 / total as u64;
            Word {
                text: t.to_string(),
                start_ms: s,
                end_ms: e,
                p: None,
            }
        })
        .collect()
}

/// The transcript is the hearing's own judge's and secretary's to correct and certify, not
/// any judge's or secretary's of the court.
fn own_hearing(who: &SignedIn, h: &Hearing, does: &str) -> Result<(), ApiError> {
    if who.user.id == h.judge_id || who.user.id == h.secretary_id {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only the hearing's judge or secretary {does} its transcript"
        )))
    }
}

/// A correction by the secretary (or the judge): the next revision.
pub(crate) async fn post_correction(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Body(req): Body<Correction>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Secretary, Role::Judge])?;
    let h = visible(&state, &who, &id).await?;
    own_hearing(&who, &h, "corrects")?;
    if req.changes.is_empty() || req.changes.len() > 10_000 {
        return Err(ApiError::BadRequest(
            "changes: give 1 to 10000 changes".into(),
        ));
    }
    let rec = scan_async(&state).await?.remove(&h.id).unwrap_or_default();
    if rec.certified.is_some() {
        return Err(ApiError::Conflict(
            "the transcript is certified; it can no longer be changed".into(),
        ));
    }
    let Some((_, latest)) = rec.revisions.last() else {
        return Err(ApiError::Conflict(
            "no transcript revision to correct yet".into(),
        ));
    };
    if req.based_on != latest.revision {
        return Err(ApiError::Conflict(format!(
            "revision {} is not the latest (revision {} is): reload and correct that",
            req.based_on, latest.revision
        )));
    }
    let mut t = read_revision(&state.data_dir, &h.id, latest.revision)?;
    for c in &req.changes {
        let Some(u) = t.utterances.iter_mut().find(|u| u.id == c.id) else {
            return Err(ApiError::BadRequest(format!(
                "no utterance {:?} in revision {}",
                c.id, latest.revision
            )));
        };
        if let Some(text) = &c.text {
            let text = text.trim();
            if text.len() > verbatim_transcript::MAX_UTTERANCE_TEXT || text.contains('\0') {
                return Err(ApiError::BadRequest(format!(
                    "utterance {}: text too long or with a NUL",
                    c.id
                )));
            }
            if text != u.text {
                u.words = rewrite_words(u, text);
                u.text = text.to_string();
                u.edited = true;
            }
        }
        if let Some(l) = &c.lang {
            let l = Lang::parse(l).map_err(|e| ApiError::BadRequest(e.to_string()))?;
            if l != u.lang {
                u.lang = l;
                u.edited = true;
            }
        }
        if let Some(s) = &c.speaker {
            let s = s.trim();
            if s.len() > 200 {
                return Err(ApiError::BadRequest("speaker: at most 200 bytes".into()));
            }
            let s = (!s.is_empty()).then(|| s.to_string());
            if s != u.speaker {
                u.speaker = s;
                u.edited = true;
            }
        }
    }
    t.revision = latest.revision as u32 + 1;
    t.based_on = Some(latest.revision as u32);
    t.author = who.user.username.clone();
    t.created_unix_ms = now_ms();
    let entry = seal_revision(&state, &t, who.user.role.as_str()).await?;
    Ok(Json(revision_summary(&entry, 0)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Certify {
    revision: u64,
}

/// Certifies the latest revision as the official transcript.
pub(crate) async fn post_certify(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Body(req): Body<Certify>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Judge, Role::Secretary])?;
    let h = visible(&state, &who, &id).await?;
    own_hearing(&who, &h, "certifies")?;
    let _writes = state.transcript_writes.lock().await;
    let rec = {
        let dir = state.data_dir.clone();
        tokio::task::block_in_place(|| scan(&dir))
            .map_err(ApiError::Internal)?
            .remove(&h.id)
            .unwrap_or_default()
    };
    if rec.certified.is_some() {
        return Err(ApiError::Conflict(
            "the transcript is certified already".into(),
        ));
    }
    let Some((_, latest)) = rec.revisions.last() else {
        return Err(ApiError::Conflict(
            "no transcript revision to certify yet".into(),
        ));
    };
    if latest.revision != req.revision {
        return Err(ApiError::Conflict(format!(
            "revision {} is not the latest (revision {} is)",
            req.revision, latest.revision
        )));
    }
    let entry = TranscriptCertified {
        court: state.court.id.clone(),
        hearing: h.id.clone(),
        revision: latest.revision,
        sha256: latest.sha256.clone(),
        by: who.user.username.clone(),
        role: who.user.role.as_str().to_string(),
        at_unix_ms: now_ms(),
    };
    tokio::task::block_in_place(|| {
        append_to(&state.log, &Entry::TranscriptCertified(entry.clone()))
    })?;
    Ok(Json(
        json!({ "revision": entry.revision, "sha256": entry.sha256, "by": entry.by, "at_unix_ms": entry.at_unix_ms }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    format: String,
    revision: Option<u64>,
    lang: Option<String>,
}

/// The official transcript as a file.
pub(crate) async fn get_export(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let h = visible(&state, &who, &id).await?;
    let (ext, mime) = match q.format.as_str() {
        "pdf" => ("pdf", "application/pdf"),
        "docx" => (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "vtt" => ("vtt", "text/vtt; charset=utf-8"),
        "srt" => ("srt", "application/x-subrip; charset=utf-8"),
        "txt" => ("txt", "text/plain; charset=utf-8"),
        other => {
            return Err(ApiError::BadRequest(format!(
                "format {other:?}: pdf, docx, vtt, srt or txt"
            )))
        }
    };
    let ui = export::UiLang::parse(q.lang.as_deref().unwrap_or(&who.user.language))
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let rec = scan_async(&state).await?.remove(&h.id).unwrap_or_default();
    let Some(n) = q.revision.or(rec.revisions.last().map(|(_, r)| r.revision)) else {
        return Err(ApiError::NotFound(format!(
            "hearing {id} has no transcript yet"
        )));
    };
    let Some((index, entry)) = rec.revisions.iter().find(|(_, r)| r.revision == n).cloned() else {
        return Err(ApiError::NotFound(format!(
            "hearing {id} has no transcript revision {n}"
        )));
    };
    let t = read_revision(&state.data_dir, &h.id, n)?;
    let judge = state
        .catalog
        .user(&h.judge_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let secretary = state
        .catalog
        .user(&h.secretary_id)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let participants = state
        .catalog
        .participants(&h.case_id)
        .await?
        .into_iter()
        .map(|p| export::Participant {
            role: p.role,
            name: p.name,
        })
        .collect();
    let checkpoint = {
        let log_dir = state.data_dir.join(verbatim_log::layout::LOG_DIR);
        let note =
            std::fs::read(log_dir.join(verbatim_log::store::CHECKPOINT_FILE)).unwrap_or_default();
        verbatim_log::checkpoint::parse_unverified(&note)
            .filter(|(_, size, _)| *size > index)
            .map(|(origin, size, root)| export::LogCheckpoint {
                origin,
                tree_size: size,
                root_hash: base64_std(&root.0),
                entry_index: index,
            })
    };
    let ctx = ExportContext {
        court_name: state.court.name.clone(),
        court_id: state.court.id.clone(),
        courtroom: h.courtroom_id.clone(),
        case_number: h.case_number.clone(),
        case_category: export::CaseCategory::parse(h.category.as_str())
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        hearing_date: h.date.clone(),
        hearing_start: h.time.clone(),
        judge,
        secretary,
        participants,
        closed: !h.open_to_public,
        lang: ui,
        certification: rec
            .certified
            .as_ref()
            .filter(|(_, c)| c.revision == n)
            .map(|(_, c)| export::Certification {
                revision: c.revision as u32,
                by: c.by.clone(),
                at_unix_ms: c.at_unix_ms,
                sha256: c.sha256.clone(),
            }),
        checkpoint,
        ..Default::default()
    };
    let bytes = tokio::task::spawn_blocking(move || match ext {
        "pdf" => export::to_pdf(&t, &ctx),
        "docx" => export::to_docx(&t, &ctx),
        "vtt" => export::to_webvtt(&t, &ctx),
        "srt" => export::to_srt(&t, &ctx),
        _ => export::to_text(&t, &ctx),
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "export_transcript",
        &id,
        &format!("revision {n} as {ext} (sha256 {})", entry.sha256),
    )
    .await?;
    let file = format!(
        "{}-{}-r{n}.{ext}",
        h.case_number
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        h.id
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    q: String,
    court: Option<String>,
    judge: Option<String>,
    case: Option<String>,
    date_from: Option<String>,
    date_to: Option<String>,
    speaker: Option<String>,
    role: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Search across hearings: transcript text and notes.
pub(crate) async fn get_search(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let Some(index) = state.search.clone() else {
        return Err(ApiError::Internal(
            "the search index is not available".into(),
        ));
    };
    let access = if who.user.role == Role::Administrator {
        verbatim_search::Access::All
    } else {
        verbatim_search::Access::Limited {
            granted: state.catalog.closed_hearings_visible_to(&who.user).await?,
        }
    };
    let some = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut query = verbatim_search::Query::text(q.q);
    query.court = some(q.court);
    query.judge = some(q.judge);
    query.case_number = some(q.case);
    query.date_from = some(q.date_from);
    query.date_to = some(q.date_to);
    query.speaker = some(q.speaker);
    query.speaker_role = some(q.role);
    query.limit = q.limit.unwrap_or(20).clamp(1, 100);
    query.offset = q.offset.unwrap_or(0).min(10_000);
    let hits = tokio::task::spawn_blocking(move || index.search(&query, &access))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| {
            if e.is_user_error() {
                ApiError::BadRequest(e.to_string())
            } else {
                ApiError::Internal(e.to_string())
            }
        })?;
    let list: Vec<Value> = hits
        .hits
        .iter()
        .map(|h| {
            json!({
                "hearing": h.hearing, "court": h.court, "courtroom": h.courtroom,
                "case_number": h.case_number, "judge": h.judge, "date": h.date,
                "kind": h.kind.as_str(), "start_ms": h.start_ms, "end_ms": h.end_ms,
                "speaker_role": h.speaker_role, "speaker": h.speaker, "author": h.author,
                "lang": h.lang.code(), "snippet": h.snippet.to_html(),
                "open": format!("/review?hearing={}&t={}", h.hearing, h.start_ms),
            })
        })
        .collect();
    Ok(Json(json!({ "total": hits.total, "hits": list })))
}
