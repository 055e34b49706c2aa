//! Helpers shared by the end-to-end tests: they drive the real `verbatim` binary.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn verbatim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(args)
        .output()
        .expect("the verbatim binary runs")
}

pub fn ok(args: &[&str]) -> String {
    let out = verbatim(args);
    assert!(
        out.status.success(),
        "verbatim {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A new court data directory; returns its verifier key.
pub fn init(dir: &Path) -> String {
    ok(&["init", "--data", dir.to_str().unwrap()])
        .trim()
        .to_string()
}

/// A court data directory with one simulated hearing of small generated segments.
pub fn sealed_court(dir: &Path, seconds: u64) -> String {
    let vkey = init(dir);
    ok(&[
        "simulate",
        "--data",
        dir.to_str().unwrap(),
        "--hearing",
        "h1",
        "--seconds",
        &seconds.to_string(),
        "--segment-bytes",
        "3000",
        "--mic-bytes",
        "700",
    ]);
    vkey
}
