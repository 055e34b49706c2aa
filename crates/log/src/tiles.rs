//! The C2SP tlog-tiles layout: where hash tiles and entry bundles live, and the bundle format.
//!
//! Tiles have height 8 (256 hashes). A hash tile is `tile/<L>/<N>[.p/<W>]`, an entry bundle
//! `tile/entries/<N>[.p/<W>]`, with `N` written in groups of three digits, all but the last
//! prefixed with `x` (`1234067` is `x001/x234/067`). `tlog_tiles` computes which tiles a tree
//! needs; it writes Go sumdb paths (`tile/8/L/N`), which differ from C2SP only in the height
//! element, so paths are formed here.

use tlog_tiles::Tile;

/// Tile height of C2SP tlog-tiles.
pub const TILE_HEIGHT: u8 = 8;
/// Entries (or hashes) in a full tile.
pub const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;

/// Why an entry bundle could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BundleError {
    #[error("bundle ends inside entry {index}'s length prefix")]
    TruncatedLength { index: usize },
    #[error("bundle ends inside entry {index} ({want} bytes announced, {got} present)")]
    TruncatedEntry {
        index: usize,
        want: usize,
        got: usize,
    },
    #[error("bundle holds {got} entries, expected {want}")]
    WrongCount { got: usize, want: usize },
}

/// A tile of the tree of `size` entries: the hash tiles (every level) and entry bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileRef {
    pub tile: Tile,
}

impl TileRef {
    /// `tile/<L>/<N>[.p/<W>]`, or `tile/entries/<N>[.p/<W>]` for an entry bundle.
    pub fn path(&self) -> String {
        let go = self.tile.path(); // tile/8/<L or data>/<N>[.p/<W>]
        let rest = &go["tile/8/".len()..];
        match rest.strip_prefix("data/") {
            Some(n) => format!("tile/entries/{n}"),
            None => format!("tile/{rest}"),
        }
    }

    pub fn is_bundle(&self) -> bool {
        self.tile.is_data()
    }

    pub fn level(&self) -> u8 {
        self.tile.level()
    }

    pub fn index(&self) -> u64 {
        self.tile.level_index()
    }

    pub fn width(&self) -> u32 {
        self.tile.width()
    }

    /// First entry index covered by this bundle (level 0 tiles only).
    pub fn first_entry(&self) -> u64 {
        self.tile.level_index() * TILE_WIDTH
    }

    /// Parses a C2SP tile path (relative to the log directory); `None` unless `path` is
    /// exactly the canonical spelling of a tile of height 8.
    pub fn from_path(path: &str) -> Option<Self> {
        if path.len() > 64 {
            return None;
        }
        let rest = path.strip_prefix("tile/")?;
        let (level, is_data, rest) = match rest.strip_prefix("entries/") {
            Some(r) => (0u8, true, r),
            None => {
                let (l, r) = rest.split_once('/')?;
                (l.parse::<u8>().ok()?, false, r)
            }
        };
        // 6 levels of 8 bits cover MAX_TREE_SIZE (2^48).
        if level > 6 {
            return None;
        }
        let (digits, width) = match rest.split_once(".p/") {
            Some((n, w)) => (n, w.parse::<u32>().ok()?),
            None => (rest, TILE_WIDTH as u32),
        };
        if !(1..=TILE_WIDTH as u32).contains(&width) {
            return None;
        }
        let mut n: u64 = 0;
        for group in digits.split('/') {
            let group = group.strip_prefix('x').unwrap_or(group);
            if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n = n
                .checked_mul(1000)?
                .checked_add(group.parse::<u64>().ok()?)?;
        }
        if n > (crate::tree::MAX_TREE_SIZE >> TILE_HEIGHT) {
            return None;
        }
        let mut tile = Tile::new(TILE_HEIGHT, level, n, width, false);
        if is_data {
            tile.set_is_data();
        }
        let t = TileRef { tile };
        (t.path() == path).then_some(t)
    }
}

/// Every tile (hash tiles at every level, and entry bundles) that a reader needs for a tree
/// of `new_size` entries and that differs from those of a tree of `old_size` entries.
pub fn tiles_between(old_size: u64, new_size: u64) -> Vec<TileRef> {
    let mut out = Vec::new();
    for tile in Tile::new_tiles(TILE_HEIGHT, old_size, new_size) {
        if tile.level() == 0 {
            let mut bundle = tile;
            bundle.set_is_data();
            out.push(TileRef { tile: bundle });
        }
        out.push(TileRef { tile });
    }
    out
}

/// All tiles of a tree of `size` entries.
pub fn tiles_for(size: u64) -> Vec<TileRef> {
    tiles_between(0, size)
}

/// Encodes entries as an entry bundle: each one prefixed by its length, 16-bit big-endian.
pub fn encode_bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len()).expect("entries are at most 65535 bytes");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    out
}

/// Splits an entry bundle into its entries; `want` is the number it must hold.
pub fn decode_bundle(data: &[u8], want: usize) -> Result<Vec<&[u8]>, BundleError> {
    let mut out = Vec::with_capacity(want);
    let mut rest = data;
    while !rest.is_empty() {
        let index = out.len();
        if rest.len() < 2 {
            return Err(BundleError::TruncatedLength { index });
        }
        let len = u16::from_be_bytes([rest[0], rest[1]]) as usize;
        rest = &rest[2..];
        if rest.len() < len {
            return Err(BundleError::TruncatedEntry {
                index,
                want: len,
                got: rest.len(),
            });
        }
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
    if out.len() != want {
        return Err(BundleError::WrongCount {
            got: out.len(),
            want,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2sp_paths() {
        let t = TileRef {
            tile: Tile::new(8, 0, 1_234_067, 256, false),
        };
        assert_eq!(t.path(), "tile/0/x001/x234/067");
        let t = TileRef {
            tile: Tile::new(8, 1, 5, 3, false),
        };
        assert_eq!(t.path(), "tile/1/005.p/3");
        let mut d = Tile::new(8, 0, 0, 17, false);
        d.set_is_data();
        let t = TileRef { tile: d };
        assert_eq!(t.path(), "tile/entries/000.p/17");
        for p in [
            "tile/0/x001/x234/067",
            "tile/1/005.p/3",
            "tile/entries/000.p/17",
        ] {
            assert_eq!(TileRef::from_path(p).unwrap().path(), p);
        }
        for bad in [
            "tile/0/1",
            "tile/entries/000.p/256",
            "tile/0/000.p/0",
            "tile/x/000",
            "tiles/0/000",
        ] {
            assert!(TileRef::from_path(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tiles_of_a_tree() {
        let paths: Vec<String> = tiles_for(300).iter().map(|t| t.path()).collect();
        assert_eq!(
            paths,
            [
                "tile/entries/000",
                "tile/0/000",
                "tile/entries/001.p/44",
                "tile/0/001.p/44",
                "tile/1/000.p/1"
            ]
        );
        assert!(tiles_for(0).is_empty());
    }

    #[test]
    fn bundles_round_trip_and_reject_truncation() {
        let entries: Vec<&[u8]> = vec![b"a", b"", b"hello"];
        let b = encode_bundle(entries.iter().copied());
        assert_eq!(decode_bundle(&b, 3).unwrap(), entries);
        for cut in 0..b.len() {
            assert!(decode_bundle(&b[..cut], 3).is_err());
        }
        assert!(decode_bundle(&b, 2).is_err());
    }
}
