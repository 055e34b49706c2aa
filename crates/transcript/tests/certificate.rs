//! The evidence bundle certificate, read back with poppler (Debian poppler-utils): its text
//! with `pdftotext`, its pages with `pdfinfo`, and its QR code from the page `pdftoppm`
//! renders, decoded with rqrr.
//!
//! These tests need poppler-utils (CI installs it, scripts/install-deps) and fail, saying so,
//! where it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use verbatim_transcript::export::{
    certificate_pdf, Certificate, CertificateFile, CertificateStream, UiLang,
};

const ROOT_HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ORIGIN: &str = "court.kz/almaty/bostandyk";

/// A signed checkpoint note as the log writes it: origin, size, base64 root, a blank line,
/// then signature lines (here the court's and a witness's).
fn note() -> String {
    format!(
        "{ORIGIN}\n1024\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\
         — {ORIGIN} Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
         — witness.example/w1 xPIC8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8AAAAAAAA=\n"
    )
}

fn certificate(lang: UiLang, files: usize) -> Certificate {
    Certificate {
        lang,
        court_name: "Бостандыкский районный суд".into(),
        log_origin: ORIGIN.into(),
        hearing: "h-2026-03-12-0001".into(),
        case_number: "2-1234/2026".into(),
        judge: "Ахметова А. Б.".into(),
        date: "2026-03-12".into(),
        span: "00:00:00 – 01:12:30 (whole hearing)".into(),
        created: "2026-03-13 09:30:05 UTC".into(),
        streams: vec![
            CertificateStream {
                id: "cam-1".into(),
                kind: "camera".into(),
                segments: 2175,
                from: "00:00:00".into(),
                to: "01:12:30".into(),
            },
            CertificateStream {
                id: "mic-judge".into(),
                kind: "microphone".into(),
                segments: 2175,
                from: "00:00:00".into(),
                to: "01:12:30".into(),
            },
            CertificateStream {
                id: "transcript".into(),
                kind: "transcript".into(),
                segments: 3,
                from: "00:00:00".into(),
                to: "01:12:30".into(),
            },
        ],
        files: (0..files)
            .map(|i| CertificateFile {
                path: format!("media/cam-1/segment-{i:06}.mp4"),
                bytes: 1_048_576 + i as u64 * 7,
                sha256: format!("{:064x}", (i as u128 + 1) * 0x9e37_79b9_7f4a_7c15),
            })
            .collect(),
        derived: vec![
            "derived/hearing.mp4".into(),
            "derived/transcript.pdf".into(),
        ],
        checkpoint_size: 1024,
        checkpoint_root_hex: ROOT_HEX.into(),
        checkpoint_text: note(),
        key_name: ORIGIN.into(),
        key_text: format!("{ORIGIN}+0a1b2c3d+AcmnEBqLvbzpBZD9TGNxCLtHTw0/HoXlNeg3eXR/Rb9V"),
        entries: "entries 120–980 of 1024 (340 disclosed)".into(),
        qr_payload: note(),
    }
}

/// A poppler tool, or a failure that says what to install.
fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{name} is not installed: these tests read the PDF back with poppler \
             (Debian package poppler-utils; scripts/install-deps installs it)"
        )
    })
}

/// `name args pdf after`: its standard output.
fn run(name: &str, args: &[&str], pdf: &Path, after: &[&str]) -> Vec<u8> {
    let out = Command::new(tool(name))
        .args(args)
        .arg(pdf)
        .args(after)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn write(dir: &tempfile::TempDir, pdf: &[u8]) -> PathBuf {
    let path = dir.path().join("certificate.pdf");
    std::fs::write(&path, pdf).unwrap();
    path
}

fn text(pdf: &Path) -> String {
    String::from_utf8(run("pdftotext", &["-enc", "UTF-8"], pdf, &["-"])).unwrap()
}

/// The text with its layout kept: a table's row is a line.
fn layout_text(pdf: &Path) -> String {
    String::from_utf8(run("pdftotext", &["-enc", "UTF-8", "-layout"], pdf, &["-"])).unwrap()
}

fn pages(pdf: &Path) -> usize {
    let info = String::from_utf8(run("pdfinfo", &[], pdf, &[])).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap_or_else(|| panic!("no page count in pdfinfo's output:\n{info}"))
        .trim()
        .parse()
        .unwrap()
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn certificate_reads_back_in_kazakh_with_the_court_case_and_root_hash() {
    let c = certificate(UiLang::Kk, 5);
    let pdf = certificate_pdf(&c).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Same input, same bytes.
    assert!(pdf == certificate_pdf(&c).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, &pdf);
    let n = pages(&path);
    let t = text(&path);
    let f = flat(&t);
    // A table's row reads as a line where the text keeps its layout.
    let rows = flat(&layout_text(&path));
    for want in [
        "cam-1 бейнекамера 2 175 00:00:00 01:12:30",
        "mic-judge микрофон 2 175",
        "transcript стенограмма 3",
        &format!(
            "media/cam-1/segment-000004.mp4 1 048 604 {:064x}",
            5u128 * 0x9e37_79b9_7f4a_7c15
        ),
    ] {
        assert!(rows.contains(want), "{want:?} not a row of:\n{rows}");
    }
    assert!(f.contains(&format!("{n} беттің {n}-беті")), "{t}");
    for want in [
        "СОТ ОТЫРЫСЫНЫҢ ЖАЗБАСЫН КӨШІРУ КУӘЛІГІ",
        "Сот: Бостандыкский районный суд",
        "Журнал (origin): court.kz/almaty/bostandyk",
        "Іс нөмірі: 2-1234/2026",
        "Сот отырысының сәйкестендіргіші: h-2026-03-12-0001",
        "Төрағалық етуші судья: Ахметова А. Б.",
        "Сот отырысының күні: 12.03.2026",
        "Жазба аралығы: 00:00:00 – 01:12:30 (whole hearing)",
        "Жазба ағындары",
        ROOT_HEX,
        "Тексеру кілті (vkey): court.kz/almaty/bostandyk+0a1b2c3d+",
        "entries 120–980 of 1024 (340 disclosed)",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "QR-кодта сот журналының қол қойылған бақылау нүктесі бар",
        "Дәлелмен қамтылған файлдар",
        "media/cam-1/segment-000004.mp4",
        &format!("{:064x}", 5u128 * 0x9e37_79b9_7f4a_7c15),
        "Туынды файлдар (дәлелмен қамтылмаған)",
        "derived/transcript.pdf",
        "verbatim verify <көшірме>",
        "verify.html",
        "Іс № 2-1234/2026",
        "беттің 1-беті",
    ] {
        assert!(f.contains(want), "{want:?} not in the PDF's text:\n{t}");
    }
}

#[test]
fn certificate_labels_in_russian_and_english() {
    for (lang, want) in [
        (
            UiLang::Ru,
            [
                "СВИДЕТЕЛЬСТВО О ВЫГРУЗКЕ ЗАПИСИ СУДЕБНОГО ЗАСЕДАНИЯ",
                "Номер дела: 2-1234/2026",
                "Производные файлы (доказательством не охвачены)",
                "Выполните команду verbatim verify <выгрузка>",
                "Страница 1 из ",
            ],
        ),
        (
            UiLang::En,
            [
                "CERTIFICATE OF AN EVIDENCE BUNDLE",
                "Case number: 2-1234/2026",
                "Derived files (not proven)",
                "Run verbatim verify <bundle> or open verify.html",
                "Page 1 of ",
            ],
        ),
    ] {
        let pdf = certificate_pdf(&certificate(lang, 3)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let t = text(&write(&dir, &pdf));
        let f = flat(&t);
        for w in want.iter().chain(&["Бостандыкский районный суд", ROOT_HEX])
        {
            assert!(f.contains(w), "{w:?} not in:\n{t}");
        }
    }
}

#[test]
fn three_thousand_files_paginate_with_every_file_and_page_number() {
    let c = certificate(UiLang::Ru, 3000);
    let started = Instant::now();
    let pdf = certificate_pdf(&c).unwrap();
    eprintln!(
        "certificate of 3,000 files: {} bytes in {:?}",
        pdf.len(),
        started.elapsed()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, &pdf);
    let n = pages(&path);
    assert!(n > 1, "{n} pages");
    let t = text(&path);
    let texts: Vec<&str> = t.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(texts.len(), n);
    for (i, page) in texts.iter().enumerate() {
        let footer = format!("Страница {} из {n}", i + 1);
        assert!(page.contains(&footer), "page {} lacks {footer:?}", i + 1);
        assert!(page.contains("Дело № 2-1234/2026"));
    }
    // A page that goes on with the file list says so and repeats the table's header.
    let continued = texts
        .iter()
        .filter(|p| flat(p).contains("Файлы, охваченные доказательством (продолжение)"))
        .count();
    assert!(
        continued >= n - 2,
        "{continued} of {n} pages continue the list"
    );
    // Every file with its size and hash on its row, once, in order.
    let rows = flat(&layout_text(&path));
    let mut at = 0;
    for (i, file) in c.files.iter().enumerate() {
        let size = format!("{}", file.bytes);
        let size = format!("{} {}", &size[..size.len() - 6], &size[size.len() - 6..]);
        let size = format!("{} {}", &size[..size.len() - 3], &size[size.len() - 3..]);
        let want = format!("segment-{i:06}.mp4 {size} {}", file.sha256);
        let found = rows[at..]
            .find(&want)
            .unwrap_or_else(|| panic!("{want} missing or out of order"));
        at += found + want.len();
    }
    assert!(rows[at..].contains("derived/hearing.mp4"));
    assert!(
        flat(&t).contains("Количество файлов: 3 000;"),
        "the summary"
    );
}

#[test]
fn twenty_thousand_files_take_seconds() {
    let c = certificate(UiLang::En, 20_000);
    let started = Instant::now();
    let pdf = certificate_pdf(&c).unwrap();
    let took = started.elapsed();
    eprintln!(
        "certificate of 20,000 files: {} bytes in {took:?}",
        pdf.len()
    );
    // Generous, for a loaded machine: what it guards against is time growing faster than
    // the number of files.
    assert!(took.as_secs() < 60, "{took:?}");
    let dir = tempfile::tempdir().unwrap();
    assert!(pages(&write(&dir, &pdf)) > 200);
}

#[test]
fn the_qr_code_on_the_first_page_decodes_to_the_payload() {
    let c = certificate(UiLang::Ru, 3);
    assert!(c.qr_payload.len() > 250, "a realistic note");
    let pdf = certificate_pdf(&c).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, &pdf);
    let prefix = dir.path().join("page");
    let out = Command::new(tool("pdftoppm"))
        .args([
            "-r",
            "150",
            "-png",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(&path)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftoppm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::File::open(prefix.with_extension("png")).unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(png))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    // Grey, or RGB where this poppler's PNG output ignores -gray.
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        other => panic!("pdftoppm wrote a {other:?} PNG"),
    };
    assert_eq!(frame.bit_depth, png::BitDepth::Eight);
    let (w, h, stride) = (frame.width as usize, frame.height as usize, frame.line_size);
    let luma = |x: usize, y: usize| {
        let at = y * stride + x * channels;
        let px = &buf[at..at + channels];
        (px.iter().map(|&v| v as u32).sum::<u32>() / channels as u32) as u8
    };
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    let mut decoded = Vec::new();
    let meta = grids[0].decode_to(&mut decoded).unwrap();
    eprintln!(
        "QR code: version {}, {} bytes, {w}x{h} px page",
        meta.version.0,
        decoded.len()
    );
    assert_eq!(String::from_utf8(decoded).unwrap(), c.qr_payload);
}

#[test]
fn bad_input_is_an_error_naming_it() {
    let err = |f: &dyn Fn(&mut Certificate)| {
        let mut c = certificate(UiLang::En, 2);
        f(&mut c);
        certificate_pdf(&c).unwrap_err().to_string()
    };
    let e = err(&|c| c.qr_payload = "x".repeat(3000));
    assert!(e.contains("QR code") && e.contains("too long"), "{e}");
    let e = err(&|c| c.checkpoint_root_hex = "abc".into());
    assert!(e.contains("root hash"), "{e}");
    let e = err(&|c| c.files[1].sha256 = "z".repeat(64));
    assert!(e.contains("media/cam-1/segment-000001.mp4"), "{e}");
    let e = err(&|c| c.date = "2026-02-30".into());
    assert!(e.contains("date"), "{e}");
    let e = err(&|c| c.case_number = " ".into());
    assert!(e.contains("case number"), "{e}");
    // Odd text is drawn, not refused.
    let mut c = certificate(UiLang::Kk, 2);
    c.files[0].path = format!("{}/{}", "каталог".repeat(40), "ә".repeat(300));
    c.derived.push("中文 \u{0} <&>".into());
    c.streams[0].id = "x".repeat(500);
    c.checkpoint_text = "\u{1}\r\n\n\n".into();
    c.streams.clear();
    assert!(certificate_pdf(&c).unwrap().starts_with(b"%PDF-"));
    c.files.clear();
    c.derived.clear();
    assert!(certificate_pdf(&c).unwrap().starts_with(b"%PDF-"));
}

/// `VERBATIM_EXPORT_SAMPLES=<dir> cargo test --workspace --test certificate samples` writes
/// sample certificates there, to look at.
#[test]
fn samples() {
    let Some(dir) = std::env::var_os("VERBATIM_EXPORT_SAMPLES") else {
        return;
    };
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();
    for lang in [UiLang::Kk, UiLang::Ru, UiLang::En] {
        let pdf = certificate_pdf(&certificate(lang, 40)).unwrap();
        std::fs::write(dir.join(format!("certificate-{}.pdf", lang.code())), pdf).unwrap();
    }
    let pdf = certificate_pdf(&certificate(UiLang::Ru, 3000)).unwrap();
    std::fs::write(dir.join("certificate-3000-ru.pdf"), pdf).unwrap();
}
