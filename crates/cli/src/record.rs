//! `verbatim record`: one hearing from the command line, with the recorder the server drives.

use crate::court;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use verbatim_record::{CourtroomConfig, HearingInfo, RecordOptions, Recorder, RecorderState};

pub struct RecordArgs {
    pub test_sources: bool,
    pub courtroom: Option<String>,
    pub duration: Option<f64>,
    pub hearing: Option<String>,
    pub case_number: String,
    pub judge: String,
    pub secretary: String,
    pub quiet: bool,
    pub json: bool,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C and SIGTERM end the hearing cleanly (everything in flight sealed).
fn catch_signals() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

/// The courtroom to use: the built-in test courtroom, the one named, or the only one.
pub fn choose_room(
    config: &crate::config::Config,
    test_sources: bool,
    courtroom: Option<&str>,
    data: &Path,
) -> Result<CourtroomConfig> {
    if test_sources {
        return Ok(CourtroomConfig::test_sources(
            courtroom.unwrap_or("courtroom-1"),
        ));
    }
    let rooms = &config.courtrooms;
    match courtroom {
        Some(id) => rooms
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .with_context(|| format!("no courtroom {id:?} in verbatim.toml")),
        None => match rooms.as_slice() {
            [one] => Ok(one.clone()),
            [] => bail!(
                "no courtroom is configured in {}/verbatim.toml; add one, or use the built-in \
                 test courtroom with --test-sources",
                data.display()
            ),
            _ => bail!("several courtrooms are configured: choose one with --courtroom"),
        },
    }
}

/// Records a hearing; returns the process exit code (0, or 3 if the disk filled up).
pub fn run(data: &Path, args: RecordArgs) -> Result<u8> {
    if let Some(d) = args.duration {
        if !(d.is_finite() && d > 0.0) {
            bail!("--duration must be a positive number of seconds");
        }
    }
    let court = court::open(data)?;
    let room = choose_room(
        &court.config,
        args.test_sources,
        args.courtroom.as_deref(),
        data,
    )?;
    let hearing = args
        .hearing
        .clone()
        .unwrap_or_else(|| format!("h{}", court::now_unix_ms()));
    let info = HearingInfo {
        court: court.config.court.id.clone(),
        hearing: hearing.clone(),
        case_number: args.case_number,
        judge: args.judge,
        secretary: args.secretary,
    };
    let opts = RecordOptions {
        data_dir: data.to_path_buf(),
        checkpoint_interval: Duration::from_millis(court.config.log.checkpoint_interval_ms),
        disk_alarm_bytes: court.config.record.disk_alarm_mb * 1_000_000,
        disk_stop_bytes: court.config.record.disk_stop_mb * 1_000_000,
    };
    catch_signals();
    let log: verbatim_log::SharedLog = std::sync::Arc::new(std::sync::Mutex::new(court.log));
    let recorder = Recorder::start(log.clone(), room.clone(), info, opts)?;
    let latencies = recorder.seal_latencies();
    let status = recorder.status();
    eprintln!(
        "recording hearing {hearing} (part {}) in {}: {} sources; Ctrl-C stops",
        status.part,
        room.id,
        room.sources.len()
    );
    let events = recorder.subscribe();
    let started = Instant::now();
    let mut last_print = Instant::now();
    let mut halted = false;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        while let Ok(ev) = events.try_recv() {
            if let verbatim_record::Event::Alarm { message, .. } = &ev {
                eprintln!("ALARM: {message}");
            }
        }
        if INTERRUPTED.load(Ordering::SeqCst) {
            eprintln!("stopping: signal received");
            break;
        }
        if args
            .duration
            .is_some_and(|d| started.elapsed().as_secs_f64() >= d)
        {
            break;
        }
        if recorder.state() != RecorderState::Recording {
            halted = true;
            break;
        }
        if !args.quiet && last_print.elapsed() >= Duration::from_secs(5) {
            last_print = Instant::now();
            let s = recorder.status();
            let lost: Vec<&str> = s
                .streams
                .iter()
                .filter(|st| matches!(st.health, verbatim_record::events::Health::Lost { .. }))
                .map(|st| st.id.as_str())
                .collect();
            eprintln!(
                "  {:>6.1} s  {} segments sealed  log {} entries  seal p99 {:.0} ms  lost: {}",
                s.media_ns as f64 / 1e9,
                s.streams.iter().map(|x| x.segments_sealed).sum::<u64>(),
                s.log_size,
                s.seal_latency_p99_ms,
                if lost.is_empty() {
                    "none".into()
                } else {
                    lost.join(", ")
                }
            );
        }
    }
    let final_status = if halted {
        recorder.release("disk full")?
    } else {
        recorder.stop("")?
    };
    if args.json {
        let mut out = serde_json::to_value(&final_status)?;
        // Every seal's latency, as a count per whole millisecond: several recorders' seals
        // can then be pooled (the benchmark's p99 over all the courtrooms of a node).
        let mut counts = std::collections::BTreeMap::<u64, u64>::new();
        for ms in latencies.lock().expect("not poisoned").all() {
            *counts.entry(ms.max(0.0).floor() as u64).or_default() += 1;
        }
        out["seal_latency_counts_ms"] = serde_json::to_value(counts)?;
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    let mut per_stream = String::new();
    for st in &final_status.streams {
        per_stream.push_str(&format!(" {}:{}", st.id, st.segments_sealed));
    }
    eprintln!(
        "hearing {hearing}: segments sealed per stream{per_stream}; seal latency p50 {:.0} ms, \
         p99 {:.0} ms; log checkpoint at {} entries",
        final_status.seal_latency_p50_ms,
        final_status.seal_latency_p99_ms,
        verbatim_log::lock(&log).checkpoint().size
    );
    if halted {
        eprintln!(
            "recording stopped because the disk is nearly full; everything recorded is sealed. \
             Free space, then run the same command with --hearing {hearing} to resume."
        );
        return Ok(3);
    }
    Ok(0)
}
