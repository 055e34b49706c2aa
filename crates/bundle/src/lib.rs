//! Evidence bundles: a hearing, or a clip of it, as it leaves the court.
//!
//! A bundle holds the original sealed files byte for byte (segments, the transcript
//! revision), the log entries that seal them with a **range proof** to a signed checkpoint,
//! and the court's verifier key; anyone can check it offline ([`verify`]). The layout (see
//! `docs/bundles.md`):
//!
//! ```text
//! bundle.json                    the manifest: court, hearing, span, files, derived files
//! court.vkey                     the court's verifier key (compare it with the published one)
//! log/checkpoint                 the court's signed checkpoint, as published
//! log/entries.json               entries begin..end of the log: the hearing's in full, the
//!                                rest as leaf hashes only, and the range proof
//! hearings/<h>/<stream>/<seq>.*  sealed segments, byte for byte, at their paths in the log
//! hearings/<h>/transcript/r*.json  the transcript revision, byte for byte
//! certificate.pdf, README.txt    for people (derived: not part of the proof)
//! ```
//!
//! **What the range proof proves.** The entries `begin..end` are, with no gap and in this
//! order, entries of the court's log of `checkpoint_size` entries whose root the court
//! signed. Entries of other hearings (and access records) in that range are given only as
//! their leaf hashes, so they stay private while the proof still covers every position. The
//! verifier recomputes each disclosed entry's leaf hash from its bytes, checks each sealed
//! file's size and SHA-256 against its entry, checks that a stream's segments run on
//! without a withheld one in between, and refuses any file the proof does not cover unless
//! the manifest declares it derived (under `derived/`).
//!
//! The verifier ([`verify::verify`]) reads through the [`verify::Files`] trait and does no
//! I/O of its own, so the same code runs in the CLI and, compiled to WebAssembly, in a
//! browser. The `fs` feature adds the exporter ([`export`]) and readers of bundle
//! directories and tar archives.

pub mod format;
pub mod hearings;
pub mod verify;

#[cfg(feature = "fs")]
pub mod export;
#[cfg(feature = "fs")]
pub mod files;
#[cfg(feature = "fs")]
pub mod page;

pub use format::{LeafJson, LogJson, Manifest, FORMAT};
pub use verify::{verify, verify_with, Files, Report};
