//! The court's log on disk: a durable journal of entries, and the published tlog-tiles view.
//!
//! Layout of the log directory (`DATA/log`):
//!
//! * `journal` — the source of truth for appends. A header line, then one record per entry:
//!   4-byte big-endian length, the entry's bytes, the entry's 32-byte RFC 9162 leaf hash.
//!   [`Log::append`] returns only after the record is on stable storage (`fdatasync`).
//! * `checkpoint` — the latest signed checkpoint (C2SP signed note), replaced atomically.
//! * `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]` — C2SP tlog-tiles hash tiles and
//!   entry bundles, written (and synced) for every entry before a checkpoint covering it.
//!
//! Crash rules: an append is acknowledged only once durable; a checkpoint covers only
//! acknowledged entries and is signed only for sizes above the last signed one, so no two
//! roots are ever signed for one size. On open, a torn record at the end of the journal
//! (an append cut short by a crash, never acknowledged) is truncated; anything else that
//! does not match the signed checkpoint refuses to open.

use crate::checkpoint::{open_checkpoint, CheckpointError, SignedCheckpoint, SignerKey};
use crate::entry::{Entry, EntryError, MAX_ENTRY_BYTES};
use crate::pool::{in_parallel, Task};
use crate::tiles::{encode_bundle, tiles_between, TileRef, TILE_WIDTH};
use crate::tree::{leaf_hash, Hash, Tree};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// First bytes of every journal file.
pub const JOURNAL_MAGIC: &[u8] = b"verbatim-journal/1\n";
pub const JOURNAL_FILE: &str = "journal";
pub const CHECKPOINT_FILE: &str = "checkpoint";
const CHECKPOINT_TMP: &str = "checkpoint.new";
/// Bytes of framing around each entry in the journal.
const RECORD_OVERHEAD: u64 = 4 + 32;

/// Why the log could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("no log at {0} (run `verbatim init` first)")]
    NotFound(PathBuf),
    #[error("a log already exists at {0}")]
    AlreadyExists(PathBuf),
    #[error("the log at {0} is in use by another process")]
    Locked(PathBuf),
    #[error("the log's checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    #[error("refusing entry: {0}")]
    Entry(#[from] EntryError),
    #[error("the log at {path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("an earlier write to the log failed; reopen it before writing again")]
    Poisoned,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> LogError + '_ {
    move |source| LogError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What opening the log found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Bytes of a torn, never-acknowledged record cut from the end of the journal.
    pub truncated_bytes: u64,
    /// Entries that were durable but not yet covered by the checkpoint, now published.
    pub published_entries: u64,
}

/// The court's append-only log. One writer at a time (an exclusive lock on the journal).
pub struct Log {
    dir: PathBuf,
    origin: String,
    key: SignerKey,
    journal: File,
    journal_len: u64,
    /// Offset in the journal of each entry's bytes.
    offsets: Vec<u64>,
    lengths: Vec<u32>,
    tree: Tree,
    checkpoint: SignedCheckpoint,
    poisoned: bool,
}

impl Log {
    /// Creates an empty log in `dir` (created if needed) and publishes its size-0 checkpoint.
    pub fn create(dir: &Path, origin: &str, key: SignerKey) -> Result<Log, LogError> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let jpath = dir.join(JOURNAL_FILE);
        let mut journal = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&jpath)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    LogError::AlreadyExists(dir.to_path_buf())
                } else {
                    LogError::Io {
                        path: jpath.clone(),
                        source: e,
                    }
                }
            })?;
        lock(&journal, dir)?;
        journal.write_all(JOURNAL_MAGIC).map_err(io_err(&jpath))?;
        journal.sync_all().map_err(io_err(&jpath))?;
        sync_dir(dir)?;
        if let Some(parent) = dir.parent() {
            sync_dir(parent)?;
        }
        let checkpoint = key.sign_checkpoint(origin, 0, crate::tree::EMPTY_HASH)?;
        let log = Log {
            dir: dir.to_path_buf(),
            origin: origin.to_string(),
            key,
            journal,
            journal_len: JOURNAL_MAGIC.len() as u64,
            offsets: Vec::new(),
            lengths: Vec::new(),
            tree: Tree::new(),
            checkpoint: checkpoint.clone(),
            poisoned: false,
        };
        log.write_checkpoint(&checkpoint)?;
        Ok(log)
    }

    /// Opens the log in `dir`, repairs a torn tail, checks it against its signed checkpoint
    /// and publishes any durable entries the checkpoint does not yet cover.
    pub fn open(dir: &Path, origin: &str, key: SignerKey) -> Result<(Log, Recovery), LogError> {
        let jpath = dir.join(JOURNAL_FILE);
        let journal = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&jpath)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    LogError::NotFound(dir.to_path_buf())
                } else {
                    LogError::Io {
                        path: jpath.clone(),
                        source: e,
                    }
                }
            })?;
        lock(&journal, dir)?;
        let damaged = |detail: String| LogError::Damaged {
            path: dir.to_path_buf(),
            detail,
        };

        let cpath = dir.join(CHECKPOINT_FILE);
        let note = fs::read(&cpath).map_err(io_err(&cpath))?;
        let checkpoint = open_checkpoint(&note, key.verifier_key(), origin)?;

        let scan = scan_journal(&journal, &jpath)?;
        let mut tree = Tree::new();
        for h in &scan.leaves {
            tree.push(*h);
        }
        if let Some(bad) = &scan.bad_tail {
            if tree.size() < checkpoint.size {
                return Err(damaged(format!(
                    "journal record {} at byte {} is unreadable ({bad}), but the signed \
                     checkpoint covers {} entries",
                    tree.size(),
                    scan.valid_len,
                    checkpoint.size
                )));
            }
        }
        if tree.size() < checkpoint.size {
            return Err(damaged(format!(
                "journal holds {} entries, fewer than the {} covered by the signed checkpoint",
                tree.size(),
                checkpoint.size
            )));
        }
        if tree.root_at(checkpoint.size).expect("size checked") != checkpoint.root {
            return Err(damaged(format!(
                "the journal's first {} entries do not hash to the signed checkpoint's root",
                checkpoint.size
            )));
        }

        let file_len = journal.metadata().map_err(io_err(&jpath))?.len();
        let mut recovery = Recovery::default();
        if file_len > scan.valid_len {
            // A torn append: never acknowledged, never covered by a checkpoint.
            journal.set_len(scan.valid_len).map_err(io_err(&jpath))?;
            journal.sync_all().map_err(io_err(&jpath))?;
            recovery.truncated_bytes = file_len - scan.valid_len;
        }
        let _ = fs::remove_file(dir.join(CHECKPOINT_TMP));

        let mut log = Log {
            dir: dir.to_path_buf(),
            origin: origin.to_string(),
            key,
            journal,
            journal_len: scan.valid_len,
            offsets: scan.offsets,
            lengths: scan.lengths,
            tree,
            checkpoint,
            poisoned: false,
        };
        let before = log.checkpoint.size;
        log.publish_checkpoint()?;
        recovery.published_entries = log.checkpoint.size - before;
        Ok((log, recovery))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Number of durable entries.
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The Merkle tree over all durable entries.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The latest published checkpoint.
    pub fn checkpoint(&self) -> &SignedCheckpoint {
        &self.checkpoint
    }

    /// Appends one entry; returns its index once it is on stable storage.
    pub fn append(&mut self, entry: &Entry) -> Result<u64, LogError> {
        let bytes = entry.encode()?;
        Ok(self.append_encoded(std::slice::from_ref(&bytes))?.start)
    }

    /// Appends entries with one sync for all (group commit); returns their indices once all
    /// are on stable storage.
    pub fn append_batch(&mut self, entries: &[Entry]) -> Result<Range<u64>, LogError> {
        let encoded = entries
            .iter()
            .map(Entry::encode)
            .collect::<Result<Vec<_>, _>>()?;
        self.append_encoded(&encoded)
    }

    /// Appends already encoded entries, each of which must decode as a canonical entry.
    pub fn append_encoded(&mut self, entries: &[Vec<u8>]) -> Result<Range<u64>, LogError> {
        if self.poisoned {
            return Err(LogError::Poisoned);
        }
        let mut buf = Vec::new();
        for e in entries {
            if matches!(Entry::decode(e)?, Entry::Unrecognized { .. }) {
                return Err(LogError::Entry(EntryError::Malformed {
                    kind: "unrecognized".into(),
                    reason: "only entries of known kinds are written".into(),
                }));
            }
            buf.extend_from_slice(&(e.len() as u32).to_be_bytes());
            buf.extend_from_slice(e);
            buf.extend_from_slice(&leaf_hash(e).0);
        }
        let jpath = self.dir.join(JOURNAL_FILE);
        let written = self
            .journal
            .write_all_at(&buf, self.journal_len)
            .and_then(|()| self.journal.sync_data());
        if let Err(e) = written {
            // The file may now hold part of the batch; it is not acknowledged, and the
            // next open truncates it as a torn tail.
            self.poisoned = true;
            return Err(LogError::Io {
                path: jpath,
                source: e,
            });
        }
        let start = self.tree.size();
        let mut at = self.journal_len;
        for e in entries {
            self.offsets.push(at + 4);
            self.lengths.push(e.len() as u32);
            self.tree.push(leaf_hash(e));
            at += RECORD_OVERHEAD + e.len() as u64;
        }
        self.journal_len = at;
        Ok(start..self.tree.size())
    }

    /// Reads entry `index`'s bytes from the journal.
    pub fn entry(&self, index: u64) -> Result<Vec<u8>, LogError> {
        let i = usize::try_from(index).unwrap_or(usize::MAX);
        let (Some(&off), Some(&len)) = (self.offsets.get(i), self.lengths.get(i)) else {
            return Err(LogError::Damaged {
                path: self.dir.clone(),
                detail: format!("no entry {index} in a log of {}", self.size()),
            });
        };
        let mut buf = vec![0; len as usize];
        let jpath = self.dir.join(JOURNAL_FILE);
        self.journal
            .read_exact_at(&mut buf, off)
            .map_err(io_err(&jpath))?;
        Ok(buf)
    }

    /// Reads `count` consecutive entries from `first`, in one read of the journal.
    pub fn entries(&self, first: u64, count: u64) -> Result<Vec<Vec<u8>>, LogError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let (a, b) = (first as usize, (first + count - 1) as usize);
        let (Some(&start), Some(&end_off), Some(&end_len)) = (
            self.offsets.get(a),
            self.offsets.get(b),
            self.lengths.get(b),
        ) else {
            return Err(LogError::Damaged {
                path: self.dir.clone(),
                detail: format!(
                    "no entries {first}..{} in a log of {}",
                    first + count,
                    self.size()
                ),
            });
        };
        let mut buf = vec![0; (end_off + u64::from(end_len) - start) as usize];
        let jpath = self.dir.join(JOURNAL_FILE);
        self.journal
            .read_exact_at(&mut buf, start)
            .map_err(io_err(&jpath))?;
        Ok((a..=b)
            .map(|i| {
                let off = (self.offsets[i] - start) as usize;
                buf[off..off + self.lengths[i] as usize].to_vec()
            })
            .collect())
    }

    /// Publishes tiles and bundles for every durable entry, then signs and publishes a
    /// checkpoint of them. Does nothing (and signs nothing) if no entry was added since the
    /// last checkpoint.
    pub fn publish_checkpoint(&mut self) -> Result<SignedCheckpoint, LogError> {
        if self.poisoned {
            return Err(LogError::Poisoned);
        }
        let old = self.checkpoint.size;
        let new = self.tree.size();
        if new == old {
            return Ok(self.checkpoint.clone());
        }
        let tiles = tiles_between(old, new);
        let cp = self
            .key
            .sign_checkpoint(&self.origin, new, self.tree.root())?;
        // Every tile, and the checkpoint under its temporary name, is written; then all of
        // them and their directories are synced at once; only then does the checkpoint
        // replace the old one, so every tile it covers is durable before it.
        let mut dirs = Vec::new();
        let mut files = Vec::with_capacity(tiles.len() + 1);
        for t in &tiles {
            let data = if t.is_bundle() {
                let entries = self.entries(t.first_entry(), u64::from(t.width()))?;
                encode_bundle(entries.iter().map(Vec::as_slice))
            } else {
                self.tree.tile_data(&t.tile)
            };
            let path = self.dir.join(t.path());
            files.push(write_file(&path, &data, &mut dirs)?);
        }
        let tmp = self.dir.join(CHECKPOINT_TMP);
        files.push((tmp.clone(), write_new(&tmp, &cp.note)?));
        sync_at_once(files, dirs)?;
        self.replace_checkpoint(&tmp)?;
        self.checkpoint = cp.clone();
        for t in &tiles {
            self.remove_superseded_partials(t)?;
        }
        Ok(cp)
    }

    fn write_checkpoint(&self, cp: &SignedCheckpoint) -> Result<(), LogError> {
        let tmp = self.dir.join(CHECKPOINT_TMP);
        write_new(&tmp, &cp.note)?
            .sync_data()
            .map_err(io_err(&tmp))?;
        self.replace_checkpoint(&tmp)
    }

    /// Makes the synced checkpoint at `tmp` the log's, durably.
    fn replace_checkpoint(&self, tmp: &Path) -> Result<(), LogError> {
        let path = self.dir.join(CHECKPOINT_FILE);
        fs::rename(tmp, &path).map_err(io_err(&path))?;
        sync_dir(&self.dir)
    }

    /// Once tile `t` is published, narrower partial versions of it are obsolete: delete them
    /// (and their `.p` directory once the tile is full).
    fn remove_superseded_partials(&self, t: &TileRef) -> Result<(), LogError> {
        let path = self.dir.join(t.path());
        let pdir = if u64::from(t.width()) == TILE_WIDTH {
            let mut p = path.into_os_string();
            p.push(".p");
            PathBuf::from(p)
        } else {
            path.parent()
                .expect("partial tiles live in a .p directory")
                .to_path_buf()
        };
        let Ok(list) = fs::read_dir(&pdir) else {
            return Ok(());
        };
        for item in list {
            let item = item.map_err(io_err(&pdir))?;
            let keep = item
                .file_name()
                .to_str()
                .and_then(|w| w.parse::<u32>().ok())
                .is_some_and(|w| w >= t.width() && u64::from(t.width()) != TILE_WIDTH);
            if !keep {
                fs::remove_file(item.path()).map_err(io_err(&item.path()))?;
            }
        }
        if u64::from(t.width()) == TILE_WIDTH {
            fs::remove_dir(&pdir).map_err(io_err(&pdir))?;
        }
        // Not synced: a partial tile that outlives a crash is obsolete but consistent with
        // the log (the verifier says so), and the next publish removes it.
        Ok(())
    }
}

/// The intact entries of a log's journal, read without taking the writer's lock: for
/// readers (the review page) while a recorder appends. A torn tail is ignored.
pub fn read_entries(dir: &Path) -> Result<Vec<Vec<u8>>, LogError> {
    let jpath = dir.join(JOURNAL_FILE);
    let journal = File::open(&jpath).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            LogError::NotFound(dir.to_path_buf())
        } else {
            LogError::Io {
                path: jpath.clone(),
                source: e,
            }
        }
    })?;
    let scan = scan_journal(&journal, &jpath)?;
    let mut out = Vec::with_capacity(scan.offsets.len());
    for (off, len) in scan.offsets.iter().zip(&scan.lengths) {
        let mut buf = vec![0; *len as usize];
        journal
            .read_exact_at(&mut buf, *off)
            .map_err(io_err(&jpath))?;
        out.push(buf);
    }
    Ok(out)
}

/// What a pass over the journal found.
struct JournalScan {
    leaves: Vec<Hash>,
    offsets: Vec<u64>,
    lengths: Vec<u32>,
    /// Length of the journal up to the end of the last intact record.
    valid_len: u64,
    /// Why reading stopped before the end of the file, if it did.
    bad_tail: Option<String>,
}

/// Reads every intact record of the journal; stops at the first one that is cut short or
/// whose stored leaf hash does not match its bytes.
fn scan_journal(journal: &File, path: &Path) -> Result<JournalScan, LogError> {
    let mut r = BufReader::with_capacity(1 << 20, journal);
    r.seek(SeekFrom::Start(0)).map_err(io_err(path))?;
    let mut magic = vec![0; JOURNAL_MAGIC.len()];
    if r.read_exact(&mut magic).is_err() || magic != JOURNAL_MAGIC {
        return Err(LogError::Damaged {
            path: path.to_path_buf(),
            detail: "journal does not start with the verbatim journal header".into(),
        });
    }
    let mut scan = JournalScan {
        leaves: Vec::new(),
        offsets: Vec::new(),
        lengths: Vec::new(),
        valid_len: JOURNAL_MAGIC.len() as u64,
        bad_tail: None,
    };
    let mut data = Vec::new();
    loop {
        let mut len = [0u8; 4];
        match read_full(&mut r, &mut len).map_err(io_err(path))? {
            0 => break,
            4 => {}
            _ => {
                scan.bad_tail = Some("cut inside a length prefix".into());
                break;
            }
        }
        let len = u32::from_be_bytes(len) as usize;
        if len > MAX_ENTRY_BYTES {
            scan.bad_tail = Some(format!("length {len} is above the entry limit"));
            break;
        }
        data.resize(len + 32, 0);
        if read_full(&mut r, &mut data).map_err(io_err(path))? < len + 32 {
            scan.bad_tail = Some("cut inside a record".into());
            break;
        }
        let h = leaf_hash(&data[..len]);
        if h.0[..] != data[len..] {
            scan.bad_tail = Some("stored hash does not match the record's bytes".into());
            break;
        }
        scan.leaves.push(h);
        scan.offsets.push(scan.valid_len + 4);
        scan.lengths.push(len as u32);
        scan.valid_len += RECORD_OVERHEAD + len as u64;
    }
    Ok(scan)
}

/// Reads until `buf` is full or the end of input; returns how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn lock(journal: &File, dir: &Path) -> Result<(), LogError> {
    journal.try_lock().map_err(|e| match e {
        fs::TryLockError::WouldBlock => LogError::Locked(dir.to_path_buf()),
        fs::TryLockError::Error(source) => LogError::Io {
            path: dir.join(JOURNAL_FILE),
            source,
        },
    })
}

/// Writes `data` to a new file at `path`, not yet synced, creating its directory if need
/// be; adds to `dirs` every directory whose entries must then be synced.
fn write_file(
    path: &Path,
    data: &[u8],
    dirs: &mut Vec<PathBuf>,
) -> Result<(PathBuf, File), LogError> {
    let parent = path.parent().expect("files live in a directory");
    if !parent.is_dir() {
        // Each directory created needs its own parent synced too.
        let mut missing = Vec::new();
        let mut p = parent;
        while !p.is_dir() {
            missing.push(p.to_path_buf());
            p = p.parent().expect("the log directory exists");
        }
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        dirs.push(p.to_path_buf());
        dirs.extend(missing);
    }
    let f = write_new(path, data)?;
    if !dirs.iter().any(|d| d == parent) {
        dirs.push(parent.to_path_buf());
    }
    Ok((path.to_path_buf(), f))
}

fn write_new(path: &Path, data: &[u8]) -> Result<File, LogError> {
    let mut f = File::create(path).map_err(io_err(path))?;
    f.write_all(data).map_err(io_err(path))?;
    Ok(f)
}

/// Syncs written files (their data) and directories (their entries), all at once
/// ([`crate::pool`]); the first error, if any.
fn sync_at_once(files: Vec<(PathBuf, File)>, dirs: Vec<PathBuf>) -> Result<(), LogError> {
    let mut tasks: Vec<Task<Result<(), LogError>>> = Vec::with_capacity(files.len() + dirs.len());
    for (path, f) in files {
        tasks.push(Box::new(move || f.sync_data().map_err(io_err(&path))));
    }
    for d in dirs {
        tasks.push(Box::new(move || sync_dir(&d)));
    }
    in_parallel(tasks).into_iter().collect()
}

/// Makes directory entries (new or renamed files) in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<(), LogError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}
