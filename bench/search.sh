#!/usr/bin/env bash
# Search latency: verbatim-search (tantivy) side by side with PostgreSQL full-text search
# (`russian` configuration, GIN index) on the same generated hearings.
#
# Builds verbatim-bench (release), starts a PostgreSQL server of its own (scripts/
# postgres-test-server with its own state directory, so a test run's `stop` cannot end it),
# and runs `verbatim-bench search`: generate HOURS hearing-hours of Russian and Kazakh
# transcripts (seeded), index them in tantivy and load them into PostgreSQL, then time the
# same QUERIES queries on both, alternating, after WARMUP warm-up queries. It prints the
# command, the machine, the load on it during the run, and the figures; JSON goes to OUT.
# tantivy's latencies come with the CPU time of the searching thread ("tv cpu99"): on a
# shared machine a wall time far above it is time spent waiting for a core.
#
# Environment:
#   HOURS=10000                hearing-hours to generate (100 takes about a minute)
#   QUERIES=1000               timed queries on each system
#   WARMUP=100                 warm-up queries on each system
#   SEED=1                     seed of the corpus and the queries
#   BENCH_DIR=/var/tmp/verbatim-bench-search   index and PostgreSQL data (removed at the end)
#   POSTGRES=1                 0: tantivy only
#   PG_OPTIONS                 PostgreSQL settings (default below: memory for a 23 GiB machine,
#                              JIT off)
#   OUT=file                   also write the results as JSON to file
#   KEEP=1                     keep BENCH_DIR (and the database)
#   CARGO_TARGET_DIR           default $HOME/.cache/verbatim-target
set -euo pipefail

HOURS=${HOURS:-10000}
QUERIES=${QUERIES:-1000}
WARMUP=${WARMUP:-100}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/var/tmp/verbatim-bench-search}
POSTGRES=${POSTGRES:-1}
PG_OPTIONS=${PG_OPTIONS:--c shared_buffers=4GB -c effective_cache_size=16GB -c work_mem=64MB -c maintenance_work_mem=2GB -c jit=off -c max_wal_size=16GB -c checkpoint_timeout=30min -c random_page_cost=1.1}
OUT=${OUT:-}
KEEP=${KEEP:-0}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/verbatim-target}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
    echo "search-bench: $*" >&2
    exit 1
}
say() { echo "== $*" >&2; }

[[ $HOURS =~ ^[0-9]+$ && $HOURS -ge 1 ]] || die "HOURS must be a whole number, at least 1"
[[ $QUERIES =~ ^[0-9]+$ && $QUERIES -ge 1 ]] || die "QUERIES must be at least 1"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number"
case $BENCH_DIR in
/ | /var | /var/tmp | /tmp | "$HOME" | "") die "BENCH_DIR=$BENCH_DIR: give a directory of its own" ;;
esac
if [[ -e $BENCH_DIR && -n $(ls -A "$BENCH_DIR" 2>/dev/null) ]]; then
    die "$BENCH_DIR exists and is not empty; remove it or set BENCH_DIR elsewhere"
fi
for tool in cargo top awk; do
    command -v "$tool" >/dev/null || die "needs $tool"
done

mkdir -p "$BENCH_DIR"
LOGS=$BENCH_DIR/logs
mkdir -p "$LOGS"
export VERBATIM_PG_STATE=$BENCH_DIR/postgres
export VERBATIM_PG_OPTIONS=$PG_OPTIONS
monitor=""
cleanup() {
    [[ -z $monitor ]] || kill "$monitor" 2>/dev/null || true
    if [[ $POSTGRES == 1 && $KEEP != 1 ]]; then
        "$ROOT/scripts/postgres-test-server" stop 2>/dev/null || true
    fi
    if [[ $KEEP == 1 ]]; then
        echo "search-bench: kept $BENCH_DIR" >&2
    else
        rm -rf -- "$BENCH_DIR"
    fi
}
trap cleanup EXIT

say "building verbatim-bench (release) in $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release -p verbatim-bench >&2)
BIN=$CARGO_TARGET_DIR/release/verbatim-bench
[[ -x $BIN ]] || die "no $BIN after the build"

args=(search --dir "$BENCH_DIR" --hours "$HOURS" --queries "$QUERIES" --warmup "$WARMUP" --seed "$SEED")
[[ $KEEP != 1 ]] || args+=(--keep)
if [[ $POSTGRES == 1 ]]; then
    say "starting PostgreSQL in $VERBATIM_PG_STATE ($PG_OPTIONS)"
    url=$("$ROOT/scripts/postgres-test-server" start)
    args+=(--postgres "$url")
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "command: HOURS=$HOURS QUERIES=$QUERIES WARMUP=$WARMUP SEED=$SEED bench/search.sh"
echo "  runs: verbatim-bench ${args[*]/postgres:\/\/*/postgres://...}"
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory"
if [[ $POSTGRES == 1 ]]; then
    echo "postgres: $(psql "$url" -Atc 'SELECT version()' 2>/dev/null || echo '?'); settings: $PG_OPTIONS (and fsync=off)"
fi
echo "load average before: $(load)"

# Every 15 s, what ran on the machine; afterwards, how much of it was not this benchmark.
top -b -d 15 -w 250 >"$LOGS/top.log" 2>/dev/null &
monitor=$!

json=$LOGS/result.json
t0=$EPOCHSECONDS
"$BIN" "${args[@]}" --json >"$json"
t1=$EPOCHSECONDS
kill "$monitor" 2>/dev/null || true
monitor=""
echo "load average after: $(load); run took $((t1 - t0)) s"
# Other work: %CPU of processes other than the benchmark and PostgreSQL, per snapshot.
awk '
    # The first snapshot covers no interval; the last is partial.
    /^top - / { if (n >= 2) { s += other; if (other > m) m = other; k++ }; n++; other = 0; next }
    $1 ~ /^[0-9]+$/ && $12 != "verbatim-bench" && $12 != "postgres" && $12 != "top" { other += $9 }
    END { if (k > 0) printf "other work on the machine during the run: mean %.0f %%, max %.0f %% of one core (%d snapshots, 15 s apart)\n", s / k, m, k }
' "$LOGS/top.log"

# The figures, as the benchmark prints them.
python3 - "$json" <<'EOF' 2>/dev/null || cat "$json"
import json, sys
r = json.load(open(sys.argv[1]))
c, t = r["corpus"], r["tantivy"]
print(f"corpus: {c['hours']} hearing-hours, {c['hearings']} hearings ({c['closed_hearings']} closed), "
      f"{c['utterances']} utterances + {c['notes']} notes, {c['words']/1e6:.1f} M words, "
      f"{c['text_bytes']/1e6:.0f} MB of text, {100*c['russian_share']:.0f} % Russian; generated in {c['generate_s']:.1f} s")
print(f"tantivy: indexed in {t['build_s']:.1f} s ({t['text_mb_per_s']:.1f} MB/s of text), "
      f"{t['segments_after_commit']} segments merged to {t['segments']} in {t['compact_s']:.1f} s; "
      f"index {t['index_bytes']/1e6:.0f} MB")
p = r.get("postgres")
if p:
    print(f"postgres: COPY with to_tsvector {p['copy_with_tsvector_s']:.1f} s, GIN {p['gin_index_s']:.1f} s, "
          f"btree {p['btree_indexes_s']:.1f} s, VACUUM ANALYZE {p['vacuum_analyze_s']:.1f} s "
          f"(total {p['load_and_index_s']:.1f} s); table {p['table_bytes']/1e6:.0f} MB, "
          f"GIN {p['gin_bytes']/1e6:.0f} MB, all indexes {p['all_indexes_bytes']/1e6:.0f} MB")
q = r["queries"]
print(f"queries: {q['queries']} after {q['warmup']} warm-up, top {q['page']} with total; mean total hits "
      f"tantivy {q['tantivy_mean_total']:.0f}" + (f", postgres {q['postgres_mean_total']:.0f}" if p else ""))
print(f"{'queries':<16} {'count':>6} {'tv p50':>9} {'tv p99':>9} {'tv max':>9} {'tv cpu99':>9} {'pg p50':>9} {'pg p99':>9} {'pg max':>9}")
for x in r["results"]:
    tv, pg = x["tantivy"], x["postgres"]
    f = lambda v: f"{v:.2f}"
    row = [f(tv["p50_ms"]), f(tv["p99_ms"]), f(tv["max_ms"]), f(x["tantivy_cpu"]["p99_ms"])]
    row += [f(pg["p50_ms"]), f(pg["p99_ms"]), f(pg["max_ms"])] if pg else ["-"] * 3
    print(f"{x['class']:<16} {tv['count']:>6} " + " ".join(f"{v:>9}" for v in row) + "   (ms)")
for system, rows in r["slowest"].items():
    if not rows or (system == "postgres" and not p):
        continue
    print(f"slowest on {system}:")
    for x in rows:
        pg = f"postgres {x['postgres_ms']:.1f} ms ({x['postgres_total']} hits)" if p else ""
        print(f"  {x['text']!r}{' +filters' if x['filters'] else ''}{' +limited' if x['limited_access'] else ''}: "
              f"tantivy {x['tantivy_ms']:.1f} ms (CPU {x['tantivy_cpu_ms']:.1f} ms, {x['tantivy_total']} hits) {pg}")
EOF
if [[ -n $OUT ]]; then
    cp "$json" "$OUT"
    echo "JSON: $OUT"
fi
