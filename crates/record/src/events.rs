//! What the recorder tells the rest of the system: live status and events.
//!
//! `Status` is a snapshot for screens that poll; `Event`s are pushed to every subscriber
//! (the web application's live view, the command line, tests).

use serde::Serialize;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

/// How a stream is doing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    Starting,
    Recording,
    /// The source failed or stalled; it is being retried.
    Lost {
        reason: String,
    },
    /// Recording is paused (recess, deliberation) or stopped.
    Idle,
    /// A file source played to its end.
    Ended,
}

/// One stream's live status.
#[derive(Debug, Clone, Serialize)]
pub struct StreamStatus {
    pub id: String,
    pub label: String,
    pub media: crate::config::Media,
    pub role: Option<String>,
    pub position: Option<String>,
    pub health: Health,
    /// Microphones: RMS and peak level of the last 100 ms, dBFS.
    pub rms_db: Option<f64>,
    pub peak_db: Option<f64>,
    pub muted: bool,
    /// Microphones: silent (below the configured level) since this media time.
    pub silent_since_ns: Option<u64>,
    pub segments_sealed: u64,
    pub bytes_sealed: u64,
}

/// The recorder's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecorderState {
    Recording,
    Paused,
    Stopped,
}

/// A snapshot of the whole recorder.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub hearing: String,
    pub part: u64,
    pub state: RecorderState,
    pub media_ns: u64,
    pub streams: Vec<StreamStatus>,
    /// Free bytes on the data directory's filesystem.
    pub disk_free_bytes: u64,
    pub alarms: Vec<String>,
    /// Seal latency (segment file closed to entry durable), milliseconds.
    pub seal_latency_p50_ms: f64,
    pub seal_latency_p99_ms: f64,
    pub log_size: u64,
}

/// Something happened.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Level {
        stream: String,
        rms_db: f64,
        peak_db: f64,
    },
    Health {
        stream: String,
        health: Health,
    },
    Sealed {
        stream: String,
        seq: u64,
        bytes: u64,
        latency_ms: f64,
        index: u64,
    },
    Alarm {
        kind: AlarmKind,
        stream: Option<String>,
        message: String,
    },
    State {
        state: RecorderState,
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    MicSilent,
    SourceLost,
    DiskLow,
    DiskFull,
    SealFailed,
}

/// Fans events out to subscribers; a subscriber that went away is dropped.
#[derive(Clone, Default)]
pub struct EventBus {
    subscribers: Arc<Mutex<Vec<Sender<Event>>>>,
}

impl EventBus {
    pub fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.subscribers.lock().expect("not poisoned").push(tx);
        rx
    }

    pub fn send(&self, e: Event) {
        self.subscribers
            .lock()
            .expect("not poisoned")
            .retain(|s| s.send(e.clone()).is_ok());
    }
}
