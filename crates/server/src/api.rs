//! The JSON API. Every route answers malformed or hostile input with a 4xx and a message,
//! never a 500 or a panic; every view of a hearing and every change is audited in the log.

use crate::auth::{self, SignedIn};
use crate::{ApiError, AppState, Recording, Recordings};
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::Stream;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;
use verbatim_catalog::{Hearing, Role};
use verbatim_log::entry::Audit;
use verbatim_log::Entry;
use verbatim_record::{HearingInfo, RecordOptions, Recorder};

/// JSON bodies, with a 4xx (not axum's plain-text rejection) when malformed.
pub(crate) struct Body<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError::BadRequest(format!(
                "request body: {}",
                e.body_text()
            ))),
        }
    }
}

pub(crate) fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/api/openapi.json", get(openapi))
        .route("/assets/i18n.json", get(i18n))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/court", get(court))
        .route("/admin", get(admin_page))
        .route("/api/users", get(users).post(create_user))
        .route("/api/cases", post(create_case))
        .route("/api/hearings", get(hearings).post(create_hearing))
        .route("/api/hearings/{id}", get(hearing))
        .route("/api/hearings/{id}/access", post(grant_access))
        .route("/api/hearings/{id}/record", get(hearing_record))
        .route("/media/{hearing}/{stream}/{file}", get(media))
        .route("/review", get(review_page))
        .route("/search", get(search_page))
        .route("/verify", get(verify_page))
        .route("/verify.wasm", get(verify_wasm))
        .route("/api/recording", get(recording_status))
        .route("/api/recording/preflight", post(recording_preflight))
        .route("/api/recording/start", post(recording_start))
        .route("/api/recording/pause", post(recording_pause))
        .route("/api/recording/resume", post(recording_resume))
        .route("/api/recording/stop", post(recording_stop))
        .route("/api/recording/mute", post(recording_mute))
        .route("/api/recording/notes", post(recording_note))
        .route("/api/events", get(events))
        .route("/api/courtrooms", get(crate::rooms::list))
        .route(
            "/api/courtrooms/{id}",
            axum::routing::put(crate::rooms::put),
        )
        .route(
            "/api/hearings/{id}/transcript",
            get(crate::transcripts::get_transcript).post(crate::transcripts::post_correction),
        )
        .route(
            "/api/hearings/{id}/transcript/certify",
            post(crate::transcripts::post_certify),
        )
        .route("/api/hearings/{id}/bundle", get(crate::bundles::get_bundle))
        .route(
            "/api/hearings/{id}/transcript/export",
            get(crate::transcripts::get_export),
        )
        .route("/api/search", get(crate::transcripts::get_search))
        .fallback(|| async { ApiError::NotFound("no such page or API route".into()) })
        .with_state(state)
}

async fn index() -> Html<&'static str> {
    Html(include_str!("../assets/index.html"))
}

async fn admin_page() -> Html<&'static str> {
    Html(include_str!("../assets/admin.html"))
}

/// `GET /api/court`: the court, its published verifier key and its latest signed checkpoint:
/// public, as anyone verifying a record needs them.
async fn court(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let key_path = state.data_dir.join(verbatim_log::layout::VERIFIER_KEY);
    let key = tokio::fs::read_to_string(&key_path)
        .await
        .map(|k| k.trim().to_string())
        .unwrap_or_default();
    let (size, root, note) = tokio::task::block_in_place(|| {
        let log = verbatim_log::lock(&state.log);
        let cp = log.checkpoint();
        (
            cp.size,
            verbatim_log::tree::to_hex(&cp.root.0),
            String::from_utf8_lossy(&cp.note).into_owned(),
        )
    });
    Ok(Json(json!({
        "id": state.court.id,
        "name": state.court.name,
        "origin": state.court.origin,
        "verifier_key": key,
        "checkpoint": { "size": size, "root": root, "note": note },
    })))
}

async fn review_page() -> Html<&'static str> {
    Html(include_str!("../assets/review.html"))
}

async fn search_page() -> Html<&'static str> {
    Html(include_str!("../assets/search.html"))
}

/// The bundle verification page: verifies a bundle in the browser, on the user's machine.
async fn verify_page() -> Html<&'static str> {
    Html(verbatim_bundle::page::VERIFY_HTML)
}

async fn verify_wasm() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/wasm")],
        verbatim_bundle::page::VERIFY_WASM,
    )
        .into_response()
}

async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("../assets/openapi.json"),
    )
        .into_response()
}

async fn i18n() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("../assets/i18n.json"),
    )
        .into_response()
}

pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

pub(crate) async fn audit(
    state: &AppState,
    actor: &str,
    role: &str,
    action: &str,
    hearing: &str,
    detail: &str,
) -> Result<(), ApiError> {
    state
        .append(Entry::Audit(Audit {
            court: state.court.id.clone(),
            actor: actor.to_string(),
            role: role.to_string(),
            action: action.to_string(),
            hearing: hearing.to_string(),
            at_unix_ms: now_ms(),
            detail: detail.chars().take(1000).collect(),
        }))
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(state): State<Arc<AppState>>,
    Body(req): Body<Login>,
) -> Result<Response, ApiError> {
    if req.username.len() > 64 || req.password.len() > 1024 {
        return Err(ApiError::BadRequest("username or password too long".into()));
    }
    auth::check_rate(&state, &req.username)?;
    let Some(user) = state
        .catalog
        .authenticate(&req.username, &req.password)
        .await?
    else {
        auth::record_failure(&state, &req.username);
        let who: String = req
            .username
            .chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect();
        audit(&state, &who, "unknown", "login_failed", "", "").await?;
        return Err(ApiError::Unauthorized);
    };
    let (token, session) = state
        .catalog
        .create_session(&user, auth::SESSION_TTL_MS)
        .await?;
    audit(&state, &user.username, user.role.as_str(), "login", "", "").await?;
    Ok((
        [(
            SET_COOKIE,
            auth::session_cookie(&token, state.secure_cookies),
        )],
        Json(json!({ "user": user, "csrf_token": session.csrf_token })),
    )
        .into_response())
}

async fn logout(State(state): State<Arc<AppState>>, who: SignedIn) -> Result<Response, ApiError> {
    state.catalog.end_session(&who.token).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, auth::session_cookie("", state.secure_cookies))],
    )
        .into_response())
}

async fn me(State(state): State<Arc<AppState>>, who: SignedIn) -> Json<Value> {
    Json(
        json!({ "user": who.user, "csrf_token": who.csrf, "court": { "id": state.court.id, "name": state.court.name } }),
    )
}

#[derive(Deserialize)]
struct DateQuery {
    date: Option<String>,
}

async fn users(State(state): State<Arc<AppState>>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Administrator])?;
    Ok(Json(json!(state.catalog.users().await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    display_name: String,
    role: String,
    password: String,
    #[serde(default = "default_language")]
    language: String,
}

fn default_language() -> String {
    "ru".into()
}

async fn create_user(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Body(req): Body<NewUser>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    who.require(&[Role::Administrator])?;
    let role = Role::parse(&req.role)?;
    let user = state
        .catalog
        .create_user(
            &req.username,
            &req.display_name,
            role,
            &req.password,
            &req.language,
        )
        .await?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "create_user",
        "",
        &format!("{} ({})", user.username, role.as_str()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(user))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewParticipant {
    name: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCase {
    number: String,
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    participants: Vec<NewParticipant>,
}

async fn create_case(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Body(req): Body<NewCase>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    who.require(&[Role::Administrator, Role::Secretary])?;
    if req.participants.len() > 200 {
        return Err(ApiError::BadRequest("at most 200 participants".into()));
    }
    let category = verbatim_catalog::Category::parse(&req.category)?;
    let case = state
        .catalog
        .create_case(&state.court.id, &req.number, category, &req.title)
        .await?;
    let mut participants = Vec::new();
    for p in &req.participants {
        participants.push(
            state
                .catalog
                .add_participant(&case.id, &p.name, &p.role)
                .await?,
        );
    }
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "create_case",
        "",
        &case.number,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "case": case, "participants": participants })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleHearing {
    case_id: String,
    courtroom_id: String,
    date: String,
    time: String,
    /// Usernames.
    judge: String,
    secretary: String,
    language: String,
    open_to_public: bool,
}

async fn create_hearing(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Body(req): Body<ScheduleHearing>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    who.require(&[Role::Administrator, Role::Secretary])?;
    let id_of = |name: &str| {
        let c = &state.catalog;
        let name = name.to_string();
        async move {
            c.user_by_name(&name)
                .await?
                .map(|u| u.id)
                .ok_or(ApiError::NotFound(format!("no user {name:?}")))
        }
    };
    let new = verbatim_catalog::NewHearing {
        case_id: req.case_id,
        courtroom_id: req.courtroom_id,
        date: req.date,
        time: req.time,
        judge_id: id_of(&req.judge).await?,
        secretary_id: id_of(&req.secretary).await?,
        language: req.language,
        open_to_public: req.open_to_public,
    };
    let h = state.catalog.create_hearing(&new).await?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "schedule_hearing",
        &h.id,
        &h.case_number,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!(h))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Grant {
    username: String,
}

async fn grant_access(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
    Body(req): Body<Grant>,
) -> Result<StatusCode, ApiError> {
    who.require(&[Role::Administrator])?;
    let h = visible(&state, &who, &id).await?;
    let user = state
        .catalog
        .user_by_name(&req.username)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user {:?}", req.username)))?;
    state.catalog.grant_access(&h.id, &user.id).await?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "grant_access",
        &h.id,
        &user.username,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn hearings(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(q): Query<DateQuery>,
) -> Result<Json<Vec<Hearing>>, ApiError> {
    let date = q.date.unwrap_or_else(verbatim_catalog::today);
    Ok(Json(state.catalog.hearings_on(&date, &who.user).await?))
}

async fn hearing(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let h = visible(&state, &who, &id).await?;
    let participants = state.catalog.participants(&h.case_id).await?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "view_hearing",
        &h.id,
        "",
    )
    .await?;
    Ok(Json(json!({ "hearing": h, "participants": participants })))
}

/// The hearing if `who` may see it; a closed hearing is "not found" to others.
pub(crate) async fn visible(
    state: &AppState,
    who: &SignedIn,
    id: &str,
) -> Result<Hearing, ApiError> {
    if !verbatim_log::entry::is_valid_id(id) {
        return Err(ApiError::BadRequest(format!("{id:?} is not a hearing id")));
    }
    state
        .catalog
        .hearing(id, &who.user)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no hearing {id}")))
}

/// Which recording an order is for: `?hearing_id=ID`. Without it, the only recording the
/// user may run (a secretary runs their own hearing's; with several under way, name one).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Target {
    hearing_id: Option<String>,
}

fn recording_json(room: &str, r: &Recording) -> Value {
    json!({ "recording": true, "courtroom": room, "hearing": r.hearing, "status": r.recorder.status() })
}

/// `GET /api/recording[?hearing_id=ID]`: every recording under way (`recordings`), or the
/// one of a hearing. When exactly one is under way its fields are also given at the top
/// level.
async fn recording_status(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(t): Query<Target>,
) -> Result<Json<Value>, ApiError> {
    // Court staff only: which hearings record (closed ones too) is not for viewers.
    who.require(&[Role::Administrator, Role::Judge, Role::Secretary])?;
    let recs = state.recordings.lock().await;
    if let Some(id) = &t.hearing_id {
        if !verbatim_log::entry::is_valid_id(id) {
            return Err(ApiError::BadRequest(format!("{id:?} is not a hearing id")));
        }
        return Ok(Json(
            recs.iter()
                .find(|(_, r)| &r.hearing == id)
                .map(|(room, r)| recording_json(room, r))
                .unwrap_or_else(|| json!({ "recording": false, "hearing": id })),
        ));
    }
    let mut all: Vec<(&String, &Recording)> = recs.iter().collect();
    all.sort_by(|a, b| a.0.cmp(b.0));
    let list: Vec<Value> = all
        .iter()
        .map(|(room, r)| recording_json(room, r))
        .collect();
    let mut out = match list.as_slice() {
        [one] => one.clone(),
        _ => json!({ "recording": !list.is_empty() }),
    };
    out["recordings"] = Value::Array(list);
    Ok(Json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Start {
    hearing_id: String,
}

/// Only the hearing's secretary (or an administrator) runs its recording.
fn may_control(who: &SignedIn, secretary_id: &str) -> Result<(), ApiError> {
    who.require(&[Role::Secretary, Role::Administrator])?;
    if who.user.role == Role::Secretary && who.user.id != secretary_id {
        return Err(ApiError::Forbidden(
            "only the hearing's secretary runs its recording".into(),
        ));
    }
    Ok(())
}

/// The pre-hearing test of the hearing's courtroom: does every source deliver a signal?
async fn recording_preflight(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Body(req): Body<Start>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Secretary, Role::Administrator])?;
    let h = visible(&state, &who, &req.hearing_id).await?;
    may_control(&who, &h.secretary_id)?;
    let room = state.room(&h.courtroom_id).await?.ok_or_else(|| {
        ApiError::Conflict(format!(
            "courtroom {} has no sources configured",
            h.courtroom_id
        ))
    })?;
    // The courtroom's sources are in use while it records (other courtrooms may record).
    let recs = state.recordings.lock().await;
    if let Some(r) = recs.get(&room.id) {
        return Err(ApiError::Conflict(format!(
            "hearing {} is recording in courtroom {}; test before starting",
            r.hearing, room.id
        )));
    }
    let checks = tokio::task::block_in_place(|| {
        verbatim_record::preflight::check(&room, std::time::Duration::from_secs(3))
    })
    .map_err(|e| ApiError::Conflict(e.to_string()))?;
    drop(recs);
    Ok(Json(json!(checks)))
}

async fn recording_start(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Body(req): Body<Start>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Secretary, Role::Administrator])?;
    let h = visible(&state, &who, &req.hearing_id).await?;
    may_control(&who, &h.secretary_id)?;
    let room = state.room(&h.courtroom_id).await?.ok_or_else(|| {
        ApiError::Conflict(format!(
            "courtroom {} has no sources configured",
            h.courtroom_id
        ))
    })?;
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
    let mut recs = state.recordings.lock().await;
    if let Some(r) = recs.get(&room.id) {
        return Err(ApiError::Conflict(format!(
            "courtroom {} is already recording hearing {}",
            room.id, r.hearing
        )));
    }
    if let Some((other, _)) = recs.iter().find(|(_, r)| r.hearing == h.id) {
        return Err(ApiError::Conflict(format!(
            "hearing {} is already recording in courtroom {other}",
            h.id
        )));
    }
    let info = HearingInfo {
        court: state.court.id.clone(),
        hearing: h.id.clone(),
        case_number: h.case_number.clone(),
        judge,
        secretary,
    };
    let opts = RecordOptions {
        data_dir: state.data_dir.clone(),
        checkpoint_interval: state.checkpoint_interval,
        disk_alarm_bytes: state.disk_alarm_bytes,
        disk_stop_bytes: state.disk_stop_bytes,
    };
    let log = state.log.clone();
    let started = tokio::task::block_in_place(|| Recorder::start(log, room.clone(), info, opts));
    match started {
        Ok(recorder) => {
            forward_events(&state, &recorder, &room.id, &h.id);
            recs.insert(
                room.id.clone(),
                Recording {
                    hearing: h.id.clone(),
                    secretary_id: h.secretary_id.clone(),
                    recorder,
                },
            );
            drop(recs);
            audit(
                &state,
                &who.user.username,
                who.user.role.as_str(),
                "start_recording",
                &h.id,
                "",
            )
            .await?;
            Ok(Json(
                json!({ "recording": true, "hearing": h.id, "courtroom": room.id }),
            ))
        }
        Err(e) => Err(ApiError::Conflict(e.to_string())),
    }
}

/// Recorder events go to every SSE client as JSON, with the courtroom and hearing they
/// come from.
fn forward_events(state: &Arc<AppState>, recorder: &Recorder, room: &str, hearing: &str) {
    let rx = recorder.subscribe();
    let tx = state.events.clone();
    let (room, hearing) = (room.to_string(), hearing.to_string());
    std::thread::spawn(move || {
        while let Ok(e) = rx.recv() {
            let Ok(mut v) = serde_json::to_value(&e) else {
                continue;
            };
            if let Some(o) = v.as_object_mut() {
                o.insert("courtroom".into(), json!(room));
                o.insert("hearing".into(), json!(hearing));
            }
            let _ = tx.send(v.to_string());
        }
    });
}

/// The recording an order is for (see [`Target`]): its courtroom.
fn pick(recs: &Recordings, who: &SignedIn, t: &Target) -> Result<String, ApiError> {
    who.require(&[Role::Secretary, Role::Administrator])?;
    if let Some(id) = &t.hearing_id {
        if !verbatim_log::entry::is_valid_id(id) {
            return Err(ApiError::BadRequest(format!("{id:?} is not a hearing id")));
        }
        let (room, r) = recs
            .iter()
            .find(|(_, r)| &r.hearing == id)
            .ok_or_else(|| ApiError::Conflict(format!("hearing {id} is not recording")))?;
        may_control(who, &r.secretary_id)?;
        return Ok(room.clone());
    }
    match recs.len() {
        0 => Err(ApiError::Conflict("nothing is recording".into())),
        1 => {
            let (room, r) = recs.iter().next().expect("one");
            may_control(who, &r.secretary_id)?;
            Ok(room.clone())
        }
        _ => {
            let mine: Vec<&String> = recs
                .iter()
                .filter(|(_, r)| may_control(who, &r.secretary_id).is_ok())
                .map(|(room, _)| room)
                .collect();
            match mine.as_slice() {
                [room] => Ok((*room).clone()),
                [] => Err(ApiError::Forbidden(
                    "only the hearing's secretary runs its recording".into(),
                )),
                _ => {
                    let mut hs: Vec<&str> = recs.values().map(|r| r.hearing.as_str()).collect();
                    hs.sort();
                    Err(ApiError::BadRequest(format!(
                        "several hearings are recording ({}): name one with ?hearing_id=",
                        hs.join(", ")
                    )))
                }
            }
        }
    }
}

/// Runs `f` on the recorder the order is for, if `who` may control it; returns its result
/// and the hearing.
async fn with_recorder<T>(
    state: &AppState,
    who: &SignedIn,
    t: &Target,
    f: impl FnOnce(&Recorder) -> Result<T, verbatim_record::RecordError>,
) -> Result<(T, String), ApiError> {
    let recs = state.recordings.lock().await;
    let room = pick(&recs, who, t)?;
    let r = &recs[&room];
    let out = tokio::task::block_in_place(|| f(&r.recorder))
        .map_err(|e| ApiError::Conflict(e.to_string()))?;
    Ok((out, r.hearing.clone()))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Reason {
    #[serde(default)]
    reason: String,
}

fn short(s: &str, field: &str) -> Result<(), ApiError> {
    if s.len() > 1000 || s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::BadRequest(format!(
            "{field} is too long or has control characters"
        )));
    }
    Ok(())
}

async fn recording_pause(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(t): Query<Target>,
    Body(req): Body<Reason>,
) -> Result<Json<Value>, ApiError> {
    short(&req.reason, "reason")?;
    let ((), h) = with_recorder(&state, &who, &t, |r| r.pause(&req.reason)).await?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "pause_recording",
        &h,
        &req.reason,
    )
    .await?;
    Ok(Json(json!({ "paused": true })))
}

async fn recording_resume(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(t): Query<Target>,
) -> Result<Json<Value>, ApiError> {
    let ((), h) = with_recorder(&state, &who, &t, |r| r.resume()).await?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "resume_recording",
        &h,
        "",
    )
    .await?;
    Ok(Json(json!({ "paused": false })))
}

async fn recording_stop(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(t): Query<Target>,
    Body(req): Body<Reason>,
) -> Result<Json<Value>, ApiError> {
    short(&req.reason, "reason")?;
    // Out of the map first, so that stopping (seconds: the segments in flight are sealed)
    // holds up no other courtroom.
    let r = {
        let mut recs = state.recordings.lock().await;
        let room = pick(&recs, &who, &t)?;
        recs.remove(&room).expect("picked")
    };
    let hearing = r.hearing.clone();
    let status = tokio::task::block_in_place(|| r.recorder.stop(&req.reason))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "stop_recording",
        &hearing,
        &req.reason,
    )
    .await?;
    Ok(Json(
        json!({ "recording": false, "hearing": hearing, "status": status }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mute {
    stream: String,
    muted: bool,
    #[serde(default)]
    reason: String,
}

async fn recording_mute(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(t): Query<Target>,
    Body(req): Body<Mute>,
) -> Result<Json<Value>, ApiError> {
    short(&req.reason, "reason")?;
    let ((), _) = with_recorder(&state, &who, &t, |r| {
        r.set_mute(&req.stream, req.muted, &req.reason)
    })
    .await?;
    Ok(Json(json!({ "stream": req.stream, "muted": req.muted })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    /// Speaker or quick tag: judge, prosecutor, defence, witness sworn, exhibit, recess, ...
    role: String,
    text: String,
}

async fn recording_note(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Query(t): Query<Target>,
    Body(req): Body<Note>,
) -> Result<Json<Value>, ApiError> {
    who.require(&[Role::Secretary, Role::Administrator])?;
    if req.role.trim().is_empty() || req.role.len() > 100 {
        return Err(ApiError::BadRequest("role must be 1-100 bytes".into()));
    }
    if req.text.len() > 16_000 {
        return Err(ApiError::BadRequest(
            "text must be at most 16000 bytes".into(),
        ));
    }
    let author = who.user.username.clone();
    let (media_ns, _) =
        with_recorder(&state, &who, &t, |r| r.note(&author, &req.role, &req.text)).await?;
    Ok(Json(json!({ "media_ns": media_ns })))
}

async fn events(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, std::convert::Infallible>>>, ApiError> {
    // Live events of every courtroom (closed hearings too): court staff only.
    who.require(&[Role::Administrator, Role::Judge, Role::Secretary])?;
    let rx = state.events.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(text) => return Some((Ok(SseEvent::default().data(text)), rx)),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Everything the review page needs about a hearing, from the log: each stream's segments
/// on the media clock, the notes, mutes and gaps, and whether the hearing's entries are in
/// the court's latest signed checkpoint.
async fn hearing_record(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let h = visible(&state, &who, &id).await?;
    let log_dir = state.data_dir.join(verbatim_log::layout::LOG_DIR);
    let data_dir = state.data_dir.clone();
    let origin = state.court.origin.clone();
    let record =
        tokio::task::spawn_blocking(move || record_of(&log_dir, &data_dir, &origin, &h.id))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))??;
    audit(
        &state,
        &who.user.username,
        who.user.role.as_str(),
        "view_record",
        &id,
        "",
    )
    .await?;
    Ok(Json(record))
}

fn record_of(
    log_dir: &std::path::Path,
    data_dir: &std::path::Path,
    origin: &str,
    hearing: &str,
) -> Result<Value, ApiError> {
    use std::collections::BTreeMap;
    let entries = verbatim_log::store::read_entries(log_dir)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut streams: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    // Streams from outside recordings (`verbatim import`): their provenance.
    let mut imported: BTreeMap<String, Value> = BTreeMap::new();
    let (mut notes, mut events) = (Vec::new(), Vec::new());
    let mut tree = verbatim_log::Tree::new();
    let mut last_index = None;
    let mut count = 0u64;
    for (i, bytes) in entries.iter().enumerate() {
        tree.push(verbatim_log::tree::leaf_hash(bytes));
        let Ok(e) = Entry::decode(bytes) else {
            continue;
        };
        if e.hearing() != Some(hearing) {
            continue;
        }
        count += 1;
        last_index = Some(i as u64);
        match e {
            Entry::SegmentSealed(s) => {
                let file = s.path.rsplit('/').next().unwrap_or_default().to_string();
                streams.entry(s.stream.clone()).or_default().push(json!({
                    "seq": s.seq, "start_ns": s.media_start_ns, "end_ns": s.media_end_ns,
                    "url": format!("/media/{}/{}/{}", s.hearing, s.stream, file),
                }));
            }
            Entry::LogNote(n) => notes.push(json!({ "media_ns": n.media_ns, "role": n.role, "text": n.text, "author": n.author })),
            Entry::MediaImported(m) => {
                imported.insert(
                    m.stream.clone(),
                    json!({
                        "source_name": m.source_name, "source_bytes": m.source_bytes,
                        "source_sha256": m.source_sha256, "source_format": m.source_format,
                        "by": m.by, "at_unix_ms": m.at_unix_ms,
                    }),
                );
            }
            other => {
                if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
                    if other.kind() != "audit" {
                        events.push(v);
                    }
                }
            }
        }
    }
    if count == 0 {
        return Ok(
            json!({ "streams": [], "notes": [], "events": [], "verified": { "ok": false, "detail": "nothing recorded yet" } }),
        );
    }
    // The badge: the court's latest signed checkpoint covers every entry of this hearing,
    // and the entries as stored hash to its root.
    let vkey = std::fs::read_to_string(data_dir.join(verbatim_log::layout::VERIFIER_KEY))
        .unwrap_or_default();
    let note =
        std::fs::read(log_dir.join(verbatim_log::store::CHECKPOINT_FILE)).unwrap_or_default();
    let verified = match verbatim_log::VerifierKey::parse(&vkey)
        .and_then(|k| verbatim_log::checkpoint::open_checkpoint(&note, &k, origin))
    {
        Err(e) => json!({ "ok": false, "detail": e.to_string() }),
        Ok(cp) => {
            let covered = last_index.is_some_and(|i| i < cp.size);
            let root_ok = tree.root_at(cp.size).is_ok_and(|r| r == cp.root);
            json!({
                "ok": covered && root_ok,
                "checkpoint_size": cp.size,
                "entries": count,
                "detail": if !root_ok { "the log does not match its signed checkpoint" }
                          else if !covered { "the newest entries are not yet in a signed checkpoint" }
                          else { "every entry of this hearing is in the court's signed log" },
            })
        }
    };
    let streams: Vec<Value> = streams
        .into_iter()
        .map(|(id, segments)| {
            let media = if segments
                .first()
                .and_then(|s| s["url"].as_str())
                .is_some_and(|u| u.ends_with(".mp4"))
            {
                "video"
            } else {
                "audio"
            };
            let imported = imported.get(&id).cloned().unwrap_or(Value::Null);
            json!({ "id": id, "media": media, "segments": segments, "imported": imported })
        })
        .collect();
    Ok(json!({ "streams": streams, "notes": notes, "events": events, "verified": verified }))
}

#[derive(Deserialize)]
struct MediaPath {
    hearing: String,
    stream: String,
    file: String,
}

/// Sealed segment files, served as they are (never rewritten), with HTTP range requests.
async fn media(
    State(state): State<Arc<AppState>>,
    who: SignedIn,
    Path(p): Path<MediaPath>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    for part in [&p.hearing, &p.stream, &p.file] {
        if !verbatim_log::entry::is_valid_id(part) {
            return Err(ApiError::BadRequest("not a segment path".into()));
        }
    }
    let content_type = match p.file.rsplit_once('.') {
        Some((_, "mp4")) => "video/mp4",
        Some((_, "mka")) => "audio/x-matroska",
        _ => return Err(ApiError::NotFound("not a segment".into())),
    };
    visible(&state, &who, &p.hearing).await?;
    let path = state
        .data_dir
        .join(verbatim_log::layout::HEARINGS_DIR)
        .join(&p.hearing)
        .join(&p.stream)
        .join(&p.file);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| ApiError::NotFound("no such segment".into()))?;
    let total = bytes.len() as u64;
    let range = headers
        .get(axum::http::header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|r| parse_range(r, total));
    let common = [
        (axum::http::header::CONTENT_TYPE, content_type.to_string()),
        (axum::http::header::ACCEPT_RANGES, "bytes".to_string()),
        (
            axum::http::header::CACHE_CONTROL,
            "private, max-age=31536000, immutable".to_string(),
        ),
    ];
    Ok(match range {
        None => (StatusCode::OK, common, bytes).into_response(),
        Some(Some((a, b))) => (
            StatusCode::PARTIAL_CONTENT,
            common,
            [(
                axum::http::header::CONTENT_RANGE,
                format!("bytes {a}-{b}/{total}"),
            )],
            bytes[a as usize..=b as usize].to_vec(),
        )
            .into_response(),
        Some(None) => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(
                axum::http::header::CONTENT_RANGE,
                format!("bytes */{total}"),
            )],
        )
            .into_response(),
    })
}

/// One `bytes=` range (`a-b`, `a-`, `-n`) within `total` bytes, inclusive; `None` if it
/// cannot be satisfied.
fn parse_range(header: &str, total: u64) -> Option<(u64, u64)> {
    let spec = header.strip_prefix("bytes=")?.trim();
    if spec.contains(',') || total == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (total.saturating_sub(n), total - 1)
        }
        (a, "") => (a.parse().ok()?, total - 1),
        (a, b) => (a.parse().ok()?, b.parse::<u64>().ok()?.min(total - 1)),
    };
    (start <= end && start < total).then_some((start, end))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges() {
        use super::parse_range;
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-200", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("bytes=5-1", 100), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
        assert_eq!(parse_range("bytes=x-", 100), None);
    }
}
