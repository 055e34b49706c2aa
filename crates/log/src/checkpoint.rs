//! Signed checkpoints: the court's signature over the log's size and root hash.
//!
//! A checkpoint is C2SP tlog-checkpoint text (origin line, tree size, base64 root hash),
//! wrapped in a C2SP signed note with the court's Ed25519 key. Parsing and signing come from
//! `tlog_tiles` and `signed_note`, ports of Go's `sumdb/tlog` and `sumdb/note`.

use crate::tree::Hash;
use signed_note::{Note, StandardSigner, StandardVerifier, VerifierList};

/// Why a signed checkpoint, or a key, was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    #[error("verifier key is malformed (expected name+keyid+base64 of an Ed25519 key)")]
    BadVerifierKey,
    #[error("signer key is malformed (expected PRIVATE+KEY+name+keyid+base64)")]
    BadSignerKey,
    #[error("signed note is malformed (text, blank line, then \u{2014} signature lines)")]
    MalformedNote,
    #[error(
        "signature by {key} does not verify: the checkpoint was altered or signed by another key"
    )]
    BadSignature { key: String },
    #[error("no signature by {key} on the checkpoint")]
    NotSignedByKey { key: String },
    #[error("checkpoint body is malformed (origin, size, base64 root hash)")]
    MalformedCheckpoint,
    #[error("checkpoint origin is {found:?}, expected {expected:?}")]
    OriginMismatch { expected: String, found: String },
    #[error("could not sign the checkpoint: {0}")]
    Signing(String),
}

/// A checkpoint whose signature has been checked (or that was just signed).
#[derive(Debug, Clone, PartialEq)]
pub struct SignedCheckpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The signed note exactly as published in `log/checkpoint`.
    pub note: Vec<u8>,
}

/// The court's public key in signed-note verifier form (`name+keyid+base64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    text: String,
    name: String,
}

impl VerifierKey {
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let text = text.trim();
        StandardVerifier::new(text).map_err(|_| CheckpointError::BadVerifierKey)?;
        // One key, one spelling: the key id in lowercase hex, as signed notes print it.
        let id = text.split('+').nth(1).unwrap_or_default();
        if id.len() != 8 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(CheckpointError::BadVerifierKey);
        }
        let name = text.split('+').next().unwrap_or_default().to_string();
        Ok(Self {
            text: text.to_string(),
            name,
        })
    }

    /// The key's name: by convention here, the log's origin line.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn verifiers(&self) -> VerifierList {
        let v = StandardVerifier::new(&self.text).expect("checked when parsed");
        VerifierList::new(vec![Box::new(v)])
    }
}

/// The court's private signing key (`PRIVATE+KEY+name+keyid+base64`).
pub struct SignerKey {
    signer: StandardSigner,
    verifier: VerifierKey,
}

impl SignerKey {
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        use base64::prelude::*;
        let text = text.trim();
        let signer = StandardSigner::new(text).map_err(|_| CheckpointError::BadSignerKey)?;
        // StandardSigner keeps its public half private; derive it to publish and self-check.
        // PRIVATE+KEY+<name>+<id>+<base64>; names have no '+', base64 may.
        let mut parts = text.splitn(5, '+');
        let (Some(_), Some(_), Some(name), Some(_id), Some(key64)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CheckpointError::BadSignerKey);
        };
        let raw = BASE64_STANDARD
            .decode(key64)
            .map_err(|_| CheckpointError::BadSignerKey)?;
        let secret = ed25519_dalek::SigningKey::try_from(raw.get(1..).unwrap_or_default())
            .map_err(|_| CheckpointError::BadSignerKey)?;
        let vkey = signed_note::new_ed25519_verifier_key(name, &secret.verifying_key());
        Ok(Self {
            signer,
            verifier: VerifierKey::parse(&vkey)?,
        })
    }

    /// The matching public key.
    pub fn verifier_key(&self) -> &VerifierKey {
        &self.verifier
    }

    pub fn name(&self) -> &str {
        signed_note::Signer::name(&self.signer)
    }

    /// Signs `text` (which must end in a newline) as a signed note.
    pub fn sign_note(&self, text: &[u8]) -> Result<Vec<u8>, CheckpointError> {
        let mut note = Note::new(text, &[]).map_err(|_| CheckpointError::MalformedNote)?;
        note.add_sigs(&[&self.signer])
            .map_err(|e| CheckpointError::Signing(e.to_string()))?;
        Ok(note.to_bytes())
    }

    /// Signs a checkpoint of the tree of `size` leaves with root `root`.
    pub fn sign_checkpoint(
        &self,
        origin: &str,
        size: u64,
        root: Hash,
    ) -> Result<SignedCheckpoint, CheckpointError> {
        let body = tlog_tiles::Checkpoint::new(origin, size, root, "")
            .map_err(|_| CheckpointError::MalformedCheckpoint)?;
        let note = self.sign_note(&body.to_bytes())?;
        Ok(SignedCheckpoint {
            origin: origin.to_string(),
            size,
            root,
            note,
        })
    }
}

/// Generates a new Ed25519 key pair named `name`: (signer key, verifier key).
#[cfg(feature = "fs")]
pub fn generate_key(name: &str) -> Result<(String, String), CheckpointError> {
    if !signed_note::is_key_name_valid(name) {
        return Err(CheckpointError::Signing(format!(
            "{name:?} is not a valid key name (non-empty, no spaces or '+')"
        )));
    }
    Ok(signed_note::generate_key(&mut rand_core::OsRng, name))
}

/// Checks a signed note's signature by `key` and returns its text.
pub fn open_note(note: &[u8], key: &VerifierKey) -> Result<Vec<u8>, CheckpointError> {
    let parsed = Note::from_bytes(note).map_err(|_| CheckpointError::MalformedNote)?;
    match parsed.verify(&key.verifiers()) {
        Ok(_) => Ok(parsed.text().to_vec()),
        Err(signed_note::NoteError::UnverifiedNote) => Err(CheckpointError::NotSignedByKey {
            key: key.as_str().to_string(),
        }),
        Err(signed_note::NoteError::MalformedNote) => Err(CheckpointError::MalformedNote),
        Err(_) => Err(CheckpointError::BadSignature {
            key: key.as_str().to_string(),
        }),
    }
}

/// Checks a signed checkpoint against the court's key and the expected origin.
pub fn open_checkpoint(
    note: &[u8],
    key: &VerifierKey,
    expected_origin: &str,
) -> Result<SignedCheckpoint, CheckpointError> {
    let text = open_note(note, key)?;
    let body = tlog_tiles::Checkpoint::from_bytes(&text)
        .map_err(|_| CheckpointError::MalformedCheckpoint)?;
    if body.origin() != expected_origin {
        return Err(CheckpointError::OriginMismatch {
            expected: expected_origin.to_string(),
            found: body.origin().to_string(),
        });
    }
    Ok(SignedCheckpoint {
        origin: body.origin().to_string(),
        size: body.size(),
        root: *body.hash(),
        note: note.to_vec(),
    })
}

/// Reads a signed checkpoint's origin, size and root without checking any signature: for
/// reporting what a checkpoint claims after its signature failed.
pub fn parse_unverified(note: &[u8]) -> Option<(String, u64, Hash)> {
    let parsed = Note::from_bytes(note).ok()?;
    let body = tlog_tiles::Checkpoint::from_bytes(parsed.text()).ok()?;
    Some((body.origin().to_string(), body.size(), *body.hash()))
}
