//! Transcripts through the API: reading (closed hearings invisible), corrections as new
//! sealed revisions (the machine output kept), certification ending edits, exports, search
//! with access inside the query, every role allowed or denied as designed; and the data
//! directory still verifies afterwards.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sha2::Digest;
use std::time::Duration;
use verbatim_catalog::{Category, NewHearing, Role};
use verbatim_log::entry::LogNote;
use verbatim_log::{verify_dir, Entry, VerifierKey, VerifyOptions};
use verbatim_record::config::CourtroomConfig;
use verbatim_transcript::Lang;

mod common;
use common::{raw_get, seal_machine_revision, utterance, Client, TestCourt, PW};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcripts_corrections_certification_exports_and_search() {
    let (court, mut log, catalog) =
        TestCourt::new("test.court/tr", "Бостандыкский районный суд").await;
    let data = court.data.clone();
    let vkey = court.vkey.clone();
    catalog
        .upsert_courtroom("c1", "room-1", "Зал 1")
        .await
        .unwrap();
    let mk = |name: &'static str, role| {
        let c = &catalog;
        async move { c.create_user(name, name, role, PW, "ru").await.unwrap() }
    };
    let _admin = mk("admin", Role::Administrator).await;
    let judge = mk("judge", Role::Judge).await;
    let secretary = mk("secretary", Role::Secretary).await;
    let _viewer = mk("viewer", Role::Viewer).await;
    let lawyer = mk("lawyer", Role::Viewer).await;
    let case = catalog
        .create_case("c1", "1-15/2026", Category::Criminal, "")
        .await
        .unwrap();
    catalog
        .add_participant(&case.id, "Иванов П. С.", "defendant")
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

    seal_machine_revision(
        &data,
        &mut log,
        &open.id,
        vec![
            utterance(
                "mic1",
                "judge",
                Lang::Ru,
                1000,
                "Слушается уголовное дело по обвинению Иванова",
            ),
            utterance(
                "mic5",
                "witness",
                Lang::Kk,
                9000,
                "Мен сол күні дүкенде болдым",
            ),
        ],
    );
    seal_machine_revision(
        &data,
        &mut log,
        &closed.id,
        vec![utterance(
            "mic1",
            "judge",
            Lang::Ru,
            500,
            "Несовершеннолетний потерпевший допрашивается закрыто",
        )],
    );
    log.append(&Entry::LogNote(LogNote {
        court: "c1".into(),
        hearing: open.id.clone(),
        media_ns: 4_000_000_000,
        at_unix_ms: 1,
        author: "secretary".into(),
        role: "exhibit".into(),
        text: "Приобщена справка о неисправности камеры".into(),
    }))
    .unwrap();
    // The open hearing's recording: its opening and three sealed segments of one camera.
    log.append(&Entry::HearingOpened(verbatim_log::entry::HearingOpened {
        court: "c1".into(),
        courtroom: "room-1".into(),
        hearing: open.id.clone(),
        case_number: "1-15/2026".into(),
        judge: "judge".into(),
        secretary: "secretary".into(),
        part: 1,
        at_unix_ms: 1,
    }))
    .unwrap();
    for seq in 0..3u64 {
        let path = format!("hearings/{}/cam1/{seq:06}.mkv", open.id);
        let bytes = vec![seq as u8 + 1; 5000];
        std::fs::create_dir_all(data.join(&path).parent().unwrap()).unwrap();
        std::fs::write(data.join(&path), &bytes).unwrap();
        log.append(&Entry::SegmentSealed(verbatim_log::entry::SegmentSealed {
            court: "c1".into(),
            courtroom: "room-1".into(),
            hearing: open.id.clone(),
            stream: "cam1".into(),
            seq,
            media_start_ns: seq * 2_000_000_000,
            media_end_ns: (seq + 1) * 2_000_000_000,
            captured_unix_ms: 2,
            bytes: bytes.len() as u64,
            sha256: verbatim_log::tree::to_hex(&sha2::Sha256::digest(&bytes)),
            path,
        }))
        .unwrap();
    }
    // An outside recording imported into the same hearing: its provenance, then a segment.
    let imp_path = format!("hearings/{}/import1-audio/000000.mka", open.id);
    let imp_bytes = vec![9u8; 3000];
    std::fs::create_dir_all(data.join(&imp_path).parent().unwrap()).unwrap();
    std::fs::write(data.join(&imp_path), &imp_bytes).unwrap();
    log.append(&Entry::MediaImported(verbatim_log::entry::MediaImported {
        court: "c1".into(),
        hearing: open.id.clone(),
        stream: "import1-audio".into(),
        source_name: "clerk-phone.m4a".into(),
        source_bytes: 12345,
        source_sha256: "ab".repeat(32),
        source_format: "audio/mpeg".into(),
        by: "clerk".into(),
        at_unix_ms: 3,
        media_offset_ns: 0,
    }))
    .unwrap();
    log.append(&Entry::SegmentSealed(verbatim_log::entry::SegmentSealed {
        court: "c1".into(),
        courtroom: "room-1".into(),
        hearing: open.id.clone(),
        stream: "import1-audio".into(),
        seq: 0,
        media_start_ns: 0,
        media_end_ns: 2_000_000_000,
        captured_unix_ms: 3,
        bytes: imp_bytes.len() as u64,
        sha256: verbatim_log::tree::to_hex(&sha2::Sha256::digest(&imp_bytes)),
        path: imp_path,
    }))
    .unwrap();
    // A redaction for a public copy: cam1 blanked from 2.5 s to 3 s (segment 1 replaced).
    log.append(&Entry::Redaction(verbatim_log::entry::Redaction {
        court: "c1".into(),
        hearing: open.id.clone(),
        redaction: "r1".into(),
        by: "judge".into(),
        role: "judge".into(),
        at_unix_ms: 4,
        spans: vec![verbatim_log::entry::RedactedSpan {
            stream: "cam1".into(),
            from_ns: 2_500_000_000,
            to_ns: 3_000_000_000,
            action: "blank".into(),
            reason: "лицо несовершеннолетнего".into(),
        }],
    }))
    .unwrap();
    let red_path = verbatim_log::entry::redacted_path(&open.id, "r1", "cam1", 1, "mkv");
    let red_bytes = vec![0u8; 4000];
    std::fs::create_dir_all(data.join(&red_path).parent().unwrap()).unwrap();
    std::fs::write(data.join(&red_path), &red_bytes).unwrap();
    log.append(&Entry::SegmentRedacted(
        verbatim_log::entry::SegmentRedacted {
            court: "c1".into(),
            hearing: open.id.clone(),
            redaction: "r1".into(),
            stream: "cam1".into(),
            seq: 1,
            original_sha256: verbatim_log::tree::to_hex(&sha2::Sha256::digest(vec![2u8; 5000])),
            bytes: red_bytes.len() as u64,
            sha256: verbatim_log::tree::to_hex(&sha2::Sha256::digest(&red_bytes)),
            path: red_path,
        },
    ))
    .unwrap();
    log.publish_checkpoint().unwrap();

    let app = court.app(vec![CourtroomConfig::test_sources("room-1")], catalog, log);
    let admin = Client::login(&app, "admin", PW).await;
    let judge_c = Client::login(&app, "judge", PW).await;
    let sec = Client::login(&app, "secretary", PW).await;
    let viewer = Client::login(&app, "viewer", PW).await;
    let lawyer_c = Client::login(&app, "lawyer", PW).await;
    let t_open = format!("/api/hearings/{}/transcript", open.id);
    let t_closed = format!("/api/hearings/{}/transcript", closed.id);

    // Reading: everyone signed in reads an open hearing's transcript; a closed one only
    // those with rights.
    let (s, v) = viewer.get(&t_open).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "sealed");
    // No model configured here: the transcriber says so, in a form the interface translates.
    assert_eq!(v["transcriber"]["state"], "unavailable", "{v}");
    assert!(v["transcriber"]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("model")));
    assert_eq!(v["transcript"]["utterances"].as_array().unwrap().len(), 2);
    assert_eq!(v["revisions"].as_array().unwrap().len(), 1);
    assert!(v["certified"].is_null());
    let (s, _) = viewer.get(&t_closed).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "closed hearings are invisible");
    for c in [&lawyer_c, &judge_c, &admin] {
        let (s, v) = c.get(&t_closed).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, _) = viewer.get(&format!("{t_open}?revision=7")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = viewer.get(&format!("{t_open}?revision=x")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Corrections: secretaries and judges only; against the latest revision; named errors.
    let fix = json!({"based_on": 1, "changes": [{"id": "mic1@1000", "text": "Слушается уголовное дело по обвинению Иванова Петра"}]});
    for c in [&viewer, &lawyer_c, &admin] {
        let (s, v) = c.post(&t_open, fix.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    }
    for (body, want) in [
        (
            json!({"based_on": 0, "changes": [{"id": "mic1@1000", "text": "x"}]}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"based_on": 1, "changes": []}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"based_on": 1, "changes": [{"id": "nope", "text": "x"}]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"based_on": 1, "changes": [{"id": "mic1@1000", "lang": "en"}]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"based_on": 1, "changes": [{"id": "mic1@1000", "text": "a\u{0}b"}]}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"based_on": "1", "changes": []}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"based_on": 1, "changes": [{"id": "mic1@1000", "bogus": 1}]}),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let (s, v) = sec.post(&t_open, body.clone()).await;
        assert_eq!(s, want, "{body}: {v}");
    }
    let (s, v) = sec.post(&t_open, fix.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["revision"], 2);
    let (s, v) = judge_c.post(&t_open, fix.clone()).await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "based on a revision that is no longer the latest: {v}"
    );
    let (_, v) = viewer.get(&t_open).await;
    assert_eq!(v["revisions"].as_array().unwrap().len(), 2);
    let u = &v["transcript"]["utterances"][0];
    assert_eq!(
        u["text"],
        "Слушается уголовное дело по обвинению Иванова Петра"
    );
    assert_eq!(u["edited"], true);
    assert_eq!(
        u["words"].as_array().unwrap().len(),
        7,
        "words re-timed over the utterance"
    );
    let (_, v1) = viewer.get(&format!("{t_open}?revision=1")).await;
    assert_eq!(
        v1["transcript"]["utterances"][0]["text"], "Слушается уголовное дело по обвинению Иванова",
        "the machine output is kept"
    );

    // Exports of the latest revision, every format; bad ones named.
    for (fmt, ct) in [
        ("pdf", "application/pdf"),
        ("docx", "application/vnd.openxmlformats"),
        ("vtt", "text/vtt"),
        ("srt", "application/x-subrip"),
        ("txt", "text/plain"),
    ] {
        let (s, got, body) =
            raw_get(&viewer, &format!("{t_open}/export?format={fmt}&lang=kk")).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{fmt}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(got.starts_with(ct), "{fmt}: {got}");
        assert!(body.len() > 20);
        if fmt == "vtt" {
            let text = String::from_utf8(body).unwrap();
            assert!(
                text.starts_with("WEBVTT") && text.contains("Иванова Петра"),
                "{text}"
            );
        }
    }
    for bad in ["format=exe", "format=pdf&lang=fr", "format=pdf&revision=9"] {
        let (s, _, body) = raw_get(&viewer, &format!("{t_open}/export?{bad}")).await;
        assert!(
            s == StatusCode::BAD_REQUEST || s == StatusCode::NOT_FOUND,
            "{bad}: {s} {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (s, _, _) = raw_get(&viewer, &format!("{t_closed}/export?format=txt")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The record shows the imported stream for what it is.
    let (s, v) = viewer
        .get(&format!("/api/hearings/{}/record", open.id))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let streams = v["streams"].as_array().unwrap();
    let imp = streams.iter().find(|x| x["id"] == "import1-audio").unwrap();
    assert_eq!(imp["imported"]["source_name"], "clerk-phone.m4a");
    assert_eq!(imp["imported"]["by"], "clerk");
    let cam = streams.iter().find(|x| x["id"] == "cam1").unwrap();
    assert!(cam["imported"].is_null());

    // Evidence bundles: the whole open hearing, and a clip, as tar archives that verify
    // offline with the court's key; a closed hearing's only for those with rights; a bad
    // span is refused.
    let b_open = format!("/api/hearings/{}/bundle", open.id);
    for (query, segments) in [("", 3u64), ("?from=2.5&to=3&lang=kk", 1)] {
        let (s, ct, body) = raw_get(&viewer, &format!("{b_open}{query}")).await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(ct, "application/x-tar");
        let tar = court.tmp.path().join(format!("bundle{}.tar", query.len()));
        std::fs::write(&tar, &body).unwrap();
        let files = verbatim_bundle::files::TarFiles::open(&tar).unwrap();
        let r = verbatim_bundle::verify(&files, Some(&VerifierKey::parse(&vkey).unwrap()));
        assert!(r.ok, "{}", r.to_text());
        let cam = r.streams.iter().find(|s| s.stream == "cam1").unwrap();
        assert_eq!(cam.files, segments, "{}", r.to_text());
        // The imported stream's provenance rides along, said to be lower assurance.
        assert!(
            r.imports.iter().any(|i| i.contains("clerk-phone.m4a")),
            "{}",
            r.to_text()
        );
        assert!(r.transcript.is_some(), "the latest revision rides along");
    }
    // The redacted public copy: the replacement stands in for segment 1, the transcript
    // stays out.
    let (s, _, body) = raw_get(&viewer, &format!("{b_open}?redaction=r1")).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let tar = court.tmp.path().join("public.tar");
    std::fs::write(&tar, &body).unwrap();
    let files = verbatim_bundle::files::TarFiles::open(&tar).unwrap();
    let r = verbatim_bundle::verify(&files, Some(&VerifierKey::parse(&vkey).unwrap()));
    assert!(r.ok, "{}", r.to_text());
    assert_eq!(r.redaction.as_ref().map(|x| x.replaced), Some(1));
    let cam = r.streams.iter().find(|s| s.stream == "cam1").unwrap();
    assert_eq!((cam.files, cam.redacted), (3, 1));
    assert!(r.transcript.is_none());
    for bad in [
        "?from=9&to=1",
        "?from=-1",
        "?to=abc",
        "?lang=fr",
        "?redaction=r9",
        "?redaction=../r1",
    ] {
        let (s, _, body) = raw_get(&viewer, &format!("{b_open}{bad}")).await;
        assert_eq!(
            s,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let (s, _, _) = raw_get(&viewer, &format!("/api/hearings/{}/bundle", closed.id)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        std::fs::read_dir(data.join("work/exports"))
            .map(|d| d.count() == 0)
            .unwrap_or(true),
        "no archive is left behind in work/exports"
    );

    // Search through the API.
    {
        // Search: the indexer catches up with the sealed revisions and notes; stems match; a
        // closed hearing's words only for those who may see it.
        let mut found = Value::Null;
        for _ in 0..60 {
            let (s, v) = viewer
                .get("/api/search?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2")
                .await; // "иванов"
            assert_eq!(s, StatusCode::OK, "{v}");
            if v["hits"]
                .as_array()
                .is_some_and(|h| h.iter().any(|h| h["kind"] == "utterance"))
            {
                found = v;
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        if found.is_null() {
            let (_, v) = viewer.get(&t_open).await;
            panic!(
                "the index did not catch up; transcriber: {}",
                v["transcriber"]
            );
        }
        let hit = found["hits"]
            .as_array()
            .expect("the index caught up")
            .iter()
            .find(|h| h["kind"] == "utterance")
            .unwrap()
            .clone();
        assert_eq!(hit["hearing"], open.id.as_str());
        assert_eq!(hit["start_ms"], 1000);
        assert!(hit["open"].as_str().unwrap().contains("t=1000"));
        let q_closed =
            "/api/search?q=%D0%BF%D0%BE%D1%82%D0%B5%D1%80%D0%BF%D0%B5%D0%B2%D1%88%D0%B8%D0%B9"; // "потерпевший"
        let (_, v) = viewer.get(q_closed).await;
        assert_eq!(v["total"], 0, "closed hearing leaked: {v}");
        for c in [&lawyer_c, &admin, &judge_c] {
            let (_, v) = c.get(q_closed).await;
            assert_eq!(v["total"], 1, "{v}");
        }
        let (_, v) = viewer
            .get("/api/search?q=%D1%81%D0%BF%D1%80%D0%B0%D0%B2%D0%BA%D1%83")
            .await; // "справку" (a note)
        assert!(
            v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "note"),
            "{v}"
        );
        for bad in [
            "/api/search",
            "/api/search?q=",
            "/api/search?q=a&date_from=yesterday",
            "/api/search?q=a&x=1",
        ] {
            let (s, v) = viewer.get(bad).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        }
        let (s, v) = viewer
            .get(&format!("/api/search?q={}", "%22%3A%2A%5B".repeat(50)))
            .await;
        assert!(
            s == StatusCode::OK || s == StatusCode::BAD_REQUEST,
            "hostile query: {s} {v}"
        );
    }

    // Certification: judges and secretaries, the latest revision only, once; then no edits.
    let (s, _) = viewer
        .post(&format!("{t_open}/certify"), json!({"revision": 2}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = judge_c
        .post(&format!("{t_open}/certify"), json!({"revision": 1}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = judge_c
        .post(&format!("{t_open}/certify"), json!({"revision": 2}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = sec
        .post(&format!("{t_open}/certify"), json!({"revision": 2}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "certified once");
    let (s, v) = sec
        .post(
            &t_open,
            json!({"based_on": 2, "changes": [{"id": "mic5@9000", "text": "x"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "no edits after certification: {v}");
    let (_, v) = viewer.get(&t_open).await;
    assert_eq!(v["certified"]["revision"], 2);
    let (_, _, body) = raw_get(&viewer, &format!("{t_open}/export?format=txt&lang=en")).await;
    let txt = String::from_utf8(body).unwrap();
    assert!(
        txt.contains("CERTIFIED") && !txt.contains("NOT CERTIFIED") && txt.contains("judge"),
        "{txt}"
    );

    // Everything written is sealed: the directory verifies (work/ is not evidence).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let report = verify_dir(
        &data,
        &VerifyOptions {
            key: Some(VerifierKey::parse(&vkey).unwrap()),
            ..Default::default()
        },
    );
    assert!(report.ok, "{}", report.to_text());
    // The audit trail has the views and exports.
    let entries = verbatim_log::store::read_entries(&data.join("log")).unwrap();
    let actions: Vec<String> = entries
        .iter()
        .filter_map(|b| match Entry::decode(b) {
            Ok(Entry::Audit(a)) => Some(a.action),
            _ => None,
        })
        .collect();
    for a in ["view_transcript", "export_transcript", "export_bundle"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
}
