//! `verbatim`: the one binary. Each subcommand wires the domain crates together; the logic
//! lives in them.

mod config;
mod court;
mod import;
mod record;
mod redact;
mod simulate;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use verbatim_log::{verify_dir, VerifierKey, VerifyOptions};

#[derive(Parser)]
#[command(
    name = "verbatim",
    version,
    about = "An open digital court recording system"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a court's data directory and signing key; prints the court's verifier key.
    Init {
        /// The data directory to create (must not exist, or be empty).
        #[arg(long)]
        data: PathBuf,
        /// Court identifier used in entries and paths.
        #[arg(long)]
        court: Option<String>,
        /// The court's name, for people.
        #[arg(long)]
        name: Option<String>,
        /// The log's origin line (and key name); default verbatim.local/<court>.
        #[arg(long)]
        origin: Option<String>,
        /// Password of the first administrator, `admin` (default: a random one, printed).
        #[arg(long)]
        admin_password: Option<String>,
    },
    /// Run the court's web application and API.
    Serve {
        #[arg(long)]
        data: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Send the session cookie without the Secure flag (plain HTTP other than localhost).
        #[arg(long)]
        insecure_cookies: bool,
    },
    /// Verify offline, with nothing but the court's key: a court data directory, or an
    /// evidence bundle (a directory with bundle.json, or a .tar archive). Says exactly what
    /// is proven; exit status 0 only if everything holds.
    Verify {
        /// The data directory or bundle to verify.
        path: PathBuf,
        /// The court's verifier key (name+keyid+base64), or a file holding it.
        #[arg(long)]
        key: Option<String>,
        /// Expected origin line; default: the key's name.
        #[arg(long)]
        origin: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Threads hashing files (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Seal a simulated hearing of generated segment files (4 cameras, 6 microphones) into
    /// the log: a stand-in for capture until the recorder exists.
    Simulate {
        #[arg(long)]
        data: PathBuf,
        /// Hearing identifier (default: a new one).
        #[arg(long)]
        hearing: Option<String>,
        /// Length of the simulated hearing in seconds of media.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Segment length in seconds.
        #[arg(long, default_value_t = 2)]
        segment_seconds: u64,
        /// Bytes per camera segment.
        #[arg(long, default_value_t = 256 * 1024)]
        segment_bytes: usize,
        /// Bytes per microphone segment.
        #[arg(long, default_value_t = 64 * 1024)]
        mic_bytes: usize,
    },
    /// Record a hearing in a courtroom (Ctrl-C, --duration, or a full disk stops it).
    Record {
        #[arg(long)]
        data: PathBuf,
        /// Record the built-in test courtroom: 4 test-pattern cameras, 6 microphones.
        #[arg(long)]
        test_sources: bool,
        /// Courtroom id from verbatim.toml (default: the only one configured).
        #[arg(long)]
        courtroom: Option<String>,
        /// Stop after this many seconds.
        #[arg(long)]
        duration: Option<f64>,
        /// Hearing id; an open hearing with this id is resumed as a new part.
        #[arg(long)]
        hearing: Option<String>,
        #[arg(long, default_value = "")]
        case: String,
        #[arg(long, default_value = "")]
        judge: String,
        #[arg(long, default_value = "")]
        secretary: String,
        /// No progress lines.
        #[arg(long)]
        quiet: bool,
        /// Print the final status (streams, segments sealed, seal latency) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The pre-hearing test: check that every source of a courtroom delivers a signal.
    Preflight {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        test_sources: bool,
        #[arg(long)]
        courtroom: Option<String>,
        /// How long to listen to each source.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        #[arg(long)]
        json: bool,
    },
    /// Print the transcript of one audio file (any format GStreamer decodes).
    Transcribe {
        /// The audio file.
        audio: PathBuf,
        /// Force the language (kk or ru); default: chosen per utterance between the two.
        #[arg(long)]
        lang: Option<String>,
        /// Whisper model directory in CTranslate2 format (default: $VERBATIM_MODEL_DIR, or
        /// the one scripts/fetch-whisper-model assembles).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Beam size (1: greedy decoding).
        #[arg(long, default_value_t = 1)]
        beam: usize,
        /// Print utterances with word times as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Serve loopback RTSP test cameras (rtsp://LISTEN/cam1 ...) until stopped.
    TestCameras {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8554")]
        listen: String,
        #[arg(long, default_value_t = 4)]
        cameras: u32,
        /// Loop this pre-encoded H.264 Annex B file (25 frames/s) instead of encoding a
        /// test pattern.
        #[arg(long)]
        h264_file: Option<PathBuf>,
        /// Serve one stream at every camera path, read and packetized once and sent to
        /// each client (the benchmark's cameras then cost the server the sending alone).
        #[arg(long)]
        one_feed: bool,
    },
    /// List the hearings in a court's log, with their ids.
    Hearings {
        #[arg(long)]
        data: PathBuf,
        /// One JSON object per hearing.
        #[arg(long)]
        json: bool,
    },
    /// Write an evidence bundle of a hearing or a clip of it: the sealed files byte for
    /// byte, the log entries with a range proof to the signed checkpoint, the court's key,
    /// a certificate. A directory, or one archive when PATH ends in .tar.
    Export {
        #[arg(long)]
        data: PathBuf,
        #[command(flatten)]
        args: ExportArgs,
    },
    /// Declare a redaction for public copies: spans of microphones muted and of cameras
    /// blanked, each with its reason. The touched segments are re-encoded and sealed as
    /// the redaction's, beside the untouched originals. Export it with
    /// `verbatim export --redaction ID`.
    Redact {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        hearing: String,
        /// STREAM[,STREAM...]:FROM-TO:REASON, seconds from the hearing's start; repeat for
        /// more spans. Microphones are muted, cameras blanked.
        #[arg(long = "span", required = true)]
        spans: Vec<String>,
        /// Who orders the redaction (default: the user running the command).
        #[arg(long)]
        by: Option<String>,
        /// Their role (judge, administrator...).
        #[arg(long, default_value = "operator")]
        role: String,
    },
    /// Bring outside recordings (MP4, MOV, AVI, MKV, MPEG-TS, WAV, MP3, whatever GStreamer
    /// decodes) into a hearing: probed, cut into segments like native recordings and sealed
    /// with their provenance (file name, size, SHA-256, who, when). All or nothing.
    Import {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        hearing: String,
        /// Case number, for a hearing the log does not have yet.
        #[arg(long)]
        case: Option<String>,
        /// Where the first file starts in the hearing's media time, seconds (default:
        /// after everything the hearing already has). Files follow one another.
        #[arg(long)]
        at: Option<f64>,
        /// Who is importing (default: the user running the command).
        #[arg(long)]
        by: Option<String>,
        /// The files, in the order they were recorded.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the log's entries, one JSON object per line.
    Entries {
        #[arg(long)]
        data: PathBuf,
        /// First entry to print.
        #[arg(long, default_value_t = 0)]
        from: u64,
    },
    /// Demo helper: a judge, a secretary, a case and today's hearing in courtroom-1.
    #[command(hide = true)]
    SeedDemo {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        password: String,
    },
    /// Crash-test helper: append entries forever, printing each acknowledgement.
    #[command(hide = true)]
    AppendLoop {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 8)]
        checkpoint_every: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Init {
            data,
            court,
            name,
            origin,
            admin_password,
        } => {
            let made = court::init(
                &data,
                court::InitOptions {
                    court_id: court,
                    court_name: name,
                    origin,
                    admin_password,
                },
            )?;
            eprintln!(
                "created court data directory {}\nfirst administrator: user {} password {}\n\
                 the court's verifier key (publish it):",
                data.display(),
                made.admin_username,
                made.admin_password
            );
            println!("{}", made.vkey);
        }
        Command::Serve {
            data,
            listen,
            insecure_cookies,
        } => serve(&data, listen, !insecure_cookies)?,
        Command::Verify {
            path,
            key,
            origin,
            json,
            threads,
        } => {
            let key = key.map(|k| parse_key_arg(&k)).transpose()?;
            if is_bundle(&path) {
                let files = verbatim_bundle::files::open(&path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                let report = verbatim_bundle::verify(files.as_ref(), key.as_ref());
                return print_report(json, &report, report.to_text(), report.ok);
            }
            let report = verify_dir(
                &path,
                &VerifyOptions {
                    key,
                    origin,
                    threads,
                },
            );
            return print_report(json, &report, report.to_text(), report.ok);
        }
        Command::Simulate {
            data,
            hearing,
            seconds,
            segment_seconds,
            segment_bytes,
            mic_bytes,
        } => {
            let mut court = court::open(&data)?;
            let summary = simulate::hearing(
                &mut court,
                &simulate::Plan {
                    hearing,
                    seconds,
                    segment_seconds,
                    segment_bytes,
                    mic_bytes,
                },
            )?;
            println!("{summary}");
        }
        Command::Record {
            data,
            test_sources,
            courtroom,
            duration,
            hearing,
            case,
            judge,
            secretary,
            quiet,
            json,
        } => {
            let code = record::run(
                &data,
                record::RecordArgs {
                    test_sources,
                    courtroom,
                    duration,
                    hearing,
                    case_number: case,
                    judge,
                    secretary,
                    quiet,
                    json,
                },
            )?;
            return Ok(ExitCode::from(code));
        }
        Command::Preflight {
            data,
            test_sources,
            courtroom,
            seconds,
            json,
        } => {
            if !(seconds.is_finite() && seconds > 0.0 && seconds <= 60.0) {
                anyhow::bail!("--seconds must be between 0 and 60");
            }
            let court = court::open(&data)?;
            let room =
                record::choose_room(&court.config, test_sources, courtroom.as_deref(), &data)?;
            drop(court);
            let checks = verbatim_record::preflight::check(
                &room,
                std::time::Duration::from_secs_f64(seconds),
            )?;
            if json {
                println!("{}", serde_json::to_string_pretty(&checks)?);
            } else {
                for c in &checks {
                    let mark = if c.ok { "OK  " } else { "FAIL" };
                    println!("{mark} {:<8} {:<28} {}", c.id, c.label, c.detail);
                }
            }
            let ok = checks.iter().all(|c| c.ok);
            return Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::TestCameras {
            listen,
            cameras,
            h264_file,
            one_feed,
        } => {
            let (host, port) = listen
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_string(), p.parse::<u16>().ok()?)))
                .with_context(|| format!("--listen {listen:?} is not HOST:PORT"))?;
            if cameras == 0 || cameras > 256 {
                anyhow::bail!("--cameras must be between 1 and 256");
            }
            let feed = match &h264_file {
                Some(f) => {
                    if !f.is_file() {
                        anyhow::bail!("--h264-file {}: no such file", f.display());
                    }
                    verbatim_record::testcam::CameraFeed::H264File(f)
                }
                None => verbatim_record::testcam::CameraFeed::Pattern,
            };
            eprintln!("test cameras at rtsp://{host}:{port}/cam1 .. /cam{cameras}");
            verbatim_record::testcam::serve(&host, port, cameras, feed, one_feed)?;
        }
        Command::Transcribe {
            audio,
            lang,
            model,
            beam,
            json,
        } => {
            transcribe(&audio, lang.as_deref(), model, beam, json)?;
        }
        Command::Hearings { data, json } => hearings(&data, json)?,
        Command::Import {
            data,
            hearing,
            case,
            at,
            by,
            files,
        } => {
            let by = by.unwrap_or_else(cli_user);
            let opts = import::Options {
                hearing,
                case,
                at,
                by,
            };
            for line in import::import(&data, &opts, &files)? {
                eprintln!("imported {line}");
            }
        }
        Command::Export { data, args } => export(&data, args)?,
        Command::Redact {
            data,
            hearing,
            spans,
            by,
            role,
        } => {
            let mut all = Vec::new();
            for s in &spans {
                all.extend(redact::parse_span(s)?);
            }
            let r = redact::redact(&data, &hearing, all, by.unwrap_or_else(cli_user), role)?;
            for (stream, seqs) in &r.streams {
                eprintln!(
                    "{stream}: segments {} replaced by redacted re-encodings",
                    seqs.iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            println!("{}", r.redaction);
            eprintln!(
                "redaction {} of hearing {hearing} sealed: {} segments replaced; export the                  public copy with: verbatim export --data {} --hearing {hearing} --redaction {} --out PATH",
                r.redaction,
                r.segments,
                data.display(),
                r.redaction
            );
        }
        Command::Entries { data, from } => {
            let court = court::open(&data)?;
            for i in from..court.log.size() {
                let bytes = court.log.entry(i)?;
                println!("{}", String::from_utf8_lossy(&bytes));
            }
        }
        Command::SeedDemo { data, password } => seed_demo(&data, &password)?,
        Command::AppendLoop {
            data,
            checkpoint_every,
        } => simulate::append_loop(&data, checkpoint_every)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a verification report (JSON or text); exit status 1 when it found problems.
fn print_report(
    json: bool,
    report: &impl serde::Serialize,
    text: String,
    ok: bool,
) -> Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{text}");
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Who runs a command, for the log: `cli:<login>`.
fn cli_user() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "operator".into())
    )
}

/// A bundle: a directory with a bundle manifest, or a file (an archive).
fn is_bundle(path: &std::path::Path) -> bool {
    path.join(verbatim_bundle::format::MANIFEST).is_file() || path.is_file()
}

fn hearings(data: &std::path::Path, json: bool) -> Result<()> {
    let dir = data.join(verbatim_log::layout::LOG_DIR);
    let entries = verbatim_log::store::read_entries(&dir)
        .with_context(|| format!("reading the court's log in {}", data.display()))?;
    let list = verbatim_bundle::hearings::summarise(entries.iter().map(Vec::as_slice));
    if json {
        for h in &list {
            println!("{}", serde_json::to_string(h)?);
        }
        return Ok(());
    }
    if list.is_empty() {
        eprintln!("no hearings in {}", data.display());
    }
    for h in &list {
        let s = h.media_end_ms / 1000;
        println!(
            "{}  case {:<14} courtroom {:<10} {} part(s)  {:02}:{:02}:{:02}  {} stream(s), {} segments  {}{}{}{}",
            h.hearing,
            if h.case_number.is_empty() { "-" } else { &h.case_number },
            h.courtroom,
            h.parts,
            s / 3600,
            s / 60 % 60,
            s % 60,
            h.streams.len(),
            h.segments,
            if h.closed { "closed" } else { "open" },
            match (h.revisions, h.certified) {
                (0, _) => String::new(),
                (n, false) => format!(", transcript r{n}"),
                (n, true) => format!(", transcript r{n} certified"),
            },
            match h.imported_streams {
                0 => String::new(),
                n => format!(", {n} imported stream(s): lower assurance"),
            },
            if h.redactions.is_empty() {
                String::new()
            } else {
                format!(", redactions {}", h.redactions.join(" "))
            }
        );
    }
    Ok(())
}

/// `verbatim export`'s options.
#[derive(clap::Args)]
struct ExportArgs {
    #[arg(long)]
    hearing: String,
    /// Start of a clip, in seconds from the hearing's start.
    #[arg(long)]
    from: Option<f64>,
    /// End of a clip, in seconds from the hearing's start.
    #[arg(long)]
    to: Option<f64>,
    /// Where to write the bundle (must not exist).
    #[arg(long)]
    out: PathBuf,
    /// Language of the certificate: kk, ru or en.
    #[arg(long, default_value = "ru")]
    lang: String,
    /// A redacted public copy: the redaction's id (from `verbatim redact`). Its
    /// re-encoded segments stand in for the originals, which stay out of the bundle,
    /// as do the transcript and the notes inside its spans.
    #[arg(long)]
    redaction: Option<String>,
    /// Add a convenience MP4 per camera with the microphones mixed in, under derived/:
    /// outside the proof, and marked so.
    #[arg(long)]
    derived: bool,
}

fn export(data: &std::path::Path, args: ExportArgs) -> Result<()> {
    let ExportArgs {
        hearing,
        from,
        to,
        out,
        lang,
        redaction,
        derived,
    } = args;
    let (out, lang) = (out.as_path(), lang.as_str());
    let lang = verbatim_transcript::export::UiLang::parse(lang)
        .map_err(|_| anyhow::anyhow!("--lang must be kk, ru or en, not {lang:?}"))?;
    let ms = |name: &str, v: Option<f64>| -> Result<Option<u64>> {
        verbatim_bundle::export::seconds_to_ms(&format!("--{name}"), v).map_err(anyhow::Error::msg)
    };
    // Every export is recorded in the court's log, so the log must be free: a running
    // `verbatim serve` holds it (export through its API, GET /api/hearings/ID/bundle).
    let mut court = court::open(data).context(
        "the export is recorded in the court's log, which another process holds (a running \
         `verbatim serve`: download the bundle through it, GET /api/hearings/ID/bundle)",
    )?;
    let config = court.config.clone();
    let req = verbatim_bundle::export::ExportRequest {
        hearing,
        from_ms: ms("from", from)?,
        to_ms: ms("to", to)?,
        court_name: config.court.name.clone(),
        created_unix_ms: court::now_unix_ms(),
        lang,
        redaction,
    };
    let mut plan = verbatim_bundle::export::plan(data, &req)?;
    let scratch = data
        .join(verbatim_log::layout::WORK_DIR)
        .join(format!("derive-{}", std::process::id()));
    let written = (|| -> Result<verbatim_bundle::export::Written> {
        if derived {
            add_derived(&mut plan, &scratch)?;
        }
        let extras = verbatim_bundle::export::Extras::new();
        Ok(verbatim_bundle::export::write(&plan, &extras, out)?)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    let w = written?;
    let mut span = verbatim_bundle::export::span_text(from, to);
    if let Some(r) = &plan.manifest.redaction {
        span.push_str(&format!(", redacted public copy ({r})"));
    }
    let actor = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    court
        .log
        .append(&verbatim_log::Entry::Audit(verbatim_log::entry::Audit {
            court: config.court.id.clone(),
            actor: format!("cli:{actor}"),
            role: "operator".into(),
            action: "export_bundle".into(),
            hearing: plan.manifest.hearing.clone(),
            at_unix_ms: court::now_unix_ms(),
            detail: format!(
                "{span}; entries {}..{} of checkpoint {}; {} files, {} bytes; written to {}",
                w.begin,
                w.end - 1,
                w.checkpoint_size,
                w.files,
                w.bytes,
                out.display()
            )
            .chars()
            .take(1000)
            .collect(),
        }))?;
    court.log.publish_checkpoint()?;
    eprintln!(
        "wrote {}: {} sealed files ({} bytes); log entries {}..{} of {} ({} disclosed, {} withheld)",
        w.out.display(),
        w.files,
        w.bytes,
        w.begin,
        w.end - 1,
        w.checkpoint_size,
        w.disclosed,
        w.withheld,
    );
    eprintln!("check it with: verbatim verify {}", w.out.display());
    Ok(())
}

/// One MP4 per camera of the bundle, the microphones mixed in, made in `scratch` and added
/// under `derived/`.
fn add_derived(plan: &mut verbatim_bundle::export::Plan, scratch: &std::path::Path) -> Result<()> {
    use verbatim_record::derive::{camera_mp4, Track};
    std::fs::create_dir_all(scratch).with_context(|| scratch.display().to_string())?;
    let track = |t: &verbatim_bundle::export::Track| Track {
        files: t.files.clone(),
    };
    let mics: Vec<Track> = plan
        .tracks
        .iter()
        .filter(|t| t.kind == "microphone")
        .map(track)
        .collect();
    let cameras: Vec<(String, Track)> = plan
        .tracks
        .iter()
        .filter(|t| t.kind == "camera")
        .map(|t| (t.stream.clone(), track(t)))
        .collect();
    let mic_streams: Vec<String> = plan
        .tracks
        .iter()
        .filter(|t| t.kind == "microphone")
        .map(|t| t.stream.clone())
        .collect();
    let (_, size, root) = verbatim_log::checkpoint::parse_unverified(&plan.checkpoint)
        .context("the bundle's checkpoint does not parse")?;
    for (stream, cam) in cameras {
        let out = scratch.join(format!("{stream}.mp4"));
        eprintln!(
            "making derived/{stream}.mp4 (camera remuxed, {} microphones mixed) and its C2PA sidecar",
            mics.len()
        );
        camera_mp4(&cam, &mics, &out, 3600).map_err(anyhow::Error::msg)?;
        // Content Credentials for standard provenance tools: who recorded it, and the sealed
        // segments it was made from (which the bundle proves).
        let m = &plan.manifest;
        let sources: Vec<verbatim_provenance::SourceSegment> = m
            .files
            .iter()
            .filter_map(|f| {
                let s = std::iter::once(&stream)
                    .chain(&mic_streams)
                    .find(|s| f.path.contains(&format!("/{s}/")))?;
                Some(verbatim_provenance::SourceSegment {
                    stream: s.clone(),
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                })
            })
            .collect();
        let record = verbatim_provenance::Record {
            court: m.court.clone(),
            court_name: if m.court_name.is_empty() {
                m.court.clone()
            } else {
                m.court_name.clone()
            },
            log_origin: m.origin.clone(),
            checkpoint_size: size,
            checkpoint_root: verbatim_log::tree::to_hex(&root.0),
            hearing: m.hearing.clone(),
            case_number: m.case_number.clone(),
            courtroom: m.courtroom.clone(),
            camera: stream.clone(),
            made: format!(
                "camera {stream}'s H.264 remuxed from its sealed segments; {} microphones \
                 decoded, mixed and encoded to AAC{}",
                mic_streams.len(),
                match &m.redaction {
                    Some(r) => format!("; from redaction {r}'s segments where it replaced them"),
                    None => String::new(),
                }
            ),
            segments: sources,
        };
        let sidecar = scratch.join(format!("{stream}.c2pa"));
        verbatim_provenance::write_sidecar(&out, &sidecar, &record)?;
        plan.add_derived(out, &format!("{stream}.mp4"))?;
        plan.add_derived(sidecar, &format!("{stream}.c2pa"))?;
    }
    Ok(())
}

/// Runs the web application until SIGINT/SIGTERM, then stops any recording cleanly.
fn serve(data: &std::path::Path, listen: std::net::SocketAddr, secure: bool) -> Result<()> {
    let court = court::open(data)?;
    let mut rooms = court.config.courtrooms.clone();
    if rooms.is_empty() {
        eprintln!("no courtroom configured: serving the built-in test courtroom, courtroom-1");
        rooms.push(verbatim_record::CourtroomConfig::test_sources(
            "courtroom-1",
        ));
    }
    let rt = court::runtime()?;
    rt.block_on(async move {
        let catalog =
            verbatim_catalog::Catalog::connect(&court.config.catalog.resolved(data)).await?;
        catalog
            .upsert_court(&court.config.court.id, &court.config.court.name)
            .await?;
        for r in &rooms {
            let name = if r.name.is_empty() {
                r.id.clone()
            } else {
                r.name.clone()
            };
            catalog
                .upsert_courtroom(&court.config.court.id, &r.id, &name)
                .await?;
        }
        let opts = verbatim_server::ServeOptions {
            data_dir: data.to_path_buf(),
            court: verbatim_server::CourtInfo {
                id: court.config.court.id.clone(),
                name: court.config.court.name.clone(),
                origin: court.config.court.origin.clone(),
            },
            rooms,
            catalog,
            log: court.log,
            checkpoint_interval: std::time::Duration::from_millis(
                court.config.log.checkpoint_interval_ms,
            ),
            disk_alarm_bytes: court.config.record.disk_alarm_mb * 1_000_000,
            disk_stop_bytes: court.config.record.disk_stop_mb * 1_000_000,
            secure_cookies: secure,
            transcribe: transcribe_config(&court.config.transcribe),
        };
        eprintln!("serving http://{listen}/ (Ctrl-C stops, sealing what is in flight)");
        let shutdown = async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("a signal handler can be installed");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        };
        verbatim_server::serve(opts, listen, shutdown).await?;
        anyhow::Ok(())
    })
}

/// Seeds the demo court's catalog (idempotent).
fn seed_demo(data: &std::path::Path, password: &str) -> Result<()> {
    use verbatim_catalog::{CatalogError, Category, NewHearing, Role};
    let config = config::Config::load(&data.join(verbatim_log::layout::CONFIG_FILE))?;
    court::runtime()?.block_on(async {
        let c = verbatim_catalog::Catalog::connect(&config.catalog.resolved(data)).await?;
        c.upsert_court(&config.court.id, &config.court.name).await?;
        c.upsert_courtroom(&config.court.id, "courtroom-1", "Зал № 1 / № 1 зал")
            .await?;
        for (name, display, role) in [
            ("judge", "Ахметова А. С.", Role::Judge),
            ("secretary", "Сейтқали Н. Б.", Role::Secretary),
        ] {
            match c.create_user(name, display, role, password, "kk").await {
                Ok(_) | Err(CatalogError::Exists(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let case = match c
            .create_case(
                &config.court.id,
                "2-15/2026",
                Category::Civil,
                "О взыскании долга",
            )
            .await
        {
            Ok(case) => {
                for (n, r) in [("Иванов И. И.", "plaintiff"), ("Серіков Б.", "defendant")]
                {
                    c.add_participant(&case.id, n, r).await?;
                }
                case
            }
            Err(CatalogError::Exists(_)) => return anyhow::Ok(()),
            Err(e) => return Err(e.into()),
        };
        let judge = c.user_by_name("judge").await?.context("judge")?;
        let secretary = c.user_by_name("secretary").await?.context("secretary")?;
        c.create_hearing(&NewHearing {
            case_id: case.id,
            courtroom_id: "courtroom-1".into(),
            date: verbatim_catalog::today(),
            time: "10:00".into(),
            judge_id: judge.id,
            secretary_id: secretary.id,
            language: "kk+ru".into(),
            open_to_public: true,
        })
        .await?;
        anyhow::Ok(())
    })
}

/// `--key` takes the key itself or a file holding it.
fn parse_key_arg(arg: &str) -> Result<VerifierKey> {
    if let Ok(k) = VerifierKey::parse(arg) {
        return Ok(k);
    }
    let text = std::fs::read_to_string(arg)
        .with_context(|| format!("--key {arg:?} is neither a verifier key nor a readable file"))?;
    VerifierKey::parse(&text).with_context(|| format!("in {arg}"))
}

/// The recogniser the server runs, if transcription is enabled and the model is there.
fn transcribe_config(c: &config::TranscribeConfig) -> Option<verbatim_transcribe::WhisperConfig> {
    if !c.enabled {
        return None;
    }
    let dir = model_dir((!c.model_dir.is_empty()).then(|| PathBuf::from(&c.model_dir)));
    if !dir.join("model.bin").is_file() {
        eprintln!(
            "warning: no Whisper model in {} (scripts/fetch-whisper-model assembles one): \
             hearings will not be transcribed",
            dir.display()
        );
        return None;
    }
    let mut w = verbatim_transcribe::WhisperConfig::new(dir);
    w.threads = c.threads.clamp(1, 64);
    w.beam_size = c.beam_size.clamp(1, 10);
    w.kk_bias = c.kk_bias;
    w.encoder_pad = c.encoder_pad;
    Some(w)
}

/// The model directory: the flag, else `$VERBATIM_MODEL_DIR`, else where
/// scripts/fetch-whisper-model puts Whisper base.
pub fn model_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("VERBATIM_MODEL_DIR").map(PathBuf::from))
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/verbatim/models/whisper-base")
        })
}

fn transcribe(
    audio: &std::path::Path,
    lang: Option<&str>,
    model: Option<PathBuf>,
    beam: usize,
    json: bool,
) -> Result<()> {
    use verbatim_transcribe::{LangChoice, Whisper, WhisperConfig};
    let choice = match lang {
        None => LangChoice::Auto,
        Some(l) => LangChoice::Fixed(verbatim_transcript::Lang::parse(l)?),
    };
    if !audio.is_file() {
        anyhow::bail!("{}: no such audio file", audio.display());
    }
    let mut cfg = WhisperConfig::new(model_dir(model));
    cfg.beam_size = beam.clamp(1, 10);
    let whisper = Whisper::load(cfg)?;
    let (utterances, _) = verbatim_transcribe::engine::transcribe_file(&whisper, audio, choice)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for u in &utterances {
        if json {
            println!("{}", serde_json::to_string(u)?);
        } else {
            println!(
                "[{} {}] {}",
                verbatim_transcript::clock(u.start_ms),
                u.lang.code(),
                u.text
            );
        }
    }
    Ok(())
}
