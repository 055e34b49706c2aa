//! kill -9 of a real process in the middle of appending, hundreds of times. After each kill
//! the log must reopen, hold every acknowledged entry unchanged, verify against its signed
//! checkpoint, and never have signed two different roots for one size.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use verbatim_log::checkpoint::open_checkpoint;
use verbatim_log::tree::{to_hex, verify_consistency, Hash};
use verbatim_log::{verify_dir, Log, SignerKey, VerifierKey, VerifyOptions};

const KILLS: usize = 300;

#[test]
fn kill_dash_nine_loses_nothing_acknowledged() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("court");
    let vkey_text = common::init(&root);
    let vkey = VerifierKey::parse(&vkey_text).unwrap();
    let origin = vkey.name().to_string();
    let skey = std::fs::read_to_string(root.join("keys/court.key")).unwrap();

    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let mut signed: BTreeMap<u64, Hash> = BTreeMap::new();
    let mut last: Option<(u64, Hash)> = None;
    let mut rng = fastrand::Rng::with_seed(9);
    let mut torn = 0;
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
            .args(["append-loop", "--data", root.to_str().unwrap()])
            .args(["--checkpoint-every", &rng.u64(1..12).to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        // Let it open the log and append for a random while, then kill -9.
        let wait = Duration::from_micros(rng.u64(2_000..40_000));
        let t = Instant::now();
        while t.elapsed() < wait {
            std::thread::sleep(Duration::from_micros(500));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for line in reader.join().unwrap() {
            if let Some(rest) = line.strip_prefix("ack ") {
                let (i, h) = rest.split_once(' ').unwrap();
                acked.insert(i.parse().unwrap(), h.to_string());
            }
        }

        // The checkpoint on disk, as a reader would see it right after the crash.
        let note = std::fs::read(root.join("log/checkpoint")).unwrap();
        let cp = open_checkpoint(&note, &vkey, &origin).unwrap();
        if let Some(prev) = signed.insert(cp.size, cp.root) {
            assert_eq!(
                prev, cp.root,
                "round {round}: two roots signed for size {}",
                cp.size
            );
        }

        // A single write(2) is not torn by SIGKILL, but a power cut can leave part of the
        // record that was being appended: add one in a third of the rounds.
        if rng.u8(..3) == 0 {
            use std::io::Write;
            let mut record = 300u32.to_be_bytes().to_vec();
            record.extend((0..300 + 32).map(|_| rng.u8(..)));
            let cut = rng.usize(1..record.len());
            let mut j = std::fs::OpenOptions::new()
                .append(true)
                .open(root.join("log/journal"))
                .unwrap();
            j.write_all(&record[..cut]).unwrap();
        }

        // Reopen as the next recorder start would.
        let (log, recovery) =
            Log::open(&root.join("log"), &origin, SignerKey::parse(&skey).unwrap())
                .unwrap_or_else(|e| panic!("round {round}: the log does not reopen: {e}"));
        if recovery.truncated_bytes > 0 {
            torn += 1;
        }
        assert!(log.size() >= acked.keys().next_back().map_or(0, |i| i + 1));
        for (&i, h) in acked.range(acked.len().saturating_sub(64) as u64..) {
            assert!(i < log.size(), "round {round}: acknowledged entry {i} lost");
            assert_eq!(
                &to_hex(&log.tree().leaf(i).unwrap().0),
                h,
                "entry {i} changed"
            );
        }
        let now = log.checkpoint().clone();
        assert!(now.size >= cp.size);
        if let Some(prev) = signed.insert(now.size, now.root) {
            assert_eq!(
                prev, now.root,
                "round {round}: two roots for size {}",
                now.size
            );
        }
        if let Some((size, root)) = last {
            let proof = log.tree().consistency_proof(size, now.size).unwrap();
            verify_consistency(size, root, now.size, now.root, &proof)
                .unwrap_or_else(|e| panic!("round {round}: not consistent with size {size}: {e}"));
        }
        last = Some((now.size, now.root));
        drop(log);
        if round % 50 == 49 {
            let report = verify_dir(
                &root,
                &VerifyOptions {
                    key: Some(vkey.clone()),
                    ..Default::default()
                },
            );
            assert!(report.ok, "round {round}: {}", report.to_text());
        }
    }
    // every acknowledged entry, from every round, is in the final log unchanged
    let (log, _) = Log::open(&root.join("log"), &origin, SignerKey::parse(&skey).unwrap()).unwrap();
    for (&i, h) in &acked {
        assert_eq!(&to_hex(&log.tree().leaf(i).unwrap().0), h, "entry {i}");
    }
    assert!(
        acked.len() > KILLS,
        "only {} appends acknowledged",
        acked.len()
    );
    eprintln!(
        "{KILLS} kills: {} entries acknowledged, {} checkpoints seen, {torn} torn tails repaired",
        acked.len(),
        signed.len()
    );
}
