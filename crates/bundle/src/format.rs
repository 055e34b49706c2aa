//! The files of a bundle that are not media: the manifest and the log excerpt.

use serde::{Deserialize, Serialize};

/// The manifest's format tag.
pub const FORMAT: &str = "verbatim-bundle/1";
/// The log excerpt's format tag.
pub const LOG_FORMAT: &str = "verbatim-bundle-log/1";

pub const MANIFEST: &str = "bundle.json";
pub const KEY: &str = "court.vkey";
pub const CHECKPOINT: &str = "log/checkpoint";
pub const LOG_EXCERPT: &str = "log/entries.json";
pub const CERTIFICATE: &str = "certificate.pdf";
pub const README: &str = "README.txt";
pub const VERIFY_PAGE: &str = "verify.html";
/// Files outside the proof (convenience copies) live under this directory.
pub const DERIVED_DIR: &str = "derived/";

/// Files every bundle has that the proof does not cover but the verifier reads or expects
/// (the proof covers what they claim, not their bytes).
pub const METADATA: &[&str] = &[MANIFEST, KEY, CHECKPOINT, LOG_EXCERPT];
/// Files for people that any bundle may carry.
pub const FOR_PEOPLE: &[&str] = &[CERTIFICATE, README, VERIFY_PAGE];

/// `bundle.json`. A convenience index: the verifier trusts nothing in it that the log does
/// not also prove, and reports any disagreement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    /// The log's origin line (the court's log).
    pub origin: String,
    pub court: String,
    pub court_name: String,
    pub hearing: String,
    pub case_number: String,
    pub courtroom: String,
    /// The requested span in milliseconds of media time from the hearing's start; `None`
    /// for the whole hearing.
    pub from_ms: Option<u64>,
    pub to_ms: Option<u64>,
    pub created_unix_ms: u64,
    /// Files the proof covers: path, size, SHA-256 (hex).
    pub files: Vec<ManifestFile>,
    /// Files outside the proof, all under `derived/`.
    pub derived: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// Index of the log entry that seals it.
    pub entry: u64,
}

/// `log/entries.json`: entries `begin..begin + leaves.len()` of the log and the range proof
/// that they are those entries of the tree of `checkpoint_size` entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogJson {
    pub format: String,
    pub origin: String,
    pub checkpoint_size: u64,
    pub begin: u64,
    pub leaves: Vec<LeafJson>,
    /// Hex SHA-256 hashes (see `verbatim_log::tree::Tree::range_proof`).
    pub proof: Vec<String>,
}

/// One position of the range: the entry's exact bytes (canonical JSON, as a string), or
/// only its leaf hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeafJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

/// A path inside a bundle is relative, uses `/`, and has no empty, `.` or `..` part.
pub fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 1024
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_bundle_are_refused() {
        for ok in [
            "bundle.json",
            "hearings/h1/cam1/000001.mkv",
            "derived/cam1.mp4",
        ] {
            assert!(safe_path(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a\0b",
        ] {
            assert!(!safe_path(bad), "{bad:?}");
        }
    }
}
