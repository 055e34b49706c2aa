#!/usr/bin/env bash
# How many courtrooms (4 cameras + 6 microphones each) one node records.
#
# Cameras are played by ONE loopback RTSP server process (127.0.0.1 only) that streams a
# pre-encoded 720p25 ~4 Mbit/s H.264 file in a loop: it repackets, it does not encode. Its
# CPU is measured and reported, but kept out of the recorder's figure.
#
# For each N in COURTROOMS, in the same run and for the same DURATION, one group after the
# other:
#
#   recorder     N `verbatim record` processes at once, one court data directory each, each
#                recording 4 RTSP cameras + 6 test-tone microphones (FLAC);
#   gst-bare     N `gst-launch-1.0 -e` processes, each doing the same remux of the same 4
#                cameras into fragmented-MP4 splitmuxsink segments and the same 6 microphones
#                into FLAC/Matroska splitmuxsink segments, with the fewest elements;
#   gst-matched  the same, element for element as the recorder builds its pipelines (the
#                recorder's queues, converters and properties),
#                but in one pipeline per process and without the recorder's Rust side;
#   paired       N courtrooms at once, the odd ones recorded by `verbatim record`, the even
#                ones by gst-bare's gst-launch processes: both halves run on the same
#                machine at the same moment, so that the ratio of their CPU per courtroom
#                is free of the machine's drift (its speed moved by up to a fifth within
#                minutes, between one group and the next), at the load of N courtrooms.
#
# and measures, per group:
#   CPU          utime+stime of the group's processes from /proc/PID/stat, between WARMUP
#                seconds after the start and 1 s before the stop (steady state), as % of one
#                core; also from the process start (startup included);
#   memory       sum of peak RSS (VmHWM) and of PSS (smaps_rollup) at the end of the window;
#   disk         bytes of segment files / DURATION, and the processes' write_bytes in the
#                window (/proc/PID/io);
#   kept up      segments per stream against DURATION / segment length; for the recorder also
#                media time covered per stream (from the log's entries), no source_lost
#                entries, no alarms, and `verbatim verify` OK on every data directory;
#   seal latency p50 (median over courtrooms) and p99 (max over courtrooms) from --json;
#   the camera server's CPU and everything else on the machine (/proc/stat) in the window.
# The camera server is started afresh for every group.
# A group during which other work used more than OTHER_LIMIT % of a core is run again (up to
# MAX_TRIES times) and the least disturbed try is kept.
# With ROUNDS=R every group of an N is measured R times, in rounds, the order of the groups
# turned by one each round (recorder, gst-bare, gst-matched; then gst-bare, gst-matched,
# recorder; ...) so that a drift of the machine favours no group. The table gives each
# group's median over the rounds with its range, and the ratio as the median of the rounds'
# own ratios (the recorder against the other group of the same round) with its range.
#
# Environment:
#   COURTROOMS="1 5 10 20"   courtroom counts to measure
#   DURATION=60              seconds each group records
#   WARMUP=10                seconds left out of the steady-state CPU window
#   BENCH_GROUPS="recorder gst-bare gst-matched"   (any of these and paired)
#   CAMERA_SERVER=auto       auto | verbatim | python: `verbatim test-cameras --h264-file`, or
#                            the Python gst-rtsp-server stand-in below (auto: verbatim if its
#                            streams carry timestamps, else python)
#   ONE_FEED=1               1: `test-cameras --one-feed`, every camera path serves one stream,
#                            read and packetized once and sent to each client (each recorder
#                            camera still receives a whole ~4 Mbit/s stream of its own); the
#                            server then costs about a fifth of a core less per 10 courtrooms,
#                            which leaves the two cores to what is measured. 0: one pipeline
#                            per camera, as before 2026-11-28 (the python server is always 0)
#   PATTERN=snow             videotestsrc pattern of the camera file (snow: ~4 Mbit/s at
#                            bitrate=4000; ball compresses to ~0.1 Mbit/s)
#   OTHER_LIMIT=15           % of one core of other work above which a group is rerun
#   MAX_TRIES=2
#   ROUNDS=1                 measurements of each group per N (above)
#   QUIET_WAIT=600           seconds to wait before a group for other work to stop
#   BENCH_DIR=/var/tmp/verbatim-bench-rooms   work directory (no spaces); data is removed after
#                            each group unless KEEP=1; results stay in it
#   OUT=$BENCH_DIR/record-courtrooms.tsv      one tab-separated line per measured group
#                            (rewritten by each run; the log goes next to it, .log)
#   CARGO_TARGET_DIR         default $HOME/.cache/verbatim-bench-target
#   BUILD=1                  0: use the verbatim binary already built there
set -euo pipefail

COURTROOMS=${COURTROOMS:-"1 5 10 20"}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-10}
BENCH_GROUPS=${BENCH_GROUPS:-"recorder gst-bare gst-matched"}
CAMERA_SERVER=${CAMERA_SERVER:-auto}
PATTERN=${PATTERN:-snow}
ONE_FEED=${ONE_FEED:-1}
OTHER_LIMIT=${OTHER_LIMIT:-15}
MAX_TRIES=${MAX_TRIES:-2}
ROUNDS=${ROUNDS:-1}
QUIET_WAIT=${QUIET_WAIT:-600}
BENCH_DIR=${BENCH_DIR:-/var/tmp/verbatim-bench-rooms}
KEEP=${KEEP:-0}
BUILD=${BUILD:-1}
OUT=${OUT:-$BENCH_DIR/record-courtrooms.tsv}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/verbatim-bench-target}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3 # Debian's, which has python3-gi (the fallback camera server needs it)
LOG=${OUT%.tsv}.log

die() {
    echo "record-courtrooms: $*" >&2
    exit 1
}
say() { echo "== $*" | tee -a "$LOG" >&2; }
note() { echo "$*" >>"$LOG"; }

[[ $DURATION =~ ^[0-9]+$ && $DURATION -ge 20 ]] || die "DURATION must be whole seconds, at least 20"
[[ $WARMUP =~ ^[0-9]+$ && $WARMUP -lt $((DURATION - 5)) ]] || die "WARMUP must be below DURATION - 5"
for n in $COURTROOMS; do [[ $n =~ ^[0-9]+$ && $n -ge 1 ]] || die "COURTROOMS: $n is not a count"; done
case $BENCH_DIR in
/ | /var | /var/tmp | /tmp | "$HOME" | "") die "BENCH_DIR=$BENCH_DIR: give a directory of its own" ;;
*' '*) die "BENCH_DIR must not contain spaces (it goes into gst-launch descriptions)" ;;
esac
for tool in cargo gst-launch-1.0 gst-inspect-1.0 top uptime; do
    command -v "$tool" >/dev/null || die "needs $tool"
done
"$PY" -c 'import gi; gi.require_version("GstRtspServer", "1.0")' 2>/dev/null ||
    [[ $CAMERA_SERVER == verbatim ]] || die "needs python3-gi and gir1.2-gst-rtsp-server-1.0 (or CAMERA_SERVER=verbatim)"

mkdir -p "$BENCH_DIR"
RUN=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
: >"$LOG"
BIN=${BIN:-$CARGO_TARGET_DIR/release/verbatim}
SERVER_PID=
declare -a LIVE=() # processes this script started and has not reaped

cleanup() {
    local p
    for p in "${LIVE[@]}" $SERVER_PID; do
        [[ -n $p ]] && kill -KILL "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [[ $KEEP != 1 ]]; then rm -rf "$RUN"; fi
}
trap cleanup EXIT

now() { echo "$EPOCHREALTIME"; }
sleep_until() { # epoch seconds (fractional)
    local d
    d=$(awk -v t="$1" -v n="$EPOCHREALTIME" 'BEGIN { d = t - n; print (d > 0 ? d : 0) }')
    sleep "$d"
}

# ---------------------------------------------------------------- helpers (Python) ---------

# The camera server stand-in: gst-rtsp-server with the same launch line as
# `verbatim test-cameras --h264-file`, plus a pad probe that sets each frame's PTS to its DTS.
# (h264parse gives frames of an untimestamped Annex B stream a DTS only; rtph264pay then
# stamps every RTP packet after the first with the same RTP time, and the receiver's frames
# have no PTS.) No B-frames in the file, so PTS = DTS is right.
cat >"$RUN/cams.py" <<'EOF'
import sys, gi
gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer, GLib
Gst.init(None)
address, port, cameras, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def stamp(pad, info):
    b = info.get_buffer()
    if b.pts == Gst.CLOCK_TIME_NONE:
        b.pts = b.dts
    return Gst.PadProbeReturn.OK

def configure(factory, media):
    pad = media.get_element().get_by_name("stamp").get_static_pad("sink")
    pad.add_probe(Gst.PadProbeType.BUFFER, stamp)

server = GstRtspServer.RTSPServer()
server.set_address(address)
server.set_service(port)
mounts = server.get_mount_points()
for i in range(1, cameras + 1):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(
        '( multifilesrc location="%s" loop=true '
        'caps="video/x-h264,stream-format=byte-stream,framerate=25/1" '
        "! h264parse ! identity name=stamp sync=true "
        "! rtph264pay name=pay0 pt=96 config-interval=-1 )" % path)
    f.set_shared(True)
    f.connect("media-configure", configure)
    mounts.add_factory("/cam%d" % i, f)
server.attach(None)
print("test cameras (python) at rtsp://%s:%s/cam1 .. /cam%d" % (address, port, cameras), flush=True)
GLib.MainLoop().run()
EOF

# A snapshot of /proc: the machine's CPU counters, every process's CPU ticks, and for the
# given PIDs memory and bytes written.
cat >"$RUN/snap.py" <<'EOF'
import glob, json, os, sys, time
out, pids = sys.argv[1], [int(p) for p in sys.argv[2:]]
def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rfind(")") + 2:].split()
    return s[s.find("(") + 1:s.rfind(")")], int(rest[11]) + int(rest[12]), int(rest[1])
snap = {"t": time.time()}
with open("/proc/stat") as f:
    snap["cpu"] = [int(x) for x in f.readline().split()[1:]]
# Idle time, microseconds, from cpuidle (exact; /proc/stat's tick-sampled user/system miss
# most of a bursty load on this tickless VM)
snap["idle_us"] = sum(int(open(f).read()) for f in glob.glob("/sys/devices/system/cpu/cpu[0-9]*/cpuidle/state*/time"))
snap["ncpu"] = os.cpu_count()
snap["all"] = {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            snap["all"][d] = stat(int(d))
        except OSError:
            pass
snap["procs"] = {}
for p in pids:
    r = {}
    try:
        r["ticks"] = stat(p)[1]
        with open("/proc/%d/status" % p) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS", "Threads"):
                    r[k] = int(v.split()[0])
        with open("/proc/%d/smaps_rollup" % p) as f:
            for line in f:
                if line.startswith("Pss:"):
                    r["Pss"] = int(line.split()[1])
        with open("/proc/%d/io" % p) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == "write_bytes":
                    r["write_bytes"] = int(v)
    except OSError:
        r["gone"] = True
    snap["procs"][str(p)] = r
with open(out, "w") as f:
    json.dump(snap, f)
EOF

# Analysis of one measured group: prints one TSV line (see HEADER) and writes details.
cat >"$RUN/analyze.py" <<'EOF'
import glob, json, os, statistics, sys
gdir = sys.argv[1]
meta = json.load(open(os.path.join(gdir, "meta.json")))
t0 = json.load(open(os.path.join(gdir, "t0.json")))
t1 = json.load(open(os.path.join(gdir, "t1.json")))
hz = meta["hz"]; dur = meta["duration"]; group = meta["kind"]; n = meta["n"]
all_pids = [str(p) for p in meta["pids"]]; server = str(meta["server_pid"])
# what recorded each room (room k is the k-th pid); a paired group is two halves
kinds = meta.get("kinds") or [group] * len(all_pids)
win = t1["t"] - t0["t"]
def ticks(s, p): return s["procs"].get(p, {}).get("ticks")
srv = (ticks(t1, server) - ticks(t0, server)) / hz if ticks(t0, server) is not None and ticks(t1, server) is not None else float("nan")
c0, c1 = t0["cpu"], t1["cpu"]
d = [b - a for a, b in zip(c0, c1)]
# user nice system idle iowait irq softirq steal
# busy = not idle, from cpuidle's exact idle time where there is one
if t0.get("idle_us") and t1.get("idle_us"):
    machine_busy = t0["ncpu"] * win - (t1["idle_us"] - t0["idle_us"]) / 1e6
else:
    machine_busy = (d[0] + d[1] + d[2] + d[5] + d[6]) / hz
irq = (d[5] + d[6]) / hz
steal = d[7] / hz if len(d) > 7 else 0.0
iowait = d[4] / hz
# who else ran: processes present in both snapshots, not ours
ours = set(all_pids) | {server}
others = []
kthreads = 0.0  # kernel threads (writeback, ext4, ...): the flushing of the written files
for p, (comm, tk, ppid) in t1["all"].items():
    if p in ours or p not in t0["all"]:
        continue
    dt = (tk - t0["all"][p][1]) / hz
    if ppid == 2 or p == "2":
        kthreads += dt
    if dt > 0.05 * win:
        others.append("%s(%s) %.0f%%" % (comm, p, 100 * dt / win))
ours_win = sum(ticks(t1, p) - ticks(t0, p) for p in all_pids
               if ticks(t0, p) is not None and ticks(t1, p) is not None) / hz
# everything else: other processes, and what accounting differences leave (can be slightly < 0)
other = machine_busy - ours_win - (srv if srv == srv else 0) - kthreads

def measure(kind, label, rooms):
    """One row: the rooms (numbers from 1) that `kind` recorded."""
    pids = [all_pids[k - 1] for k in rooms]
    missing = [p for p in pids if ticks(t0, p) is None or ticks(t1, p) is None]
    cpu_win = sum(ticks(t1, p) - ticks(t0, p) for p in pids if p not in missing) / hz
    cpu_tot = sum(ticks(t1, p) for p in pids if ticks(t1, p) is not None) / hz
    since_start = t1["t"] - meta["t_start"]
    hwm = sum(t1["procs"][p].get("VmHWM", 0) for p in pids) / 1024
    pss = sum(t1["procs"][p].get("Pss", 0) for p in pids) / 1024
    wb = sum(t1["procs"][p].get("write_bytes", 0) - t0["procs"][p].get("write_bytes", 0) for p in pids if p not in missing)
    threads = sum(t1["procs"][p].get("Threads", 0) for p in pids)
    # segments
    seg_bytes = 0; per_stream = {}
    for k in rooms:
        for f in glob.glob(os.path.join(gdir, "rooms", str(k), "**", "*.m*"), recursive=True):
            if f.endswith((".mp4", ".mka")) and os.path.getsize(f) > 0:
                seg_bytes += os.path.getsize(f)
                key = (k, os.path.basename(os.path.dirname(f)))
                per_stream[key] = per_stream.get(key, 0) + 1
    cams = [c for (r, s), c in per_stream.items() if s.startswith("cam")]
    mics = [c for (r, s), c in per_stream.items() if s.startswith("mic")]
    exp_cam = dur / 2.0; exp_mic = dur / 1.92  # FLAC frames of 96 ms: audio segments are 1.92 s
    short = sum(1 for (r, s), c in per_stream.items()
                if c < (exp_cam if s.startswith("cam") else exp_mic) - 2.5)
    short += 10 * len(rooms) - len(per_stream)
    p50s, p99s, lost, alarms, verify_fail, cover_min, gap_max, rec_fail = [], [], 0, 0, 0, float("inf"), 0.0, 0
    errors = 0
    pooled = {}  # every seal of every courtroom: count per whole millisecond
    for k in rooms:
        room = os.path.join(gdir, "rooms", str(k))
        if kind == "recorder":
            try:
                st = json.load(open(room + ".json"))
                p50s.append(st["seal_latency_p50_ms"]); p99s.append(st["seal_latency_p99_ms"])
                alarms += len(st["alarms"])
                for ms, c in st.get("seal_latency_counts_ms", {}).items():
                    pooled[int(ms)] = pooled.get(int(ms), 0) + c
            except Exception:
                rec_fail += 1
            if open(room + ".verify.rc").read().strip() != "0":
                verify_fail += 1
            streams = {}
            for line in open(room + ".entries"):
                e = json.loads(line)
                if e["kind"] == "source_lost":
                    lost += 1
                if e["kind"] in ("segment_sealed",):
                    streams.setdefault(e["stream"], []).append((e["media_start_ns"], e["media_end_ns"]))
            for s, segs in streams.items():
                segs.sort()
                cover_min = min(cover_min, sum(b - a for a, b in segs) / 1e9)
                for (a0, b0), (a1, b1) in zip(segs, segs[1:]):
                    gap_max = max(gap_max, (a1 - b0) / 1e9)
            if len(streams) < 10:
                cover_min = 0.0
            errors += sum(1 for l in open(room + ".err") if "ALARM" in l or "rror" in l)
        else:
            errors += sum(1 for l in open(room + ".log") if "ERROR" in l or "rror:" in l)
        rc = open(room + ".rc").read().strip()
        if rc not in ("0",):
            rec_fail += 1
    def pooled_pct(p):  # the rank the recorder's own percentile takes, over all seals
        total = sum(pooled.values())
        if not total:
            return "-"
        rank, seen = round((total - 1) * p), 0
        for ms in sorted(pooled):
            seen += pooled[ms]
            if seen > rank:
                return "%d" % ms
    kept = (short == 0 and rec_fail == 0 and not missing and
            (kind != "recorder" or (verify_fail == 0 and lost == 0 and alarms == 0 and cover_min >= dur - 5)))
    return dict(
        n=n, group=label, round=meta.get("round", 1), **{"try": meta["try"]}, rooms=len(rooms),
        window_s="%.1f" % win,
        cpu_pct="%.1f" % (100 * cpu_win / win), cpu_pct_from_start="%.1f" % (100 * cpu_tot / since_start),
        cpu_s_window="%.2f" % cpu_win,
        rss_peak_mb="%.0f" % hwm, pss_mb="%.0f" % pss, threads=threads,
        disk_mb_s="%.2f" % (seg_bytes / dur / 1e6), write_mb_s="%.2f" % (wb / win / 1e6),
        seg_bytes=seg_bytes,
        cam_segs="%d-%d" % (min(cams), max(cams)) if cams else "0",
        mic_segs="%d-%d" % (min(mics), max(mics)) if mics else "0",
        short_streams=short,
        cover_min_s="%.1f" % cover_min if kind == "recorder" and cover_min != float("inf") else "-",
        gap_max_s="%.2f" % gap_max if kind == "recorder" else "-",
        lost=lost, alarms=alarms, verify_fail=verify_fail, proc_fail=rec_fail, err_lines=errors,
        seal_p50_ms="%.0f" % statistics.median(p50s) if p50s else "-",
        seal_p50_max_ms="%.0f" % max(p50s) if p50s else "-",
        seal_p99_ms="%.0f" % max(p99s) if p99s else "-",
        seal_p99_all_ms=pooled_pct(0.99), seal_p999_all_ms=pooled_pct(0.999),
        seals=sum(pooled.values()),
        kept_up="yes" if kept else "NO",
        server_cpu_pct="%.1f" % (100 * srv / win), machine_pct="%.1f" % (100 * machine_busy / win),
        other_pct="%.1f" % (100 * other / win), kthreads_pct="%.1f" % (100 * kthreads / win), irq_pct="%.1f" % (100 * irq / win),
        iowait_pct="%.1f" % (100 * iowait / win), steal_pct="%.1f" % (100 * steal / win),
        load_before=meta["load_before"], others=" ".join(sorted(others)) or "-")

rows = []
for kind in sorted(set(kinds), key=lambda k: k != "recorder"):
    rooms = [i + 1 for i, k in enumerate(kinds) if k == kind]
    rows.append(measure(kind, kind if group != "paired" else "paired-" + kind, rooms))
print("\t".join(rows[0]))
for row in rows:
    print("\t".join(str(v) for v in row.values()))
with open(os.path.join(gdir, "summary.txt"), "w") as f:
    for r in rows:
        f.write("   %sCPU %s %% of a core (from the start %s %%), peak RSS sum %s MB (PSS %s MB), %s threads, "
                "disk %s MB/s, segments per camera %s, per mic %s, kept up %s, seal p50 %s ms p99 %s ms, "
                "camera server %s %%, other work %s %%\n" % (
                    "%s (%d courtrooms): " % (r["group"], r["rooms"]) if group == "paired" else "",
                    r["cpu_pct"], r["cpu_pct_from_start"], r["rss_peak_mb"], r["pss_mb"], r["threads"],
                    r["disk_mb_s"], r["cam_segs"], r["mic_segs"], r["kept_up"], r["seal_p50_ms"],
                    r["seal_p99_ms"], r["server_cpu_pct"], r["other_pct"]))
with open(os.path.join(gdir, "other.txt"), "w") as f:
    f.write(rows[0]["other_pct"] + "\n")
EOF

# The summary table from the TSV.
cat >"$RUN/report.py" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
best = {}
for r in rows:  # the least disturbed try of each (n, group, round)
    k = (int(r["n"]), r["group"], int(r.get("round") or 1))
    if k not in best or float(r["other_pct"]) < float(best[k]["other_pct"]):
        best[k] = r
ns = sorted({k[0] for k in best})
rounds = sorted({k[2] for k in best})
def runs(n, grp):
    return [best[(n, grp, i)] for i in rounds if (n, grp, i) in best]
def values(n, grp, f):
    return [float(r[f]) for r in runs(n, grp) if r[f] not in ("-", "")]
def spread(n, grp, f, fmt="%.1f"):
    v = values(n, grp, f)
    if not v:
        return "-"
    m = fmt % statistics.median(v)
    return m if len(v) == 1 else "%s (%s–%s)" % (m, fmt % min(v), fmt % max(v))
def m0(n, grp, f, fmt="%.0f"):
    v = values(n, grp, f)
    return fmt % statistics.median(v) if v else "-"
def mx(n, grp, f):
    v = values(n, grp, f)
    return "%.0f" % max(v) if v else "-"
def ratios(n, other):
    # each round's recorder against the other group of the same round, where both kept up
    v = []
    for i in rounds:
        a, b = best.get((n, "recorder", i)), best.get((n, other, i))
        if a and b and a["kept_up"] == "yes" and b["kept_up"] == "yes" and float(b["cpu_pct"]) > 0:
            v.append(float(a["cpu_pct"]) / float(b["cpu_pct"]))
    if not v:
        return "-"
    m = "%.2f" % statistics.median(v)
    return m if len(v) == 1 else "%s (%.2f–%.2f)" % (m, min(v), max(v))
def kept(n, grp):
    rs = runs(n, grp)
    if not rs:
        return "-"
    k = sum(r["kept_up"] == "yes" for r in rs)
    return "yes" if k == len(rs) else ("NO" if k == 0 else "%d of %d" % (k, len(rs)))
print()
if len(rounds) > 1:
    print("%d rounds: each figure is the median over the rounds, the range in brackets; a ratio "
          "is the median of the rounds' own ratios (rounds in which both groups kept up); seal "
          "p99 is the largest of any courtroom in any round." % len(rounds))
    print()
print("| courtrooms | recorder CPU % | gst-bare CPU % | ratio | gst-matched CPU % | ratio | "
      "+ kernel threads: recorder / bare % | "
      "recorder RSS sum MB (PSS) | gst-bare RSS MB (PSS) | disk MB/s | "
      "seal p50 / p99 of all seals / worst courtroom's p99 ms | "
      "kept up (rec / bare / matched) | camera server CPU % | other: rec / bare / matched % |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
ok_n = 0
for n in ns:
    if not any(runs(n, g) for g in ("recorder", "gst-bare", "gst-matched")):
        continue
    def plus(grp):
        v = [float(r["cpu_pct"]) + float(r["kthreads_pct"]) for r in runs(n, grp)]
        return "%.1f" % statistics.median(v) if v else "-"
    print("| %d | %s | %s | %s | %s | %s | %s / %s | %s (%s) | %s (%s) | %s | %s / %s / %s | %s / %s / %s | %s | %s / %s / %s |" % (
        n, spread(n, "recorder", "cpu_pct"), spread(n, "gst-bare", "cpu_pct"), ratios(n, "gst-bare"),
        spread(n, "gst-matched", "cpu_pct"), ratios(n, "gst-matched"), plus("recorder"), plus("gst-bare"),
        m0(n, "recorder", "rss_peak_mb"), m0(n, "recorder", "pss_mb"),
        m0(n, "gst-bare", "rss_peak_mb"), m0(n, "gst-bare", "pss_mb"),
        spread(n, "recorder", "disk_mb_s", "%.2f"), m0(n, "recorder", "seal_p50_ms"),
        mx(n, "recorder", "seal_p99_all_ms"), mx(n, "recorder", "seal_p99_ms"),
        kept(n, "recorder"), kept(n, "gst-bare"), kept(n, "gst-matched"),
        spread(n, "recorder", "server_cpu_pct"), m0(n, "recorder", "other_pct", "%.1f"),
        m0(n, "gst-bare", "other_pct", "%.1f"), m0(n, "gst-matched", "other_pct", "%.1f")))
    rs = runs(n, "recorder")
    if rs and all(r["kept_up"] == "yes" and float(r["cpu_pct"]) < 200 and r["seal_p99_ms"] != "-"
                  and float(r["seal_p99_ms"]) < 500 for r in rs):
        ok_n = max(ok_n, n)
print()
print("largest N at which the recorder kept up in every round, with recorder CPU < 200 %% and "
      "seal p99 < 500 ms: %s" % (ok_n or "none"))
pn = [n for n in ns if runs(n, "paired-recorder")]
if pn:
    def per_room(n, grp):
        v = [float(r["cpu_pct"]) / int(r["rooms"]) for r in runs(n, grp)]
        if not v:
            return "-"
        m = "%.2f" % statistics.median(v)
        return m if len(v) == 1 else "%s (%.2f–%.2f)" % (m, min(v), max(v))
    def paired_ratio(n):
        v = []
        for i in rounds:
            a, b = best.get((n, "paired-recorder", i)), best.get((n, "paired-gst-bare", i))
            if a and b and a["kept_up"] == "yes" and b["kept_up"] == "yes" and float(b["cpu_pct"]) > 0:
                v.append((float(a["cpu_pct"]) / int(a["rooms"])) / (float(b["cpu_pct"]) / int(b["rooms"])))
        if not v:
            return "-"
        m = "%.3f" % statistics.median(v)
        return m if len(v) == 1 else "%s (%.3f–%.3f)" % (m, min(v), max(v))
    print()
    print("paired: N courtrooms at once, the odd ones recorded by verbatim record and the even ones "
          "by gst-launch (gst-bare); CPU per courtroom, and the ratio of the two per round.")
    print()
    print("| courtrooms (recorder + gst-bare) | recorder CPU % | per courtroom | gst-bare CPU % | "
          "per courtroom | ratio | seal p50 / p99 of all seals / worst courtroom's p99 ms | "
          "kept up (rec / bare) | machine % |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for n in pn:
        r0 = runs(n, "paired-recorder")[0]
        b0 = (runs(n, "paired-gst-bare") or [{"rooms": "0"}])[0]
        print("| %d (%s + %s) | %s | %s | %s | %s | %s | %s / %s / %s | %s / %s | %s |" % (
            n, r0["rooms"], b0["rooms"], spread(n, "paired-recorder", "cpu_pct"),
            per_room(n, "paired-recorder"), spread(n, "paired-gst-bare", "cpu_pct"),
            per_room(n, "paired-gst-bare"), paired_ratio(n), m0(n, "paired-recorder", "seal_p50_ms"),
            mx(n, "paired-recorder", "seal_p99_all_ms"), mx(n, "paired-recorder", "seal_p99_ms"), kept(n, "paired-recorder"),
            kept(n, "paired-gst-bare"), spread(n, "paired-recorder", "machine_pct")))
EOF

# ---------------------------------------------------------------- build, camera file -------

say "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r); $(gst-launch-1.0 --version | sed -n 2p)"
if [[ $BUILD == 1 ]]; then
    say "building verbatim (release) in $CARGO_TARGET_DIR"
    (cd "$ROOT" && cargo build --release -p verbatim 2>&1 | tail -n 2) | tee -a "$LOG" >&2
else
    say "not building (BUILD=0): using $BIN of $(date -r "$BIN" '+%F %T')"
fi
[[ -x $BIN ]] || die "no binary at $BIN"
say "code: $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"

H264=$RUN/cam-720p25.h264
gst-launch-1.0 -q videotestsrc num-buffers=250 pattern="$PATTERN" \
    ! video/x-raw,width=1280,height=720,framerate=25/1 \
    ! x264enc bitrate=4000 key-int-max=25 speed-preset=veryfast \
    ! video/x-h264,stream-format=byte-stream,profile=high \
    ! filesink location="$H264" >/dev/null
H264_BYTES=$(stat -c %s "$H264")
say "camera file: 250 frames (10 s) 1280x720 25 fps, keyframe every 25 frames, $H264_BYTES bytes = $(awk -v b="$H264_BYTES" 'BEGIN { printf "%.2f", b * 8 / 10 / 1e6 }') Mbit/s; looped by the server"

# ---------------------------------------------------------------- camera server ------------

MAXN=0
for n in $COURTROOMS; do
    if ((n > MAXN)); then MAXN=$n; fi
done
NCAM=$((4 * MAXN))
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_server() {
    if [[ $1 == verbatim ]]; then
        "$BIN" test-cameras --listen "127.0.0.1:$PORT" --cameras "$NCAM" --h264-file "$H264" \
            $( ((ONE_FEED == 1)) && echo --one-feed) >"$RUN/server.log" 2>&1 &
    else
        "$PY" "$RUN/cams.py" 127.0.0.1 "$PORT" "$NCAM" "$H264" >"$RUN/server.log" 2>&1 &
    fi
    SERVER_PID=$!
    local i
    for i in $(seq 50); do
        "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && return 0
        sleep 0.2
    done
    cat "$RUN/server.log" >&2
    die "the camera server did not listen on 127.0.0.1:$PORT"
}
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
# Distinct valid PTS among the first 60 frames a camera delivers after depayloading.
camera_pts() {
    timeout 20 gst-launch-1.0 -v rtspsrc location="rtsp://127.0.0.1:$PORT/cam1" protocols=tcp latency=200 \
        ! rtph264depay ! fakesink silent=false num-buffers=60 2>&1 |
        grep -o 'chain .*pts: [0-9:.]*' | grep -o 'pts: [0-9:.]*' | sort -u | wc -l || true
}

server_kind=$CAMERA_SERVER
if [[ $CAMERA_SERVER != python ]]; then
    start_server verbatim
    distinct=$(camera_pts)
    if ((distinct >= 50)); then
        server_kind=verbatim
    elif [[ $CAMERA_SERVER == verbatim ]]; then
        die "verbatim test-cameras: only $distinct distinct timestamps in 60 frames of cam1"
    else
        say "verbatim test-cameras --h264-file: only $distinct distinct PTS among the first 60 depayloaded frames of cam1 (h264parse gives the untimestamped Annex B frames a DTS only, rtph264pay then repeats one RTP timestamp); using the Python stand-in that sets PTS = DTS"
        stop_server
        server_kind=python
    fi
fi
if [[ $server_kind == python ]]; then
    start_server python
    distinct=$(camera_pts)
    ((distinct >= 50)) || die "the Python camera server's streams have only $distinct distinct timestamps"
fi
say "camera server: $server_kind$([[ $server_kind == verbatim && $ONE_FEED == 1 ]] && echo ' --one-feed'), pid $SERVER_PID, $NCAM cameras at rtsp://127.0.0.1:$PORT/cam1..cam$NCAM"

# ---------------------------------------------------------------- courtrooms ---------------

# shellcheck source=bench/courtroom.sh
source "$ROOT/bench/courtroom.sh"
HZ=$(getconf CLK_TCK)

machine_busy_pct() { # % of one core busy over $1 seconds (cpuidle's idle time; else /proc/stat)
    local a b files
    files=$(ls /sys/devices/system/cpu/cpu[0-9]*/cpuidle/state*/time 2>/dev/null || true)
    if [[ -n $files ]]; then
        # shellcheck disable=SC2086
        a=$(cat $files | awk '{ s += $1 } END { print s }')
        sleep "$1"
        # shellcheck disable=SC2086
        b=$(cat $files | awk '{ s += $1 } END { print s }')
        awk -v a="$a" -v b="$b" -v n="$(nproc)" -v s="$1" 'BEGIN { printf "%.0f", 100 * (n - (b - a) / 1e6 / s) }'
        return
    fi
    a=$(head -n 1 /proc/stat)
    sleep "$1"
    b=$(head -n 1 /proc/stat)
    awk -v a="$a" -v b="$b" -v hz="$HZ" -v s="$1" 'BEGIN {
        split(a, x); split(b, y); printf "%.0f", 100 * ((y[2]-x[2]) + (y[3]-x[3]) + (y[4]-x[4])) / hz / s }'
}

# Waits (up to QUIET_WAIT s) for the machine to be quiet; logs what runs.
wait_quiet() {
    local busy i
    for i in $(seq $((QUIET_WAIT / 3))); do
        busy=$(machine_busy_pct 3)
        if ((busy <= OTHER_LIMIT)); then break; fi
        if ((i % 10 == 1)); then
            note "  machine busy $busy % of a core before the group; waiting (up to $QUIET_WAIT s)"
            top -bn1 -w 160 | sed -n '7,10p' >>"$LOG"
        fi
    done
    note "  before: busy $busy % of a core; $(uptime)"
    top -bn1 -w 160 | sed -n '7,11p' >>"$LOG"
    LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
}

reap() { # waits for the PIDs in LIVE to exit (deadline $1 epoch s), then kills the rest
    local p st
    for p in "${LIVE[@]}"; do
        while [[ -e /proc/$p ]] && [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) != Z ]]; do
            if awk -v t="$1" -v n="$EPOCHREALTIME" 'BEGIN { exit !(n > t) }'; then
                note "  pid $p did not exit in time: killed"
                kill -KILL "$p" 2>/dev/null || true
                break
            fi
            sleep 0.2
        done
    done
    for p in "${LIVE[@]}"; do
        st=0
        wait "$p" || st=$?
        echo "$st" >"${RCFILE[$p]}"
    done
    LIVE=()
}

declare -A RCFILE
HEADER_DONE=0 # OUT is rewritten by every run

room_kind() { # $1 = group, $2 = room number: what records that room
    if [[ $1 != paired ]]; then
        echo "$1"
    elif (($2 % 2 == 1)); then
        echo recorder
    else
        echo gst-bare
    fi
}

run_group() { # $1 = kind, $2 = N, $3 = try, $4 = round
    local kind=$1 n=$2 try=$3 round=$4 gdir k d t_start pids=() gpids=() kinds=() args rk
    gdir=$RUN/n$n/$kind.r$round.$try
    mkdir -p "$gdir/rooms"
    # prepare everything before the clock starts
    for k in $(seq "$n"); do
        d=$gdir/rooms/$k
        rk=$(room_kind "$kind" "$k")
        kinds+=("\"$rk\"")
        if [[ $rk == recorder ]]; then
            "$BIN" init --data "$d" --court "bench-court-$k" >/dev/null 2>&1
            room_toml "$k" >>"$d/verbatim.toml"
        else
            mkdir -p "$d"
            gst_args "$rk" "$k" "$d" >"$d.args"
        fi
    done
    wait_quiet
    say "N=$n $kind (round $round of $ROUNDS, try $try): $n processes for $DURATION s"
    t_start=$(now)
    for k in $(seq "$n"); do
        d=$gdir/rooms/$k
        if [[ $(room_kind "$kind" "$k") == recorder ]]; then
            "$BIN" record --data "$d" --duration "$DURATION" --hearing bench --quiet --json >"$d.json" 2>"$d.err" &
        else
            mapfile -t args <"$d.args"
            gst-launch-1.0 -e "${args[@]}" >"$d.log" 2>&1 &
            gpids+=("$!")
        fi
        pids+=("$!")
        LIVE+=("$!")
        RCFILE[$!]=$d.rc
    done
    sleep_until "$(awk -v t="$t_start" -v w="$WARMUP" 'BEGIN { printf "%.6f", t + w }')"
    "$PY" "$RUN/snap.py" "$gdir/t0.json" "${pids[@]}" "$SERVER_PID"
    sleep_until "$(awk -v t="$t_start" -v d="$DURATION" 'BEGIN { printf "%.6f", t + d / 2 }')"
    {
        echo "  mid-run top (N=$n $kind):"
        top -bn1 -w 160 | sed -n '3p;7,14p'
    } >>"$LOG"
    sleep_until "$(awk -v t="$t_start" -v d="$DURATION" 'BEGIN { printf "%.6f", t + d - 1 }')"
    "$PY" "$RUN/snap.py" "$gdir/t1.json" "${pids[@]}" "$SERVER_PID"
    if ((${#gpids[@]})); then
        sleep_until "$(awk -v t="$t_start" -v d="$DURATION" 'BEGIN { printf "%.6f", t + d }')"
        for k in "${gpids[@]}"; do kill -INT "$k" 2>/dev/null || true; done
    fi
    reap "$(awk -v t="$t_start" -v d="$DURATION" 'BEGIN { printf "%.6f", t + d + 60 }')"
    note "  all $n exited $(awk -v t="$t_start" -v n="$EPOCHREALTIME" -v d="$DURATION" 'BEGIN { printf "%.1f", n - t - d }') s after DURATION"
    printf '{"kind": "%s", "n": %d, "round": %d, "try": %d, "duration": %d, "hz": %d, "t_start": %s, "pids": [%s], "kinds": [%s], "server_pid": %d, "load_before": "%s"}\n' \
        "$kind" "$n" "$round" "$try" "$DURATION" "$HZ" "$t_start" "$(
            IFS=,
            echo "${pids[*]}"
        )" "$(
            IFS=,
            echo "${kinds[*]}"
        )" "$SERVER_PID" "$LOAD_BEFORE" >"$gdir/meta.json"
    if [[ $kind == recorder || $kind == paired ]]; then
        for k in $(seq "$n"); do
            [[ $(room_kind "$kind" "$k") == recorder ]] || continue
            d=$gdir/rooms/$k
            local vrc=0
            "$BIN" verify "$d" >"$d.verify" 2>&1 || vrc=$?
            echo "$vrc" >"$d.verify.rc"
            "$BIN" entries --data "$d" >"$d.entries"
        done
    fi
    "$PY" "$RUN/analyze.py" "$gdir" >"$gdir/row.tsv"
    if [[ $kind == recorder || $kind == paired ]]; then # what the alarms said, for the log
        grep -h ALARM "$gdir"/rooms/*.err 2>/dev/null | sed 's/[0-9][0-9.]*/#/g' | sort | uniq -c |
            sort -rn | head -n 5 | sed 's/^/  alarm: /' >>"$LOG" || true
    fi
    # The media goes as soon as the group is measured (a group at N=20 writes 2.5 GB; kept
    # for a whole N, three rounds filled the disk until the recorder's disk-low alarm rang).
    # What the analysis read stays: the --json status, .err, .log, .entries, .verify files.
    if [[ $KEEP != 1 ]]; then rm -rf "$gdir"/rooms/*/; fi
    if [[ $HEADER_DONE == 0 ]]; then
        head -n 1 "$gdir/row.tsv" >"$OUT"
        HEADER_DONE=1
    fi
    tail -n +2 "$gdir/row.tsv" >>"$OUT"
    note "  result: $(tail -n +2 "$gdir/row.tsv")"
    tee -a "$LOG" <"$gdir/summary.txt" >&2
    LAST_OTHER=$(cat "$gdir/other.txt")
}

read -r -a GROUP_LIST <<<"$BENCH_GROUPS"
NGROUPS=${#GROUP_LIST[@]}
for n in $COURTROOMS; do
    for round in $(seq "$ROUNDS"); do
        for g in $(seq 0 $((NGROUPS - 1))); do
            kind=${GROUP_LIST[$(((g + round - 1) % NGROUPS))]}
            for try in $(seq "$MAX_TRIES"); do
                # A fresh camera server for every group: a group that saturated the machine
                # left the server behind with backlogs, and the next group's cameras then
                # failed to connect (seen at N=20: 5 and 10 of 20 gst-launch processes ran).
                stop_server
                start_server "$server_kind"
                run_group "$kind" "$n" "$try" "$round"
                if awk -v o="$LAST_OTHER" -v l="$OTHER_LIMIT" 'BEGIN { exit !(o > l) }'; then
                    say "N=$n $kind: other work used $LAST_OTHER % of a core during the run$( ((try < MAX_TRIES)) && echo '; running it again')"
                    continue
                fi
                break
            done
        done
    done
    [[ $KEEP == 1 ]] || rm -rf "$RUN/n$n"
done

stop_server
"$PY" "$RUN/report.py" "$OUT" | tee -a "$LOG"
say "per-group lines: $OUT; log: $LOG"
