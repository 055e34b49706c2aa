//! A court's data directory: creating it, and opening its log for writing.

use crate::config::Config;
use anyhow::{bail, Context, Result};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use verbatim_log::{layout, Log, SignerKey};

/// Settings `verbatim init` may override.
pub struct InitOptions {
    pub court_id: Option<String>,
    pub court_name: Option<String>,
    pub origin: Option<String>,
    /// The first administrator's password (default: a random one).
    pub admin_password: Option<String>,
}

/// What `init` made: the verifier key and the first administrator's sign-in.
pub struct Initialized {
    pub vkey: String,
    pub admin_username: String,
    pub admin_password: String,
}

/// Creates a court data directory: configuration, Ed25519 key pair (private key mode 0600),
/// an empty log with its signed size-0 checkpoint, and the media directory. Returns the
/// verifier key. On any failure, removes what it created.
pub fn init(data: &Path, opts: InitOptions) -> Result<Initialized> {
    let mut cfg = Config::default();
    if let Some(id) = opts.court_id {
        cfg.court.origin = format!("verbatim.local/{id}");
        cfg.court.id = id;
    }
    if let Some(name) = opts.court_name {
        cfg.court.name = name;
    }
    if let Some(origin) = opts.origin {
        cfg.court.origin = origin;
    }
    cfg.validate()?;

    if data.exists() {
        let mut items = fs::read_dir(data)
            .with_context(|| format!("{} exists and is not a directory", data.display()))?;
        if items.next().is_some() {
            bail!(
                "{} is not empty; `verbatim init` only creates a new court data directory",
                data.display()
            );
        }
    }
    let created_dir = !data.exists();
    fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    let made = [
        layout::CONFIG_FILE,
        layout::KEYS_DIR,
        layout::LOG_DIR,
        layout::HEARINGS_DIR,
        "catalog.sqlite",
        "catalog.sqlite-wal",
        "catalog.sqlite-shm",
    ];
    let admin_password = match opts.admin_password {
        Some(p) => p,
        None => verbatim_catalog::random_token()[..20].to_string(),
    };
    let result = populate(data, &cfg, &admin_password).map(|vkey| Initialized {
        vkey,
        admin_username: "admin".into(),
        admin_password,
    });
    if result.is_err() {
        for m in made {
            let p = data.join(m);
            let _ = fs::remove_dir_all(&p).or_else(|_| fs::remove_file(&p));
        }
        if created_dir {
            let _ = fs::remove_dir(data);
        }
    }
    result
}

fn populate(data: &Path, cfg: &Config, admin_password: &str) -> Result<String> {
    write_new(
        &data.join(layout::CONFIG_FILE),
        cfg.to_documented_toml().as_bytes(),
        0o644,
    )?;
    let (skey, vkey) = verbatim_log::checkpoint::generate_key(&cfg.court.origin)?;
    fs::create_dir(data.join(layout::KEYS_DIR))?;
    write_new(
        &data.join(layout::SIGNER_KEY),
        format!("{skey}\n").as_bytes(),
        0o600,
    )?;
    write_new(
        &data.join(layout::VERIFIER_KEY),
        format!("{vkey}\n").as_bytes(),
        0o644,
    )?;
    fs::create_dir(data.join(layout::HEARINGS_DIR))?;
    let key = SignerKey::parse(&skey)?;
    Log::create(&data.join(layout::LOG_DIR), &cfg.court.origin, key)?;
    // The catalog, with the court and its first administrator.
    let url = cfg.catalog.resolved(data);
    let (court_id, court_name) = (cfg.court.id.clone(), cfg.court.name.clone());
    let password = admin_password.to_string();
    runtime()?.block_on(async move {
        let catalog = verbatim_catalog::Catalog::connect(&url).await?;
        catalog.upsert_court(&court_id, &court_name).await?;
        catalog
            .create_user(
                "admin",
                "Administrator",
                verbatim_catalog::Role::Administrator,
                &password,
                "ru",
            )
            .await?;
        anyhow::Ok(())
    })?;
    verbatim_log::store::sync_dir(data)?;
    Ok(vkey)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// An open court data directory.
pub struct Court {
    pub dir: PathBuf,
    pub config: Config,
    pub log: Log,
}

/// Opens the court data directory `data` for writing: its configuration, key and log
/// (repairing a torn log tail, if a crash left one).
pub fn open(data: &Path) -> Result<Court> {
    if !data.join(layout::CONFIG_FILE).exists() {
        bail!(
            "{} is not a court data directory (no {}); create one with `verbatim init --data {}`",
            data.display(),
            layout::CONFIG_FILE,
            data.display()
        );
    }
    let config = Config::load(&data.join(layout::CONFIG_FILE))?;
    let key_path = data.join(layout::SIGNER_KEY);
    let skey = fs::read_to_string(&key_path)
        .with_context(|| format!("cannot read the court's signing key {}", key_path.display()))?;
    let key = SignerKey::parse(&skey).with_context(|| key_path.display().to_string())?;
    if key.name() != config.court.origin {
        bail!(
            "the signing key {} is named {:?} but court.origin is {:?}",
            key_path.display(),
            key.name(),
            config.court.origin
        );
    }
    let (log, recovery) = Log::open(&data.join(layout::LOG_DIR), &config.court.origin, key)?;
    if recovery.truncated_bytes > 0 {
        eprintln!(
            "log: removed a torn, unacknowledged append of {} bytes left by a crash",
            recovery.truncated_bytes
        );
    }
    if recovery.published_entries > 0 {
        eprintln!(
            "log: signed a checkpoint over {} durable entries left unsigned by a crash",
            recovery.published_entries
        );
    }
    Ok(Court {
        dir: data.to_path_buf(),
        config,
        log,
    })
}

/// Where a segment lies in the data directory: `hearings/<hearing>/<stream>/<seq>.<ext>`.
pub fn segment_path(hearing: &str, stream: &str, seq: u64, ext: &str) -> String {
    format!("{}/{hearing}/{stream}/{seq:06}.{ext}", layout::HEARINGS_DIR)
}

/// A closed segment file to seal.
pub struct ClosedSegment<'a> {
    pub courtroom: &'a str,
    pub hearing: &'a str,
    pub stream: &'a str,
    pub seq: u64,
    /// Relative to the data directory.
    pub path: &'a str,
    pub media_start_ns: u64,
    pub media_end_ns: u64,
    pub captured_unix_ms: u64,
}

impl Court {
    /// Seals a closed segment file: hashes its bytes and durably appends the entry.
    pub fn seal_segment(&mut self, seg: &ClosedSegment) -> Result<u64> {
        use sha2::{Digest, Sha256};
        let abs = self.dir.join(seg.path);
        let bytes =
            fs::read(&abs).with_context(|| format!("cannot read segment {}", abs.display()))?;
        let entry = verbatim_log::Entry::SegmentSealed(verbatim_log::entry::SegmentSealed {
            court: self.config.court.id.clone(),
            courtroom: seg.courtroom.into(),
            hearing: seg.hearing.into(),
            stream: seg.stream.into(),
            seq: seg.seq,
            media_start_ns: seg.media_start_ns,
            media_end_ns: seg.media_end_ns,
            captured_unix_ms: seg.captured_unix_ms,
            bytes: bytes.len() as u64,
            sha256: verbatim_log::tree::to_hex(&Sha256::digest(&bytes)),
            path: seg.path.into(),
        });
        Ok(self.log.append(&entry)?)
    }
}

/// A tokio runtime for the async parts (catalog, server).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Milliseconds since the Unix epoch, now.
pub fn now_unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Writes a new file and makes it durable (its bytes and its directory entry).
pub fn write_durable(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file path has a parent")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_new(path, bytes, 0o444)?;
    verbatim_log::store::sync_dir(dir)?;
    Ok(())
}
