//! Source kinds: cameras are remuxed, never re-encoded; the microphones of one ALSA
//! interface share one pipeline, one track each; media files record in real time.

use gstreamer as gst;
use gstreamer::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;
use verbatim_log::checkpoint::generate_key;
use verbatim_log::{Entry, Log, SignerKey};
use verbatim_record::config::{CourtroomConfig, Media, SourceConfig, SourceKind, VideoCodec};
use verbatim_record::pipeline::{build, Built, SegmentTarget};
use verbatim_record::{HearingInfo, RecordOptions, Recorder};

fn source(id: &str, kind: SourceKind) -> SourceConfig {
    SourceConfig {
        id: id.into(),
        label: String::new(),
        role: None,
        position: None,
        kind,
    }
}

fn built(sources: &[SourceConfig], dir: &Path) -> Built {
    verbatim_record::init().unwrap();
    let refs: Vec<&SourceConfig> = sources.iter().collect();
    let targets: Vec<SegmentTarget> = sources
        .iter()
        .map(|s| SegmentTarget {
            dir: dir.join(&s.id),
            extension: s.extension(),
            start_index: 0,
        })
        .collect();
    build(&refs, &targets, 2_000_000_000, &|p: &Path| {
        Ok(p.to_path_buf())
    })
    .unwrap()
}

fn factories(b: &Built) -> Vec<String> {
    b.pipeline
        .iterate_recurse()
        .into_iter()
        .flatten()
        .filter_map(|e| e.factory().map(|f| f.name().to_string()))
        .collect()
}

#[test]
fn cameras_are_remuxed_and_only_raw_video_is_encoded() {
    let tmp = tempfile::tempdir().unwrap();
    for (kind, encoded) in [
        (
            SourceKind::RtspCamera {
                url: "rtsp://127.0.0.1:1/x".into(),
                codec: VideoCodec::H264,
            },
            false,
        ),
        (
            SourceKind::RtspCamera {
                url: "rtsp://127.0.0.1:1/x".into(),
                codec: VideoCodec::H265,
            },
            false,
        ),
        (
            SourceKind::File {
                path: PathBuf::from("/nonexistent.mp4"),
                media: Media::Video,
            },
            false,
        ),
        (
            SourceKind::TestPattern {
                pattern: "ball".into(),
            },
            true,
        ),
        (
            SourceKind::V4l2 {
                device: "/dev/video9".into(),
            },
            true,
        ),
    ] {
        let b = built(&[source("cam1", kind.clone())], tmp.path());
        let f = factories(&b);
        let encoders: Vec<&String> = f.iter().filter(|n| n.ends_with("enc")).collect();
        assert_eq!(!encoders.is_empty(), encoded, "{kind:?}: {f:?}");
        assert!(f.iter().any(|n| n == "splitmuxsink") && f.iter().any(|n| n == "mp4mux"));
    }
}

#[test]
fn the_microphones_of_one_alsa_interface_share_a_pipeline_one_track_each() {
    let tmp = tempfile::tempdir().unwrap();
    let mics: Vec<SourceConfig> = (0..6)
        .map(|c| {
            source(
                &format!("mic{}", c + 1),
                SourceKind::Alsa {
                    device: "hw:1".into(),
                    channel: c,
                    channels: 6,
                },
            )
        })
        .collect();
    let b = built(&mics, tmp.path());
    let f = factories(&b);
    assert_eq!(f.iter().filter(|n| *n == "alsasrc").count(), 1);
    assert_eq!(f.iter().filter(|n| *n == "deinterleave").count(), 1);
    assert_eq!(f.iter().filter(|n| *n == "flacenc").count(), 6);
    assert_eq!(f.iter().filter(|n| *n == "splitmuxsink").count(), 6);
    assert_eq!(b.streams.len(), 6);
    assert!(b
        .streams
        .iter()
        .all(|s| s.meter.is_some() && s.privacy.is_some()));
}

fn make_media(desc: &str) {
    let p = gst::parse::launch(desc).unwrap();
    p.set_state(gst::State::Playing).unwrap();
    let bus = p.bus().unwrap();
    let msg = bus
        .timed_pop_filtered(
            gst::ClockTime::from_seconds(30),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        )
        .unwrap();
    assert!(matches!(msg.view(), gst::MessageView::Eos(_)), "{desc}");
    p.set_state(gst::State::Null).unwrap();
}

#[test]
fn media_files_record_in_real_time() {
    verbatim_record::init().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let video = tmp.path().join("camera.mp4");
    let audio = tmp.path().join("mic.wav");
    make_media(&format!(
        "videotestsrc num-buffers=200 ! video/x-raw,width=320,height=240,framerate=25/1 \
         ! x264enc key-int-max=25 speed-preset=ultrafast ! mp4mux ! filesink location={}",
        video.display()
    ));
    make_media(&format!(
        "audiotestsrc num-buffers=400 ! audio/x-raw,rate=44100,channels=2 ! wavenc \
         ! filesink location={}",
        audio.display()
    ));
    let data = tmp.path().join("court");
    std::fs::create_dir(&data).unwrap();
    let (skey, _) = generate_key("t.court").unwrap();
    let log = Log::create(
        &data.join("log"),
        "t.court",
        SignerKey::parse(&skey).unwrap(),
    )
    .unwrap();
    let mut room = CourtroomConfig::test_sources("room");
    room.sources = vec![
        source(
            "cam1",
            SourceKind::File {
                path: video,
                media: Media::Video,
            },
        ),
        source(
            "mic1",
            SourceKind::File {
                path: audio,
                media: Media::Audio,
            },
        ),
    ];
    let shared: verbatim_log::SharedLog = std::sync::Arc::new(std::sync::Mutex::new(log));
    let rec = Recorder::start(
        shared.clone(),
        room,
        HearingInfo {
            court: "c".into(),
            hearing: "h1".into(),
            case_number: String::new(),
            judge: String::new(),
            secretary: String::new(),
        },
        RecordOptions {
            data_dir: data.clone(),
            checkpoint_interval: Duration::from_secs(1),
            disk_alarm_bytes: 0,
            disk_stop_bytes: 0,
        },
    )
    .unwrap();
    let t = std::time::Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    rec.stop("").unwrap();
    let log = verbatim_log::lock(&shared);
    let mut last_end = std::collections::HashMap::new();
    for i in 0..log.size() {
        if let Entry::SegmentSealed(s) = Entry::decode(&log.entry(i).unwrap()).unwrap() {
            last_end.insert(s.stream.clone(), s.media_end_ns);
        }
    }
    // An 8 s video and a 9 s audio file, played for 5 s in real time, not as fast as
    // the disk allows.
    let wall = t.elapsed().as_secs_f64();
    for stream in ["cam1", "mic1"] {
        let end = *last_end.get(stream).expect("segments sealed") as f64 / 1e9;
        assert!(
            (3.5..=wall + 0.5).contains(&end),
            "{stream} ends at {end} s after {wall} s"
        );
    }
}
