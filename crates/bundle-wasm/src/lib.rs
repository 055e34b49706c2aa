//! The bundle verifier for browsers: `verbatim_bundle::verify` behind a C ABI that a
//! WebAssembly host (the verification page, `crates/server/assets/verify.html`) calls with
//! no glue library.
//!
//! The page packs the bundle's files into one buffer ([`unpack`] reads it), calls
//! [`vb_verify`], and reads back `[u32 length, little-endian][JSON]`: `{"report": {...},
//! "text": "..."}` or `{"error": "..."}`. Memory crosses the boundary through [`vb_alloc`]
//! and [`vb_free`].

use std::collections::BTreeMap;

use verbatim_log::VerifierKey;

/// Magic at the start of a packed bundle.
pub const MAGIC: &[u8; 4] = b"VBF1";

/// The key given (if any) and the bundle's files by path.
pub type Unpacked = (Option<String>, BTreeMap<String, Vec<u8>>);

/// A packed bundle: `MAGIC`, `u32` key length and the key (the court's verifier key as the
/// user gave it; empty: use the bundle's own), `u32` file count, then per file `u32` name
/// length, name (UTF-8), `u32` data length, data. All integers little-endian.
pub fn unpack(buf: &[u8]) -> Result<Unpacked, String> {
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
    let count = u32_of(take(4, "the file count")?);
    let mut files = BTreeMap::new();
    for i in 0..count {
        let nlen = u32_of(take(4, "a file name length")?);
        let name = String::from_utf8(take(nlen, "a file name")?.to_vec())
            .map_err(|_| format!("file {i}: the name is not UTF-8"))?;
        let dlen = u32_of(take(4, "a file length")?);
        let data = take(dlen, "a file")?.to_vec();
        if files.insert(name.clone(), data).is_some() {
            return Err(format!("{name} is given twice"));
        }
    }
    let key = key.trim().to_string();
    Ok(((!key.is_empty()).then_some(key), files))
}

/// Verifies a packed bundle; the JSON answer described in the module documentation.
pub fn verify_packed(buf: &[u8]) -> String {
    let result = unpack(buf).and_then(|(key, files)| {
        let key = key
            .map(|k| VerifierKey::parse(&k).map_err(|e| format!("the key you gave: {e}")))
            .transpose()?;
        let report = verbatim_bundle::verify(&files, key.as_ref());
        Ok(serde_json::json!({ "text": report.to_text(), "report": report }))
    });
    match result {
        Ok(v) => v.to_string(),
        Err(e) => serde_json::json!({ "error": e }).to_string(),
    }
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

    fn pack(key: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&(key.len() as u32).to_le_bytes());
        b.extend_from_slice(key.as_bytes());
        b.extend_from_slice(&(files.len() as u32).to_le_bytes());
        for (n, d) in files {
            b.extend_from_slice(&(n.len() as u32).to_le_bytes());
            b.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&(d.len() as u32).to_le_bytes());
            b.extend_from_slice(d);
        }
        b
    }

    #[test]
    fn packed_bundles_are_read_and_broken_ones_named() {
        let b = pack(" ", &[("a", b"x"), ("b/c", b"")]);
        let (key, files) = unpack(&b).unwrap();
        assert_eq!(key, None);
        assert_eq!(files.len(), 2);
        assert_eq!(files["a"], b"x");
        for cut in 0..b.len() {
            assert!(unpack(&b[..cut]).is_err(), "cut at {cut}");
        }
        assert!(unpack(b"XXXX").unwrap_err().contains("not a packed bundle"));
        let twice = pack("", &[("a", b"1"), ("a", b"2")]);
        assert!(unpack(&twice).unwrap_err().contains("twice"));
        // A bundle missing everything is a report, not a crash; a bad key is named.
        let v: serde_json::Value = serde_json::from_str(&verify_packed(&b)).unwrap();
        assert_eq!(v["report"]["ok"], false);
        let v: serde_json::Value =
            serde_json::from_str(&verify_packed(&pack("nonsense", &[]))).unwrap();
        assert!(v["error"].as_str().unwrap().contains("the key you gave"));
    }

    #[test]
    fn the_c_interface_round_trips() {
        let b = pack("", &[]);
        unsafe {
            let p = vb_alloc(b.len());
            std::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len());
            let out = vb_verify(p, b.len());
            vb_free(p, b.len());
            let n = u32::from_le_bytes([*out, *out.add(1), *out.add(2), *out.add(3)]) as usize;
            let json = std::slice::from_raw_parts(out.add(4), n);
            let v: serde_json::Value = serde_json::from_slice(json).unwrap();
            assert_eq!(v["report"]["problems"][0], "bundle.json is missing");
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                out,
                4 + n,
            )));
        }
    }
}
