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

/// The log's entries as JSON values (only while no recorder holds the log).
pub fn entries(dir: &Path) -> Vec<serde_json::Value> {
    ok(&["entries", "--data", dir.to_str().unwrap()])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `f` every 200 ms until it holds or `secs` pass.
pub fn wait_for(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let t = std::time::Instant::now();
    while t.elapsed().as_secs() < secs {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}

/// A child process killed (SIGKILL) when dropped, so a failing test leaves nothing behind.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn spawn(args: &[&str]) -> Child {
    Child(
        Command::new(env!("CARGO_BIN_EXE_verbatim"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the verbatim binary runs"),
    )
}

/// Segments sealed per stream, in log order: (seq, start ns, end ns, path).
pub fn segments_by_stream(
    entries: &[serde_json::Value],
) -> std::collections::BTreeMap<String, Vec<(u64, u64, u64, String)>> {
    let mut out: std::collections::BTreeMap<String, Vec<(u64, u64, u64, String)>> =
        Default::default();
    for e in entries {
        if e["kind"] == "segment_sealed" {
            out.entry(e["stream"].as_str().unwrap().to_string())
                .or_default()
                .push((
                    e["seq"].as_u64().unwrap(),
                    e["media_start_ns"].as_u64().unwrap(),
                    e["media_end_ns"].as_u64().unwrap(),
                    e["path"].as_str().unwrap().to_string(),
                ));
        }
    }
    out
}
