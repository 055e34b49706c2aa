//! A courtroom's sources and recording settings, as written in `verbatim.toml`.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use verbatim_log::entry::is_valid_id;

/// Why a courtroom configuration cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("courtroom {0:?}: the id is not an identifier (A-Z a-z 0-9 . _ -)")]
    BadCourtroomId(String),
    #[error("source {0:?}: the id is not an identifier (A-Z a-z 0-9 . _ -), or is the reserved \"transcript\"")]
    BadSourceId(String),
    #[error("source {0:?} appears twice")]
    DuplicateSource(String),
    #[error("courtroom {0:?} has no sources")]
    NoSources(String),
    #[error("source {id:?}: {reason}")]
    BadSource { id: String, reason: String },
    #[error("{0}")]
    BadSetting(String),
}

/// One courtroom: its sources and how to segment them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CourtroomConfig {
    pub id: String,
    /// The room's name, for people.
    #[serde(default)]
    pub name: String,
    /// Segment length in seconds (camera keyframe intervals must divide it).
    #[serde(default = "default_segment_seconds")]
    pub segment_seconds: f64,
    /// A microphone silent (below `silence_db`) for this long raises an alarm.
    #[serde(default = "default_silence_alarm_seconds")]
    pub silence_alarm_seconds: f64,
    #[serde(default = "default_silence_db")]
    pub silence_db: f64,
    /// A source that delivers nothing for this long is lost and restarted.
    #[serde(default = "default_stall_seconds")]
    pub stall_seconds: f64,
    pub sources: Vec<SourceConfig>,
}

fn default_segment_seconds() -> f64 {
    2.0
}
fn default_silence_alarm_seconds() -> f64 {
    60.0
}
fn default_silence_db() -> f64 {
    -60.0
}
fn default_stall_seconds() -> f64 {
    5.0
}

/// A camera or microphone. (Unknown fields are refused by `SourceKind`, which receives
/// every field not named here: serde cannot combine `flatten` with `deny_unknown_fields`.)
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceConfig {
    /// Stream id within a hearing: `cam1`, `mic3`, ...
    pub id: String,
    /// For people: "Camera 1 (judge)", "Witness stand".
    #[serde(default)]
    pub label: String,
    /// Microphones: who speaks into it (judge, secretary, prosecutor, defence, witness,
    /// plaintiff, defendant, ...).
    #[serde(default)]
    pub role: Option<String>,
    /// Microphones: where it is in the room.
    #[serde(default)]
    pub position: Option<String>,
    #[serde(flatten)]
    pub kind: SourceKind,
}

/// Where a stream comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SourceKind {
    /// An IP camera (H.264 or H.265 over RTSP), remuxed without re-encoding.
    RtspCamera {
        url: String,
        #[serde(default = "default_codec")]
        codec: VideoCodec,
    },
    /// Audio over RTSP (an IP microphone), encoded to FLAC.
    RtspAudio { url: String },
    /// A V4L2 capture device delivering raw video; encoded once to H.264.
    V4l2 { device: String },
    /// One channel of an ALSA (multichannel) capture device.
    Alsa {
        device: String,
        channel: u32,
        #[serde(default = "default_channels")]
        channels: u32,
    },
    /// A media file (tests, replays), played in real time; video is remuxed if it is H.264.
    File { path: PathBuf, media: Media },
    /// A test pattern with a visible clock; encoded once to H.264.
    TestPattern {
        #[serde(default)]
        pattern: String,
    },
    /// A test tone.
    TestTone {
        #[serde(default = "default_freq")]
        freq: f64,
    },
    /// A speech file played in a loop, as a microphone.
    TestSpeech { path: PathBuf },
}

fn default_codec() -> VideoCodec {
    VideoCodec::H264
}
fn default_channels() -> u32 {
    6
}
fn default_freq() -> f64 {
    440.0
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VideoCodec {
    H264,
    H265,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    Video,
    Audio,
}

impl SourceKind {
    pub fn media(&self) -> Media {
        match self {
            SourceKind::RtspCamera { .. }
            | SourceKind::V4l2 { .. }
            | SourceKind::TestPattern { .. } => Media::Video,
            SourceKind::RtspAudio { .. }
            | SourceKind::Alsa { .. }
            | SourceKind::TestTone { .. }
            | SourceKind::TestSpeech { .. } => Media::Audio,
            SourceKind::File { media, .. } => *media,
        }
    }
}

impl SourceConfig {
    pub fn media(&self) -> Media {
        self.kind.media()
    }

    /// File extension of this source's segments.
    pub fn extension(&self) -> &'static str {
        match self.media() {
            Media::Video => "mp4",
            Media::Audio => "mka",
        }
    }
}

impl CourtroomConfig {
    /// The built-in test courtroom: 4 test-pattern cameras and 6 microphones with tones,
    /// one per role.
    pub fn test_sources(id: &str) -> Self {
        let patterns = ["smpte", "ball", "snow", "pinwheel"];
        let mut sources: Vec<SourceConfig> = (1..=4)
            .map(|i| SourceConfig {
                id: format!("cam{i}"),
                label: format!("Test camera {i}"),
                role: None,
                position: None,
                kind: SourceKind::TestPattern {
                    pattern: patterns[i - 1].into(),
                },
            })
            .collect();
        let roles = [
            ("judge", "bench"),
            ("secretary", "secretary's desk"),
            ("prosecutor", "prosecution table"),
            ("defence", "defence table"),
            ("witness", "witness stand"),
            ("defendant", "dock"),
        ];
        for (i, (role, position)) in roles.iter().enumerate() {
            sources.push(SourceConfig {
                id: format!("mic{}", i + 1),
                label: format!("Microphone {} ({role})", i + 1),
                role: Some(role.to_string()),
                position: Some(position.to_string()),
                kind: SourceKind::TestTone {
                    freq: 220.0 * (i as f64 + 1.0),
                },
            });
        }
        CourtroomConfig {
            id: id.into(),
            name: "Test courtroom".into(),
            segment_seconds: default_segment_seconds(),
            silence_alarm_seconds: default_silence_alarm_seconds(),
            silence_db: default_silence_db(),
            stall_seconds: default_stall_seconds(),
            sources,
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if !is_valid_id(&self.id) {
            return Err(ConfigError::BadCourtroomId(self.id.clone()));
        }
        if self.sources.is_empty() {
            return Err(ConfigError::NoSources(self.id.clone()));
        }
        let finite_positive = |v: f64| v.is_finite() && v > 0.0;
        if !finite_positive(self.segment_seconds) || self.segment_seconds > 600.0 {
            return Err(ConfigError::BadSetting(format!(
                "courtroom {}: segment_seconds must be above 0 and at most 600",
                self.id
            )));
        }
        if !finite_positive(self.silence_alarm_seconds) || !finite_positive(self.stall_seconds) {
            return Err(ConfigError::BadSetting(format!(
                "courtroom {}: silence_alarm_seconds and stall_seconds must be above 0",
                self.id
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.sources {
            // "transcript" names a hearing's transcript revisions in its directory.
            if !is_valid_id(&s.id) || s.id == verbatim_log::entry::TRANSCRIPT_STREAM {
                return Err(ConfigError::BadSourceId(s.id.clone()));
            }
            if !seen.insert(&s.id) {
                return Err(ConfigError::DuplicateSource(s.id.clone()));
            }
            let bad = |reason: &str| {
                Err(ConfigError::BadSource {
                    id: s.id.clone(),
                    reason: reason.into(),
                })
            };
            match &s.kind {
                SourceKind::RtspCamera { url, .. } | SourceKind::RtspAudio { url } => {
                    if !(url.starts_with("rtsp://") || url.starts_with("rtsps://")) {
                        return bad("url must start with rtsp:// or rtsps://");
                    }
                }
                SourceKind::Alsa {
                    channel, channels, ..
                } => {
                    if *channels == 0 || channel >= channels {
                        return bad("channel must be below channels");
                    }
                }
                SourceKind::File { path, .. } | SourceKind::TestSpeech { path } => {
                    if !path.is_file() {
                        return bad(&format!("no such file: {}", path.display()));
                    }
                }
                SourceKind::TestTone { freq } => {
                    if !(freq.is_finite() && *freq > 0.0 && *freq < 20_000.0) {
                        return bad("freq must be between 0 and 20000 Hz");
                    }
                }
                SourceKind::V4l2 { .. } | SourceKind::TestPattern { .. } => {}
            }
        }
        Ok(())
    }
}
