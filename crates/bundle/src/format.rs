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
/// C2SP tlog-proof files (`<index>.tlog-proof`): standard inclusion proofs of the
/// hearing's key entries, for tools that read that format.
pub const PROOFS_DIR: &str = "log/proofs/";
/// First line of a C2SP tlog-proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

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
    /// A redacted public copy: the redaction's id. Its re-encoded segments stand in for the
    /// originals they replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redaction: Option<String>,
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
    /// Entries after the range, each with its own inclusion proof to the same checkpoint
    /// (a redaction made long after the hearing, so that the range need not run on to it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AlsoJson>,
}

/// An entry outside the range: its index, exact bytes and RFC 6962 inclusion proof (hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsoJson {
    pub index: u64,
    pub entry: String,
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

/// A C2SP tlog-proof (<https://c2sp.org/tlog-proof>): index, RFC 6962 inclusion proof and
/// the checkpoint verbatim.
#[derive(Clone, Debug, PartialEq)]
pub struct TlogProof {
    pub index: u64,
    pub proof: Vec<verbatim_log::Hash>,
    pub checkpoint: Vec<u8>,
}

impl TlogProof {
    pub fn encode(&self) -> Vec<u8> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut out = format!("{TLOG_PROOF_HEADER}\nindex {}\n", self.index);
        for h in &self.proof {
            out.push_str(&b64.encode(h.0));
            out.push('\n');
        }
        out.push('\n');
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.checkpoint);
        bytes
    }

    /// Parses a tlog-proof (an `extra` line is accepted and ignored: it is not
    /// authenticated).
    pub fn decode(bytes: &[u8]) -> Result<TlogProof, String> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or("no empty line before the checkpoint")?;
        let head = std::str::from_utf8(&bytes[..split]).map_err(|_| "not UTF-8")?;
        let checkpoint = bytes[split + 2..].to_vec();
        let mut lines = head.split('\n');
        if lines.next() != Some(TLOG_PROOF_HEADER) {
            return Err(format!("the first line is not {TLOG_PROOF_HEADER}"));
        }
        let mut line = lines.next().ok_or("no index line")?;
        if line.starts_with("extra ") {
            line = lines.next().ok_or("no index line")?;
        }
        let index = line
            .strip_prefix("index ")
            .filter(|n| !n.is_empty() && (n == &"0" || !n.starts_with('0')))
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| format!("{line:?} is not an index line"))?;
        let mut proof = Vec::new();
        for l in lines {
            let h = b64
                .decode(l)
                .ok()
                .and_then(|v| <[u8; 32]>::try_from(v).ok())
                .ok_or_else(|| format!("{l:?} is not a base64 SHA-256 hash"))?;
            proof.push(verbatim_log::Hash(h));
        }
        if proof.len() > 64 {
            return Err("the inclusion proof is longer than any tree allows".into());
        }
        Ok(TlogProof {
            index,
            proof,
            checkpoint,
        })
    }
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
    fn tlog_proofs_round_trip_and_bad_ones_are_named() {
        let p = TlogProof {
            index: 73894,
            proof: vec![verbatim_log::Hash([7; 32]), verbatim_log::Hash([9; 32])],
            checkpoint: "example.com/log\n109482\nAAAA\n\n\u{2014} example.com/log abc\n"
                .as_bytes()
                .to_vec(),
        };
        let enc = p.encode();
        assert!(enc.starts_with(b"c2sp.org/tlog-proof@v1\nindex 73894\nBwcH"));
        assert_eq!(TlogProof::decode(&enc).unwrap(), p);
        // An extra line is allowed and ignored.
        let with_extra = [&b"c2sp.org/tlog-proof@v1\nextra AAAA"[..], &enc[22..]].concat();
        assert_eq!(TlogProof::decode(&with_extra).unwrap(), p);
        for bad in [
            &b"c2sp.org/tlog-proof@v2\nindex 1\n\ncp"[..],
            b"c2sp.org/tlog-proof@v1\nindex 01\n\ncp",
            b"c2sp.org/tlog-proof@v1\nindex x\n\ncp",
            b"c2sp.org/tlog-proof@v1\nindex 1\nnot-base64\n\ncp",
            b"c2sp.org/tlog-proof@v1\nindex 1",
        ] {
            assert!(
                TlogProof::decode(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

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
