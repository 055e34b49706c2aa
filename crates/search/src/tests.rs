use super::*;

fn meta(
    hearing: &str,
    court: &str,
    judge: &str,
    case: &str,
    date: &str,
    closed: bool,
) -> HearingMeta {
    HearingMeta {
        court: court.into(),
        courtroom: format!("{court}-room-1"),
        hearing: hearing.into(),
        case_number: case.into(),
        judge: judge.into(),
        date: date.into(),
        closed,
    }
}

fn utt(start_s: u64, role: &str, speaker: Option<&str>, lang: Lang, text: &str) -> Utterance {
    Utterance {
        id: format!("mic-{role}@{}", start_s * 1000),
        mic: format!("mic-{role}"),
        role: role.into(),
        speaker: speaker.map(str::to_string),
        lang,
        start_ms: start_s * 1000,
        end_ms: start_s * 1000 + 5000,
        text: text.into(),
        words: Vec::new(),
        edited: false,
    }
}

/// Three hearings: an open Russian one, an open Kazakh one in another court, a closed one.
fn fixture() -> SearchIndex {
    let index = SearchIndex::create_in_ram().unwrap();
    index
        .index_hearing(
            &meta(
                "h-ru",
                "almaty",
                "judge-a",
                "2-100/2026",
                "2026-03-10",
                false,
            ),
            &[
                utt(
                    10,
                    "judge",
                    Some("Ахметова А."),
                    Lang::Ru,
                    "Суд вызывает свидетеля Иванова.",
                ),
                utt(
                    20,
                    "witness",
                    Some("Иванов И."),
                    Lang::Ru,
                    "Я, свидетель Иванов, всё видел сам.",
                ),
                utt(
                    30,
                    "prosecutor",
                    None,
                    Lang::Ru,
                    "Прокурор просит приобщить её показания к делу.",
                ),
                utt(
                    40,
                    "defence",
                    None,
                    Lang::Ru,
                    "Защита возражает: соттың шешімі әлі жоқ.",
                ),
            ],
            &[Note {
                start_ms: 25_000,
                author: "secretary-1".into(),
                role: "witness sworn".into(),
                text: "Свидетель предупреждён об ответственности".into(),
            }],
        )
        .unwrap();
    index
        .index_hearing(
            &meta(
                "h-kk",
                "astana",
                "judge-b",
                "1-200/2026",
                "2026-05-20",
                false,
            ),
            &[
                utt(
                    5,
                    "judge",
                    Some("Сейітов Б."),
                    Lang::Kk,
                    "Сот отырысы ашық деп жариялаймын.",
                ),
                utt(
                    15,
                    "judge",
                    Some("Сейітов Б."),
                    Lang::Kk,
                    "Соттың шешімі бойынша куәгерлерді шақырамыз.",
                ),
                utt(
                    25,
                    "witness",
                    Some("Омаров Е."),
                    Lang::Kk,
                    "Мен куәгер ретінде сотқа келдім.",
                ),
                utt(
                    35,
                    "defence",
                    None,
                    Lang::Kk,
                    "Адвокат свидетеля тыңдауды сұрайды.",
                ),
            ],
            &[Note {
                start_ms: 30_000,
                author: "secretary-2".into(),
                role: "exhibit".into(),
                text: "Дәлелдер сотқа ұсынылды".into(),
            }],
        )
        .unwrap();
    index
        .index_hearing(
            &meta(
                "h-closed",
                "almaty",
                "judge-a",
                "2-300/2026",
                "2026-04-01",
                true,
            ),
            &[utt(
                12,
                "witness",
                Some("Петров П."),
                Lang::Ru,
                "Свидетель Петров даёт показания о тайне усыновления.",
            )],
            &[],
        )
        .unwrap();
    index.commit().unwrap();
    index
}

fn hearings(hits: &Hits) -> Vec<String> {
    let mut v: Vec<String> = hits.hits.iter().map(|h| h.hearing.clone()).collect();
    v.sort();
    v.dedup();
    v
}

fn find(index: &SearchIndex, text: &str) -> Hits {
    index.search(&Query::text(text), &Access::All).unwrap()
}

#[test]
fn russian_inflected_forms_find_each_other() {
    let index = fixture();
    // "свидетеля" finds "свидетель", "свидетеля" and (in a Kazakh utterance) "свидетеля".
    let hits = find(&index, "свидетеля");
    let ids: Vec<&str> = hits.hits.iter().map(|h| h.id.as_str()).collect();
    assert!(ids.contains(&"mic-witness@20000"), "{ids:?}");
    assert!(ids.contains(&"mic-judge@10000"), "{ids:?}");
    assert!(ids.contains(&"note@25000"), "{ids:?}");
    assert!(ids.contains(&"mic-defence@35000"), "{ids:?}");
    // The closed hearing is found by an administrator.
    assert!(hearings(&hits).contains(&"h-closed".to_string()));
    assert_eq!(hits.total, hits.hits.len());
    // ё and е are one letter for search, both ways.
    assert_eq!(find(&index, "предупрежден").total, 1);
    assert_eq!(find(&index, "дает").total, 1);
    assert_eq!(find(&index, "ДАЁТ").total, 1);
    assert_eq!(find(&index, "всё видел").total, 1);
}

#[test]
fn kazakh_inflected_forms_find_each_other() {
    let index = fixture();
    // "соттың" finds "сот", "сотқа", "соттың" (also inside a Russian utterance).
    let hits = find(&index, "соттың");
    let ids: Vec<&str> = hits.hits.iter().map(|h| h.id.as_str()).collect();
    for id in [
        "mic-judge@5000",
        "mic-judge@15000",
        "mic-witness@25000",
        "note@30000",
        "mic-defence@40000",
    ] {
        assert!(ids.contains(&id), "{id} not in {ids:?}");
    }
    assert_eq!(find(&index, "сот").total, hits.total);
    // "куәгерлерді" finds "куәгер" and "куәгерлерді".
    let hits = find(&index, "куәгерлерді");
    let mut ids: Vec<&str> = hits.hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["mic-judge@15000", "mic-witness@25000"]);
    // "дәлел" finds "дәлелдер".
    assert_eq!(find(&index, "дәлел").total, 1);
}

#[test]
fn mixed_language_utterances_and_queries_are_found() {
    let index = fixture();
    // A Russian utterance with a Kazakh phrase, found by a Russian and a Kazakh word.
    let hits = find(&index, "защита соттың");
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].id, "mic-defence@40000");
    // A Kazakh utterance with a Russian word, found by that word in another form.
    let hits = find(&index, "адвокат свидетель");
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].id, "mic-defence@35000");
    assert_eq!(hits.hits[0].lang, Lang::Kk);
}

#[test]
fn hits_carry_the_moment_speaker_and_highlighted_snippet() {
    let index = fixture();
    let hits = find(&index, "шешімі куәгерлер");
    assert_eq!(hits.total, 1);
    let h = &hits.hits[0];
    assert_eq!(h.hearing, "h-kk");
    assert_eq!(h.kind, Kind::Utterance);
    assert_eq!(h.start_ms, 15_000);
    assert_eq!(h.end_ms, 20_000);
    assert_eq!(h.speaker_role, "judge");
    assert_eq!(h.speaker.as_deref(), Some("Сейітов Б."));
    assert_eq!(
        (h.date.as_str(), h.case_number.as_str()),
        ("2026-05-20", "1-200/2026")
    );
    assert_eq!((h.court.as_str(), h.judge.as_str()), ("astana", "judge-b"));
    assert!(!h.closed);
    assert!(h.score > 0.0);
    assert_eq!(
        h.snippet.to_html(),
        "Соттың <b>шешімі</b> бойынша <b>куәгерлерді</b> шақырамыз."
    );
    let note = &find(&index, "дәлелдер").hits[0];
    assert_eq!(note.kind, Kind::Note);
    assert_eq!(note.start_ms, 30_000);
    assert_eq!(note.speaker_role, "exhibit");
    assert_eq!(note.author.as_deref(), Some("secretary-2"));
    assert_eq!(note.lang, Lang::Kk);
}

#[test]
fn long_texts_get_a_window_with_the_match() {
    let index = SearchIndex::create_in_ram().unwrap();
    let long = format!(
        "{} приговор <оглашён> {}",
        "слово ".repeat(100),
        "хвост ".repeat(100)
    );
    index
        .index_hearing(
            &meta("h1", "c", "j", "1", "2026-01-01", false),
            &[utt(1, "judge", None, Lang::Ru, &long)],
            &[],
        )
        .unwrap();
    index.commit().unwrap();
    let s = &find(&index, "приговора").hits[0].snippet;
    assert!(
        s.text.starts_with('…') && s.text.ends_with('…'),
        "{}",
        s.text
    );
    assert!(s.text.chars().count() <= SNIPPET_CHARS + 2);
    assert_eq!(s.highlights.len(), 1);
    assert_eq!(&s.text[s.highlights[0].clone()], "приговор");
    assert!(s.to_html().contains("<b>приговор</b> &lt;оглашён&gt;"));
}

#[test]
fn every_filter_narrows_the_hits() {
    let index = fixture();
    let base = Query::text("свидетель");
    let run = |q: Query| index.search(&q, &Access::All).unwrap();
    assert_eq!(hearings(&run(base.clone())), ["h-closed", "h-kk", "h-ru"]);
    let q = Query {
        court: Some("astana".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-kk"]);
    let q = Query {
        courtroom: Some("almaty-room-1".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-closed", "h-ru"]);
    let q = Query {
        hearing: Some("h-ru".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-ru"]);
    let q = Query {
        judge: Some("judge-a".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-closed", "h-ru"]);
    let q = Query {
        case_number: Some("2-300/2026".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-closed"]);
    let q = Query {
        date_from: Some("2026-04-01".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-closed", "h-kk"]);
    let q = Query {
        date_to: Some("2026-04-01".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-closed", "h-ru"]);
    let q = Query {
        date_from: Some("2026-03-11".into()),
        date_to: Some("2026-05-19".into()),
        ..base.clone()
    };
    assert_eq!(hearings(&run(q)), ["h-closed"]);
    let q = Query {
        speaker_role: Some("witness".into()),
        ..base.clone()
    };
    let hits = run(q);
    assert!(hits.hits.iter().all(|h| h.speaker_role == "witness"));
    assert_eq!(hits.total, 2);
    // Speaker names ignore case.
    let q = Query {
        speaker: Some("иванов и.".into()),
        ..base.clone()
    };
    let hits = run(q);
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].id, "mic-witness@20000");
    let q = Query {
        kind: Some(Kind::Note),
        ..base.clone()
    };
    let hits = run(q);
    assert_eq!(hits.total, 1);
    assert_eq!(hits.hits[0].kind, Kind::Note);
    let q = Query {
        kind: Some(Kind::Utterance),
        ..base.clone()
    };
    assert!(run(q).hits.iter().all(|h| h.kind == Kind::Utterance));
    // Newest first.
    let q = Query {
        sort: SortBy::Newest,
        ..base.clone()
    };
    let dates: Vec<String> = run(q).hits.iter().map(|h| h.date.clone()).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    // A filter that matches nothing.
    let q = Query {
        court: Some("nowhere".into()),
        ..base
    };
    assert_eq!(run(q).total, 0);
}

#[test]
fn closed_hearings_never_reach_users_without_rights() {
    let index = fixture();
    let words = [
        "свидетель",
        "петров",
        "показания",
        "тайне усыновления",
        "свидетеля",
    ];
    for w in words {
        for access in [
            Access::open_only(),
            Access::Limited {
                granted: vec!["h-ru".into(), "h-other".into()],
            },
        ] {
            for q in [
                Query::text(w),
                Query {
                    hearing: Some("h-closed".into()),
                    ..Query::text(w)
                },
                Query {
                    case_number: Some("2-300/2026".into()),
                    ..Query::text(w)
                },
                Query {
                    sort: SortBy::Newest,
                    ..Query::text(w)
                },
            ] {
                let hits = match index.search(&q, &access) {
                    Ok(h) => h,
                    Err(e) => panic!("{w}: {e}"),
                };
                assert!(
                    hits.hits
                        .iter()
                        .all(|h| h.hearing != "h-closed" && !h.closed),
                    "{w}"
                );
                // Totals count only what the user may see.
                assert_eq!(hits.total, hits.hits.len(), "{w}");
            }
        }
    }
    assert_eq!(
        index
            .search(&Query::text("усыновления"), &Access::open_only())
            .unwrap()
            .total,
        0
    );
    // Granted: visible, with the open hearings.
    let granted = Access::Limited {
        granted: vec!["h-closed".into()],
    };
    let hits = index.search(&Query::text("свидетель"), &granted).unwrap();
    assert_eq!(hearings(&hits), ["h-closed", "h-kk", "h-ru"]);
    let all = index
        .search(&Query::text("свидетель"), &Access::All)
        .unwrap();
    let open = index
        .search(&Query::text("свидетель"), &Access::open_only())
        .unwrap();
    assert_eq!(all.total, open.total + 1);
}

#[test]
fn pages_and_totals() {
    let index = SearchIndex::create_in_ram().unwrap();
    for h in 0..5 {
        let utterances: Vec<Utterance> = (0..9)
            .map(|i| {
                utt(
                    i * 10,
                    "judge",
                    None,
                    Lang::Ru,
                    &format!("Заседание номер {i} объявляется открытым"),
                )
            })
            .collect();
        let closed = h == 4;
        index
            .index_hearing(
                &meta(&format!("h{h}"), "c", "j", "1", "2026-01-01", closed),
                &utterances,
                &[],
            )
            .unwrap();
    }
    index.commit().unwrap();
    assert_eq!(index.num_docs(), 45);
    let mut seen = HashSet::new();
    for page in 0..5 {
        let q = Query {
            limit: 10,
            offset: page * 10,
            ..Query::text("заседания")
        };
        let hits = index.search(&q, &Access::open_only()).unwrap();
        assert_eq!(hits.total, 36);
        assert_eq!(
            hits.hits.len(),
            if page < 3 {
                10
            } else if page == 3 {
                6
            } else {
                0
            }
        );
        for h in hits.hits {
            assert!(seen.insert((h.hearing, h.id)), "a hit on two pages");
        }
    }
    assert_eq!(seen.len(), 36);
    let q = Query {
        limit: 100,
        ..Query::text("заседания")
    };
    assert_eq!(index.search(&q, &Access::All).unwrap().hits.len(), 45);
}

#[test]
fn reindexing_a_hearing_replaces_it_and_delete_removes_it() {
    let index = fixture();
    assert_eq!(find(&index, "приобщить").total, 1);
    // A new revision: one utterance corrected, the note gone.
    let m = meta(
        "h-ru",
        "almaty",
        "judge-a",
        "2-100/2026",
        "2026-03-10",
        false,
    );
    index
        .index_hearing(
            &m,
            &[utt(
                30,
                "prosecutor",
                None,
                Lang::Ru,
                "Прокурор просит отложить заседание.",
            )],
            &[],
        )
        .unwrap();
    // Not visible before the commit.
    assert_eq!(find(&index, "приобщить").total, 1);
    index.commit().unwrap();
    assert_eq!(find(&index, "приобщить").total, 0);
    assert_eq!(find(&index, "отложить").total, 1);
    assert_eq!(find(&index, "предупреждён").total, 0);
    let hits = index
        .search(
            &Query {
                hearing: Some("h-ru".into()),
                ..Query::text("прокурор")
            },
            &Access::All,
        )
        .unwrap();
    assert_eq!(hits.total, 1);
    // Metadata changes too: the hearing is now closed.
    index
        .index_hearing(
            &HearingMeta { closed: true, ..m },
            &[utt(1, "judge", None, Lang::Ru, "отложить")],
            &[],
        )
        .unwrap();
    index.commit().unwrap();
    assert_eq!(
        index
            .search(&Query::text("отложить"), &Access::open_only())
            .unwrap()
            .total,
        0
    );
    index.delete_hearing("h-ru").unwrap();
    index.commit().unwrap();
    assert_eq!(find(&index, "отложить").total, 0);
    assert_eq!(find(&index, "сот").hits.len(), 4);
}

#[test]
fn an_index_on_disk_survives_reopening_and_compacts() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        index
            .index_hearing(
                &meta("h1", "c", "j", "1", "2026-01-01", false),
                &[utt(1, "judge", None, Lang::Kk, "Сот отырысы")],
                &[],
            )
            .unwrap();
        index.commit().unwrap();
        index
            .index_hearing(
                &meta("h2", "c", "j", "1", "2026-01-02", false),
                &[utt(1, "judge", None, Lang::Kk, "Соттың отырысы")],
                &[],
            )
            .unwrap();
        index.compact().unwrap();
        assert_eq!(index.num_segments(), 1);
    }
    let index = SearchIndex::open_or_create(dir.path()).unwrap();
    assert_eq!(find(&index, "сотта").total, 2);
    drop(index);
}

#[test]
fn hostile_queries_give_errors_or_hits_never_a_panic() {
    let index = fixture();
    let long = "свидетель ".repeat(1024);
    let word200 = "a".repeat(200);
    let many = (0..40)
        .map(|i| format!("слово{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let hostile = [
        "\"",
        "\"свидетель",
        "свидетель\"",
        "text_ru:свидетель",
        ":",
        "::",
        "*",
        "свид*",
        "?",
        "~",
        "[",
        "]",
        "[1 TO 2]",
        "{",
        "}",
        "(",
        ")",
        "((свидетель",
        "свидетель AND",
        "AND",
        "OR",
        "NOT",
        "-",
        "+",
        "-свидетель",
        "+сот",
        "^2",
        "свидетель^100",
        "\\",
        "\\\\",
        "/",
        "/.*/",
        "'",
        "`",
        "<script>alert(1)</script>",
        "\0",
        "свид\0етель",
        "\u{200b}",
        "\u{feff}сот",
        "🙂",
        "😀 свидетель",
        "ـ",
        "\u{0301}",
        "сот\u{0301}",
        "%",
        "_",
        "&&",
        "||",
        "!",
        "$",
        "@",
        "IN [a b]",
        "field:[* TO *]",
        word200.as_str(),
        long.as_str(),
        many.as_str(),
        "",
        " ",
        "\t\n",
        "и в не",
        "...",
        "😀",
    ];
    for text in hostile {
        for access in [Access::All, Access::open_only()] {
            match index.search(&Query::text(text), &access) {
                Ok(hits) => assert!(hits.hits.len() <= hits.total),
                Err(e) => {
                    assert!(e.is_user_error(), "{text:?}: {e}");
                    assert!(!e.to_string().is_empty());
                }
            }
        }
    }
    let err = |text: &str| index.search(&Query::text(text), &Access::All).unwrap_err();
    assert!(matches!(err(""), SearchError::EmptyQuery));
    assert!(matches!(err("  "), SearchError::EmptyQuery));
    assert!(matches!(err(&long), SearchError::QueryTooLong { .. }));
    assert!(matches!(
        err(&"x".repeat(10 * 1024)),
        SearchError::QueryTooLong { .. }
    ));
    assert!(matches!(err(&many), SearchError::TooManyWords { .. }));
    assert!(matches!(err("?!"), SearchError::NoSearchableWords));
    assert!(matches!(err("и в не"), SearchError::NoSearchableWords));
    // Syntax characters are separators: these find what the words find.
    assert_eq!(find(&index, "text_ru:свидетель").total, 0);
    assert_eq!(
        find(&index, "(свидетель)").total,
        find(&index, "свидетель").total
    );
    assert_eq!(
        find(&index, "\"свидетель*\"").total,
        find(&index, "свидетель").total
    );
    // Russian stop words are not required.
    assert_eq!(find(&index, "показания к делу").total, 1);
}

#[test]
fn bad_pages_dates_filters_and_metadata_are_named() {
    let index = fixture();
    let run = |q: Query| index.search(&q, &Access::All).unwrap_err();
    let t = || Query::text("сот");
    assert!(matches!(
        run(Query { limit: 0, ..t() }),
        SearchError::InvalidLimit { .. }
    ));
    assert!(matches!(
        run(Query { limit: 101, ..t() }),
        SearchError::InvalidLimit { .. }
    ));
    assert!(matches!(
        run(Query {
            offset: 10_001,
            ..t()
        }),
        SearchError::InvalidOffset { .. }
    ));
    for bad in [
        "2026-13-01",
        "2026-02-30",
        "2026-1-01",
        "26-01-01",
        "2026/01/01",
        "",
        "२०२६-०१-०१",
        "2026-01-01x",
    ] {
        let e = run(Query {
            date_from: Some(bad.into()),
            ..t()
        });
        assert!(
            matches!(
                e,
                SearchError::InvalidDate {
                    name: "date_from",
                    ..
                }
            ),
            "{bad}: {e}"
        );
        assert!(e.is_user_error());
    }
    assert!(index
        .search(
            &Query {
                date_to: Some("2024-02-29".into()),
                ..t()
            },
            &Access::All
        )
        .is_ok());
    let e = run(Query {
        date_from: Some("2026-02-02".into()),
        date_to: Some("2026-02-01".into()),
        ..t()
    });
    assert!(matches!(e, SearchError::InvalidDateRange { .. }));
    let e = run(Query {
        judge: Some("j".repeat(300)),
        ..t()
    });
    assert!(matches!(
        e,
        SearchError::InvalidFilter { name: "judge", .. }
    ));
    let e = index
        .index_hearing(&meta("", "c", "j", "1", "2026-01-01", false), &[], &[])
        .unwrap_err();
    assert!(
        matches!(e, SearchError::InvalidHearing(_)) && !e.is_user_error(),
        "{e}"
    );
    let e = index
        .index_hearing(&meta("h", "c", "j", "1", "1 May", false), &[], &[])
        .unwrap_err();
    assert!(e.to_string().contains("date"), "{e}");
}

#[test]
fn a_second_writer_on_one_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SearchIndex::open_or_create(dir.path()).unwrap();
    match SearchIndex::open_or_create(dir.path()) {
        Err(SearchError::Locked { .. }) => {}
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("expected Locked, got an index"),
    }
}

#[test]
fn search_index_is_shareable_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<SearchIndex>();
}

#[test]
fn russian_surnames_are_found_in_every_case() {
    let index = SearchIndex::create_in_ram().unwrap();
    let texts = [
        (1, "Слушается уголовное дело по обвинению Иванова"),
        (2, "Подсудимый Петров, встаньте."),
        (3, "Вопрос к свидетелю Ильину."),
        (4, "Стол стоит у окна, столов здесь нет."),
    ];
    let utterances: Vec<Utterance> = texts
        .iter()
        .map(|(s, t)| utt(*s, "judge", None, Lang::Ru, t))
        .collect();
    index
        .index_hearing(
            &meta("h1", "c", "j", "1", "2026-01-01", false),
            &utterances,
            &[],
        )
        .unwrap();
    index.commit().unwrap();
    let starts = |q: &str| -> Vec<u64> {
        let mut v: Vec<u64> = find(&index, q)
            .hits
            .iter()
            .map(|h| h.start_ms / 1000)
            .collect();
        v.sort();
        v
    };
    // The nominative finds the other cases and the other cases find the nominative.
    assert_eq!(starts("Иванов"), vec![1]);
    assert_eq!(starts("иванова"), vec![1]);
    assert_eq!(starts("Ивановым"), vec![1]);
    assert_eq!(starts("Петрова"), vec![2]);
    assert_eq!(starts("петров"), vec![2]);
    assert_eq!(starts("Ильин"), vec![3]);
    // Ordinary nouns keep their plain stemming.
    assert_eq!(starts("столы"), vec![4]);
    assert_eq!(starts("столов"), vec![4]);
}
