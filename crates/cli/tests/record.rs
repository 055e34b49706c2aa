//! Recording a courtroom end to end with the real binary and real GStreamer pipelines:
//! segmenting and sealing, sync across streams, a camera lost and restored, kill -9 of the
//! recorder, SIGTERM, and a disk that fills up.

mod common;

use common::{entries, free_port, ok, segments_by_stream, spawn, verbatim, wait_for};
use gstreamer as gst;
use gstreamer::prelude::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

/// Decodes a segment file to the end; returns how many buffers came out.
fn decode(path: &Path, chain: &str) -> usize {
    gst::init().unwrap();
    let p = gst::parse::launch(&format!(
        "filesrc location=\"{}\" ! {chain} ! fakesink name=out signal-handoffs=true",
        path.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = count.clone();
    p.by_name("out")
        .unwrap()
        .connect("handoff", false, move |_| {
            c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        });
    p.set_state(gst::State::Playing).unwrap();
    let bus = p.bus().unwrap();
    loop {
        let msg = bus
            .timed_pop(gst::ClockTime::from_seconds(10))
            .expect("decoding finishes");
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => panic!("{}: {}", path.display(), e.error()),
            _ => {}
        }
    }
    p.set_state(gst::State::Null).unwrap();
    count.load(std::sync::atomic::Ordering::Relaxed)
}

/// These tests each run a whole courtroom (four H.264 encoders among them) on a 2-core
/// machine: one at a time, so that their timing checks measure the recorder, not the
/// contention.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn kinds_for<'a>(es: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    es.iter().filter(|e| e["kind"] == kind).collect()
}

#[test]
fn test_sources_are_segmented_in_sync_and_sealed() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    let vkey = common::init(&dir);
    let d = dir.to_str().unwrap();
    let out = ok(&[
        "record",
        "--data",
        d,
        "--test-sources",
        "--hearing",
        "h1",
        "--duration",
        "9",
        "--quiet",
        "--json",
    ]);
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p99 = status["seal_latency_p99_ms"].as_f64().unwrap();
    assert!(p99 <= 500.0, "seal latency p99 {p99} ms");

    let es = entries(&dir);
    let segs = segments_by_stream(&es);
    assert_eq!(
        segs.len(),
        10,
        "4 cameras and 6 microphones: {:?}",
        segs.keys()
    );
    // Every sealed segment's latency is in the counts per millisecond, and their p99
    // agrees with the status's.
    let counts = status["seal_latency_counts_ms"].as_object().unwrap();
    let mut pooled: Vec<(u64, u64)> = counts
        .iter()
        .map(|(ms, n)| (ms.parse().unwrap(), n.as_u64().unwrap()))
        .collect();
    pooled.sort();
    let total: u64 = pooled.iter().map(|(_, n)| n).sum();
    assert_eq!(total as usize, segs.values().map(Vec::len).sum::<usize>());
    let rank = ((total - 1) as f64 * 0.99).round() as u64;
    let mut seen = 0;
    let p99_counted = pooled
        .iter()
        .find(|(_, n)| {
            seen += n;
            seen > rank
        })
        .unwrap()
        .0;
    assert_eq!(p99_counted, p99.floor() as u64);
    let mut first_starts = Vec::new();
    for (stream, list) in &segs {
        assert!(
            list.len() >= 3,
            "{stream}: only {} segments in 9 s",
            list.len()
        );
        for (k, (seq, start, end, path)) in list.iter().enumerate() {
            assert_eq!(*seq, k as u64, "{stream}: numbering");
            if k > 0 {
                assert_eq!(
                    *start,
                    list[k - 1].2,
                    "{stream}: a gap before segment {seq}"
                );
            }
            let len = (end - start) as f64 / 1e9;
            if k + 1 < list.len() {
                assert!((1.85..=2.05).contains(&len), "{stream} {seq}: {len} s");
            }
            let mode = fs::metadata(dir.join(path)).unwrap().permissions().mode();
            assert_eq!(mode & 0o222, 0, "{path} is writable after sealing");
        }
        first_starts.push(list[0].1);
    }
    // One shared clock: every stream's first segment begins right after the hearing opens
    // (each pipeline starts on its own, so within a few frames of each other, more under
    // load), on the same media timeline.
    let spread = first_starts.iter().max().unwrap() - first_starts.iter().min().unwrap();
    assert!(spread < 250_000_000, "streams start {spread} ns apart");
    assert!(*first_starts.iter().max().unwrap() < 1_500_000_000);

    // Independently playable: a camera segment demuxes, a microphone segment decodes.
    let cam = dir.join(&segs["cam1"][1].3);
    assert!(
        decode(&cam, "qtdemux ! h264parse") >= 45,
        "cam1 segment 1 holds ~50 frames"
    );
    let mic = dir.join(&segs["mic3"][1].3);
    assert!(decode(&mic, "matroskademux ! flacparse ! flacdec") > 10);

    let v = verbatim(&["verify", d, "--key", &vkey]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    assert_eq!(kinds_for(&es, "hearing_opened").len(), 1);
    assert_eq!(es.last().unwrap()["kind"], "hearing_closed");
}

#[test]
fn a_lost_camera_is_logged_and_retried_while_the_others_record_on() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    common::init(&dir);
    let port = free_port();
    let mut cfg = fs::read_to_string(dir.join("verbatim.toml")).unwrap();
    cfg.push_str(&format!(
        r#"
[[courtrooms]]
id = "room-1"
stall_seconds = 2.0
[[courtrooms.sources]]
id = "cam1"
kind = "rtsp_camera"
url = "rtsp://127.0.0.1:{port}/cam1"
[[courtrooms.sources]]
id = "cam2"
kind = "rtsp_camera"
url = "rtsp://127.0.0.1:{port}/cam2"
[[courtrooms.sources]]
id = "mic1"
kind = "test_tone"
role = "judge"
"#
    ));
    fs::write(dir.join("verbatim.toml"), cfg).unwrap();
    let listen = format!("127.0.0.1:{port}");
    let cams = spawn(&["test-cameras", "--listen", &listen, "--cameras", "2"]);
    std::thread::sleep(Duration::from_secs(1));
    let d = dir.to_str().unwrap();
    let mut rec = spawn(&[
        "record",
        "--data",
        d,
        "--hearing",
        "h1",
        "--duration",
        "26",
        "--quiet",
    ]);
    std::thread::sleep(Duration::from_secs(8));
    drop(cams); // kill -9 of the camera server
    std::thread::sleep(Duration::from_secs(7));
    let cams = spawn(&["test-cameras", "--listen", &listen, "--cameras", "2"]);
    let status = rec.0.wait().unwrap();
    drop(cams);
    assert!(status.success());

    let es = entries(&dir);
    let lost = kinds_for(&es, "source_lost");
    let restored = kinds_for(&es, "source_restored");
    for cam in ["cam1", "cam2"] {
        let l = lost
            .iter()
            .find(|e| e["stream"] == cam)
            .expect("loss logged");
        let r = restored
            .iter()
            .find(|e| e["stream"] == cam)
            .expect("return logged");
        let (l_ns, r_ns) = (
            l["media_ns"].as_u64().unwrap(),
            r["media_ns"].as_u64().unwrap(),
        );
        assert!((5e9..12e9).contains(&(l_ns as f64)), "{cam} lost at {l_ns}");
        assert!(r_ns > l_ns + 5_000_000_000, "{cam} back at {r_ns}");
    }
    assert!(
        !lost.iter().any(|e| e["stream"] == "mic1"),
        "the microphone was not affected"
    );
    let segs = segments_by_stream(&es);
    for cam in ["cam1", "cam2"] {
        let before = segs[cam].iter().filter(|s| s.2 < 12_000_000_000).count();
        let after = segs[cam].iter().filter(|s| s.1 > 15_000_000_000).count();
        assert!(
            before >= 2 && after >= 2,
            "{cam}: {before} before, {after} after"
        );
        let seqs: Vec<u64> = segs[cam].iter().map(|s| s.0).collect();
        assert_eq!(
            seqs,
            (0..seqs.len() as u64).collect::<Vec<_>>(),
            "{cam} numbering"
        );
    }
    // The microphone recorded straight through, without a gap.
    let mic = &segs["mic1"];
    assert!(mic.len() >= 12);
    for w in mic.windows(2) {
        assert_eq!(w[0].2, w[1].1, "mic1 gap at segment {}", w[1].0);
    }
    assert!(verbatim(&["verify", d]).status.success());
}

#[test]
fn kill_dash_nine_loses_at_most_the_segment_in_flight_and_sigterm_closes_cleanly() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    let vkey = common::init(&dir);
    let d = dir.to_str().unwrap();
    let mut rec = spawn(&[
        "record",
        "--data",
        d,
        "--test-sources",
        "--hearing",
        "h1",
        "--quiet",
    ]);
    let cam1 = dir.join("hearings/h1/cam1");
    assert!(wait_for(30, || fs::read_dir(&cam1)
        .map_or(0, |r| r.count())
        >= 4));
    rec.0.kill().unwrap(); // SIGKILL
    rec.0.wait().unwrap();
    let mut written = Vec::new();
    for s in fs::read_dir(dir.join("hearings/h1")).unwrap().flatten() {
        for f in fs::read_dir(s.path()).unwrap().flatten() {
            written.push(f.path().strip_prefix(&dir).unwrap().display().to_string());
        }
    }

    // Restart: the same hearing resumes as part 2; stop it with SIGTERM.
    let mut rec = spawn(&[
        "record",
        "--data",
        d,
        "--test-sources",
        "--hearing",
        "h1",
        "--quiet",
    ]);
    assert!(wait_for(30, || fs::read_dir(&cam1)
        .map_or(0, |r| r.count())
        >= written.iter().filter(|p| p.contains("/cam1/")).count() + 2));
    unsafe { libc_kill(rec.0.id() as i32, 15) };
    let status = rec.0.wait().unwrap();
    assert!(status.success(), "SIGTERM ends the recording cleanly");

    let es = entries(&dir);
    let parts: Vec<u64> = kinds_for(&es, "hearing_opened")
        .iter()
        .map(|e| e["part"].as_u64().unwrap())
        .collect();
    assert_eq!(parts, [1, 2]);
    let sealed: Vec<String> = es
        .iter()
        .filter(|e| e["kind"] == "segment_sealed" || e["kind"] == "segment_recovered")
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect();
    // Every file the killed recorder had written is in the record: nothing lost but what
    // the muxer had not yet written out.
    for w in &written {
        assert!(
            sealed.contains(w),
            "{w} was written before the kill but never sealed"
        );
    }
    // At most one segment per stream was in flight.
    let recovered = kinds_for(&es, "segment_recovered");
    for stream in ["cam1", "cam4", "mic1", "mic6"] {
        let n = recovered.iter().filter(|e| e["stream"] == stream).count();
        assert!(n <= 1, "{stream}: {n} recovered segments");
    }
    assert_eq!(es.last().unwrap()["kind"], "hearing_closed");
    let v = verbatim(&["verify", d, "--key", &vkey]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// A tmpfs mounted for the test and unmounted when dropped.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_raises_an_alarm_then_stops_with_everything_sealed() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small-disk");
    fs::create_dir(&mnt).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        if std::env::var_os("VERBATIM_SKIP_MOUNT_TESTS").is_some() {
            eprintln!("SKIPPED: cannot mount a size-limited tmpfs (needs root)");
            return;
        }
        panic!(
            "this test mounts a 16 MB tmpfs and needs root; set VERBATIM_SKIP_MOUNT_TESTS=1 to \
             skip it where that is impossible"
        );
    }
    let _guard = Mounted(mnt.clone());
    let dir = mnt.join("court");
    let vkey = common::init(&dir);
    let cfg = fs::read_to_string(dir.join("verbatim.toml"))
        .unwrap()
        .replace("disk_alarm_mb = 2048", "disk_alarm_mb = 10")
        .replace("disk_stop_mb = 512", "disk_stop_mb = 7");
    fs::write(dir.join("verbatim.toml"), cfg).unwrap();
    let d = dir.to_str().unwrap();
    let out = verbatim(&[
        "record",
        "--data",
        d,
        "--test-sources",
        "--hearing",
        "h1",
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let alarm = stderr
        .find("ALARM: disk nearly full")
        .expect("an alarm first");
    let stop = stderr.find("ALARM: disk full").expect("then a stop");
    assert!(alarm < stop);

    let es = entries(&dir);
    let last = es.last().unwrap();
    assert_eq!(
        last["kind"], "hearing_paused",
        "resumable once space is freed"
    );
    assert!(last["reason"].as_str().unwrap().starts_with("disk full"));
    assert!(segments_by_stream(&es).values().all(|s| s.len() >= 3));
    // Nothing half-written: every file under hearings/ is sealed and intact.
    let v = verbatim(&["verify", d, "--key", &vkey]);
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn preflight_names_the_source_without_signal() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    common::init(&dir);
    let port = free_port(); // nothing listens there
    let mut cfg = fs::read_to_string(dir.join("verbatim.toml")).unwrap();
    cfg.push_str(&format!(
        r#"
[[courtrooms]]
id = "room-1"
[[courtrooms.sources]]
id = "cam1"
kind = "test_pattern"
[[courtrooms.sources]]
id = "cam2"
kind = "rtsp_camera"
url = "rtsp://127.0.0.1:{port}/cam1"
[[courtrooms.sources]]
id = "mic1"
kind = "test_tone"
"#
    ));
    fs::write(dir.join("verbatim.toml"), cfg).unwrap();
    let out = verbatim(&[
        "preflight",
        "--data",
        dir.to_str().unwrap(),
        "--seconds",
        "3",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_id = |id: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
    };
    assert_eq!(by_id("cam1")["ok"], true);
    assert_eq!(by_id("mic1")["ok"], true);
    assert_eq!(by_id("cam2")["ok"], false);
    assert!(by_id("cam2")["detail"]
        .as_str()
        .unwrap()
        .contains(&port.to_string()));
    // and nothing was written into the court's directory
    assert_eq!(fs::read_dir(dir.join("hearings")).unwrap().count(), 0);
}

#[test]
fn bad_recording_requests_fail_clearly_without_writing() {
    let _serial = serial();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("court");
    common::init(&dir);
    let d = dir.to_str().unwrap();
    let before = entries(&dir).len();
    for (args, needle) in [
        (vec!["record", "--data", d], "--test-sources"),
        (
            vec!["record", "--data", d, "--test-sources", "--hearing", "../x"],
            "hearing id",
        ),
        (
            vec!["record", "--data", d, "--test-sources", "--duration=0"],
            "--duration",
        ),
        (
            vec!["record", "--data", d, "--courtroom", "nope"],
            "no courtroom",
        ),
    ] {
        let out = verbatim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let mut cfg = fs::read_to_string(dir.join("verbatim.toml")).unwrap();
    cfg.push_str("\n[[courtrooms]]\nid = \"r\"\n[[courtrooms.sources]]\nid = \"m\"\nkind = \"alsa\"\ndevice = \"hw:9\"\nchannel = 7\nchannels = 6\n");
    fs::write(dir.join("verbatim.toml"), &cfg).unwrap();
    let out = verbatim(&["record", "--data", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("channel must be below channels"));
    fs::write(
        dir.join("verbatim.toml"),
        cfg.replace("channel = 7", "channel = 1\nbogus = 1"),
    )
    .unwrap();
    let out = verbatim(&["record", "--data", d]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("bogus"));
    fs::write(
        dir.join("verbatim.toml"),
        cfg.replace("channel = 7", "channel = 1"),
    )
    .unwrap();
    assert_eq!(entries(&dir).len(), before, "nothing was logged");
}

/// Records `cameras` (cam1, cam2, ...) served by the test-camera server from a looped
/// 4 s H.264 file for `seconds`; returns the court's data directory.
fn record_looped_file_cameras(
    tmp: &std::path::Path,
    cameras: u32,
    one_feed: bool,
    seconds: u32,
) -> std::path::PathBuf {
    let h264 = tmp.join("cam.h264");
    let p = gst::parse::launch(&format!(
        "videotestsrc num-buffers=100 ! video/x-raw,width=320,height=240,framerate=25/1 \
         ! x264enc key-int-max=25 speed-preset=ultrafast ! video/x-h264,stream-format=byte-stream \
         ! filesink location={}",
        h264.display()
    ))
    .unwrap();
    p.set_state(gst::State::Playing).unwrap();
    p.bus()
        .unwrap()
        .timed_pop_filtered(gst::ClockTime::from_seconds(20), &[gst::MessageType::Eos])
        .unwrap();
    p.set_state(gst::State::Null).unwrap();

    let dir = tmp.join("court");
    common::init(&dir);
    let port = free_port();
    let mut cfg = fs::read_to_string(dir.join("verbatim.toml")).unwrap();
    cfg.push_str("\n[[courtrooms]]\nid = \"r\"\n");
    for c in 1..=cameras {
        cfg.push_str(&format!(
            "[[courtrooms.sources]]\nid = \"cam{c}\"\nkind = \"rtsp_camera\"\nurl = \"rtsp://127.0.0.1:{port}/cam{c}\"\n"
        ));
    }
    fs::write(dir.join("verbatim.toml"), cfg).unwrap();
    let listen = format!("127.0.0.1:{port}");
    let n = cameras.to_string();
    let mut args = vec![
        "test-cameras",
        "--listen",
        &listen,
        "--cameras",
        &n,
        "--h264-file",
        h264.to_str().unwrap(),
    ];
    if one_feed {
        args.push("--one-feed");
    }
    let _cams = spawn(&args);
    std::thread::sleep(Duration::from_secs(1));
    let d = dir.to_str().unwrap();
    let secs = seconds.to_string();
    ok(&["record", "--data", d, "--duration", &secs, "--quiet"]);
    assert!(verbatim(&["verify", d]).status.success());
    dir
}

/// The benchmark's cameras: a pre-encoded H.264 file looped by the test-camera server
/// records as a live camera does, in 2 s segments on the media clock.
#[test]
fn a_looped_h264_file_camera_records_like_a_live_one() {
    let _serial = serial();
    gst::init().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = record_looped_file_cameras(tmp.path(), 1, false, 11);
    let segs = segments_by_stream(&entries(&dir));
    let cam = &segs["cam1"];
    // A 4 s file looped: segments of 2 s each, back to back, for the whole recording.
    assert!(cam.len() >= 4, "{cam:?}");
    for w in cam.windows(2) {
        assert_eq!(w[0].2, w[1].1);
        let len = (w[0].2 - w[0].1) as f64 / 1e9;
        assert!((1.9..=2.1).contains(&len), "{len} s");
    }
}

/// `test-cameras --one-feed` (the benchmark's camera server): every camera path serves the
/// same stream, and each camera still records all of it, in full 2 s segments.
#[test]
fn one_feed_serves_every_camera_path_a_whole_stream() {
    let _serial = serial();
    gst::init().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = record_looped_file_cameras(tmp.path(), 3, true, 9);
    let segs = segments_by_stream(&entries(&dir));
    let lens: Vec<usize> = (1..=3).map(|c| segs[&format!("cam{c}")].len()).collect();
    assert!(lens.iter().all(|&n| n >= 3), "segments per camera {lens:?}");
    for c in 1..=3 {
        for s in &segs[&format!("cam{c}")] {
            let len = (s.2 - s.1) as f64 / 1e9;
            assert!((0.0..=2.1).contains(&len), "cam{c}: {len} s");
        }
    }
    // Each camera got the whole stream: the same bit rate over its inner segments (the
    // first and last are cut by the start and stop).
    let es = entries(&dir);
    let rate = |cam: &str| {
        let segs: Vec<&serde_json::Value> = es
            .iter()
            .filter(|e| e["kind"] == "segment_sealed" && e["stream"] == cam)
            .collect();
        let inner = &segs[1..segs.len() - 1];
        let bytes: u64 = inner.iter().map(|e| e["bytes"].as_u64().unwrap()).sum();
        let ns: u64 = inner
            .iter()
            .map(|e| e["media_end_ns"].as_u64().unwrap() - e["media_start_ns"].as_u64().unwrap())
            .sum();
        bytes as f64 * 8.0 / (ns as f64 / 1e9)
    };
    let rates: Vec<f64> = (1..=3).map(|c| rate(&format!("cam{c}"))).collect();
    let (lo, hi) = (
        rates.iter().cloned().fold(f64::MAX, f64::min),
        rates.iter().cloned().fold(0.0, f64::max),
    );
    assert!(
        lo > 10_000.0 && hi / lo < 1.3,
        "bits per second per camera {rates:?}"
    );
}
