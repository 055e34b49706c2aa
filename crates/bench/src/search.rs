//! `verbatim-bench search`: search latency over generated hearings, tantivy
//! (`verbatim-search`) side by side with PostgreSQL full-text search on the same documents.
//!
//! 1. Generates `--hours` hearing-hours of transcripts and notes ([`crate::corpus`]), seeded.
//! 2. Indexes them with `SearchIndex::index_hearing` (one call per hearing), commits, and
//!    merges the index to one segment; reports times and the index's size.
//! 3. With `--postgres URL`: creates a UTF-8 database `verbatim_search_bench` there (dropped
//!    first if it exists), a table of the same documents with a stored generated column
//!    `to_tsvector('russian', text)`, loads it with COPY, builds a GIN index on it and btree
//!    indexes on the filter columns, and ANALYZEs; reports times and sizes.
//! 4. Runs `--warmup` queries, then `--queries` queries (1 to 3 words of the vocabulary in
//!    inflected forms, some with filters, half as a user who sees open hearings and a few
//!    granted closed ones), top 20 hits with the total and highlighted snippets, alternating
//!    between the two systems query by query. Latency is the client's wall time of one
//!    query: `SearchIndex::search` in this process; for PostgreSQL, one statement over one
//!    connection on 127.0.0.1 (sqlx), rows fetched and decoded.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection, Row};
use verbatim_search::{Access, HearingMeta, IndexOptions, Note, Query, SearchIndex};
use verbatim_transcript::{Lang, Utterance};

use crate::corpus::{self, Corpus, Rng, Writer, Zipf};
use crate::{fmt_dur, Samples};

#[derive(clap::Args)]
pub struct SearchArgs {
    /// Directory on the disk to measure; the index goes in a new temporary directory inside
    /// it.
    #[arg(long, default_value = "/var/tmp")]
    dir: PathBuf,
    /// Hearing-hours of transcripts to generate.
    #[arg(long, default_value_t = 10_000)]
    hours: u64,
    /// Queries to time on each system.
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Queries run on each system before timing.
    #[arg(long, default_value_t = 100)]
    warmup: usize,
    /// Seed of the corpus and the queries.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// PostgreSQL server URL (a user that may create databases); without it only tantivy
    /// is measured.
    #[arg(long)]
    postgres: Option<String>,
    /// Indexing threads of tantivy's writer.
    #[arg(long, default_value_t = 2)]
    index_threads: usize,
    /// Memory of tantivy's writer, MB.
    #[arg(long, default_value_t = 1024)]
    writer_memory_mb: usize,
    /// Search the index as committed, without merging it to one segment.
    #[arg(long)]
    no_compact: bool,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
    /// Keep the index directory and the PostgreSQL database.
    #[arg(long)]
    keep: bool,
}

const PG_DATABASE: &str = "verbatim_search_bench";
const PAGE: usize = 20;

/// One generated hearing.
struct Hearing {
    meta: HearingMeta,
    utterances: Vec<Utterance>,
    notes: Vec<Note>,
}

/// One query of the set, for both systems.
#[derive(Clone, Debug)]
struct Spec {
    text: String,
    lang: Lang,
    words: usize,
    court: Option<String>,
    judge: Option<String>,
    case_number: Option<String>,
    date_from: Option<String>,
    date_to: Option<String>,
    speaker_role: Option<String>,
    /// `None`: an administrator; else the closed hearings granted.
    granted: Option<Vec<String>>,
}

impl Spec {
    fn filtered(&self) -> bool {
        self.court.is_some()
            || self.judge.is_some()
            || self.case_number.is_some()
            || self.date_from.is_some()
            || self.speaker_role.is_some()
    }

    fn query(&self) -> Query {
        Query {
            court: self.court.clone(),
            judge: self.judge.clone(),
            case_number: self.case_number.clone(),
            date_from: self.date_from.clone(),
            date_to: self.date_to.clone(),
            speaker_role: self.speaker_role.clone(),
            limit: PAGE,
            ..Query::text(self.text.clone())
        }
    }

    fn access(&self) -> Access {
        match &self.granted {
            None => Access::All,
            Some(g) => Access::Limited { granted: g.clone() },
        }
    }

    /// The SQL of this query and its parameters after `$1` (the text).
    fn sql(&self) -> (String, Vec<String>, Option<Vec<String>>) {
        let mut filters = String::new();
        let mut params = Vec::new();
        let mut add = |sql: &str, v: &Option<String>| {
            if let Some(v) = v {
                params.push(v.clone());
                filters.push_str(&sql.replace('?', &format!("${}", params.len() + 1)));
            }
        };
        add(" AND court = ?", &self.court);
        add(" AND judge = ?", &self.judge);
        add(" AND case_number = ?", &self.case_number);
        add(" AND day >= ?::date", &self.date_from);
        add(" AND day <= ?::date", &self.date_to);
        add(" AND speaker_role = ?", &self.speaker_role);
        if self.granted.is_some() {
            filters.push_str(&format!(
                " AND (NOT closed OR hearing = ANY(${}))",
                params.len() + 2
            ));
        }
        let sql = format!(
            "SELECT d.hearing, d.kind, d.start_ms, d.speaker_role, d.speaker, d.lang, \
             d.day::text AS day, d.case_number, \
             ts_headline('russian', d.text, q, 'MaxWords=35, MinWords=15') AS snippet, \
             r.rank, r.total \
             FROM (SELECT id, ts_rank(tsv, q) AS rank, count(*) OVER () AS total \
                   FROM search_docs, plainto_tsquery('russian', $1) q \
                   WHERE tsv @@ q{filters} ORDER BY rank DESC LIMIT {PAGE}) r \
             JOIN search_docs d ON d.id = r.id, plainto_tsquery('russian', $1) q \
             ORDER BY r.rank DESC"
        );
        (sql, params, self.granted.clone())
    }
}

/// The query set: content words of the corpus's vocabulary (ranked by frequency, drawn
/// with a flatter Zipf so rare and common words both occur), in a random inflected form.
fn queries(n: usize, seed: u64, writer: &Writer, corpus: &Corpus) -> Vec<Spec> {
    let mut rng = Rng::new(seed ^ 0x7175_6572_7965_7321);
    let closed: Vec<&HearingMeta> = corpus
        .hearings
        .iter()
        .filter(|h| h.meta.closed)
        .map(|h| &h.meta)
        .collect();
    let rank = |lang: Lang| {
        let items = writer.vocabulary(lang).content.items().len();
        Zipf::ranked((0..items).collect::<Vec<usize>>(), 0.5)
    };
    let (rank_ru, rank_kk) = (rank(Lang::Ru), rank(Lang::Kk));
    (0..n)
        .map(|_| {
            let lang = if rng.chance(0.7) { Lang::Ru } else { Lang::Kk };
            let words = match rng.unit() {
                x if x < 0.5 => 1,
                x if x < 0.85 => 2,
                _ => 3,
            };
            let vocab = &writer.vocabulary(lang).content;
            let ranks = if lang == Lang::Ru { &rank_ru } else { &rank_kk };
            // Words both systems search for: not Russian stop words (которая, больше...).
            let mut word = || loop {
                let w = vocab.items()[*ranks.draw(&mut rng)].form(&mut rng);
                if !verbatim_search::analysis::terms(Lang::Ru, w).is_empty() {
                    break w.to_string();
                }
            };
            let text = (0..words).map(|_| word()).collect::<Vec<_>>().join(" ");
            let h = &corpus.hearings[rng.below(corpus.hearings.len())].meta;
            let court = rng.chance(0.15).then(|| h.court.clone());
            let judge = rng.chance(0.10).then(|| h.judge.clone());
            let case_number = rng.chance(0.03).then(|| h.case_number.clone());
            let (date_from, date_to) = if rng.chance(0.15) {
                let from = rng.range(0, (corpus::DAYS - 31) as u64) as i64;
                let to = from + rng.range(30, 180) as i64;
                (
                    Some(corpus::corpus_date(from)),
                    Some(corpus::corpus_date(to)),
                )
            } else {
                (None, None)
            };
            let speaker_role = rng
                .chance(0.10)
                .then(|| rng.pick(corpus::ROLES).0.to_string());
            let granted = rng.chance(0.5).then(|| {
                (0..rng.range(0, 10))
                    .filter(|_| !closed.is_empty())
                    .map(|_| rng.pick(&closed).hearing.clone())
                    .collect()
            });
            Spec {
                text,
                lang,
                words,
                court,
                judge,
                case_number,
                date_from,
                date_to,
                speaker_role,
                granted,
            }
        })
        .collect()
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match item.metadata() {
                Ok(m) if m.is_dir() => stack.push(item.path()),
                Ok(m) => n += m.len(),
                Err(_) => {}
            }
        }
    }
    n
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// COPY's text format: backslash, tab, newline and carriage return escaped.
fn copy_field(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn copy_row(
    out: &mut String,
    id: u64,
    kind: &str,
    m: &HearingMeta,
    role: &str,
    speaker: Option<&str>,
    lang: Lang,
    start_ms: u64,
    end_ms: u64,
    text: &str,
) {
    use std::fmt::Write as _;
    let _ = write!(out, "{id}\t{kind}\t");
    for v in [
        &m.hearing,
        &m.court,
        &m.courtroom,
        &m.case_number,
        &m.judge,
        &m.date,
    ] {
        copy_field(out, v);
        out.push('\t');
    }
    out.push_str(if m.closed { "t\t" } else { "f\t" });
    copy_field(out, role);
    out.push('\t');
    match speaker {
        Some(s) => copy_field(out, s),
        None => out.push_str("\\N"),
    }
    let _ = write!(out, "\t{}\t{start_ms}\t{end_ms}\t", lang.code());
    copy_field(out, text);
    out.push('\n');
}

struct PgLoad {
    copy: Duration,
    gin: Duration,
    btree: Duration,
    analyze: Duration,
    table_bytes: i64,
    gin_bytes: i64,
    indexes_bytes: i64,
    version: String,
}

async fn pg_load(conn: &mut PgConnection, hearings: &[Hearing]) -> Result<PgLoad> {
    sqlx::raw_sql(
        "DROP TABLE IF EXISTS search_docs; \
         CREATE TABLE search_docs ( \
           id bigint NOT NULL, kind text NOT NULL, hearing text NOT NULL, court text NOT NULL, \
           courtroom text NOT NULL, case_number text NOT NULL, judge text NOT NULL, \
           day date NOT NULL, closed boolean NOT NULL, speaker_role text NOT NULL, \
           speaker text, lang text NOT NULL, start_ms bigint NOT NULL, end_ms bigint NOT NULL, \
           text text NOT NULL, \
           tsv tsvector GENERATED ALWAYS AS (to_tsvector('russian', text)) STORED); \
         SET maintenance_work_mem = '2GB'",
    )
    .execute(&mut *conn)
    .await?;
    let t = Instant::now();
    let mut copy = conn
        .copy_in_raw(
            "COPY search_docs (id, kind, hearing, court, courtroom, case_number, judge, day, \
             closed, speaker_role, speaker, lang, start_ms, end_ms, text) FROM STDIN",
        )
        .await?;
    let mut buf = String::with_capacity(8 << 20);
    let mut id = 0u64;
    for h in hearings {
        for u in &h.utterances {
            id += 1;
            copy_row(
                &mut buf,
                id,
                "utterance",
                &h.meta,
                &u.role,
                u.speaker.as_deref(),
                u.lang,
                u.start_ms,
                u.end_ms,
                &u.text,
            );
        }
        for n in &h.notes {
            id += 1;
            let lang = verbatim_search::analysis::guess_lang(&n.text);
            copy_row(
                &mut buf, id, "note", &h.meta, &n.role, None, lang, n.start_ms, n.start_ms, &n.text,
            );
        }
        if buf.len() > 4 << 20 {
            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
            buf.reserve(8 << 20);
        }
    }
    if !buf.is_empty() {
        copy.send(buf.into_bytes()).await?;
    }
    let rows = copy.finish().await?;
    let copy_time = t.elapsed();
    if rows != id {
        bail!("COPY loaded {rows} rows, expected {id}");
    }
    let t = Instant::now();
    sqlx::raw_sql("CREATE INDEX search_docs_tsv ON search_docs USING gin (tsv)")
        .execute(&mut *conn)
        .await?;
    let gin = t.elapsed();
    let t = Instant::now();
    sqlx::raw_sql(
        "ALTER TABLE search_docs ADD PRIMARY KEY (id); \
         CREATE INDEX ON search_docs (hearing); CREATE INDEX ON search_docs (court); \
         CREATE INDEX ON search_docs (judge); CREATE INDEX ON search_docs (case_number); \
         CREATE INDEX ON search_docs (day)",
    )
    .execute(&mut *conn)
    .await?;
    let btree = t.elapsed();
    let t = Instant::now();
    sqlx::raw_sql("VACUUM ANALYZE search_docs")
        .execute(&mut *conn)
        .await?;
    let analyze = t.elapsed();
    let row = sqlx::query(
        "SELECT pg_table_size('search_docs') AS t, pg_relation_size('search_docs_tsv') AS g, \
         pg_indexes_size('search_docs') AS i, version() AS v",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(PgLoad {
        copy: copy_time,
        gin,
        btree,
        analyze,
        table_bytes: row.try_get("t")?,
        gin_bytes: row.try_get("g")?,
        indexes_bytes: row.try_get("i")?,
        version: row.try_get("v")?,
    })
}

/// One query on PostgreSQL: (client wall time, total, rows).
async fn pg_search(conn: &mut PgConnection, spec: &Spec) -> Result<(Duration, u64, usize)> {
    let (sql, params, granted) = spec.sql();
    let t = Instant::now();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(spec.text.clone());
    for p in params {
        q = q.bind(p);
    }
    if let Some(g) = granted {
        q = q.bind(g);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut total = 0;
    for r in &rows {
        let _: String = r.try_get("hearing")?;
        let _: i64 = r.try_get("start_ms")?;
        let _: String = r.try_get("snippet")?;
        total = r.try_get::<i64, _>("total")?;
    }
    Ok((t.elapsed(), total as u64, rows.len()))
}

fn pg_url_for(admin: &str, db: &str) -> Result<String> {
    let (base, rest) = admin
        .rsplit_once('/')
        .context("a PostgreSQL URL ends with /database")?;
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    Ok(format!("{base}/{db}{query}"))
}

/// Latency of one system on a class of queries.
struct Class {
    name: &'static str,
    pick: fn(&Spec) -> bool,
}

const CLASSES: &[Class] = &[
    Class {
        name: "all queries",
        pick: |_| true,
    },
    Class {
        name: "1 word",
        pick: |s| s.words == 1,
    },
    Class {
        name: "2-3 words",
        pick: |s| s.words > 1,
    },
    Class {
        name: "Kazakh words",
        pick: |s| s.lang == Lang::Kk,
    },
    Class {
        name: "with filters",
        pick: |s| s.filtered(),
    },
    Class {
        name: "limited access",
        pick: |s| s.granted.is_some(),
    },
];

pub fn bench_search(args: &SearchArgs) -> Result<()> {
    if args.hours == 0 || args.queries == 0 {
        bail!("--hours and --queries must be at least 1");
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix("verbatim-bench-search.")
        .tempdir_in(&args.dir)
        .with_context(|| format!("cannot create a directory in {}", args.dir.display()))?;
    let index_dir = tmp.path().join("index");
    let mut extra = serde_json::Map::new();
    let say = |s: String| eprintln!("== {s}");

    // 1. The corpus.
    let t = Instant::now();
    let corpus = Corpus::plan(args.hours, args.seed);
    let writer = Writer::new(args.seed);
    let mut hearings = Vec::with_capacity(corpus.hearings.len());
    let (mut utterances, mut notes, mut words, mut text_bytes) = (0u64, 0u64, 0u64, 0u64);
    let mut ru_utterances = 0u64;
    for plan in &corpus.hearings {
        let (u, n) = writer.hearing(plan);
        utterances += u.len() as u64;
        ru_utterances += u.iter().filter(|u| u.lang == Lang::Ru).count() as u64;
        notes += n.len() as u64;
        for x in &u {
            words += x.text.split(' ').count() as u64;
            text_bytes += x.text.len() as u64;
        }
        hearings.push(Hearing {
            meta: plan.meta.clone(),
            utterances: u,
            notes: n,
        });
    }
    let generate = t.elapsed();
    let closed = hearings.iter().filter(|h| h.meta.closed).count();
    let corpus_json = json!({
        "hours": args.hours, "seed": args.seed, "hearings": hearings.len(),
        "closed_hearings": closed, "utterances": utterances, "notes": notes, "words": words,
        "text_bytes": text_bytes, "russian_share": ru_utterances as f64 / utterances as f64,
        "courts": corpus.courts.len(), "judges": corpus.judges.len(),
        "generate_s": generate.as_secs_f64(),
    });
    say(format!("corpus: {corpus_json}"));
    extra.insert("corpus".into(), corpus_json);

    // 2. tantivy.
    let options = IndexOptions {
        writer_memory_bytes: args.writer_memory_mb << 20,
        writer_threads: args.index_threads,
        search_threads: 1,
    };
    let index = SearchIndex::open_or_create_with(&index_dir, &options)?;
    let t = Instant::now();
    for h in &hearings {
        index.index_hearing(&h.meta, &h.utterances, &h.notes)?;
    }
    index.commit()?;
    let build = t.elapsed();
    let segments_committed = index.num_segments();
    let t = Instant::now();
    if !args.no_compact {
        index.compact()?;
    }
    let compact = t.elapsed();
    let docs = index.num_docs();
    if docs != utterances + notes {
        bail!(
            "the index holds {docs} documents, expected {}",
            utterances + notes
        );
    }
    let index_bytes = dir_bytes(&index_dir);
    let tantivy_json = json!({
        "build_s": build.as_secs_f64(), "segments_after_commit": segments_committed,
        "compact_s": compact.as_secs_f64(), "segments": index.num_segments(), "documents": docs,
        "index_bytes": index_bytes, "text_mb_per_s": mb(text_bytes) / build.as_secs_f64(),
        "writer_threads": args.index_threads, "writer_memory_mb": args.writer_memory_mb,
    });
    say(format!("tantivy: {tantivy_json}"));
    extra.insert("tantivy".into(), tantivy_json);

    // 3. PostgreSQL.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut pg = None;
    if let Some(admin) = &args.postgres {
        let (conn, load) = rt.block_on(async {
            let mut a = PgConnection::connect(admin)
                .await
                .context("connecting to --postgres")?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {PG_DATABASE}"
            )))
            .execute(&mut a)
            .await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {PG_DATABASE} TEMPLATE template0 ENCODING 'UTF8' \
                 LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )))
            .execute(&mut a)
            .await?;
            a.close().await?;
            let mut conn = PgConnection::connect(&pg_url_for(admin, PG_DATABASE)?).await?;
            let load = pg_load(&mut conn, &hearings).await?;
            anyhow::Ok((conn, load))
        })?;
        let settings = rt.block_on(async {
            let mut conn = PgConnection::connect(&pg_url_for(admin, PG_DATABASE)?).await?;
            let rows = sqlx::query(
                "SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN \
                 ('shared_buffers', 'work_mem', 'effective_cache_size', 'jit', \
                  'max_parallel_workers_per_gather', 'random_page_cost', 'fsync')",
            )
            .fetch_all(&mut conn)
            .await?;
            let mut m = serde_json::Map::new();
            for r in rows {
                let name: String = r.try_get("name")?;
                let setting: String = r.try_get("setting")?;
                m.insert(name, json!(setting));
            }
            anyhow::Ok(Value::Object(m))
        })?;
        let pg_json = json!({
            "version": load.version, "settings": settings,
            "copy_with_tsvector_s": load.copy.as_secs_f64(), "gin_index_s": load.gin.as_secs_f64(),
            "btree_indexes_s": load.btree.as_secs_f64(), "vacuum_analyze_s": load.analyze.as_secs_f64(),
            "load_and_index_s": (load.copy + load.gin + load.btree + load.analyze).as_secs_f64(),
            "table_bytes": load.table_bytes, "gin_bytes": load.gin_bytes,
            "all_indexes_bytes": load.indexes_bytes,
        });
        say(format!("postgres: {pg_json}"));
        extra.insert("postgres".into(), pg_json);
        pg = Some(conn);
    }
    drop(hearings);

    // 4. Queries, alternating between the systems.
    let warm = queries(args.warmup, args.seed ^ 1, &writer, &corpus);
    let set = queries(args.queries, args.seed, &writer, &corpus);
    // Wall time, and the CPU time of this thread (a search runs in the caller's thread): a
    // wall time far above the CPU time is time the thread waited for a core.
    let run_tantivy = |s: &Spec| -> Result<(Duration, Duration, u64)> {
        let (q, a) = (s.query(), s.access());
        let (t, c) = (Instant::now(), thread_cpu());
        let hits = index.search(&q, &a)?;
        Ok((
            t.elapsed(),
            thread_cpu().saturating_sub(c),
            hits.total as u64,
        ))
    };
    for s in &warm {
        run_tantivy(s)?;
        if let Some(conn) = pg.as_mut() {
            rt.block_on(pg_search(conn, s))?;
        }
    }
    let mut tantivy_times = Vec::with_capacity(set.len());
    let mut tantivy_cpu = Vec::with_capacity(set.len());
    let mut pg_times = Vec::with_capacity(set.len());
    let mut tantivy_totals = Vec::with_capacity(set.len());
    let mut pg_totals = Vec::with_capacity(set.len());
    let (mut t_total, mut p_total, mut t_zero, mut p_zero) = (0u64, 0u64, 0u64, 0u64);
    let started = Instant::now();
    for s in &set {
        let (d, cpu, total) = run_tantivy(s)?;
        tantivy_times.push(d);
        tantivy_cpu.push(cpu);
        tantivy_totals.push(total);
        t_total += total;
        t_zero += u64::from(total == 0);
        if let Some(conn) = pg.as_mut() {
            let (d, total, _) = rt.block_on(pg_search(conn, s))?;
            pg_times.push(d);
            pg_totals.push(total);
            p_total += total;
            p_zero += u64::from(total == 0);
        }
    }
    let queries_wall = started.elapsed();
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let mut results = Vec::new();
    for c in CLASSES {
        let mut t = Samples::new(c.name, "query", 0);
        let mut cpu = Samples::new(c.name, "query", 0);
        let mut p = Samples::new(c.name, "query", 0);
        for (i, s) in set.iter().enumerate() {
            if (c.pick)(s) {
                t.times.push(tantivy_times[i]);
                cpu.times.push(tantivy_cpu[i]);
                if let Some(d) = pg_times.get(i) {
                    p.times.push(*d);
                }
            }
        }
        results.push((t, cpu, p));
    }
    // The slowest queries of each system, with what the other took on them.
    let slowest = |times: &[Duration]| {
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(times[*i]));
        order
            .into_iter()
            .take(5)
            .map(|i| {
                let s = &set[i];
                json!({
                    "text": s.text, "filters": s.filtered(), "limited_access": s.granted.is_some(),
                    "tantivy_ms": tantivy_times[i].as_secs_f64() * 1e3,
                    "tantivy_cpu_ms": tantivy_cpu[i].as_secs_f64() * 1e3,
                    "tantivy_total": tantivy_totals[i],
                    "postgres_ms": pg_times.get(i).map(|d| d.as_secs_f64() * 1e3),
                    "postgres_total": pg_totals.get(i),
                })
            })
            .collect::<Vec<_>>()
    };
    extra.insert(
        "slowest".into(),
        json!({"tantivy": slowest(&tantivy_times), "postgres": slowest(&pg_times)}),
    );
    let n = set.len() as f64;
    let queries_json = json!({
        "queries": set.len(), "warmup": warm.len(), "page": PAGE,
        "tantivy_mean_total": t_total as f64 / n, "tantivy_zero_hit_queries": t_zero,
        "postgres_mean_total": (pg.is_some()).then(|| p_total as f64 / n),
        "postgres_zero_hit_queries": (pg.is_some()).then_some(p_zero),
        "wall_s": queries_wall.as_secs_f64(), "loadavg_after": loadavg.trim(),
        "examples": set.iter().take(8).map(|s| format!("{s:?}")).collect::<Vec<_>>(),
    });
    extra.insert("queries".into(), queries_json);

    if args.json {
        let mut out = extra;
        out.insert("dir".into(), json!(tmp.path().display().to_string()));
        out.insert(
            "results".into(),
            Value::Array(
                results
                    .iter()
                    .map(|(t, cpu, p)| {
                        json!({"class": t.name, "tantivy": t.to_json(),
                               "tantivy_cpu": cpu.to_json(),
                               "postgres": (!p.times.is_empty()).then(|| p.to_json())})
                    })
                    .collect(),
            ),
        );
        println!("{}", serde_json::to_string_pretty(&Value::Object(out))?);
    } else {
        let c = &extra["corpus"];
        println!(
            "verbatim-bench search: {} hearing-hours, {} hearings ({} closed), {} utterances and \
             {} notes, {:.1} M words, {:.0} MB of text ({:.0} % of utterances Russian)",
            args.hours,
            c["hearings"],
            c["closed_hearings"],
            c["utterances"],
            c["notes"],
            words as f64 / 1e6,
            mb(text_bytes),
            c["russian_share"].as_f64().unwrap_or(0.0) * 100.0
        );
        println!(
            "tantivy: indexed in {:.1} s ({:.1} MB/s of text, {} writer threads), merged to {} \
             segment(s) in {:.1} s; index {:.0} MB",
            build.as_secs_f64(),
            mb(text_bytes) / build.as_secs_f64(),
            args.index_threads,
            index.num_segments(),
            compact.as_secs_f64(),
            mb(index_bytes)
        );
        if let Some(p) = extra.get("postgres") {
            let f = |k: &str| p[k].as_f64().unwrap_or(0.0);
            let b = |k: &str| mb(p[k].as_i64().unwrap_or(0) as u64);
            println!(
                "postgres: COPY with to_tsvector {:.1} s, GIN index {:.1} s, btree indexes \
                 {:.1} s, VACUUM ANALYZE {:.1} s (total {:.1} s); table {:.0} MB, GIN {:.0} MB, \
                 all indexes {:.0} MB",
                f("copy_with_tsvector_s"),
                f("gin_index_s"),
                f("btree_indexes_s"),
                f("vacuum_analyze_s"),
                f("load_and_index_s"),
                b("table_bytes"),
                b("gin_bytes"),
                b("all_indexes_bytes")
            );
        }
        println!(
            "{} queries after {} warm-up, top {PAGE} with total and snippets; mean total hits: \
             tantivy {:.0}{}",
            set.len(),
            warm.len(),
            t_total as f64 / n,
            if pg.is_some() {
                format!(", postgres {:.0}", p_total as f64 / n)
            } else {
                String::new()
            }
        );
        println!(
            "{:<16} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "queries",
            "count",
            "tv p50",
            "tv p99",
            "tv max",
            "tv cpu p99",
            "pg p50",
            "pg p99",
            "pg max",
            "p50 x",
            "p99 x"
        );
        for (t, cpu, p) in &results {
            let have = !p.times.is_empty();
            let pgf = |d: Duration| if have { fmt_dur(d) } else { "-".into() };
            let ratio = |a: Duration, b: Duration| {
                if have {
                    format!("{:.0}", b.as_secs_f64() / a.as_secs_f64().max(1e-9))
                } else {
                    "-".into()
                }
            };
            println!(
                "{:<16} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
                t.name,
                t.times.len(),
                fmt_dur(t.pct(50.0)),
                fmt_dur(t.pct(99.0)),
                fmt_dur(t.max()),
                fmt_dur(cpu.pct(99.0)),
                pgf(p.pct(50.0)),
                pgf(p.pct(99.0)),
                pgf(p.max()),
                ratio(t.pct(50.0), p.pct(50.0)),
                ratio(t.pct(99.0), p.pct(99.0)),
            );
        }
        for (system, list) in extra["slowest"].as_object().into_iter().flatten() {
            println!("slowest on {system}:");
            for q in list.as_array().into_iter().flatten() {
                println!("  {q}");
            }
        }
        println!("load average after the queries: {}", loadavg.trim());
    }

    drop(index);
    if args.keep {
        let kept = tmp.keep();
        eprintln!("kept {}", kept.display());
    } else if let (Some(admin), Some(conn)) = (&args.postgres, pg) {
        rt.block_on(async {
            conn.close().await?;
            let mut a = PgConnection::connect(admin).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {PG_DATABASE}"
            )))
            .execute(&mut a)
            .await?;
            anyhow::Ok(())
        })?;
    }
    Ok(())
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec to the valid pointer it is given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
