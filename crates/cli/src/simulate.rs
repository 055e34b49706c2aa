//! Generated hearings: segment files of random bytes sealed exactly as the recorder will seal
//! captured ones. They exercise the log, the verifier and the demo until capture exists.

use crate::court::{self, ClosedSegment, Court};
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::Path;
use verbatim_log::entry::{HearingEvent, HearingOpened, LogNote, SourceEvent};
use verbatim_log::{layout, Entry};

pub struct Plan {
    pub hearing: Option<String>,
    pub seconds: u64,
    pub segment_seconds: u64,
    pub segment_bytes: usize,
    pub mic_bytes: usize,
}

const CAMERAS: [&str; 4] = ["cam1", "cam2", "cam3", "cam4"];
const MICS: [&str; 6] = ["mic1", "mic2", "mic3", "mic4", "mic5", "mic6"];
const COURTROOM: &str = "courtroom-1";

/// Records a simulated hearing into the court's log; returns a one-line summary.
pub fn hearing(court: &mut Court, plan: &Plan) -> Result<String> {
    if plan.segment_seconds == 0 || plan.seconds < plan.segment_seconds {
        bail!("--seconds must be at least --segment-seconds, which must be at least 1");
    }
    let hearing = plan
        .hearing
        .clone()
        .unwrap_or_else(|| format!("h{}", court::now_unix_ms()));
    if !verbatim_log::entry::is_valid_id(&hearing) {
        bail!("hearing id {hearing:?} is not an identifier (A-Z a-z 0-9 . _ -)");
    }
    if court.dir.join(layout::HEARINGS_DIR).join(&hearing).exists() {
        bail!("hearing {hearing} already has recordings");
    }
    let court_id = court.config.court.id.clone();
    let interval = court.config.log.checkpoint_interval_ms;
    let start_ms = court::now_unix_ms();
    court.log.append(&Entry::HearingOpened(HearingOpened {
        court: court_id.clone(),
        courtroom: COURTROOM.into(),
        hearing: hearing.clone(),
        case_number: "2-0001/2026".into(),
        judge: "Судья Ахметова А.".into(),
        secretary: "Хатшы Сейтқали Н.".into(),
        part: 1,
        at_unix_ms: start_ms,
    }))?;

    let segments = plan.seconds / plan.segment_seconds;
    let seg_ns = plan.segment_seconds * 1_000_000_000;
    let lost_at = segments / 2; // cam4 drops out for one segment, to show a recorded gap
    let mut seqs = [0u64; 10];
    let mut rng = fastrand::Rng::new();
    let mut last_checkpoint = std::time::Instant::now();
    let mut sealed = 0u64;
    for k in 0..segments {
        let media_ns = k * seg_ns;
        let at = start_ms + k * plan.segment_seconds * 1000;
        for (s, stream) in CAMERAS.iter().chain(MICS.iter()).enumerate() {
            if *stream == "cam4" && k == lost_at && segments > 2 {
                let gap = |restored| SourceEvent {
                    court: court_id.clone(),
                    hearing: hearing.clone(),
                    stream: stream.to_string(),
                    media_ns: media_ns + if restored { seg_ns } else { 0 },
                    at_unix_ms: at
                        + if restored {
                            plan.segment_seconds * 1000
                        } else {
                            0
                        },
                    reason: if restored {
                        "signal back".into()
                    } else {
                        "simulated: no frames for 2 s".into()
                    },
                };
                court.log.append(&Entry::SourceLost(gap(false)))?;
                court.log.append(&Entry::SourceRestored(gap(true)))?;
                continue;
            }
            let (ext, size) = if s < CAMERAS.len() {
                ("mp4", plan.segment_bytes)
            } else {
                ("flac", plan.mic_bytes)
            };
            let seq = seqs[s];
            seqs[s] += 1;
            let path = court::segment_path(&hearing, stream, seq, ext);
            let mut bytes = vec![0u8; size];
            rng.fill(&mut bytes);
            court::write_durable(&court.dir.join(&path), &bytes)?;
            court.seal_segment(&ClosedSegment {
                courtroom: COURTROOM,
                hearing: &hearing,
                stream,
                seq,
                path: &path,
                media_start_ns: media_ns,
                media_end_ns: media_ns + seg_ns,
                captured_unix_ms: at,
            })?;
            sealed += 1;
        }
        if k == 0 {
            court.log.append(&Entry::LogNote(LogNote {
                court: court_id.clone(),
                hearing: hearing.clone(),
                media_ns: 1_000_000_000,
                at_unix_ms: start_ms + 1000,
                author: "secretary".into(),
                role: "judge".into(),
                text: "Судебное заседание открыто. Сот отырысы ашық.".into(),
            }))?;
        }
        if last_checkpoint.elapsed().as_millis() as u64 >= interval {
            court.log.publish_checkpoint()?;
            last_checkpoint = std::time::Instant::now();
        }
    }
    court.log.append(&Entry::HearingClosed(HearingEvent {
        court: court_id,
        hearing: hearing.clone(),
        media_ns: segments * seg_ns,
        at_unix_ms: start_ms + plan.seconds * 1000,
        reason: String::new(),
    }))?;
    let cp = court.log.publish_checkpoint()?;
    Ok(format!(
        "hearing {hearing}: sealed {sealed} segment files from 10 streams; log checkpoint at {} entries",
        cp.size
    ))
}

/// For the crash test: appends entries without end, printing `ack <index> <leaf hash hex>`
/// once each is durable and `checkpoint <size>` once each checkpoint is published.
pub fn append_loop(data: &Path, checkpoint_every: u64) -> Result<()> {
    let mut court = court::open(data)?;
    let out = std::io::stdout();
    let court_id = court.config.court.id.clone();
    loop {
        let index = court.log.size();
        let entry = Entry::LogNote(LogNote {
            court: court_id.clone(),
            hearing: "crash-test".into(),
            media_ns: index,
            at_unix_ms: court::now_unix_ms(),
            author: "append-loop".into(),
            role: "test".into(),
            text: format!("entry {index} {}", "x".repeat((index % 97) as usize)),
        });
        let i = court.log.append(&entry)?;
        let leaf = court.log.tree().leaf(i)?;
        let mut o = out.lock();
        writeln!(o, "ack {i} {}", verbatim_log::tree::to_hex(&leaf.0)).context("stdout")?;
        o.flush().context("stdout")?;
        drop(o);
        if (i + 1) % checkpoint_every == 0 {
            let cp = court.log.publish_checkpoint()?;
            let mut o = out.lock();
            writeln!(o, "checkpoint {}", cp.size).context("stdout")?;
            o.flush().context("stdout")?;
        }
    }
}
