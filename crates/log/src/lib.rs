//! The court's tamper-evident log.
//!
//! Every state change of the record (a sealed segment, a hearing opened or paused, a gap, a
//! note) is an [`Entry`] appended to one append-only log per court. The log is an RFC 9162
//! Merkle tree; the court signs its size and root as a C2SP checkpoint; anyone holding the
//! court's verifier key can check, offline, that an entry or a contiguous range of entries
//! (a clip) is in the log and that the log only ever grew.
//!
//! The pure parts (entries, tree and proofs, checkpoints, tile layout) do no I/O and build
//! for WebAssembly; the `fs` feature adds durable storage ([`store`]) and the directory
//! verifier ([`verify`]).

pub mod checkpoint;
pub mod entry;
pub mod tiles;
pub mod tree;

#[cfg(feature = "fs")]
pub mod pool;
#[cfg(feature = "fs")]
pub mod store;
#[cfg(feature = "fs")]
pub mod verify;

pub use checkpoint::{CheckpointError, SignedCheckpoint, SignerKey, VerifierKey};
pub use entry::{Entry, EntryError};
#[cfg(feature = "fs")]
pub use store::{Log, LogError, Recovery};
pub use tree::{Hash, ProofError, Tree};
#[cfg(feature = "fs")]
pub use verify::{verify_dir, Problem, ProblemKind, Report, VerifyOptions};

/// One court's log shared by its writers: the recorders of several courtrooms recording at
/// once, and the server's own entries (audit, transcripts). Each writer holds the lock only
/// for one group commit or one checkpoint.
#[cfg(feature = "fs")]
pub type SharedLog = std::sync::Arc<std::sync::Mutex<Log>>;

/// Locks a shared log; a writer that panicked while holding it left no partial state (every
/// append is one durable batch or nothing), so the lock is taken over.
#[cfg(feature = "fs")]
pub fn lock(log: &SharedLog) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where things live in a court's data directory (all paths relative to it).
pub mod layout {
    /// The configuration file.
    pub const CONFIG_FILE: &str = "verbatim.toml";
    pub const KEYS_DIR: &str = "keys";
    /// The court's private signing key (mode 0600).
    pub const SIGNER_KEY: &str = "keys/court.key";
    /// The court's public verifier key, as published.
    pub const VERIFIER_KEY: &str = "keys/court.vkey";
    /// The log: journal, checkpoint and tlog-tiles.
    pub const LOG_DIR: &str = "log";
    /// The default SQLite catalog (and its `-wal`, `-shm` companions): not evidence.
    pub const CATALOG_FILE: &str = "catalog.sqlite";
    /// Work in progress and derived indexes (transcription progress, search index): not
    /// evidence, rebuilt from the record when lost.
    pub const WORK_DIR: &str = "work";
    /// Sealed media: `hearings/<hearing>/<stream>/<seq>.<ext>`.
    pub const HEARINGS_DIR: &str = "hearings";
}
