//! The durable log: appends survive reopening, torn tails are repaired, damage is refused,
//! and no two roots are ever signed for one size.

use std::fs;
use std::path::Path;
use verbatim_log::checkpoint::{generate_key, open_checkpoint};
use verbatim_log::entry::LogNote;
use verbatim_log::tiles::tiles_for;
use verbatim_log::{Entry, Log, LogError, SignerKey};

const ORIGIN: &str = "test.court/log";

fn key() -> (String, String) {
    generate_key(ORIGIN).unwrap()
}

fn note(i: u64) -> Entry {
    Entry::LogNote(LogNote {
        court: "c".into(),
        hearing: "h".into(),
        media_ns: i,
        at_unix_ms: 1_800_000_000_000 + i,
        author: "secretary".into(),
        role: "judge".into(),
        text: format!("note number {i} — жазба"),
    })
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn appends_survive_reopening_and_tiles_match_the_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let (skey, _) = key();
    let mut log = Log::create(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    assert_eq!(log.checkpoint().size, 0);
    let mut roots = Vec::new();
    for i in 0..700u64 {
        assert_eq!(log.append(&note(i)).unwrap(), i);
        if i % 37 == 0 || i == 299 {
            let cp = log.publish_checkpoint().unwrap();
            roots.push((cp.size, cp.root));
        }
    }
    let cp = log.publish_checkpoint().unwrap();
    // publishing again without new entries signs nothing new
    assert_eq!(log.publish_checkpoint().unwrap(), cp);
    let entries: Vec<Vec<u8>> = (0..700).map(|i| log.entry(i).unwrap()).collect();
    drop(log);

    let (log, recovery) = Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    assert_eq!(recovery, Default::default());
    assert_eq!(log.size(), 700);
    assert_eq!(log.checkpoint(), &cp);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(&log.entry(i as u64).unwrap(), e);
        assert_eq!(Entry::decode(e).unwrap(), note(i as u64));
    }
    for (size, root) in roots {
        assert_eq!(log.tree().root_at(size).unwrap(), root);
    }
    // exactly the tiles of a 700-entry tree: superseded partial tiles are gone
    let mut want: Vec<String> = tiles_for(700).iter().map(|t| t.path()).collect();
    want.extend(["checkpoint".to_string(), "journal".to_string()]);
    want.sort();
    assert_eq!(files_under(&dir), want);
    // and each holds what the tree says
    for t in tiles_for(700).iter().filter(|t| !t.is_bundle()) {
        assert_eq!(
            fs::read(dir.join(t.path())).unwrap(),
            log.tree().tile_data(&t.tile)
        );
    }
}

#[test]
fn a_torn_tail_is_truncated_at_every_cut_point() {
    let tmp = tempfile::tempdir().unwrap();
    let (skey, _) = key();
    let base = tmp.path().join("base");
    let mut log = Log::create(&base, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    for i in 0..10 {
        log.append(&note(i)).unwrap();
    }
    log.publish_checkpoint().unwrap();
    let before = fs::metadata(base.join("journal")).unwrap().len();
    log.append(&note(10)).unwrap();
    drop(log);
    let full = fs::read(base.join("journal")).unwrap();
    let record = full.len() as u64 - before;
    // Cut the unsigned 11th record at every byte, and also follow it with garbage.
    for cut in 0..record {
        let dir = tmp.path().join(format!("cut{cut}"));
        fs::create_dir(&dir).unwrap();
        for f in ["checkpoint", "journal"] {
            fs::copy(base.join(f), dir.join(f)).unwrap();
        }
        copy_tiles(&base, &dir);
        fs::write(dir.join("journal"), &full[..(before + cut) as usize]).unwrap();
        let (mut log, rec) = Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
        assert_eq!(log.size(), 10, "cut {cut}");
        assert_eq!(rec.truncated_bytes, cut);
        assert_eq!(fs::metadata(dir.join("journal")).unwrap().len(), before);
        assert_eq!(log.append(&note(10)).unwrap(), 10);
        assert_eq!(fs::read(dir.join("journal")).unwrap(), full);
    }
    let dir = tmp.path().join("garbage");
    fs::create_dir(&dir).unwrap();
    fs::copy(base.join("checkpoint"), dir.join("checkpoint")).unwrap();
    copy_tiles(&base, &dir);
    let mut j = full.clone();
    j.extend_from_slice(&[0xff; 100]);
    fs::write(dir.join("journal"), &j).unwrap();
    let (log, rec) = Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    // the intact 11th record is kept (and now signed); the garbage goes
    assert_eq!(
        (log.size(), rec.truncated_bytes, rec.published_entries),
        (11, 100, 1)
    );
}

fn copy_tiles(from: &Path, to: &Path) {
    for f in files_under(from) {
        if f.starts_with("tile/") {
            let dst = to.join(&f);
            fs::create_dir_all(dst.parent().unwrap()).unwrap();
            fs::copy(from.join(&f), dst).unwrap();
        }
    }
}

#[test]
fn damage_to_signed_entries_refuses_to_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let (skey, _) = key();
    let mut log = Log::create(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    for i in 0..20 {
        log.append(&note(i)).unwrap();
    }
    log.publish_checkpoint().unwrap();
    drop(log);
    let journal = fs::read(dir.join("journal")).unwrap();

    // a flipped byte in a signed record
    let mut j = journal.clone();
    j[100] ^= 0x20;
    fs::write(dir.join("journal"), &j).unwrap();
    let err = Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap())
        .err()
        .unwrap();
    assert!(matches!(err, LogError::Damaged { .. }), "{err}");

    // a journal cut short of the checkpoint
    fs::write(dir.join("journal"), &journal[..journal.len() - 200]).unwrap();
    let err = Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap())
        .err()
        .unwrap();
    assert!(err.to_string().contains("signed checkpoint"), "{err}");

    // the wrong key, or the wrong origin
    fs::write(dir.join("journal"), &journal).unwrap();
    let (other, _) = key();
    assert!(matches!(
        Log::open(&dir, ORIGIN, SignerKey::parse(&other).unwrap())
            .err()
            .unwrap(),
        LogError::Checkpoint(_)
    ));
    let (skey2, _) = generate_key("another.court").unwrap();
    assert!(Log::open(&dir, "another.court", SignerKey::parse(&skey2).unwrap()).is_err());
    // intact again: opens
    Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
}

#[test]
fn one_writer_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let (skey, _) = key();
    let _log = Log::create(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    let err = Log::open(&dir, ORIGIN, SignerKey::parse(&skey).unwrap())
        .err()
        .unwrap();
    assert!(matches!(err, LogError::Locked(_)), "{err}");
    assert!(matches!(
        Log::create(&dir, ORIGIN, SignerKey::parse(&skey).unwrap())
            .err()
            .unwrap(),
        LogError::AlreadyExists(_)
    ));
}

#[test]
fn only_canonical_entries_of_known_kinds_are_appended() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let (skey, vkey) = key();
    let mut log = Log::create(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    let good = note(1).encode().unwrap();
    let mut spaced = String::from_utf8(good.clone()).unwrap();
    spaced.insert(1, ' ');
    for bad in [
        spaced.into_bytes(),
        br#"{"kind":"later_kind","v":1}"#.to_vec(),
        b"not json".to_vec(),
    ] {
        assert!(log.append_encoded(&[good.clone(), bad]).is_err());
    }
    // a refused batch writes nothing
    assert_eq!(log.size(), 0);
    let mut bad_note = note(1);
    if let Entry::LogNote(n) = &mut bad_note {
        n.hearing = "../x".into();
    }
    assert!(log.append(&bad_note).is_err());
    assert_eq!(log.append_batch(&[note(1), note(2)]).unwrap(), 0..2);
    let cp = log.publish_checkpoint().unwrap();
    let vk = verbatim_log::VerifierKey::parse(&vkey).unwrap();
    assert_eq!(open_checkpoint(&cp.note, &vk, ORIGIN).unwrap(), cp);
}

/// A tlog-tiles client that knows nothing of verbatim: `tlog_tiles`' own tile reader (a port
/// of Go's), given only the files under `log/` and the signed checkpoint, authenticates the
/// tiles against the root and proves entries from them.
#[test]
fn a_generic_tlog_tiles_client_reads_the_log() {
    use tlog_tiles::{Tile, TileHashReader, TileReader};
    struct FileTiles(std::path::PathBuf);
    impl TileReader for FileTiles {
        fn height(&self) -> u8 {
            8
        }
        fn read_tiles(&self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
            tiles
                .iter()
                .map(|t| {
                    // Go sumdb path tile/8/L/N -> C2SP tile/L/N
                    let p = t.path().replacen("tile/8/", "tile/", 1);
                    fs::read(self.0.join(p)).map_err(|_| tlog_tiles::Error::InvalidTile)
                })
                .collect()
        }
        fn save_tiles(&self, _: &[Tile], _: &[Vec<u8>]) {}
    }

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let (skey, vkey) = key();
    let mut log = Log::create(&dir, ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    // past 65,536 entries, so that a level-2 hash tile exists
    for batch in 0..700u64 {
        let entries: Vec<Entry> = (batch * 100..batch * 100 + 100).map(note).collect();
        log.append_batch(&entries).unwrap();
        if batch % 10 == 0 {
            log.publish_checkpoint().unwrap();
        }
    }
    let cp = log.publish_checkpoint().unwrap();
    drop(log);

    let note_bytes = fs::read(dir.join("checkpoint")).unwrap();
    let vk = verbatim_log::VerifierKey::parse(&vkey).unwrap();
    let cp2 = open_checkpoint(&note_bytes, &vk, ORIGIN).unwrap();
    assert_eq!(cp2, cp);
    let files = FileTiles(dir.clone());
    let reader = TileHashReader::new(cp.size, cp.root, &files);
    assert_eq!(tlog_tiles::tree_hash(cp.size, &reader).unwrap(), cp.root);
    for i in [0, 1, 255, 256, 65_535, 65_536, 69_999] {
        let proof = tlog_tiles::prove_record(cp.size, i, &reader).unwrap();
        let bundle = fs::read(dir.join(format!("tile/entries/{:03}", i / 256)))
            .ok()
            .unwrap_or_else(|| {
                let w = cp.size - (i / 256) * 256;
                fs::read(dir.join(format!("tile/entries/{:03}.p/{w}", i / 256))).unwrap()
            });
        let entries = verbatim_log::tiles::decode_bundle(&bundle, bundle_width(&bundle)).unwrap();
        let entry = entries[(i % 256) as usize];
        assert_eq!(Entry::decode(entry).unwrap(), note(i));
        tlog_tiles::check_record(&proof, cp.size, cp.root, i, tlog_tiles::record_hash(entry))
            .unwrap();
    }
}

fn bundle_width(b: &[u8]) -> usize {
    let (mut n, mut at) = (0, 0);
    while at + 2 <= b.len() {
        at += 2 + u16::from_be_bytes([b[at], b[at + 1]]) as usize;
        n += 1;
    }
    n
}
