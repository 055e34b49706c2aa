//! DOCX read back with `unzip`.

mod common;

use std::process::Command;

use common::*;
use verbatim_transcript::export::{self, UiLang};
use verbatim_transcript::Lang;

/// `word/document.xml` of a DOCX, through `unzip`.
fn unzip(docx: &[u8], part: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.docx");
    std::fs::write(&path, docx).unwrap();
    let test = Command::new("unzip")
        .arg("-tq")
        .arg(&path)
        .output()
        .expect("unzip is installed");
    assert!(
        test.status.success(),
        "unzip -t: {}",
        String::from_utf8_lossy(&test.stdout)
    );
    // unzip reads [ and ] in a name as a wildcard class
    let pattern = part.replace('[', "\\[").replace(']', "\\]");
    let out = Command::new("unzip")
        .arg("-p")
        .arg(&path)
        .arg(pattern)
        .output()
        .unwrap();
    assert!(out.status.success(), "no {part}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn docx_unzips_with_the_text_escaped() {
    let t = hearing();
    let docx = export::to_docx(&t, &certified(context(UiLang::Ru), 2)).unwrap();
    eprintln!(
        "DOCX of {} utterances: {} bytes",
        t.utterances.len(),
        docx.len()
    );
    let doc = unzip(&docx, "word/document.xml");
    for want in [
        KAZAKH,
        RUSSIAN,
        "Сумма иска &lt; 5 000 000 &amp; проценты --&gt; по договору",
        ">Судья (Ахметова А. Б.)<",
        "СТЕНОГРАММА СУДЕБНОГО ЗАСЕДАНИЯ",
        "2-1234/2026",
        "УДОСТОВЕРЕНО",
        SHA,
        ROOT,
        "<w:pStyle w:val=\"Speaker\"/>",
        "<w:pStyle w:val=\"Heading1\"/>",
        "<w:lang w:val=\"kk-KZ\"/>",
    ] {
        assert!(doc.contains(want), "{want:?} not in document.xml:\n{doc}");
    }
    assert!(!doc.contains("< 5"), "unescaped text");
    let footer = unzip(&docx, "word/footer1.xml");
    assert!(
        footer.contains("Дело № 2-1234/2026") && footer.contains(" NUMPAGES "),
        "{footer}"
    );
    let styles = unzip(&docx, "word/styles.xml");
    assert!(styles.contains("w:styleId=\"Speaker\"") && styles.contains("<w:b/>"));
    // Same input, same bytes.
    assert_eq!(
        docx,
        export::to_docx(&t, &certified(context(UiLang::Ru), 2)).unwrap()
    );
    // Well-formed XML, where Python is there to say so.
    if Command::new("python3").arg("-V").output().is_ok() {
        for part in [
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/core.xml",
            "word/_rels/document.xml.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/footer1.xml",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("part.xml");
            std::fs::write(&p, unzip(&docx, part)).unwrap();
            let ok = Command::new("python3")
                .args([
                    "-c",
                    "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])",
                ])
                .arg(&p)
                .status()
                .unwrap();
            assert!(ok.success(), "{part} is not well-formed XML");
        }
    }
}

#[test]
fn an_empty_transcript_says_there_is_no_speech() {
    let t = transcript(vec![utterance(0, "judge", Lang::Kk, 0, "   ", true)]);
    let docx = export::to_docx(&t, &context(UiLang::Ru)).unwrap();
    assert!(unzip(&docx, "word/document.xml").contains("В записи нет речи."));
}

#[test]
fn a_long_transcript_stays_small() {
    let docx = export::to_docx(&long_transcript(), &context(UiLang::Ru)).unwrap();
    eprintln!("DOCX of 2000 utterances: {} bytes", docx.len());
    let doc = unzip(&docx, "word/document.xml");
    assert!(doc.contains("Реплика-0000") && doc.contains("Реплика-1999"));
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    let t = hearing();
    let e = export::to_docx(&t, &certified(context(UiLang::En), 3))
        .unwrap_err()
        .to_string();
    assert!(e.contains("revision 3"), "{e}");
    let mut bad = t.clone();
    bad.utterances[1].start_ms = 0;
    let e = export::to_docx(&bad, &context(UiLang::En))
        .unwrap_err()
        .to_string();
    assert!(e.contains("starts before"), "{e}");
}
