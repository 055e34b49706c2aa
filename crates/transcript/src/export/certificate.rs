//! The certificate of an evidence bundle: a PDF a person can read (and a court can file) that
//! says what an exported bundle holds and how to check it: the hearing, the recorded streams,
//! the signed checkpoint of the court's log that the bundle's proof ends in (also as a QR
//! code), the verifier key, and every file with its size and SHA-256.
//!
//! It is laid out and drawn with the transcript PDF's machinery (`pdf`): the same page, fonts
//! (DejaVu Sans, subset to what is drawn) and footers.

use std::path::Path;

use qrcode::types::QrError;
use qrcode::{EcLevel, QrCode};
use serde::{Deserialize, Serialize};

use super::labels::{self, Labels};
use super::pdf::{
    left, mm, render, right, span, Cell, Faces, Layout, Meta, Span, Style, BODY, LEADING, SMALL,
    TITLE,
};
use super::{clean, format_date, parse_date, ExportError, UiLang, DEFAULT_FONT_DIR};

/// What an evidence bundle holds, for its certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Certificate {
    /// The language of the labels.
    pub lang: UiLang,
    /// e.g. "Бостандыкский районный суд"
    pub court_name: String,
    /// The log's origin line, e.g. "court.kz/almaty/bostandyk".
    pub log_origin: String,
    /// The hearing's id.
    pub hearing: String,
    pub case_number: String,
    pub judge: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// What of the hearing the bundle holds, as text: "00:00:00 – 01:12:30 (whole hearing)"
    /// or a clip's range.
    pub span: String,
    /// When the bundle was made, as text (UTC). Where it starts with `YYYY-MM-DD` (and
    /// `HH:MM[:SS]`), that is also the PDF's creation date; otherwise the hearing's date is.
    pub created: String,
    pub streams: Vec<CertificateStream>,
    /// Every file covered by the proof.
    pub files: Vec<CertificateFile>,
    /// Files outside the proof (paths), listed as "derived, not proven".
    pub derived: Vec<String>,
    pub checkpoint_size: u64,
    /// 64 hex digits.
    pub checkpoint_root_hex: String,
    /// The whole signed checkpoint note (several lines).
    pub checkpoint_text: String,
    /// The verifier key's name.
    pub key_name: String,
    /// The verifier key line (vkey), e.g. "name+abcd1234+AQ...".
    pub key_text: String,
    /// e.g. "entries 120–980 of 1024 (340 disclosed)"
    pub entries: String,
    /// The text the QR code holds (the checkpoint note).
    pub qr_payload: String,
}

/// A recorded stream in the bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertificateStream {
    pub id: String,
    /// `camera`, `microphone`, `transcript`, ... (the known kinds are translated).
    pub kind: String,
    pub segments: u64,
    pub from: String,
    pub to: String,
}

/// A file covered by the bundle's proof.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertificateFile {
    /// Its path in the bundle.
    pub path: String,
    pub bytes: u64,
    /// 64 hex digits.
    pub sha256: String,
}

/// Text sizes of the certificate's tables: the file list, the hashes in it, the checkpoint.
const TABLE: f32 = 7.5;
const HASH: f32 = 6.5;
const NOTE: f32 = 7.5;

/// The QR code's printed size with its quiet zone: about 0.85 mm a module, kept between
/// these (a small code is not printed tiny; a large one not over a third of the page).
const QR_MIN_MM: f32 = 45.0;
const QR_MAX_MM: f32 = 60.0;
const QR_MODULE_MM: f32 = 0.85;
const QR_QUIET: usize = 4;

fn is_hex_64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Certificate {
    /// Checks what the certificate states.
    fn check(&self) -> Result<(), ExportError> {
        let bad = |m: String| Err(ExportError::Context(format!("certificate: {m}")));
        for (what, v) in [
            ("court name", &self.court_name),
            ("log origin", &self.log_origin),
            ("hearing", &self.hearing),
            ("case number", &self.case_number),
        ] {
            if clean(v).is_empty() {
                return bad(format!("the {what} is empty"));
            }
        }
        parse_date(&self.date)?;
        if !is_hex_64(&self.checkpoint_root_hex) {
            return bad(format!(
                "checkpoint root hash {:?}: expected 64 hex digits",
                self.checkpoint_root_hex
            ));
        }
        if let Some(f) = self.files.iter().find(|f| !is_hex_64(&f.sha256)) {
            return bad(format!(
                "file {:?}: SHA-256 {:?}: expected 64 hex digits",
                f.path, f.sha256
            ));
        }
        if self.qr_payload.is_empty() {
            return bad("the QR code's payload (the signed checkpoint) is empty".into());
        }
        Ok(())
    }
}

/// The QR code of `payload` at error-correction level M, the smallest version that holds it:
/// its width in modules and its modules row by row (`true`: dark).
fn qr(payload: &str) -> Result<(usize, Vec<bool>), ExportError> {
    let code =
        QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).map_err(|e| {
            ExportError::Context(match e {
                QrError::DataTooLong => format!(
                    "certificate: the QR code's payload is {} bytes, too long for a QR code at \
                     error-correction level M (version 40 holds at most 2331 bytes of text)",
                    payload.len()
                ),
                other => format!("certificate: the QR code's payload: {other}"),
            })
        })?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

/// `1234567` as `1 234 567` (kk, ru; with no-break spaces) or `1,234,567` (en).
fn grouped(n: u64, lang: UiLang) -> String {
    let sep = match lang {
        UiLang::En => ',',
        UiLang::Kk | UiLang::Ru => '\u{A0}',
    };
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Unix time (s) of `created` where it starts with `YYYY-MM-DD` and, after a space or
/// `T`, `HH:MM` and perhaps `:SS` (UTC); else of the hearing's date at midnight.
fn created_unix_s(c: &Certificate) -> i64 {
    let at = |date: &str, rest: &str| -> Option<i64> {
        let (y, m, d) = parse_date(date).ok()?;
        let mut secs = days_from_civil(y, m, d) * 86_400;
        let b = rest.as_bytes();
        if b.len() >= 6 && (b[0] == b' ' || b[0] == b'T') && b[3] == b':' {
            let num = |r: std::ops::Range<usize>| -> Option<i64> {
                let s = rest.get(r)?;
                s.bytes()
                    .all(|c| c.is_ascii_digit())
                    .then(|| s.parse().ok())?
            };
            let (h, mi) = (num(1..3)?, num(4..6)?);
            let s = if b.get(6) == Some(&b':') {
                num(7..9).unwrap_or(0)
            } else {
                0
            };
            if h < 24 && mi < 60 && s < 60 {
                secs += h * 3600 + mi * 60 + s;
            }
        }
        Some(secs)
    };
    let created = c.created.trim();
    created
        .get(..10)
        .and_then(|date| at(date, &created[10..]))
        .or_else(|| at(&c.date, ""))
        .unwrap_or(0)
}

fn kind_name(kind: &str, l: &Labels) -> String {
    match kind.trim().to_lowercase().as_str() {
        "camera" | "video" => l.cert.camera.to_string(),
        "microphone" | "mic" | "audio" => l.cert.microphone.to_string(),
        "transcript" => l.cert.transcript.to_string(),
        _ => clean(kind),
    }
}

/// A path broken after its slashes into pieces that fit `width` (joined by spaces, where the
/// line wrapping breaks them; a piece still too wide is cut there).
fn path_lines(faces: &Faces, path: &str, size: f32, width: f32) -> String {
    let w = |s: &str| faces.width(&span(s, Style::Regular), size);
    if w(path) <= width {
        return path.to_string();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for seg in path.split_inclusive('/') {
        if !cur.is_empty() && w(&cur) + w(seg) > width {
            lines.push(std::mem::take(&mut cur));
        }
        cur.push_str(seg);
    }
    lines.push(cur);
    lines.join(" ")
}

/// Lines of text, each centred.
fn centred(p: &mut Layout<'_>, spans: &[Span], size: f32) {
    for line in p.wrap(spans, size, right() - left()) {
        let w: f32 = line.iter().map(|s| p.faces.width(s, size)).sum();
        let x = left() + ((right() - left() - w) / 2.0).max(0.0);
        p.paragraph(&line, size, x, None);
    }
}

fn cell(x: f32, width: f32, size: f32, text: String, style: Style, right: bool) -> Cell {
    Cell {
        x,
        width,
        size,
        spans: vec![span(text, style)],
        right,
    }
}

fn heading_cells(texts: &[(&str, f32, f32, bool)], size: f32) -> Vec<Cell> {
    texts
        .iter()
        .map(|&(t, x, width, right)| cell(x, width, size, t.to_string(), Style::Bold, right))
        .collect()
}

/// The QR code at the left with its quiet zone, the caption beside it.
fn qr_block(p: &mut Layout<'_>, width: usize, dark: &[bool], caption: &str) {
    let n = width + 2 * QR_QUIET;
    let side = (n as f32 * mm(QR_MODULE_MM)).clamp(mm(QR_MIN_MM), mm(QR_MAX_MM));
    let module = side / n as f32;
    p.gap(mm(2.0));
    p.ensure(side);
    let (x0, y0) = (left(), p.y);
    // One rectangle per run of dark modules in a row.
    let mut rects = Vec::new();
    for (row, cells) in dark.chunks(width).enumerate() {
        let mut col = 0;
        while col < width {
            if !cells[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < width && cells[col] {
                col += 1;
            }
            rects.push([
                x0 + (QR_QUIET + start) as f32 * module,
                y0 + (QR_QUIET + row) as f32 * module,
                (col - start) as f32 * module,
                module,
            ]);
        }
    }
    p.fill(rects);
    // The caption beside the symbol, level with its top edge.
    p.y = y0 + QR_QUIET as f32 * module;
    p.paragraph(
        &[span(caption, Style::Regular)],
        SMALL,
        x0 + side + mm(4.0),
        None,
    );
    p.y = p.y.max(y0 + side);
}

/// Lays the certificate out on pages.
fn lay_out<'a>(
    c: &Certificate,
    faces: &'a Faces,
    qr: (usize, Vec<bool>),
) -> Result<Layout<'a>, ExportError> {
    let l = labels::labels(c.lang);
    let k = &l.cert;
    let mut p = Layout::new(faces);
    let none = || l.none.to_string();
    let or_none = |s: &str| {
        Some(clean(s))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(none)
    };

    centred(&mut p, &[span(k.title, Style::Bold)], TITLE);
    p.gap(mm(1.0));
    centred(&mut p, &[span(k.subtitle, Style::Grey)], SMALL);
    p.gap(mm(4.0));
    for (label, value) in [
        (l.court, clean(&c.court_name)),
        (l.origin, clean(&c.log_origin)),
        (l.case_number, clean(&c.case_number)),
        (k.hearing_id, clean(&c.hearing)),
        (l.judge, or_none(&c.judge)),
        (k.hearing_date, format_date(c.lang, parse_date(&c.date)?)),
        (k.span, or_none(&c.span)),
        (k.created, or_none(&c.created)),
    ] {
        p.field(label, &value);
    }

    // The streams: a table of five columns.
    p.heading(k.streams);
    if c.streams.is_empty() {
        p.paragraph(&[span(l.none, Style::Regular)], BODY, left(), None);
    } else {
        let widths = [46.0, 30.0, 26.0, 34.0, 34.0];
        let mut xs = [left(); 5];
        for i in 1..5 {
            xs[i] = xs[i - 1] + mm(widths[i - 1]);
        }
        let w = |i: usize| mm(widths[i] - 3.0);
        let header = heading_cells(
            &[
                (k.stream, xs[0], w(0), false),
                (k.kind, xs[1], w(1), false),
                (k.segments, xs[2], w(2), true),
                (k.from, xs[3], w(3), false),
                (k.to, xs[4], w(4), false),
            ],
            SMALL,
        );
        p.row(&header, SMALL);
        p.continued = Some(vec![span(
            format!("{} {}", k.streams, l.continued),
            Style::Bold,
        )]);
        p.header = Some((header, SMALL));
        for s in &c.streams {
            let cell = |i: usize, text: String, right: bool| {
                cell(xs[i], w(i), SMALL, text, Style::Regular, right)
            };
            p.row(
                &[
                    cell(0, clean(&s.id), false),
                    cell(1, kind_name(&s.kind, l), false),
                    cell(2, grouped(s.segments, c.lang), true),
                    cell(3, clean(&s.from), false),
                    cell(4, clean(&s.to), false),
                ],
                SMALL,
            );
        }
        p.continued = None;
        p.header = None;
    }

    // The checkpoint, the key, and the QR code of the signed note.
    p.heading(l.checkpoint);
    p.field(l.tree_size, &grouped(c.checkpoint_size, c.lang));
    p.field(k.root_hash, &c.checkpoint_root_hex.to_ascii_lowercase());
    p.field(k.entries, &or_none(&c.entries));
    p.field(k.key_name, &or_none(&c.key_name));
    p.field(k.key, &or_none(&c.key_text));
    p.paragraph(
        &[span(format!("{}:", k.note), Style::Bold)],
        BODY,
        left(),
        None,
    );
    p.gap(mm(1.0));
    for line in c.checkpoint_text.trim_end().lines() {
        let line = clean(line);
        if line.is_empty() {
            p.gap(NOTE * LEADING);
        } else {
            p.paragraph(&[span(line, Style::Regular)], NOTE, left() + mm(4.0), None);
        }
    }
    qr_block(&mut p, qr.0, &qr.1, k.qr_caption);

    // The files: path, size, SHA-256.
    p.heading(k.files);
    let total: u64 = c.files.iter().map(|f| f.bytes).fold(0, u64::saturating_add);
    let summary = k
        .files_total
        .replace("{n}", &grouped(c.files.len() as u64, c.lang))
        .replace("{b}", &grouped(total, c.lang));
    p.paragraph(&[span(summary, Style::Regular)], BODY, left(), None);
    p.gap(mm(1.0));
    let hash_w = "0123456789abcdef"
        .chars()
        .map(|d| faces.width(&span(d.to_string(), Style::Regular), HASH))
        .fold(0.0, f32::max)
        * 64.0
        + 1.0;
    // The sizes as wide as the widest, the paths in what is left.
    let sizes: Vec<String> = c.files.iter().map(|f| grouped(f.bytes, c.lang)).collect();
    let size_w = sizes
        .iter()
        .map(|s| faces.width(&span(s.as_str(), Style::Regular), TABLE))
        .fold(faces.width(&span("0000", Style::Regular), TABLE), f32::max);
    let hash_x = right() - hash_w;
    let size_x = hash_x - mm(2.5) - size_w;
    let path_w = size_x - mm(2.5) - left();
    if c.files.is_empty() {
        p.paragraph(&[span(l.none, Style::Regular)], BODY, left(), None);
    } else {
        let header = heading_cells(
            &[
                (k.file, left(), path_w, false),
                // The heading may reach into the paths' column.
                (k.size, size_x - mm(12.0), size_w + mm(12.0), true),
                ("SHA-256", hash_x, hash_w, false),
            ],
            TABLE,
        );
        p.row(&header, TABLE);
        p.continued = Some(vec![span(
            format!("{} {}", k.files, l.continued),
            Style::Bold,
        )]);
        p.header = Some((header, TABLE));
        for (f, size) in c.files.iter().zip(sizes) {
            let path = path_lines(faces, &clean(&f.path), TABLE, path_w);
            let hash = f.sha256.to_ascii_lowercase();
            p.row(
                &[
                    cell(left(), path_w, TABLE, path, Style::Regular, false),
                    cell(size_x, size_w, TABLE, size, Style::Regular, true),
                    // The hash smaller, on the path's first line.
                    cell(hash_x, hash_w, HASH, hash, Style::Regular, false),
                ],
                TABLE,
            );
        }
        p.continued = None;
        p.header = None;
    }

    // Files outside the proof.
    p.heading(k.derived);
    p.paragraph(&[span(k.derived_note, Style::Grey)], SMALL, left(), None);
    p.gap(mm(1.0));
    if c.derived.is_empty() {
        p.paragraph(&[span(l.none, Style::Regular)], BODY, left(), None);
    } else {
        p.continued = Some(vec![span(
            format!("{} {}", k.derived, l.continued),
            Style::Bold,
        )]);
        let width = right() - left();
        for d in &c.derived {
            let path = path_lines(faces, &clean(d), TABLE, width);
            p.paragraph(&[span(path, Style::Regular)], TABLE, left(), None);
        }
        p.continued = None;
    }

    // How to verify.
    p.heading(k.how_to_verify);
    let (before, after) = k
        .verify_text
        .split_once("{cmd}")
        .unwrap_or((k.verify_text, ""));
    p.paragraph(
        &[
            span(before, Style::Regular),
            span(k.verify_cmd, Style::Bold),
            span(after, Style::Regular),
        ],
        BODY,
        left(),
        None,
    );
    Ok(p)
}

/// The certificate of an evidence bundle as PDF (A4): the hearing, the recorded streams, the
/// signed checkpoint (as text and as a QR code), the verifier key, every file the proof
/// covers with its size and SHA-256, the derived files, and how to verify the bundle; "page
/// N of M" and the case number in every footer. DejaVu Sans is read from
/// [`DEFAULT_FONT_DIR`].
///
/// An error names what is wrong: an empty court, origin, hearing or case number, a bad date
/// or hash, or a QR payload too long for a QR code.
pub fn certificate_pdf(c: &Certificate) -> Result<Vec<u8>, ExportError> {
    certificate_pdf_with_fonts(c, Path::new(DEFAULT_FONT_DIR))
}

fn certificate_pdf_with_fonts(c: &Certificate, font_dir: &Path) -> Result<Vec<u8>, ExportError> {
    c.check()?;
    let code = qr(&c.qr_payload)?;
    let faces = Faces::load(font_dir)?;
    let layout = lay_out(c, &faces, code)?;
    let l = labels::labels(c.lang);
    let case = l.case_footer(&clean(&c.case_number));
    let root = c.checkpoint_root_hex.to_ascii_lowercase();
    render(
        layout,
        &Meta {
            title: format!("{} — {case}", l.cert.footer),
            author: clean(&c.court_name),
            subject: format!("{case}, {}", clean(&c.hearing)),
            created_unix_s: created_unix_s(c),
            footer: format!("{case} — {}", l.cert.footer),
            labels: l,
            id: [
                format!(
                    "verbatim bundle {} {}",
                    clean(&c.log_origin),
                    clean(&c.hearing)
                ),
                format!(
                    "{} {root} {} {}",
                    c.checkpoint_size,
                    clean(&c.span),
                    c.lang.code()
                ),
            ],
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_dates_read() {
        assert_eq!(grouped(0, UiLang::En), "0");
        assert_eq!(grouped(999, UiLang::Ru), "999");
        assert_eq!(grouped(1_234_567, UiLang::En), "1,234,567");
        assert_eq!(grouped(1_000, UiLang::Kk), "1\u{A0}000");
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        let mut c = Certificate {
            date: "2026-03-12".into(),
            created: "2026-03-13 09:30:05 UTC".into(),
            ..Default::default()
        };
        assert_eq!(created_unix_s(&c), 1_773_394_205);
        c.created = "2026-03-13T09:30Z".into();
        assert_eq!(created_unix_s(&c), 1_773_394_200);
        c.created = "вчера".into();
        assert_eq!(created_unix_s(&c), 1_773_273_600);
    }

    #[test]
    fn a_missing_font_is_named() {
        let c = Certificate {
            court_name: "c".into(),
            log_origin: "o".into(),
            hearing: "h".into(),
            case_number: "1".into(),
            date: "2026-03-12".into(),
            checkpoint_root_hex: "a".repeat(64),
            qr_payload: "o\n1\n".into(),
            ..Default::default()
        };
        let e = certificate_pdf_with_fonts(&c, Path::new("/nonexistent/fonts"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("/nonexistent/fonts") && e.contains("fonts-dejavu-core"),
            "{e}"
        );
        assert!(certificate_pdf(&c).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn the_qr_code_grows_with_its_payload_and_has_a_limit() {
        let (w, dark) = qr("hello").unwrap();
        assert_eq!(w, 21);
        assert_eq!(dark.len(), 21 * 21);
        // A finder pattern's corner.
        assert!(dark[0] && dark[6] && !dark[7]);
        let (w, _) = qr(&"x".repeat(300)).unwrap();
        assert!(w > 21 && w < 100, "{w}");
        let e = qr(&"x".repeat(3000)).unwrap_err().to_string();
        assert!(e.contains("3000 bytes") && e.contains("too long"), "{e}");
    }
}
