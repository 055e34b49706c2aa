//! Text analysis: how utterances, notes and queries become index terms.
//!
//! Two analyzers, one per text field, both `SimpleTokenizer` (runs of letters and digits) →
//! drop tokens over [`MAX_TOKEN_BYTES`] → lowercase → `ё` as `е` → (Russian field only)
//! Snowball's Russian stop words (the list PostgreSQL's `russian` configuration uses too) →
//! [`CourtStemmer`]. The stemmer decides **per word** which language's rules to apply, so
//! that a Kazakh word inside a Russian sentence (and the reverse), which is ordinary speech in
//! a Kazakh courtroom, is still stemmed sensibly:
//!
//! * A word with a letter only Kazakh has (`ә ғ қ ң ө ұ ү һ і`) is Kazakh, in either field.
//! * Otherwise the field decides: `text_ru` words get Snowball Russian (the `frostem` crate,
//!   the same stemmer tantivy's own `Stemmer` filter wraps); `text_kk` words get the Kazakh
//!   rules below.
//! * A Kazakh-stemmed word that is left with a letter native Kazakh words do not use
//!   (`в ф ц ч щ ъ ь э`, so a Russian loan such as `судья`, `статья`) and no Kazakh letter is
//!   then stemmed as Russian too: `судьяның` → `судья` → `суд`, the stem of `судья`, `судьи`.
//!
//! Queries go through the same two analyzers (each word is looked up as its `text_ru` term or
//! its `text_kk` term), so a word form always finds itself, and inflected forms meet at a
//! common stem whenever the field's rules bring them there.
//!
//! # The Kazakh stemmer
//!
//! Kazakh is agglutinative: suffixes follow the stem in a fixed order (plural, possessive,
//! case, personal ending: `куәгер-лер-і-нің`), and each has variants by vowel harmony and by
//! the sound before it. [`kazakh_stem`] takes the slots of [`KAZAKH_SUFFIXES`] from the
//! outside in (personal, case, possessive, plural) and removes at most one suffix of each:
//! the **longest** that leaves at least [`KAZAKH_MIN_STEM`] letters including a vowel (so
//! `сотының` is `сот-ы-ның`, never `со-ты-ның`). Then a final `б`/`г`/`ғ` becomes
//! `п`/`к`/`қ` (a stem's voiceless final is voiced before a vowel: `жауап`/`жауабы`,
//! `тарақ`/`тарағы`). Suffixes: plural `-лар -лер -дар -дер -тар -тер`; genitive `-ның -нің -дың -дің -тың
//! -тің`; dative `-ға -ге -қа -ке -на -не`; locative `-да -де -та -те -нда -нде`; ablative
//! `-дан -ден -тан -тен -нан -нен`; accusative `-ны -ні -ды -ді -ты -ті -ын -ін`; instrumental
//! `-мен -бен -пен -менен`; locative adjective `-дағы -дегі -тағы -тегі -ндағы -ндегі`;
//! possessive `-ым -ім -ың -ің -сы -сі -ы -і -ымыз -іміз -мыз -міз -ыңыз -іңіз -ңыз -ңіз`;
//! personal `-мын -мін -бын -бін -пын -пін -сың -сің -быз -біз -пыз -піз`.
//!
//! Left alone on purpose: `-сыз/-сіз` ("without": `кінәсіз`, innocent, must not meet `кінә`,
//! guilt), derivational suffixes (`-шы`, `-лық`, `-ғы`), which make new words, and verb
//! morphology (tense, mood, person), which this light stemmer does not attempt. It
//! over-stems some words (`жеке` → `же`) and cannot tell a Russian word in the Kazakh field
//! from a Kazakh one when it has no telling letter (`суда` there becomes `су`); both only widen
//! matches.

use std::borrow::Cow;

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, StopWordFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};
use verbatim_transcript::Lang;

/// Name under which the Russian-field analyzer is registered.
pub const RU_ANALYZER: &str = "verbatim_ru";
/// Name under which the Kazakh-field analyzer is registered.
pub const KK_ANALYZER: &str = "verbatim_kk";
/// Name of the case-insensitive keyword analyzer (speaker names).
pub const KEYWORD_CI_ANALYZER: &str = "verbatim_keyword_ci";

/// Longer tokens (in UTF-8 bytes) are not indexed: 40 Cyrillic letters.
pub const MAX_TOKEN_BYTES: usize = 80;
/// The shortest stem the Kazakh rules leave, in letters.
pub const KAZAKH_MIN_STEM: usize = 2;

/// The Kazakh suffixes [`kazakh_stem`] removes, by slot, outermost first: personal
/// (predicative) endings, case endings, possessives, plural. See the module documentation.
pub const KAZAKH_SUFFIXES: &[&[&str]] = &[
    // personal (predicative)
    &[
        "мын", "мін", "бын", "бін", "пын", "пін", "сың", "сің", "быз", "біз", "пыз", "піз",
    ],
    // case
    &[
        // genitive
        "ның",
        "нің",
        "дың",
        "дің",
        "тың",
        "тің", // dative
        "ға",
        "ге",
        "қа",
        "ке",
        "на",
        "не", // locative
        "да",
        "де",
        "та",
        "те",
        "нда",
        "нде", // ablative
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен", // accusative
        "ны",
        "ні",
        "ды",
        "ді",
        "ты",
        "ті",
        "ын",
        "ін", // instrumental
        "мен",
        "бен",
        "пен",
        "менен", // locative adjective
        "дағы",
        "дегі",
        "тағы",
        "тегі",
        "ндағы",
        "ндегі",
    ],
    // possessive
    &[
        "ым", "ім", "ың", "ің", "сы", "сі", "ы", "і", "ымыз", "іміз", "мыз", "міз", "ыңыз", "іңіз",
        "ңыз", "ңіз",
    ],
    // plural
    &["лар", "лер", "дар", "дер", "тар", "тер"],
];

const KAZAKH_LETTERS: &[char] = &['ә', 'ғ', 'қ', 'ң', 'ө', 'ұ', 'ү', 'һ', 'і'];
/// Letters of Russian loans that native Kazakh words do not use.
const RUSSIAN_MARKERS: &[char] = &['в', 'ф', 'ц', 'ч', 'щ', 'ъ', 'ь', 'э', 'ё'];
const VOWELS: &[char] = &[
    'а', 'ә', 'е', 'ё', 'и', 'о', 'ө', 'у', 'ұ', 'ү', 'ы', 'і', 'э', 'ю', 'я',
];

/// Whether `text` has a letter that only Kazakh has (`ә ғ қ ң ө ұ ү һ і`, either case).
pub fn has_kazakh_letter(text: &str) -> bool {
    text.chars().any(|c| {
        KAZAKH_LETTERS.contains(&c) || c.to_lowercase().any(|l| KAZAKH_LETTERS.contains(&l))
    })
}

fn has_russian_marker(word: &str) -> bool {
    word.chars().any(|c| RUSSIAN_MARKERS.contains(&c))
}

/// The language of a note's text, which has no language of its own: Kazakh when it has a
/// letter only Kazakh has, else Russian.
pub fn guess_lang(text: &str) -> Lang {
    if has_kazakh_letter(text) {
        Lang::Kk
    } else {
        Lang::Ru
    }
}

/// Removes Kazakh suffixes from a lowercase word (see the module documentation); then
/// unvoices a final `б`/`г`/`ғ`.
pub fn kazakh_stem(word: &str) -> String {
    let mut stem = kazakh_strip(word).to_string();
    devoice(&mut stem);
    stem
}

fn kazakh_strip(word: &str) -> &str {
    let mut stem = word;
    for slot in KAZAKH_SUFFIXES {
        let longest = slot
            .iter()
            .filter(|s| stem.ends_with(**s))
            .map(|s| &stem[..stem.len() - s.len()])
            .filter(|rest| {
                rest.chars().count() >= KAZAKH_MIN_STEM && rest.chars().any(|c| VOWELS.contains(&c))
            })
            .min_by_key(|rest| rest.len());
        if let Some(rest) = longest {
            stem = rest;
        }
    }
    stem
}

fn devoice(stem: &mut String) {
    let last = stem.chars().next_back();
    let to = match last {
        Some('б') => 'п',
        Some('г') => 'к',
        Some('ғ') => 'қ',
        _ => return,
    };
    stem.pop();
    stem.push(to);
}

/// The index term of one lowercase word in the field of `field_lang` (see the module
/// documentation). Also used by tests and the benchmark to predict terms.
pub fn stem_word(word: &str, field_lang: Lang) -> String {
    let russian = frostem::Stemmer::new(frostem::Algorithm::Russian);
    stem_with(&russian, word, field_lang)
}

fn stem_with(russian: &frostem::Stemmer, word: &str, field_lang: Lang) -> String {
    let word: Cow<str> = if word.contains('ё') {
        Cow::Owned(word.replace('ё', "е"))
    } else {
        Cow::Borrowed(word)
    };
    if field_lang == Lang::Ru && !has_kazakh_letter(&word) {
        return russian.stem(&word).into_owned();
    }
    let stripped = kazakh_strip(&word);
    if has_russian_marker(stripped) && !has_kazakh_letter(stripped) {
        russian.stem(stripped).into_owned()
    } else {
        let mut s = stripped.to_string();
        devoice(&mut s);
        s
    }
}

/// The token filter that stems each word by the rules of the module documentation.
#[derive(Clone, Copy)]
pub struct CourtStemmer {
    field_lang: Lang,
}

impl CourtStemmer {
    /// The stemmer of the text field for `field_lang`.
    pub fn new(field_lang: Lang) -> Self {
        CourtStemmer { field_lang }
    }
}

impl TokenFilter for CourtStemmer {
    type Tokenizer<T: Tokenizer> = CourtStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CourtStemmerFilter<T> {
        CourtStemmerFilter {
            inner: tokenizer,
            field_lang: self.field_lang,
        }
    }
}

/// [`CourtStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CourtStemmerFilter<T> {
    inner: T,
    field_lang: Lang,
}

impl<T: Tokenizer> Tokenizer for CourtStemmerFilter<T> {
    type TokenStream<'a> = CourtStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CourtStemmerStream {
            tail: self.inner.token_stream(text),
            russian: frostem::Stemmer::new(frostem::Algorithm::Russian),
            field_lang: self.field_lang,
        }
    }
}

/// The token stream of [`CourtStemmerFilter`].
pub struct CourtStemmerStream<S> {
    tail: S,
    russian: frostem::Stemmer,
    field_lang: Lang,
}

impl<S: TokenStream> TokenStream for CourtStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let stem = stem_with(&self.russian, &token.text, self.field_lang);
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The token filter that writes `ё` as `е` (before stop words and stemming, so `всё`, `её`
/// are the stop words `все`, `ее`).
#[derive(Clone, Copy)]
pub struct YoToYe;

impl TokenFilter for YoToYe {
    type Tokenizer<T: Tokenizer> = YoToYeFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> YoToYeFilter<T> {
        YoToYeFilter { inner: tokenizer }
    }
}

/// [`YoToYe`] applied to a tokenizer.
#[derive(Clone)]
pub struct YoToYeFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for YoToYeFilter<T> {
    type TokenStream<'a> = YoToYeStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        YoToYeStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`YoToYeFilter`].
pub struct YoToYeStream<S> {
    tail: S,
}

impl<S: TokenStream> TokenStream for YoToYeStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if token.text.contains('ё') {
            token.text = token.text.replace('ё', "е");
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The analyzer of the text field for `lang`.
pub fn analyzer(lang: Lang) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(YoToYe);
    match lang {
        Lang::Ru => base
            .filter(StopWordFilter::new(Language::Russian).expect("tantivy has Russian stop words"))
            .filter(CourtStemmer::new(Lang::Ru))
            .build(),
        Lang::Kk => base.filter(CourtStemmer::new(Lang::Kk)).build(),
    }
}

/// Registers the analyzers the schema names.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(RU_ANALYZER, analyzer(Lang::Ru));
    manager.register(KK_ANALYZER, analyzer(Lang::Kk));
    manager.register(
        KEYWORD_CI_ANALYZER,
        TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
}

/// The Russian-field terms a query word should match: its own stem and, for surname-like
/// words, the stems of its other case forms.
///
/// Snowball over-stems Russian surnames in -ов/-ев/-ин/-ын: the nominative "Иванов" loses
/// its -ов (as if it were the genitive plural of "Иван"), while every other case ("Иванова",
/// "Иванову", "Ивановым") keeps it. A search for "Иванов" must still find "по обвинению
/// Иванова", and the other way round, so the query (never the index) is widened: a word in
/// -ов etc. also matches the stem of its genitive, and a stem in -ов etc. also matches that
/// stem's own stem (the nominative's).
pub fn russian_query_terms(word: &str) -> Vec<String> {
    const SURNAME: [&str; 4] = ["ов", "ев", "ин", "ын"];
    let lower = word.to_lowercase().replace('ё', "е");
    let mut out: Vec<String> = terms(Lang::Ru, &lower).into_iter().take(1).collect();
    let Some(stem) = out.first().cloned() else {
        return out;
    };
    if has_kazakh_letter(&lower) {
        return out;
    }
    let surname_like = |w: &str| w.chars().count() >= 5 && SURNAME.iter().any(|e| w.ends_with(e));
    let mut add = |t: Option<String>| {
        if let Some(t) = t {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    };
    if surname_like(&lower) {
        add(terms(Lang::Ru, &format!("{lower}а")).into_iter().next());
    }
    if surname_like(&stem) {
        add(terms(Lang::Ru, &stem).into_iter().next());
    }
    out
}

/// The terms `text` gives in the field of `lang`, in order.
pub fn terms(lang: Lang, text: &str) -> Vec<String> {
    let mut analyzer = analyzer(lang);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_suffixes_come_off_down_to_the_stem() {
        for (word, stem) in [
            ("сот", "сот"),
            ("соттың", "сот"),
            ("сотқа", "сот"),
            ("сотта", "сот"),
            ("соттан", "сот"),
            ("сотты", "сот"),
            ("сотпен", "сот"),
            ("сотының", "сот"),
            ("куәгер", "куәгер"),
            ("куәгерлерді", "куәгер"),
            ("куәгерлердің", "куәгер"),
            ("куәгері", "куәгер"),
            ("қаласының", "қала"),
            ("қалада", "қала"),
            ("іс", "іс"),
            ("істің", "іс"),
            ("істер", "іс"),
            ("жауап", "жауап"),
            ("жауабы", "жауап"),
            ("адамдардың", "адам"),
            ("ата", "ата"),
            ("кінәсіз", "кінәсіз"),
            ("балаларының", "бала"),
            ("сотында", "сот"),
            ("сотына", "сот"),
            ("статьясы", "статья"),
        ] {
            assert_eq!(kazakh_stem(word), stem, "{word}");
        }
    }

    #[test]
    fn words_are_stemmed_by_their_own_language_in_either_field() {
        // Russian in the Russian field.
        assert_eq!(terms(Lang::Ru, "Свидетеля"), terms(Lang::Ru, "свидетель"));
        assert_eq!(terms(Lang::Ru, "даёт"), terms(Lang::Ru, "дает"));
        assert_eq!(terms(Lang::Ru, "Её всё"), Vec::<String>::new());
        // Stop words are dropped from the Russian field only.
        assert!(terms(Lang::Ru, "и в не").is_empty());
        // A Kazakh word inside a Russian utterance is stemmed as Kazakh.
        assert_eq!(terms(Lang::Ru, "соттың"), vec!["сот"]);
        assert_eq!(terms(Lang::Kk, "Соттың"), vec!["сот"]);
        // A Russian loan with Kazakh endings meets its Russian forms.
        assert_eq!(terms(Lang::Kk, "судьяның"), terms(Lang::Ru, "судьи"));
        assert_eq!(terms(Lang::Ru, "судьяның"), terms(Lang::Ru, "судья"));
        // Overlong tokens are not indexed.
        assert!(terms(Lang::Kk, &"а".repeat(41)).is_empty());
        assert_eq!(guess_lang("Куәгер келді"), Lang::Kk);
        assert_eq!(guess_lang("Свидетель явился"), Lang::Ru);
        assert!(has_kazakh_letter("ҚАЗАҚ"));
    }
}
