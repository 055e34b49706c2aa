//! Every API route for every role, allowed or denied as designed; hostile and malformed
//! requests answered with a 4xx; a real recording run through the API; the audit trail
//! sealed in the log.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::time::Duration;
use tower::ServiceExt;
use verbatim_catalog::{Category, NewHearing, Role};
use verbatim_log::{verify_dir, Entry, VerifierKey, VerifyOptions};
use verbatim_record::config::{CourtroomConfig, SourceConfig, SourceKind};

mod common;
use common::{call, Client, TestCourt, PW};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role() {
    let (court, log, catalog) = TestCourt::new("test.court/api", "Суд").await;
    let data = court.data.clone();
    let vkey = court.vkey.clone();
    catalog
        .upsert_courtroom("c1", "room-1", "Зал 1")
        .await
        .unwrap();
    let mk = |name: &'static str, role| {
        let c = &catalog;
        async move { c.create_user(name, name, role, PW, "kk").await.unwrap() }
    };
    let _admin = mk("admin", Role::Administrator).await;
    let judge = mk("judge", Role::Judge).await;
    let secretary = mk("secretary", Role::Secretary).await;
    let _secretary2 = mk("secretary2", Role::Secretary).await;
    let _viewer = mk("viewer", Role::Viewer).await;
    let lawyer = mk("lawyer", Role::Viewer).await;
    let case = catalog
        .create_case("c1", "2-77/2026", Category::Civil, "")
        .await
        .unwrap();
    let hearing = |open| NewHearing {
        case_id: case.id.clone(),
        courtroom_id: "room-1".into(),
        date: "2026-11-27".into(),
        time: "10:00".into(),
        judge_id: judge.id.clone(),
        secretary_id: secretary.id.clone(),
        language: "kk+ru".into(),
        open_to_public: open,
    };
    let open = catalog.create_hearing(&hearing(true)).await.unwrap();
    let closed = catalog.create_hearing(&hearing(false)).await.unwrap();
    catalog.grant_access(&closed.id, &lawyer.id).await.unwrap();

    let mut room = CourtroomConfig::test_sources("room-1");
    room.sources = vec![
        room.sources[0].clone(),
        SourceConfig {
            id: "mic1".into(),
            label: "Judge".into(),
            role: Some("judge".into()),
            position: None,
            kind: SourceKind::TestTone { freq: 330.0 },
        },
    ];
    let app = court.app(vec![room], catalog, log);

    // Not signed in: 401 everywhere but the public documents.
    for (m, p) in [
        ("GET", "/api/me"),
        ("GET", "/api/hearings"),
        ("GET", "/api/recording"),
        ("GET", "/api/events"),
        ("POST", "/api/recording/start"),
        ("POST", "/api/logout"),
    ] {
        let (s, v, _) = call(&app, m, p, "", "", Some("{}")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{m} {p}: {v}");
    }
    let (s, v, _) = call(&app, "GET", "/api/openapi.json", "", "", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["openapi"], "3.1.0");
    let (s, _, _) = call(&app, "GET", "/api/me", "verbatim_session=forged", "", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // Malformed and hostile sign-ins, then the rate limit.
    for body in [
        "{bad",
        "[]",
        r#"{"username":"admin"}"#,
        r#"{"username":"admin","password":"x","extra":1}"#,
    ] {
        let (s, v, _) = call(&app, "POST", "/api/login", "", "", Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
    }
    for _ in 0..5 {
        let (s, _, _) = call(
            &app,
            "POST",
            "/api/login",
            "",
            "",
            Some(r#"{"username":"viewer","password":"wrong password"}"#),
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _, _) = call(
        &app,
        "POST",
        "/api/login",
        "",
        "",
        Some(&json!({"username":"viewer","password":PW}).to_string()),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "locked out after 5 failures, even with the right password"
    );

    let admin = Client::login(&app, "admin", PW).await;
    let judge_c = Client::login(&app, "judge", PW).await;
    let sec = Client::login(&app, "secretary", PW).await;
    let sec2 = Client::login(&app, "secretary2", PW).await;
    let lawyer_c = Client::login(&app, "lawyer", PW).await;

    // Who sees which hearings.
    for (c, n) in [
        (&admin, 2),
        (&judge_c, 2),
        (&sec, 2),
        (&sec2, 1),
        (&lawyer_c, 2),
    ] {
        let (s, v) = c.get("/api/hearings?date=2026-11-27").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v.as_array().unwrap().len(), n, "{v}");
    }
    let (s, _) = sec2.get(&format!("/api/hearings/{}", closed.id)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a closed hearing is invisible to others"
    );
    let (s, v) = lawyer_c.get(&format!("/api/hearings/{}", closed.id)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for bad in [
        "/api/hearings?date=yesterday",
        "/api/hearings/..%2Fx",
        "/api/hearings/h%00",
    ] {
        let (s, v) = admin.get(bad).await;
        assert!(
            s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND,
            "{bad}: {s} {v}"
        );
    }

    // CSRF: a state change without the token is refused.
    let (s, _, _) = call(
        &app,
        "POST",
        "/api/recording/start",
        &sec.cookie,
        "",
        Some(&json!({"hearing_id": open.id}).to_string()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(
        &app,
        "POST",
        "/api/recording/start",
        &sec.cookie,
        &judge_c.csrf,
        Some(&json!({"hearing_id": open.id}).to_string()),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "another session's token does not do"
    );

    // Only the hearing's secretary (or an administrator) runs its recording.
    for c in [&judge_c, &sec2, &lawyer_c] {
        let (s, v) = c
            .post("/api/recording/start", json!({"hearing_id": open.id}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    }
    for body in [
        json!({"hearing_id": 5}),
        json!({"x": 1}),
        json!({"hearing_id": "../x"}),
    ] {
        let (s, v) = sec.post("/api/recording/start", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
    }
    let (s, v) = sec
        .post(
            "/api/recording/notes",
            json!({"role": "judge", "text": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing recording yet: {v}");
    let (s, v) = sec
        .post("/api/recording/start", json!({"hearing_id": open.id}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = admin
        .post("/api/recording/start", json!({"hearing_id": closed.id}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one hearing at a time");
    tokio::time::sleep(Duration::from_secs(3)).await;

    let (s, v) = judge_c.get("/api/recording").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["recording"], true);
    assert_eq!(v["status"]["streams"].as_array().unwrap().len(), 2);
    let (s, _) = sec
        .post(
            "/api/recording/mute",
            json!({"stream": "mic1", "muted": true, "reason": "consultation"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = sec
        .post(
            "/api/recording/mute",
            json!({"stream": "cam1", "muted": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a camera has no privacy mute");
    let (s, _) = judge_c
        .post(
            "/api/recording/notes",
            json!({"role": "judge", "text": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = sec
        .post(
            "/api/recording/notes",
            json!({"role": "witness sworn", "text": "Куә ант берді"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["media_ns"].as_u64().unwrap() > 2_000_000_000);
    let (s, _) = sec
        .post(
            "/api/recording/notes",
            json!({"role": "judge", "text": "x".repeat(20_000)}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = sec
        .post("/api/recording/pause", json!({"reason": "recess"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = sec.post("/api/recording/pause", json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "already paused");
    let (s, _) = sec.post("/api/recording/resume", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s, _) = lawyer_c.post("/api/recording/stop", json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = sec.post("/api/recording/stop", json!({"reason": ""})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = sec.get("/api/recording").await;
    assert_eq!(v["recording"], false);

    // The record for review: segments on the media clock, the note, the badge.
    let (s, rec) = judge_c
        .get(&format!("/api/hearings/{}/record", open.id))
        .await;
    assert_eq!(s, StatusCode::OK, "{rec}");
    assert_eq!(rec["verified"]["ok"], true, "{}", rec["verified"]);
    assert_eq!(rec["notes"][0]["text"], "Куә ант берді");
    let streams = rec["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2);
    let url = streams[0]["segments"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    // Sealed files are served as they are, with ranges.
    let (s, _, _) = call(&app, "GET", &url, "", "", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let req = Request::builder()
        .uri(&url)
        .header("cookie", &judge_c.cookie)
        .header("range", "bytes=0-99")
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PARTIAL_CONTENT);
    assert!(resp.headers()["content-range"]
        .to_str()
        .unwrap()
        .starts_with("bytes 0-99/"));
    let part = resp.into_body().collect().await.unwrap().to_bytes();
    let whole = std::fs::read(
        data.join("hearings")
            .join(url.trim_start_matches("/media/")),
    )
    .unwrap();
    assert_eq!(&part[..], &whole[..100], "byte for byte");
    let req = Request::builder()
        .uri(&url)
        .header("cookie", &judge_c.cookie)
        .header("range", "bytes=999999999-")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::RANGE_NOT_SATISFIABLE
    );
    for bad in [
        "/media/..%2F..%2Fkeys/court.key/x",
        "/media/h/cam1/000000.txt",
        "/media/nohearing/cam1/000000.mp4",
    ] {
        let (s, _) = judge_c.get(bad).await;
        assert!(
            s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND,
            "{bad}: {s}"
        );
    }
    let (s, _) = sec2
        .get(&format!("/api/hearings/{}/record", closed.id))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a closed hearing's record is invisible to others"
    );
    let (s, page, _) = call(&app, "GET", "/review", "", "", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("reviewTime"));

    let (s, _) = sec.post("/api/logout", json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = sec.get("/api/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "signed out");
    drop((admin, judge_c, sec, sec2, lawyer_c));
    drop(app);

    // The record: audit entries and the recording, all verifying.
    let log = court.reopen_log();
    let mut actions = Vec::new();
    let mut segments = 0;
    for i in 0..log.size() {
        match Entry::decode(&log.entry(i).unwrap()).unwrap() {
            Entry::Audit(a) => actions.push(format!("{}:{}", a.actor, a.action)),
            Entry::SegmentSealed(_) => segments += 1,
            _ => {}
        }
    }
    for want in [
        "viewer:login_failed",
        "admin:login",
        "lawyer:view_hearing",
        "secretary:start_recording",
        "secretary:pause_recording",
        "secretary:stop_recording",
    ] {
        assert!(
            actions.iter().any(|a| a == want),
            "{want} not audited: {actions:?}"
        );
    }
    assert!(segments >= 4);
    drop(log);
    let report = verify_dir(
        &data,
        &VerifyOptions {
            key: Some(VerifierKey::parse(&vkey).unwrap()),
            ..Default::default()
        },
    );
    assert!(report.ok, "{}", report.to_text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administration_and_the_openapi_document_match_the_routes() {
    let (court, log, catalog) = TestCourt::new("test.court/admin", "Court").await;
    catalog
        .upsert_courtroom("c1", "room-1", "Room 1")
        .await
        .unwrap();
    catalog
        .create_user("admin", "Admin", Role::Administrator, PW, "en")
        .await
        .unwrap();
    let app = court.app(vec![], catalog, log);
    let admin = Client::login(&app, "admin", PW).await;
    for (name, role) in [
        ("judge1", "judge"),
        ("sec1", "secretary"),
        ("lawyer1", "viewer"),
    ] {
        let (s, v) = admin
            .post("/api/users", json!({"username": name, "display_name": name, "role": role, "password": PW, "language": "kk"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, _) = admin
        .post(
            "/api/users",
            json!({"username": "x", "display_name": "x", "role": "root", "password": PW}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = admin
        .post(
            "/api/users",
            json!({"username": "judge1", "display_name": "x", "role": "judge", "password": PW}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let sec = Client::login(&app, "sec1", PW).await;
    let (s, _) = sec
        .post(
            "/api/users",
            json!({"username": "y", "display_name": "y", "role": "viewer", "password": PW}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only administrators manage users");
    let (s, v) = sec
        .post("/api/cases", json!({"number": "1-9/2026", "category": "criminal", "participants": [{"name": "Омаров", "role": "prosecutor"}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let case_id = v["case"]["id"].as_str().unwrap().to_string();
    let schedule = |judge: &str| json!({"case_id": case_id, "courtroom_id": "room-1", "date": "2026-12-01", "time": "11:30", "judge": judge, "secretary": "sec1", "language": "ru", "open_to_public": false});
    let (s, _) = sec.post("/api/hearings", schedule("sec1")).await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a secretary cannot be the judge"
    );
    let (s, _) = sec.post("/api/hearings", schedule("nobody")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = sec.post("/api/hearings", schedule("judge1")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let hid = v["id"].as_str().unwrap().to_string();
    let lawyer = Client::login(&app, "lawyer1", PW).await;
    let (s, _) = lawyer.get(&format!("/api/hearings/{hid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = admin
        .post(
            &format!("/api/hearings/{hid}/access"),
            json!({"username": "lawyer1"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, v) = lawyer.get(&format!("/api/hearings/{hid}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["participants"][0]["name"], "Омаров");
    let (s, v) = admin.get("/api/users").await;
    assert_eq!((s, v.as_array().unwrap().len()), (StatusCode::OK, 4));
    let (s, _) = sec.get("/api/users").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Courtrooms and their sources: in the catalog, set by the administrator, checked as the
    // recorder checks them.
    let (s, v) = sec.get("/api/courtrooms").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v[0]["id"], "room-1");
    assert_eq!(v[0]["sources"].as_array().unwrap().len(), 0);
    let cam = json!({"id": "cam1", "label": "Судья", "kind": "rtsp_camera", "url": "rtsp://10.0.0.5/stream1"});
    for (body, want) in [
        (json!({"sources": []}), "has no sources"),
        (
            json!({"sources": [{"id": "cam1", "kind": "laser"}]}),
            "unknown variant",
        ),
        (
            json!({"sources": [cam, {"id": "cam1", "kind": "test_tone"}]}),
            "appears twice",
        ),
        (
            json!({"sources": [{"id": "mic1", "kind": "file", "path": "/etc/passwd", "media": "audio"}]}),
            "configure them in verbatim.toml",
        ),
        (
            json!({"id": "room-2", "sources": [cam]}),
            "the body is for courtroom",
        ),
        (
            json!({"sources": [cam], "segment_seconds": -1}),
            "segment_seconds",
        ),
        (json!([1, 2]), "a courtroom object"),
    ] {
        let (s, v) = admin.put("/api/courtrooms/room-1", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert!(v["error"].as_str().unwrap().contains(want), "{body}: {v}");
    }
    let room1 = json!({"name": "Зал 1", "sources": [
        cam,
        {"id": "mic1", "kind": "alsa", "device": "hw:1", "channel": 0, "role": "judge", "position": "стол судьи"}
    ]});
    let (s, _) = sec.put("/api/courtrooms/room-1", room1.clone()).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "only administrators configure courtrooms"
    );
    let (s, v) = admin.put("/api/courtrooms/room-1", room1).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = sec.get("/api/courtrooms").await;
    let srcs = v[0]["sources"].as_array().unwrap();
    assert_eq!(srcs.len(), 2, "{v}");
    assert_eq!(
        (srcs[1]["role"].clone(), srcs[1]["channel"].clone()),
        (json!("judge"), json!(0))
    );
    assert_eq!(v[0]["name"], "Зал 1");
    assert_eq!(v[0]["recording"], Value::Null);

    // Every path the OpenAPI document describes is routed (and nothing it omits is).
    let (_, doc, _) = call(&app, "GET", "/api/openapi.json", "", "", None).await;
    for (path, methods) in doc["paths"].as_object().unwrap() {
        if path == "/api/logout" {
            continue; // it would end the session the other calls use; tested above
        }
        if path == "/api/events" {
            // An endless stream: check its headers only.
            let req = Request::builder()
                .uri(path)
                .header("cookie", &admin.cookie)
                .body(Body::empty())
                .unwrap();
            let resp = app.clone().oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.headers()["content-type"], "text/event-stream");
            continue;
        }
        for method in methods.as_object().unwrap().keys() {
            let p = path.replace("{id}", &hid);
            let (s, v, _) = call(
                &app,
                &method.to_uppercase(),
                &p,
                &admin.cookie,
                &admin.csrf,
                Some("{}"),
            )
            .await;
            assert!(
                !(s == StatusCode::NOT_FOUND && v["error"] == "no such page or API route")
                    && s != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed"
            );
        }
    }
}

/// Two courtrooms record at once into the court's one log, each run by its own secretary;
/// orders reach the right recorder (named with `?hearing_id=`, or the only one the user
/// may run), events say which courtroom they come from, and the record verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_courtrooms_record_at_once_into_one_log() {
    let (court, log, catalog) = TestCourt::new("test.court/rooms", "Суд").await;
    let data = court.data.clone();
    let vkey = court.vkey.clone();
    let mut rooms = Vec::new();
    for (i, id) in ["room-1", "room-2"].iter().enumerate() {
        catalog.upsert_courtroom("c1", id, id).await.unwrap();
        // A light courtroom: one test camera and one microphone.
        let mut room = CourtroomConfig::test_sources(id);
        room.sources = vec![
            room.sources[0].clone(),
            SourceConfig {
                id: "mic1".into(),
                label: "Judge".into(),
                role: Some("judge".into()),
                position: None,
                kind: SourceKind::TestTone {
                    freq: 300.0 + 100.0 * i as f64,
                },
            },
        ];
        rooms.push(room);
    }
    let judge = catalog
        .create_user("judge", "judge", Role::Judge, PW, "ru")
        .await
        .unwrap();
    catalog
        .create_user("admin", "admin", Role::Administrator, PW, "ru")
        .await
        .unwrap();
    let case = catalog
        .create_case("c1", "2-78/2026", Category::Civil, "")
        .await
        .unwrap();
    let mut hearings = Vec::new();
    for (room, sec) in [("room-1", "sec1"), ("room-2", "sec2")] {
        let s = catalog
            .create_user(sec, sec, Role::Secretary, PW, "ru")
            .await
            .unwrap();
        let h = catalog
            .create_hearing(&NewHearing {
                case_id: case.id.clone(),
                courtroom_id: room.into(),
                date: "2026-11-27".into(),
                time: "10:00".into(),
                judge_id: judge.id.clone(),
                secretary_id: s.id.clone(),
                language: "ru".into(),
                open_to_public: true,
            })
            .await
            .unwrap();
        hearings.push(h.id);
    }
    let app = court.app(rooms, catalog, log);
    let admin = Client::login(&app, "admin", PW).await;
    let sec1 = Client::login(&app, "sec1", PW).await;
    let sec2 = Client::login(&app, "sec2", PW).await;
    let (h1, h2) = (&hearings[0], &hearings[1]);

    let (s, v) = sec1
        .post("/api/recording/start", json!({"hearing_id": h1}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = sec2
        .post("/api/recording/start", json!({"hearing_id": h2}))
        .await;
    assert_eq!(s, StatusCode::OK, "the second courtroom records too: {v}");
    let (s, v) = sec2
        .post("/api/recording/start", json!({"hearing_id": h2}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = sec1
        .post("/api/recording/preflight", json!({"hearing_id": h1}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "its sources are in use: {v}");
    tokio::time::sleep(Duration::from_secs(3)).await;

    let (s, v) = admin.get("/api/recording").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["recording"], true);
    let list = v["recordings"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{v}");
    assert_eq!(list[0]["courtroom"], "room-1");
    assert_eq!(list[1]["hearing"], json!(h2));
    let (_, v) = admin.get(&format!("/api/recording?hearing_id={h2}")).await;
    assert_eq!(
        (v["recording"].clone(), v["courtroom"].clone()),
        (json!(true), json!("room-2"))
    );
    let (s, _) = admin.get("/api/recording?hearing_id=../x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Each secretary's orders reach their own courtroom without naming it; another's
    // hearing is refused; an administrator names the hearing.
    let note = |text: &str| json!({"role": "judge", "text": text});
    let (s, v) = sec1.post("/api/recording/notes", note("зал 1")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = sec2.post("/api/recording/notes", note("зал 2")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = sec2
        .post(&format!("/api/recording/pause?hearing_id={h1}"), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = admin.post("/api/recording/notes", note("?")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "which hearing? {v}");
    assert!(v["error"].as_str().unwrap().contains("several hearings"));
    let (s, _) = admin
        .post(
            &format!("/api/recording/notes?hearing_id={h2}"),
            note("администратор"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = admin
        .post("/api/recording/notes?hearing_id=nope", note("x"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "not recording");
    let (s, _) = sec1
        .post("/api/recording/pause", json!({"reason": "перерыв"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = admin.get(&format!("/api/recording?hearing_id={h1}")).await;
    assert_eq!(v["status"]["state"], "paused", "{v}");
    let (_, v) = admin.get(&format!("/api/recording?hearing_id={h2}")).await;
    assert_eq!(
        v["status"]["state"], "recording",
        "the other courtroom goes on: {v}"
    );

    // Stopping one leaves the other recording; then it stops too.
    let (s, v) = sec1.post("/api/recording/stop", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["hearing"], json!(h1));
    let (_, v) = admin.get("/api/recording").await;
    assert_eq!(v["recordings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["hearing"], json!(h2));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (s, v) = sec2.post("/api/recording/stop", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = admin.get("/api/recording").await;
    assert_eq!(v["recording"], false);
    drop((admin, sec1, sec2));
    drop(app);

    let log = court.reopen_log();
    let mut per_room: std::collections::BTreeMap<(String, String), u64> = Default::default();
    let mut notes = Vec::new();
    for i in 0..log.size() {
        match Entry::decode(&log.entry(i).unwrap()).unwrap() {
            Entry::SegmentSealed(s) => {
                *per_room.entry((s.courtroom, s.hearing)).or_default() += 1;
            }
            Entry::LogNote(n) => notes.push((n.hearing, n.text)),
            _ => {}
        }
    }
    assert_eq!(per_room.len(), 2, "{per_room:?}");
    assert!(per_room.values().all(|n| *n >= 2), "{per_room:?}");
    assert!(notes.contains(&(h1.clone(), "зал 1".into())));
    assert!(notes.contains(&(h2.clone(), "зал 2".into())));
    assert!(notes.contains(&(h2.clone(), "администратор".into())));
    drop(log);
    let report = verify_dir(
        &data,
        &VerifyOptions {
            key: Some(VerifierKey::parse(&vkey).unwrap()),
            ..Default::default()
        },
    );
    assert!(report.ok, "{}", report.to_text());
}
