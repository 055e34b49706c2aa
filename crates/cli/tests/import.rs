//! `verbatim import` on real files made by another tool (ffmpeg): MP4, MKV, MPEG-TS and WAV
//! come in as segments sealed with their provenance, the data directory verifies, and a
//! bundle of the hearing says the streams were imported; truncated files, garbage and text
//! are refused with the file and the problem named, and nothing of a failed import remains.

mod common;

use common::{ok, verbatim};
use std::path::Path;
use std::process::Command;

fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed (scripts/install-deps installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn entries(data: &Path) -> Vec<serde_json::Value> {
    ok(&["entries", "--data", data.to_str().unwrap()])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn outside_recordings_are_imported_with_provenance_and_bad_files_are_refused_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("court");
    let d = data.to_str().unwrap();
    let vkey = ok(&[
        "init",
        "--data",
        d,
        "--court",
        "almaty",
        "--admin-password",
        "a long password",
    ])
    .trim()
    .to_string();
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let (mp4, mkv, ts, wav) = (f("home.mp4"), f("home.mkv"), f("home.ts"), f("clerk.wav"));
    let video = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30"];
    let audio = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"];
    let av = |extra: &[&str], out: &str| {
        let mut a: Vec<&str> = video.to_vec();
        a.extend(audio);
        a.extend(["-t", "5"]);
        a.extend(extra);
        a.push(out);
        ffmpeg(&a);
    };
    av(
        &["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
        &mp4,
    );
    av(
        &[
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "libmp3lame",
        ],
        &mkv,
    );
    av(&["-c:v", "mpeg2video", "-c:a", "mp2"], &ts);
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=300:sample_rate=16000",
        "-t",
        "3",
        &wav,
    ]);

    // Bad files first: each refused, named, and nothing imported, even with good files
    // alongside.
    let trunc = f("cut.mkv");
    let bytes = std::fs::read(&mkv).unwrap();
    std::fs::write(&trunc, &bytes[..bytes.len() / 2]).unwrap();
    let headless = f("cut.mp4");
    let bytes = std::fs::read(&mp4).unwrap();
    std::fs::write(&headless, &bytes[..bytes.len() / 2]).unwrap();
    let garbage = f("garbage.avi");
    std::fs::write(
        &garbage,
        (0..50_000u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let text = f("notes.txt");
    std::fs::write(&text, "протокол судебного заседания\n").unwrap();
    let before = entries(&data).len();
    for (bad, why) in [
        (&trunc, "truncated or damaged"),
        (&headless, "not media GStreamer can decode"),
        (&garbage, "not media GStreamer can decode"),
        (&text, "not media GStreamer can decode"),
        (&f("missing.mp4"), "no such file"),
    ] {
        let out = verbatim(&["import", "--data", d, "--hearing", "hhome", &mp4, bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(bad.as_str()) && err.contains(why),
            "{bad}: {err}"
        );
        assert_eq!(entries(&data).len(), before, "{bad}: nothing sealed");
        assert!(
            !data.join("hearings/hhome").exists(),
            "{bad}: no files left"
        );
        let work = data.join("work");
        assert!(
            !work.exists() || std::fs::read_dir(&work).unwrap().count() == 0,
            "{bad}: no scratch left"
        );
    }

    // Good files: one hearing that the log did not have, the files one after another.
    let out = verbatim(&[
        "import",
        "--data",
        d,
        "--hearing",
        "hhome",
        "--case",
        "2-77/2026",
        "--by",
        "clerk",
        &mp4,
        &mkv,
        &ts,
        &wav,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let es = entries(&data);
    let imported: Vec<&serde_json::Value> = es
        .iter()
        .filter(|e| e["kind"] == "media_imported")
        .collect();
    let streams: Vec<&str> = imported
        .iter()
        .map(|e| e["stream"].as_str().unwrap())
        .collect();
    assert_eq!(
        streams,
        [
            "import1-video",
            "import1-audio",
            "import2-video",
            "import2-audio",
            "import3-video",
            "import3-audio",
            "import4-audio"
        ]
    );
    let sha = |p: &str| {
        use sha2::Digest;
        verbatim_log::tree::to_hex(&sha2::Sha256::digest(std::fs::read(p).unwrap()))
    };
    assert_eq!(imported[0]["source_name"], "home.mp4");
    assert_eq!(imported[0]["source_sha256"], sha(&mp4));
    assert_eq!(imported[6]["source_sha256"], sha(&wav));
    assert_eq!(imported[0]["by"], "clerk");
    assert!(imported[2]["source_format"]
        .as_str()
        .unwrap()
        .contains("video/x-h264"));
    assert!(imported[4]["source_format"]
        .as_str()
        .unwrap()
        .contains("video/mpeg"));
    // Placed one after another: each file starts where the one before ended.
    let offset = |i: usize| imported[i]["media_offset_ns"].as_u64().unwrap();
    assert_eq!(offset(0), 0);
    assert!(
        (offset(2) as i64 - 5_000_000_000).abs() < 200_000_000,
        "{}",
        offset(2)
    );
    assert!(
        (offset(6) as i64 - 15_000_000_000).abs() < 600_000_000,
        "{}",
        offset(6)
    );
    // Segments like native ones: 2 s, MP4 video and Matroska audio, numbered from 0.
    let segs: Vec<&serde_json::Value> = es
        .iter()
        .filter(|e| e["kind"] == "segment_sealed" && e["stream"] == "import1-video")
        .collect();
    assert_eq!(segs.len(), 3);
    assert!(segs[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("import1-video/000000.mp4"));
    let v = verbatim(&["verify", d, "--key", &vkey]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    let list = ok(&["hearings", "--data", d]);
    assert!(
        list.contains("hhome") && list.contains("7 imported stream(s): lower assurance"),
        "{list}"
    );

    // A bundle of the hearing discloses the provenance and says what it means.
    let b = dir.join("b.tar");
    let out = verbatim(&[
        "export",
        "--data",
        d,
        "--hearing",
        "hhome",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = verbatim(&["verify", b.to_str().unwrap(), "--key", &vkey]);
    let report = String::from_utf8_lossy(&v.stdout);
    assert!(v.status.success(), "{report}");
    assert!(
        report.contains("import1-video imported from home.mp4")
            && report.contains("LOWER ASSURANCE"),
        "{report}"
    );
}
