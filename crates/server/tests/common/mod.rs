//! What the API tests share: a client that signs in and calls routes without a socket.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sha2::Digest;
use std::os::unix::fs::PermissionsExt;
use tower::ServiceExt;
use verbatim_log::entry::{transcript_path, TranscriptRevision};
use verbatim_log::{Entry, Log};
use verbatim_transcript::{Lang, Transcript, Utterance, Word, FORMAT};

pub const PW: &str = "a long test password";

pub struct Client {
    pub app: axum::Router,
    pub cookie: String,
    pub csrf: String,
}

pub async fn call(
    app: &axum::Router,
    method: &str,
    path: &str,
    cookie: &str,
    csrf: &str,
    body: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let mut req = Request::builder().method(method).uri(path);
    if !cookie.is_empty() {
        req = req.header("cookie", cookie);
    }
    if !csrf.is_empty() {
        req = req.header("x-csrf-token", csrf);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, value, set_cookie)
}

impl Client {
    pub async fn login(app: &axum::Router, user: &str, password: &str) -> Client {
        let body = json!({ "username": user, "password": password }).to_string();
        let (status, v, cookie) = call(app, "POST", "/api/login", "", "", Some(&body)).await;
        assert_eq!(status, StatusCode::OK, "{user}: {v}");
        let cookie = cookie.unwrap();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && cookie.contains("Secure")
        );
        Client {
            app: app.clone(),
            cookie: cookie.split(';').next().unwrap().to_string(),
            csrf: v["csrf_token"].as_str().unwrap().to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, v, _) = call(&self.app, "GET", path, &self.cookie, "", None).await;
        (s, v)
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send("PUT", path, body).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send("POST", path, body).await
    }

    async fn send(&self, method: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, v, _) = call(
            &self.app,
            method,
            path,
            &self.cookie,
            &self.csrf,
            Some(&body.to_string()),
        )
        .await;
        (s, v)
    }
}

pub fn utterance(mic: &str, role: &str, lang: Lang, start: u64, text: &str) -> Utterance {
    let words: Vec<Word> = text
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| Word {
            text: w.into(),
            start_ms: start + i as u64 * 400,
            end_ms: start + i as u64 * 400 + 350,
            p: Some(0.8),
        })
        .collect();
    Utterance {
        id: format!("{mic}@{start}"),
        mic: mic.into(),
        role: role.into(),
        speaker: None,
        lang,
        start_ms: start,
        end_ms: words.last().map(|w| w.end_ms).unwrap_or(start),
        text: text.into(),
        words,
        edited: false,
    }
}

/// Seals a machine transcript for `hearing` the way the server's transcriber does.
pub fn seal_machine_revision(
    data: &std::path::Path,
    log: &mut Log,
    hearing: &str,
    utts: Vec<Utterance>,
) {
    let t = Transcript {
        format: FORMAT.into(),
        court: "c1".into(),
        hearing: hearing.into(),
        revision: 1,
        based_on: None,
        author: "machine".into(),
        created_unix_ms: 1,
        recognizer: "test".into(),
        utterances: utts,
    };
    let bytes = t.to_json().unwrap();
    let rel = transcript_path(hearing, 1);
    let path = data.join(&rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    log.append(&Entry::TranscriptRevision(TranscriptRevision {
        court: "c1".into(),
        hearing: hearing.into(),
        revision: 1,
        based_on: 0,
        author: "machine".into(),
        role: "system".into(),
        utterances: t.utterances.len() as u64,
        at_unix_ms: 1,
        bytes: bytes.len() as u64,
        sha256: sha,
        path: rel,
    }))
    .unwrap();
}

pub async fn raw_get(c: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::builder()
        .uri(path)
        .header("cookie", &c.cookie)
        .body(Body::empty())
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ct, body)
}

/// A court for a test: a data directory with its verifier key published and a signed log,
/// its catalog (SQLite, court `c1`), and the router over them.
pub struct TestCourt {
    pub tmp: tempfile::TempDir,
    pub data: std::path::PathBuf,
    pub origin: String,
    pub name: String,
    pub skey: String,
    pub vkey: String,
}

impl TestCourt {
    /// A new court `c1` named `name` whose log has `origin`: the court, its empty log, its
    /// catalog.
    pub async fn new(origin: &str, name: &str) -> (TestCourt, Log, verbatim_catalog::Catalog) {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("court");
        std::fs::create_dir_all(data.join("keys")).unwrap();
        let (skey, vkey) = verbatim_log::checkpoint::generate_key(origin).unwrap();
        std::fs::write(data.join("keys/court.vkey"), format!("{vkey}\n")).unwrap();
        let log = Log::create(
            &data.join("log"),
            origin,
            verbatim_log::SignerKey::parse(&skey).unwrap(),
        )
        .unwrap();
        let catalog = verbatim_catalog::Catalog::connect(&format!(
            "sqlite://{}",
            data.join("catalog.sqlite").display()
        ))
        .await
        .unwrap();
        catalog.upsert_court("c1", name).await.unwrap();
        let court = TestCourt {
            tmp,
            data,
            origin: origin.into(),
            name: name.into(),
            skey,
            vkey,
        };
        (court, log, catalog)
    }

    /// The application over this court (no transcriber; checkpoints every second).
    pub fn app(
        &self,
        rooms: Vec<verbatim_record::CourtroomConfig>,
        catalog: verbatim_catalog::Catalog,
        log: Log,
    ) -> axum::Router {
        verbatim_server::router(verbatim_server::ServeOptions {
            transcribe: None,
            data_dir: self.data.clone(),
            court: verbatim_server::CourtInfo {
                id: "c1".into(),
                name: self.name.clone(),
                origin: self.origin.clone(),
            },
            rooms,
            catalog,
            log,
            checkpoint_interval: std::time::Duration::from_secs(1),
            disk_alarm_bytes: 0,
            disk_stop_bytes: 0,
            secure_cookies: true,
        })
    }

    /// The court's log opened again (after the application let it go).
    pub fn reopen_log(&self) -> Log {
        Log::open(
            &self.data.join("log"),
            &self.origin,
            verbatim_log::SignerKey::parse(&self.skey).unwrap(),
        )
        .unwrap()
        .0
    }
}
