//! Hostile input to every decoder: keys, signed notes, checkpoints, tile paths, bundles and
//! journals. Each is refused with an error, never a panic; nothing altered is accepted.

use verbatim_log::checkpoint::{generate_key, open_checkpoint, open_note, CheckpointError};
use verbatim_log::tiles::{decode_bundle, TileRef};
use verbatim_log::tree::leaf_hash;
use verbatim_log::{Log, SignerKey, VerifierKey};

fn mutate(rng: &mut fastrand::Rng, good: &[u8]) -> Vec<u8> {
    let mut b = good.to_vec();
    for _ in 0..rng.usize(1..4) {
        if b.is_empty() {
            b.push(rng.u8(..));
            continue;
        }
        let i = rng.usize(..b.len());
        match rng.u8(..5) {
            0 => b[i] = rng.u8(..),
            1 => b[i] ^= 1 << rng.u8(..8),
            2 => {
                b.remove(i);
            }
            3 => b.insert(i, *b"\n+ \xe2\x80\x94".get(rng.usize(..6)).unwrap()),
            _ => b.truncate(i),
        }
    }
    b
}

#[test]
fn altered_checkpoints_are_never_accepted() {
    let (skey, vkey) = generate_key("court.example/log").unwrap();
    let signer = SignerKey::parse(&skey).unwrap();
    let vk = VerifierKey::parse(&vkey).unwrap();
    let cp = signer
        .sign_checkpoint("court.example/log", 1234, leaf_hash(b"root"))
        .unwrap();
    assert_eq!(
        open_checkpoint(&cp.note, &vk, "court.example/log").unwrap(),
        cp
    );
    let mut rng = fastrand::Rng::with_seed(11);
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..20_000 {
        let bad = mutate(&mut rng, &cp.note);
        match open_checkpoint(&bad, &vk, "court.example/log") {
            // a mutation may only be accepted if it left the signed text unchanged
            Ok(got) => assert_eq!(
                (got.size, got.root, got.origin),
                (cp.size, cp.root, cp.origin.clone())
            ),
            Err(e) => {
                kinds.insert(std::mem::discriminant(&e));
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(kinds.len() >= 3, "several distinct, specific errors");
    // specific refusals
    let text = String::from_utf8(cp.note.clone()).unwrap();
    assert!(matches!(
        open_checkpoint(
            text.replace("1234", "1235").as_bytes(),
            &vk,
            "court.example/log"
        ),
        Err(CheckpointError::BadSignature { .. })
    ));
    assert!(matches!(
        open_checkpoint(&cp.note, &vk, "court.example/other"),
        Err(CheckpointError::OriginMismatch { .. })
    ));
    let (_, other) = generate_key("someone.else").unwrap();
    assert!(matches!(
        open_note(&cp.note, &VerifierKey::parse(&other).unwrap()),
        Err(CheckpointError::NotSignedByKey { .. })
    ));
    for junk in [&b""[..], b"\n\n", b"a\n\n\xe2\x80\x94 x y\n", b"\xff\xfe"] {
        assert!(open_checkpoint(junk, &vk, "court.example/log").is_err());
    }
    // a signed note whose text is not a checkpoint
    let note = signer.sign_note(b"hello\n").unwrap();
    assert!(matches!(
        open_checkpoint(&note, &vk, "court.example/log"),
        Err(CheckpointError::MalformedCheckpoint)
    ));
}

#[test]
fn malformed_keys_are_refused() {
    let (skey, vkey) = generate_key("k").unwrap();
    let mut rng = fastrand::Rng::with_seed(12);
    for _ in 0..5000 {
        let v = mutate(&mut rng, vkey.as_bytes());
        if let Ok(s) = std::str::from_utf8(&v) {
            if let Ok(k) = VerifierKey::parse(s) {
                assert_eq!(k.as_str(), vkey.trim(), "accepted an altered key {s:?}");
            }
        }
        let s = mutate(&mut rng, skey.as_bytes());
        if let Ok(s) = std::str::from_utf8(&s) {
            if let Ok(k) = SignerKey::parse(s) {
                assert_eq!(k.verifier_key().as_str(), vkey);
            }
        }
    }
    assert!(generate_key("has space").is_err());
    assert!(generate_key("a+b").is_err());
}

#[test]
fn tile_paths_and_bundles_never_panic() {
    let mut rng = fastrand::Rng::with_seed(13);
    let alphabet = b"tile/entris0123456789xp.";
    for _ in 0..50_000 {
        let n = rng.usize(..40);
        let s: String = (0..n)
            .map(|_| alphabet[rng.usize(..alphabet.len())] as char)
            .collect();
        let s = if rng.bool() { format!("tile/{s}") } else { s };
        if let Some(t) = TileRef::from_path(&s) {
            assert_eq!(t.path(), s);
        }
        let mut b = vec![0u8; rng.usize(..64)];
        rng.fill(&mut b);
        let _ = decode_bundle(&b, rng.usize(..300));
    }
    for p in [
        "tile/100/000",
        "tile/0/000.p/0",
        "tile/0/000.p/999",
        "tile/entries/x999/x999/x999/x999/x999/999",
    ] {
        assert!(TileRef::from_path(p).is_none(), "{p}");
    }
}

#[test]
fn garbage_journals_are_refused_or_repaired_never_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let (skey, _) = generate_key("j.test").unwrap();
    let dir = tmp.path().join("log");
    drop(Log::create(&dir, "j.test", SignerKey::parse(&skey).unwrap()).unwrap());
    let good = std::fs::read(dir.join("journal")).unwrap();
    let mut rng = fastrand::Rng::with_seed(14);
    for _ in 0..300 {
        let mut j = mutate(&mut rng, &good);
        let mut tail = vec![0u8; rng.usize(..200)];
        rng.fill(&mut tail);
        j.extend(tail);
        std::fs::write(dir.join("journal"), &j).unwrap();
        match Log::open(&dir, "j.test", SignerKey::parse(&skey).unwrap()) {
            Ok((log, _)) => assert_eq!(log.size(), 0),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}
