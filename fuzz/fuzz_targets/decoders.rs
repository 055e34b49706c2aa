//! Every decoder of bytes that cross a boundary, on arbitrary input: entries, signed
//! checkpoints, tile paths, entry bundles and proofs. None may panic; what an entry decoder
//! accepts must re-encode to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use verbatim_log::checkpoint::{open_checkpoint, parse_unverified, VerifierKey};
use verbatim_log::tiles::{decode_bundle, TileRef};
use verbatim_log::tree::{verify_consistency, verify_inclusion, verify_range, Hash};
use verbatim_log::Entry;

// The known-answer key from Go's sumdb/note tests.
const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

fn key() -> &'static VerifierKey {
    static K: OnceLock<VerifierKey> = OnceLock::new();
    K.get_or_init(|| VerifierKey::parse(VKEY).unwrap())
}

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = Entry::decode(data) {
        if !matches!(e, Entry::Unrecognized { .. }) {
            assert_eq!(e.encode().unwrap(), data);
        }
    }
    let _ = open_checkpoint(data, key(), "PeterNeumann");
    let _ = parse_unverified(data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(t) = TileRef::from_path(s) {
            assert_eq!(t.path(), s);
        }
        let _ = VerifierKey::parse(s);
    }
    let _ = decode_bundle(data, data.first().copied().unwrap_or(0) as usize);
    if data.len() >= 16 {
        let a = u64::from_le_bytes(data[..8].try_into().unwrap());
        let b = u64::from_le_bytes(data[8..16].try_into().unwrap());
        let hashes: Vec<Hash> = data[16..]
            .chunks_exact(32)
            .map(|c| Hash(c.try_into().unwrap()))
            .collect();
        let h = hashes.first().copied().unwrap_or_default();
        let _ = verify_inclusion(h, a, b, h, &hashes);
        let _ = verify_consistency(a, h, b, h, &hashes);
        let split = hashes.len() / 2;
        let _ = verify_range(&hashes[..split], a, b, h, &hashes[split..]);
    }
});
