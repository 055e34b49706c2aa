#!/usr/bin/env bash
# Export and verify throughput of evidence bundles, side by side with `tar` and
# `openssl dgst -sha256` on the same bytes in the same run.
#
# Fills a court data directory with about GIB GiB of sealed segment files (a simulated
# hearing: 4 cameras and 6 microphones, 2 MB per file, 10 files per 2-second step), then, with
# the files in the page cache, times in REPEAT rounds (alternating, fastest reported):
#
#   verbatim export --out B.tar          the whole hearing as one archive
#   tar -cf T.tar <the same segment files>   what a clerk would otherwise do
#   verbatim export --out B/             the whole hearing as a directory
#   cp -r <the hearing's directory> C/   the plain copy
#   verbatim verify B.tar                read in place: signature, range proof, every file hashed
#   verbatim verify B/
#   openssl dgst -sha256 <the same files in B/>   one process (one core)
#
# Goals (issue 6): export within 1.2x of tar writing the same files; verify as in the log
# issue (at least 0.8 x the rate of two one-core OpenSSL processes).
#
# Environment: GIB=2, BENCH_DIR=/var/tmp/verbatim-bundle-bench (removed at the end unless
# KEEP=1), REPEAT=3, CARGO_TARGET_DIR (default $HOME/.cache/verbatim-target).
set -euo pipefail
GIB=${GIB:-2}
BENCH_DIR=${BENCH_DIR:-/var/tmp/verbatim-bundle-bench}
REPEAT=${REPEAT:-3}
KEEP=${KEEP:-0}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/verbatim-target}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEG=2000000

for tool in cargo tar openssl cp awk; do
  command -v "$tool" >/dev/null || { echo "bundle-throughput: $tool is missing" >&2; exit 1; }
done
if [ -e "$BENCH_DIR" ] && [ -n "$(ls -A "$BENCH_DIR" 2>/dev/null)" ]; then
  echo "bundle-throughput: $BENCH_DIR exists and is not empty" >&2; exit 1
fi
mkdir -p "$BENCH_DIR"
[ "$KEEP" = 1 ] || trap 'rm -rf "$BENCH_DIR"' EXIT

(cd "$ROOT" && cargo build --release -q -p verbatim >&2)
BIN="$CARGO_TARGET_DIR/release/verbatim"
DATA="$BENCH_DIR/court"
"$BIN" init --data "$DATA" --court bench --admin-password "bench password 1" >/dev/null 2>&1
steps=$(( GIB * 1073741824 / (10 * SEG) ))
"$BIN" simulate --data "$DATA" --seconds $(( steps * 2 )) --segment-bytes $SEG --mic-bytes $SEG >&2
H=$("$BIN" hearings --data "$DATA" --json | head -1 | sed 's/.*"hearing":"\([^"]*\)".*/\1/')
BYTES=$(du -sb "$DATA/hearings/$H" | awk '{print $1}')
FILES=$(find "$DATA/hearings/$H" -type f | wc -l)
# Warm the page cache.
cat $(find "$DATA/hearings/$H" -type f) > /dev/null

now() { date +%s.%N; }
declare -A best
run() { # name command...
  local name=$1; shift
  local t0 t1 s
  t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  if [ -z "${best[$name]:-}" ] || awk -v s="$s" -v b="${best[$name]}" 'BEGIN { exit !(s < b) }'; then
    best[$name]=$s
  fi
}
cd "$DATA"
LIST="$BENCH_DIR/files.txt"
find "hearings/$H" -type f | sort > "$LIST"
for r in $(seq "$REPEAT"); do
  rm -rf "$BENCH_DIR/b.tar" "$BENCH_DIR/t.tar" "$BENCH_DIR/b" "$BENCH_DIR/c"
  run export_tar "$BIN" export --data "$DATA" --hearing "$H" --out "$BENCH_DIR/b.tar"
  run tar tar -cf "$BENCH_DIR/t.tar" -T "$LIST"
  run export_dir "$BIN" export --data "$DATA" --hearing "$H" --out "$BENCH_DIR/b"
  run cp cp -r "hearings/$H" "$BENCH_DIR/c"
  run verify_tar "$BIN" verify "$BENCH_DIR/b.tar"
  run verify_dir "$BIN" verify "$BENCH_DIR/b"
  run openssl sh -c "cd '$BENCH_DIR/b' && find hearings -type f -print0 | xargs -0 openssl dgst -sha256"
done
"$BIN" verify "$BENCH_DIR/b.tar" >/dev/null   # and it verifies
gb() { awk -v b="$BYTES" -v s="$1" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "data: $FILES segment files, $BYTES bytes (one hearing, $((steps * 2)) s); best of $REPEAT, warm page cache"
printf "| what | seconds | GB/s |\n|---|---:|---:|\n"
for k in export_tar tar export_dir cp verify_tar verify_dir openssl; do
  printf "| %s | %s | %s |\n" "$k" "${best[$k]}" "$(gb "${best[$k]}")"
done
echo "export (tar) / tar: $(ratio "${best[export_tar]}" "${best[tar]}")  (goal <= 1.2)"
echo "export (dir) / cp -r: $(ratio "${best[export_dir]}" "${best[cp]}")"
echo "verify (tar) rate / (2 x one-core openssl rate): $(ratio "${best[openssl]}" "$(awk -v v="${best[verify_tar]}" 'BEGIN { print 2 * v }')")  (goal >= 0.8)"
echo "verify (dir) rate / (2 x one-core openssl rate): $(ratio "${best[openssl]}" "$(awk -v v="${best[verify_dir]}" 'BEGIN { print 2 * v }')")"
