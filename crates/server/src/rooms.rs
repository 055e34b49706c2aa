//! Courtrooms and their sources, kept in the catalog and managed by the system
//! administrator: `GET /api/courtrooms` (court staff) and `PUT /api/courtrooms/{id}`
//! (administrators). Courtrooms written in `verbatim.toml` seed the catalog the first time
//! the server needs them; after that the catalog is what records, so an administrator's
//! change takes effect at the next recording without a restart.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use verbatim_catalog::{Courtroom, CourtroomSource, Role};
use verbatim_record::config::{CourtroomConfig, SourceKind};

use crate::api::{audit, Body};
use crate::auth::SignedIn;
use crate::{ApiError, AppState};

/// The settings of a courtroom as the catalog keeps them (JSON).
fn settings_of(c: &CourtroomConfig) -> Value {
    json!({
        "segment_seconds": c.segment_seconds,
        "silence_alarm_seconds": c.silence_alarm_seconds,
        "silence_db": c.silence_db,
        "stall_seconds": c.stall_seconds,
    })
}

/// A recorder's configuration as catalog rows.
pub(crate) fn to_catalog(court: &str, c: &CourtroomConfig) -> Courtroom {
    Courtroom {
        court_id: court.to_string(),
        id: c.id.clone(),
        name: if c.name.is_empty() {
            c.id.clone()
        } else {
            c.name.clone()
        },
        settings_json: settings_of(c).to_string(),
        sources: c
            .sources
            .iter()
            .map(|s| {
                let v = serde_json::to_value(s).expect("a source serializes");
                CourtroomSource {
                    id: s.id.clone(),
                    label: s.label.clone(),
                    media: match s.media() {
                        verbatim_record::config::Media::Video => "video",
                        verbatim_record::config::Media::Audio => "audio",
                    }
                    .into(),
                    role: s.role.clone().unwrap_or_default(),
                    position: s.position.clone().unwrap_or_default(),
                    kind: v["kind"].as_str().unwrap_or_default().to_string(),
                    config_json: v.to_string(),
                }
            })
            .collect(),
    }
}

/// Catalog rows as a recorder's configuration.
pub(crate) fn from_catalog(r: &Courtroom) -> Result<CourtroomConfig, String> {
    let mut v: Value = serde_json::from_str(&r.settings_json)
        .map_err(|e| format!("courtroom {}: settings: {e}", r.id))?;
    if !v.is_object() {
        v = json!({});
    }
    v["id"] = json!(r.id);
    v["name"] = json!(r.name);
    let mut sources = Vec::new();
    for s in &r.sources {
        sources.push(
            serde_json::from_str::<Value>(&s.config_json)
                .map_err(|e| format!("courtroom {} source {}: {e}", r.id, s.id))?,
        );
    }
    v["sources"] = Value::Array(sources);
    serde_json::from_value(v).map_err(|e| format!("courtroom {}: {e}", r.id))
}

impl AppState {
    /// Writes the courtrooms of `verbatim.toml` into the catalog where it has no sources
    /// for them yet (once per server).
    pub(crate) async fn seed_rooms(&self) -> Result<(), ApiError> {
        self.rooms_seeded
            .get_or_try_init(|| async {
                for c in &self.rooms {
                    let has = self
                        .catalog
                        .courtroom(&self.court.id, &c.id)
                        .await?
                        .is_some_and(|r| !r.sources.is_empty());
                    if !has {
                        self.catalog
                            .set_courtroom(&to_catalog(&self.court.id, c))
                            .await?;
                    }
                }
                Ok::<(), ApiError>(())
            })
            .await
            .map(|_| ())
    }

    /// The courtroom's configuration for recording, from the catalog; `None` if it has no
    /// sources.
    pub(crate) async fn room(&self, id: &str) -> Result<Option<CourtroomConfig>, ApiError> {
        self.seed_rooms().await?;
        match self.catalog.courtroom(&self.court.id, id).await? {
            Some(r) if !r.sources.is_empty() => from_catalog(&r)
                .map(Some)
                .map_err(|e| ApiError::Internal(format!("the catalog's {e}"))),
            _ => Ok(None),
        }
    }
}

/// `GET /api/courtrooms`: every courtroom with its settings, sources and what it records.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Administrator, Role::Judge, Role::Secretary])?;
    state.seed_rooms().await?;
    let rooms = state.catalog.courtrooms(&state.court.id).await?;
    let recs = state.recordings.lock().await;
    let mut out = Vec::new();
    for r in &rooms {
        let mut v = match from_catalog(r) {
            Ok(c) if !c.sources.is_empty() => serde_json::to_value(&c).expect("serializes"),
            _ => json!({ "id": r.id, "name": r.name, "sources": [] }),
        };
        v["recording"] = json!(recs.get(&r.id).map(|x| x.hearing.clone()));
        out.push(v);
    }
    Ok(Json(Value::Array(out)))
}

/// Source kinds that read a path on the server: written in `verbatim.toml` only. Through
/// the web they may be kept as they are, not added or changed.
fn reads_a_path(k: &SourceKind) -> bool {
    matches!(k, SourceKind::File { .. } | SourceKind::TestSpeech { .. })
}

/// `PUT /api/courtrooms/{id}`: an administrator sets a courtroom's name, settings and
/// sources (the shape of a `[[courtrooms]]` table of `verbatim.toml`). Checked as the
/// recorder checks it; refused while the courtroom records.
pub(crate) async fn put(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Body(mut body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Administrator])?;
    if !verbatim_log::entry::is_valid_id(&id) {
        return Err(ApiError::BadRequest(format!(
            "{id:?} is not a courtroom id"
        )));
    }
    let Some(obj) = body.as_object_mut() else {
        return Err(ApiError::BadRequest(
            "request body: a courtroom object".into(),
        ));
    };
    match obj.get("id") {
        None => {
            obj.insert("id".into(), json!(id));
        }
        Some(v) if v == &json!(id) => {}
        Some(v) => {
            return Err(ApiError::BadRequest(format!(
                "the body is for courtroom {v}, the path for {id}"
            )))
        }
    }
    let config: CourtroomConfig = serde_json::from_value(body)
        .map_err(|e| ApiError::BadRequest(format!("request body: {e}")))?;
    config
        .validate()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    state.seed_rooms().await?;
    let before = state.room(&id).await?;
    for s in config.sources.iter().filter(|s| reads_a_path(&s.kind)) {
        let unchanged = before
            .as_ref()
            .and_then(|b| b.sources.iter().find(|o| o.id == s.id))
            .is_some_and(|o| o == s);
        if !unchanged {
            return Err(ApiError::BadRequest(format!(
                "source {}: file and test_speech sources read a path on the server; \
                 configure them in verbatim.toml",
                s.id
            )));
        }
    }
    let recs = state.recordings.lock().await;
    if let Some(r) = recs.get(&id) {
        return Err(ApiError::Conflict(format!(
            "courtroom {id} is recording hearing {}; change it after the hearing",
            r.hearing
        )));
    }
    state
        .catalog
        .set_courtroom(&to_catalog(&state.court.id, &config))
        .await?;
    drop(recs);
    let ids: Vec<&str> = config.sources.iter().map(|s| s.id.as_str()).collect();
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "configure_courtroom",
        "",
        &format!("{id}: {} sources: {}", ids.len(), ids.join(", ")),
    )
    .await?;
    Ok(Json(serde_json::to_value(&config).expect("serializes")))
}
