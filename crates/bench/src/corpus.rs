//! A generated, deterministic corpus of courtroom transcripts for the search benchmark.
//!
//! Hearings of 20 to 240 minutes in 40 courts (4 judges and 4 courtrooms each) over two
//! years of working days, 10 % of them closed; cases of one to a few hearings. Utterances of
//! 5 to 30 s at 150 words a minute, by judge, prosecutor, defence, defendant, witness,
//! victim, expert and secretary. About 70 % of the utterances are Russian and 30 % Kazakh
//! (Russian hearings, Kazakh hearings and bilingual ones), with Russian legal terms inside
//! Kazakh speech. Words come from a few hundred court-vocabulary lemmas in inflected forms
//! (Russian declension and conjugation paradigms; Kazakh plural, possessive and case
//! suffixes built by vowel harmony and the sound before them), Zipf-distributed, with
//! function words between them, so that stemming decides what a query finds.

use verbatim_search::{HearingMeta, Note};
use verbatim_transcript::{Lang, Utterance};

/// splitmix64: small, fast, deterministic.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// Items drawn with Zipf weights 1/(rank+1)^s, in a seeded order.
pub struct Zipf<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Zipf<T> {
    /// `items` in a seeded random order of rank.
    pub fn new(mut items: Vec<T>, s: f64, rng: &mut Rng) -> Zipf<T> {
        for i in (1..items.len()).rev() {
            let j = rng.below(i + 1);
            items.swap(i, j);
        }
        Zipf::ranked(items, s)
    }

    /// `items` ranked in the order given, most frequent first.
    pub fn ranked(items: Vec<T>, s: f64) -> Zipf<T> {
        let mut total = 0.0;
        let cumulative = (0..items.len())
            .map(|r| {
                total += 1.0 / ((r + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { items, cumulative }
    }

    pub fn draw(&self, rng: &mut Rng) -> &T {
        let x = rng.unit() * self.cumulative.last().copied().unwrap_or(0.0);
        let i = self.cumulative.partition_point(|c| *c < x);
        &self.items[i.min(self.items.len() - 1)]
    }

    pub fn items(&self) -> &[T] {
        &self.items
    }
}

/// A lemma and its inflected forms; the first form is the dictionary form.
#[derive(Clone, Debug)]
pub struct Lemma {
    pub forms: Vec<String>,
}

impl Lemma {
    /// A form, the dictionary form most often.
    pub fn form(&self, rng: &mut Rng) -> &str {
        if rng.chance(0.3) {
            &self.forms[0]
        } else {
            rng.pick(&self.forms).as_str()
        }
    }
}

fn soften(stem: &str, ending: &str) -> String {
    // Russian spelling: ы is written и after г к х ж ш ч щ.
    let hard = stem.ends_with(['г', 'к', 'х', 'ж', 'ш', 'ч', 'щ']);
    if hard && ending.starts_with('ы') {
        format!("{stem}и{}", &ending['ы'.len_utf8()..])
    } else {
        format!("{stem}{ending}")
    }
}

fn paradigm(stem: &str, endings: &[&str]) -> Vec<String> {
    endings.iter().map(|e| soften(stem, e)).collect()
}

const RU_M: &[&str] = &["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"];
const RU_MJ: &[&str] = &["й", "я", "ю", "ем", "е", "и", "ев", "ям", "ями", "ях"];
const RU_MS: &[&str] = &["ь", "я", "ю", "ем", "е", "и", "ей", "ям", "ями", "ях"];
const RU_F: &[&str] = &["а", "ы", "е", "у", "ой", "", "ам", "ами", "ах"];
const RU_FIA: &[&str] = &["ия", "ии", "ию", "ией", "ий", "иям", "иями", "иях"];
const RU_FOST: &[&str] = &["ость", "ости", "остью", "остей", "остям", "остями", "остях"];
const RU_N: &[&str] = &["о", "а", "у", "ом", "е", "", "ам", "ами", "ах"];
const RU_NIE: &[&str] = &["ие", "ия", "ию", "ием", "ии", "ий", "иям", "иями", "иях"];
const RU_ADJ: &[&str] = &[
    "ый", "ая", "ое", "ого", "ому", "ым", "ой", "ую", "ые", "ых", "ыми",
];
const RU_ADJ_OY: &[&str] = &[
    "ой", "ая", "ое", "ого", "ому", "ым", "ую", "ые", "ых", "ыми",
];
const RU_FS: &[&str] = &["ь", "и", "ью", "ей", "ям", "ями", "ях"];
const RU_ADJ_SH: &[&str] = &[
    "ий", "его", "ему", "им", "ем", "ая", "ей", "ую", "ие", "их", "ими",
];

const RU_NOUNS_M: &[&str] = &[
    "суд",
    "иск",
    "приговор",
    "прокурор",
    "адвокат",
    "документ",
    "договор",
    "закон",
    "кодекс",
    "процесс",
    "протокол",
    "эксперт",
    "факт",
    "вопрос",
    "ответ",
    "ущерб",
    "штраф",
    "срок",
    "арест",
    "допрос",
    "обыск",
    "материал",
    "паспорт",
    "банк",
    "кредит",
    "долг",
    "счет",
    "дом",
    "телефон",
    "адрес",
    "рапорт",
    "спор",
    "отказ",
    "запрос",
    "период",
    "размер",
    "характер",
    "ответчик",
    "участник",
    "защитник",
    "переводчик",
    "специалист",
    "директор",
    "бухгалтер",
    "нотариус",
    "юрист",
    "конфликт",
    "перерыв",
    "момент",
    "результат",
    "порядок",
    "расчет",
    "мотив",
    "магазин",
    "подъезд",
    "вывод",
    "приказ",
    "отпуск",
    "штамп",
    "чек",
    "кабинет",
    "регламент",
    "аргумент",
    "статус",
    "ремонт",
];
const RU_NOUNS_MS: &[&str] = &[
    "свидетел",
    "представител",
    "заявител",
    "родител",
    "водител",
    "покупател",
    "следовател",
    "руководител",
    "работодател",
    "секретар",
    "предпринимател",
    "автомобил",
    "учител",
];
const RU_NOUNS_F: &[&str] = &[
    "жалоб",
    "экспертиз",
    "сумм",
    "квартир",
    "работ",
    "справк",
    "улик",
    "норм",
    "причин",
    "вин",
    "мер",
    "процедур",
    "систем",
    "программ",
    "машин",
    "зарплат",
    "аренд",
    "оплат",
    "выплат",
    "травм",
    "угроз",
    "краж",
    "подписк",
    "расписк",
    "сторон",
    "камер",
    "ссор",
    "драк",
    "повестк",
    "карт",
    "проверк",
    "экспертиз",
];
const RU_NOUNS_FIA: &[&str] = &[
    "санкц",
    "компенсац",
    "претенз",
    "апелляц",
    "кассац",
    "инстанц",
    "организац",
    "полиц",
    "пенс",
    "информац",
    "консультац",
    "квалификац",
    "ревиз",
    "операц",
    "позиц",
    "коп",
    "квитанц",
    "комисс",
];
const RU_NOUNS_FOST: &[&str] = &[
    "ответственн",
    "собственн",
    "деятельн",
    "законн",
    "стоим",
    "виновн",
    "недвижим",
    "задолженн",
    "возможн",
    "необходим",
    "подсудн",
    "давн",
    "личн",
    "обязанн",
    "неосторожн",
    "доверенн",
];
const RU_NOUNS_N: &[&str] = &[
    "дел",
    "прав",
    "лиц",
    "слов",
    "мест",
    "имуществ",
    "обществ",
    "доказательств",
    "ходатайств",
    "разбирательств",
    "производств",
    "судопроизводств",
    "государств",
    "мошенничеств",
    "убийств",
    "хулиганств",
    "свойств",
    "письм",
];
const RU_NOUNS_NIE: &[&str] = &[
    "заседан",
    "решен",
    "заявлен",
    "показан",
    "обвинен",
    "определен",
    "постановлен",
    "нарушен",
    "преступлен",
    "наказан",
    "требован",
    "основан",
    "исследован",
    "рассмотрен",
    "взыскан",
    "возмещен",
    "лишен",
    "освобожден",
    "поврежден",
    "удостоверен",
    "мнен",
    "положен",
    "значен",
    "содержан",
    "поведен",
    "задержан",
    "предупрежден",
    "соучаст",
    "участ",
    "хищен",
    "расследован",
    "соглашен",
    "опровержен",
    "признан",
    "извещен",
    "уведомлен",
    "обжалован",
];
const RU_ADJS: &[&str] = &[
    "уголовн",
    "административн",
    "судебн",
    "процессуальн",
    "денежн",
    "виновн",
    "законн",
    "обязательн",
    "письменн",
    "устн",
    "окончательн",
    "апелляционн",
    "кассационн",
    "материальн",
    "моральн",
    "дополнительн",
    "вещественн",
    "необходим",
    "данн",
    "установленн",
    "указанн",
    "представленн",
    "подсудим",
    "обвиняем",
    "осужденн",
    "задержанн",
    "районн",
    "верховн",
    "трудов",
    "налогов",
    "следственн",
    "медицинск",
    "юридическ",
    "гражданск",
    "достоверн",
    "служебн",
    "нов",
    "судейск",
    "человеческ",
];
const RU_ADJS_OY: &[&str] = &["правов", "городск", "областн", "больш"];
const RU_NOUNS_MJ: &[&str] = &["случа", "музе", "трамва", "сара"];
const RU_NOUNS_FS: &[&str] = &["запис", "видеозапис", "подпис", "помощ"];
const RU_ADJS_SH: &[&str] = &["потерпевш", "бывш", "пострадавш", "вынесш", "рабоч"];

/// Verbs (and the irregular noun статья), form by form.
const RU_VERBS: &[&[&str]] = &[
    &[
        "статья",
        "статьи",
        "статье",
        "статью",
        "статьей",
        "статей",
        "статьям",
        "статьях",
    ],
    &[
        "рассматривать",
        "рассматривает",
        "рассматривают",
        "рассматривал",
        "рассмотрел",
        "рассмотреть",
        "рассмотрено",
    ],
    &[
        "признать",
        "признает",
        "признал",
        "признала",
        "признали",
        "признан",
        "признана",
        "признаю",
    ],
    &[
        "заявить",
        "заявил",
        "заявила",
        "заявляет",
        "заявляю",
        "заявили",
    ],
    &[
        "подтвердить",
        "подтверждаю",
        "подтвердил",
        "подтвердила",
        "подтверждает",
    ],
    &[
        "просить",
        "прошу",
        "просит",
        "просил",
        "просила",
        "просим",
        "просили",
    ],
    &["пояснить", "пояснил", "пояснила", "поясните", "поясняет"],
    &["видеть", "видел", "видела", "видели", "вижу", "видит"],
    &["знать", "знаю", "знает", "знал", "знала", "знали"],
    &[
        "находиться",
        "находился",
        "находилась",
        "находится",
        "находились",
    ],
    &["получить", "получил", "получила", "получили", "получено"],
    &[
        "совершить",
        "совершил",
        "совершила",
        "совершено",
        "совершили",
    ],
    &[
        "возражать",
        "возражаю",
        "возражает",
        "возражал",
        "возражала",
    ],
    &[
        "ходатайствовать",
        "ходатайствую",
        "ходатайствует",
        "ходатайствовал",
    ],
    &["объявить", "объявляю", "объявляется", "объявил"],
    &["огласить", "оглашается", "огласил", "оглашаю"],
    &["допросить", "допрошен", "допрошена", "допросил"],
    &["вызвать", "вызывает", "вызван", "вызвана", "вызвали"],
    &["приобщить", "приобщает", "приобщен", "приобщено"],
    &["отказать", "отказал", "отказано", "отказывает"],
    &[
        "удовлетворить",
        "удовлетворено",
        "удовлетворяет",
        "удовлетворил",
    ],
    &["взыскать", "взыскано", "взыскивает"],
    &["назначить", "назначено", "назначил", "назначает"],
    &["отложить", "отложено", "откладывается"],
    &["предоставить", "предоставил", "предоставлено"],
    &["подписать", "подписал", "подписала", "подписано"],
    &["ударить", "ударил", "ударила"],
    &["украсть", "украл", "украла", "украдено"],
    &["заплатить", "заплатил", "заплатила"],
    &["позвонить", "звонил", "звонила", "позвонил", "позвонила"],
    &["приехать", "приехал", "приехала", "приехали"],
    &["понимать", "понимаю", "понимаете", "понимает"],
    &["требовать", "требую", "требует", "требовал"],
    &["настаивать", "настаиваю", "настаивает"],
    &["обжаловать", "обжалован", "обжалует"],
    &["вступить", "вступает", "вступил"],
    &["разъяснить", "разъясняю", "разъяснены"],
    &["продолжить", "продолжаем", "продолжается"],
    &["работать", "работал", "работала", "работает"],
    &["проживать", "проживаю", "проживает", "проживал"],
    &["угрожать", "угрожал", "угрожала", "угрожает"],
    &["вернуть", "вернул", "вернула", "вернули"],
    &["передать", "передал", "передала", "передано"],
];
const RU_FUNCTION: &[&str] = &[
    "и",
    "в",
    "на",
    "не",
    "что",
    "с",
    "по",
    "к",
    "о",
    "за",
    "из",
    "от",
    "до",
    "при",
    "это",
    "был",
    "была",
    "я",
    "он",
    "она",
    "мы",
    "вы",
    "они",
    "также",
    "однако",
    "поэтому",
    "который",
    "которая",
    "ваша",
    "честь",
    "уважаемый",
    "да",
    "нет",
    "его",
    "ее",
    "их",
    "так",
    "как",
    "уже",
    "после",
    "того",
    "этого",
    "там",
    "когда",
    "где",
    "если",
    "то",
];

/// Kazakh back vowels decide the suffix variant; front otherwise.
fn kk_back(stem: &str) -> bool {
    for c in stem.chars().rev() {
        match c {
            'а' | 'о' | 'ұ' | 'ы' | 'я' => return true,
            'ә' | 'е' | 'ө' | 'ү' | 'і' | 'и' => return false,
            _ => {}
        }
    }
    true
}

#[derive(PartialEq, Clone, Copy)]
enum Sound {
    Vowel,
    /// р й у
    Sonorant,
    /// м н ң
    Nasal,
    /// л з ж
    Voiced,
    Voiceless,
}

fn kk_sound(stem: &str) -> Sound {
    match stem.chars().next_back() {
        Some('а' | 'ә' | 'е' | 'о' | 'ө' | 'ұ' | 'ү' | 'ы' | 'і' | 'и' | 'я' | 'ю' | 'э') => {
            Sound::Vowel
        }
        Some('р' | 'й' | 'у') => Sound::Sonorant,
        Some('м' | 'н' | 'ң') => Sound::Nasal,
        Some('л' | 'з' | 'ж') => Sound::Voiced,
        _ => Sound::Voiceless,
    }
}

/// A stem's final п к қ voiced before a vowel suffix (кітап → кітабы).
fn kk_voice(stem: &str) -> String {
    let mut s = stem.to_string();
    let to = match s.chars().next_back() {
        Some('п') => 'б',
        Some('к') => 'г',
        Some('қ') => 'ғ',
        _ => return s,
    };
    s.pop();
    s.push(to);
    s
}

/// Kazakh noun forms: plural, cases, possessive and their combinations.
fn kk_noun(stem: &str) -> Vec<String> {
    let back = kk_back(stem);
    let v = |b: &str, f: &str| if back { b.to_string() } else { f.to_string() };
    let snd = kk_sound(stem);
    let plural = match snd {
        Sound::Vowel | Sound::Sonorant => v("лар", "лер"),
        Sound::Nasal | Sound::Voiced => v("дар", "дер"),
        Sound::Voiceless => v("тар", "тер"),
    };
    let gen = match snd {
        Sound::Vowel | Sound::Sonorant | Sound::Nasal => v("ның", "нің"),
        Sound::Voiced => v("дың", "дің"),
        Sound::Voiceless => v("тың", "тің"),
    };
    let dat = match snd {
        Sound::Voiceless => {
            if stem.ends_with('к') {
                "ке".to_string()
            } else if stem.ends_with('қ') {
                "қа".to_string()
            } else {
                v("қа", "ке")
            }
        }
        _ => v("ға", "ге"),
    };
    let loc = match snd {
        Sound::Voiceless => v("та", "те"),
        _ => v("да", "де"),
    };
    let abl = match snd {
        Sound::Nasal => v("нан", "нен"),
        Sound::Voiceless => v("тан", "тен"),
        _ => v("дан", "ден"),
    };
    let acc = match snd {
        Sound::Vowel => v("ны", "ні"),
        Sound::Voiceless => v("ты", "ті"),
        _ => v("ды", "ді"),
    };
    let ins = match snd {
        Sound::Voiceless => "пен",
        Sound::Voiced if !stem.ends_with('л') => "бен",
        _ => "мен",
    };
    let poss = if snd == Sound::Vowel {
        format!("{stem}{}", v("сы", "сі"))
    } else {
        format!("{}{}", kk_voice(stem), v("ы", "і"))
    };
    let pl = format!("{stem}{plural}");
    let pl_back = kk_back(&pl);
    let pv = |b: &str, f: &str| {
        if pl_back {
            b.to_string()
        } else {
            f.to_string()
        }
    };
    vec![
        stem.to_string(),
        pl.clone(),
        format!("{stem}{gen}"),
        format!("{stem}{dat}"),
        format!("{stem}{loc}"),
        format!("{stem}{abl}"),
        format!("{stem}{acc}"),
        format!("{stem}{ins}"),
        poss.clone(),
        format!("{poss}{}", v("ның", "нің")),
        format!("{poss}{}", v("на", "не")),
        format!("{poss}{}", v("нда", "нде")),
        format!("{poss}н"),
        format!("{pl}{}", pv("дың", "дің")),
        format!("{pl}{}", pv("ды", "ді")),
        format!("{pl}{}", pv("ға", "ге")),
        format!("{pl}{}", pv("ы", "і")),
    ]
}

const KK_NOUNS: &[&str] = &[
    "сот",
    "іс",
    "куә",
    "куәгер",
    "айыпталушы",
    "жәбірленуші",
    "прокурор",
    "адвокат",
    "судья",
    "хатшы",
    "заң",
    "шешім",
    "үкім",
    "талап",
    "арыз",
    "өтініш",
    "дәлел",
    "құжат",
    "қылмыс",
    "жаза",
    "айыппұл",
    "мерзім",
    "келісім",
    "шарт",
    "ақша",
    "мүлік",
    "үй",
    "пәтер",
    "көлік",
    "жұмыс",
    "жалақы",
    "қарыз",
    "банк",
    "несие",
    "телефон",
    "мекенжай",
    "отбасы",
    "бала",
    "әке",
    "ана",
    "әйел",
    "адам",
    "азамат",
    "қызметкер",
    "басшы",
    "полиция",
    "тергеуші",
    "сарапшы",
    "сараптама",
    "хаттама",
    "қаулы",
    "ұйғарым",
    "шағым",
    "тарап",
    "өкіл",
    "қорғаушы",
    "жауапкер",
    "талапкер",
    "дау",
    "құқық",
    "міндет",
    "зиян",
    "залал",
    "өтемақы",
    "төлем",
    "сома",
    "уақыт",
    "күн",
    "ай",
    "жыл",
    "сағат",
    "орын",
    "қала",
    "аудан",
    "облыс",
    "көше",
    "мемлекет",
    "ұрлық",
    "тонау",
    "алаяқтық",
    "төбелес",
    "жарақат",
    "денсаулық",
    "өмір",
    "сұрақ",
    "жауап",
    "сөз",
    "түсінік",
    "айғақ",
    "жағдай",
    "себеп",
    "кінә",
    "тәртіп",
    "бап",
    "бөлім",
    "тармақ",
    "кодекс",
    "қағаз",
    "жер",
    "ауыл",
    "мектеп",
    "аурухана",
    "статья",
    "экспертиза",
    "кітап",
    "аппарат",
];
const KK_VERBS: &[&[&str]] = &[
    &["келу", "келді", "келдім", "келеді", "келген"],
    &["көру", "көрдім", "көрді", "көрген", "көреді"],
    &["айту", "айтты", "айттым", "айтады", "айтқан"],
    &["сұрау", "сұрады", "сұраймын", "сұрайды"],
    &["түсіндіру", "түсіндірді", "түсіндіремін"],
    &["мойындау", "мойындаймын", "мойындады", "мойындамаймын"],
    &["келісу", "келісемін", "келіспеймін", "келісті"],
    &["ұсыну", "ұсынды", "ұсынамын", "ұсынылды"],
    &["қарау", "қарады", "қарайды", "қаралды"],
    &["жариялау", "жариялаймын", "жарияланды"],
    &["тыңдау", "тыңдадық", "тыңдаймыз"],
    &["шақыру", "шақырамыз", "шақырды", "шақырылды"],
    &["төлеу", "төледі", "төлейді", "төлеген"],
    &["алу", "алды", "алған", "алады"],
    &["беру", "берді", "берген", "береді"],
    &["тұру", "тұрады", "тұрған", "тұрамын"],
    &["білу", "білемін", "білмеймін", "білді"],
    &["ұрлау", "ұрлады", "ұрлаған"],
    &["жазу", "жазды", "жазған", "жазылды"],
    &["қанағаттандыру", "қанағаттандырылсын", "қанағаттандырды"],
    &["тағайындау", "тағайындалды", "тағайындаймын"],
    &["қалдыру", "қалдырылды", "қалдырамыз"],
    &["өтіну", "өтінемін", "өтінді"],
    &["жалғастыру", "жалғастырамыз", "жалғастырылды"],
    &["соғу", "соқты", "соққан"],
    &["қайтару", "қайтарды", "қайтарған"],
    &["қорқыту", "қорқытты", "қорқытқан"],
    &["шығару", "шығарды", "шығарылды"],
];
const KK_ADJS: &[&str] = &[
    "қылмыстық",
    "азаматтық",
    "әкімшілік",
    "заңды",
    "кінәлі",
    "кінәсіз",
    "жазбаша",
    "ауызша",
    "қосымша",
    "соңғы",
    "маңызды",
    "қажетті",
    "жаңа",
    "бұрынғы",
    "ақшалай",
];
const KK_FUNCTION: &[&str] = &[
    "және",
    "бұл",
    "осы",
    "сол",
    "мен",
    "сіз",
    "біз",
    "ол",
    "олар",
    "бойынша",
    "туралы",
    "үшін",
    "бірақ",
    "сондықтан",
    "емес",
    "бар",
    "жоқ",
    "иә",
    "қазір",
    "енді",
    "тағы",
    "да",
    "де",
    "ғана",
    "ма",
    "ме",
    "дейін",
    "кейін",
    "соң",
    "қарсы",
    "ретінде",
    "құрметті",
    "деп",
    "еді",
];

/// Zipf exponent of content words. With a vocabulary of a few hundred lemmas the most
/// frequent ones occur in most utterances: every posting list is long, which makes the
/// benchmark harder than real speech with its thousands of lemmas.
pub const CONTENT_ZIPF: f64 = 0.8;

/// The vocabulary of one language: content lemmas (Zipf) and function words (Zipf).
pub struct Vocabulary {
    pub content: Zipf<Lemma>,
    pub function: Zipf<&'static str>,
}

pub fn russian(rng: &mut Rng) -> Vocabulary {
    let mut lemmas = Vec::new();
    let mut add = |stems: &[&str], endings: &[&str]| {
        for s in stems {
            lemmas.push(Lemma {
                forms: paradigm(s, endings),
            });
        }
    };
    add(RU_NOUNS_M, RU_M);
    add(RU_NOUNS_MS, RU_MS);
    add(RU_NOUNS_MJ, RU_MJ);
    add(RU_NOUNS_F, RU_F);
    add(RU_NOUNS_FIA, RU_FIA);
    add(RU_NOUNS_FOST, RU_FOST);
    add(RU_NOUNS_N, RU_N);
    add(RU_NOUNS_NIE, RU_NIE);
    add(RU_ADJS, RU_ADJ);
    add(RU_ADJS_OY, RU_ADJ_OY);
    add(RU_NOUNS_FS, RU_FS);
    add(RU_ADJS_SH, RU_ADJ_SH);
    for v in RU_VERBS {
        lemmas.push(Lemma {
            forms: v.iter().map(|s| s.to_string()).collect(),
        });
    }
    Vocabulary {
        content: Zipf::new(lemmas, CONTENT_ZIPF, rng),
        function: Zipf::new(RU_FUNCTION.to_vec(), 1.0, rng),
    }
}

pub fn kazakh(rng: &mut Rng) -> Vocabulary {
    let mut lemmas: Vec<Lemma> = KK_NOUNS
        .iter()
        .map(|s| Lemma { forms: kk_noun(s) })
        .collect();
    for v in KK_VERBS {
        lemmas.push(Lemma {
            forms: v.iter().map(|s| s.to_string()).collect(),
        });
    }
    for a in KK_ADJS {
        lemmas.push(Lemma {
            forms: vec![a.to_string()],
        });
    }
    Vocabulary {
        content: Zipf::new(lemmas, CONTENT_ZIPF, rng),
        function: Zipf::new(KK_FUNCTION.to_vec(), 1.0, rng),
    }
}

/// Roles and how often each speaks.
pub const ROLES: &[(&str, f64)] = &[
    ("judge", 0.28),
    ("prosecutor", 0.15),
    ("defence", 0.15),
    ("witness", 0.15),
    ("defendant", 0.1),
    ("victim", 0.06),
    ("expert", 0.06),
    ("secretary", 0.05),
];

const SURNAMES: &[&str] = &[
    "Ахметов",
    "Сейітов",
    "Иванов",
    "Петров",
    "Омаров",
    "Нұрланов",
    "Жақсыбеков",
    "Смагулов",
    "Байжанов",
    "Касымов",
    "Абенов",
    "Мусин",
    "Оспанов",
    "Сидоров",
    "Кузнецов",
    "Есенов",
    "Төлеуов",
    "Серіков",
    "Жұмабаев",
    "Ким",
    "Ли",
    "Попов",
    "Волков",
    "Әбдіров",
    "Қайратов",
    "Бекмұханов",
    "Мамедов",
    "Ержанов",
    "Тоқтаров",
    "Сәрсенбаев",
];
const INITIALS: &[&str] = &[
    "А.", "Б.", "Е.", "Ж.", "И.", "К.", "М.", "Н.", "О.", "С.", "Т.",
];

const NOTES_RU: &[&str] = &[
    "Свидетель предупреждён об ответственности",
    "Приобщено вещественное доказательство",
    "Объявлен перерыв",
    "Подсудимый доставлен конвоем",
    "Оглашены показания свидетеля",
    "Ходатайство защиты о вызове эксперта",
    "Прокурор огласил обвинение",
    "Стороны не возражают",
    "Исследованы письменные материалы дела",
    "Потерпевший прибыл в зал судебного заседания",
];
const NOTES_KK: &[&str] = &[
    "Куәгер жауапкершілік туралы ескертілді",
    "Дәлел іске қоса тіркелді",
    "Үзіліс жарияланды",
    "Айыпталушы сотқа әкелінді",
    "Қорғаушының өтініші қаралды",
    "Сарапшы сұрақтарға жауап берді",
    "Тараптар қарсы емес",
    "Істің жазбаша материалдары зерттелді",
];

/// One hearing's plan: its metadata; the text is generated from `seed` on demand.
#[derive(Clone, Debug)]
pub struct HearingPlan {
    pub meta: HearingMeta,
    pub minutes: u64,
    /// Share of its utterances in Russian.
    pub ru_share: f64,
    pub seed: u64,
}

/// The corpus's metadata: hearings until `hours` of hearings are planned.
pub struct Corpus {
    pub hearings: Vec<HearingPlan>,
    pub courts: Vec<String>,
    pub judges: Vec<String>,
}

pub const COURTS: usize = 40;
pub const JUDGES_PER_COURT: usize = 4;
/// 2025-01-01 as days since 1970-01-01.
const FIRST_DAY: i64 = 20_089;
pub const DAYS: i64 = 730;

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
pub fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// A date in the corpus's two years, as `YYYY-MM-DD`, `offset` days after the first.
pub fn corpus_date(offset: i64) -> String {
    civil(FIRST_DAY + offset.clamp(0, DAYS - 1))
}

impl Corpus {
    pub fn plan(hours: u64, seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let courts: Vec<String> = (1..=COURTS).map(|c| format!("court-{c:02}")).collect();
        let judges: Vec<String> = (1..=COURTS * JUDGES_PER_COURT)
            .map(|j| format!("judge-{j:03}"))
            .collect();
        let mut last_case: Vec<Option<(String, i64)>> = vec![None; COURTS];
        let mut case_counter = 0u64;
        let mut hearings = Vec::new();
        let mut minutes_left = hours * 60;
        let mut n = 0u64;
        while minutes_left > 0 {
            let minutes = rng.range(20, 240).min(minutes_left.max(1));
            minutes_left = minutes_left.saturating_sub(minutes);
            let c = rng.below(COURTS);
            let judge = &judges[c * JUDGES_PER_COURT + rng.below(JUDGES_PER_COURT)];
            let room = format!("{}-room-{}", courts[c], rng.range(1, 4));
            // Cases of 1 to a few hearings: 40 % continue the court's latest case.
            let (case_number, day) = match &last_case[c] {
                Some((case, day)) if rng.chance(0.4) && *day + 30 < DAYS => {
                    (case.clone(), day + rng.range(7, 30) as i64)
                }
                _ => {
                    case_counter += 1;
                    let day = rng.range(0, (DAYS - 1) as u64) as i64;
                    let category = ["1", "2", "3"][rng.below(3)];
                    let year = 2025 + day / 365;
                    (format!("{category}-{case_counter}/{year}"), day)
                }
            };
            // Working days only.
            let weekday = (FIRST_DAY + day + 3).rem_euclid(7); // 0 = Monday
            let day = if weekday >= 5 {
                (day - (weekday - 4)).max(0)
            } else {
                day
            };
            last_case[c] = Some((case_number.clone(), day));
            // Russian hearings, Kazakh hearings and bilingual ones: ~70 % Russian overall.
            let lang_draw = rng.unit();
            let ru_share = if lang_draw < 0.62 {
                0.95
            } else if lang_draw < 0.84 {
                0.1
            } else {
                0.5
            };
            n += 1;
            hearings.push(HearingPlan {
                meta: HearingMeta {
                    court: courts[c].clone(),
                    courtroom: room,
                    hearing: format!("h-{n:06}"),
                    case_number,
                    judge: judge.clone(),
                    date: corpus_date(day),
                    closed: rng.chance(0.1),
                },
                minutes,
                ru_share,
                seed: rng.next_u64(),
            });
        }
        Corpus {
            hearings,
            courts,
            judges,
        }
    }
}

/// The text generator (vocabularies of both languages).
pub struct Writer {
    ru: Vocabulary,
    kk: Vocabulary,
    /// Russian legal terms used inside Kazakh speech.
    loans: Vec<Lemma>,
}

impl Writer {
    pub fn new(seed: u64) -> Writer {
        let mut rng = Rng::new(seed ^ 0x766f_6361_6275_6c61);
        let ru = russian(&mut rng);
        let kk = kazakh(&mut rng);
        let loans = ru
            .content
            .items()
            .iter()
            .filter(|l| l.forms[0].chars().count() > 5)
            .take(40)
            .cloned()
            .collect();
        Writer { ru, kk, loans }
    }

    pub fn vocabulary(&self, lang: Lang) -> &Vocabulary {
        match lang {
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
        }
    }

    /// About `words` words of courtroom speech in `lang`, in sentences.
    pub fn speech(&self, lang: Lang, words: usize, rng: &mut Rng, out: &mut String) {
        let vocab = self.vocabulary(lang);
        let mut left = words;
        while left > 0 {
            let len = (rng.range(4, 14) as usize).min(left);
            left -= len;
            let start = out.len();
            for i in 0..len {
                if i > 0 {
                    out.push(' ');
                }
                if rng.chance(0.35) {
                    out.push_str(vocab.function.draw(rng));
                } else if lang == Lang::Kk && rng.chance(0.04) {
                    out.push_str(rng.pick(&self.loans).form(rng));
                } else if rng.chance(0.01) {
                    out.push_str(&rng.range(1, 500).to_string());
                } else {
                    out.push_str(vocab.content.draw(rng).form(rng));
                }
            }
            // Capitalise the sentence.
            if let Some(first) = out[start..].chars().next() {
                let upper: String = first.to_uppercase().collect();
                out.replace_range(start..start + first.len_utf8(), &upper);
            }
            out.push_str(if rng.chance(0.15) { "? " } else { ". " });
        }
        while out.ends_with(' ') {
            out.pop();
        }
    }

    /// A hearing's utterances and notes.
    pub fn hearing(&self, plan: &HearingPlan) -> (Vec<Utterance>, Vec<Note>) {
        let mut rng = Rng::new(plan.seed);
        let speakers: Vec<Option<String>> = ROLES
            .iter()
            .map(|(role, _)| {
                (*role != "secretary")
                    .then(|| format!("{} {}", rng.pick(SURNAMES), rng.pick(INITIALS)))
            })
            .collect();
        let end_ms = plan.minutes * 60_000;
        let mut at = rng.range(0, 5000);
        let mut utterances = Vec::new();
        let mut notes = Vec::new();
        let mut next_note = rng.range(60_000, 600_000);
        while at < end_ms {
            let dur = rng.range(5_000, 30_000);
            let mut x = rng.unit();
            let mut r = 0;
            while r + 1 < ROLES.len() && x > ROLES[r].1 {
                x -= ROLES[r].1;
                r += 1;
            }
            let lang = if rng.chance(plan.ru_share) {
                Lang::Ru
            } else {
                Lang::Kk
            };
            // 150 words a minute.
            let words = (dur * 150 / 60_000).max(1) as usize;
            let mut text = String::with_capacity(words * 9);
            self.speech(lang, words, &mut rng, &mut text);
            let mic = format!("mic-{}", ROLES[r].0);
            utterances.push(Utterance {
                id: format!("{mic}@{at}"),
                mic,
                role: ROLES[r].0.to_string(),
                speaker: speakers[r].clone(),
                lang,
                start_ms: at,
                end_ms: at + dur,
                text,
                words: Vec::new(),
                edited: false,
            });
            if at >= next_note {
                let kk = !rng.chance(plan.ru_share);
                let text = if kk {
                    rng.pick(NOTES_KK)
                } else {
                    rng.pick(NOTES_RU)
                };
                notes.push(Note {
                    start_ms: at,
                    author: "secretary".into(),
                    role: ROLES[r].0.to_string(),
                    text: (*text).to_string(),
                });
                next_note = at + rng.range(120_000, 900_000);
            }
            at += dur + rng.range(200, 3_000);
        }
        (utterances, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_kazakh_forms_are_right() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(FIRST_DAY), "2025-01-01");
        assert_eq!(corpus_date(DAYS - 1), "2026-12-31");
        let f = kk_noun("сот");
        for form in [
            "соттар",
            "соттың",
            "сотқа",
            "сотта",
            "соттан",
            "сотты",
            "сотпен",
            "соты",
            "сотының",
        ] {
            assert!(f.contains(&form.to_string()), "{form} not in {f:?}");
        }
        let f = kk_noun("куәгер");
        assert!(f.contains(&"куәгерлерді".to_string()), "{f:?}");
        assert!(kk_noun("кітап").contains(&"кітабы".to_string()));
        assert_eq!(paradigm("иск", RU_M)[5], "иски");
    }

    #[test]
    fn the_corpus_is_deterministic_and_sized() {
        let a = Corpus::plan(10, 7);
        let b = Corpus::plan(10, 7);
        let minutes: u64 = a.hearings.iter().map(|h| h.minutes).sum();
        assert_eq!(minutes, 600);
        let w = Writer::new(7);
        let (u1, n1) = w.hearing(&a.hearings[0]);
        let (u2, n2) = Writer::new(7).hearing(&b.hearings[0]);
        assert_eq!(u1, u2);
        assert_eq!(n1, n2);
        assert!(!u1.is_empty());
    }
}
