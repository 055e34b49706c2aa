//! Every label the exports print, in Kazakh, Russian and English.

use super::{CaseCategory, UiLang};
use crate::Lang;

/// The fixed labels of one interface language.
pub(crate) struct Labels {
    pub title: &'static str,
    pub court: &'static str,
    pub courtroom: &'static str,
    pub case_number: &'static str,
    pub category: &'static str,
    pub criminal: &'static str,
    pub civil: &'static str,
    pub administrative: &'static str,
    pub date_time: &'static str,
    pub hearing: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub judge: &'static str,
    pub secretary: &'static str,
    pub participants: &'static str,
    pub none: &'static str,
    pub revision: &'static str,
    pub machine: &'static str,
    /// "correction of revision {b}"
    pub correction: &'static str,
    pub author: &'static str,
    pub times_note: &'static str,
    pub transcript: &'static str,
    pub no_speech: &'static str,
    pub in_kazakh: &'static str,
    pub in_russian: &'static str,
    pub certification: &'static str,
    pub certified: &'static str,
    pub not_certified: &'static str,
    pub certified_revision: &'static str,
    pub certified_by: &'static str,
    pub certified_at: &'static str,
    pub sha256: &'static str,
    pub checkpoint: &'static str,
    pub origin: &'static str,
    pub tree_size: &'static str,
    pub root_hash: &'static str,
    pub entry_index: &'static str,
    pub no_checkpoint: &'static str,
    /// "{n}" and "{m}" are replaced.
    pub page_of: &'static str,
    /// "{case}" is replaced.
    pub case_footer: &'static str,
    pub speaker: &'static str,
    /// After a speaker's label repeated on a new page.
    pub continued: &'static str,
}

pub(crate) const KK: Labels = Labels {
    title: "СОТ ОТЫРЫСЫНЫҢ СТЕНОГРАММАСЫ",
    court: "Сот",
    courtroom: "Сот залы",
    case_number: "Іс нөмірі",
    category: "Іс санаты",
    criminal: "қылмыстық іс",
    civil: "азаматтық іс",
    administrative: "әкімшілік іс",
    date_time: "Отырыстың күні мен уақыты",
    hearing: "Сот отырысы",
    open: "ашық",
    closed: "жабық",
    judge: "Төрағалық етуші судья",
    secretary: "Сот отырысының хатшысы",
    participants: "Процеске қатысушылар",
    none: "жоқ",
    revision: "Стенограмма нұсқасы",
    machine: "машиналық тану",
    correction: "{b}-нұсқаны түзету",
    author: "авторы",
    times_note: "Уақыт сот отырысы жазбасының басынан бастап көрсетілген (С:ММ:СС).",
    transcript: "Стенограмма",
    no_speech: "Жазбада сөйлеу жоқ.",
    in_kazakh: "[қазақ тілінде]",
    in_russian: "[орыс тілінде]",
    certification: "Куәландыру",
    certified: "КУӘЛАНДЫРЫЛҒАН",
    not_certified: "КУӘЛАНДЫРЫЛМАҒАН — машиналық стенограмма/жоба",
    certified_revision: "Куәландырылған нұсқа",
    certified_by: "Куәландырған",
    certified_at: "Куәландырылған уақыты",
    sha256: "Нұсқа құжатының SHA-256 хэші",
    checkpoint: "Сот журналының бақылау нүктесі",
    origin: "Журнал (origin)",
    tree_size: "Журнал өлшемі (жазбалар саны)",
    root_hash: "Түбір хэші (base64)",
    entry_index: "Нұсқа жазбасының журналдағы индексі",
    no_checkpoint: "жоқ — нұсқа әлі қол қойылған бақылау нүктесіне енбеген",
    page_of: "{m} беттің {n}-беті",
    case_footer: "Іс № {case}",
    speaker: "Сөйлеуші",
    continued: "(жалғасы)",
};

pub(crate) const RU: Labels = Labels {
    title: "СТЕНОГРАММА СУДЕБНОГО ЗАСЕДАНИЯ",
    court: "Суд",
    courtroom: "Зал судебного заседания",
    case_number: "Номер дела",
    category: "Категория дела",
    criminal: "уголовное дело",
    civil: "гражданское дело",
    administrative: "административное дело",
    date_time: "Дата и время заседания",
    hearing: "Судебное заседание",
    open: "открытое",
    closed: "закрытое",
    judge: "Председательствующий судья",
    secretary: "Секретарь судебного заседания",
    participants: "Участники процесса",
    none: "нет",
    revision: "Редакция стенограммы",
    machine: "машинное распознавание",
    correction: "исправление редакции {b}",
    author: "автор",
    times_note: "Время указано от начала записи заседания (Ч:ММ:СС).",
    transcript: "Стенограмма",
    no_speech: "В записи нет речи.",
    in_kazakh: "[на казахском языке]",
    in_russian: "[на русском языке]",
    certification: "Удостоверение",
    certified: "УДОСТОВЕРЕНО",
    not_certified: "НЕ УДОСТОВЕРЕНО — машинная стенограмма/черновик",
    certified_revision: "Удостоверенная редакция",
    certified_by: "Удостоверил(а)",
    certified_at: "Дата и время удостоверения",
    sha256: "SHA-256 документа редакции",
    checkpoint: "Контрольная точка журнала суда",
    origin: "Журнал (origin)",
    tree_size: "Размер журнала (записей)",
    root_hash: "Корневой хэш (base64)",
    entry_index: "Индекс записи редакции в журнале",
    no_checkpoint: "нет — редакция ещё не вошла в подписанную контрольную точку",
    page_of: "Страница {n} из {m}",
    case_footer: "Дело № {case}",
    speaker: "Говорящий",
    continued: "(продолжение)",
};

pub(crate) const EN: Labels = Labels {
    title: "TRANSCRIPT OF THE COURT HEARING",
    court: "Court",
    courtroom: "Courtroom",
    case_number: "Case number",
    category: "Case category",
    criminal: "criminal",
    civil: "civil",
    administrative: "administrative",
    date_time: "Hearing date and time",
    hearing: "Hearing",
    open: "open",
    closed: "closed",
    judge: "Presiding judge",
    secretary: "Court secretary",
    participants: "Participants",
    none: "none",
    revision: "Transcript revision",
    machine: "machine recognition",
    correction: "correction of revision {b}",
    author: "author",
    times_note: "Times are from the start of the hearing's recording (H:MM:SS).",
    transcript: "Transcript",
    no_speech: "There is no speech in the recording.",
    in_kazakh: "[in Kazakh]",
    in_russian: "[in Russian]",
    certification: "Certification",
    certified: "CERTIFIED",
    not_certified: "NOT CERTIFIED — machine transcript/draft",
    certified_revision: "Certified revision",
    certified_by: "Certified by",
    certified_at: "Certified at",
    sha256: "SHA-256 of the revision document",
    checkpoint: "Court log checkpoint",
    origin: "Log (origin)",
    tree_size: "Tree size (entries)",
    root_hash: "Root hash (base64)",
    entry_index: "Log index of the revision's entry",
    no_checkpoint: "none — the revision is not yet in a signed checkpoint",
    page_of: "Page {n} of {m}",
    case_footer: "Case No. {case}",
    speaker: "Speaker",
    continued: "(continued)",
};

pub(crate) fn labels(lang: UiLang) -> &'static Labels {
    match lang {
        UiLang::Kk => &KK,
        UiLang::Ru => &RU,
        UiLang::En => &EN,
    }
}

impl Labels {
    pub fn category(&self, c: CaseCategory) -> &'static str {
        match c {
            CaseCategory::Criminal => self.criminal,
            CaseCategory::Civil => self.civil,
            CaseCategory::Administrative => self.administrative,
        }
    }

    pub fn lang_mark(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Kk => self.in_kazakh,
            Lang::Ru => self.in_russian,
        }
    }

    pub fn page_of(&self, n: usize, m: usize) -> String {
        self.page_of
            .replace("{n}", &n.to_string())
            .replace("{m}", &m.to_string())
    }

    pub fn case_footer(&self, case: &str) -> String {
        self.case_footer.replace("{case}", case)
    }
}

/// The label of a participant's role, or `None` for a role this table does not know (the
/// exports then print the role as configured). A defendant is "подсудимый" in a criminal
/// case and "ответчик" otherwise.
pub(crate) fn role(role: &str, category: CaseCategory, lang: UiLang) -> Option<&'static str> {
    let key = role.trim().to_lowercase().replace([' ', '-'], "_");
    let i = match lang {
        UiLang::Kk => 0,
        UiLang::Ru => 1,
        UiLang::En => 2,
    };
    let names: [&'static str; 3] = match key.as_str() {
        "judge" => ["Судья", "Судья", "Judge"],
        "secretary" => ["Хатшы", "Секретарь", "Secretary"],
        "prosecutor" => ["Прокурор", "Прокурор", "Prosecutor"],
        "defence" | "defense" | "defender" | "lawyer" | "advocate" => {
            ["Қорғаушы", "Защитник", "Defence counsel"]
        }
        "defendant" if category == CaseCategory::Criminal => {
            ["Сотталушы", "Подсудимый", "Defendant"]
        }
        "defendant" | "respondent" => ["Жауапкер", "Ответчик", "Defendant"],
        "accused" => ["Сотталушы", "Подсудимый", "Defendant"],
        "plaintiff" | "claimant" => ["Талапкер", "Истец", "Plaintiff"],
        "victim" => ["Жәбірленуші", "Потерпевший", "Victim"],
        "witness" => ["Куә", "Свидетель", "Witness"],
        "expert" => ["Сарапшы", "Эксперт", "Expert"],
        "specialist" => ["Маман", "Специалист", "Specialist"],
        "interpreter" | "translator" => ["Аудармашы", "Переводчик", "Interpreter"],
        "representative" => ["Өкіл", "Представитель", "Representative"],
        "third_party" => ["Үшінші тұлға", "Третье лицо", "Third party"],
        "bailiff" => ["Сот приставы", "Судебный пристав", "Bailiff"],
        _ => return None,
    };
    Some(names[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_translated() {
        // A label left in another language, or empty, shows as two equal entries here.
        for l in [&KK, &RU, &EN] {
            assert!(!l.title.is_empty() && !l.no_speech.is_empty());
            assert!(l.page_of.contains("{n}") && l.page_of.contains("{m}"));
            assert!(l.case_footer.contains("{case}") && l.correction.contains("{b}"));
        }
        assert_ne!(KK.no_speech, RU.no_speech);
        assert_ne!(RU.not_certified, EN.not_certified);
        assert_eq!(RU.page_of(2, 7), "Страница 2 из 7");
        assert_eq!(
            role("defendant", CaseCategory::Criminal, UiLang::Ru),
            Some("Подсудимый")
        );
        assert_eq!(
            role("defendant", CaseCategory::Civil, UiLang::Ru),
            Some("Ответчик")
        );
        assert_eq!(
            role("Judge", CaseCategory::Civil, UiLang::Kk),
            Some("Судья")
        );
        assert_eq!(role("usher", CaseCategory::Civil, UiLang::En), None);
    }
}
