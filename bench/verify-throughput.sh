#!/usr/bin/env bash
# Throughput of `verbatim verify` against sha256sum and OpenSSL on the same files.
#
# Fills a court data directory with about GIB GiB of 2 MB sealed segment files (a simulated
# hearing: 4 cameras and 6 microphones, 10 files per 2-second step), measures the disk's
# cold read speed with dd (one and two readers, if the page cache can be dropped) and a cold
# `verbatim verify`, then, with the files in the page cache, times, in REPEAT rounds:
#
#   verbatim verify DIR                  (all cores)
#   verbatim verify DIR --threads 1
#   sha256sum over every segment file    (one process)
#   sha256sum, two processes             (xargs -P2)
#   openssl dgst -sha256, one process    (one core)
#   openssl dgst -sha256, two processes  (xargs -P2)
#
# and prints the fastest seconds and GB/s (10^9 bytes per second) of each, and the ratio of
# verify's rate to twice the one-core OpenSSL rate (goal: >= 0.8; where the disk is slower
# than that, cold verify against the disk's read speed).
#
# Environment:
#   GIB=10                     data to generate, GiB
#   BENCH_DIR=/var/tmp/verbatim-bench   where (must not exist, or be empty); removed at the end
#   KEEP=1                     keep BENCH_DIR
#   REUSE=1                    reuse a data directory a KEEP=1 run left in BENCH_DIR
#   REPEAT=3                   rounds of the warm measurements; the fastest of each is reported
#   COLD_GIB=0                 GiB read with dd for the cold read speed (0: all the files)
#   COLD_REPEAT=2              rounds of the cold measurements (dd, dd -P2, verify)
#   CARGO_TARGET_DIR           default $HOME/.cache/verbatim-target
#   OUT=file                   also write the results table (tab-separated) to file
set -euo pipefail

GIB=${GIB:-10}
BENCH_DIR=${BENCH_DIR:-/var/tmp/verbatim-bench}
KEEP=${KEEP:-0}
REUSE=${REUSE:-0}
REPEAT=${REPEAT:-3}
COLD_GIB=${COLD_GIB:-0}
COLD_REPEAT=${COLD_REPEAT:-2}
OUT=${OUT:-}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/verbatim-target}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEGMENT_BYTES=2000000
STEP_BYTES=$((10 * SEGMENT_BYTES)) # 4 cameras + 6 microphones per 2-second step

die() {
    echo "verify-throughput: $*" >&2
    exit 1
}
say() { echo "== $*" >&2; }

[[ $GIB =~ ^[0-9]+$ && $GIB -ge 1 ]] || die "GIB must be a whole number of GiB, at least 1 (got $GIB)"
[[ $REPEAT =~ ^[0-9]+$ && $REPEAT -ge 1 ]] || die "REPEAT must be at least 1"
[[ $COLD_GIB =~ ^[0-9]+$ ]] || die "COLD_GIB must be a whole number of GiB (0: all the files)"
[[ $COLD_REPEAT =~ ^[0-9]+$ && $COLD_REPEAT -ge 1 ]] || die "COLD_REPEAT must be at least 1"
case $BENCH_DIR in
/ | /var | /var/tmp | /tmp | "$HOME" | "") die "BENCH_DIR=$BENCH_DIR: give a directory of its own" ;;
esac
for tool in cargo sha256sum openssl dd find xargs df awk; do
    command -v "$tool" >/dev/null || die "needs $tool"
done

DATA=$BENCH_DIR/data
STEPS=$(((GIB * 1024 * 1024 * 1024 + STEP_BYTES - 1) / STEP_BYTES))
SECONDS_OF_MEDIA=$((STEPS * 2))
NEED=$((STEPS * STEP_BYTES + 1024 * 1024 * 1024)) # the files, plus 1 GiB for the log and slack

reuse=0
if [[ $REUSE == 1 && -f $DATA/verbatim.toml ]]; then
    reuse=1
elif [[ -e $BENCH_DIR && -n $(ls -A "$BENCH_DIR" 2>/dev/null) ]]; then
    die "$BENCH_DIR exists and is not empty; remove it, set BENCH_DIR elsewhere, or set REUSE=1 to reuse a kept data directory"
fi

if [[ $reuse == 0 ]]; then
    probe=$BENCH_DIR
    while [[ ! -d $probe ]]; do probe=$(dirname "$probe"); done
    avail=$(df -B1 --output=avail "$probe" | tail -n 1 | tr -d ' ')
    if ((avail < NEED)); then
        die "not enough free disk at $probe: need $((NEED / 1024 / 1024)) MiB for GIB=$GIB, have $((avail / 1024 / 1024)) MiB (set GIB lower or BENCH_DIR elsewhere)"
    fi
fi

created_bench_dir=0
[[ -e $BENCH_DIR ]] || created_bench_dir=1
mkdir -p "$BENCH_DIR"
cleanup() {
    if [[ $KEEP == 1 ]]; then
        echo "verify-throughput: kept $BENCH_DIR" >&2
    elif [[ $created_bench_dir == 1 ]]; then
        rm -rf -- "$BENCH_DIR"
    else
        rm -rf -- "$DATA" "$BENCH_DIR/logs"
    fi
}
trap cleanup EXIT
LOGS=$BENCH_DIR/logs
mkdir -p "$LOGS"

say "building verbatim (release) in $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release -p verbatim >&2)
BIN=$CARGO_TARGET_DIR/release/verbatim
[[ -x $BIN ]] || die "no $BIN after the build"

# Wall-clock seconds of a command, to the microsecond; its output goes to $LOGS.
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

simulate_s=""
if [[ $reuse == 0 ]]; then
    say "creating $DATA: $STEPS steps of 10 x 2 MB files ($SECONDS_OF_MEDIA s of media, ~$((STEPS * STEP_BYTES / 1000000)) MB)"
    "$BIN" init --data "$DATA" >"$LOGS/vkey" 2>"$LOGS/init.err"
    t0=$(now)
    "$BIN" simulate --data "$DATA" --seconds "$SECONDS_OF_MEDIA" --segment-seconds 2 \
        --segment-bytes "$SEGMENT_BYTES" --mic-bytes "$SEGMENT_BYTES" >"$LOGS/simulate.out"
    t1=$(now)
    simulate_s=$(elapsed "$t0" "$t1")
    cat "$LOGS/simulate.out" >&2
else
    say "reusing $DATA"
fi

cd "$DATA"
# Every sealed file, relative to the data directory, in a stable order.
find hearings -type f -print0 | sort -z >"$LOGS/files0"
FILES=$(tr -cd '\0' <"$LOGS/files0" | wc -c)
BYTES=$(xargs -0 -s 2000000 stat -c %s <"$LOGS/files0" | awk '{ s += $1 } END { printf "%.0f", s }')
((FILES > 0)) || die "no segment files under $DATA/hearings"
# One argument list for all files if it fits (it does for tens of GiB with these names).
XARGS_S=2000000
INVOCATIONS=$(xargs -0 -s $XARGS_S echo <"$LOGS/files0" | wc -l)
HALF=$(((FILES + 1) / 2))
say "$FILES files, $BYTES bytes; sha256sum/openssl run as $INVOCATIONS process(es) one after another"

gbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN { if (s > 0) printf "%.3f", b / s / 1e9; else print "-" }'; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# --- Cold-ish: drop the page cache if this kernel lets us. ---
disk1_gbps=""
disk2_gbps=""
disk_gbps=""
cold_verify_s=""
cold_bytes=""
COLD_ALL=()
drop_caches() { sync && echo 3 2>/dev/null >/proc/sys/vm/drop_caches; }
faster() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }
# cold_read P: reads the first cold_files files with P readers into dd; prints seconds.
cold_read() {
    local p=$1 t0 t1
    drop_caches
    t0=$(now)
    head -z -n "$cold_files" "$LOGS/files0" |
        xargs -0 -s $XARGS_S -n $(((cold_files + p - 1) / p)) -P "$p" cat |
        dd of=/dev/null bs=4M iflag=fullblock status=none
    t1=$(now)
    elapsed "$t0" "$t1"
}
if drop_caches; then
    if ((COLD_GIB == 0)); then
        cold_files=$FILES
    else
        cold_files=$(awk -v g="$COLD_GIB" -v b="$BYTES" -v n="$FILES" \
            'BEGIN { k = int(g * 1073741824 / (b / n)); if (k > n) k = n; if (k < 1) k = 1; print k }')
    fi
    cold_bytes=$(head -z -n "$cold_files" "$LOGS/files0" | xargs -0 -s $XARGS_S stat -c %s |
        awk '{ s += $1 } END { printf "%.0f", s }')
    say "cold reads of $cold_files files ($cold_bytes bytes), each after dropping the page cache, $COLD_REPEAT round(s)"
    d1="" d2="" cv=""
    for ((r = 1; r <= COLD_REPEAT; r++)); do
        s=$(cold_read 1)
        say "round $r: cold dd, 1 reader: $s s (load $(load))"
        d1=$(faster "$s" "$d1")
        COLD_ALL[0]="${COLD_ALL[0]:-}${COLD_ALL[0]:+ }$s"
        s=$(cold_read 2)
        say "round $r: cold dd, 2 readers: $s s (load $(load))"
        d2=$(faster "$s" "$d2")
        COLD_ALL[1]="${COLD_ALL[1]:-}${COLD_ALL[1]:+ }$s"
        drop_caches
        t0=$(now)
        "$BIN" verify "$DATA" >"$LOGS/verify-cold.out" 2>&1 || {
            cat "$LOGS/verify-cold.out" >&2
            die "verbatim verify failed"
        }
        t1=$(now)
        s=$(elapsed "$t0" "$t1")
        say "round $r: cold verbatim verify (all cores): $s s (load $(load))"
        cv=$(faster "$s" "$cv")
        COLD_ALL[2]="${COLD_ALL[2]:-}${COLD_ALL[2]:+ }$s"
    done
    cold_gbps() { awk -v b="$cold_bytes" -v s="$1" 'BEGIN { printf "%.3f", b / s / 1e9 }'; }
    disk1_gbps=$(cold_gbps "$d1")
    disk2_gbps=$(cold_gbps "$d2")
    disk_gbps=$(awk -v a="$disk1_gbps" -v b="$disk2_gbps" 'BEGIN { print (a > b ? a : b) }')
    cold_verify_s=$cv
else
    say "cannot drop the page cache: the disk's read speed is not measured"
fi

# --- Warm: the same files, from the page cache. ---
mem_avail=$(awk '/^MemAvailable:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
warm_note=""
if ((BYTES > mem_avail / 10 * 9)); then
    warm_note="warning: $BYTES bytes of files but $mem_avail bytes of available memory; the warm runs read partly from disk"
    say "$warm_note"
fi
say "warm-up: reading all files twice"
xargs -0 -s $XARGS_S cat <"$LOGS/files0" >/dev/null
xargs -0 -s $XARGS_S cat <"$LOGS/files0" >/dev/null

sha_1() { xargs -0 -s $XARGS_S sha256sum <"$LOGS/files0"; }
sha_2() { xargs -0 -s $XARGS_S -n "$HALF" -P 2 sha256sum <"$LOGS/files0"; }
ossl_1() { xargs -0 -s $XARGS_S openssl dgst -sha256 <"$LOGS/files0"; }
ossl_2() { xargs -0 -s $XARGS_S -n "$HALF" -P 2 openssl dgst -sha256 <"$LOGS/files0"; }
verify_all() { "$BIN" verify "$DATA"; }
verify_1() { "$BIN" verify "$DATA" --threads 1; }
NAMES=(
    "verbatim verify (all cores)"
    "verbatim verify --threads 1"
    "sha256sum, 1 process"
    "sha256sum, 2 processes (xargs -P2)"
    "openssl dgst -sha256, 1 process"
    "openssl dgst -sha256, 2 processes"
)
CMDS=(verify_all verify_1 sha_1 sha_2 ossl_1 ossl_2)
declare -a SECS ALL
# Rounds over all tools in turn, so that a passing load spoils one run of each at most; the
# fastest run of each is reported.
load_before=$(load)
for ((r = 1; r <= REPEAT; r++)); do
    for i in "${!CMDS[@]}"; do
        t0=$(now)
        "${CMDS[$i]}" >"$LOGS/run.out" 2>&1 || {
            cat "$LOGS/run.out" >&2
            die "${NAMES[$i]} failed"
        }
        t1=$(now)
        s=$(elapsed "$t0" "$t1")
        say "round $r: ${NAMES[$i]}: $s s (load $(load))"
        ALL[i]="${ALL[i]:-}${ALL[i]:+ }$s"
        if [[ -z ${SECS[i]:-} ]] || awk -v a="$s" -v b="${SECS[i]}" 'BEGIN { exit !(a < b) }'; then
            SECS[i]=$s
        fi
    done
done
load_after=$(load)

# In-memory hashing speed, no files: what one core can do at best.
speed_gbps=$(openssl speed -seconds 3 -bytes 1048576 -evp sha256 2>/dev/null |
    awk '/^sha256/ { v = $NF; sub(/k$/, "", v); printf "%.3f", v * 1000 / 1e9 }')

verify_s=${SECS[0]}
verify1_s=${SECS[1]}
ossl1_s=${SECS[4]}
ossl2_s=${SECS[5]}
verify_gbps=$(gbps "$verify_s")
ossl1_gbps=$(gbps "$ossl1_s")

echo
echo "verify-throughput: $FILES files of $SEGMENT_BYTES bytes, $BYTES bytes in all, in $DATA"
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory"
if [[ -n $simulate_s ]]; then
    echo "generating and sealing them (verbatim simulate): $simulate_s s, $(gbps "$simulate_s") GB/s"
fi
if [[ -n $disk_gbps ]]; then
    echo "cold page cache (dropped before each run; a VM host may still cache), fastest of $COLD_REPEAT:"
    printf '%-36s %9s %8s   %s\n' "reader" "seconds" "GB/s" "all runs, s"
    printf '%-36s %9s %8s   %s\n' "dd, 1 reader ($cold_files files)" "$d1" "$disk1_gbps" "${COLD_ALL[0]}"
    printf '%-36s %9s %8s   %s\n' "dd, 2 readers ($cold_files files)" "$d2" "$disk2_gbps" "${COLD_ALL[1]}"
    printf '%-36s %9s %8s   %s\n' "verbatim verify (all cores)" "$cold_verify_s" "$(gbps "$cold_verify_s")" "${COLD_ALL[2]}"
else
    echo "disk read speed not measured: cannot write /proc/sys/vm/drop_caches (not root, or /proc/sys read-only)"
fi
if [[ -n $warm_note ]]; then echo "$warm_note"; fi
if [[ -n $speed_gbps ]]; then
    echo "openssl speed -evp sha256, 1 MiB buffers in memory, one core: $speed_gbps GB/s"
fi
echo "load average before the warm runs: $load_before; after: $load_after"
echo
echo "warm page cache, fastest of $REPEAT run(s) each (10^9 bytes per GB):"
printf '%-36s %9s %8s   %s\n' "tool" "seconds" "GB/s" "all runs, s"
if [[ -n $OUT ]]; then printf 'tool\tseconds\tGB/s\tall runs\n' >"$OUT"; fi
for i in "${!NAMES[@]}"; do
    printf '%-36s %9s %8s   %s\n' "${NAMES[$i]}" "${SECS[$i]}" "$(gbps "${SECS[$i]}")" "${ALL[$i]}"
    if [[ -n $OUT ]]; then
        printf '%s\t%s\t%s\t%s\n' "${NAMES[$i]}" "${SECS[$i]}" "$(gbps "${SECS[$i]}")" "${ALL[$i]}" >>"$OUT"
    fi
done
echo
echo "verify (all cores) / (2 x one-core openssl dgst):  $(ratio "$verify_gbps" "$(awk -v o="$ossl1_gbps" 'BEGIN { print 2 * o }')")   (goal >= 0.80)"
echo "verify (all cores) / openssl dgst, 2 processes:   $(ratio "$ossl2_s" "$verify_s")"
echo "verify --threads 1 / openssl dgst, 1 process:     $(ratio "$ossl1_s" "$verify1_s")"
if [[ -n $speed_gbps ]]; then
    echo "verify (all cores) / (2 x openssl speed):         $(ratio "$verify_gbps" "$(awk -v o="$speed_gbps" 'BEGIN { print 2 * o }')")   (in-memory bound, no file reading)"
fi
awk -v v="$verify_gbps" -v o="$ossl1_gbps" -v d="$disk_gbps" -v c="${cold_verify_s:-}" -v b="$BYTES" '
BEGIN {
    warm = v >= 0.8 * 2 * o
    printf "goal, warm: verify %.3f GB/s >= 0.8 x 2 x %.3f = %.3f GB/s: %s\n", v, o, 1.6 * o, \
        (warm ? "MET" : sprintf("MISSED by %.0f%%", 100 * (1 - v / (1.6 * o))))
    if (d != "" && c != "") {
        cv = b / c / 1e9
        if (d < 2 * o) {
            cold = cv >= 0.8 * d
            printf "the disk (%.3f GB/s) is slower than 2 x one-core openssl: goal, cold: verify %.3f GB/s >= 0.8 x %.3f = %.3f GB/s: %s\n", \
                d, cv, d, 0.8 * d, (cold ? "MET" : sprintf("MISSED by %.0f%%", 100 * (1 - cv / (0.8 * d))))
        } else {
            printf "the disk (%.3f GB/s) is faster than 2 x one-core openssl; cold verify: %.3f GB/s\n", d, cv
        }
    }
}'
