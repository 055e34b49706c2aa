//! Recording a courtroom.
//!
//! One GStreamer pipeline per source, each watched by its own supervisor thread, writes
//! consecutive segment files; a sealer thread, the only owner of the court's log while a
//! hearing records, hashes each file as it closes and appends its entry durably. A
//! conductor thread takes the secretary's orders and watches the disk.

pub mod config;
pub mod derive;
pub mod events;
pub mod import;
pub mod meter;
pub mod pipeline;
pub mod preflight;
pub mod recorder;
pub mod redact;
pub mod sealer;
pub mod speech;
pub mod supervisor;
pub mod testcam;

pub use config::{CourtroomConfig, SourceConfig, SourceKind};
pub use events::{Event, RecorderState, Status};
pub use recorder::{HearingInfo, RecordError, RecordOptions, Recorder};

/// Initialises GStreamer once; every entry point calls it.
pub fn init() -> Result<(), pipeline::PipelineError> {
    gstreamer::init().map_err(|e| pipeline::PipelineError::Gst(e.to_string()))
}
