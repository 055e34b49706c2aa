//! 10,000 random acts of tampering with a sealed court directory: a flipped byte, a deleted,
//! truncated, swapped or added file. `verify` must catch every one, and name the file.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use verbatim_log::{verify_dir, VerifierKey, VerifyOptions};

const ROUNDS: usize = 10_000;

/// Files that are not evidence: the configuration, the private key, the catalog.
fn is_record(rel: &str) -> bool {
    rel != "verbatim.toml" && rel != "keys/court.key" && !rel.starts_with("catalog.sqlite")
}

fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

#[derive(Debug)]
enum Act {
    Flip(String, usize),
    Delete(String),
    Truncate(String, usize),
    Swap(String, String),
    Add(String),
}

#[test]
fn every_tampering_is_detected_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("court");
    let vkey = common::sealed_court(&root, 20);
    let opts = VerifyOptions {
        key: Some(VerifierKey::parse(&vkey).unwrap()),
        origin: None,
        threads: 1,
    };
    let pristine = snapshot(&root);
    let files: Vec<String> = pristine.keys().filter(|k| is_record(k)).cloned().collect();
    let dirs: Vec<PathBuf> = {
        let mut d: Vec<PathBuf> = files
            .iter()
            .map(|f| Path::new(f).parent().unwrap().to_path_buf())
            .collect();
        d.sort();
        d.dedup();
        d
    };
    assert!(files.len() > 100, "{} files", files.len());
    assert!(
        verify_dir(&root, &opts).ok,
        "the pristine directory verifies"
    );

    let mut rng = fastrand::Rng::with_seed(2026);
    let mut counts = BTreeMap::new();
    for round in 0..ROUNDS {
        let pick = |rng: &mut fastrand::Rng| files[rng.usize(..files.len())].clone();
        let act = match rng.u8(..5) {
            0 => {
                let f = pick(&mut rng);
                let at = rng.usize(..pristine[&f].len());
                Act::Flip(f, at)
            }
            1 => Act::Delete(pick(&mut rng)),
            2 => {
                let f = pick(&mut rng);
                let at = rng.usize(..pristine[&f].len());
                Act::Truncate(f, at)
            }
            3 => loop {
                let (a, b) = (pick(&mut rng), pick(&mut rng));
                if pristine[&a] != pristine[&b] {
                    break Act::Swap(a, b);
                }
            },
            _ => {
                let d = &dirs[rng.usize(..dirs.len())];
                let name = match rng.u8(..3) {
                    0 => format!("{:06}.mp4", rng.u32(..1000)),
                    1 => format!("extra-{}", rng.u32(..)),
                    _ => ".hidden".to_string(),
                };
                let rel = d.join(name).display().to_string();
                if pristine.contains_key(&rel) {
                    continue;
                }
                Act::Add(rel)
            }
        };
        let path = |rel: &str| root.join(rel);
        let mut touched: Vec<String> = Vec::new();
        let mut added: Option<String> = None;
        match &act {
            Act::Flip(f, at) => {
                let mut b = pristine[f].clone();
                b[*at] ^= 1 << rng.u8(..8);
                fs::write(path(f), b).unwrap();
                touched.push(f.clone());
            }
            Act::Delete(f) => {
                fs::remove_file(path(f)).unwrap();
                touched.push(f.clone());
            }
            Act::Truncate(f, at) => {
                fs::write(path(f), &pristine[f][..*at]).unwrap();
                touched.push(f.clone());
            }
            Act::Swap(a, b) => {
                fs::write(path(a), &pristine[b]).unwrap();
                fs::write(path(b), &pristine[a]).unwrap();
                touched.extend([a.clone(), b.clone()]);
            }
            Act::Add(rel) => {
                let bytes = if rng.bool() {
                    pristine[&files[rng.usize(..files.len())]].clone()
                } else {
                    let mut b = vec![0u8; rng.usize(..5000)];
                    rng.fill(&mut b);
                    b
                };
                fs::write(path(rel), bytes).unwrap();
                added = Some(rel.clone());
            }
        }

        let report = verify_dir(&root, &opts);
        assert!(!report.ok, "round {round}: {act:?} went undetected");
        let named: Vec<&str> = report.problems.iter().map(|p| p.path.as_str()).collect();
        let expect: Vec<&String> = touched.iter().chain(added.iter()).collect();
        assert!(
            expect.iter().any(|f| named.contains(&f.as_str())),
            "round {round}: {act:?} detected but not named: {:#?}",
            report.problems
        );
        *counts
            .entry(format!("{act:?}").split('(').next().unwrap().to_string())
            .or_insert(0) += 1;

        for f in &touched {
            fs::write(path(f), &pristine[f]).unwrap();
        }
        if let Some(a) = added {
            fs::remove_file(path(&a)).unwrap();
        }
        if round % 1000 == 999 {
            assert!(verify_dir(&root, &opts).ok, "restored after round {round}");
        }
    }
    eprintln!("tampering detected and named: {counts:?}");
}
