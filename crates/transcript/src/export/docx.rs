//! DOCX: the document as WordprocessingML, written here.
//!
//! A transcript needs six small parts (content types, two relationship files, the document,
//! its styles, a footer with page fields, core properties) and nothing docx-rs would add but
//! its dependencies (zip 8, quick-xml, typed-path). The zip is written here too: deflated
//! entries with a fixed date, so one revision and context always give the same bytes.

use std::io::Write;

use super::{labels::Labels, Document, ExportContext, ExportError, Said, UiLang};
use crate::{Lang, Transcript};

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Escapes text and attribute values (the text is already free of control characters).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A run of text; `props` is the inside of `<w:rPr>`.
fn run(text: &str, props: &str) -> String {
    let rpr = if props.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{props}</w:rPr>")
    };
    format!(
        "<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

/// A paragraph of style `style` (or Normal) holding `runs`.
fn para(style: &str, runs: &str) -> String {
    let ppr = if style.is_empty() {
        String::new()
    } else {
        format!("<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>")
    };
    format!("<w:p>{ppr}{runs}</w:p>\n")
}

fn field(label: &str, value: &str) -> String {
    para(
        "",
        &(run(&format!("{label}: "), "<w:b/>") + &run(value, "")),
    )
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Kk => "kk-KZ",
        Lang::Ru => "ru-RU",
    }
}

fn ui_lang_tag(lang: UiLang) -> &'static str {
    match lang {
        UiLang::Kk => "kk-KZ",
        UiLang::Ru => "ru-RU",
        UiLang::En => "en-GB",
    }
}

fn said(s: &Said) -> String {
    let mut runs = run(&s.time, "<w:rStyle w:val=\"Time\"/>");
    runs += "<w:r><w:tab/></w:r>";
    if let Some(mark) = s.lang_mark {
        runs += &run(&format!("{mark} "), "<w:i/>");
    }
    runs += &run(
        &s.text,
        &format!("<w:lang w:val=\"{}\"/>", lang_tag(s.lang)),
    );
    para("Utterance", &runs)
}

fn document_xml(d: &Document) -> String {
    let l: &Labels = d.l;
    let mut b = String::new();
    b += &para("Title", &run(l.title, ""));
    for (k, v) in &d.fields {
        b += &field(k, v);
    }
    if d.participants.is_empty() {
        b += &field(l.participants, l.none);
    } else {
        b += &para("", &run(&format!("{}:", l.participants), "<w:b/>"));
        for (r, n) in &d.participants {
            b += &para("Participant", &run(&format!("{r}: {n}"), ""));
        }
    }
    b += &field(l.revision, &d.revision);
    b += &para("Heading1", &run(l.transcript, ""));
    b += &para("Note", &run(l.times_note, ""));
    if d.paragraphs.is_empty() {
        b += &para("", &run(l.no_speech, ""));
    }
    for p in &d.paragraphs {
        b += &para("Speaker", &run(&p.speaker, ""));
        for s in &p.said {
            b += &said(s);
        }
    }
    b += &para("Heading1", &run(l.certification, ""));
    let status_props = if d.certified {
        "<w:b/>"
    } else {
        "<w:b/><w:color w:val=\"C00000\"/>"
    };
    b += &para("", &run(d.status(), status_props));
    for (k, v) in &d.certification {
        b += &field(k, v);
    }
    b += &para("Heading1", &run(l.checkpoint, ""));
    for (k, v) in &d.checkpoint {
        if *k == l.checkpoint {
            b += &para("", &run(v, ""));
        } else {
            b += &field(k, v);
        }
    }
    // A4, margins 25 mm left (binding), 15 mm right, 20 mm top and bottom.
    let sect = "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId2\"/>\
        <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
        <w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1418\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>\
        </w:sectPr>";
    format!("{XML_DECL}<w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:body>\n{b}{sect}</w:body></w:document>\n")
}

fn styles_xml(lang: UiLang) -> String {
    let font = "Times New Roman";
    format!(
        "{XML_DECL}<w:styles xmlns:w=\"{W_NS}\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\"/>\
<w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/><w:lang w:val=\"{}\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"80\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"240\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"30\"/><w:szCs w:val=\"30\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:qFormat/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"280\" w:after=\"120\"/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"26\"/><w:szCs w:val=\"26\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Note\"><w:name w:val=\"Note\"/><w:basedOn w:val=\"Normal\"/><w:rPr><w:i/><w:sz w:val=\"20\"/><w:szCs w:val=\"20\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Participant\"><w:name w:val=\"Participant\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:after=\"0\"/><w:ind w:left=\"567\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Speaker\"><w:name w:val=\"Speaker\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Utterance\"/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"200\" w:after=\"40\"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Utterance\"><w:name w:val=\"Utterance\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"1134\"/></w:tabs><w:spacing w:after=\"60\"/><w:ind w:left=\"1134\" w:hanging=\"1134\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:tabs><w:tab w:val=\"right\" w:pos=\"9638\"/></w:tabs><w:spacing w:after=\"0\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>\
<w:style w:type=\"character\" w:styleId=\"Time\"><w:name w:val=\"Time\"/><w:rPr><w:color w:val=\"555555\"/></w:rPr></w:style>\
</w:styles>\n",
        ui_lang_tag(lang)
    )
}

/// The footer: the case number, and "page N of M" with Word's PAGE and NUMPAGES fields.
fn footer_xml(d: &Document) -> String {
    let mut runs = run(&d.case_footer, "") + "<w:r><w:tab/></w:r>";
    let mut rest = d.l.page_of;
    while !rest.is_empty() {
        let next = [("{n}", "PAGE"), ("{m}", "NUMPAGES")]
            .into_iter()
            .filter_map(|(k, f)| rest.find(k).map(|i| (i, k, f)))
            .min();
        match next {
            Some((i, k, f)) => {
                if i > 0 {
                    runs += &run(&rest[..i], "");
                }
                runs += &format!(
                    "<w:fldSimple w:instr=\" {f} \">{}</w:fldSimple>",
                    run("1", "")
                );
                rest = &rest[i + k.len()..];
            }
            None => {
                runs += &run(rest, "");
                rest = "";
            }
        }
    }
    format!(
        "{XML_DECL}<w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\">{}</w:ftr>\n",
        para("Footer", &runs)
    )
}

fn core_xml(d: &Document) -> String {
    let created = match super::civil(d.created_unix_ms, 0) {
        Ok((y, mo, da, h, mi, s)) => format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}Z"),
        Err(_) => "1970-01-01T00:00:00Z".into(),
    };
    format!(
        "{XML_DECL}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
<dc:title>{}</dc:title><dc:creator>verbatim</dc:creator><dc:language>{}</dc:language>\
<dcterms:created xsi:type=\"dcterms:W3CDTF\">{created}</dcterms:created></cp:coreProperties>\n",
        esc(&d.title_line),
        ui_lang_tag(d.lang)
    )
}

const CONTENT_TYPES: &str = "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>\n";

const PACKAGE_RELS: &str = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>\n";

const DOCUMENT_RELS: &str = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
</Relationships>\n";

/// The transcript as a Word document (DOCX): the same content as the PDF, with a title, headings,
/// bold speaker labels, and the case number and page numbers in the footer.
pub fn to_docx(t: &Transcript, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    let d = Document::build(t, ctx)?;
    let mut z = Zip::default();
    z.add(
        "[Content_Types].xml",
        format!("{XML_DECL}{CONTENT_TYPES}").as_bytes(),
    )?;
    z.add(
        "_rels/.rels",
        format!("{XML_DECL}{PACKAGE_RELS}").as_bytes(),
    )?;
    z.add("docProps/core.xml", core_xml(&d).as_bytes())?;
    z.add(
        "word/_rels/document.xml.rels",
        format!("{XML_DECL}{DOCUMENT_RELS}").as_bytes(),
    )?;
    z.add("word/document.xml", document_xml(&d).as_bytes())?;
    z.add("word/styles.xml", styles_xml(d.lang).as_bytes())?;
    z.add("word/footer1.xml", footer_xml(&d).as_bytes())?;
    z.finish()
}

/// A minimal zip writer: deflated entries, no extra fields, dated 1980-01-01 00:00.
#[derive(Default)]
struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

const DOS_DATE_1980_01_01: u16 = (1 << 5) | 1;

fn u32_of(n: usize, what: &str) -> Result<u32, ExportError> {
    u32::try_from(n).map_err(|_| ExportError::Docx(format!("{what} over 4 GiB")))
}

impl Zip {
    fn add(&mut self, name: &str, data: &[u8]) -> Result<(), ExportError> {
        let io = |e: std::io::Error| ExportError::Docx(e.to_string());
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).map_err(io)?;
        let packed = enc.finish().map_err(io)?;
        let crc = crc32fast::hash(data);
        let offset = u32_of(self.out.len(), "document")?;
        let (packed_len, len) = (u32_of(packed.len(), "part")?, u32_of(data.len(), "part")?);
        // Shared by the local header and the central directory record.
        let mut common = Vec::new();
        common.extend_from_slice(&20u16.to_le_bytes()); // version needed: 2.0 (deflate)
        common.extend_from_slice(&0u16.to_le_bytes()); // flags
        common.extend_from_slice(&8u16.to_le_bytes()); // method: deflate
        common.extend_from_slice(&0u16.to_le_bytes()); // time
        common.extend_from_slice(&DOS_DATE_1980_01_01.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&packed_len.to_le_bytes());
        common.extend_from_slice(&len.to_le_bytes());
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra field length

        self.out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&common);
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&packed);

        self.central
            .extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        self.central.extend_from_slice(&20u16.to_le_bytes()); // made by: MS-DOS, 2.0
        self.central.extend_from_slice(&common);
        self.central.extend_from_slice(&0u16.to_le_bytes()); // comment length
        self.central.extend_from_slice(&0u16.to_le_bytes()); // disk number
        self.central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        self.central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        self.central.extend_from_slice(&offset.to_le_bytes());
        self.central.extend_from_slice(name.as_bytes());
        self.entries += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, ExportError> {
        let offset = u32_of(self.out.len(), "document")?;
        let size = u32_of(self.central.len(), "central directory")?;
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // this disk
        self.out.extend_from_slice(&0u16.to_le_bytes()); // disk with the directory
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&offset.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes()); // comment length
        u32_of(self.out.len(), "document")?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{context, transcript, utterance};
    use super::*;

    #[test]
    fn the_footer_interleaves_page_fields_with_the_label_text() {
        let t = transcript(vec![]);
        for (lang, before, between) in [
            (UiLang::Ru, "Страница ", " из "),
            (UiLang::Kk, "", " беттің "),
        ] {
            let d = Document::build(&t, &context(lang)).unwrap();
            let f = footer_xml(&d);
            let (page, pages) = (f.find(" PAGE ").unwrap(), f.find(" NUMPAGES ").unwrap());
            assert!(f.contains(&format!(">{between}<")), "{f}");
            if lang == UiLang::Ru {
                assert!(f.contains(&format!(">{before}<")) && page < pages, "{f}");
            } else {
                assert!(pages < page && f.contains(">-беті<"), "{f}");
            }
        }
    }

    #[test]
    fn utterances_carry_their_language_and_text_is_escaped() {
        let t = transcript(vec![
            utterance(0, "judge", Lang::Kk, 0, "Сот <ашық> & \"жария\""),
            utterance(1, "judge", Lang::Ru, 2000, "Дело"),
        ]);
        let d = Document::build(&t, &context(UiLang::En)).unwrap();
        let x = document_xml(&d);
        assert!(x.contains("<w:lang w:val=\"kk-KZ\"/></w:rPr><w:t xml:space=\"preserve\">Сот &lt;ашық&gt; &amp; &quot;жария&quot;</w:t>"), "{x}");
        assert!(
            x.contains("<w:lang w:val=\"ru-RU\"/></w:rPr><w:t xml:space=\"preserve\">Дело</w:t>"),
            "{x}"
        );
    }
}
