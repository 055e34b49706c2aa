//! The bundle verifier for browsers: `verbatim_bundle::verify` behind a C ABI that a
//! WebAssembly host (the verification page, `crates/bundle/assets/verify.html`) calls with
//! no glue library.
//!
//! A whole hearing is gigabytes, more than a page should hold in memory (and more than
//! 32-bit WebAssembly can). So the page hashes the media itself, a slice of a file at a time,
//! with this module's SHA-256 ([`vb_sha256_reset`], [`vb_sha256_update`],
//! [`vb_sha256_finish`]), and hands over only the small files (manifest, key, checkpoint,
//! log excerpt, proofs) by value and the media as (path, size, SHA-256). [`unpack`] reads
//! that buffer; [`vb_verify`] answers `[u32 length, little-endian][JSON]`:
//! `{"report": {...}, "text": "..."}` or `{"error": "..."}`. Memory crosses the boundary
//! through [`vb_alloc`] and [`vb_free`].

use std::cell::RefCell;
use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use verbatim_bundle::Files;
use verbatim_log::VerifierKey;

/// Magic at the start of a packed bundle.
pub const MAGIC: &[u8; 4] = b"VBF2";

/// A bundle as the page hands it over: small files by value, the others hashed.
#[derive(Debug, Default)]
pub struct Packed {
    /// The court's verifier key as the user gave it (`None`: use the bundle's own).
    pub key: Option<String>,
    pub small: BTreeMap<String, Vec<u8>>,
    /// Path -> (SHA-256, size).
    pub hashed: BTreeMap<String, ([u8; 32], u64)>,
}

impl Files for Packed {
    fn read(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        match (self.small.get(path), self.hashed.get(path)) {
            (Some(b), _) if b.len() as u64 > limit => {
                Err(format!("{path} is larger than {limit} bytes"))
            }
            (Some(b), _) => Ok(Some(b.clone())),
            (None, Some(_)) => Err(format!("{path} was hashed, not read, by the page")),
            (None, None) => Ok(None),
        }
    }

    fn digest(&self, path: &str) -> Result<Option<([u8; 32], u64)>, String> {
        if let Some(d) = self.hashed.get(path) {
            return Ok(Some(*d));
        }
        Ok(self
            .small
            .get(path)
            .map(|b| (Sha256::digest(b).into(), b.len() as u64)))
    }

    fn list(&self) -> (Vec<String>, Vec<String>) {
        let mut names: Vec<String> = self
            .small
            .keys()
            .chain(self.hashed.keys())
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        (names, Vec::new())
    }
}

/// Reads a packed bundle: `MAGIC`; `u32` key length and the key (empty: none); `u32` count
/// of small files, each `u32` name length, name (UTF-8), `u32` length, bytes; `u32` count of
/// hashed files, each `u32` name length, name, `u64` size, 32-byte SHA-256. Integers are
/// little-endian.
pub fn unpack(buf: &[u8]) -> Result<Packed, String> {
    let mut at = 0usize;
    let mut take = |n: usize, what: &str| -> Result<&[u8], String> {
        let end = at
            .checked_add(n)
            .filter(|&e| e <= buf.len())
            .ok_or_else(|| format!("the packed bundle ends inside {what}"))?;
        let s = &buf[at..end];
        at = end;
        Ok(s)
    };
    if take(4, "its header")? != MAGIC {
        return Err("not a packed bundle".into());
    }
    let u32_of = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let klen = u32_of(take(4, "the key length")?);
    let key = String::from_utf8(take(klen, "the key")?.to_vec())
        .map_err(|_| "the key is not UTF-8".to_string())?;
    let mut p = Packed {
        key: Some(key.trim().to_string()).filter(|k| !k.is_empty()),
        ..Default::default()
    };
    let count = u32_of(take(4, "the file count")?);
    for i in 0..count {
        let nlen = u32_of(take(4, "a file name length")?);
        let name = String::from_utf8(take(nlen, "a file name")?.to_vec())
            .map_err(|_| format!("file {i}: the name is not UTF-8"))?;
        let dlen = u32_of(take(4, "a file length")?);
        let data = take(dlen, "a file")?.to_vec();
        if p.small.insert(name.clone(), data).is_some() {
            return Err(format!("{name} is given twice"));
        }
    }
    let count = u32_of(take(4, "the hashed file count")?);
    for i in 0..count {
        let nlen = u32_of(take(4, "a file name length")?);
        let name = String::from_utf8(take(nlen, "a file name")?.to_vec())
            .map_err(|_| format!("hashed file {i}: the name is not UTF-8"))?;
        let size = take(8, "a file size")?;
        let size = u64::from_le_bytes(size.try_into().expect("8 bytes"));
        let hash: [u8; 32] = take(32, "a hash")?.try_into().expect("32 bytes");
        if p.small.contains_key(&name) || p.hashed.insert(name.clone(), (hash, size)).is_some() {
            return Err(format!("{name} is given twice"));
        }
    }
    if at != buf.len() {
        return Err("bytes after the last file".into());
    }
    Ok(p)
}

/// Verifies a packed bundle; the JSON answer described in the module documentation.
pub fn verify_packed(buf: &[u8]) -> String {
    let result = unpack(buf).and_then(|p| {
        let key = p
            .key
            .as_deref()
            .map(|k| VerifierKey::parse(k).map_err(|e| format!("the key you gave: {e}")))
            .transpose()?;
        let report = verbatim_bundle::verify_with(&p, key.as_ref(), 1);
        Ok(serde_json::json!({ "text": report.to_text(), "report": report }))
    });
    match result {
        Ok(v) => v.to_string(),
        Err(e) => serde_json::json!({ "error": e }).to_string(),
    }
}

thread_local! {
    static HASHER: RefCell<Sha256> = RefCell::new(Sha256::new());
}

/// Starts a new SHA-256 (of one file, fed in slices).
#[no_mangle]
pub extern "C" fn vb_sha256_reset() {
    HASHER.with(|h| *h.borrow_mut() = Sha256::new());
}

/// Feeds `len` bytes at `p` (memory from [`vb_alloc`]) to the running SHA-256.
///
/// # Safety
/// `p..p + len` must be memory from [`vb_alloc`] that the host has filled.
#[no_mangle]
pub unsafe extern "C" fn vb_sha256_update(p: *const u8, len: usize) {
    let data = std::slice::from_raw_parts(p, len);
    HASHER.with(|h| h.borrow_mut().update(data));
}

/// Writes the SHA-256 of everything fed since the last reset to the 32 bytes at `out`.
///
/// # Safety
/// `out..out + 32` must be memory from [`vb_alloc`].
#[no_mangle]
pub unsafe extern "C" fn vb_sha256_finish(out: *mut u8) {
    let digest = HASHER.with(|h| std::mem::take(&mut *h.borrow_mut()).finalize());
    std::ptr::copy_nonoverlapping(digest.as_ptr(), out, 32);
}

/// Memory for the host to write into: `len` bytes, freed with [`vb_free`].
#[no_mangle]
pub extern "C" fn vb_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Frees memory from [`vb_alloc`] or [`vb_verify`].
///
/// # Safety
/// `p` and `cap` must be exactly a pointer and length this module handed out, freed once.
#[no_mangle]
pub unsafe extern "C" fn vb_free(p: *mut u8, cap: usize) {
    drop(Vec::from_raw_parts(p, 0, cap.max(1)));
}

/// Verifies the packed bundle at `p` (`len` bytes, from [`vb_alloc`]) and returns a buffer
/// of `4 + n` bytes: the JSON answer's length `n` (u32, little-endian) and the answer. The
/// host frees it with `vb_free(ptr, 4 + n)`.
///
/// # Safety
/// `p..p + len` must be memory from [`vb_alloc`] that the host has filled.
#[no_mangle]
pub unsafe extern "C" fn vb_verify(p: *const u8, len: usize) -> *mut u8 {
    let input = std::slice::from_raw_parts(p, len);
    let json = verify_packed(input);
    let mut out = Vec::with_capacity(4 + json.len());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    let mut out = out.into_boxed_slice();
    let ptr = out.as_mut_ptr();
    std::mem::forget(out);
    ptr
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(key: &str, small: &[(&str, &[u8])], hashed: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&(key.len() as u32).to_le_bytes());
        b.extend_from_slice(key.as_bytes());
        b.extend_from_slice(&(small.len() as u32).to_le_bytes());
        for (n, d) in small {
            b.extend_from_slice(&(n.len() as u32).to_le_bytes());
            b.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&(d.len() as u32).to_le_bytes());
            b.extend_from_slice(d);
        }
        b.extend_from_slice(&(hashed.len() as u32).to_le_bytes());
        for (n, d) in hashed {
            b.extend_from_slice(&(n.len() as u32).to_le_bytes());
            b.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&(d.len() as u64).to_le_bytes());
            b.extend_from_slice(&Sha256::digest(d));
        }
        b
    }

    #[test]
    fn packed_bundles_are_read_and_broken_ones_named() {
        let b = pack(" ", &[("a", b"x"), ("b/c", b"")], &[("m.mkv", b"media")]);
        let p = unpack(&b).unwrap();
        assert_eq!(p.key, None);
        assert_eq!(p.small.len(), 2);
        assert_eq!(p.small["a"], b"x");
        assert_eq!(p.digest("m.mkv").unwrap().unwrap().1, 5);
        assert_eq!(
            p.digest("a").unwrap().unwrap().0,
            <[u8; 32]>::from(Sha256::digest(b"x"))
        );
        assert!(p.read("m.mkv", 100).is_err());
        assert_eq!(p.list().0, vec!["a", "b/c", "m.mkv"]);
        for cut in 0..b.len() {
            assert!(unpack(&b[..cut]).is_err(), "cut at {cut}");
        }
        assert!(unpack(&[b.as_slice(), b"x"].concat()).is_err());
        assert!(unpack(b"VBF1").unwrap_err().contains("not a packed bundle"));
        let twice = pack("", &[("a", b"1")], &[("a", b"2")]);
        assert!(unpack(&twice).unwrap_err().contains("twice"));
        // A bundle missing everything is a report, not a crash; a bad key is named.
        let v: serde_json::Value = serde_json::from_str(&verify_packed(&b)).unwrap();
        assert_eq!(v["report"]["ok"], false);
        let v: serde_json::Value =
            serde_json::from_str(&verify_packed(&pack("nonsense", &[], &[]))).unwrap();
        assert!(v["error"].as_str().unwrap().contains("the key you gave"));
    }

    #[test]
    fn the_c_interface_hashes_in_slices_and_verifies() {
        unsafe {
            // SHA-256 fed in two slices equals SHA-256 of the whole.
            let data = b"a segment of media, fed in slices";
            let p = vb_alloc(data.len());
            std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len());
            vb_sha256_reset();
            vb_sha256_update(p, 10);
            vb_sha256_update(p.add(10), data.len() - 10);
            let out = vb_alloc(32);
            vb_sha256_finish(out);
            assert_eq!(
                std::slice::from_raw_parts(out, 32),
                Sha256::digest(data).as_slice()
            );
            vb_free(out, 32);
            vb_free(p, data.len());

            let b = pack("", &[], &[]);
            let p = vb_alloc(b.len());
            std::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len());
            let out = vb_verify(p, b.len());
            vb_free(p, b.len());
            let n = u32::from_le_bytes([*out, *out.add(1), *out.add(2), *out.add(3)]) as usize;
            let json = std::slice::from_raw_parts(out.add(4), n);
            let v: serde_json::Value = serde_json::from_slice(json).unwrap();
            assert_eq!(v["report"]["problems"][0], "bundle.json is missing");
            vb_free(out, 4 + n);
        }
    }
}
