//! The court's web application: a JSON API (described by the OpenAPI document it serves)
//! shaped after the NCSC courtroom digital-recording component model — start, pause,
//! resume, stop and status of a courtroom's recording, with the case id from a
//! case-management system — plus sessions, roles, notes, privacy mute and live events.
//!
//! The court's log is shared (`SharedLog`): the recorders of every courtroom recording at
//! once seal into it, and the server appends its own entries (audit, transcripts) between
//! their group commits.

mod api;
mod auth;
mod bundles;
mod rooms;
mod transcripts;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use verbatim_catalog::Catalog;
use verbatim_log::{Entry, Log, SharedLog};
use verbatim_record::{CourtroomConfig, Recorder};

pub use auth::SESSION_COOKIE;

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// Every interface string exists in Kazakh, Russian and English, and every key the page
    /// uses is defined.
    #[test]
    fn every_string_is_translated() {
        let dict: Value = serde_json::from_str(include_str!("../assets/i18n.json")).unwrap();
        let dict = dict.as_object().unwrap();
        for (key, t) in dict {
            for lang in ["kk", "ru", "en"] {
                let s = t[lang].as_str().unwrap_or_default();
                assert!(!s.trim().is_empty(), "{key} has no {lang} text");
            }
        }
        let page = concat!(
            include_str!("../assets/index.html"),
            include_str!("../assets/review.html"),
            include_str!("../assets/search.html"),
            include_str!("../assets/admin.html")
        );
        let mut used = Vec::new();
        for attr in ["data-i18n=\"", "data-i18n-placeholder=\""] {
            for part in page.split(attr).skip(1) {
                used.push(part.split('"').next().unwrap().to_string());
            }
        }
        // Calls of the translation function t("key"), not other functions ending in t.
        let bytes = page.as_bytes();
        for (i, _) in page.match_indices("t(\"") {
            let before = if i == 0 { b' ' } else { bytes[i - 1] };
            if before.is_ascii_alphanumeric() || before == b'_' || before == b'.' {
                continue;
            }
            let key: String = page[i + 3..].chars().take_while(|c| *c != '"').collect();
            if !key.ends_with('.') {
                used.push(key);
            }
        }
        // Keys built at run time from a prefix.
        // Keys written as string literals ("admin.save", in lists the pages translate): any
        // literal word.word whose first word is a prefix the dictionary uses.
        let prefixes: std::collections::BTreeSet<&str> = dict
            .keys()
            .filter_map(|k| k.split_once('.').map(|p| p.0))
            .collect();
        for lit in page.split('"').skip(1).step_by(2) {
            if let Some((p, rest)) = lit.split_once('.') {
                let word = |w: &str| {
                    !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                };
                if prefixes.contains(p) && word(p) && word(rest) {
                    used.push(lit.to_string());
                }
            }
        }
        for kind in [
            "rtsp_camera",
            "rtsp_audio",
            "v4l2",
            "alsa",
            "file",
            "test_pattern",
            "test_tone",
            "test_speech",
        ] {
            used.push(format!("kind.{kind}"));
        }
        for prefix in [
            "health.",
            "state.",
            "tag.",
            "preflight.",
            "user_role.",
            "kind.",
        ] {
            assert!(dict.keys().any(|k| k.starts_with(prefix)), "{prefix}*");
        }
        for state in ["starting", "recording", "lost", "idle", "ended"] {
            used.push(format!("health.{state}"));
        }
        for state in ["recording", "paused", "stopped"] {
            used.push(format!("state.{state}"));
        }
        // The pre-hearing test's codes (verbatim_record::preflight::SourceCheck::code).
        for code in ["frames", "sound", "silent", "no_signal", "failed"] {
            used.push(format!("preflight.{code}"));
        }
        for role in ["administrator", "judge", "secretary", "viewer"] {
            used.push(format!("user_role.{role}"));
        }
        assert!(used.len() > 20);
        for key in used {
            assert!(
                dict.contains_key(&key),
                "the page uses {key:?}, which has no translations"
            );
        }
    }
}

/// The court the server serves.
#[derive(Debug, Clone)]
pub struct CourtInfo {
    pub id: String,
    pub name: String,
    pub origin: String,
}

/// Everything `serve` needs.
pub struct ServeOptions {
    pub data_dir: PathBuf,
    pub court: CourtInfo,
    pub rooms: Vec<CourtroomConfig>,
    pub catalog: Catalog,
    pub log: Log,
    pub checkpoint_interval: Duration,
    pub disk_alarm_bytes: u64,
    pub disk_stop_bytes: u64,
    /// Mark the session cookie `Secure` (browsers still send it to http://localhost).
    pub secure_cookies: bool,
    /// Speech recognition for transcripts (`None`: no transcripts are made).
    pub transcribe: Option<verbatim_transcribe::WhisperConfig>,
}

/// A hearing recording in a courtroom.
pub(crate) struct Recording {
    pub hearing: String,
    pub secretary_id: String,
    pub recorder: Recorder,
}

/// The recordings under way, by courtroom: one hearing per courtroom, any number of
/// courtrooms at once.
pub(crate) type Recordings = HashMap<String, Recording>;

/// Seals one entry in the shared log and signs a checkpoint covering it.
pub(crate) fn append_to(log: &SharedLog, entry: &Entry) -> Result<(), ApiError> {
    let mut log = verbatim_log::lock(log);
    log.append(entry)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    log.publish_checkpoint()
        .map(|_| ())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

pub(crate) struct AppState {
    pub catalog: Catalog,
    pub court: CourtInfo,
    /// The courtrooms of `verbatim.toml`: they seed the catalog, which is what records.
    pub rooms: Vec<CourtroomConfig>,
    pub rooms_seeded: tokio::sync::OnceCell<()>,
    pub data_dir: PathBuf,
    pub checkpoint_interval: Duration,
    pub disk_alarm_bytes: u64,
    pub disk_stop_bytes: u64,
    pub secure_cookies: bool,
    pub log: SharedLog,
    pub recordings: tokio::sync::Mutex<Recordings>,
    /// Serializes the transcript's read-check-write steps (a revision must be based on the
    /// latest; a certified transcript takes no more).
    pub transcript_writes: tokio::sync::Mutex<()>,
    /// Failed logins per username, for rate limiting.
    pub failures: std::sync::Mutex<HashMap<String, Vec<Instant>>>,
    /// Live events (JSON text) for every SSE client.
    pub events: tokio::sync::broadcast::Sender<String>,
    pub transcriber: transcripts::Transcriber,
    /// The search index (under `work/search`), rebuilt from the record when missing.
    pub search: Option<Arc<verbatim_search::SearchIndex>>,
}

impl AppState {
    /// Seals an entry in the court's log.
    pub(crate) async fn append(&self, entry: Entry) -> Result<(), ApiError> {
        tokio::task::block_in_place(|| append_to(&self.log, &entry))
    }
}

/// An API error: a status and a message for people.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("too many failed sign-ins; wait a minute")]
    TooManyRequests,
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (
            status,
            axum::Json(serde_json::json!({ "error": self.to_string() })),
        )
            .into_response()
    }
}

impl From<verbatim_catalog::CatalogError> for ApiError {
    fn from(e: verbatim_catalog::CatalogError) -> Self {
        use verbatim_catalog::CatalogError as C;
        match e {
            C::Invalid(m) => ApiError::BadRequest(m),
            C::NotFound { .. } => ApiError::NotFound(e.to_string()),
            C::Exists(_) => ApiError::Conflict(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn build_state(opts: ServeOptions) -> Arc<AppState> {
    let (events, _) = tokio::sync::broadcast::channel(1024);
    let search_dir = opts
        .data_dir
        .join(verbatim_log::layout::WORK_DIR)
        .join("search");
    let search = match verbatim_search::SearchIndex::open_or_create(&search_dir) {
        Ok(i) => Some(Arc::new(i)),
        Err(e) => {
            eprintln!("warning: search is unavailable: {e}");
            None
        }
    };
    Arc::new(AppState {
        transcriber: transcripts::Transcriber::new(opts.transcribe),
        search,
        catalog: opts.catalog,
        court: opts.court,
        rooms: opts.rooms,
        rooms_seeded: Default::default(),
        data_dir: opts.data_dir,
        checkpoint_interval: opts.checkpoint_interval,
        disk_alarm_bytes: opts.disk_alarm_bytes,
        disk_stop_bytes: opts.disk_stop_bytes,
        secure_cookies: opts.secure_cookies,
        log: std::sync::Arc::new(std::sync::Mutex::new(opts.log)),
        recordings: Default::default(),
        transcript_writes: Default::default(),
        failures: Default::default(),
        events,
    })
}

/// The application's routes (for tests, which drive them without a socket).
/// With a tokio runtime, the transcriber and indexer run too.
pub fn router(opts: ServeOptions) -> axum::Router {
    let state = build_state(opts);
    if tokio::runtime::Handle::try_current().is_ok() {
        tokio::spawn(transcripts::run(Arc::downgrade(&state)));
    }
    api::routes(state)
}

/// Serves until `shutdown` resolves; then stops any recording, sealing what is in flight,
/// and returns the court's log.
pub async fn serve(
    opts: ServeOptions,
    listen: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = build_state(opts);
    tokio::spawn(transcripts::run(Arc::downgrade(&state)));
    let app = api::routes(state.clone());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    // Graceful shutdown seals what is in flight and closes the hearings being recorded.
    let taken: Vec<Recording> = state
        .recordings
        .lock()
        .await
        .drain()
        .map(|(_, r)| r)
        .collect();
    let mut failed = None;
    for r in taken {
        if let Err(e) = tokio::task::block_in_place(|| r.recorder.stop("server shut down")) {
            failed = Some(std::io::Error::other(format!("{}: {e}", r.hearing)));
        }
    }
    failed.map_or(Ok(()), Err)
}
