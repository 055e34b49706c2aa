//! The secretary's controls on a running recorder: privacy mute (the audio is not
//! recorded, the mute is logged), notes, pause and resume, the silent-microphone alarm,
//! live levels, a speech file as a microphone, and refusals of bad orders.

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use std::path::Path;
use std::time::{Duration, Instant};
use verbatim_log::checkpoint::generate_key;
use verbatim_log::{verify_dir, Entry, Log, SignerKey, VerifierKey, VerifyOptions};
use verbatim_record::config::{CourtroomConfig, SourceConfig, SourceKind};
use verbatim_record::events::AlarmKind;
use verbatim_record::{Event, HearingInfo, RecordOptions, Recorder};

const ORIGIN: &str = "test.court/control";

/// The loudest peak (dBFS) in a FLAC-in-Matroska segment.
fn peak_db(path: &Path) -> f64 {
    let p = gst::parse::launch(&format!(
        "filesrc location=\"{}\" ! matroskademux ! flacparse ! flacdec ! audioconvert \
         ! level name=l interval=50000000 post-messages=true ! fakesink sync=false",
        path.display()
    ))
    .unwrap()
    .downcast::<gst::Pipeline>()
    .unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let bus = p.bus().unwrap();
    let mut peak = f64::NEG_INFINITY;
    loop {
        let msg = bus.timed_pop(gst::ClockTime::from_seconds(10)).unwrap();
        match msg.view() {
            gst::MessageView::Eos(_) => break,
            gst::MessageView::Error(e) => panic!("{}: {}", path.display(), e.error()),
            gst::MessageView::Element(e) => {
                if let Some(v) = e
                    .structure()
                    .and_then(|s| s.get::<glib::ValueArray>("peak").ok())
                    .and_then(|a| a.first().and_then(|v| v.get::<f64>().ok()))
                {
                    peak = peak.max(v);
                }
            }
            _ => {}
        }
    }
    p.set_state(gst::State::Null).unwrap();
    peak
}

/// A short WAV file of "speech" (a 300 Hz tone), made with GStreamer.
fn speech_file(path: &Path) {
    let p = gst::parse::launch(&format!(
        "audiotestsrc num-buffers=70 freq=300 volume=0.5 ! audio/x-raw,rate=22050,channels=1 \
         ! wavenc ! filesink location=\"{}\"",
        path.display()
    ))
    .unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let bus = p.bus().unwrap();
    bus.timed_pop_filtered(gst::ClockTime::from_seconds(10), &[gst::MessageType::Eos])
        .unwrap();
    p.set_state(gst::State::Null).unwrap();
}

#[test]
fn mute_notes_pause_resume_alarms_and_levels() {
    verbatim_record::init().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("court");
    std::fs::create_dir(&data).unwrap();
    let (skey, vkey) = generate_key(ORIGIN).unwrap();
    std::fs::create_dir(data.join("keys")).unwrap();
    std::fs::write(data.join("keys/court.vkey"), format!("{vkey}\n")).unwrap();
    let log = Log::create(&data.join("log"), ORIGIN, SignerKey::parse(&skey).unwrap()).unwrap();
    let speech = tmp.path().join("speech.wav");
    speech_file(&speech);

    let mut room = CourtroomConfig::test_sources("room-1");
    room.sources = vec![
        room.sources[0].clone(), // cam1, a test pattern
        SourceConfig {
            id: "mic1".into(),
            label: "Judge".into(),
            role: Some("judge".into()),
            position: Some("bench".into()),
            kind: SourceKind::TestTone { freq: 440.0 },
        },
        SourceConfig {
            id: "mic2".into(),
            label: "Witness".into(),
            role: Some("witness".into()),
            position: Some("witness stand".into()),
            kind: SourceKind::TestSpeech {
                path: speech.clone(),
            },
        },
    ];
    // Every tone counts as "silent" below 0 dBFS: the alarm must fire after 1.5 s.
    room.silence_db = 0.0;
    room.silence_alarm_seconds = 1.5;
    let info = HearingInfo {
        court: "c".into(),
        hearing: "h1".into(),
        case_number: "2-17/2026".into(),
        judge: "Ахметова".into(),
        secretary: "Сейтқали".into(),
    };
    let opts = RecordOptions {
        data_dir: data.clone(),
        checkpoint_interval: Duration::from_secs(1),
        disk_alarm_bytes: 0,
        disk_stop_bytes: 0,
    };
    let shared: verbatim_log::SharedLog = std::sync::Arc::new(std::sync::Mutex::new(log));
    let rec = Recorder::start(shared.clone(), room, info, opts).unwrap();
    let events = rec.subscribe();
    std::thread::sleep(Duration::from_secs(3));

    // Refusals: wrong stream, a camera, a bad note, resume while recording.
    assert!(rec.set_mute("mic9", true, "").is_err());
    assert!(rec.set_mute("cam1", true, "").is_err());
    assert!(rec.note("secretary", "judge", "bell \u{7}").is_err());
    assert!(rec.resume().is_err());

    rec.set_mute("mic1", true, "attorney-client consultation")
        .unwrap();
    std::thread::sleep(Duration::from_millis(4500));
    rec.set_mute("mic1", false, "").unwrap();
    let note_at = rec
        .note(
            "secretary",
            "witness sworn",
            "Свидетель предупреждён / Куә ескертілді",
        )
        .unwrap();
    assert!(note_at > 7_000_000_000);
    rec.pause("recess").unwrap();
    assert!(rec.pause("again").is_err());
    std::thread::sleep(Duration::from_secs(2));
    rec.resume().unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let status = rec.status();
    assert_eq!(status.streams.len(), 3);
    assert!(status.streams.iter().all(|s| s.segments_sealed > 0));
    rec.stop("").unwrap();
    let log = verbatim_log::lock(&shared);

    // Events: live levels from both microphones, seals, the silence alarm, state changes.
    let mut levels = std::collections::BTreeSet::new();
    let (mut sealed, mut silent, mut paused) = (0, false, false);
    let t = Instant::now();
    while let Ok(e) = events.recv_timeout(Duration::from_millis(100)) {
        match e {
            Event::Level { stream, .. } => {
                levels.insert(stream);
            }
            Event::Sealed { latency_ms, .. } => {
                sealed += 1;
                assert!(latency_ms < 500.0, "seal latency {latency_ms} ms");
            }
            Event::Alarm {
                kind: AlarmKind::MicSilent,
                ..
            } => silent = true,
            Event::State { state, .. } => paused |= state == verbatim_record::RecorderState::Paused,
            _ => {}
        }
        if t.elapsed() > Duration::from_secs(5) {
            break;
        }
    }
    assert_eq!(levels.into_iter().collect::<Vec<_>>(), ["mic1", "mic2"]);
    assert!(sealed >= 10 && silent && paused);

    // The log: the orders in order, each with its media time.
    let entries: Vec<Entry> = (0..log.size())
        .map(|i| Entry::decode(&log.entry(i).unwrap()).unwrap())
        .collect();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e.kind())
        .filter(|k| !k.starts_with("segment"))
        .collect();
    assert_eq!(
        kinds,
        [
            "hearing_opened",
            "mic_muted",
            "mic_unmuted",
            "log_note",
            "hearing_paused",
            "hearing_resumed",
            "hearing_closed"
        ]
    );
    let at = |kind: &str| {
        entries
            .iter()
            .find_map(|e| match e {
                Entry::MicMuted(m) if kind == "mic_muted" => Some(m.media_ns),
                Entry::MicUnmuted(m) if kind == "mic_unmuted" => Some(m.media_ns),
                Entry::HearingPaused(m) if kind == "hearing_paused" => Some(m.media_ns),
                Entry::HearingResumed(m) if kind == "hearing_resumed" => Some(m.media_ns),
                _ => None,
            })
            .unwrap()
    };
    let (muted, unmuted) = (at("mic_muted"), at("mic_unmuted"));
    let (paused_at, resumed_at) = (at("hearing_paused"), at("hearing_resumed"));
    assert!(resumed_at - paused_at >= 1_900_000_000);

    for e in &entries {
        if let Entry::SegmentSealed(s) = e {
            eprintln!(
                "{} {} {:.3}..{:.3}",
                s.stream,
                s.seq,
                s.media_start_ns as f64 / 1e9,
                s.media_end_ns as f64 / 1e9
            );
        }
    }
    eprintln!("paused {paused_at} resumed {resumed_at}");
    let mut checked_silence = 0;
    for e in &entries {
        let Entry::SegmentSealed(s) = e else { continue };
        // Nothing recorded during the recess.
        assert!(
            s.media_end_ns <= paused_at + 500_000_000 || s.media_start_ns >= resumed_at,
            "{} {} lies in the recess",
            s.stream,
            s.seq
        );
        // A segment wholly inside the privacy mute holds digital silence on that mic
        // only; the speech file plays (in a loop) on the other.
        if s.stream.starts_with("mic")
            && s.media_start_ns > muted + 200_000_000
            && s.media_end_ns < unmuted
        {
            let peak = peak_db(&data.join(&s.path));
            match s.stream.as_str() {
                "mic1" => {
                    assert!(
                        peak < -90.0,
                        "muted mic1 segment {} peaks at {peak} dB",
                        s.seq
                    );
                    checked_silence += 1;
                }
                "mic2" => assert!(peak > -20.0, "mic2 segment {} peaks at {peak} dB", s.seq),
                _ => {}
            }
        }
        if s.stream == "mic1" && s.media_start_ns > unmuted + 200_000_000 {
            assert!(peak_db(&data.join(&s.path)) > -30.0, "mic1 is heard again");
        }
    }
    assert!(checked_silence >= 1, "a whole segment fell inside the mute");
    drop(log);

    let report = verify_dir(
        &data,
        &VerifyOptions {
            key: Some(VerifierKey::parse(&vkey).unwrap()),
            ..Default::default()
        },
    );
    assert!(report.ok, "{}", report.to_text());
}
