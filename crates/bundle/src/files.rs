//! Reading bundles from a directory or a tar archive.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::format::safe_path;
use crate::verify::Files;

fn digest_reader(mut r: impl Read) -> std::io::Result<([u8; 32], u64)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((h.finalize().into(), n))
}

fn read_limited(r: impl Read, limit: u64, path: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    r.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{path}: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!("{path} is larger than {limit} bytes"));
    }
    Ok(out)
}

/// A bundle unpacked in a directory.
pub struct DirFiles {
    root: PathBuf,
}

impl DirFiles {
    pub fn new(root: &Path) -> DirFiles {
        DirFiles {
            root: root.to_path_buf(),
        }
    }

    fn path(&self, rel: &str) -> Option<PathBuf> {
        safe_path(rel).then(|| self.root.join(rel))
    }
}

impl Files for DirFiles {
    fn read(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        let Some(p) = self.path(path) else {
            return Err(format!("unsafe path {path:?}"));
        };
        match File::open(&p) {
            Ok(f) => read_limited(f, limit, path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{path}: {e}")),
        }
    }

    fn digest(&self, path: &str) -> Result<Option<([u8; 32], u64)>, String> {
        let Some(p) = self.path(path) else {
            return Err(format!("unsafe path {path:?}"));
        };
        match std::fs::symlink_metadata(&p) {
            Ok(m) if !m.is_file() => return Err(format!("{path} is not a regular file")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{path}: {e}")),
            Ok(_) => {}
        }
        let f = File::open(&p).map_err(|e| format!("{path}: {e}"))?;
        digest_reader(f)
            .map(Some)
            .map_err(|e| format!("{path}: {e}"))
    }

    fn list(&self) -> (Vec<String>, Vec<String>) {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let mut stack = vec![(self.root.clone(), String::new())];
        while let Some((dir, prefix)) = stack.pop() {
            let rd = match std::fs::read_dir(&dir) {
                Ok(rd) => rd,
                Err(e) => {
                    problems.push(format!("{}: {e}", dir.display()));
                    continue;
                }
            };
            for ent in rd.flatten() {
                let name = ent.file_name().to_string_lossy().into_owned();
                let rel = format!("{prefix}{name}");
                match ent.file_type() {
                    Ok(t) if t.is_dir() => stack.push((ent.path(), format!("{rel}/"))),
                    Ok(t) if t.is_file() => files.push(rel),
                    Ok(_) => problems.push(format!("{rel} is a link or special file")),
                    Err(e) => problems.push(format!("{rel}: {e}")),
                }
            }
        }
        files.sort();
        (files, problems)
    }
}

/// A bundle packed as one tar archive (read in place; nothing is unpacked).
pub struct TarFiles {
    path: PathBuf,
    /// Regular files: name -> (offset of the data in the archive, size).
    index: BTreeMap<String, (u64, u64)>,
    problems: Vec<String>,
}

impl TarFiles {
    /// Reads the archive's headers (seeking past the data, not reading it). An archive that cannot be read at all is an error;
    /// entries that are not plain files, unsafe names and duplicates are problems the
    /// verification reports.
    pub fn open(path: &Path) -> Result<TarFiles, String> {
        let f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut archive = tar::Archive::new(f);
        let mut index = BTreeMap::new();
        let mut problems = Vec::new();
        let entries = archive
            .entries_with_seek()
            .map_err(|e| format!("{}: not a tar archive: {e}", path.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                format!("{}: damaged or truncated tar archive: {e}", path.display())
            })?;
            let name = match entry.path() {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(e) => {
                    problems.push(format!("an archive member has an unreadable name: {e}"));
                    continue;
                }
            };
            let kind = entry.header().entry_type();
            if kind.is_dir() {
                continue;
            }
            if !kind.is_file() {
                problems.push(format!("{name} is a link or special file in the archive"));
                continue;
            }
            if !safe_path(&name) {
                problems.push(format!("the archive member {name:?} has an unsafe path"));
                continue;
            }
            let at = entry.raw_file_position();
            let size = entry.size();
            if index.insert(name.clone(), (at, size)).is_some() {
                problems.push(format!("the archive holds {name} twice"));
            }
        }
        let len = std::fs::metadata(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .len();
        if let Some((name, _)) = index.iter().find(|(_, (at, size))| at + size > len) {
            return Err(format!(
                "{}: truncated tar archive ({name} runs past its end)",
                path.display()
            ));
        }
        Ok(TarFiles {
            path: path.to_path_buf(),
            index,
            problems,
        })
    }

    fn reader(&self, name: &str) -> Result<Option<impl Read>, String> {
        let Some(&(at, size)) = self.index.get(name) else {
            return Ok(None);
        };
        let mut f = File::open(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        f.seek(SeekFrom::Start(at))
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(Some(f.take(size)))
    }
}

impl Files for TarFiles {
    fn read(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, String> {
        match self.reader(path)? {
            Some(r) => read_limited(r, limit, path).map(Some),
            None => Ok(None),
        }
    }

    fn digest(&self, path: &str) -> Result<Option<([u8; 32], u64)>, String> {
        match self.reader(path)? {
            Some(r) => digest_reader(r)
                .map(Some)
                .map_err(|e| format!("{path}: {e}")),
            None => Ok(None),
        }
    }

    fn list(&self) -> (Vec<String>, Vec<String>) {
        (self.index.keys().cloned().collect(), self.problems.clone())
    }
}

/// Opens a bundle: a directory, or a tar archive.
pub fn open(path: &Path) -> Result<Box<dyn Files>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_dir() {
        Ok(Box::new(DirFiles::new(path)))
    } else {
        Ok(Box::new(TarFiles::open(path)?))
    }
}
