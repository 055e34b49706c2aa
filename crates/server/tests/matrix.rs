//! The role × endpoint matrix: every route of the OpenAPI document, called by every kind
//! of user, answers as designed (allowed, forbidden, invisible, or not signed in). The
//! document is read from the server, so a new route without a row here fails the test.
//!
//! Rows that would change the world for later rows are made harmless for those allowed
//! (a correction or certification of a revision that is not the latest gets 409, a
//! recording order with nothing recording gets 409), so the answer shows the access
//! decision and nothing else.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tower::ServiceExt;
use verbatim_catalog::{Category, NewHearing, Role};
use verbatim_log::entry::{HearingOpened, SegmentSealed};
use verbatim_log::{Entry, Log};
use verbatim_transcript::Lang;

mod common;
use common::{call, seal_machine_revision, utterance, Client, TestCourt, PW};

/// The users, in the order of each row's expectations.
const WHO: [&str; 8] = [
    "anon", "admin", "judge", "judge2", "sec", "sec2", "viewer", "lawyer",
];

fn seal_segment(data: &std::path::Path, log: &mut Log, hearing: &str) -> String {
    use sha2::Digest;
    let path = format!("hearings/{hearing}/cam1/000000.mp4");
    let bytes = vec![7u8; 3000];
    std::fs::create_dir_all(data.join(&path).parent().unwrap()).unwrap();
    std::fs::write(data.join(&path), &bytes).unwrap();
    log.append(&Entry::HearingOpened(HearingOpened {
        court: "c1".into(),
        courtroom: "room-1".into(),
        hearing: hearing.into(),
        case_number: "1-1/2026".into(),
        judge: "judge".into(),
        secretary: "sec".into(),
        part: 1,
        at_unix_ms: 1,
    }))
    .unwrap();
    log.append(&Entry::SegmentSealed(SegmentSealed {
        court: "c1".into(),
        courtroom: "room-1".into(),
        hearing: hearing.into(),
        stream: "cam1".into(),
        seq: 0,
        media_start_ns: 0,
        media_end_ns: 2_000_000_000,
        captured_unix_ms: 1,
        bytes: bytes.len() as u64,
        sha256: verbatim_log::tree::to_hex(&sha2::Sha256::digest(&bytes)),
        path: path.clone(),
    }))
    .unwrap();
    format!("/media/{hearing}/cam1/000000.mp4")
}

/// Status of a call; the server-sent event stream is never read to its (absent) end.
async fn status(
    app: &axum::Router,
    c: Option<&Client>,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> StatusCode {
    if path == "/api/events" {
        let mut req = Request::builder().uri(path);
        if let Some(c) = c {
            req = req.header("cookie", &c.cookie);
        }
        let resp = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        return resp.status();
    }
    let body = body.map(|b| b.to_string());
    let (s, _, _) = match c {
        Some(c) => call(app, method, path, &c.cookie, &c.csrf, body.as_deref()).await,
        None => call(app, method, path, "", "", body.as_deref()).await,
    };
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_designed() {
    let (court, mut log, catalog) = TestCourt::new("test.court/matrix", "Суд").await;
    let data = court.data.clone();
    catalog
        .upsert_courtroom("c1", "room-1", "Зал 1")
        .await
        .unwrap();
    let mut ids = std::collections::HashMap::new();
    for (name, role) in [
        ("admin", Role::Administrator),
        ("judge", Role::Judge),
        ("judge2", Role::Judge),
        ("sec", Role::Secretary),
        ("sec2", Role::Secretary),
        ("viewer", Role::Viewer),
        ("lawyer", Role::Viewer),
        ("outsider", Role::Viewer),
    ] {
        let u = catalog
            .create_user(name, name, role, PW, "ru")
            .await
            .unwrap();
        ids.insert(name, u.id);
    }
    let case = catalog
        .create_case("c1", "1-1/2026", Category::Criminal, "")
        .await
        .unwrap();
    let hearing = |open| NewHearing {
        case_id: case.id.clone(),
        courtroom_id: "room-1".into(),
        date: "2026-11-27".into(),
        time: "10:00".into(),
        judge_id: ids["judge"].clone(),
        secretary_id: ids["sec"].clone(),
        language: "ru".into(),
        open_to_public: open,
    };
    let open = catalog.create_hearing(&hearing(true)).await.unwrap().id;
    let closed = catalog.create_hearing(&hearing(false)).await.unwrap().id;
    catalog.grant_access(&closed, &ids["lawyer"]).await.unwrap();
    let mut media = Vec::new();
    for h in [&open, &closed] {
        media.push(seal_segment(&data, &mut log, h));
        seal_machine_revision(
            &data,
            &mut log,
            h,
            vec![utterance("mic1", "judge", Lang::Ru, 0, "Слушается дело")],
        );
    }
    log.publish_checkpoint().unwrap();
    // No courtroom has sources here: a recording order that passes the access checks gets
    // 409 ("no sources" or "nothing is recording") and starts nothing.
    let app = court.app(vec![], catalog, log);
    let mut clients: Vec<Option<Client>> = vec![None];
    for name in &WHO[1..] {
        clients.push(Some(Client::login(&app, name, PW).await));
    }

    // Expected status per user, in WHO order. V_OPEN: anyone signed in; V_CLOSED: the
    // closed hearing's judge, secretary, an administrator and the lawyer it was shown to
    // (others get 404: a closed hearing is invisible, not forbidden).
    const V_OPEN: [u16; 8] = [401, 200, 200, 200, 200, 200, 200, 200];
    const V_CLOSED: [u16; 8] = [401, 200, 200, 404, 200, 404, 404, 200];
    const STAFF: [u16; 8] = [401, 200, 200, 200, 200, 200, 403, 403];
    // Recording orders: the hearing's secretary or an administrator (409 here: nothing
    // records, no sources); other secretaries may run their own hearings, so with nothing
    // recording they get 409 too, not 403.
    const RUN_ANY: [u16; 8] = [401, 409, 403, 403, 409, 409, 403, 403];
    const RUN_THIS: [u16; 8] = [401, 409, 403, 403, 409, 403, 403, 403];
    // The transcript: its hearing's judge and secretary (409 here: a stale revision).
    const EDIT: [u16; 8] = [401, 403, 409, 403, 409, 403, 403, 403];
    let t_open = format!("/api/hearings/{open}/transcript");
    let stale = json!({"based_on": 99, "changes": [{"id": "x", "text": "y"}]});
    let rows: Vec<(&str, String, Option<Value>, [u16; 8])> = vec![
        ("GET", "/api/me".into(), None, V_OPEN),
        (
            "GET",
            "/api/users".into(),
            None,
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        ("GET", "/api/hearings".into(), None, V_OPEN),
        ("GET", format!("/api/hearings/{open}"), None, V_OPEN),
        ("GET", format!("/api/hearings/{closed}"), None, V_CLOSED),
        ("GET", format!("/api/hearings/{open}/record"), None, V_OPEN),
        (
            "GET",
            format!("/api/hearings/{closed}/record"),
            None,
            V_CLOSED,
        ),
        ("GET", media[0].clone(), None, V_OPEN),
        ("GET", media[1].clone(), None, V_CLOSED),
        ("GET", format!("/api/hearings/{open}/bundle"), None, V_OPEN),
        (
            "GET",
            format!("/api/hearings/{closed}/bundle"),
            None,
            V_CLOSED,
        ),
        ("GET", t_open.clone(), None, V_OPEN),
        (
            "GET",
            format!("/api/hearings/{closed}/transcript"),
            None,
            V_CLOSED,
        ),
        ("GET", format!("{t_open}/export?format=txt"), None, V_OPEN),
        (
            "GET",
            format!("/api/hearings/{closed}/transcript/export?format=txt"),
            None,
            V_CLOSED,
        ),
        ("POST", t_open.clone(), Some(stale.clone()), EDIT),
        (
            "POST",
            format!("{t_open}/certify"),
            Some(json!({"revision": 99})),
            EDIT,
        ),
        ("GET", "/api/search?q=дело".into(), None, V_OPEN),
        ("GET", "/api/recording".into(), None, STAFF),
        ("GET", "/api/events".into(), None, STAFF),
        (
            "POST",
            "/api/recording/preflight".into(),
            Some(json!({"hearing_id": open})),
            RUN_THIS,
        ),
        (
            "POST",
            "/api/recording/start".into(),
            Some(json!({"hearing_id": open})),
            RUN_THIS,
        ),
        (
            "POST",
            "/api/recording/pause".into(),
            Some(json!({"reason": "recess"})),
            RUN_ANY,
        ),
        ("POST", "/api/recording/resume".into(), None, RUN_ANY),
        (
            "POST",
            "/api/recording/mute".into(),
            Some(json!({"stream": "mic1", "muted": true})),
            RUN_ANY,
        ),
        (
            "POST",
            "/api/recording/notes".into(),
            Some(json!({"role": "judge", "text": "x"})),
            RUN_ANY,
        ),
        (
            "POST",
            "/api/recording/stop".into(),
            Some(json!({})),
            RUN_ANY,
        ),
        ("GET", "/api/courtrooms".into(), None, STAFF),
        (
            "GET",
            "/api/court".into(),
            None,
            [200, 200, 200, 200, 200, 200, 200, 200],
        ),
        // After the recording rows: it gives room-1 sources, with which an order could start one.
        (
            "PUT",
            "/api/courtrooms/room-1".into(),
            Some(json!({"name": "Зал 1", "sources": [{"id": "cam1", "kind": "test_pattern"}]})),
            [401, 200, 403, 403, 403, 403, 403, 403],
        ),
        (
            "POST",
            format!("/api/hearings/{closed}/access"),
            Some(json!({"username": "outsider"})),
            [401, 204, 403, 403, 403, 403, 403, 403],
        ),
    ];
    // Rows that create something: a fresh name per user, so every allowed call succeeds.
    let mut results = Vec::new();
    let mut wrong = Vec::new();
    for (k, name) in WHO.iter().enumerate() {
        let c = clients[k].as_ref();
        let per_user: Vec<(&str, String, Option<Value>, u16)> = vec![
            (
                "POST",
                "/api/users".into(),
                Some(
                    json!({"username": format!("new-{name}"), "display_name": "x", "role": "viewer", "password": PW}),
                ),
                [401, 201, 403, 403, 403, 403, 403, 403][k],
            ),
            (
                "POST",
                "/api/cases".into(),
                Some(json!({"number": format!("9-{k}/2026"), "category": "civil"})),
                [401, 201, 403, 403, 201, 201, 403, 403][k],
            ),
            (
                "POST",
                "/api/hearings".into(),
                Some(
                    json!({"case_id": case.id, "courtroom_id": "room-1", "date": "2026-12-01", "time": format!("1{k}:00"), "judge": "judge", "secretary": "sec", "language": "ru", "open_to_public": true}),
                ),
                [401, 201, 403, 403, 201, 201, 403, 403][k],
            ),
        ];
        for (m, p, b, want) in per_user {
            let got = status(&app, c, m, &p, b.as_ref()).await.as_u16();
            results.push((m.to_string(), p.clone()));
            if got != want {
                wrong.push(format!("{name:>7} {m} {p}: {got}, designed {want}"));
            }
        }
    }
    for (m, p, b, want) in &rows {
        for (k, name) in WHO.iter().enumerate() {
            let got = status(&app, clients[k].as_ref(), m, p, b.as_ref())
                .await
                .as_u16();
            if got != want[k] {
                wrong.push(format!("{name:>7} {m} {p}: {got}, designed {}", want[k]));
            }
        }
        results.push((m.to_string(), p.clone()));
    }
    // Signing out last (login itself is public: the API test covers it).
    for (k, name) in WHO.iter().enumerate() {
        let got = status(
            &app,
            clients[k].as_ref(),
            "POST",
            "/api/logout",
            Some(&json!({})),
        )
        .await
        .as_u16();
        let want = if k == 0 { 401 } else { 204 };
        if got != want {
            wrong.push(format!(
                "{name:>7} POST /api/logout: {got}, designed {want}"
            ));
        }
    }
    assert!(wrong.is_empty(), "not as designed:\n{}", wrong.join("\n"));

    // Every documented route has a row (path parameters matched by shape).
    let (_, doc, _) = call(&app, "GET", "/api/openapi.json", "", "", None).await;
    let shape = |p: &str| -> String {
        let p = p.split('?').next().unwrap();
        p.split('/')
            .map(|s| {
                let param = s == open || s == closed || s == "room-1" || s.starts_with('{');
                if param || s == "cam1" || s == "000000.mp4" {
                    "*"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let covered: BTreeSet<(String, String)> = results
        .iter()
        .map(|(m, p)| (m.clone(), shape(p)))
        .chain([
            ("POST".to_string(), "/api/login".to_string()),
            ("POST".to_string(), "/api/logout".to_string()),
        ])
        .collect();
    let mut missing = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let key = (method.to_uppercase(), shape(path));
            if !covered.contains(&key) {
                missing.push(format!("{} {path}", key.0));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );
}
