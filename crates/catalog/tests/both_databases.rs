//! The same catalog tests on SQLite and on a real PostgreSQL server.
//!
//! PostgreSQL comes from `VERBATIM_TEST_POSTGRES_URL` (`scripts/postgres-test-server start`
//! prints one; `.ci/run` sets it). Each test gets a new database there. Without the variable
//! the PostgreSQL half is skipped with a message, except under CI, where it is required.

use sqlx::Connection;
use verbatim_catalog::{Backend, Catalog, CatalogError, Category, NewHearing, Role};

async fn sqlite() -> (Catalog, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("catalog.sqlite").display());
    (Catalog::connect(&url).await.unwrap(), dir)
}

async fn postgres() -> Option<Catalog> {
    let Ok(admin) = std::env::var("VERBATIM_TEST_POSTGRES_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!("CI must run the catalog tests on PostgreSQL: set VERBATIM_TEST_POSTGRES_URL");
        }
        eprintln!("PostgreSQL half skipped: VERBATIM_TEST_POSTGRES_URL is not set");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("verbatim_test_{}", verbatim_catalog::random_token());
    let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => unreachable!("a postgres URL has a path"),
    };
    Some(Catalog::connect(&url).await.unwrap())
}

/// Runs `suite` on SQLite, then on PostgreSQL.
macro_rules! on_both {
    ($name:ident, $suite:ident) => {
        #[tokio::test]
        async fn $name() {
            let (c, _dir) = sqlite().await;
            assert_eq!(c.backend(), Backend::Sqlite);
            $suite(&c).await;
            if let Some(c) = postgres().await {
                assert_eq!(c.backend(), Backend::Postgres);
                $suite(&c).await;
            }
        }
    };
}

on_both!(users_passwords_and_sessions, users_suite);
on_both!(hearings_and_who_may_see_them, hearings_suite);
on_both!(bad_input_is_refused_by_name, refusals_suite);
on_both!(courtrooms_keep_their_sources_in_order, courtrooms_suite);

async fn courtrooms_suite(c: &Catalog) {
    use verbatim_catalog::{Courtroom, CourtroomSource};
    c.upsert_court("c1", "Суд").await.unwrap();
    let src = |id: &str, media: &str, role: &str| CourtroomSource {
        id: id.into(),
        label: format!("{id} label"),
        media: media.into(),
        role: role.into(),
        position: if role.is_empty() { "" } else { "стол" }.into(),
        kind: "rtsp_camera".into(),
        config_json: format!("{{\"id\":\"{id}\"}}"),
    };
    let mut room = Courtroom {
        court_id: "c1".into(),
        id: "room-2".into(),
        name: "Зал 2".into(),
        settings_json: "{\"segment_seconds\":2.0}".into(),
        sources: vec![
            src("cam2", "video", ""),
            src("cam1", "video", ""),
            src("mic1", "audio", "judge"),
        ],
    };
    c.set_courtroom(&room).await.unwrap();
    let got = c.courtroom("c1", "room-2").await.unwrap().unwrap();
    assert_eq!(got, room, "sources come back in their order, not by id");
    // Replaced whole, in one transaction.
    room.sources = vec![src("mic9", "audio", "witness")];
    room.name = "Зал 2 (малый)".into();
    c.set_courtroom(&room).await.unwrap();
    let got = c.courtrooms("c1").await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0], room);
    // A plain courtroom has no sources and default settings.
    c.upsert_courtroom("c1", "room-1", "Зал 1").await.unwrap();
    let r1 = c.courtroom("c1", "room-1").await.unwrap().unwrap();
    assert!(r1.sources.is_empty());
    assert_eq!(r1.settings_json, "{}");
    assert!(c.courtroom("c1", "room-9").await.unwrap().is_none());
    // Bad shapes are refused by name; nothing is half-written.
    for (bad, want) in [
        (
            Courtroom {
                id: "../x".into(),
                ..room.clone()
            },
            "not an identifier",
        ),
        (
            Courtroom {
                sources: vec![src("mic1", "audio", ""), src("mic1", "audio", "")],
                ..room.clone()
            },
            "appears twice",
        ),
        (
            Courtroom {
                sources: vec![src("mic1", "smell", "")],
                ..room.clone()
            },
            "media must be video or audio",
        ),
        (
            Courtroom {
                sources: vec![src("mic1", "audio", "a\u{7}b")],
                ..room.clone()
            },
            "control characters",
        ),
    ] {
        let e = c.set_courtroom(&bad).await.unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
    assert_eq!(c.courtroom("c1", "room-2").await.unwrap().unwrap(), room);
    let e = c
        .set_courtroom(&Courtroom {
            court_id: "nope".into(),
            ..room.clone()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, CatalogError::NotFound { .. }), "{e}");
}

async fn users_suite(c: &Catalog) {
    let admin = c
        .create_user(
            "admin",
            "System administrator",
            Role::Administrator,
            "correct horse battery",
            "ru",
        )
        .await
        .unwrap();
    assert!(matches!(
        c.create_user(
            "admin",
            "Again",
            Role::Viewer,
            "another long password",
            "kk"
        )
        .await,
        Err(CatalogError::Exists(_))
    ));
    assert_eq!(
        c.authenticate("admin", "correct horse battery")
            .await
            .unwrap(),
        Some(admin.clone())
    );
    assert_eq!(
        c.authenticate("admin", "wrong password!").await.unwrap(),
        None
    );
    assert_eq!(
        c.authenticate("nobody", "correct horse battery")
            .await
            .unwrap(),
        None
    );

    let (token, s) = c.create_session(&admin, 60_000).await.unwrap();
    let back = c.session(&token).await.unwrap().unwrap();
    assert_eq!(back.user, admin);
    assert_eq!(back.csrf_token, s.csrf_token);
    assert!(c.session("not-a-token").await.unwrap().is_none());
    c.end_session(&token).await.unwrap();
    assert!(c.session(&token).await.unwrap().is_none());
    let (expired, _) = c.create_session(&admin, -1).await.unwrap();
    assert!(
        c.session(&expired).await.unwrap().is_none(),
        "expired sessions are dead"
    );
    assert_eq!(c.users().await.unwrap().len(), 1);
}

async fn hearings_suite(c: &Catalog) {
    c.upsert_court("bostandyk", "Бостандыкский районный суд г. Алматы")
        .await
        .unwrap();
    c.upsert_courtroom("bostandyk", "room-1", "Зал 1")
        .await
        .unwrap();
    let judge = c
        .create_user(
            "akhmetova",
            "Ахметова А.",
            Role::Judge,
            "judge password 1",
            "kk",
        )
        .await
        .unwrap();
    let secretary = c
        .create_user(
            "seitkali",
            "Сейтқали Н.",
            Role::Secretary,
            "secretary pass 1",
            "kk",
        )
        .await
        .unwrap();
    let lawyer = c
        .create_user("lawyer", "Адвокат", Role::Viewer, "lawyer password", "ru")
        .await
        .unwrap();
    let other = c
        .create_user(
            "journalist",
            "Журналист",
            Role::Viewer,
            "journalist pass",
            "en",
        )
        .await
        .unwrap();
    let case = c
        .create_case(
            "bostandyk",
            "1-245/2026",
            Category::Criminal,
            "Дело о краже",
        )
        .await
        .unwrap();
    c.add_participant(&case.id, "Прокурор Омаров", "prosecutor")
        .await
        .unwrap();
    c.add_participant(&case.id, "Иванов И.", "defendant")
        .await
        .unwrap();
    assert_eq!(c.participants(&case.id).await.unwrap().len(), 2);
    let new = |open: bool, time: &str| NewHearing {
        case_id: case.id.clone(),
        courtroom_id: "room-1".into(),
        date: "2026-11-27".into(),
        time: time.into(),
        judge_id: judge.id.clone(),
        secretary_id: secretary.id.clone(),
        language: "kk+ru".into(),
        open_to_public: open,
    };
    let open = c.create_hearing(&new(true, "10:00")).await.unwrap();
    let closed = c.create_hearing(&new(false, "09:00")).await.unwrap();
    assert!(verbatim_log::entry::is_valid_id(&closed.id));
    assert_eq!(closed.case_number, "1-245/2026");

    // The judge and secretary see both, in time order; another viewer only the open one.
    let ids = |v: Vec<verbatim_catalog::Hearing>| v.into_iter().map(|h| h.id).collect::<Vec<_>>();
    assert_eq!(
        ids(c.hearings_on("2026-11-27", &judge).await.unwrap()),
        [closed.id.clone(), open.id.clone()]
    );
    assert_eq!(
        ids(c.hearings_on("2026-11-27", &secretary).await.unwrap()).len(),
        2
    );
    assert_eq!(
        ids(c.hearings_on("2026-11-27", &other).await.unwrap()),
        vec![open.id.clone()]
    );
    assert!(
        c.hearing(&closed.id, &lawyer).await.unwrap().is_none(),
        "invisible, not forbidden"
    );
    c.grant_access(&closed.id, &lawyer.id).await.unwrap();
    c.grant_access(&closed.id, &lawyer.id).await.unwrap(); // idempotent
    assert_eq!(
        c.hearing(&closed.id, &lawyer).await.unwrap().unwrap().id,
        closed.id
    );
    assert!(c
        .hearings_on("2026-11-28", &judge)
        .await
        .unwrap()
        .is_empty());
}

async fn refusals_suite(c: &Catalog) {
    let inv = |r: Result<(), CatalogError>, needle: &str| {
        let e = r.unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    };
    inv(c.upsert_court("../x", "X").await, "court id");
    inv(
        c.upsert_courtroom("nope", "r1", "R").await,
        "court \"nope\" does not exist",
    );
    c.upsert_court("c1", "Court").await.unwrap();
    inv(
        c.create_case("c1", "", Category::Civil, "")
            .await
            .map(|_| ()),
        "case number",
    );
    inv(
        c.create_case("zz", "1/1", Category::Civil, "")
            .await
            .map(|_| ()),
        "does not exist",
    );
    c.create_case("c1", "1/1", Category::Civil, "")
        .await
        .unwrap();
    inv(
        c.create_case("c1", "1/1", Category::Civil, "")
            .await
            .map(|_| ()),
        "already exists",
    );
    inv(
        c.create_user("a b", "x", Role::Viewer, "long enough password", "ru")
            .await
            .map(|_| ()),
        "username",
    );
    inv(
        c.create_user("ab", "x", Role::Viewer, "short", "ru")
            .await
            .map(|_| ()),
        "password",
    );
    inv(
        c.create_user("ab", "x", Role::Viewer, "long enough password", "de")
            .await
            .map(|_| ()),
        "language",
    );
    assert!(Role::parse("root").is_err() && Category::parse("tax").is_err());
    let h = NewHearing {
        case_id: "missing".into(),
        courtroom_id: "r".into(),
        date: "2026-02-30x".into(),
        time: "25:00".into(),
        judge_id: String::new(),
        secretary_id: String::new(),
        language: "ru".into(),
        open_to_public: true,
    };
    inv(c.create_hearing(&h).await.map(|_| ()), "is not YYYY-MM-DD");
    let h = NewHearing {
        date: "2026-02-03".into(),
        ..h
    };
    inv(c.create_hearing(&h).await.map(|_| ()), "is not HH:MM");
    let h = NewHearing {
        time: "09:00".into(),
        ..h
    };
    inv(
        c.create_hearing(&h).await.map(|_| ()),
        "case \"missing\" does not exist",
    );
}
