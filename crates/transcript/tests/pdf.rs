//! PDF read back with `pdftotext` (Debian poppler-utils).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use verbatim_transcript::export::{self, ExportContext, UiLang};
use verbatim_transcript::{Lang, Transcript};

fn pdftotext(pdf: &[u8]) -> Option<String> {
    if Command::new("pdftotext")
        .arg("-v")
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        eprintln!("SKIPPED: pdftotext is not installed (Debian package poppler-utils)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn pdf_reads_back_kazakh_russian_header_and_certification() {
    let t = hearing();
    let pdf = export::to_pdf(&t, &certified(context(UiLang::Ru), 2)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Same input, same bytes.
    assert!(pdf == export::to_pdf(&t, &certified(context(UiLang::Ru), 2)).unwrap());
    eprintln!(
        "PDF of {} utterances: {} bytes",
        t.utterances.len(),
        pdf.len()
    );
    let Some(text) = pdftotext(&pdf) else { return };
    let f = flat(&text);
    for want in [
        KAZAKH,
        RUSSIAN,
        "СТЕНОГРАММА СУДЕБНОГО ЗАСЕДАНИЯ",
        "Суд: Бостандыкский районный суд города Алматы (bostandyk)",
        "Зал судебного заседания: Зал № 3",
        "Номер дела: 2-1234/2026",
        "Категория дела: гражданское дело",
        "Дата и время заседания: 12.03.2026, 10:00",
        "Судебное заседание: открытое",
        "Председательствующий судья: Ахметова А. Б.",
        "Секретарь судебного заседания: Серікова Д.",
        "Истец: Иванов И. И.",
        "Ответчик: Серіков Б.",
        "Свидетель: Жұмабаев Ә.",
        "Редакция стенограммы: 2 — исправление редакции 1; автор: serikova",
        "Судья (Ахметова А. Б.)",
        "0:00:01 [на казахском языке] Сот отырысы",
        "0:00:11 [на русском языке] Всё ещё",
        "Истец (Иванов И. И.)",
        "Сумма иска < 5 000 000 & проценты --> по договору",
        "Ответчик (Серіков Б.)",
        "УДОСТОВЕРЕНО",
        "Удостоверил(а): Ахметова А. Б.",
        "Дата и время удостоверения: 12.03.2026 16:00:00 (UTC+05:00)",
        SHA,
        "Контрольная точка журнала суда",
        "Журнал (origin): bostandyk.sot.kz/log",
        "Размер журнала (записей): 18345",
        ROOT,
        "Индекс записи редакции в журнале: 18300",
        "Дело № 2-1234/2026",
        "Страница 1 из 1",
    ] {
        assert!(f.contains(want), "{want:?} not in the PDF's text:\n{text}");
    }
    // One paragraph for the judge's two utterances in a row, the speaker's name once.
    assert_eq!(f.matches("Судья (Ахметова А. Б.)").count(), 2, "{text}");
    assert!(!f.contains("НЕ УДОСТОВЕРЕНО"));
}

#[test]
fn pdf_labels_in_kazakh_and_english_and_uncertified_status() {
    let t = hearing();
    for (lang, want) in [
        (
            UiLang::Kk,
            [
                "КУӘЛАНДЫРЫЛМАҒАН — машиналық стенограмма/жоба",
                "Төрағалық етуші судья: Ахметова А. Б.",
                "Жауапкер (Серіков Б.)",
                "1 беттің 1-беті",
                "Іс № 2-1234/2026",
            ],
        ),
        (
            UiLang::En,
            [
                "NOT CERTIFIED — machine transcript/draft",
                "Presiding judge: Ахметова А. Б.",
                "Defendant (Серіков Б.)",
                "Page 1 of 1",
                "Case No. 2-1234/2026",
            ],
        ),
    ] {
        let pdf = export::to_pdf(&t, &context(lang)).unwrap();
        let Some(text) = pdftotext(&pdf) else { return };
        let f = flat(&text);
        for w in want {
            assert!(f.contains(w), "{w:?} not in:\n{text}");
        }
        assert!(f.contains(KAZAKH) && f.contains(RUSSIAN));
    }
}

#[test]
fn a_long_transcript_paginates_with_page_numbers() {
    let t = long_transcript();
    let started = std::time::Instant::now();
    let pdf = export::to_pdf(&t, &certified(context(UiLang::Ru), 2)).unwrap();
    eprintln!(
        "PDF of 2000 utterances: {} bytes in {:?}",
        pdf.len(),
        started.elapsed()
    );
    let Some(text) = pdftotext(&pdf) else { return };
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let n = pages.len();
    assert!(n > 20, "{n} pages");
    let speakers = [
        "Судья (Ахметова А. Б.)",
        "Истец (Иванов И. И.)",
        "Ответчик (Серіков Б.)",
        "Свидетель (Жұмабаев Ә.)",
    ];
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("Страница {} из {n}", i + 1);
        assert!(
            page.contains(&footer),
            "page {} lacks {footer:?}:\n{page}",
            i + 1
        );
        assert!(page.contains("Дело № 2-1234/2026"));
        // A page starts with a speaker: theirs, or one going on from the page before.
        let first = page.trim_start().lines().next().unwrap();
        let label = first.strip_suffix(" (продолжение)").unwrap_or(first);
        assert!(
            i == 0 || speakers.contains(&label) || i == n - 1 && label == "Удостоверение",
            "page {} starts with {first:?}",
            i + 1
        );
    }
    // Every utterance, once, in order; the time of the last one.
    let f = flat(&text);
    let mut at = 0;
    for i in 0..2000 {
        let marker = format!("Реплика-{i:04}");
        let found = f[at..]
            .find(&marker)
            .unwrap_or_else(|| panic!("{marker} missing or out of order"));
        at += found + marker.len();
    }
    assert!(f.contains("3:19:55"), "the last utterance's time");
    assert!(pages[n - 1].contains("УДОСТОВЕРЕНО"));
}

#[test]
fn an_empty_transcript_says_there_is_no_speech() {
    let t = transcript(vec![utterance(0, "judge", Lang::Kk, 0, "   ", true)]);
    let pdf = export::to_pdf(&t, &context(UiLang::Ru)).unwrap();
    let Some(text) = pdftotext(&pdf) else { return };
    let f = flat(&text);
    assert!(
        f.contains("В записи нет речи.") && f.contains("Страница 1 из 1"),
        "{text}"
    );
    assert!(
        f.contains("НЕ УДОСТОВЕРЕНО — машинная стенограмма/черновик"),
        "{text}"
    );
}

#[test]
fn a_missing_or_bad_font_is_an_error_naming_it() {
    let t = hearing();
    let mut ctx = context(UiLang::En);
    ctx.font_dir = "/nonexistent/fonts".into();
    let e = export::to_pdf(&t, &ctx).unwrap_err().to_string();
    assert!(
        e.contains("/nonexistent/fonts") && e.contains("fonts-dejavu-core"),
        "{e}"
    );

    // A directory without the regular face names the file; without the bold face, bold text
    // falls back to the regular one.
    let dir = tempfile::tempdir().unwrap();
    ctx.font_dir = dir.path().to_path_buf();
    let e = export::to_pdf(&t, &ctx).unwrap_err().to_string();
    assert!(e.contains("DejaVuSans.ttf"), "{e}");
    std::fs::write(dir.path().join("DejaVuSans.ttf"), b"not a font").unwrap();
    let e = export::to_pdf(&t, &ctx).unwrap_err().to_string();
    assert!(
        e.contains("DejaVuSans.ttf") && e.contains("not a TrueType font"),
        "{e}"
    );
    let system = Path::new(export::DEFAULT_FONT_DIR).join("DejaVuSans.ttf");
    std::fs::copy(system, dir.path().join("DejaVuSans.ttf")).unwrap();
    let pdf = export::to_pdf(&t, &ctx).unwrap();
    if let Some(text) = pdftotext(&pdf) {
        assert!(flat(&text).contains(KAZAKH));
    }
    let e = export::to_pdf(&t, &certified(context(UiLang::En), 3))
        .unwrap_err()
        .to_string();
    assert!(e.contains("revision 3"), "{e}");
}

/// `VERBATIM_EXPORT_SAMPLES=<dir> cargo test -p verbatim-transcript --test pdf samples`
/// writes each export of the sample hearing there, to look at.
#[test]
fn samples() {
    let Some(dir) = std::env::var_os("VERBATIM_EXPORT_SAMPLES") else {
        return;
    };
    type Export = fn(&Transcript, &ExportContext) -> Result<Vec<u8>, export::ExportError>;
    let formats: [(&str, Export); 5] = [
        ("pdf", export::to_pdf),
        ("docx", export::to_docx),
        ("txt", export::to_text),
        ("vtt", export::to_webvtt),
        ("srt", export::to_srt),
    ];
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    let t = hearing();
    for lang in [UiLang::Kk, UiLang::Ru, UiLang::En] {
        let ctx = certified(context(lang), 2);
        for (ext, f) in formats {
            let name = format!("hearing-{}.{ext}", lang.code());
            std::fs::write(dir.join(name), f(&t, &ctx).unwrap()).unwrap();
        }
    }
    let (long, ctx) = (long_transcript(), certified(context(UiLang::Ru), 2));
    for (ext, f) in formats {
        std::fs::write(dir.join(format!("long-ru.{ext}")), f(&long, &ctx).unwrap()).unwrap();
    }
}

#[test]
fn odd_text_exports_without_panicking() {
    let mut t = hearing();
    let mut u = t.utterances[0].clone();
    u.id = "odd".into();
    u.start_ms = 80_000;
    u.end_ms = 80_000;
    u.words.clear();
    u.speaker = Some("<b>&\"Ли\u{0}\u{7}\"</b> -->".into());
    u.role = String::new();
    u.mic = "mic\n9".into();
    u.text = format!(
        "\u{1}\t{} 中文 עברית \u{200B}\u{FEFF} 😀 \u{FFFF} --> <script>",
        "ә".repeat(3000)
    );
    t.utterances.push(u);
    let mut ctx = certified(context(UiLang::Kk), 2);
    ctx.case_number = "2-1/2026 --> <&>".into();
    ctx.participants.push(common_participant("", ""));
    ctx.participants
        .push(common_participant("usher_of_the_court", "Тест\r\nТест"));
    type Export = fn(&Transcript, &ExportContext) -> Result<Vec<u8>, export::ExportError>;
    let formats: [Export; 5] = [
        export::to_pdf,
        export::to_docx,
        export::to_text,
        export::to_webvtt,
        export::to_srt,
    ];
    for f in formats {
        assert!(!f(&t, &ctx).unwrap().is_empty());
    }
    let vtt = String::from_utf8(export::to_webvtt(&t, &ctx).unwrap()).unwrap();
    assert!(
        vtt.contains("<v &lt;b&gt;&amp;\"Ли \"&lt;/b&gt; --&gt;><lang kk>"),
        "{vtt}"
    );
    let pdf = export::to_pdf(&t, &ctx).unwrap();
    if let Some(text) = pdftotext(&pdf) {
        let f = flat(&text);
        assert!(
            f.contains("Сөйлеуші (mic 9)") || f.contains("<b>&"),
            "{text}"
        );
        assert!(f.contains("usher of the court: Тест Тест"), "{text}");
    }
}

fn common_participant(role: &str, name: &str) -> verbatim_transcript::export::Participant {
    verbatim_transcript::export::Participant {
        role: role.into(),
        name: name.into(),
    }
}
