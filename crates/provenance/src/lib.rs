//! C2PA (Content Credentials) manifests for the convenience MP4s an evidence bundle carries
//! under `derived/`, written as sidecars (`derived/<camera>.c2pa`) so that standard
//! provenance tools (c2patool, the Content Authenticity verify site) show who recorded the
//! video: the court, the recorder, the hearing, and the sealed segments it was made from.
//!
//! What binds the MP4 to the court's record is not the C2PA signature but the
//! `kz.verbatim.record` assertion: it names the court's log, its signed checkpoint and the
//! SHA-256 of every sealed segment the file was made from, which the bundle proves. The
//! C2PA signature is made with a certificate chain generated for the export (the SDK's
//! Ed25519 `EphemeralSigner`, subject the court's name): C2PA tools report it as valid but
//! not on a trust list, as they would any court's own certificate until it is enrolled.

use std::io::{Read, Seek};
use std::path::Path;

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("C2PA: {0}")]
    C2pa(#[from] c2pa::Error),
}

/// A sealed segment a derived file was made from.
#[derive(Clone, Debug, Serialize)]
pub struct SourceSegment {
    pub stream: String,
    pub path: String,
    pub sha256: String,
}

/// What the manifest says about a derived file.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub court: String,
    pub court_name: String,
    /// The court's log (its origin line) and the checkpoint the bundle proves against.
    pub log_origin: String,
    pub checkpoint_size: u64,
    pub checkpoint_root: String,
    pub hearing: String,
    pub case_number: String,
    pub courtroom: String,
    pub camera: String,
    /// How the file was made from the record, for people.
    pub made: String,
    pub segments: Vec<SourceSegment>,
}

/// The validation code for a signer not on the reader's trust list.
const UNTRUSTED: &str = "signingCredential.untrusted";

/// The label of verbatim's own assertion.
pub const RECORD_ASSERTION: &str = "kz.verbatim.record";

fn io(path: &Path) -> impl Fn(std::io::Error) -> ProvenanceError + '_ {
    move |source| ProvenanceError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `sidecar`, a C2PA manifest store for the MP4 `asset` (hard-bound to its bytes),
/// saying that `record`'s court recorded it. The asset is only read.
pub fn write_sidecar(asset: &Path, sidecar: &Path, record: &Record) -> Result<(), ProvenanceError> {
    let title = asset
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let definition = serde_json::json!({
        "title": title,
        "format": "video/mp4",
        "claim_generator_info": [{ "name": "verbatim", "version": env!("CARGO_PKG_VERSION") }],
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": { "actions": [
                    {
                        "action": "c2pa.created",
                        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
                        "softwareAgent": { "name": "verbatim recorder" },
                        "when": null,
                        "description": format!(
                            "recorded by {} in courtroom {} (hearing {}, case {})",
                            record.court_name, record.courtroom, record.hearing, record.case_number
                        ),
                    },
                    {
                        "action": "c2pa.transcoded",
                        "softwareAgent": { "name": "verbatim export" },
                        "description": record.made,
                    }
                ]}
            },
            {
                "label": "stds.schema-org.CreativeWork",
                "data": {
                    "@context": "https://schema.org",
                    "@type": "CreativeWork",
                    "author": [{ "@type": "Organization", "name": record.court_name }],
                    "about": format!("hearing {} (case {})", record.hearing, record.case_number),
                }
            },
            { "label": RECORD_ASSERTION, "data": record }
        ]
    });
    let mut definition = definition;
    // Actions with a null "when" are refused by some readers: drop it.
    if let Some(a) = definition["assertions"][0]["data"]["actions"][0].as_object_mut() {
        a.remove("when");
    }
    let mut builder = c2pa::Builder::from_context(c2pa::Context::new())
        .with_definition(definition.to_string())?;
    builder.set_no_embed(true);
    let signer = c2pa::EphemeralSigner::new(record.court_name.clone())?;
    let mut source = std::fs::File::open(asset).map_err(io(asset))?;
    // With no_embed the asset is not changed; the SDK still writes a copy, which is thrown
    // away (a scratch file beside the sidecar, not memory: these files may be large).
    let scratch = sidecar.with_extension("c2pa-scratch");
    let mut dest = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&scratch)
        .map_err(io(&scratch))?;
    let result = builder.sign(&signer, "video/mp4", &mut source, &mut dest);
    drop(dest);
    let _ = std::fs::remove_file(&scratch);
    let manifest = result?;
    std::fs::write(sidecar, manifest).map_err(io(sidecar))
}

/// What a sidecar says of an asset, as a C2PA reader sees it.
#[derive(Clone, Debug)]
pub struct Reading {
    /// "Valid", "Trusted" or "Invalid", as the SDK reports it.
    pub state: String,
    /// Validation codes that are failures (empty when the manifest is intact and the asset
    /// is the one it was made for), apart from the signer not being on a trust list.
    pub failures: Vec<String>,
    /// The signing certificate is not on the reader's trust list (always so for these: see
    /// the module documentation).
    pub untrusted: bool,
    pub signer: Option<String>,
    pub record: Option<serde_json::Value>,
    pub json: String,
}

/// Reads and validates a sidecar against its asset.
pub fn read_sidecar(
    sidecar: &[u8],
    asset: impl Read + Seek + Send,
) -> Result<Reading, ProvenanceError> {
    let reader =
        c2pa::Reader::default().with_manifest_data_and_stream(sidecar, "video/mp4", asset)?;
    let mut failures: Vec<String> = reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .map(|m| m.failure().iter().map(|s| s.code().to_string()).collect())
        .unwrap_or_default();
    let untrusted = failures.iter().any(|c| c == UNTRUSTED);
    failures.retain(|c| c != UNTRUSTED);
    let m = reader.active_manifest();
    Ok(Reading {
        state: format!("{:?}", reader.validation_state()),
        failures,
        untrusted,
        signer: m
            .and_then(|m| m.signature_info())
            .and_then(|s| s.common_name.clone()),
        record: m.and_then(|m| m.find_assertion::<serde_json::Value>(RECORD_ASSERTION).ok()),
        json: reader.json(),
    })
}
