//! `verbatim import`: outside recordings brought into a hearing under the same protocol as
//! native ones, marked for what they are.
//!
//! Every file is probed and cut into segments (`verbatim_record::import`) in a scratch
//! directory under `work/` first; only when all of them succeeded are the segments moved into
//! `hearings/<hearing>/import<N>-video|audio/` and sealed, in one group commit: for each
//! stream a `media_imported` entry (source file name, size, SHA-256, format, who, when,
//! where in the hearing's time) followed by its `segment_sealed` entries. A bad file (corrupt,
//! truncated, not media) is an error naming it, and nothing of any file is imported.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use verbatim_log::entry::{HearingOpened, MediaImported, SegmentSealed};
use verbatim_log::Entry;

use crate::court;

/// The recorder's segment length.
const SEGMENT_NS: u64 = 2_000_000_000;

pub struct Options {
    pub hearing: String,
    /// The case number, for a hearing the log does not have yet.
    pub case: Option<String>,
    /// Where the first file starts in the hearing's media time (seconds); default: after
    /// everything the hearing has.
    pub at: Option<f64>,
    pub by: String,
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = fs::File::open(path).with_context(|| path.display().to_string())?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h).with_context(|| path.display().to_string())?;
    Ok((verbatim_log::tree::to_hex(&h.finalize()), n))
}

/// Imports `files` into the hearing; returns a line per file for people.
pub fn import(data: &Path, opts: &Options, files: &[PathBuf]) -> Result<Vec<String>> {
    if files.is_empty() {
        bail!("name at least one file to import");
    }
    if !verbatim_log::entry::is_valid_id(&opts.hearing) {
        bail!("{:?} is not a valid hearing id", opts.hearing);
    }
    if let Some(a) = opts.at {
        if !(0.0..1e9).contains(&a) {
            bail!("--at must be seconds from the hearing's start, not {a}");
        }
    }
    for f in files {
        if !f.is_file() {
            bail!("{}: no such file", f.display());
        }
    }
    let mut court = court::open(data).context(
        "an import is sealed in the court's log, which another process holds (a running \
         `verbatim serve`)",
    )?;
    let court_id = court.config.court.id.clone();

    // What the log already has of this hearing.
    let mut opened: Option<HearingOpened> = None;
    let mut media_end_ns = 0u64;
    let mut imports = 0usize;
    for i in 0..court.log.size() {
        let Ok(e) = Entry::decode(&court.log.entry(i)?) else {
            continue;
        };
        if e.hearing() != Some(opts.hearing.as_str()) {
            continue;
        }
        match e {
            Entry::HearingOpened(o) if opened.is_none() => opened = Some(o),
            Entry::SegmentSealed(s) => media_end_ns = media_end_ns.max(s.media_end_ns),
            Entry::MediaImported(m)
                if m.stream.ends_with("-video") || m.stream.ends_with("-audio") =>
            {
                imports = imports.max(
                    m.stream
                        .trim_start_matches("import")
                        .split('-')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0),
                );
            }
            _ => {}
        }
    }
    let courtroom = opened
        .as_ref()
        .map(|o| o.courtroom.clone())
        .unwrap_or_else(|| "imported".into());

    // 1. Everything cut in a scratch directory; any failure leaves nothing behind.
    let scratch = data
        .join(verbatim_log::layout::WORK_DIR)
        .join(format!("import-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    let cut = (|| -> Result<Vec<(PathBuf, verbatim_record::import::Imported, String, u64)>> {
        let mut out = Vec::new();
        for (k, f) in files.iter().enumerate() {
            let imported =
                verbatim_record::import::segment_file(f, &scratch.join(k.to_string()), SEGMENT_NS)?;
            let (sha, bytes) = sha256_file(f)?;
            out.push((f.clone(), imported, sha, bytes));
        }
        Ok(out)
    })();
    let cut = match cut {
        Ok(c) => c,
        Err(e) => {
            let _ = fs::remove_dir_all(&scratch);
            return Err(e.context("nothing was imported"));
        }
    };

    // 2. Move into place and seal in one group commit.
    let now = court::now_unix_ms();
    let mut offset = match opts.at {
        Some(a) => (a * 1e9).round() as u64,
        None => media_end_ns,
    };
    let mut entries = Vec::new();
    let mut moved: Vec<PathBuf> = Vec::new();
    let mut report = Vec::new();
    if opened.is_none() {
        entries.push(Entry::HearingOpened(HearingOpened {
            court: court_id.clone(),
            courtroom: courtroom.clone(),
            hearing: opts.hearing.clone(),
            case_number: opts.case.clone().unwrap_or_default(),
            judge: String::new(),
            secretary: String::new(),
            part: 1,
            at_unix_ms: now,
        }));
    }
    let sealed = (|| -> Result<()> {
        for (f, imported, sha, bytes) in &cut {
            imports += 1;
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut length = 0u64;
            for (kind, segs) in [("video", &imported.video), ("audio", &imported.audio)] {
                if segs.is_empty() {
                    continue;
                }
                let stream = format!("import{imports}-{kind}");
                entries.push(Entry::MediaImported(MediaImported {
                    court: court_id.clone(),
                    hearing: opts.hearing.clone(),
                    stream: stream.clone(),
                    source_name: name.clone(),
                    source_bytes: *bytes,
                    source_sha256: sha.clone(),
                    source_format: imported.probe.format.chars().take(1000).collect(),
                    by: opts.by.clone(),
                    at_unix_ms: now,
                    media_offset_ns: offset,
                }));
                for (seq, s) in segs.iter().enumerate() {
                    let ext = s.path.extension().and_then(|e| e.to_str()).unwrap_or("bin");
                    let rel = court::segment_path(&opts.hearing, &stream, seq as u64, ext);
                    let dest = data.join(&rel);
                    fs::create_dir_all(dest.parent().expect("has a parent"))?;
                    fs::rename(&s.path, &dest)
                        .with_context(|| format!("moving {} into place", s.path.display()))?;
                    moved.push(dest.clone());
                    let mut perms = fs::metadata(&dest)?.permissions();
                    perms.set_readonly(true);
                    fs::set_permissions(&dest, perms)?;
                    let (seg_sha, seg_bytes) = sha256_file(&dest)?;
                    entries.push(Entry::SegmentSealed(SegmentSealed {
                        court: court_id.clone(),
                        courtroom: courtroom.clone(),
                        hearing: opts.hearing.clone(),
                        stream: stream.clone(),
                        seq: seq as u64,
                        media_start_ns: offset + s.start_ns,
                        media_end_ns: offset + s.end_ns,
                        captured_unix_ms: now,
                        bytes: seg_bytes,
                        sha256: seg_sha,
                        path: rel,
                    }));
                }
                length = length.max(segs.last().map_or(0, |s| s.end_ns));
                report.push(format!(
                    "{}: {stream}, {} segments, {:.1} s ({})",
                    f.display(),
                    segs.len(),
                    segs.last().map_or(0, |s| s.end_ns) as f64 / 1e9,
                    imported.probe.format
                ));
            }
            offset += length;
        }
        court.log.append_batch(&entries)?;
        court.log.publish_checkpoint()?;
        Ok(())
    })();
    let _ = fs::remove_dir_all(&scratch);
    if let Err(e) = sealed {
        for m in &moved {
            if let Ok(meta) = fs::metadata(m) {
                let mut p = meta.permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                p.set_readonly(false);
                let _ = fs::set_permissions(m, p);
            }
            let _ = fs::remove_file(m);
        }
        return Err(e.context("nothing was imported"));
    }
    Ok(report)
}
