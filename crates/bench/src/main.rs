//! `verbatim-bench`: measurements of verbatim's parts on a real disk.
//!
//! `verbatim-bench log` times the court's log as the recorder uses it: durable single-entry
//! appends (each `Log::append` syncs the journal before it returns), group commits of one
//! courtroom's ten streams closing together (`Log::append_batch`), checkpoint signing alone
//! and full checkpoint publication (tiles, entry bundles, signed checkpoint, all synced), and
//! `Log::open` of the resulting log. Everything happens in a new temporary directory inside
//! `--dir`, which must be on the disk to be measured (not a tmpfs), and which is removed
//! afterwards unless `--keep` is given.
//!
//! `verbatim-bench search` times searches over generated hearings, `verbatim-search`
//! (tantivy) side by side with PostgreSQL full-text search on the same documents (see
//! `search.rs`).

mod corpus;
mod search;

mod asr;
mod asr_live;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use verbatim_log::entry::SegmentSealed;
use verbatim_log::{Entry, Log, SignerKey};

#[derive(Parser)]
#[command(name = "verbatim-bench", about = "Benchmarks for verbatim")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The court's log: durable appends, group commit, checkpoints, open.
    Log(LogArgs),
    /// Transcription: WER, attribution and speed on the evaluation hearing.
    Asr(asr::AsrArgs),
    /// Transcription lag behind live: the evaluation hearing replayed segment by segment.
    AsrLive(asr_live::AsrLiveArgs),
    /// Search latency over generated hearings: tantivy and PostgreSQL full-text search.
    Search(search::SearchArgs),
}

#[derive(clap::Args)]
struct LogArgs {
    /// Directory on the disk to measure; the benchmark works in a new temporary directory
    /// inside it.
    #[arg(long, default_value = "/var/tmp")]
    dir: PathBuf,
    /// SegmentSealed entries to append in each append phase.
    #[arg(long, default_value_t = 2000)]
    entries: u64,
    /// Entries per group commit: one courtroom's 10 streams (4 cameras, 6 microphones)
    /// closing a segment together.
    #[arg(long, default_value_t = 10)]
    batch: usize,
    /// Checkpoint signatures to time.
    #[arg(long, default_value_t = 2000)]
    sign_iterations: u32,
    /// Times to open the finished log.
    #[arg(long, default_value_t = 5)]
    opens: u32,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
    /// Keep the temporary directory (its path is printed).
    #[arg(long)]
    keep: bool,
}

const ORIGIN: &str = "verbatim.local/bench-court";
const COURT: &str = "bench-court";
const STREAMS: [(&str, &str); 10] = [
    ("cam1", "mp4"),
    ("cam2", "mp4"),
    ("cam3", "mp4"),
    ("cam4", "mp4"),
    ("mic1", "flac"),
    ("mic2", "flac"),
    ("mic3", "flac"),
    ("mic4", "flac"),
    ("mic5", "flac"),
    ("mic6", "flac"),
];
const SEGMENT_NS: u64 = 2_000_000_000;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Log(args) => bench_log(&args),
        Command::Asr(args) => asr::run(args),
        Command::AsrLive(args) => asr_live::run(args),
        Command::Search(args) => search::bench_search(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Latency samples of one measurement.
struct Samples {
    name: &'static str,
    /// What one sample is (an entry, a batch, a signature...).
    unit: &'static str,
    /// Entries each sample covers, for the entries/s rate.
    entries_per_sample: u64,
    times: Vec<Duration>,
}

impl Samples {
    fn new(name: &'static str, unit: &'static str, entries_per_sample: u64) -> Self {
        Samples {
            name,
            unit,
            entries_per_sample,
            times: Vec::new(),
        }
    }

    fn total(&self) -> Duration {
        self.times.iter().sum()
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut v = self.times.clone();
        v.sort();
        v
    }

    /// Nearest-rank percentile.
    fn pct(&self, p: f64) -> Duration {
        let v = self.sorted();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }

    fn max(&self) -> Duration {
        self.times.iter().max().copied().unwrap_or_default()
    }

    /// Samples per second of total time.
    fn per_second(&self) -> f64 {
        self.times.len() as f64 / self.total().as_secs_f64()
    }

    fn entries_per_second(&self) -> Option<f64> {
        (self.entries_per_sample > 0).then(|| self.per_second() * self.entries_per_sample as f64)
    }

    fn to_json(&self) -> Value {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        json!({
            "name": self.name,
            "unit": self.unit,
            "count": self.times.len(),
            "total_s": self.total().as_secs_f64(),
            "per_second": self.per_second(),
            "entries_per_second": self.entries_per_second(),
            "p50_ms": ms(self.pct(50.0)),
            "p99_ms": ms(self.pct(99.0)),
            "max_ms": ms(self.max()),
            "mean_ms": ms(self.total()) / self.times.len().max(1) as f64,
        })
    }
}

/// Realistic SegmentSealed entries: 10 streams closing 2-second segments in step.
struct Segments {
    hearing: String,
    start_ms: u64,
    next: u64,
    rng: u64,
}

impl Segments {
    fn new(hearing: &str) -> Self {
        Segments {
            hearing: hearing.into(),
            start_ms: 1_780_000_000_000,
            next: 0,
            rng: 0x9e37_79b9_7f4a_7c15 ^ hearing.len() as u64,
        }
    }

    /// splitmix64: stands in for the SHA-256 of a file that is never written.
    fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn next_entry(&mut self) -> Entry {
        let n = self.next;
        self.next += 1;
        let (stream, ext) = STREAMS[(n % STREAMS.len() as u64) as usize];
        let seq = n / STREAMS.len() as u64;
        let mut sha256 = String::with_capacity(64);
        for _ in 0..4 {
            let r = self.random();
            let _ = write!(sha256, "{r:016x}");
        }
        // About 2 s of 1080p H.264 at 4 Mbit/s, or of 48 kHz 24-bit FLAC.
        let base = if ext == "mp4" { 1_000_000 } else { 190_000 };
        let bytes = base + self.random() % 50_000;
        Entry::SegmentSealed(SegmentSealed {
            court: COURT.into(),
            courtroom: "courtroom-1".into(),
            hearing: self.hearing.clone(),
            stream: stream.into(),
            seq,
            media_start_ns: seq * SEGMENT_NS,
            media_end_ns: (seq + 1) * SEGMENT_NS,
            captured_unix_ms: self.start_ms + seq * 2000,
            bytes,
            sha256,
            path: format!("hearings/{}/{stream}/{seq:06}.{ext}", self.hearing),
        })
    }
}

fn fmt_dur(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else if us < 1e6 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

fn bench_log(args: &LogArgs) -> Result<()> {
    if args.entries == 0 || args.batch == 0 || args.sign_iterations == 0 || args.opens == 0 {
        bail!("--entries, --batch, --sign-iterations and --opens must be at least 1");
    }
    fs_create(&args.dir)?;
    let tmp = tempfile::Builder::new()
        .prefix("verbatim-bench-log.")
        .tempdir_in(&args.dir)
        .with_context(|| format!("cannot create a directory in {}", args.dir.display()))?;
    let work = tmp.path().to_path_buf();
    let (skey, _vkey) = verbatim_log::checkpoint::generate_key(ORIGIN)?;
    let key = || SignerKey::parse(&skey).context("the generated key");
    let mut results = Vec::new();
    let mut extra = serde_json::Map::new();

    // 1. Durable single-entry appends.
    let single_dir = work.join("single").join("log");
    let entry_bytes: usize;
    {
        let mut log = Log::create(&single_dir, ORIGIN, key()?)?;
        let mut gen = Segments::new("h-single");
        let entries: Vec<Entry> = (0..args.entries).map(|_| gen.next_entry()).collect();
        entry_bytes = entries
            .iter()
            .map(|e| e.encode().map(|b| b.len()))
            .sum::<Result<usize, _>>()?;
        let mut s = Samples::new("append (1 entry, synced)", "entry", 1);
        for e in &entries {
            let t = Instant::now();
            log.append(e)?;
            s.times.push(t.elapsed());
        }
        results.push(s);
        // One checkpoint over everything appended: what a checkpoint after a long pause costs.
        let t = Instant::now();
        let cp = log.publish_checkpoint()?;
        let once = t.elapsed();
        extra.insert(
            "checkpoint_over_all_single_entries".into(),
            json!({"entries": cp.size, "ms": once.as_secs_f64() * 1e3}),
        );
    }

    // 2. Group commit: batches of one courtroom's streams, without checkpoints.
    let batch_dir = work.join("batch").join("log");
    {
        let mut log = Log::create(&batch_dir, ORIGIN, key()?)?;
        let mut gen = Segments::new("h-batch");
        let mut s = Samples::new("append_batch (group commit)", "batch", args.batch as u64);
        let mut left = args.entries;
        while left > 0 {
            let n = left.min(args.batch as u64);
            let batch: Vec<Entry> = (0..n).map(|_| gen.next_entry()).collect();
            let t = Instant::now();
            log.append_batch(&batch)?;
            s.times.push(t.elapsed());
            left -= n;
        }
        results.push(s);
        log.publish_checkpoint()?;
    }

    // 3. Group commit followed by a checkpoint each time: the recorder's busiest loop.
    let cp_dir = work.join("checkpointed").join("log");
    let log_size;
    {
        let mut log = Log::create(&cp_dir, ORIGIN, key()?)?;
        let mut gen = Segments::new("h-checkpointed");
        let mut appends = Samples::new(
            "append_batch, then checkpoint: append",
            "batch",
            args.batch as u64,
        );
        let mut publishes = Samples::new("publish_checkpoint after each batch", "checkpoint", 0);
        let mut both = Samples::new(
            "append_batch + publish_checkpoint",
            "batch",
            args.batch as u64,
        );
        let mut left = args.entries;
        while left > 0 {
            let n = left.min(args.batch as u64);
            let batch: Vec<Entry> = (0..n).map(|_| gen.next_entry()).collect();
            let t0 = Instant::now();
            log.append_batch(&batch)?;
            let t1 = Instant::now();
            log.publish_checkpoint()?;
            let t2 = Instant::now();
            appends.times.push(t1 - t0);
            publishes.times.push(t2 - t1);
            both.times.push(t2 - t0);
            left -= n;
        }
        log_size = log.size();
        results.push(appends);
        results.push(publishes);
        results.push(both);
    }

    // 4. Signing alone.
    {
        let k = key()?;
        let mut s = Samples::new("sign_checkpoint (Ed25519, no I/O)", "signature", 0);
        let mut root = verbatim_log::tree::EMPTY_HASH;
        for i in 0..args.sign_iterations {
            root.0[0] = i as u8;
            root.0[1] = (i >> 8) as u8;
            let t = Instant::now();
            let cp = k.sign_checkpoint(ORIGIN, u64::from(i) + 1, root)?;
            s.times.push(t.elapsed());
            std::hint::black_box(cp);
        }
        results.push(s);
    }

    // 5. Opening the finished (checkpointed) log: journal scan, tree rebuild, signature check.
    {
        let mut s = Samples::new("Log::open", "open", 0);
        for _ in 0..args.opens {
            let k = key()?;
            let t = Instant::now();
            let (log, recovery) = Log::open(&cp_dir, ORIGIN, k)?;
            s.times.push(t.elapsed());
            if recovery != verbatim_log::Recovery::default() || log.size() != log_size {
                bail!("reopening the log repaired it ({recovery:?}): the benchmark is broken");
            }
        }
        results.push(s);
    }

    let journal_bytes = std::fs::metadata(cp_dir.join(verbatim_log::store::JOURNAL_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    let tile_files = count_files(&cp_dir.join("tile"));
    let avg_entry = entry_bytes as f64 / args.entries as f64;

    if args.json {
        let mut out = serde_json::Map::new();
        out.insert("dir".into(), json!(work.display().to_string()));
        out.insert("entries".into(), json!(args.entries));
        out.insert("batch".into(), json!(args.batch));
        out.insert("avg_entry_bytes".into(), json!(avg_entry));
        out.insert("journal_bytes".into(), json!(journal_bytes));
        out.insert("tile_files".into(), json!(tile_files));
        out.insert(
            "results".into(),
            Value::Array(results.iter().map(Samples::to_json).collect()),
        );
        out.extend(extra);
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
    } else {
        println!(
            "verbatim-bench log: {} SegmentSealed entries (average {avg_entry:.0} bytes), \
             batches of {}, in {}",
            args.entries,
            args.batch,
            work.display()
        );
        println!(
            "{:<40} {:>6} {:>11} {:>11} {:>11} {:>11} {:>11}",
            "measurement", "count", "entries/s", "per second", "p50", "p99", "max"
        );
        for s in &results {
            let eps = s
                .entries_per_second()
                .map_or("-".to_string(), |r| format!("{r:.0}"));
            println!(
                "{:<40} {:>6} {:>11} {:>11.0} {:>11} {:>11} {:>11}",
                s.name,
                s.times.len(),
                eps,
                s.per_second(),
                fmt_dur(s.pct(50.0)),
                fmt_dur(s.pct(99.0)),
                fmt_dur(s.max()),
            );
        }
        if let Some(v) = extra.get("checkpoint_over_all_single_entries") {
            println!(
                "one checkpoint over all {} single-appended entries: {:.2} ms",
                v["entries"],
                v["ms"].as_f64().unwrap_or(0.0)
            );
        }
        println!(
            "log opened: {log_size} entries, journal {journal_bytes} bytes, {tile_files} tile files"
        );
    }

    if args.keep {
        let kept = tmp.keep();
        eprintln!("kept {}", kept.display());
    }
    Ok(())
}

fn fs_create(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

fn count_files(dir: &Path) -> u64 {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match item.file_type() {
                Ok(t) if t.is_dir() => stack.push(item.path()),
                Ok(_) => n += 1,
                Err(_) => {}
            }
        }
    }
    n
}
