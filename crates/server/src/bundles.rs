//! Evidence bundles through the web application: a hearing or a clip as one tar archive,
//! for whoever may see the hearing (court staff, the parties' lawyers, an appeal judge).
//! Every download is an `export_bundle` audit entry sealed in the log.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::io::AsyncReadExt;
use verbatim_bundle::export::{plan, write, ExportError, ExportRequest, Extras};
use verbatim_transcript::export::UiLang;

use crate::api::{audit, now_ms, visible};
use crate::auth::SignedIn;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BundleQuery {
    /// A clip: seconds of media time from the hearing's start.
    from: Option<f64>,
    to: Option<f64>,
    /// Language of the certificate (default: the user's).
    lang: Option<String>,
    /// A redacted public copy: the id of a sealed redaction (`verbatim redact`).
    redaction: Option<String>,
}

fn seconds(name: &str, v: Option<f64>) -> Result<Option<u64>, ApiError> {
    verbatim_bundle::export::seconds_to_ms(name, v).map_err(ApiError::BadRequest)
}

/// `GET /api/hearings/{id}/bundle[?from=S&to=S&lang=kk|ru|en&redaction=R]`: the bundle as a
/// tar archive.
pub(crate) async fn get_bundle(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<BundleQuery>,
) -> Result<Response, ApiError> {
    let h = visible(&state, &who, &id).await?;
    let lang = UiLang::parse(q.lang.as_deref().unwrap_or(&who.user.language))
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    if let Some(r) = &q.redaction {
        if !verbatim_log::entry::is_valid_id(r) {
            return Err(ApiError::BadRequest(format!(
                "redaction {r:?} is not a redaction id (r1, r2...)"
            )));
        }
    }
    let req = ExportRequest {
        hearing: h.id.clone(),
        from_ms: seconds("from", q.from)?,
        to_ms: seconds("to", q.to)?,
        court_name: state.court.name.clone(),
        created_unix_ms: now_ms(),
        lang,
        redaction: q.redaction.clone(),
    };
    let dir = state
        .data_dir
        .join(verbatim_log::layout::WORK_DIR)
        .join("exports");
    let out = dir.join(format!("{}-{}-{}.tar", h.id, now_ms(), std::process::id()));
    let data = state.data_dir.clone();
    let path = out.clone();
    let written = tokio::task::spawn_blocking(move || -> Result<_, ExportError> {
        std::fs::create_dir_all(&dir).map_err(|source| ExportError::Io {
            path: dir.clone(),
            source,
        })?;
        let p = plan(&data, &req)?;
        write(&p, &Extras::new(), &path)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| match e {
        ExportError::Input(m) => ApiError::BadRequest(m),
        other => ApiError::Internal(other.to_string()),
    })?;
    let mut span = verbatim_bundle::export::span_text(q.from, q.to);
    if let Some(r) = &q.redaction {
        span.push_str(&format!(", redacted public copy ({r})"));
    }
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "export_bundle",
        &h.id,
        &format!(
            "{span}; entries {}..{} of checkpoint {}; {} files, {} bytes",
            written.begin,
            written.end.saturating_sub(1),
            written.checkpoint_size,
            written.files,
            written.bytes
        ),
    )
    .await?;
    // Stream the archive from disk; the name is removed at once (the open file stays
    // readable), so nothing is left in work/ whatever happens to the download.
    let file = tokio::fs::File::open(&out)
        .await
        .map_err(|e| ApiError::Internal(format!("{}: {e}", out.display())))?;
    let len = file
        .metadata()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .len();
    let _ = tokio::fs::remove_file(&out).await;
    let stream = futures_util::stream::unfold(file, |mut f| async move {
        let mut buf = vec![0u8; 1 << 20];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"bundle-{}.tar\"", h.id),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}
