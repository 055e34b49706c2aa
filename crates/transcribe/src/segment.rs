//! Who spoke when: utterances from the per-mic voice and level tracks.
//!
//! A frame belongs to a mic's speaker when the mic hears voice there **and** is within
//! `dominance_db` of the loudest mic at that frame. A voice that bleeds into a neighbouring
//! mic arrives there 10–20 dB quieter, so it is not attributed twice; two people speaking
//! at once are each loudest on their own mic, so both keep their frames and become two
//! overlapping utterances. Runs are smoothed (short gaps filled, blips dropped), joined
//! across short pauses, and cut to at most `max_ms` at the quietest moment near the limit.

use crate::vad::{Track, FRAME_MS};

#[derive(Clone, Debug)]
pub struct Params {
    pub voice_threshold: f32,
    pub dominance_db: f32,
    pub min_level_db: f32,
    /// A speaker's voice is at least this far above the mic's own noise floor.
    pub above_floor_db: f32,
    /// Levels are compared over this long a window.
    pub smooth_ms: f64,
    /// Gaps in a mic's voice shorter than this are filled.
    pub fill_ms: f64,
    /// Runs shorter than this (after filling) are dropped.
    pub min_ms: f64,
    /// Pauses shorter than this join two runs of one mic into one utterance.
    pub join_ms: f64,
    /// The longest utterance (Whisper sees 30 s at a time).
    pub max_ms: f64,
    /// Context added before and after each utterance.
    pub pad_ms: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            voice_threshold: 0.5,
            dominance_db: 8.0,
            min_level_db: -55.0,
            above_floor_db: 12.0,
            smooth_ms: 500.0,
            fill_ms: 300.0,
            min_ms: 250.0,
            join_ms: 900.0,
            max_ms: 29_000.0,
            pad_ms: 200.0,
        }
    }
}

/// One utterance: frames `start..end` of mic `mic` (frame indices on the tracks' common
/// timeline, [`FRAME_MS`] each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub mic: usize,
    pub start: usize,
    pub end: usize,
}

fn frames(ms: f64) -> usize {
    (ms / FRAME_MS).round() as usize
}

/// Each mic's level smoothed over about half a second (mean power over ±`half` frames, in
/// dB): between syllables a speaker's own mic stays loud, so the quiet gaps of speech do not
/// hand the frame to a mic that only hears the same voice as bleed.
fn smoothed_db(level_db: &[f32], half: usize) -> Vec<f32> {
    let power: Vec<f64> = level_db
        .iter()
        .map(|&d| 10f64.powf(d as f64 / 10.0))
        .collect();
    let mut prefix = vec![0f64; power.len() + 1];
    for (i, p) in power.iter().enumerate() {
        prefix[i + 1] = prefix[i] + p;
    }
    (0..power.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(power.len()));
            let mean = (prefix[b] - prefix[a]) / (b - a) as f64;
            (10.0 * mean.max(1e-12).log10()) as f32
        })
        .collect()
}

/// The level a mic hears when nobody speaks: the 10th percentile of its frames.
fn noise_floor(level_db: &[f32]) -> f32 {
    if level_db.is_empty() {
        return -120.0;
    }
    let mut v = level_db.to_vec();
    v.sort_by(f32::total_cmp);
    v[v.len() / 10]
}

/// Which frames each mic owns.
#[allow(clippy::needless_range_loop)] // frame by frame across every mic's vectors
pub fn ownership(tracks: &[Track], p: &Params) -> Vec<Vec<bool>> {
    let n = tracks.iter().map(|t| t.voice.len()).max().unwrap_or(0);
    let half = frames(p.smooth_ms / 2.0);
    let smooth: Vec<Vec<f32>> = tracks
        .iter()
        .map(|t| smoothed_db(&t.level_db, half))
        .collect();
    let floors: Vec<f32> = tracks.iter().map(|t| noise_floor(&t.level_db)).collect();
    let mut own = vec![vec![false; n]; tracks.len()];
    for f in 0..n {
        let loudest = smooth
            .iter()
            .map(|s| s.get(f).copied().unwrap_or(-120.0))
            .fold(f32::MIN, f32::max);
        for (m, t) in tracks.iter().enumerate() {
            let (Some(&v), Some(&l)) = (t.voice.get(f), smooth[m].get(f)) else {
                continue;
            };
            own[m][f] = v >= p.voice_threshold
                && l >= p.min_level_db
                && l >= floors[m] + p.above_floor_db
                && l >= loudest - p.dominance_db;
        }
    }
    own
}

/// Runs of `true`, as `start..end` pairs.
fn runs(v: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in v.iter().enumerate() {
        match (b, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, v.len()));
    }
    out
}

/// The utterances in the tracks, ordered by start then mic.
pub fn utterances(tracks: &[Track], p: &Params) -> Vec<Region> {
    let own = ownership(tracks, p);
    let (fill, min, join, max, pad) = (
        frames(p.fill_ms),
        frames(p.min_ms),
        frames(p.join_ms),
        frames(p.max_ms),
        frames(p.pad_ms),
    );
    let mut out = Vec::new();
    for (m, owned) in own.iter().enumerate() {
        let n = owned.len();
        // Fill short gaps, then drop blips.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (s, e) in runs(owned) {
            match spans.last_mut() {
                Some(last) if s - last.1 <= fill => last.1 = e,
                _ => spans.push((s, e)),
            }
        }
        spans.retain(|&(s, e)| e - s >= min);
        // Join across pauses into turns.
        let mut turns: Vec<(usize, usize)> = Vec::new();
        for (s, e) in spans {
            match turns.last_mut() {
                Some(last) if s - last.1 <= join && e - last.0 <= max => last.1 = e,
                _ => turns.push((s, e)),
            }
        }
        // Cut long turns at their quietest moment in the last third before the limit;
        // then add context on the sides that are not cuts, within the limit and the track.
        let voice = &tracks[m].voice;
        for (s, e) in turns {
            let mut pieces = Vec::new();
            let mut s = s;
            while e - s > max {
                let (lo, hi) = (s + max * 2 / 3, s + max);
                let cut = (lo..hi)
                    .min_by(|&a, &b| voice[a].total_cmp(&voice[b]))
                    .unwrap_or(hi);
                pieces.push((s, cut));
                s = cut;
            }
            pieces.push((s, e));
            let last = pieces.len() - 1;
            for (i, (mut s, mut e)) in pieces.into_iter().enumerate() {
                let room = max.saturating_sub(e - s);
                let before = if i == 0 { pad.min(room / 2).min(s) } else { 0 };
                s -= before;
                if i == last {
                    e = (e + pad.min(room - before)).min(n);
                }
                out.push(Region {
                    mic: m,
                    start: s,
                    end: e,
                });
            }
        }
    }
    out.sort_by_key(|r| (r.start, r.mic));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(spec: &[(usize, usize, f32)], n: usize) -> Track {
        let mut t = Track {
            voice: vec![0.0; n],
            level_db: vec![-70.0; n],
        };
        for &(s, e, db) in spec {
            for f in s..e {
                t.voice[f] = 0.9;
                t.level_db[f] = db;
            }
        }
        t
    }

    #[test]
    fn bleed_is_not_attributed_twice_and_overlap_is_kept() {
        let n = 1000;
        // Mic 0 speaks 100..300 at -20 dB; mic 1 hears it at -36 dB (bleed).
        // Then both speak at once 500..700, each loud on their own mic.
        let a = track(&[(100, 300, -20.0), (500, 700, -22.0)], n);
        let b = track(&[(100, 300, -36.0), (500, 700, -21.0)], n);
        let r = utterances(&[a, b], &Params::default());
        let pad = frames(Params::default().pad_ms);
        assert_eq!(
            r,
            vec![
                Region {
                    mic: 0,
                    start: 100 - pad,
                    end: 300 + pad
                },
                Region {
                    mic: 0,
                    start: 500 - pad,
                    end: 700 + pad
                },
                Region {
                    mic: 1,
                    start: 500 - pad,
                    end: 700 + pad
                },
            ]
        );
    }

    /// Between syllables both mics fall to the room's noise, and the neighbour's voice
    /// detector still hears speech: the smoothed levels keep those frames with the speaker.
    #[test]
    fn quiet_gaps_inside_speech_stay_with_the_speaker() {
        let n = 600;
        let mut a = track(&[], n);
        let mut b = track(&[], n);
        for f in 0..n {
            a.level_db[f] = -52.0;
            b.level_db[f] = -52.0;
        }
        for f in 100..400 {
            a.voice[f] = 0.9;
            b.voice[f] = 0.9;
            let syllable = (f / 6) % 2 == 0;
            a.level_db[f] = if syllable { -20.0 } else { -51.0 };
            b.level_db[f] = if syllable { -38.0 } else { -52.0 };
        }
        let r = utterances(&[a, b], &Params::default());
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].mic, 0);
    }

    #[test]
    fn pauses_join_blips_drop_and_long_turns_are_cut() {
        let p = Params::default();
        let n = 6000;
        // Two runs 30 frames apart (480 ms: joined), a 5-frame blip (dropped).
        let t = track(
            &[(100, 200, -20.0), (230, 300, -20.0), (2000, 2005, -20.0)],
            n,
        );
        let r = utterances(&[t], &p);
        assert_eq!(r.len(), 1);
        let pad = frames(p.pad_ms);
        assert_eq!((r[0].start, r[0].end), (100 - pad, 300 + pad));
        // 80 s of continuous voice with a dip: cut into pieces of at most 29 s.
        let mut t = track(&[(0, 5000, -20.0)], n);
        t.voice[1500] = 0.1;
        let r = utterances(&[t], &p);
        assert!(r.len() >= 3);
        assert!(
            r.iter()
                .all(|r| (r.end - r.start) as f64 * FRAME_MS <= p.max_ms + 1.0),
            "{r:?}"
        );
        assert_eq!(r[0].end, 1500, "cut at the dip");
        assert_eq!(r.last().unwrap().end, 5000 + pad);
    }
}
