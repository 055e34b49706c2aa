//! What the export tests share: a hearing's context and transcripts.
#![allow(dead_code)]

use verbatim_transcript::export::{
    CaseCategory, Certification, ExportContext, LogCheckpoint, Participant, UiLang,
};
use verbatim_transcript::{Lang, Transcript, Utterance, Word, FORMAT};

pub const KAZAKH: &str = "Сот отырысы ашық — ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І";
pub const RUSSIAN: &str = "Всё ещё слушается дело: ёлка, Ёж и «кавычки»";
pub const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
pub const ROOT: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

pub fn context(lang: UiLang) -> ExportContext {
    ExportContext {
        court_name: "Бостандыкский районный суд города Алматы".into(),
        court_id: "bostandyk".into(),
        courtroom: "Зал № 3".into(),
        case_number: "2-1234/2026".into(),
        case_category: CaseCategory::Civil,
        hearing_date: "2026-03-12".into(),
        hearing_start: "10:00".into(),
        judge: "Ахметова А. Б.".into(),
        secretary: "Серікова Д.".into(),
        participants: vec![
            Participant {
                role: "plaintiff".into(),
                name: "Иванов И. И.".into(),
            },
            Participant {
                role: "defendant".into(),
                name: "Серіков Б.".into(),
            },
            Participant {
                role: "witness".into(),
                name: "Жұмабаев Ә.".into(),
            },
        ],
        lang,
        ..Default::default()
    }
}

pub fn certified(mut c: ExportContext, revision: u32) -> ExportContext {
    c.certification = Some(Certification {
        revision,
        by: "Ахметова А. Б.".into(),
        at_unix_ms: 1_773_313_200_000,
        sha256: SHA.into(),
    });
    c.checkpoint = Some(LogCheckpoint {
        origin: "bostandyk.sot.kz/log".into(),
        tree_size: 18_345,
        root_hash: ROOT.into(),
        entry_index: 18_300,
    });
    c
}

pub fn utterance(
    i: usize,
    role: &str,
    lang: Lang,
    start_ms: u64,
    text: &str,
    with_words: bool,
) -> Utterance {
    let n = text.split_whitespace().count().max(1) as u64;
    Utterance {
        id: format!("{role}@{start_ms}#{i}"),
        mic: format!("mic-{role}"),
        role: role.into(),
        speaker: None,
        lang,
        start_ms,
        end_ms: start_ms + 450 * n,
        text: text.into(),
        words: if with_words {
            text.split_whitespace()
                .enumerate()
                .map(|(k, w)| Word {
                    text: w.into(),
                    start_ms: start_ms + 450 * k as u64,
                    end_ms: start_ms + 450 * k as u64 + 400,
                    p: Some(0.8),
                })
                .collect()
        } else {
            Vec::new()
        },
        edited: !with_words,
    }
}

pub fn transcript(utterances: Vec<Utterance>) -> Transcript {
    Transcript {
        format: FORMAT.into(),
        court: "bostandyk".into(),
        hearing: "h-2026-03-12-3".into(),
        revision: 2,
        based_on: Some(1),
        author: "serikova".into(),
        created_unix_ms: 1_773_309_600_000,
        recognizer: String::new(),
        utterances,
    }
}

/// A hearing: Kazakh and Russian, one speaker several times in a row, people talking over each
/// other, a long utterance with word times and one without, text needing escapes.
pub fn hearing() -> Transcript {
    let long = "Куәгер ретінде сізге жауапкершілік түсіндіріледі, сіз шындықты айтуға міндеттісіз, \
                жалған айғақ бергеніңіз үшін заң бойынша жауапқа тартыласыз, бұл сізге түсінікті ме \
                және сіз қолхатқа қол қоюға дайынсыз ба";
    transcript(vec![
        utterance(0, "judge", Lang::Kk, 1_000, KAZAKH, true),
        utterance(1, "judge", Lang::Ru, 11_000, RUSSIAN, true),
        utterance(
            2,
            "plaintiff",
            Lang::Ru,
            17_000,
            "Сумма иска < 5 000 000 & проценты --> по договору",
            true,
        ),
        utterance(3, "defendant", Lang::Kk, 19_000, "Мен келіспеймін", true),
        utterance(4, "judge", Lang::Kk, 25_000, long, true),
        utterance(5, "witness", Lang::Kk, 45_000, long, false),
        utterance(6, "secretary", Lang::Ru, 75_000, "", true),
    ])
}

/// Whitespace (line and page breaks included) as single spaces.
pub fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 2,000 utterances of five speakers, a seventh of them in Kazakh, half without word times.
pub fn long_transcript() -> Transcript {
    let roles = ["judge", "plaintiff", "defendant", "witness", "judge"];
    let utterances = (0..2000)
        .map(|i| {
            let text = format!(
                "Реплика-{i:04} {} сөйлейді: тараптардың дәлелдері тексеріледі, сұрақтар қойылады.",
                roles[i % 5]
            );
            let lang = if i % 7 == 0 { Lang::Kk } else { Lang::Ru };
            utterance(
                i,
                roles[i % 5],
                lang,
                1000 + 6000 * i as u64,
                &text,
                i % 2 == 0,
            )
        })
        .collect();
    transcript(utterances)
}
