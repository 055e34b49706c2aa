//! The Merkle tree of RFC 9162 section 2.1 over the log's entries, and its proofs.
//!
//! Hashing, inclusion and consistency proofs come from `tlog_tiles` (a port of Go's
//! `sumdb/tlog`, checked byte for byte against `vectors/rfc6962.json`); this module adds the
//! proof for a contiguous range of entries (a clip), bounds on every input, and an in-memory
//! tree in Go's dense "stored hash" order, which is also the order the tlog-tiles hash tiles
//! are cut from.

use tlog_tiles::{stored_hash_index, HashReader};
pub use tlog_tiles::{Hash, EMPTY_HASH};

/// The largest tree any function here accepts. Far beyond any court's log (a courtroom seals
/// about 18,000 segments per day), and small enough that no index arithmetic can overflow.
pub const MAX_TREE_SIZE: u64 = 1 << 48;

/// Longest proof accepted: two hashes per tree level is already more than any valid proof.
const MAX_PROOF_HASHES: usize = 2 * 64;

/// Why a proof or tree query was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProofError {
    #[error("index {index} is not in a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("range {begin}..{end} is empty or not inside a tree of size {size}")]
    BadRange { begin: u64, end: u64, size: u64 },
    #[error("old size {old} is larger than new size {new}")]
    SizesOutOfOrder { old: u64, new: u64 },
    #[error("tree size {0} exceeds the supported maximum of 2^48 entries")]
    TooLarge(u64),
    #[error("proof has {0} hashes, more than any valid proof")]
    ProofTooLong(usize),
    #[error("proof has the wrong number of hashes")]
    WrongLength,
    #[error("proof does not lead to the expected root hash")]
    Mismatch,
    #[error("{got} leaf hashes given for a range of {want} entries")]
    LeafCount { got: usize, want: u64 },
}

/// RFC 9162 leaf hash: SHA-256(0x00 || entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    tlog_tiles::record_hash(entry)
}

/// RFC 9162 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: Hash, right: Hash) -> Hash {
    tlog_tiles::node_hash(left, right)
}

/// Largest power of two strictly less than `n` (n >= 2): RFC 9162's split point.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

fn check_size(size: u64) -> Result<(), ProofError> {
    if size > MAX_TREE_SIZE {
        Err(ProofError::TooLarge(size))
    } else {
        Ok(())
    }
}

fn check_proof_len(proof: &[Hash]) -> Result<(), ProofError> {
    if proof.len() > MAX_PROOF_HASHES {
        Err(ProofError::ProofTooLong(proof.len()))
    } else {
        Ok(())
    }
}

/// The Merkle tree hash (MTH) of a list of leaf hashes, computed directly.
pub fn root_of_leaves(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_HASH,
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(root_of_leaves(&leaves[..k]), root_of_leaves(&leaves[k..]))
        }
    }
}

/// An append-only Merkle tree held in memory as Go tlog's dense stored-hash sequence: for
/// every leaf, its hash followed by the hashes of the perfect subtrees it completes.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    stored: Vec<Hash>,
    size: u64,
}

impl HashReader for Tree {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.stored.get(i).copied())
                    .ok_or(tlog_tiles::Error::IndexesNotInTree)
            })
            .collect()
    }
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends the leaf with the given RFC 9162 leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let new = tlog_tiles::stored_hashes_for_record_hash(self.size, leaf, self)
            .expect("an in-memory tree holds every hash it needs");
        self.stored.extend(new);
        self.size += 1;
    }

    /// Drops leaves from the end, back to `size` leaves.
    pub fn truncate(&mut self, size: u64) {
        if size < self.size {
            self.stored
                .truncate(tlog_tiles::stored_hash_count(size) as usize);
            self.size = size;
        }
    }

    /// Leaf hash of entry `index`.
    pub fn leaf(&self, index: u64) -> Result<Hash, ProofError> {
        if index >= self.size {
            return Err(ProofError::IndexOutOfRange {
                index,
                size: self.size,
            });
        }
        Ok(self.stored[stored_hash_index(0, index) as usize])
    }

    /// Root hash of the tree.
    pub fn root(&self) -> Hash {
        self.root_at(self.size)
            .expect("the current size is always in range")
    }

    /// Root hash of the tree as it was at `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_within(size)?;
        Ok(tlog_tiles::tree_hash(size, self).expect("an in-memory tree holds every hash"))
    }

    fn check_within(&self, size: u64) -> Result<(), ProofError> {
        if size > self.size {
            return Err(ProofError::IndexOutOfRange {
                index: size,
                size: self.size,
            });
        }
        Ok(())
    }

    /// RFC 9162 inclusion proof (audit path) of entry `index` in the tree of `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_within(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        Ok(
            tlog_tiles::prove_record(size, index, self)
                .expect("an in-memory tree holds every hash"),
        )
    }

    /// RFC 9162 consistency proof from the tree of `old` leaves to the tree of `new` leaves.
    /// From size 0 the proof is empty: the empty tree is a prefix of every tree.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_within(new)?;
        if old > new {
            return Err(ProofError::SizesOutOfOrder { old, new });
        }
        if old == 0 {
            return Ok(Vec::new());
        }
        Ok(tlog_tiles::prove_tree(new, old, self).expect("an in-memory tree holds every hash"))
    }

    /// Hash of the RFC 9162 subtree over leaves `[lo, hi)`, where that range is a node of
    /// the tree (as every range the proof recursion visits is).
    fn subtree(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            let level = n.trailing_zeros() as u8;
            return self.stored[stored_hash_index(level, lo >> level) as usize];
        }
        let k = split(n);
        node_hash(self.subtree(lo, lo + k), self.subtree(lo + k, hi))
    }

    /// Proof that entries `[begin, end)` are, with no gap, entries `begin..end` of the tree
    /// of `size` leaves. The proof is the list of subtree hashes outside the range, in the
    /// left-to-right order in which RFC 9162's recursive definition of the root meets them;
    /// it has at most 2 * log2(size) hashes. See `docs/log-format.md`.
    pub fn range_proof(&self, begin: u64, end: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_within(size)?;
        if begin >= end || end > size {
            return Err(ProofError::BadRange { begin, end, size });
        }
        let mut out = Vec::new();
        self.range_proof_rec(0, size, begin, end, &mut out);
        Ok(out)
    }

    fn range_proof_rec(&self, lo: u64, hi: u64, begin: u64, end: u64, out: &mut Vec<Hash>) {
        if end <= lo || hi <= begin {
            out.push(self.subtree(lo, hi));
        } else if begin <= lo && hi <= end {
            // inside the range: the verifier computes it from the leaves it holds
        } else {
            let k = split(hi - lo);
            self.range_proof_rec(lo, lo + k, begin, end, out);
            self.range_proof_rec(lo + k, hi, begin, end, out);
        }
    }

    /// The bytes of a tlog-tiles hash tile: `width` hashes at tree level `8 * level`,
    /// starting at hash number `256 * index`.
    pub fn tile_data(&self, tile: &tlog_tiles::Tile) -> Vec<u8> {
        tile.read_data(self)
            .expect("tiles are only cut from hashes the tree holds")
    }
}

/// Checks an RFC 9162 inclusion proof of the entry with leaf hash `leaf` at `index` in the
/// tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    leaf: Hash,
    index: u64,
    size: u64,
    root: Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    check_size(size)?;
    check_proof_len(proof)?;
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    tlog_tiles::check_record(&proof.to_vec(), size, root, index, leaf)
        .map_err(|_| ProofError::Mismatch)
}

/// Checks an RFC 9162 consistency proof: that the tree of `old_size` leaves with root
/// `old_root` is a prefix of the tree of `new_size` leaves with root `new_root`.
pub fn verify_consistency(
    old_size: u64,
    old_root: Hash,
    new_size: u64,
    new_root: Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    check_size(new_size)?;
    check_proof_len(proof)?;
    if old_size > new_size {
        return Err(ProofError::SizesOutOfOrder {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 {
        return if !proof.is_empty() {
            Err(ProofError::WrongLength)
        } else if old_root != EMPTY_HASH {
            Err(ProofError::Mismatch)
        } else {
            Ok(())
        };
    }
    if old_size == new_size {
        return if !proof.is_empty() {
            Err(ProofError::WrongLength)
        } else if old_root != new_root {
            Err(ProofError::Mismatch)
        } else {
            Ok(())
        };
    }
    tlog_tiles::check_tree(&proof.to_vec(), new_size, new_root, old_size, old_root)
        .map_err(|_| ProofError::Mismatch)
}

/// Checks a range proof (see [`Tree::range_proof`]): that `leaves` are the leaf hashes of
/// entries `begin..begin + leaves.len()`, contiguous, in the tree of `size` leaves with root
/// `root`.
pub fn verify_range(
    leaves: &[Hash],
    begin: u64,
    size: u64,
    root: Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    check_size(size)?;
    check_proof_len(proof)?;
    let end = begin.saturating_add(leaves.len() as u64);
    if leaves.is_empty() || end > size {
        return Err(ProofError::BadRange { begin, end, size });
    }
    let mut rest = proof.iter();
    let got = run_range(0, size, begin, end, leaves, &mut rest)?;
    if rest.next().is_some() {
        return Err(ProofError::WrongLength);
    }
    if got == root {
        Ok(())
    } else {
        Err(ProofError::Mismatch)
    }
}

fn run_range<'a>(
    lo: u64,
    hi: u64,
    begin: u64,
    end: u64,
    leaves: &[Hash],
    proof: &mut impl Iterator<Item = &'a Hash>,
) -> Result<Hash, ProofError> {
    if end <= lo || hi <= begin {
        proof.next().copied().ok_or(ProofError::WrongLength)
    } else if begin <= lo && hi <= end {
        Ok(root_of_leaves(
            &leaves[(lo - begin) as usize..(hi - begin) as usize],
        ))
    } else {
        let k = split(hi - lo);
        let left = run_range(lo, lo + k, begin, end, leaves, proof)?;
        let right = run_range(lo + k, hi, begin, end, leaves, proof)?;
        Ok(node_hash(left, right))
    }
}

/// Lowercase hexadecimal of a hash (or any bytes).
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Parses exactly 64 lowercase hexadecimal digits into a hash.
pub fn hash_from_hex(s: &str) -> Option<Hash> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(Hash(out))
}
