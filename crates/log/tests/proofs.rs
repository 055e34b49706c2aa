//! Every proof, for every tree size up to 1,024, against a naive reference implementation
//! written straight from RFC 9162 section 2.1 (MTH, PATH, PROOF/SUBPROOF).

use verbatim_log::tree::{
    leaf_hash, node_hash, verify_consistency, verify_inclusion, verify_range, Hash, ProofError,
    Tree, EMPTY_HASH,
};

const MAX_SIZE: u64 = 1024;

fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// MTH(D[n])
fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => EMPTY_HASH,
        1 => d[0],
        n => {
            let k = k_of(n);
            node_hash(mth(&d[..k]), mth(&d[k..]))
        }
    }
}

/// PATH(m, D[n])
fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    let n = d.len();
    if n == 1 {
        return vec![];
    }
    let k = k_of(n);
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(mth(&d[..k]));
        p
    }
}

/// SUBPROOF(m, D[n], b)
fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

fn leaves(n: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect()
}

fn flip(h: &Hash) -> Hash {
    let mut x = *h;
    x.0[7] ^= 1;
    x
}

/// Indices to try in a tree of `n`: all of them for small trees, else edges and a sample.
fn sample(n: u64, rng: &mut fastrand::Rng) -> Vec<u64> {
    if n <= 40 {
        return (0..n).collect();
    }
    let mut v = vec![0, 1, n / 2, n - 2, n - 1];
    v.extend((0..10).map(|_| rng.u64(..n)));
    v
}

#[test]
fn roots_match_the_reference_for_every_size() {
    let d = leaves(MAX_SIZE);
    let mut tree = Tree::new();
    assert_eq!(tree.root(), EMPTY_HASH);
    for n in 1..=MAX_SIZE {
        tree.push(d[n as usize - 1]);
        assert_eq!(tree.root(), mth(&d[..n as usize]), "size {n}");
    }
    for n in 0..=MAX_SIZE {
        assert_eq!(tree.root_at(n).unwrap(), mth(&d[..n as usize]));
    }
}

#[test]
fn inclusion_proofs_for_every_size() {
    let d = leaves(MAX_SIZE);
    let mut tree = Tree::new();
    d.iter().for_each(|h| tree.push(*h));
    let mut rng = fastrand::Rng::with_seed(1);
    for n in 1..=MAX_SIZE {
        let root = mth(&d[..n as usize]);
        for m in sample(n, &mut rng) {
            let p = tree.inclusion_proof(m, n).unwrap();
            assert_eq!(p, path(m as usize, &d[..n as usize]), "m={m} n={n}");
            verify_inclusion(d[m as usize], m, n, root, &p).unwrap();
            // every corruption is caught
            assert!(verify_inclusion(flip(&d[m as usize]), m, n, root, &p).is_err());
            assert!(verify_inclusion(d[m as usize], m, n, flip(&root), &p).is_err());
            if n > 1 {
                assert!(verify_inclusion(d[m as usize], (m + 1) % n, n, root, &p).is_err());
                let mut bad = p.clone();
                let i = rng.usize(..bad.len());
                bad[i] = flip(&bad[i]);
                assert!(verify_inclusion(d[m as usize], m, n, root, &bad).is_err());
                assert!(verify_inclusion(d[m as usize], m, n, root, &p[1..]).is_err());
            }
            let mut long = p.clone();
            long.push(root);
            assert!(verify_inclusion(d[m as usize], m, n, root, &long).is_err());
        }
        assert!(tree.inclusion_proof(n, n).is_err());
        assert!(verify_inclusion(d[0], n, n, root, &[]).is_err());
    }
}

#[test]
fn consistency_proofs_for_every_size() {
    let d = leaves(MAX_SIZE);
    let mut tree = Tree::new();
    d.iter().for_each(|h| tree.push(*h));
    let mut rng = fastrand::Rng::with_seed(2);
    for n in 1..=MAX_SIZE {
        let new_root = mth(&d[..n as usize]);
        let mut olds = sample(n, &mut rng);
        olds.push(n);
        for m in olds {
            let old_root = mth(&d[..m as usize]);
            let p = tree.consistency_proof(m, n).unwrap();
            let want = if m == 0 {
                vec![]
            } else {
                subproof(m as usize, &d[..n as usize], true)
            };
            assert_eq!(p, want, "m={m} n={n}");
            verify_consistency(m, old_root, n, new_root, &p).unwrap();
            // (the empty tree is a prefix of every tree, whatever its root)
            if m > 0 {
                assert!(verify_consistency(m, old_root, n, flip(&new_root), &p).is_err());
                assert!(verify_consistency(m, flip(&old_root), n, new_root, &p).is_err());
            }
            if !p.is_empty() {
                let mut bad = p.clone();
                let i = rng.usize(..bad.len());
                bad[i] = flip(&bad[i]);
                assert!(verify_consistency(m, old_root, n, new_root, &bad).is_err());
                assert!(verify_consistency(m, old_root, n, new_root, &p[..p.len() - 1]).is_err());
            }
        }
        assert!(tree.consistency_proof(n + 1, n).is_err());
    }
}

#[test]
fn range_proofs_for_every_size() {
    let d = leaves(MAX_SIZE);
    let mut tree = Tree::new();
    d.iter().for_each(|h| tree.push(*h));
    let mut rng = fastrand::Rng::with_seed(3);
    let log2 = |n: u64| 64 - n.leading_zeros() as usize;
    for n in 1..=MAX_SIZE {
        let root = mth(&d[..n as usize]);
        let mut ranges = vec![(0, n), (0, 1), (n - 1, n)];
        for _ in 0..12 {
            let a = rng.u64(..n);
            let b = rng.u64(a + 1..=n);
            ranges.push((a, b));
        }
        for (a, b) in ranges {
            let clip = &d[a as usize..b as usize];
            let p = tree.range_proof(a, b, n).unwrap();
            assert!(
                p.len() <= 2 * log2(n),
                "proof of {} hashes for n={n}",
                p.len()
            );
            verify_range(clip, a, n, root, &p).unwrap();
            // a range proof of one entry proves the same as an inclusion proof
            if b == a + 1 {
                verify_inclusion(
                    d[a as usize],
                    a,
                    n,
                    root,
                    &tree.inclusion_proof(a, n).unwrap(),
                )
                .unwrap();
            }
            // wrong root, a changed or dropped or reordered entry, a shifted start, a
            // changed, missing or extra proof hash: all rejected
            assert!(verify_range(clip, a, n, flip(&root), &p).is_err());
            let mut bad = clip.to_vec();
            let i = rng.usize(..bad.len());
            bad[i] = flip(&bad[i]);
            assert!(verify_range(&bad, a, n, root, &p).is_err());
            if clip.len() > 1 {
                assert!(verify_range(&clip[1..], a + 1, n, root, &p).is_err());
                assert!(verify_range(&clip[..clip.len() - 1], a, n, root, &p).is_err());
                let mut swapped = clip.to_vec();
                swapped.swap(0, clip.len() - 1);
                assert!(verify_range(&swapped, a, n, root, &p).is_err());
            }
            if b < n {
                assert!(verify_range(clip, a + 1, n, root, &p).is_err());
            }
            if !p.is_empty() {
                let mut badp = p.clone();
                let i = rng.usize(..badp.len());
                badp[i] = flip(&badp[i]);
                assert!(verify_range(clip, a, n, root, &badp).is_err());
                assert!(verify_range(clip, a, n, root, &p[1..]).is_err());
            }
            let mut longer = p.clone();
            longer.push(root);
            assert!(verify_range(clip, a, n, root, &longer).is_err());
        }
        assert_eq!(
            tree.range_proof(0, n + 1, n).unwrap_err(),
            ProofError::BadRange {
                begin: 0,
                end: n + 1,
                size: n
            }
        );
        assert!(tree.range_proof(1, 1, n).is_err());
        assert!(verify_range(&[], 0, n, root, &[]).is_err());
    }
}

#[test]
fn hostile_proof_inputs_are_errors_not_panics() {
    let mut rng = fastrand::Rng::with_seed(4);
    let junk = |rng: &mut fastrand::Rng, k: usize| -> Vec<Hash> {
        (0..k)
            .map(|_| leaf_hash(&rng.u64(..).to_be_bytes()))
            .collect()
    };
    for _ in 0..5000 {
        let size = match rng.u8(..4) {
            0 => rng.u64(..),
            1 => rng.u64(..1 << 49),
            _ => rng.u64(..2000),
        };
        let index = match rng.u8(..3) {
            0 => rng.u64(..),
            _ => rng.u64(..size.max(1)),
        };
        let k = rng.usize(..140);
        let p = junk(&mut rng, k);
        let h = leaf_hash(b"x");
        let _ = verify_inclusion(h, index, size, h, &p);
        let _ = verify_consistency(index, h, size, h, &p);
        let k = rng.usize(..5);
        let leaves = junk(&mut rng, k);
        let _ = verify_range(&leaves, index, size, h, &p);
    }
}
