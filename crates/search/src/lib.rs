//! Search across hearings: a tantivy index of transcript utterances and the secretary's notes.
//!
//! One index document per utterance (of the transcript revision last indexed) and one per
//! log note. Each carries its hearing's metadata (court, courtroom, case number, judge, date,
//! open or closed), its speaker, its language, its moment on the media clock (`start_ms`,
//! where playback opens) and its text. Utterance text goes to `text_ru` or `text_kk` by the
//! utterance's language (a note's by its letters, see [`analysis::guess_lang`]), each field
//! with its own analyzer ([`analysis`]: Snowball Russian, a Kazakh suffix stripper, per-word
//! language choice for mixed speech).
//!
//! A query is a bag of words: every word must occur (in any inflected form the stemmers
//! bring together), in either language field. There is no query syntax, so no user input
//! can make a query fail to parse: quotes, colons, brackets and the like only separate words.
//! Filters (court, courtroom, hearing, case number, judge, date range, speaker role, speaker
//! name, kind) and the user's [`Access`] are clauses of the same tantivy query, so totals
//! and pages count only what the user may see. Closed hearings appear only for
//! [`Access::All`] or when granted by [`Access::Limited`].
//!
//! The index is never the source of truth: it is rebuilt from the transcripts and the log.
//! An index written with another schema is refused ([`SearchError::IncompatibleIndex`]);
//! delete its directory and index again.
//!
//! ```no_run
//! use verbatim_search::{Access, HearingMeta, Query, SearchIndex};
//! # fn main() -> Result<(), verbatim_search::SearchError> {
//! let index = SearchIndex::open_or_create("data/search".as_ref())?;
//! let meta = HearingMeta {
//!     court: "bostandyk".into(),
//!     courtroom: "room-1".into(),
//!     hearing: "h1".into(),
//!     case_number: "2-1234/2026".into(),
//!     judge: "judge-1".into(),
//!     date: "2026-11-27".into(),
//!     closed: false,
//! };
//! index.index_hearing(&meta, &[], &[])?;
//! index.commit()?;
//! let hits = index.search(&Query::text("показания свидетеля"), &Access::All)?;
//! for hit in &hits.hits {
//!     println!("{} at {} ms: {}", hit.hearing, hit.start_ms, hit.snippet.to_html());
//! }
//! # Ok(())
//! # }
//! ```

pub mod analysis;

use std::collections::HashSet;
use std::ops::{Bound, Range};
use std::path::Path;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query as TantivyQuery, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::snippet::{collapse_overlapped_ranges, SnippetGenerator};
use tantivy::tokenizer::TokenizerManager;
use tantivy::{
    DocAddress, Index, IndexBuilder, IndexReader, IndexWriter, Order, ReloadPolicy,
    TantivyDocument, TantivyError, Term,
};
pub use verbatim_transcript::Lang;
use verbatim_transcript::Utterance;

/// Longest query text, in bytes.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Most words in one query (after stop words and repeats are dropped).
pub const MAX_QUERY_WORDS: usize = 16;
/// Most hits on one page.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start.
pub const MAX_OFFSET: usize = 10_000;
/// Longest filter value (court, judge, case number, speaker...), in bytes.
pub const MAX_FILTER_BYTES: usize = 256;
/// Longest snippet, in characters.
pub const SNIPPET_CHARS: usize = 200;

/// Why indexing or searching failed. [`SearchError::is_user_error`] tells the errors caused by
/// what a user typed (a 400 for the server) from the others.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the query is empty: type at least one word")]
    EmptyQuery,
    #[error("the query is {len} bytes long; at most {max} are allowed")]
    QueryTooLong { len: usize, max: usize },
    #[error("the query has {count} words; at most {max} are allowed")]
    TooManyWords { count: usize, max: usize },
    #[error(
        "the query has no words to search for (only punctuation or words too common to search)"
    )]
    NoSearchableWords,
    #[error("limit {limit}: a page holds 1 to {max} hits")]
    InvalidLimit { limit: usize, max: usize },
    #[error("offset {offset}: pages may start at most {max} hits in")]
    InvalidOffset { offset: usize, max: usize },
    #[error("{name} {value:?} is not a date of the form YYYY-MM-DD")]
    InvalidDate { name: &'static str, value: String },
    #[error("date_from {from} is after date_to {to}")]
    InvalidDateRange { from: String, to: String },
    #[error("filter {name} is longer than {max} bytes")]
    InvalidFilter { name: &'static str, max: usize },
    #[error("hearing metadata: {0}")]
    InvalidHearing(String),
    #[error("the search index in {dir} was written by another version (schema differs); delete it and index again")]
    IncompatibleIndex { dir: String },
    #[error("the search index in {dir} is being written by another process")]
    Locked { dir: String },
    #[error("search index I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: {0}")]
    Index(#[from] TantivyError),
}

impl SearchError {
    /// Whether the error is about what the user asked for (the query text, a filter, the
    /// page), not about the index.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            SearchError::EmptyQuery
                | SearchError::QueryTooLong { .. }
                | SearchError::TooManyWords { .. }
                | SearchError::NoSearchableWords
                | SearchError::InvalidLimit { .. }
                | SearchError::InvalidOffset { .. }
                | SearchError::InvalidDate { .. }
                | SearchError::InvalidDateRange { .. }
                | SearchError::InvalidFilter { .. }
        )
    }
}

/// What an index document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An utterance of the transcript.
    Utterance,
    /// A note the secretary wrote in the log.
    Note,
}

impl Kind {
    /// `utterance` or `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Utterance => "utterance",
            Kind::Note => "note",
        }
    }

    fn parse(s: &str) -> Kind {
        if s == "note" {
            Kind::Note
        } else {
            Kind::Utterance
        }
    }
}

/// A hearing's metadata, copied into each of its documents (from the catalog's hearing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HearingMeta {
    pub court: String,
    pub courtroom: String,
    /// The hearing id: what [`SearchIndex::index_hearing`] replaces and access is granted by.
    pub hearing: String,
    pub case_number: String,
    /// The judge as the catalog identifies them (the `judge` filter compares exactly).
    pub judge: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// A closed hearing: only users granted it (or administrators) find it.
    pub closed: bool,
}

/// A note of the log (`log_note` entry), as the index needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Media time of the note in ms (the entry's `media_ns` / 1,000,000).
    pub start_ms: u64,
    /// The user who wrote it.
    pub author: String,
    /// The speaker or tag it is about (judge, prosecutor, witness sworn, exhibit...).
    pub role: String,
    pub text: String,
}

/// Who is searching. Applied inside the query, so totals and pages count only what they
/// may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Every hearing, closed ones included (administrators).
    All,
    /// Open hearings, plus the closed hearings whose ids are listed (those the user was
    /// granted or takes part in).
    Limited { granted: Vec<String> },
}

impl Access {
    /// Open hearings only.
    pub fn open_only() -> Access {
        Access::Limited {
            granted: Vec::new(),
        }
    }
}

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Latest hearing date first; [`Hit::score`] is then 0.
    Newest,
}

/// A search. Build with [`Query::text`] and set the filters wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The words to find, in Kazakh and/or Russian, any inflected form; all must occur.
    pub text: String,
    pub court: Option<String>,
    pub courtroom: Option<String>,
    pub hearing: Option<String>,
    pub case_number: Option<String>,
    pub judge: Option<String>,
    /// First date, `YYYY-MM-DD`, included.
    pub date_from: Option<String>,
    /// Last date, `YYYY-MM-DD`, included.
    pub date_to: Option<String>,
    /// The speaker's role (judge, prosecutor, ...), exactly; a note's tag.
    pub speaker_role: Option<String>,
    /// The speaker's name, ignoring case.
    pub speaker: Option<String>,
    /// Only utterances or only notes.
    pub kind: Option<Kind>,
    pub sort: SortBy,
    /// Hits per page, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// Hits to skip, at most [`MAX_OFFSET`].
    pub offset: usize,
}

impl Query {
    /// A query for `text`, no filters, the first 20 hits by relevance.
    pub fn text(text: impl Into<String>) -> Query {
        Query {
            text: text.into(),
            court: None,
            courtroom: None,
            hearing: None,
            case_number: None,
            judge: None,
            date_from: None,
            date_to: None,
            speaker_role: None,
            speaker: None,
            kind: None,
            sort: SortBy::Relevance,
            limit: 20,
            offset: 0,
        }
    }
}

/// A piece of a document's text around the words found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` to highlight (the words that matched), in order.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The snippet as HTML: text escaped, matched words in `<b>`.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut at = 0;
        for r in &self.highlights {
            escape_into(&self.text[at..r.start], &mut out);
            out.push_str("<b>");
            escape_into(&self.text[r.start..r.end], &mut out);
            out.push_str("</b>");
            at = r.end;
        }
        escape_into(&self.text[at..], &mut out);
        out
    }
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// One document found: where to open playback, and what was said.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hit {
    pub hearing: String,
    pub court: String,
    pub courtroom: String,
    pub case_number: String,
    pub judge: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub closed: bool,
    pub kind: Kind,
    /// The utterance's id, or `note@<start_ms>`.
    pub id: String,
    /// Media time where playback opens, ms.
    pub start_ms: u64,
    pub end_ms: u64,
    /// The speaker's role (utterance) or the note's tag.
    pub speaker_role: String,
    /// The speaker's name (utterances, when known).
    pub speaker: Option<String>,
    /// The note's author.
    pub author: Option<String>,
    /// The language field it was indexed in.
    pub lang: Lang,
    pub snippet: Snippet,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
}

/// A page of hits and how many there are in all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hits {
    /// Documents matching, all pages together (only those the user may see).
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// Tuning of the index writer and searcher.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Memory for the writer's in-memory segments, all threads together (at least 15 MB a
    /// thread).
    pub writer_memory_bytes: usize,
    /// Indexing threads.
    pub writer_threads: usize,
    /// Threads a search uses over the index's segments (1: the caller's thread only).
    pub search_threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            writer_memory_bytes: 64 << 20,
            writer_threads: 1,
            search_threads: 1,
        }
    }
}

struct Fields {
    kind: Field,
    id: Field,
    court: Field,
    courtroom: Field,
    hearing: Field,
    case_number: Field,
    judge: Field,
    date: Field,
    day: Field,
    closed: Field,
    speaker_role: Field,
    speaker: Field,
    author: Field,
    lang: Field,
    start_ms: Field,
    end_ms: Field,
    text: Field,
    text_ru: Field,
    text_kk: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analyzed = |name: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_text_field("id", STORED),
        court: b.add_text_field("court", STRING | STORED),
        courtroom: b.add_text_field("courtroom", STRING | STORED),
        hearing: b.add_text_field("hearing", STRING | STORED),
        case_number: b.add_text_field("case_number", STRING | STORED),
        judge: b.add_text_field("judge", STRING | STORED),
        date: b.add_text_field("date", STORED),
        day: b.add_u64_field("day", INDEXED | FAST),
        closed: b.add_bool_field("closed", INDEXED | STORED),
        speaker_role: b.add_text_field("speaker_role", STRING | STORED),
        speaker: b.add_text_field(
            "speaker",
            TextOptions::default()
                .set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(analysis::KEYWORD_CI_ANALYZER)
                        .set_index_option(IndexRecordOption::Basic),
                )
                .set_stored(),
        ),
        author: b.add_text_field("author", STORED),
        lang: b.add_text_field("lang", STRING | STORED),
        start_ms: b.add_u64_field("start_ms", STORED),
        end_ms: b.add_u64_field("end_ms", STORED),
        text: b.add_text_field("text", STORED),
        text_ru: b.add_text_field("text_ru", analyzed(analysis::RU_ANALYZER)),
        text_kk: b.add_text_field("text_kk", analyzed(analysis::KK_ANALYZER)),
    };
    (b.build(), fields)
}

/// The search index of one court (or of several: the court is a filter).
///
/// `Send + Sync`: share it (in an `Arc`) between the server's handlers. Indexing calls take
/// a shared lock on the writer and may run in parallel; [`SearchIndex::commit`] waits for
/// them, so a commit never publishes half of a hearing.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: RwLock<IndexWriter>,
    f: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index if needed, with
    /// [`IndexOptions::default`].
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, SearchError> {
        Self::open_or_create_with(dir, &IndexOptions::default())
    }

    /// Opens or creates the index in `dir` with the given tuning.
    pub fn open_or_create_with(
        dir: &Path,
        options: &IndexOptions,
    ) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir)?;
        let shown = dir.display().to_string();
        let mmap = MmapDirectory::open(dir).map_err(|e| SearchError::Index(e.into()))?;
        let index = Self::builder().open_or_create(mmap).map_err(|e| match e {
            TantivyError::SchemaError(_) => SearchError::IncompatibleIndex { dir: shown.clone() },
            e => SearchError::Index(e),
        })?;
        Self::with_index(index, options, &shown)
    }

    /// A new index in memory (tests, tools).
    pub fn create_in_ram() -> Result<SearchIndex, SearchError> {
        let index = Self::builder().create_in_ram()?;
        Self::with_index(index, &IndexOptions::default(), "memory")
    }

    fn builder() -> IndexBuilder {
        let tokenizers = TokenizerManager::default();
        analysis::register(&tokenizers);
        IndexBuilder::new()
            .schema(schema().0)
            .tokenizers(tokenizers)
    }

    fn with_index(
        mut index: Index,
        options: &IndexOptions,
        shown: &str,
    ) -> Result<SearchIndex, SearchError> {
        if options.search_threads > 1 {
            index.set_multithread_executor(options.search_threads)?;
        }
        let threads = options.writer_threads.max(1);
        let memory = options.writer_memory_bytes.max(threads * (16 << 20));
        let writer = index
            .writer_with_num_threads(threads, memory)
            .map_err(|e| match e {
                TantivyError::LockFailure(..) => SearchError::Locked {
                    dir: shown.to_string(),
                },
                e => SearchError::Index(e),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let f = schema().1;
        Ok(SearchIndex {
            index,
            reader,
            writer: RwLock::new(writer),
            f,
        })
    }

    fn writer_shared(&self) -> RwLockReadGuard<'_, IndexWriter> {
        self.writer.read().unwrap_or_else(|e| e.into_inner())
    }

    fn writer_exclusive(&self) -> RwLockWriteGuard<'_, IndexWriter> {
        self.writer.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Indexes a hearing's transcript (its latest revision's utterances) and notes, replacing
    /// whatever was indexed for that hearing before (an earlier revision, older notes, other
    /// metadata). Visible to searches after [`SearchIndex::commit`]. Utterances with empty
    /// text are skipped.
    pub fn index_hearing(
        &self,
        meta: &HearingMeta,
        utterances: &[Utterance],
        notes: &[Note],
    ) -> Result<(), SearchError> {
        check_meta(meta)?;
        let day = parse_date("date", &meta.date).map_err(|_| {
            SearchError::InvalidHearing(format!("date {:?} is not YYYY-MM-DD", meta.date))
        })?;
        let f = &self.f;
        let base = || {
            let mut d = TantivyDocument::new();
            d.add_text(f.court, &meta.court);
            d.add_text(f.courtroom, &meta.courtroom);
            d.add_text(f.hearing, &meta.hearing);
            d.add_text(f.case_number, &meta.case_number);
            d.add_text(f.judge, &meta.judge);
            d.add_text(f.date, &meta.date);
            d.add_u64(f.day, day);
            d.add_bool(f.closed, meta.closed);
            d
        };
        let writer = self.writer_shared();
        writer.delete_term(Term::from_field_text(f.hearing, &meta.hearing));
        for u in utterances {
            if u.text.trim().is_empty() {
                continue;
            }
            let mut d = base();
            d.add_text(f.kind, Kind::Utterance.as_str());
            d.add_text(f.id, &u.id);
            d.add_text(f.speaker_role, &u.role);
            if let Some(s) = &u.speaker {
                d.add_text(f.speaker, s.trim());
            }
            d.add_u64(f.start_ms, u.start_ms);
            d.add_u64(f.end_ms, u.end_ms);
            self.add_text(&mut d, u.lang, &u.text);
            writer.add_document(d)?;
        }
        for n in notes {
            if n.text.trim().is_empty() {
                continue;
            }
            let mut d = base();
            d.add_text(f.kind, Kind::Note.as_str());
            d.add_text(f.id, format!("note@{}", n.start_ms));
            d.add_text(f.speaker_role, &n.role);
            d.add_text(f.author, &n.author);
            d.add_u64(f.start_ms, n.start_ms);
            d.add_u64(f.end_ms, n.start_ms);
            self.add_text(&mut d, analysis::guess_lang(&n.text), &n.text);
            writer.add_document(d)?;
        }
        Ok(())
    }

    fn add_text(&self, d: &mut TantivyDocument, lang: Lang, text: &str) {
        d.add_text(self.f.lang, lang.code());
        d.add_text(self.f.text, text);
        let field = match lang {
            Lang::Ru => self.f.text_ru,
            Lang::Kk => self.f.text_kk,
        };
        d.add_text(field, text);
    }

    /// Removes a hearing's documents (after [`SearchIndex::commit`]).
    pub fn delete_hearing(&self, hearing: &str) -> Result<(), SearchError> {
        self.writer_shared()
            .delete_term(Term::from_field_text(self.f.hearing, hearing));
        Ok(())
    }

    /// Makes everything indexed or deleted so far durable and visible to searches.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer_exclusive().commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Merges the index's segments into one (after a bulk load; searches over one segment
    /// are faster). Commits first.
    pub fn compact(&self) -> Result<(), SearchError> {
        let mut writer = self.writer_exclusive();
        writer.commit()?;
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() > 1 {
            writer.merge(&ids).wait()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Documents searchable now (utterances and notes), all hearings.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Segments searchable now.
    pub fn num_segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Searches. Errors for what the user typed are [`SearchError::is_user_error`]; any text
    /// gives hits or such an error, never a panic.
    pub fn search(&self, q: &Query, access: &Access) -> Result<Hits, SearchError> {
        if q.limit == 0 || q.limit > MAX_LIMIT {
            return Err(SearchError::InvalidLimit {
                limit: q.limit,
                max: MAX_LIMIT,
            });
        }
        if q.offset > MAX_OFFSET {
            return Err(SearchError::InvalidOffset {
                offset: q.offset,
                max: MAX_OFFSET,
            });
        }
        let query = self.build_query(q, access)?;
        let searcher = self.reader.searcher();
        let top = TopDocs::with_limit(q.limit).and_offset(q.offset);
        let (total, found): (usize, Vec<(f32, DocAddress)>) = match q.sort {
            SortBy::Relevance => searcher.search(&*query, &(Count, top.order_by_score()))?,
            SortBy::Newest => {
                let (n, v) = searcher.search(
                    &*query,
                    &(Count, top.order_by_fast_field::<u64>("day", Order::Desc)),
                )?;
                (n, v.into_iter().map(|(_, a)| (0.0, a)).collect())
            }
        };
        let mut hits = Vec::with_capacity(found.len());
        if !found.is_empty() {
            let mut snip_ru = SnippetGenerator::create(&searcher, &*query, self.f.text_ru)?;
            let mut snip_kk = SnippetGenerator::create(&searcher, &*query, self.f.text_kk)?;
            // One fragment from the first word found to the end: make_snippet cuts it.
            snip_ru.set_max_num_chars(verbatim_transcript::MAX_UTTERANCE_TEXT * 2);
            snip_kk.set_max_num_chars(verbatim_transcript::MAX_UTTERANCE_TEXT * 2);
            for (score, addr) in found {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let lang = if self.str(&doc, self.f.lang) == "kk" {
                    Lang::Kk
                } else {
                    Lang::Ru
                };
                let text = self.str(&doc, self.f.text);
                let gen = if lang == Lang::Kk { &snip_kk } else { &snip_ru };
                let snippet = make_snippet(gen, &text);
                let opt = |field| Some(self.str(&doc, field)).filter(|s| !s.is_empty());
                hits.push(Hit {
                    hearing: self.str(&doc, self.f.hearing),
                    court: self.str(&doc, self.f.court),
                    courtroom: self.str(&doc, self.f.courtroom),
                    case_number: self.str(&doc, self.f.case_number),
                    judge: self.str(&doc, self.f.judge),
                    date: self.str(&doc, self.f.date),
                    closed: doc
                        .get_first(self.f.closed)
                        .and_then(|v| v.as_bool())
                        .unwrap_or(true),
                    kind: Kind::parse(&self.str(&doc, self.f.kind)),
                    id: self.str(&doc, self.f.id),
                    start_ms: self.u64(&doc, self.f.start_ms),
                    end_ms: self.u64(&doc, self.f.end_ms),
                    speaker_role: self.str(&doc, self.f.speaker_role),
                    speaker: opt(self.f.speaker),
                    author: opt(self.f.author),
                    lang,
                    snippet,
                    score,
                });
            }
        }
        Ok(Hits { total, hits })
    }

    fn str(&self, doc: &TantivyDocument, field: Field) -> String {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    fn u64(&self, doc: &TantivyDocument, field: Field) -> u64 {
        doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
    }

    fn build_query(
        &self,
        q: &Query,
        access: &Access,
    ) -> Result<Box<dyn TantivyQuery>, SearchError> {
        let f = &self.f;
        let words = query_words(&q.text)?;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        for (ru, kk) in words {
            let mut either: Vec<Box<dyn TantivyQuery>> = ru
                .iter()
                .map(|ru| -> Box<dyn TantivyQuery> {
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.text_ru, ru),
                        IndexRecordOption::WithFreqs,
                    ))
                })
                .collect();
            either.push(Box::new(TermQuery::new(
                Term::from_field_text(f.text_kk, &kk),
                IndexRecordOption::WithFreqs,
            )));
            clauses.push((Occur::Must, Box::new(BooleanQuery::union(either))));
        }
        let mut filter = |query: Box<dyn TantivyQuery>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0))));
        };
        let exact = |field: Field, value: &str| -> Box<dyn TantivyQuery> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        for (name, field, value) in [
            ("court", f.court, &q.court),
            ("courtroom", f.courtroom, &q.courtroom),
            ("hearing", f.hearing, &q.hearing),
            ("case_number", f.case_number, &q.case_number),
            ("judge", f.judge, &q.judge),
            ("speaker_role", f.speaker_role, &q.speaker_role),
        ] {
            if let Some(v) = value {
                check_filter(name, v)?;
                filter(exact(field, v));
            }
        }
        if let Some(v) = &q.speaker {
            check_filter("speaker", v)?;
            filter(exact(f.speaker, &v.trim().to_lowercase()));
        }
        if let Some(k) = q.kind {
            filter(exact(f.kind, k.as_str()));
        }
        let from = q
            .date_from
            .as_deref()
            .map(|d| parse_date("date_from", d))
            .transpose()?;
        let to = q
            .date_to
            .as_deref()
            .map(|d| parse_date("date_to", d))
            .transpose()?;
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(SearchError::InvalidDateRange {
                    from: q.date_from.clone().unwrap_or_default(),
                    to: q.date_to.clone().unwrap_or_default(),
                });
            }
        }
        if from.is_some() || to.is_some() {
            let bound = |d: Option<u64>| match d {
                Some(d) => Bound::Included(Term::from_field_u64(f.day, d)),
                None => Bound::Unbounded,
            };
            filter(Box::new(RangeQuery::new(bound(from), bound(to))));
        }
        match access {
            Access::All => {}
            Access::Limited { granted } => {
                // Excluded: closed and not granted.
                let closed: Box<dyn TantivyQuery> = Box::new(TermQuery::new(
                    Term::from_field_bool(f.closed, true),
                    IndexRecordOption::Basic,
                ));
                let hidden: Box<dyn TantivyQuery> = if granted.is_empty() {
                    closed
                } else {
                    let granted = TermSetQuery::new(
                        granted.iter().map(|h| Term::from_field_text(f.hearing, h)),
                    );
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, closed),
                        (Occur::MustNot, Box::new(granted)),
                    ]))
                };
                clauses.push((Occur::MustNot, hidden));
            }
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }
}

/// The words of a query as (term in `text_ru`, term in `text_kk`) pairs: the text split as
/// the analyzers split it, each word analyzed by both. A word the Russian field does not
/// index (a stop word) is left out, so a Russian stop word never has to occur.
/// Each searchable word of a query: its Russian-field terms (see
/// [`analysis::russian_query_terms`]) and its Kazakh-field term.
fn query_words(text: &str) -> Result<Vec<(Vec<String>, String)>, SearchError> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(SearchError::QueryTooLong {
            len: text.len(),
            max: MAX_QUERY_BYTES,
        });
    }
    if text.trim().is_empty() {
        return Err(SearchError::EmptyQuery);
    }
    let mut seen = HashSet::new();
    let mut words = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        let ru = analysis::russian_query_terms(word);
        let kk = analysis::terms(Lang::Kk, word);
        if let (false, Some(kk)) = (ru.is_empty(), kk.into_iter().next()) {
            if seen.insert((ru.clone(), kk.clone())) {
                words.push((ru, kk));
            }
        }
    }
    if words.len() > MAX_QUERY_WORDS {
        return Err(SearchError::TooManyWords {
            count: words.len(),
            max: MAX_QUERY_WORDS,
        });
    }
    if words.is_empty() {
        return Err(SearchError::NoSearchableWords);
    }
    Ok(words)
}

fn check_filter(name: &'static str, value: &str) -> Result<(), SearchError> {
    if value.len() > MAX_FILTER_BYTES {
        return Err(SearchError::InvalidFilter {
            name,
            max: MAX_FILTER_BYTES,
        });
    }
    Ok(())
}

fn check_meta(m: &HearingMeta) -> Result<(), SearchError> {
    for (name, v) in [
        ("court", &m.court),
        ("courtroom", &m.courtroom),
        ("hearing", &m.hearing),
        ("case_number", &m.case_number),
        ("judge", &m.judge),
    ] {
        if v.trim().is_empty() {
            return Err(SearchError::InvalidHearing(format!("{name} is empty")));
        }
        if v.len() > MAX_FILTER_BYTES {
            return Err(SearchError::InvalidHearing(format!(
                "{name} is longer than {MAX_FILTER_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

/// `YYYY-MM-DD` as the number YYYYMMDD (which sorts as the dates do).
fn parse_date(name: &'static str, s: &str) -> Result<u64, SearchError> {
    let bad = || SearchError::InvalidDate {
        name,
        value: s.chars().take(40).collect(),
    };
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: Range<usize>| -> Result<u64, SearchError> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if d == 0 || d > days || y == 0 {
        return Err(bad());
    }
    Ok(y * 10_000 + m * 100 + d)
}

/// The snippet of a hit: the whole text when short, else [`SNIPPET_CHARS`] characters from a
/// little before the first word found, with every word found in it highlighted.
fn make_snippet(gen: &SnippetGenerator, text: &str) -> Snippet {
    let s = gen.snippet(text);
    let shift = s.fragment_range().start;
    let mut highlights: Vec<Range<usize>> = collapse_overlapped_ranges(s.highlighted())
        .into_iter()
        .map(|r| r.start + shift..r.end + shift)
        .collect();
    let chars = text.chars().count();
    if chars <= SNIPPET_CHARS {
        return Snippet {
            text: text.to_string(),
            highlights,
        };
    }
    // Start at the beginning of a word, about 40 characters before the first highlight.
    let first = highlights.first().map_or(0, |r| r.start);
    let before: Vec<(usize, char)> = text[..first].char_indices().collect();
    let mut start = before.len().saturating_sub(40);
    while start > 0 && !before[start - 1].1.is_whitespace() {
        start -= 1;
    }
    let start_byte = before.get(start).map_or(first, |(i, _)| *i);
    let end_byte = text[start_byte..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start_byte + i);
    let prefix = if start_byte > 0 { "…" } else { "" };
    let suffix = if end_byte < text.len() { "…" } else { "" };
    highlights.retain(|r| r.start >= start_byte && r.end <= end_byte);
    let moved = prefix.len();
    Snippet {
        text: format!("{prefix}{}{suffix}", &text[start_byte..end_byte]),
        highlights: highlights
            .into_iter()
            .map(|r| r.start - start_byte + moved..r.end - start_byte + moved)
            .collect(),
    }
}

#[cfg(test)]
mod tests;
