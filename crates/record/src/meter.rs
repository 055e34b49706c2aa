//! A microphone's level meter: RMS and peak of every 100 ms of its samples.
//!
//! It is measured in a pad probe, on the microphone's own streaming thread, from the
//! samples as they pass, and the supervisor reads the latest reading when it wakes
//! anyway (at least every 100 ms). GStreamer's `level` element, used before, posted a
//! message per reading: a structure of value arrays allocated on the streaming thread, a
//! write to the bus's wake-up descriptor, and a wake-up of the supervisor for each. At 15
//! courtrooms (90 microphones) the supervisors alone took 2.6 % of a core for that, and
//! 1.0 % without the messages (`bench/profile-recorder.sh`, docs/BENCHMARKS.md).
//!
//! The figures are those `level` gives: RMS = 10·log10(mean of x²) and peak = 10·log10(max
//! of x²), with samples scaled to [-1, 1]; a test checks them against `level` itself.
//! Digital silence reads [`FLOOR_DB`], not minus infinity.
//!
//! The same probe applies the microphone's privacy mute ([`Mute`]): after measuring a
//! buffer it overwrites a muted microphone's samples with digital silence, so that what is
//! encoded holds nothing of what was said. The meter still shows what the microphone hears.
//! GStreamer's `volume` did the muting before: with the converter it needed after it, two
//! more elements on every microphone buffer's way, for a flag that is almost always off.

use gstreamer as gst;
use gstreamer::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A microphone's privacy mute, shared by the probe that applies it and the supervisor
/// that sets it. It takes effect from the next buffer.
#[derive(Clone, Default)]
pub struct Mute(Arc<AtomicBool>);

impl Mute {
    pub fn set(&self, muted: bool) {
        self.0.store(muted, Ordering::Relaxed);
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What digital silence reads, dBFS: below any real microphone (24-bit audio's own floor
/// is about -144 dBFS), and a number rather than minus infinity in JSON and on screen.
pub const FLOOR_DB: f64 = -150.0;

/// Length of one reading, in seconds.
const INTERVAL_S: f64 = 0.1;

/// One reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Counts readings from 1, so that a reader can tell a new one from the last.
    pub seq: u64,
    pub rms_db: f64,
    pub peak_db: f64,
    /// The loudest peak of every reading so far (the pre-hearing test's figure).
    pub loudest_db: f64,
}

/// A microphone's meter, shared by the probe that measures and whoever reads it.
#[derive(Clone, Default)]
pub struct Meter(Arc<Mutex<Option<Reading>>>);

impl Meter {
    /// Measures the audio that flows through `pad` (raw audio in S8, S16LE, S24LE,
    /// S24_32LE, S32LE, F32LE or F64LE), and then silences it while `mute` is set.
    pub fn attach(pad: &gst::Pad, mute: Mute) -> Meter {
        let meter = Meter::default();
        let out = meter.clone();
        let acc = Mutex::new(Accumulator::default());
        pad.add_probe(
            gst::PadProbeType::BUFFER | gst::PadProbeType::EVENT_DOWNSTREAM,
            move |_, info| {
                let mut a = acc.lock().unwrap_or_else(|p| p.into_inner());
                match &mut info.data {
                    Some(gst::PadProbeData::Event(e)) => {
                        if let gst::EventView::Caps(c) = e.view() {
                            a.set_caps(c.caps());
                        }
                    }
                    Some(gst::PadProbeData::Buffer(b)) => {
                        if let Ok(map) = b.map_readable() {
                            if let Some((rms, peak)) = a.add(map.as_slice()) {
                                out.publish(rms, peak);
                            }
                        }
                        if mute.is_set() {
                            silence(b);
                        }
                    }
                    _ => {}
                }
                gst::PadProbeReturn::Ok
            },
        );
        meter
    }

    /// The latest reading, if any has been made.
    pub fn latest(&self) -> Option<Reading> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn publish(&self, mean_square: f64, peak_square: f64) {
        // log10(0) is minus infinity, and `max` also takes the floor over a NaN.
        let db = |x: f64| (10.0 * x.log10()).max(FLOOR_DB);
        let (rms_db, peak_db) = (db(mean_square), db(peak_square));
        let mut r = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *r = Some(match *r {
            Some(last) => Reading {
                seq: last.seq + 1,
                rms_db,
                peak_db,
                loudest_db: last.loudest_db.max(peak_db),
            },
            None => Reading {
                seq: 1,
                rms_db,
                peak_db,
                loudest_db: peak_db,
            },
        });
    }
}

/// Overwrites a buffer's samples with digital silence (zero in every format the meter
/// reads), flagged as a gap, as `volume` does when muted. A buffer shared with someone
/// else is copied first rather than changed under them.
fn silence(buffer: &mut gst::Buffer) {
    let b = buffer.make_mut();
    if let Ok(mut map) = b.map_writable() {
        map.as_mut_slice().fill(0);
    }
    b.set_flags(gst::BufferFlags::GAP);
}

/// Sample formats the meter reads.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    S8,
    S16,
    S24,
    S24In32,
    S32,
    F32,
    F64,
}

impl Format {
    fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "S8" => Format::S8,
            "S16LE" => Format::S16,
            "S24LE" => Format::S24,
            "S24_32LE" => Format::S24In32,
            "S32LE" => Format::S32,
            "F32LE" => Format::F32,
            "F64LE" => Format::F64,
            _ => return None,
        })
    }

    fn width(self) -> usize {
        match self {
            Format::S8 => 1,
            Format::S16 => 2,
            Format::S24 => 3,
            Format::S24In32 | Format::S32 | Format::F32 => 4,
            Format::F64 => 8,
        }
    }
}

/// Sums of the reading in progress.
#[derive(Default)]
struct Accumulator {
    format: Option<Format>,
    /// Samples (of all channels) per reading.
    per_reading: u64,
    samples: u64,
    sum_squares: f64,
    peak_square: f64,
}

impl Accumulator {
    fn set_caps(&mut self, caps: &gst::CapsRef) {
        let s = caps.structure(0);
        let format = s
            .and_then(|s| s.get::<&str>("format").ok())
            .and_then(Format::parse);
        let rate = s.and_then(|s| s.get::<i32>("rate").ok()).unwrap_or(0);
        let channels = s.and_then(|s| s.get::<i32>("channels").ok()).unwrap_or(1);
        *self = Accumulator {
            format,
            per_reading: ((rate.max(0) as f64 * INTERVAL_S).round() as u64
                * channels.max(1) as u64)
                .max(1),
            ..Default::default()
        };
    }

    /// Adds a buffer's samples; returns (mean square, peak square) of each reading
    /// completed (the last one if a buffer completes several).
    fn add(&mut self, data: &[u8]) -> Option<(f64, f64)> {
        let format = self.format?;
        let width = format.width();
        let mut done = None;
        let mut rest = &data[..data.len() - data.len() % width];
        while !rest.is_empty() {
            // Up to the end of the reading in progress, in one pass.
            let n = ((self.per_reading - self.samples) as usize).min(rest.len() / width);
            let (run, tail) = rest.split_at(n * width);
            let (sum, peak) = squares(format, run);
            self.sum_squares += sum;
            self.peak_square = self.peak_square.max(peak);
            self.samples += n as u64;
            if self.samples == self.per_reading {
                done = Some((self.sum_squares / self.samples as f64, self.peak_square));
                self.samples = 0;
                self.sum_squares = 0.0;
                self.peak_square = 0.0;
            }
            rest = tail;
        }
        done
    }
}

/// Sum of the squares and largest square of whole samples, scaled to full scale. One loop
/// per format, the scaling done once at the end: per sample, a format match and a division
/// took 1.8 % of a core at 20 courtrooms (120 microphones; `perf`, docs/BENCHMARKS.md).
/// 16-bit samples (the microphones' format) are summed as integers, exactly.
fn squares(format: Format, run: &[u8]) -> (f64, f64) {
    fn floats<const W: usize>(run: &[u8], read: impl Fn([u8; W]) -> f64) -> (f64, f64) {
        let (mut sum, mut peak) = (0.0f64, 0.0f64);
        for b in run.chunks_exact(W) {
            let x = read(b.try_into().expect("chunks of W bytes"));
            sum += x * x;
            peak = peak.max(x * x);
        }
        (sum, peak)
    }
    let (sum, peak, full_scale) = match format {
        Format::S16 => {
            // At most 2^30 a sample, and a reading of 100 ms holds far fewer than 2^33.
            let (mut sum, mut peak) = (0i64, 0i64);
            for b in run.chunks_exact(2) {
                let x = i64::from(i16::from_le_bytes([b[0], b[1]]));
                sum += x * x;
                peak = peak.max(x * x);
            }
            (sum as f64, peak as f64, 32_768.0)
        }
        Format::S8 => {
            let (sum, peak) = floats::<1>(run, |b| f64::from(b[0] as i8));
            (sum, peak, 128.0)
        }
        Format::S24 => {
            let (sum, peak) = floats::<3>(run, |b| {
                f64::from(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8)
            });
            (sum, peak, 8_388_608.0)
        }
        Format::S24In32 => {
            let (sum, peak) = floats::<4>(run, |b| f64::from((i32::from_le_bytes(b) << 8) >> 8));
            (sum, peak, 8_388_608.0)
        }
        Format::S32 => {
            let (sum, peak) = floats::<4>(run, |b| f64::from(i32::from_le_bytes(b)));
            (sum, peak, 2_147_483_648.0)
        }
        Format::F32 => {
            let (sum, peak) = floats::<4>(run, |b| f64::from(f32::from_le_bytes(b)));
            (sum, peak, 1.0)
        }
        Format::F64 => {
            let (sum, peak) = floats::<8>(run, f64::from_le_bytes);
            (sum, peak, 1.0)
        }
    };
    let s = full_scale * full_scale;
    (sum / s, peak / s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gstreamer::glib;

    /// Samples of every format scale as `level` scales them (integers by 2^(bits-1)), and
    /// sign-extend: a square of 0.25 is a sample of ±0.5, where a 24-bit -0.5 read
    /// without its sign would square to 2.25.
    #[test]
    fn samples_are_scaled_to_full_scale() {
        let one = |format, b: &[u8]| {
            let (sum, peak) = squares(format, b);
            assert_eq!(sum, peak, "{format:?}");
            sum
        };
        assert_eq!(one(Format::S8, &[0x80]), 1.0);
        assert_eq!(one(Format::S16, &(-16_384i16).to_le_bytes()), 0.25);
        assert_eq!(one(Format::S24, &[0x00, 0x00, 0x40]), 0.25);
        assert_eq!(one(Format::S24, &[0x00, 0x00, 0xc0]), 0.25);
        assert_eq!(one(Format::S24In32, &(-4_194_304i32).to_le_bytes()), 0.25);
        assert_eq!(one(Format::S32, &i32::MIN.to_le_bytes()), 1.0);
        assert_eq!(one(Format::F32, &0.25f32.to_le_bytes()), 0.0625);
        assert_eq!(one(Format::F64, &(-0.75f64).to_le_bytes()), 0.5625);
        let run: Vec<u8> = [16_384i16, -16_384, 0, 8_192]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(squares(Format::S16, &run), (0.5625, 0.25));
    }

    /// A reading completes after exactly its number of samples, wherever buffers end.
    #[test]
    fn readings_span_buffers() {
        let mut a = Accumulator {
            format: Some(Format::S16),
            per_reading: 4,
            ..Default::default()
        };
        let half = (16_384i16).to_le_bytes();
        assert_eq!(a.add(&[half, half, half].concat()), None);
        // The fourth sample ends the reading; the fifth starts the next.
        assert_eq!(a.add(&[[0, 0], half].concat()), Some((0.1875, 0.25)));
        assert_eq!(a.samples, 1);
        // A trailing partial sample is left out.
        assert_eq!(a.add(&[0x00]), None);
        assert_eq!(a.samples, 1);
    }

    /// The meter's readings agree with GStreamer's `level` on the same samples, to a
    /// hundredth of a dB, in each sample format and for digital silence.
    #[test]
    fn readings_agree_with_gstreamer_level() {
        gst::init().expect("GStreamer initialises");
        for (format, wave) in [
            ("S16LE", "sine"),
            ("S32LE", "sine"),
            ("F32LE", "pink-noise"),
            ("S16LE", "silence"),
        ] {
            let pipeline = gst::parse::launch(&format!(
                "audiotestsrc num-buffers=20 samplesperbuffer=960 wave={wave} volume=0.3 \
                 ! audio/x-raw,format={format},rate=48000,channels=1 \
                 ! identity name=probe \
                 ! level interval=100000000 post-messages=true ! fakesink sync=false"
            ))
            .expect("valid description")
            .downcast::<gst::Pipeline>()
            .expect("a pipeline");
            let probe = pipeline.by_name("probe").expect("named");
            let meter = Meter::attach(&probe.static_pad("src").expect("src pad"), Mute::default());
            // A second probe on the same pad runs right after the meter's, for the same
            // buffer: it sees each reading as the buffer that completes it passes.
            let seen = std::sync::Arc::new(Mutex::new(Vec::<Reading>::new()));
            let s = seen.clone();
            let m = meter.clone();
            probe.static_pad("src").expect("src pad").add_probe(
                gst::PadProbeType::BUFFER,
                move |_, _| {
                    if let Some(r) = m.latest() {
                        let mut v = s.lock().expect("not poisoned");
                        if v.last().map(|l| l.seq) != Some(r.seq) {
                            v.push(r);
                        }
                    }
                    gst::PadProbeReturn::Ok
                },
            );
            let bus = pipeline.bus().expect("bus");
            pipeline.set_state(gst::State::Playing).expect("plays");
            let mut levels = Vec::new();
            while let Some(msg) = bus.timed_pop(gst::ClockTime::from_seconds(5)) {
                match msg.view() {
                    gst::MessageView::Element(e) => {
                        let st = e.structure().expect("a structure");
                        let first = |f: &str| {
                            st.get::<glib::ValueArray>(f)
                                .ok()
                                .and_then(|a| a.first().and_then(|v| v.get::<f64>().ok()))
                                .expect("a level field")
                        };
                        levels.push((first("rms"), first("peak")));
                    }
                    gst::MessageView::Eos(_) | gst::MessageView::Error(_) => break,
                    _ => {}
                }
            }
            pipeline.set_state(gst::State::Null).expect("stops");
            let seen = seen.lock().expect("not poisoned").clone();
            assert_eq!(
                seen.len(),
                4,
                "{format} {wave}: 20 buffers of 20 ms are 4 readings"
            );
            assert!(
                levels.len() >= 4,
                "{format} {wave}: level posted {levels:?}"
            );
            for (r, (rms, peak)) in seen.iter().zip(&levels) {
                let clamp = |x: f64| {
                    if x.is_finite() {
                        x.max(FLOOR_DB)
                    } else {
                        FLOOR_DB
                    }
                };
                assert!(
                    (r.rms_db - clamp(*rms)).abs() < 0.01
                        && (r.peak_db - clamp(*peak)).abs() < 0.01,
                    "{format} {wave}: meter {r:?}, level rms {rms} peak {peak}"
                );
            }
            let loudest = seen.iter().map(|r| r.peak_db).fold(FLOOR_DB, f64::max);
            assert_eq!(seen[3].loudest_db, loudest);
        }
    }
}
