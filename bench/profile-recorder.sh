#!/usr/bin/env bash
# Where the CPU goes: N courtrooms recorded by `verbatim record` (KIND=recorder), by the
# benchmark's bare gst-launch pipelines (KIND=gst-bare), or N of each at the same time
# (KIND=paired: both see the same machine, whose speed drifts by up to a fifth within
# minutes, so that their difference per thread is what each does), with CPU per thread name from
# /proc/PID/task/*/schedstat (the user/sys split from .../stat) and, with PERF=1, a
# system-wide `perf record -g` of the window.
# A companion to bench/record-courtrooms.sh (which gives the figures in docs/BENCHMARKS.md):
# this one is for finding out why they are what they are.
#
#   KIND=recorder N=10 bench/profile-recorder.sh
#   KIND=gst-bare N=10 PERF=1 bench/profile-recorder.sh
#   KIND=paired N=10 bench/profile-recorder.sh       # 10 recorder + 10 gst-bare courtrooms
#   perf report -i $DIR/perf.data --no-children -g none --sort comm   # then by dso,sym
#
# Environment: KIND (recorder | gst-bare | paired), N (courtrooms, default 10), WARMUP (s, 10),
# WINDOW (s, 20), PERF (0 | 1), ONE_FEED (0 | 1: the camera server's --one-feed), DIR (work directory, default /var/tmp/verbatim-profile),
# BIN (default $CARGO_TARGET_DIR/release/verbatim, built with `cargo build --release -p verbatim`).
set -euo pipefail
KIND=${KIND:-recorder}
N=${N:-10}
WARMUP=${WARMUP:-10}
WINDOW=${WINDOW:-20}
PERF=${PERF:-0}
ONE_FEED=${ONE_FEED:-0}
DIR=${DIR:-/var/tmp/verbatim-profile}
BIN=${BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/verbatim-target}/release/verbatim}
die() { echo "profile-recorder: $*" >&2; exit 1; }
[[ $KIND == recorder || $KIND == gst-bare || $KIND == paired ]] || die "KIND must be recorder, gst-bare or paired"
[[ $N =~ ^[0-9]+$ && $N -ge 1 ]] || die "N must be a count"
[[ -x $BIN ]] || die "no verbatim binary at $BIN (cargo build --release -p verbatim)"
case $DIR in / | /var | /var/tmp | /tmp | "$HOME" | "") die "DIR=$DIR: give a directory of its own" ;; esac
((PERF == 0)) || command -v perf >/dev/null || die "PERF=1 needs perf"

W=$DIR/$KIND
rm -rf "$W"
mkdir -p "$W"
H264=$DIR/cam.h264
[[ -f $H264 ]] || gst-launch-1.0 -q videotestsrc num-buffers=250 pattern=snow \
    ! video/x-raw,width=1280,height=720,framerate=25/1 \
    ! x264enc bitrate=4000 key-int-max=25 speed-preset=veryfast \
    ! video/x-h264,stream-format=byte-stream,profile=high ! filesink location="$H264"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ROOMS=$N
[[ $KIND != paired ]] || ROOMS=$((2 * N))
"$BIN" test-cameras --listen "127.0.0.1:$PORT" --cameras $((4 * ROOMS)) --h264-file "$H264" \
    $( ((ONE_FEED == 1)) && echo --one-feed) >"$W/server.log" 2>&1 &
SERVER=$!
pids=()
cleanup() {
    local p
    for p in "${pids[@]}" "$SERVER"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
sleep 2

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/courtroom.sh
source "$ROOT/bench/courtroom.sh" # room_toml, gst_args: the same courtrooms as the benchmark
DURATION=$((WARMUP + WINDOW + 10))
# Everything is prepared first and the processes then start together (with KIND=paired, a
# recorder and a gst-launch in turn), so that every one of them lasts the whole window.
kinds=()
for k in $(seq "$ROOMS"); do
    d=$W/r$k
    if [[ $KIND == recorder ]] || [[ $KIND == paired && $((k % 2)) == 1 ]]; then
        "$BIN" init --data "$d" --court "c$k" >/dev/null 2>&1 || die "verbatim init failed in $d"
        room_toml "$k" >>"$d/verbatim.toml"
        kinds+=(recorder)
    else
        mkdir -p "$d"
        gst_args gst-bare "$k" "$d" >"$d.args"
        kinds+=(gst-bare)
    fi
done
rpids=() gpids=()
for k in $(seq "$ROOMS"); do
    d=$W/r$k
    if [[ ${kinds[k - 1]} == recorder ]]; then
        "$BIN" record --data "$d" --duration "$DURATION" --hearing profile --quiet --json >"$d.json" 2>"$d.err" &
        rpids+=("$!")
    else
        mapfile -t args <"$d.args"
        gst-launch-1.0 -e "${args[@]}" >"$d.log" 2>&1 &
        gpids+=("$!")
    fi
    pids+=("$!")
done
sleep "$WARMUP"
(
    if ((PERF == 1)); then
        perf record -q -a -g -F 199 -o "$W/perf.data" -- sleep "$WINDOW" 2>/dev/null
    fi
) &
PERF_JOB=$!
python3 - "$WINDOW" "$SERVER" "${rpids[@]/#/recorder:}" "${gpids[@]/#/gst-bare:}" <<'PY'
import collections, os, re, sys, time
window, server = float(sys.argv[1]), sys.argv[2]
kind = dict(reversed(a.split(":")) for a in sys.argv[3:])
pids = list(kind)
kinds = sorted(set(kind.values()), reverse=True)
def cpu(p):
    f = open(f"/proc/{p}/stat").read()
    return sum(int(x) for x in f[f.rindex(")") + 2:].split()[11:13])
def snap():
    out, total = {}, collections.Counter()
    for p in pids:
        try:
            total[kind[p]] += cpu(p)
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                s = open(f"/proc/{p}/task/{t}/stat").read()
                ns = int(open(f"/proc/{p}/task/{t}/schedstat").read().split()[0])
            except OSError:
                continue
            name = re.sub(r"[0-9]+", "", s[s.index("(") + 1:s.rindex(")")])
            f = s[s.rindex(")") + 2:].split()
            out[(p, t)] = ((kind[p], name), int(f[11]), int(f[12]), ns)
    return out, total
hz = os.sysconf("SC_CLK_TCK")
(a, ta), sa, t0 = snap(), cpu(server), time.time()
time.sleep(window)
(b, tb), sb, t1 = snap(), cpu(server), time.time()
d = (t1 - t0) * hz / 100
user, system, threads = collections.Counter(), collections.Counter(), collections.Counter()
run = collections.Counter()
for k, (name, u, s, ns) in b.items():
    threads[name] += 1
    if k in a:
        user[name] += u - a[k][1]
        system[name] += s - a[k][2]
        run[name] += ns - a[k][3]
# cpu %: run time from schedstat (nanoseconds). The user/sys split is from stat, in clock
# ticks per thread, which undercount threads that run in short bursts: summed over a
# recorder's threads they came to about 4 % less than the process's own figure, which
# schedstat matches.
ns_d = (t1 - t0) * 1e9 / 100
names = sorted({n for _, n in run}, key=lambda n: -sum(run[(k, n)] for k in kinds))
print(f"{'thread name':26s}" + "".join(f" | {k:>8s}: {'threads':>7s} {'cpu %':>7s} {'user %':>7s} {'sys %':>7s}" for k in kinds))
def row(label, cells):
    print(f"{label:26s}" + "".join(f" | {'':9s} {c[0]:7d} {c[1]:7.1f} {c[2]:7.1f} {c[3]:7.1f}" for c in cells))
for n in names:
    if any(run[(k, n)] >= ns_d * 0.05 for k in kinds):
        row(n, [(threads[(k, n)], run[(k, n)] / ns_d, user[(k, n)] / d, system[(k, n)] / d) for k in kinds])
def total(k, c):
    return sum(v for (kk, _), v in c.items() if kk == k)
row("all threads alive", [(total(k, threads), total(k, run) / ns_d, total(k, user) / d, total(k, system) / d) for k in kinds])
for k in kinds:
    print(f"{k} processes (utime+stime, exited threads included): {(tb[k] - ta[k]) / d:.1f} % of a core")
print(f"camera server: {(sb - sa) / d:.1f} % of a core")
PY
wait "$PERF_JOB" 2>/dev/null || true
stuck=0
if ((${#gpids[@]})); then
    # gst-launch -e finishes its segments on SIGINT; one that has not within 10 s (seen
    # once: a process that never got its EOS through) is killed, and counted.
    for p in "${gpids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for _ in $(seq 100); do
        alive=0
        for p in "${gpids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
        ((alive == 0)) && break
        sleep 0.1
    done
    for p in "${gpids[@]}"; do
        kill -0 "$p" 2>/dev/null && { stuck=$((stuck + 1)); kill -KILL "$p" 2>/dev/null || true; }
    done
fi
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
if ((${#rpids[@]})); then
    echo "seal latency and segments per stream (first courtroom): $(tail -n 1 "$W/r1.err")"
    grep -h ALARM "$W"/r*.err 2>/dev/null | sed 's/[0-9]//g' | sort | uniq -c | sort -rn | head -5 || true
fi
if ((${#gpids[@]})); then
    echo "gst-launch processes that failed: $(grep -l '^ERROR' "$W"/r*.log 2>/dev/null | wc -l) of ${#gpids[@]}; killed after not stopping in 10 s: $stuck"
fi
((PERF == 0)) || echo "perf data: $W/perf.data"
