//! Bundles end to end: a court data directory with two interleaved hearings, exported whole
//! and as a clip, as a directory and as a tar archive, verified, then tampered with in every
//! way we know of; each tamper is named by the verifier.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use verbatim_bundle::export::{plan, write, ExportRequest, Extras};
use verbatim_bundle::files::{open, DirFiles, TarFiles};
use verbatim_bundle::format::{LogJson, Manifest, CHECKPOINT, KEY, LOG_EXCERPT, MANIFEST};
use verbatim_bundle::{verify, Report};
use verbatim_log::entry::{
    redacted_path, Audit, HearingEvent, HearingOpened, LogNote, RedactedSpan, Redaction,
    SegmentRedacted, SegmentSealed, SourceEvent, TranscriptCertified, TranscriptRevision,
};
use verbatim_log::tree::to_hex;
use verbatim_log::{layout, Entry, Log, SignerKey, VerifierKey};

const COURT: &str = "almaty";
const ORIGIN: &str = "test.court/almaty";

struct Court {
    data: PathBuf,
    key: VerifierKey,
    _tmp: tempfile::TempDir,
}

fn seal(log: &mut Log, data: &Path, hearing: &str, stream: &str, seq: u64, ext: &str) {
    let path = format!("hearings/{hearing}/{stream}/{seq:06}.{ext}");
    let bytes: Vec<u8> = (0..4096 + seq as usize * 7)
        .map(|i| (i as u64 * 31 + seq * 7 + stream.len() as u64) as u8)
        .collect();
    let full = data.join(&path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, &bytes).unwrap();
    log.append(&Entry::SegmentSealed(SegmentSealed {
        court: COURT.into(),
        courtroom: "room-1".into(),
        hearing: hearing.into(),
        stream: stream.into(),
        seq,
        media_start_ns: seq * 2_000_000_000,
        media_end_ns: (seq + 1) * 2_000_000_000,
        captured_unix_ms: 1_700_000_000_000 + seq * 2000,
        bytes: bytes.len() as u64,
        sha256: to_hex(&Sha256::digest(&bytes)),
        path,
    }))
    .unwrap();
}

fn opened(hearing: &str, case: &str) -> Entry {
    Entry::HearingOpened(HearingOpened {
        court: COURT.into(),
        courtroom: "room-1".into(),
        hearing: hearing.into(),
        case_number: case.into(),
        judge: "Ахметова А.".into(),
        secretary: "Иванова Б.".into(),
        part: 1,
        at_unix_ms: 1_700_000_000_000,
    })
}

/// Hearing "h1" (cam1, mic1; 10 segments each of 2 s; a note, a camera gap, a transcript
/// revision certified) interleaved with hearing "h2" and access records.
fn court() -> Court {
    court_with(|_, _| {})
}

/// [`court`], with `extra` appended before the checkpoint.
fn court_with(extra: impl FnOnce(&mut Log, &Path)) -> Court {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join(layout::KEYS_DIR)).unwrap();
    let (skey, vkey) = verbatim_log::checkpoint::generate_key(ORIGIN).unwrap();
    std::fs::write(data.join(layout::VERIFIER_KEY), format!("{vkey}\n")).unwrap();
    let mut log = Log::create(
        &data.join(layout::LOG_DIR),
        ORIGIN,
        SignerKey::parse(&skey).unwrap(),
    )
    .unwrap();
    log.append(&opened("h1", "2-15/2026")).unwrap();
    log.append(&opened("h2", "2-99/2026")).unwrap();
    for seq in 0..10 {
        seal(&mut log, &data, "h1", "cam1", seq, "mkv");
        seal(&mut log, &data, "h2", "cam1", seq, "mkv");
        seal(&mut log, &data, "h1", "mic1", seq, "mka");
        if seq == 3 {
            log.append(&Entry::LogNote(LogNote {
                court: COURT.into(),
                hearing: "h1".into(),
                media_ns: 7_000_000_000,
                at_unix_ms: 1,
                author: "secretary".into(),
                role: "exhibit".into(),
                text: "Приобщена справка".into(),
            }))
            .unwrap();
            log.append(&Entry::Audit(Audit {
                court: COURT.into(),
                actor: "lawyer".into(),
                role: "lawyer".into(),
                action: "view_record".into(),
                hearing: "h1".into(),
                at_unix_ms: 2,
                detail: String::new(),
            }))
            .unwrap();
        }
        if seq == 5 {
            log.append(&Entry::SourceLost(SourceEvent {
                court: COURT.into(),
                hearing: "h1".into(),
                stream: "cam2".into(),
                media_ns: 11_000_000_000,
                at_unix_ms: 3,
                reason: "no frames for 2 s".into(),
            }))
            .unwrap();
        }
    }
    log.append(&Entry::HearingClosed(HearingEvent {
        court: COURT.into(),
        hearing: "h1".into(),
        media_ns: 20_000_000_000,
        at_unix_ms: 4,
        reason: String::new(),
    }))
    .unwrap();
    for rev in 1..=2u64 {
        let path = format!("hearings/h1/transcript/r{rev:04}.json");
        let body = format!("{{\"revision\":{rev},\"utterances\":[]}}");
        std::fs::create_dir_all(data.join("hearings/h1/transcript")).unwrap();
        std::fs::write(data.join(&path), &body).unwrap();
        log.append(&Entry::TranscriptRevision(TranscriptRevision {
            court: COURT.into(),
            hearing: "h1".into(),
            revision: rev,
            based_on: rev - 1,
            author: if rev == 1 { "machine" } else { "secretary" }.into(),
            role: if rev == 1 { "system" } else { "secretary" }.into(),
            utterances: 0,
            at_unix_ms: 5,
            bytes: body.len() as u64,
            sha256: to_hex(&Sha256::digest(body.as_bytes())),
            path,
        }))
        .unwrap();
    }
    log.append(&Entry::TranscriptCertified(TranscriptCertified {
        court: COURT.into(),
        hearing: "h1".into(),
        revision: 2,
        sha256: to_hex(&Sha256::digest(b"{\"revision\":2,\"utterances\":[]}")),
        by: "judge".into(),
        role: "judge".into(),
        at_unix_ms: 6,
    }))
    .unwrap();
    extra(&mut log, &data);
    log.publish_checkpoint().unwrap();
    Court {
        data,
        key: VerifierKey::parse(&vkey).unwrap(),
        _tmp: tmp,
    }
}

fn request(hearing: &str, from_ms: Option<u64>, to_ms: Option<u64>) -> ExportRequest {
    ExportRequest {
        hearing: hearing.into(),
        from_ms,
        to_ms,
        court_name: "Бостандыкский районный суд".into(),
        created_unix_ms: 1_700_000_100_000,
        lang: verbatim_transcript::export::UiLang::Ru,
        redaction: None,
    }
}

fn export(c: &Court, req: &ExportRequest, out: &Path) {
    let p = plan(&c.data, req).unwrap();
    write(&p, &Extras::new(), out).unwrap();
}

fn check(path: &Path, key: Option<&VerifierKey>) -> Report {
    let files = open(path).unwrap();
    verify(files.as_ref(), key)
}

fn problems(r: &Report) -> String {
    r.problems.join("\n")
}

#[test]
fn a_whole_hearing_round_trips_as_a_directory_and_as_an_archive() {
    let c = court();
    let out = c.data.parent().unwrap().join("out");
    std::fs::create_dir_all(&out).unwrap();
    for name in ["h1-bundle", "h1-bundle.tar"] {
        let b = out.join(name);
        export(&c, &request("h1", None, None), &b);
        let r = check(&b, Some(&c.key));
        assert!(r.ok, "{name}: {}", problems(&r));
        assert_eq!(r.key_source, "given");
        assert_eq!(r.origin, ORIGIN);
        assert_eq!(r.hearing, "h1");
        assert_eq!(r.case_number, "2-15/2026");
        let streams: Vec<(&str, &str, u64, u64, u64)> = r
            .streams
            .iter()
            .map(|s| {
                (
                    s.stream.as_str(),
                    s.kind.as_str(),
                    s.first_seq,
                    s.last_seq,
                    s.to_ms,
                )
            })
            .collect();
        assert_eq!(
            streams,
            vec![
                ("cam1", "camera", 0, 9, 20_000),
                ("mic1", "microphone", 0, 9, 20_000)
            ]
        );
        // In the range but withheld: hearing h2's opening and 10 segments, the access
        // record, and transcript revision 1 (only the latest revision is exported).
        assert_eq!(r.withheld, 13, "{r:?}");
        assert_eq!(r.disclosed, 26);
        assert_eq!(r.notes, 1);
        let t = r.transcript.clone().unwrap();
        assert_eq!((t.revision, t.certified_by.as_deref()), (2, Some("judge")));
        assert_eq!(r.proven_files, 21);
        // Standard inclusion proofs: opening, note, gap, close, revision, certification.
        assert_eq!(r.tlog_proofs, 6, "{}", r.to_text());
        assert!(r.events.iter().any(|e| e.contains("cam2 source_lost")));
        let text = r.to_text();
        assert!(text.starts_with("VERIFIED"), "{text}");
        assert!(text.contains("the whole hearing"), "{text}");
        // Without a key the bundle's own is used, and the report says so.
        let r = check(&b, None);
        assert!(r.ok);
        assert_eq!(r.key_source, "bundle");
        assert!(r
            .to_text()
            .contains("compare it with the court's published key"));
    }
    // The media are byte for byte the sealed files.
    let seg = "hearings/h1/cam1/000004.mkv";
    assert_eq!(
        std::fs::read(out.join("h1-bundle").join(seg)).unwrap(),
        std::fs::read(c.data.join(seg)).unwrap()
    );
    let tar = TarFiles::open(&out.join("h1-bundle.tar")).unwrap();
    use verbatim_bundle::Files as _;
    assert_eq!(
        tar.read(seg, 1 << 20).unwrap().unwrap(),
        std::fs::read(c.data.join(seg)).unwrap()
    );
    // The other hearing's media are not in it.
    assert!(!out.join("h1-bundle/hearings/h2").exists());
    // The certificate for people, and the verification page with the verifier inside.
    let pdf = std::fs::read(out.join("h1-bundle/certificate.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = std::process::Command::new("pdftotext")
        .args([out.join("h1-bundle/certificate.pdf").to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("2-15/2026"), "{text}");
    assert!(text.contains(seg), "{text}");
    let page = std::fs::read_to_string(out.join("h1-bundle/verify.html")).unwrap();
    assert!(
        page.contains("const WASM_BASE64 = \"AGFzbQ"),
        "the page embeds the verifier"
    );
}

#[test]
fn a_clip_is_proven_on_its_own() {
    let c = court();
    let b = c.data.parent().unwrap().join("clip");
    // 5 s to 9 s: segments 2, 3, 4 of each stream (4-6, 6-8, 8-10 s).
    export(&c, &request("h1", Some(5_000), Some(9_000)), &b);
    let r = check(&b, Some(&c.key));
    assert!(r.ok, "{}", problems(&r));
    for s in &r.streams {
        assert_eq!((s.first_seq, s.last_seq, s.files), (2, 4, 3), "{s:?}");
    }
    assert_eq!((r.from_ms, r.to_ms), (Some(5_000), Some(9_000)));
    assert_eq!(r.notes, 1, "the note at 7 s is in the clip");
    assert!(
        r.events.is_empty(),
        "the gap at 11 s is outside: {:?}",
        r.events
    );
    assert!(r.to_text().contains("a clip, 00:00:05.000 to 00:00:09.000"));
    let m: Manifest = serde_json::from_slice(&std::fs::read(b.join(MANIFEST)).unwrap()).unwrap();
    assert!(m.files.iter().all(|f| !f.path.contains("/000005.")));
    // Segments outside the clip are not there, and not needed.
    assert!(!b.join("hearings/h1/cam1/000005.mkv").exists());
    // Removing a segment of the clip is found.
    std::fs::remove_file(b.join("hearings/h1/mic1/000003.mka")).unwrap();
    let r = check(&b, Some(&c.key));
    assert!(!r.ok);
    assert!(
        problems(&r).contains("hearings/h1/mic1/000003.mka is missing"),
        "{}",
        problems(&r)
    );
}

/// A fresh directory bundle of h1 to tamper with.
fn fresh(c: &Court, name: &str) -> PathBuf {
    let b = c.data.parent().unwrap().join(name);
    export(c, &request("h1", None, None), &b);
    b
}

fn edit_log(b: &Path, f: impl FnOnce(&mut LogJson)) {
    let p = b.join(LOG_EXCERPT);
    let mut l: LogJson = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    f(&mut l);
    std::fs::write(&p, serde_json::to_vec(&l).unwrap()).unwrap();
}

fn expect_problem(c: &Court, b: &Path, want: &str) {
    let r = check(b, Some(&c.key));
    assert!(!r.ok, "tamper not detected ({want})");
    assert!(
        problems(&r).contains(want),
        "wanted {want:?} in:\n{}",
        problems(&r)
    );
    assert!(r.to_text().starts_with("NOT VERIFIED"));
}

#[test]
fn every_tamper_class_is_detected_and_named() {
    let c = court();
    let seg = "hearings/h1/cam1/000004.mkv";

    // Media: a changed byte, a truncated file, a deleted file, a file swapped for another
    // sealed file of the same stream.
    let b = fresh(&c, "t-byte");
    let mut bytes = std::fs::read(b.join(seg)).unwrap();
    bytes[100] ^= 1;
    std::fs::write(b.join(seg), &bytes).unwrap();
    expect_problem(&c, &b, "the file was altered");

    let b = fresh(&c, "t-trunc");
    let bytes = std::fs::read(b.join(seg)).unwrap();
    std::fs::write(b.join(seg), &bytes[..bytes.len() - 1]).unwrap();
    expect_problem(&c, &b, "bytes, sealed with");

    let b = fresh(&c, "t-missing");
    std::fs::remove_file(b.join(seg)).unwrap();
    expect_problem(&c, &b, &format!("{seg} is missing"));

    let b = fresh(&c, "t-swap");
    std::fs::copy(b.join("hearings/h1/cam1/000005.mkv"), b.join(seg)).unwrap();
    expect_problem(&c, &b, seg);

    // The transcript revision file.
    let b = fresh(&c, "t-transcript");
    std::fs::write(
        b.join("hearings/h1/transcript/r0002.json"),
        "{\"revision\":2,\"utterances\":[{}]}",
    )
    .unwrap();
    expect_problem(&c, &b, "r0002.json");

    // A file the proof does not cover.
    let b = fresh(&c, "t-extra");
    std::fs::write(b.join("hearings/h1/cam1/000010.mkv"), b"forged").unwrap();
    expect_problem(&c, &b, "not covered by the proof");

    // The log excerpt: an entry changed (to match a forged file), removed, two swapped, a
    // withheld hash changed, a proof hash changed, an entry disclosed that was withheld
    // turned into a hash (hiding a segment).
    let b = fresh(&c, "t-entry");
    edit_log(&b, |l| {
        let leaf = l
            .leaves
            .iter_mut()
            .find(|x| x.entry.as_deref().is_some_and(|e| e.contains("000004.mkv")))
            .unwrap();
        let text = leaf.entry.take().unwrap();
        leaf.entry = Some(text.replace("\"bytes\":", "\"bytes\":1"));
    });
    expect_problem(&c, &b, "are not those of the signed log");

    let b = fresh(&c, "t-removed");
    edit_log(&b, |l| {
        l.leaves.remove(5);
    });
    expect_problem(&c, &b, "are not those of the signed log");

    let b = fresh(&c, "t-reordered");
    edit_log(&b, |l| l.leaves.swap(3, 4));
    expect_problem(&c, &b, "are not those of the signed log");

    let b = fresh(&c, "t-withheld");
    edit_log(&b, |l| {
        let w = l.leaves.iter_mut().find(|x| x.withheld.is_some()).unwrap();
        w.withheld = Some("00".repeat(32));
    });
    expect_problem(&c, &b, "are not those of the signed log");

    let b = fresh(&c, "t-proof");
    edit_log(&b, |l| {
        if l.proof.is_empty() {
            l.proof.push("11".repeat(32));
        } else {
            l.proof[0] = "11".repeat(32);
        }
    });
    expect_problem(&c, &b, "are not those of the signed log");

    let b = fresh(&c, "t-hidden");
    edit_log(&b, |l| {
        let leaf = l
            .leaves
            .iter_mut()
            .find(|x| x.entry.as_deref().is_some_and(|e| e.contains("000004.mka")))
            .unwrap();
        let text = leaf.entry.take().unwrap();
        leaf.withheld = Some(to_hex(&verbatim_log::tree::leaf_hash(text.as_bytes()).0));
    });
    std::fs::remove_file(b.join("hearings/h1/mic1/000004.mka")).unwrap();
    // (the manifest still lists it; fix that too, as a careful forger would)
    let mp = b.join(MANIFEST);
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&mp).unwrap()).unwrap();
    m.files.retain(|f| !f.path.ends_with("mic1/000004.mka"));
    std::fs::write(&mp, serde_json::to_vec(&m).unwrap()).unwrap();
    expect_problem(
        &c,
        &b,
        "stream mic1: segments 4..4 are inside the span but not in the bundle",
    );

    // Another hearing's entry passed off as this one's is refused.
    let b = fresh(&c, "t-foreign");
    let mp = b.join(MANIFEST);
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&mp).unwrap()).unwrap();
    m.hearing = "h2".into();
    std::fs::write(&mp, serde_json::to_vec(&m).unwrap()).unwrap();
    expect_problem(&c, &b, "is not of hearing h2");

    // The manifest describing a file differently.
    let b = fresh(&c, "t-manifest");
    let mp = b.join(MANIFEST);
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&mp).unwrap()).unwrap();
    m.files[0].bytes += 1;
    std::fs::write(&mp, serde_json::to_vec(&m).unwrap()).unwrap();
    expect_problem(&c, &b, "differently from its log entry");

    // The checkpoint: its text changed (signature no longer holds).
    let b = fresh(&c, "t-checkpoint");
    let cp = std::fs::read_to_string(b.join(CHECKPOINT)).unwrap();
    let mut lines: Vec<String> = cp.lines().map(str::to_string).collect();
    lines[1] = (lines[1].parse::<u64>().unwrap() + 1).to_string();
    std::fs::write(b.join(CHECKPOINT), lines.join("\n") + "\n").unwrap();
    expect_problem(&c, &b, CHECKPOINT);

    // Another key: a forger re-signs a checkpoint with their own key and puts that key in
    // the bundle. With the court's key given, refused; the report names both keys.
    let b = fresh(&c, "t-key");
    let (fskey, fvkey) = verbatim_log::checkpoint::generate_key(ORIGIN).unwrap();
    let forged = SignerKey::parse(&fskey).unwrap();
    let (origin, size, root) =
        verbatim_log::checkpoint::parse_unverified(&std::fs::read(b.join(CHECKPOINT)).unwrap())
            .unwrap();
    let note = forged.sign_checkpoint(&origin, size, root).unwrap();
    std::fs::write(b.join(CHECKPOINT), &note.note).unwrap();
    std::fs::write(b.join(KEY), format!("{fvkey}\n")).unwrap();
    expect_problem(&c, &b, "not the key given");
    // Without the court's key, the report says whose key it trusted.
    let r = check(&b, None);
    assert_eq!(r.key, fvkey.trim());
    assert_eq!(r.key_source, "bundle");

    // A C2SP tlog-proof altered, or pointing at another entry.
    let b = fresh(&c, "t-tlog");
    let dir = b.join("log/proofs");
    let first = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&first).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let swapped = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    lines[2] = swapped;
    std::fs::write(&first, lines.join("\n") + "\n").unwrap();
    expect_problem(&c, &b, "the inclusion proof fails");

    // A link inside a bundle directory.
    #[cfg(unix)]
    {
        let b = fresh(&c, "t-link");
        std::os::unix::fs::symlink("/etc/hostname", b.join("derived-link")).unwrap();
        expect_problem(&c, &b, "link or special file");
    }
}

#[test]
fn broken_archives_and_bad_requests_are_named_and_nothing_is_half_written() {
    let c = court();
    let dir = c.data.parent().unwrap().to_path_buf();
    let tar = dir.join("b.tar");
    export(&c, &request("h1", None, None), &tar);
    // Truncated archive.
    let bytes = std::fs::read(&tar).unwrap();
    let cut = dir.join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = TarFiles::open(&cut)
        .err()
        .expect("a truncated archive is refused");
    assert!(
        err.contains("truncated") || err.contains("damaged"),
        "{err}"
    );
    // Garbage.
    let junk = dir.join("junk.tar");
    std::fs::write(&junk, vec![0x5a; 5000]).unwrap();
    assert!(TarFiles::open(&junk).is_err() || !check(&junk, Some(&c.key)).ok);
    // A member twice: the second copy could be what a careless reader takes.
    let twice = dir.join("twice.tar");
    {
        let mut b = tar::Builder::new(std::fs::File::create(&twice).unwrap());
        let mut arch = tar::Archive::new(std::fs::File::open(&tar).unwrap());
        for e in arch.entries().unwrap() {
            let mut e = e.unwrap();
            let mut h = e.header().clone();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut data).unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            b.append_data(&mut h, &name, data.as_slice()).unwrap();
            if name == "hearings/h1/cam1/000001.mkv" {
                b.append_data(&mut h, &name, data.as_slice()).unwrap();
            }
        }
        b.finish().unwrap();
    }
    let r = check(&twice, Some(&c.key));
    assert!(!r.ok);
    assert!(problems(&r).contains("twice"), "{}", problems(&r));

    // Requests: an unknown hearing, an empty or inverted span, an existing target.
    let e = plan(&c.data, &request("nope", None, None))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no hearing \"nope\""), "{e}");
    let e = plan(&c.data, &request("h1", Some(9_000), Some(5_000)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("must be before"), "{e}");
    let e = plan(&c.data, &request("h1", Some(500_000), Some(600_000)))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no segment between 500 s and 600 s"), "{e}");
    let p = plan(&c.data, &request("h1", None, None)).unwrap();
    let e = write(&p, &Extras::new(), &tar).unwrap_err().to_string();
    assert!(e.contains("already exists"), "{e}");
    // A sealed file missing from the data directory: refused before anything is written.
    std::fs::remove_file(c.data.join("hearings/h1/cam1/000007.mkv")).unwrap();
    let out = dir.join("never");
    let e = write(&p, &Extras::new(), &out).unwrap_err().to_string();
    assert!(e.contains("000007.mkv"), "{e}");
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_verifier_runs_on_bytes_in_memory_as_in_the_browser() {
    let c = court();
    let b = fresh(&c, "mem");
    let (names, problems_listing) = verbatim_bundle::Files::list(&DirFiles::new(&b));
    assert!(problems_listing.is_empty());
    let mut mem: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for n in names {
        mem.insert(n.clone(), std::fs::read(b.join(&n)).unwrap());
    }
    let r = verify(&mem, Some(&c.key));
    assert!(r.ok, "{}", problems(&r));
    mem.get_mut("hearings/h1/mic1/000002.mka").unwrap()[0] ^= 0xff;
    let r = verify(&mem, Some(&c.key));
    assert!(!r.ok);
}

#[test]
fn hearings_are_listed_with_their_ids() {
    let c = court();
    let entries = verbatim_log::store::read_entries(&c.data.join(layout::LOG_DIR)).unwrap();
    let list = verbatim_bundle::hearings::summarise(entries.iter().map(Vec::as_slice));
    let ids: Vec<&str> = list.iter().map(|h| h.hearing.as_str()).collect();
    assert_eq!(ids, vec!["h1", "h2"]);
    let h1 = &list[0];
    assert_eq!(h1.case_number, "2-15/2026");
    assert_eq!((h1.segments, h1.streams.len()), (20, 2));
    assert_eq!((h1.media_end_ms, h1.notes, h1.revisions), (20_000, 1, 2));
    assert!(h1.closed && h1.certified);
    assert!(!list[1].closed);
}

/// A redaction "r1" of h1, sealed after the hearing (and after other work of the court):
/// mic1 muted from 3 s to 7.5 s, which touches segments 1, 2 and 3; replacements for
/// `seqs` (the right ones are 1, 2, 3).
fn redacted_court(seqs: &[u64]) -> Court {
    let seqs = seqs.to_vec();
    court_with(move |log, data| {
        log.append(&Entry::Redaction(Redaction {
            court: COURT.into(),
            hearing: "h1".into(),
            redaction: "r1".into(),
            by: "judge".into(),
            role: "judge".into(),
            at_unix_ms: 7,
            spans: vec![RedactedSpan {
                stream: "mic1".into(),
                from_ns: 3_000_000_000,
                to_ns: 7_500_000_000,
                action: "mute".into(),
                reason: "имя несовершеннолетнего".into(),
            }],
        }))
        .unwrap();
        seal(log, data, "h2", "cam1", 10, "mkv");
        for seq in seqs {
            let original = sealed_entry_in(log, seq);
            let path = redacted_path("h1", "r1", "mic1", seq, "mka");
            let bytes = format!("redacted mic1 segment {seq}").into_bytes();
            std::fs::create_dir_all(data.join(&path).parent().unwrap()).unwrap();
            std::fs::write(data.join(&path), &bytes).unwrap();
            log.append(&Entry::SegmentRedacted(SegmentRedacted {
                court: COURT.into(),
                hearing: "h1".into(),
                redaction: "r1".into(),
                stream: "mic1".into(),
                seq,
                original_sha256: original,
                bytes: bytes.len() as u64,
                sha256: to_hex(&Sha256::digest(&bytes)),
                path,
            }))
            .unwrap();
        }
    })
}

/// SHA-256 of mic1 segment `seq` of h1 as sealed in `log`.
fn sealed_entry_in(log: &Log, seq: u64) -> String {
    (0..log.size())
        .find_map(|i| match Entry::decode(&log.entry(i).unwrap()) {
            Ok(Entry::SegmentSealed(s))
                if s.hearing == "h1" && s.stream == "mic1" && s.seq == seq =>
            {
                Some(s.sha256)
            }
            _ => None,
        })
        .unwrap()
}

fn redacted_request() -> ExportRequest {
    ExportRequest {
        redaction: Some("r1".into()),
        ..request("h1", None, None)
    }
}

#[test]
fn a_redacted_copy_proves_every_other_segment_original_and_changes_only_inside_the_spans() {
    let c = redacted_court(&[1, 2, 3]);
    let out = c.data.parent().unwrap();
    let b = out.join("public");
    export(&c, &redacted_request(), &b);
    let r = check(&b, Some(&c.key));
    assert!(r.ok, "{}", problems(&r));
    let red = r.redaction.as_ref().expect("the redaction is reported");
    assert_eq!((red.id.as_str(), red.replaced), ("r1", 3));
    assert_eq!(
        red.spans,
        ["mic1 muted 00:00:03.000 to 00:00:07.500: имя несовершеннолетнего"]
    );
    let mic = r.streams.iter().find(|s| s.stream == "mic1").unwrap();
    let cam = r.streams.iter().find(|s| s.stream == "cam1").unwrap();
    assert_eq!((mic.files, mic.redacted), (10, 3));
    assert_eq!((cam.files, cam.redacted), (10, 0));
    assert!(r.transcript.is_none(), "the transcript is withheld");
    assert_eq!(r.notes, 0, "the note at 7 s lies inside the span");
    let text = r.to_text();
    assert!(
        text.contains("REDACTED PUBLIC COPY: redaction r1 by judge"),
        "{text}"
    );
    assert!(text.contains("Transcript: withheld"));
    // The redaction was sealed after the hearing: given outside the range, with its own
    // inclusion proofs, not by stretching the range over the court's later work.
    let l: LogJson = serde_json::from_slice(&std::fs::read(b.join(LOG_EXCERPT)).unwrap()).unwrap();
    assert_eq!(l.also.len(), 4, "the redaction and three replacements");
    assert!(l
        .also
        .iter()
        .all(|a| a.index >= l.begin + l.leaves.len() as u64));
    // Originals of the replaced segments are not in the copy; the replacements are.
    assert!(!b.join("hearings/h1/mic1/000002.mka").exists());
    assert!(b.join("hearings/h1/redactions/r1/mic1/000002.mka").exists());
    assert!(b.join("hearings/h1/mic1/000004.mka").exists());
    // As one archive too, and from bytes in memory on one thread, as in the browser.
    let t = out.join("public.tar");
    export(&c, &redacted_request(), &t);
    assert!(check(&t, Some(&c.key)).ok);
    let mut mem: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for n in verbatim_bundle::Files::list(&DirFiles::new(&b)).0 {
        mem.insert(n.clone(), std::fs::read(b.join(&n)).unwrap());
    }
    let m = verbatim_bundle::verify::verify_with(&mem, Some(&c.key), 1);
    assert_eq!(m, r);

    // Tampering with a redacted copy.
    let fresh_red = |name: &str| {
        let b = out.join(name);
        export(&c, &redacted_request(), &b);
        b
    };
    let b = fresh_red("r-orig");
    std::fs::copy(
        c.data.join("hearings/h1/mic1/000002.mka"),
        b.join("hearings/h1/mic1/000002.mka"),
    )
    .unwrap();
    expect_problem(&c, &b, "the original of a redacted segment must not be");
    let b = fresh_red("r-alter");
    let p = b.join("hearings/h1/redactions/r1/mic1/000003.mka");
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&p, bytes).unwrap();
    expect_problem(&c, &b, "the file was altered");
    let b = fresh_red("r-reason");
    edit_log(&b, |l| {
        l.also[0].entry = l.also[0]
            .entry
            .replace("имя несовершеннолетнего", "по ходатайству");
    });
    expect_problem(&c, &b, "is not that entry of the signed log");
    let b = fresh_red("r-drop");
    // A replacement dropped and the original put back: the redaction is incomplete.
    edit_log(&b, |l| {
        l.also.retain(|a| !a.entry.contains("\"seq\":2"));
    });
    std::fs::remove_file(b.join("hearings/h1/redactions/r1/mic1/000002.mka")).unwrap();
    std::fs::copy(
        c.data.join("hearings/h1/mic1/000002.mka"),
        b.join("hearings/h1/mic1/000002.mka"),
    )
    .unwrap();
    expect_problem(
        &c,
        &b,
        "segment 2 is touched by a declared span of redaction r1 but is the original",
    );
    let b = fresh_red("r-manifest");
    let mp = b.join(MANIFEST);
    let mut m: Manifest = serde_json::from_slice(&std::fs::read(&mp).unwrap()).unwrap();
    m.redaction = None;
    std::fs::write(&mp, serde_json::to_vec(&m).unwrap()).unwrap();
    expect_problem(&c, &b, "names redaction None");

    // An unknown redaction is named; nothing is written.
    let req = ExportRequest {
        redaction: Some("r9".into()),
        ..request("h1", None, None)
    };
    let e = plan(&c.data, &req).unwrap_err().to_string();
    assert!(
        e.contains("no redaction \"r9\"") && e.contains("it has r1"),
        "{e}"
    );
}

#[test]
fn a_replacement_outside_the_declared_spans_is_named() {
    // A court (or a forger with its key) that swapped segment 8, far from the span.
    let c = redacted_court(&[1, 2, 3, 8]);
    let b = c.data.parent().unwrap().join("bad");
    export(&c, &redacted_request(), &b);
    expect_problem(
        &c,
        &b,
        "replaces stream mic1 segment 8, which no declared span of redaction r1 touches: a change outside the declared spans",
    );
    // And one that left a touched segment original.
    let c = redacted_court(&[1, 3]);
    let b = c.data.parent().unwrap().join("incomplete");
    export(&c, &redacted_request(), &b);
    expect_problem(&c, &b, "the redaction is incomplete");
}
