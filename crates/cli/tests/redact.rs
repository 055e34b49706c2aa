//! A redacted public copy end to end, on a real recording of the test courtroom: spans of a
//! microphone muted and of a camera blanked with their reasons, the touched segments
//! re-encoded (decoded here with ffmpeg: silence and black inside the spans, every sample
//! outside them as recorded), sealed beside the untouched originals, exported and verified
//! offline; bad requests are named and leave nothing behind.

mod common;

use common::{entries, ok, verbatim};
use std::path::Path;
use std::process::Command;

/// Decodes a media file with ffmpeg into raw bytes (`args` choose the output format).
fn decode(path: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-i"])
        .arg(path)
        .args(args)
        .arg("-")
        .output()
        .expect("ffmpeg is installed (scripts/install-deps installs it)");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn pcm(path: &Path) -> Vec<i16> {
    decode(path, &["-f", "s16le", "-ac", "1", "-ar", "48000"])
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Mean luma of each frame, scaled down to 32x18.
fn frame_means(path: &Path) -> Vec<f64> {
    decode(
        path,
        &["-vf", "scale=32:18", "-pix_fmt", "gray", "-f", "rawvideo"],
    )
    .chunks_exact(32 * 18)
    .map(|f| f.iter().map(|&v| v as f64).sum::<f64>() / f.len() as f64)
    .collect()
}

fn segment_at<'a>(es: &'a [serde_json::Value], stream: &str, t_ns: u64) -> &'a serde_json::Value {
    es.iter()
        .find(|e| {
            e["kind"] == "segment_sealed"
                && e["stream"] == stream
                && e["media_start_ns"].as_u64().unwrap() <= t_ns
                && e["media_end_ns"].as_u64().unwrap() > t_ns
        })
        .unwrap_or_else(|| panic!("{stream} has a segment at {t_ns} ns"))
}

#[test]
fn a_redacted_public_copy_mutes_and_blanks_only_the_declared_spans_and_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("court");
    let d = data.to_str().unwrap();
    let vkey = common::init(&data);
    ok(&[
        "record",
        "--data",
        d,
        "--test-sources",
        "--hearing",
        "h1",
        "--case",
        "2-15/2026",
        "--duration",
        "7",
        "--quiet",
    ]);
    let before = entries(&data).len();

    // Bad requests: named, and nothing is sealed or left behind.
    for (args, want) in [
        (vec!["--span", "mic9:2-3:a minor"], "no stream \"mic9\""),
        (
            vec!["--span", "mic1:3-2:a minor"],
            "must end after it starts",
        ),
        (vec!["--span", "mic1:2-3: "], "give the reason"),
        (
            vec!["--span", "mic1:2-3"],
            "STREAM[,STREAM...]:FROM-TO:REASON",
        ),
        (
            vec!["--span", "mic1:500-600:a minor"],
            "no segment lies between",
        ),
    ] {
        let mut a = vec!["redact", "--data", d, "--hearing", "h1"];
        a.extend(args);
        let out = verbatim(&a);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(want), "{a:?}: {err}");
    }
    let out = verbatim(&[
        "redact",
        "--data",
        d,
        "--hearing",
        "nope",
        "--span",
        "mic1:2-3:x",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no hearing \"nope\""));
    assert_eq!(
        entries(&data).len(),
        before,
        "a refused redaction seals nothing"
    );
    assert!(!data.join("hearings/h1/redactions").exists());

    // mic1 muted and cam1 (SMPTE bars) blanked from 2.6 s to 3.4 s, inside one segment each.
    let (from, to) = (2_600_000_000u64, 3_400_000_000u64);
    let id = ok(&[
        "redact",
        "--data",
        d,
        "--hearing",
        "h1",
        "--by",
        "judge-akhmetova",
        "--role",
        "judge",
        "--span",
        "mic1:2.6-3.4:name of a minor witness",
        "--span",
        "cam1:2.6-3.4:face of a minor witness",
    ]);
    assert_eq!(id.trim(), "r1");
    let es = entries(&data);
    let red: Vec<&serde_json::Value> = es.iter().filter(|e| e["kind"] == "redaction").collect();
    assert_eq!(red.len(), 1);
    assert_eq!(red[0]["by"], "judge-akhmetova");
    assert_eq!(red[0]["spans"][0]["reason"], "name of a minor witness");
    assert_eq!(red[0]["spans"][1]["action"], "blank");
    let replaced: Vec<&serde_json::Value> = es
        .iter()
        .filter(|e| e["kind"] == "segment_redacted")
        .collect();
    assert!(
        (2..=4).contains(&replaced.len()),
        "one or two segments per stream: {replaced:?}"
    );
    // The record itself is untouched and still verifies, with the redaction's files.
    let report = ok(&["verify", d, "--key", &vkey]);
    assert!(report.contains("OK: every entry"), "{report}");

    // Audio: silence inside the span, every sample outside it as recorded (FLAC is lossless).
    let seg = segment_at(&es, "mic1", (from + to) / 2);
    let start = seg["media_start_ns"].as_u64().unwrap();
    let r = replaced
        .iter()
        .find(|r| r["stream"] == "mic1" && r["seq"] == seg["seq"])
        .expect("the touched mic1 segment is replaced");
    assert_eq!(r["original_sha256"], seg["sha256"]);
    let original = pcm(&data.join(seg["path"].as_str().unwrap()));
    let redacted = pcm(&data.join(r["path"].as_str().unwrap()));
    assert_eq!(original.len(), redacted.len(), "same length");
    let at = |ns: u64| ((ns.saturating_sub(start)) as f64 * 48_000.0 / 1e9) as usize;
    let margin = 480; // 10 ms
    let (a, b) = (at(from), at(to).min(original.len()));
    assert!(original[a + margin..b - margin]
        .iter()
        .any(|&s| s.abs() > 1000));
    assert!(
        redacted[a + margin..b - margin].iter().all(|&s| s == 0),
        "muted inside the span"
    );
    assert_eq!(&redacted[..a - margin], &original[..a - margin]);
    assert_eq!(&redacted[b + margin..], &original[b + margin..]);

    // Video: black frames inside the span, the bars outside it.
    let seg = segment_at(&es, "cam1", (from + to) / 2);
    let start = seg["media_start_ns"].as_u64().unwrap();
    let r = replaced
        .iter()
        .find(|r| r["stream"] == "cam1" && r["seq"] == seg["seq"])
        .expect("the touched cam1 segment is replaced");
    let means = frame_means(&data.join(r["path"].as_str().unwrap()));
    let orig_means = frame_means(&data.join(seg["path"].as_str().unwrap()));
    assert_eq!(means.len(), orig_means.len(), "every frame kept");
    let frame = |ns: u64| (ns.saturating_sub(start) / 40_000_000) as usize;
    for (i, m) in means.iter().enumerate() {
        if i > frame(from) && i + 1 < frame(to) {
            assert!(*m < 20.0, "frame {i} inside the span is black: mean {m}");
        } else if i + 1 < frame(from) || i > frame(to) + 1 {
            assert!(
                (m - orig_means[i]).abs() < 6.0,
                "frame {i} outside the span is the original: {m} vs {}",
                orig_means[i]
            );
        }
    }

    // The public copy: the replacements stand in for the originals, which stay out.
    let public = dir.join("public.tar");
    let p = public.to_str().unwrap();
    ok(&[
        "export",
        "--data",
        d,
        "--hearing",
        "h1",
        "--redaction",
        "r1",
        "--out",
        p,
    ]);
    let text = ok(&["verify", p, "--key", &vkey]);
    assert!(text.contains("VERIFIED"), "{text}");
    assert!(text.contains("REDACTED PUBLIC COPY: redaction r1 by judge-akhmetova"));
    assert!(text.contains("mic1 muted 00:00:02.600 to 00:00:03.400: name of a minor witness"));
    assert!(text.contains("cam1 blanked"));
    assert!(text.contains("Transcript: withheld"));
    let listing = String::from_utf8(
        Command::new("tar")
            .args(["-tf", p])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for r in &replaced {
        let orig = es
            .iter()
            .find(|e| {
                e["kind"] == "segment_sealed" && e["stream"] == r["stream"] && e["seq"] == r["seq"]
            })
            .unwrap();
        assert!(listing.contains(r["path"].as_str().unwrap()));
        assert!(!listing.contains(orig["path"].as_str().unwrap()));
    }
    // The same hearing exported whole still carries the originals; with --derived, an MP4
    // per camera with the microphones mixed in rides along, outside the proof.
    let full = dir.join("full");
    ok(&[
        "export",
        "--data",
        d,
        "--hearing",
        "h1",
        "--derived",
        "--out",
        full.to_str().unwrap(),
    ]);
    let text = ok(&["verify", full.to_str().unwrap(), "--key", &vkey]);
    assert!(
        text.contains("VERIFIED") && !text.contains("REDACTED"),
        "{text}"
    );
    for cam in ["cam1", "cam2", "cam3", "cam4"] {
        assert!(
            text.contains(&format!("derived, NOT proven: derived/{cam}.mp4")),
            "{text}"
        );
        let probe = Command::new("ffprobe")
            .args(["-v", "error", "-show_entries"])
            .args([
                "stream=codec_type,codec_name:format=duration",
                "-of",
                "json",
            ])
            .arg(full.join(format!("derived/{cam}.mp4")))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&probe.stdout).unwrap();
        let kinds: Vec<&str> = v["streams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["codec_name"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["h264", "aac"], "{v}");
        let secs: f64 = v["format"]["duration"].as_str().unwrap().parse().unwrap();
        assert!(
            (5.0..9.0).contains(&secs),
            "{cam}: {secs} s of a 7 s recording"
        );
        // The six tones mixed without a dropout at the segment boundaries.
        let mixed = pcm(&full.join(format!("derived/{cam}.mp4")));
        let windows: Vec<f64> = mixed
            .chunks(4800)
            .map(|w| (w.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / w.len() as f64).sqrt())
            .collect();
        let inner = &windows[1..windows.len() - 1];
        assert!(
            inner.iter().all(|&r| r > 1000.0),
            "{cam}: a dropout: {inner:?}"
        );
    }
    // Each MP4 has a C2PA sidecar that a C2PA reader (the SDK's own) validates against it:
    // recorded by the court, made from the sealed segments the bundle proves.
    let mp4 = full.join("derived/cam1.mp4");
    let sidecar = std::fs::read(full.join("derived/cam1.c2pa")).unwrap();
    assert!(
        text.contains("derived, NOT proven: derived/cam1.c2pa"),
        "{text}"
    );
    let reading =
        verbatim_provenance::read_sidecar(&sidecar, std::fs::File::open(&mp4).unwrap()).unwrap();
    assert!(
        reading.failures.is_empty(),
        "{:?}\n{}",
        reading.failures,
        reading.json
    );
    assert_ne!(reading.state, "Invalid", "{}", reading.json);
    assert!(
        reading.untrusted,
        "an export's own certificate is on no trust list"
    );
    assert_eq!(
        reading.signer.as_deref(),
        Some("Demo District Court"),
        "{}",
        reading.json
    );
    let record = reading.record.expect("the kz.verbatim.record assertion");
    assert_eq!(record["hearing"], "h1");
    assert_eq!(record["camera"], "cam1");
    let sealed: Vec<&serde_json::Value> = es
        .iter()
        .filter(|e| {
            e["kind"] == "segment_sealed" && (e["stream"] == "cam1" || e["stream"] == "mic3")
        })
        .collect();
    for e in sealed {
        assert!(
            record["segments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["sha256"] == e["sha256"]),
            "{} segment {} is named in the manifest",
            e["stream"],
            e["seq"]
        );
    }
    assert!(reading.json.contains("c2pa.created") && reading.json.contains("digitalCapture"));
    // The sidecar is bound to the MP4's bytes: a changed byte of it is reported.
    let mut changed = std::fs::read(&mp4).unwrap();
    let n = changed.len();
    changed[n - 1000] ^= 0x55;
    let reading =
        verbatim_provenance::read_sidecar(&sidecar, std::io::Cursor::new(changed)).unwrap();
    assert!(!reading.failures.is_empty(), "{}", reading.json);
    let leftovers = std::fs::read_dir(data.join("work"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("derive-")
        })
        .count();
    assert_eq!(leftovers, 0, "the scratch copies are gone");
    // An unknown redaction is named.
    let out = verbatim(&[
        "export",
        "--data",
        d,
        "--hearing",
        "h1",
        "--redaction",
        "r7",
        "--out",
        dir.join("x.tar").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no redaction \"r7\"") && err.contains("it has r1"),
        "{err}"
    );
    assert!(!dir.join("x.tar").exists());
    // The listing names the hearing's redactions.
    let list = ok(&["hearings", "--data", d]);
    assert!(list.contains("redactions r1"), "{list}");
    // A second redaction gets the next id.
    let id = ok(&[
        "redact",
        "--data",
        d,
        "--hearing",
        "h1",
        "--span",
        "mic2,mic3:4.1-4.5:personal data",
    ]);
    assert_eq!(id.trim(), "r2");
    let report = ok(&["verify", d, "--key", &vkey]);
    assert!(report.contains("OK: every entry"), "{report}");
}
