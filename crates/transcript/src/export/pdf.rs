//! PDF: A4 pages laid out here (words wrapped by the fonts' measured advance widths), drawn
//! with printpdf in DejaVu Sans, which has every Kazakh and Russian letter.
//!
//! printpdf without its HTML layout feature embeds whole fonts (about 390 KB compressed per
//! face), so the fonts are subset here with allsorts (printpdf's own font library) to the
//! glyphs the document uses: a transcript's PDF then carries some 20-40 KB of fonts.
//!
//! The layout (`Layout`: wrapped paragraphs, table rows, filled rectangles) and the drawing
//! (`render`: footers, font subsets, the file) also serve the evidence bundle certificate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rgb, TextItem,
    WindingOrder,
};

use super::labels::Labels;
use super::{Document, ExportContext, ExportError};
use crate::Transcript;

const REGULAR_FILE: &str = "DejaVuSans.ttf";
const BOLD_FILE: &str = "DejaVuSans-Bold.ttf";

pub(super) fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

// A4 in points; y below counts from the top of the page.
const PAGE_W_MM: f32 = 210.0;
const PAGE_H_MM: f32 = 297.0;
fn page_w() -> f32 {
    mm(PAGE_W_MM)
}
fn page_h() -> f32 {
    mm(PAGE_H_MM)
}
pub(super) fn left() -> f32 {
    mm(25.0)
}
pub(super) fn right() -> f32 {
    page_w() - mm(15.0)
}
fn top() -> f32 {
    mm(20.0)
}
/// The last text line ends above this; the footer lives below.
fn bottom() -> f32 {
    page_h() - mm(22.0)
}

pub(super) const BODY: f32 = 10.0;
pub(super) const SMALL: f32 = 8.5;
const HEADING: f32 = 11.5;
pub(super) const TITLE: f32 = 14.0;
pub(super) const LEADING: f32 = 1.35;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    Regular,
    Bold,
    /// Regular, grey: times and notes.
    Grey,
    /// Bold, dark red: NOT CERTIFIED.
    Alert,
}

impl Style {
    fn bold(self) -> bool {
        matches!(self, Style::Bold | Style::Alert)
    }

    fn color(self) -> Color {
        let (r, g, b) = match self {
            Style::Regular | Style::Bold => (0.0, 0.0, 0.0),
            Style::Grey => (0.35, 0.35, 0.35),
            Style::Alert => (0.7, 0.0, 0.0),
        };
        Color::Rgb(Rgb {
            r,
            g,
            b,
            icc_profile: None,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Span {
    pub text: String,
    pub style: Style,
}

pub(super) fn span(text: impl Into<String>, style: Style) -> Span {
    Span {
        text: text.into(),
        style,
    }
}

/// A font face: its bytes, and its character map and advance widths for measuring.
struct Face {
    bytes: Vec<u8>,
    font: ParsedFont,
}

impl Face {
    fn load(dir: &Path, file: &str) -> Result<Face, ExportError> {
        let path = dir.join(file);
        let bytes = std::fs::read(&path).map_err(|e| ExportError::Font {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let font = ParsedFont::from_bytes(&bytes, 0, &mut Vec::new()).ok_or_else(|| {
            ExportError::Font {
                path: path.clone(),
                reason: "not a TrueType font that can be read".into(),
            }
        })?;
        if font.codepoint_to_glyph.is_empty() || font.units_per_em == 0 {
            return Err(ExportError::Font {
                path,
                reason: "the font has no Unicode character map".into(),
            });
        }
        Ok(Face { bytes, font })
    }

    fn glyph(&self, c: char) -> Option<u16> {
        self.font
            .codepoint_to_glyph
            .get(&(c as u32))
            .copied()
            .filter(|g| *g != 0)
    }

    fn width(&self, s: &str, size: f32) -> f32 {
        let units: u32 = s
            .chars()
            .map(|c| {
                self.glyph(c)
                    .and_then(|g| self.font.glyph_widths.get(&g))
                    .copied()
                    .unwrap_or(0) as u32
            })
            .sum();
        units as f32 * size / self.font.units_per_em as f32
    }

    /// The font subset to the glyphs of `chars` (glyph 0 first, as a font needs).
    fn subset(&self, chars: &BTreeSet<char>) -> Result<ParsedFont, ExportError> {
        use allsorts::binary::read::ReadScope;
        use allsorts::font_data::FontData;
        use allsorts::subset::{subset, CmapTarget, SubsetProfile};
        use allsorts::tag;
        let err = |e: String| ExportError::Pdf(format!("subsetting the font: {e}"));
        let glyphs: BTreeSet<u16> = chars.iter().filter_map(|c| self.glyph(*c)).collect();
        let ids: Vec<u16> = std::iter::once(0).chain(glyphs).collect();
        let data = ReadScope::new(&self.bytes)
            .read::<FontData<'_>>()
            .map_err(|e| err(e.to_string()))?;
        let provider = data.table_provider(0).map_err(|e| err(e.to_string()))?;
        // What a PDF needs to draw TrueType glyphs, without the name table (license text).
        let profile = SubsetProfile::Custom(vec![
            tag::CMAP,
            tag::HEAD,
            tag::CVT,
            tag::FPGM,
            tag::HHEA,
            tag::HMTX,
            tag::MAXP,
            tag::OS_2,
            tag::POST,
            tag::PREP,
        ]);
        let bytes = subset(&provider, &ids, &profile, CmapTarget::Unicode)
            .map_err(|e| err(e.to_string()))?;
        ParsedFont::from_bytes(&bytes, 0, &mut Vec::new())
            .ok_or_else(|| err("the subset font does not parse".into()))
    }
}

pub(super) struct Faces {
    regular: Face,
    /// `None` when the directory has no bold face: bold text is then set in the regular one.
    bold: Option<Face>,
}

impl Faces {
    pub(super) fn load(dir: &Path) -> Result<Faces, ExportError> {
        if !dir.is_dir() {
            return Err(ExportError::Font {
                path: dir.to_path_buf(),
                reason: "the font directory does not exist".into(),
            });
        }
        let regular = Face::load(dir, REGULAR_FILE)?;
        let bold = if dir.join(BOLD_FILE).exists() {
            Some(Face::load(dir, BOLD_FILE)?)
        } else {
            None
        };
        Ok(Faces { regular, bold })
    }

    fn face(&self, style: Style) -> &Face {
        match (&self.bold, style.bold()) {
            (Some(b), true) => b,
            _ => &self.regular,
        }
    }

    pub(super) fn width(&self, s: &Span, size: f32) -> f32 {
        self.face(s.style).width(&s.text, size)
    }

    /// The text with every character the face lacks replaced by "?" (it would be a blank box
    /// that copies as nothing).
    fn printable(&self, s: &str, style: Style) -> String {
        let f = self.face(style);
        s.chars()
            .map(|c| {
                if c == ' ' || f.glyph(c).is_some() {
                    c
                } else {
                    '?'
                }
            })
            .collect()
    }
}

/// A line of text placed on a page: `y` is its baseline, from the top.
#[derive(Debug)]
struct Placed {
    x: f32,
    y: f32,
    size: f32,
    spans: Vec<Span>,
}

#[derive(Debug)]
enum Mark {
    Text(Placed),
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
    /// Black rectangles filled as one path: `[x, y, width, height]`, `y` the top edge, from
    /// the top of the page.
    Fill(Vec<[f32; 4]>),
}

/// A cell of a table row: its text at `size`, wrapped to `width` at `x`, flush right when
/// `right`.
#[derive(Clone, Debug)]
pub(super) struct Cell {
    pub x: f32,
    pub width: f32,
    pub size: f32,
    pub spans: Vec<Span>,
    pub right: bool,
}

pub(super) struct Layout<'a> {
    pub faces: &'a Faces,
    pages: Vec<Vec<Mark>>,
    /// The top of the next line, from the top of the page.
    pub y: f32,
    /// Repeated at the top of a page that continues a speaker's paragraph (or a table).
    pub continued: Option<Vec<Span>>,
    /// A table's header row, repeated at the top of a page that continues the table (under
    /// `continued`).
    pub header: Option<(Vec<Cell>, f32)>,
}

impl<'a> Layout<'a> {
    pub(super) fn new(faces: &'a Faces) -> Self {
        Layout {
            faces,
            pages: vec![Vec::new()],
            y: top(),
            continued: None,
            header: None,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = top();
        if let Some(spans) = self.continued.clone() {
            self.line(left(), BODY, spans);
        }
        if let Some((cells, size)) = self.header.take() {
            self.row(&cells, size);
            self.header = Some((cells, size));
        }
    }

    /// Starts a new page unless `h` more points fit on this one.
    pub(super) fn ensure(&mut self, h: f32) {
        if self.y + h > bottom() && self.y > top() {
            self.new_page();
        }
    }

    pub(super) fn gap(&mut self, h: f32) {
        self.y += h;
    }

    fn rule(&mut self) {
        self.ensure(mm(4.0));
        let y = self.y + mm(1.5);
        self.pages.last_mut().expect("a page").push(Mark::Rule {
            x1: left(),
            x2: right(),
            y,
        });
        self.y += mm(3.0);
    }

    /// One line at `x`, `spans` already fitting.
    fn line(&mut self, x: f32, size: f32, spans: Vec<Span>) {
        let lead = size * LEADING;
        self.ensure(lead);
        let y = self.y + size;
        self.y += lead;
        self.pages
            .last_mut()
            .expect("a page")
            .push(Mark::Text(Placed { x, y, size, spans }));
    }

    /// Wraps `spans` to lines at most `width` wide, breaking between words, and inside a word
    /// only when it is wider than a line.
    pub(super) fn wrap(&self, spans: &[Span], size: f32, width: f32) -> Vec<Vec<Span>> {
        let mut lines: Vec<Vec<Span>> = vec![Vec::new()];
        let mut used = 0.0;
        let push =
            |lines: &mut Vec<Vec<Span>>, used: &mut f32, word: String, style: Style, w: f32| {
                let line = lines.last_mut().expect("a line");
                let space = if line.is_empty() {
                    0.0
                } else {
                    self.faces.width(&span(" ", style), size)
                };
                if !line.is_empty() && *used + space + w > width {
                    lines.push(vec![span(word, style)]);
                    *used = w;
                    return;
                }
                let text = if line.is_empty() {
                    word
                } else {
                    format!(" {word}")
                };
                match line.last_mut() {
                    Some(last) if last.style == style => last.text.push_str(&text),
                    _ => line.push(span(text, style)),
                }
                *used += space + w;
            };
        for s in spans {
            for word in s.text.split(' ').filter(|w| !w.is_empty()) {
                let word = self.faces.printable(word, s.style);
                let w = self.faces.width(&span(word.as_str(), s.style), size);
                if w <= width {
                    push(&mut lines, &mut used, word, s.style, w);
                    continue;
                }
                // Wider than a line: as many characters as fit, on lines of their own.
                let mut piece = String::new();
                for c in word.chars() {
                    let mut next = piece.clone();
                    next.push(c);
                    if !piece.is_empty()
                        && self.faces.width(&span(next.as_str(), s.style), size) > width
                    {
                        let pw = self.faces.width(&span(piece.as_str(), s.style), size);
                        push(
                            &mut lines,
                            &mut used,
                            std::mem::take(&mut piece),
                            s.style,
                            pw,
                        );
                        lines.push(Vec::new());
                        used = 0.0;
                        piece.push(c);
                    } else {
                        piece = next;
                    }
                }
                let pw = self.faces.width(&span(piece.as_str(), s.style), size);
                push(&mut lines, &mut used, piece, s.style, pw);
            }
        }
        lines.retain(|l| !l.is_empty());
        lines
    }

    /// A wrapped paragraph at `x`; with a `gutter`, that span goes on the first line at
    /// `gutter_x`. A page break inside it leaves at least two of its lines on each page (no
    /// orphan, no widow).
    pub(super) fn paragraph(
        &mut self,
        spans: &[Span],
        size: f32,
        x: f32,
        gutter: Option<(f32, Span)>,
    ) {
        let lines = self.wrap(spans, size, right() - x);
        let n = lines.len();
        let lead = size * LEADING;
        let room = ((bottom() - self.y) / lead - 1e-3).floor().max(0.0) as usize;
        let brk = match n {
            _ if n <= room || self.y <= top() => None,
            _ if room < 2 => Some(0),
            _ => Some(if n - room < 2 { n - 2 } else { room }).map(|b| if b < 2 { 0 } else { b }),
        };
        for (i, l) in lines.into_iter().enumerate() {
            if brk == Some(i) && self.y > top() {
                self.new_page();
            }
            self.ensure(lead);
            if let (0, Some((gx, g))) = (i, &gutter) {
                let text = self.faces.printable(&g.text, g.style);
                let placed = Placed {
                    x: *gx,
                    y: self.y + size,
                    size,
                    spans: vec![span(text, g.style)],
                };
                self.pages
                    .last_mut()
                    .expect("a page")
                    .push(Mark::Text(placed));
            }
            self.line(x, size, l);
        }
    }

    /// A table row of lines `size` apart, their baselines shared by the cells: each cell
    /// wrapped in its column, the row kept on one page (unless it is taller than a page, when
    /// its lines go on over the break).
    pub(super) fn row(&mut self, cells: &[Cell], size: f32) {
        let lead = size * LEADING;
        let wrapped: Vec<Vec<Vec<Span>>> = cells
            .iter()
            .map(|c| self.wrap(&c.spans, c.size, c.width))
            .collect();
        let n = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        self.ensure(n as f32 * lead);
        for i in 0..n {
            self.ensure(lead);
            let y = self.y + size;
            for (c, lines) in cells.iter().zip(&wrapped) {
                let Some(l) = lines.get(i) else { continue };
                let x = if c.right {
                    let w: f32 = l.iter().map(|s| self.faces.width(s, c.size)).sum();
                    c.x + c.width - w
                } else {
                    c.x
                };
                let placed = Placed {
                    x,
                    y,
                    size: c.size,
                    spans: l.clone(),
                };
                self.pages
                    .last_mut()
                    .expect("a page")
                    .push(Mark::Text(placed));
            }
            self.y += lead;
        }
    }

    /// Black rectangles, `[x, y, width, height]` with `y` from the top of the page, on this
    /// page as they are (the caller makes room for them).
    pub(super) fn fill(&mut self, rects: Vec<[f32; 4]>) {
        self.pages
            .last_mut()
            .expect("a page")
            .push(Mark::Fill(rects));
    }

    pub(super) fn field(&mut self, label: &str, value: &str) {
        let spans = [
            span(format!("{label}:"), Style::Bold),
            span(value, Style::Regular),
        ];
        self.paragraph(&spans, BODY, left(), None);
    }

    pub(super) fn heading(&mut self, text: &str) {
        self.gap(mm(3.0));
        // A heading is kept with two lines under it.
        self.ensure(HEADING * LEADING + 2.0 * BODY * LEADING);
        self.paragraph(&[span(text, Style::Bold)], HEADING, left(), None);
        self.gap(mm(1.0));
    }
}

/// Lays the document out on pages.
fn lay_out<'a>(d: &Document, faces: &'a Faces) -> Layout<'a> {
    let l = d.l;
    let mut p = Layout::new(faces);
    let title = span(faces.printable(l.title, Style::Bold), Style::Bold);
    let tw = faces.width(&title, TITLE);
    let tx = if tw < right() - left() {
        (left() + right() - tw) / 2.0
    } else {
        left()
    };
    p.paragraph(&[title], TITLE, tx, None);
    p.gap(mm(3.0));
    for (k, v) in &d.fields {
        p.field(k, v);
    }
    if d.participants.is_empty() {
        p.field(l.participants, l.none);
    } else {
        p.paragraph(
            &[span(format!("{}:", l.participants), Style::Bold)],
            BODY,
            left(),
            None,
        );
        for (r, n) in &d.participants {
            p.paragraph(
                &[span(format!("{r}: {n}"), Style::Regular)],
                BODY,
                left() + mm(6.0),
                None,
            );
        }
    }
    p.field(l.revision, &d.revision);

    p.heading(l.transcript);
    p.paragraph(&[span(l.times_note, Style::Grey)], SMALL, left(), None);
    if d.paragraphs.is_empty() {
        p.gap(mm(2.0));
        p.paragraph(&[span(l.no_speech, Style::Regular)], BODY, left(), None);
    }
    // Times in a column of their own, wide enough for ten hours and more.
    let time_x = left() + mm(2.0);
    let text_x = time_x + faces.width(&span("00:00:00", Style::Grey), BODY) + mm(3.0);
    for para in &d.paragraphs {
        p.gap(mm(2.0));
        // The speaker's label is kept with the first lines of what they said.
        p.ensure(3.0 * BODY * LEADING);
        p.paragraph(&[span(&para.speaker, Style::Bold)], BODY, left(), None);
        let label = faces.printable(&para.speaker, Style::Bold);
        let cont = faces.printable(l.continued, Style::Grey);
        p.continued = Some(vec![
            span(label, Style::Bold),
            span(format!(" {cont}"), Style::Grey),
        ]);
        for s in &para.said {
            let mut spans = Vec::new();
            if let Some(m) = s.lang_mark {
                spans.push(span(m, Style::Grey));
            }
            spans.push(span(&s.text, Style::Regular));
            let time = span(&s.time, Style::Grey);
            p.paragraph(&spans, BODY, text_x, Some((time_x, time)));
        }
        p.continued = None;
    }

    p.gap(mm(4.0));
    p.rule();
    p.heading(l.certification);
    let status = if d.certified {
        Style::Bold
    } else {
        Style::Alert
    };
    p.paragraph(&[span(d.status(), status)], BODY, left(), None);
    for (k, v) in &d.certification {
        p.field(k, v);
    }
    p.heading(l.checkpoint);
    for (k, v) in &d.checkpoint {
        if *k == l.checkpoint {
            p.paragraph(&[span(v, Style::Regular)], BODY, left(), None);
        } else {
            p.field(k, v);
        }
    }
    p
}

fn pt_point(x: f32, y_from_top: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(page_h() - y_from_top),
    }
}

/// The transcript as PDF: A4, a title block, speaker-labelled paragraphs with times, the
/// certification and log checkpoint, "page N of M" and the case number in every footer.
/// DejaVu Sans (regular and, if present, bold) is read from `ctx.font_dir`.
pub fn to_pdf(t: &Transcript, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let d = Document::build(t, ctx)?;
    let faces = Faces::load(&ctx.font_dir)?;
    let layout = lay_out(&d, &faces);
    // The file ID names the revision, so one revision and context give one file, byte for
    // byte.
    let id = format!("verbatim {}/{} r{}", t.court, t.hearing, t.revision);
    let instance = format!(
        "{id} {} {}",
        ctx.lang.code(),
        if d.certified { "certified" } else { "draft" }
    );
    render(
        layout,
        &Meta {
            title: d.title_line.clone(),
            author: super::clean(&ctx.court_name),
            subject: d.case_footer.clone(),
            created_unix_s: (t.created_unix_ms / 1000) as i64,
            footer: d.case_footer.clone(),
            labels: d.l,
            id: [id, instance],
        },
    )
}

/// What a PDF says about itself besides its pages.
pub(super) struct Meta {
    /// The document's title (metadata).
    pub title: String,
    pub author: String,
    pub subject: String,
    /// Its creation and modification dates (metadata).
    pub created_unix_s: i64,
    /// On the left of every page's footer ("page N of M" is on the right).
    pub footer: String,
    pub labels: &'static Labels,
    /// The file identifier: the document's permanent ID and this instance's.
    pub id: [String; 2],
}

/// Draws laid-out pages as a PDF: adds the footers, subsets the fonts to what is drawn and
/// writes the file.
pub(super) fn render(mut layout: Layout<'_>, meta: &Meta) -> Result<Vec<u8>, ExportError> {
    let faces = layout.faces;
    // Footers, now that the number of pages is known.
    let total = layout.pages.len();
    let footer_y = page_h() - mm(12.0);
    let case = span(faces.printable(&meta.footer, Style::Grey), Style::Grey);
    for (i, page) in layout.pages.iter_mut().enumerate() {
        let n = span(
            faces.printable(&meta.labels.page_of(i + 1, total), Style::Grey),
            Style::Grey,
        );
        let nx = right() - faces.width(&n, SMALL);
        page.push(Mark::Rule {
            x1: left(),
            x2: right(),
            y: footer_y - SMALL - mm(1.5),
        });
        page.push(Mark::Text(Placed {
            x: left(),
            y: footer_y,
            size: SMALL,
            spans: vec![case.clone()],
        }));
        page.push(Mark::Text(Placed {
            x: nx,
            y: footer_y,
            size: SMALL,
            spans: vec![n],
        }));
    }

    // The fonts, subset to what is drawn.
    let mut used: [BTreeSet<char>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for m in layout.pages.iter().flatten() {
        if let Mark::Text(p) = m {
            for s in &p.spans {
                let bold = s.style.bold() && faces.bold.is_some();
                used[bold as usize].extend(s.text.chars());
            }
        }
    }
    let mut doc = PdfDocument::new(&meta.title);
    doc.metadata.info.author = meta.author.clone();
    doc.metadata.info.creator = "verbatim".into();
    doc.metadata.info.producer = "verbatim (printpdf)".into();
    doc.metadata.info.subject = meta.subject.clone();
    if let Ok(created) = printpdf::OffsetDateTime::from_unix_timestamp(meta.created_unix_s) {
        doc.metadata.info.creation_date = created;
        doc.metadata.info.modification_date = created;
        doc.metadata.info.metadata_date = created;
    }
    // Fixed resource names (printpdf would draw random ones), with the subset tag.
    let mut ids: BTreeMap<bool, FontId> = BTreeMap::new();
    let regular = FontId("VRBTMA+DejaVuSans".into());
    let subset = faces.regular.subset(&used[0])?;
    doc.resources
        .fonts
        .map
        .insert(regular.clone(), PdfFont::new(subset));
    ids.insert(false, regular);
    if let Some(b) = &faces.bold {
        let bold = FontId("VRBTMB+DejaVuSans-Bold".into());
        let subset = b.subset(&used[1])?;
        doc.resources
            .fonts
            .map
            .insert(bold.clone(), PdfFont::new(subset));
        ids.insert(true, bold);
    }
    let font_of = |style: Style| ids[&(style.bold() && faces.bold.is_some())].clone();

    let mut pages = Vec::with_capacity(total);
    for marks in &layout.pages {
        let mut ops = Vec::new();
        for m in marks {
            match m {
                Mark::Text(p) => {
                    ops.push(Op::StartTextSection);
                    ops.push(Op::SetTextCursor {
                        pos: pt_point(p.x, p.y),
                    });
                    for s in &p.spans {
                        ops.push(Op::SetFont {
                            font: PdfFontHandle::External(font_of(s.style)),
                            size: Pt(p.size),
                        });
                        ops.push(Op::SetFillColor {
                            col: s.style.color(),
                        });
                        ops.push(Op::ShowText {
                            items: vec![TextItem::Text(s.text.clone())],
                        });
                    }
                    ops.push(Op::EndTextSection);
                }
                Mark::Rule { x1, x2, y } => {
                    ops.push(Op::SetOutlineColor {
                        col: Style::Grey.color(),
                    });
                    ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
                    let points = [*x1, *x2]
                        .into_iter()
                        .map(|x| LinePoint {
                            p: pt_point(x, *y),
                            bezier: false,
                        })
                        .collect();
                    ops.push(Op::DrawLine {
                        line: Line {
                            points,
                            is_closed: false,
                        },
                    });
                }
                Mark::Fill(rects) => {
                    ops.push(Op::SetFillColor {
                        col: Style::Regular.color(),
                    });
                    // One path of all the rectangles (each drawn the same way round), so that
                    // touching ones fill as one shape, without seams.
                    let rings = rects
                        .iter()
                        .map(|&[x, y, w, h]| PolygonRing {
                            points: [(x, y + h), (x + w, y + h), (x + w, y), (x, y)]
                                .into_iter()
                                .map(|(x, y)| LinePoint {
                                    p: pt_point(x, y),
                                    bezier: false,
                                })
                                .collect(),
                        })
                        .collect();
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings,
                            mode: PaintMode::Fill,
                            winding_order: WindingOrder::NonZero,
                        },
                    });
                }
            }
        }
        pages.push(PdfPage::new(Mm(PAGE_W_MM), Mm(PAGE_H_MM), ops));
    }
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut pdf = doc
        .with_pages(pages)
        .to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        return Err(ExportError::Pdf(w.msg.clone()));
    }
    // printpdf writes an empty PDF/X version (which readers take for a PDF/X claim) and a
    // random file ID (replaced by the caller's, so that one input gives one file).
    let info = pdf.trailer.get(b"Info").and_then(|o| o.as_reference());
    if let Ok(dict) = info
        .and_then(|id| pdf.get_object_mut(id))
        .and_then(|o| o.as_dict_mut())
    {
        for key in [
            &b"GTS_PDFXVersion"[..],
            b"Identifier",
            b"Keywords",
            b"Trapped",
        ] {
            dict.remove(key);
        }
    }
    let hex = |s: &String| {
        lopdf::Object::String(s.clone().into_bytes(), lopdf::StringFormat::Hexadecimal)
    };
    pdf.trailer.set(
        "ID",
        lopdf::Object::Array(meta.id.iter().map(hex).collect()),
    );
    pdf.compress();
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes)
        .map_err(|e| ExportError::Pdf(e.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faces() -> Faces {
        Faces::load(Path::new(super::super::DEFAULT_FONT_DIR))
            .expect("fonts-dejavu-core is installed")
    }

    #[test]
    fn words_wrap_by_measured_width_and_long_words_are_cut() {
        let f = faces();
        let p = Layout::new(&f);
        let text = "Сот отырысы ашық деп жарияланады және іс қаралады ".repeat(10);
        let width = 200.0;
        let lines = p.wrap(
            &[
                span("Судья:", Style::Bold),
                span(text.as_str(), Style::Regular),
            ],
            BODY,
            width,
        );
        assert!(lines.len() > 5);
        let mut words = Vec::new();
        for l in &lines {
            let w: f32 = l.iter().map(|s| f.width(s, BODY)).sum();
            assert!(w <= width + 0.01, "{l:?} is {w} wide");
            words.extend(l.iter().flat_map(|s| {
                s.text
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
            }));
        }
        assert_eq!(lines[0][0], span("Судья:", Style::Bold));
        assert_eq!(words[1..].join(" "), text.trim_end());
        let long = "ә".repeat(200);
        let lines = p.wrap(&[span(long.as_str(), Style::Regular)], BODY, width);
        assert!(lines.len() > 1 && lines.iter().all(|l| f.width(&l[0], BODY) <= width));
        assert_eq!(
            lines.iter().map(|l| l[0].text.as_str()).collect::<String>(),
            long
        );
    }

    #[test]
    fn kazakh_letters_have_their_own_glyphs() {
        // Text extraction maps each glyph back to one character: a Kazakh letter drawn with a
        // Latin letter's glyph would read back as the Latin one.
        let f = faces();
        let letters = "әғқңөұүһіӘҒҚҢӨҰҮҺІёЁабвАБВhiIabc0123456789";
        let mut glyphs = BTreeMap::new();
        for c in letters.chars() {
            let g = f
                .regular
                .glyph(c)
                .unwrap_or_else(|| panic!("no glyph for {c}"));
            assert_eq!(glyphs.insert(g, c), None, "{c} shares a glyph");
        }
        assert_eq!(f.printable("a\u{4E2D}b", Style::Regular), "a?b");
        let sub = f.regular.subset(&"әх ".chars().collect()).unwrap();
        let mapped: Vec<u32> = sub
            .codepoint_to_glyph
            .iter()
            .filter(|(_, g)| **g != 0)
            .map(|(c, _)| *c)
            .collect();
        assert_eq!(
            mapped,
            [' ' as u32, 'х' as u32, 'ә' as u32],
            "{:?}",
            sub.codepoint_to_glyph
        );
    }
}
