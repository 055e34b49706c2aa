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
    /// The certificate of an evidence bundle.
    pub cert: CertificateLabels,
}

/// The labels of an evidence bundle's certificate.
pub(crate) struct CertificateLabels {
    pub title: &'static str,
    /// Under the title: what the document is.
    pub subtitle: &'static str,
    pub hearing_id: &'static str,
    pub hearing_date: &'static str,
    pub span: &'static str,
    pub created: &'static str,
    pub streams: &'static str,
    pub stream: &'static str,
    pub kind: &'static str,
    pub segments: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub camera: &'static str,
    pub microphone: &'static str,
    pub transcript: &'static str,
    pub root_hash: &'static str,
    pub entries: &'static str,
    pub note: &'static str,
    pub key_name: &'static str,
    pub key: &'static str,
    pub qr_caption: &'static str,
    pub files: &'static str,
    /// "{n}" files, "{b}" bytes in all.
    pub files_total: &'static str,
    pub file: &'static str,
    pub size: &'static str,
    pub derived: &'static str,
    pub derived_note: &'static str,
    pub how_to_verify: &'static str,
    /// "{cmd}" is replaced by `verify_cmd`, set in bold.
    pub verify_text: &'static str,
    pub verify_cmd: &'static str,
    pub footer: &'static str,
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
    cert: CertificateLabels {
        title: "СОТ ОТЫРЫСЫНЫҢ ЖАЗБАСЫН КӨШІРУ КУӘЛІГІ",
        subtitle: "Сот отырысы жазбасының көшірмесі және оның сот журналы бойынша тұтастығының дәлелі",
        hearing_id: "Сот отырысының сәйкестендіргіші",
        hearing_date: "Сот отырысының күні",
        span: "Жазба аралығы",
        created: "Көшірме жасалған уақыт",
        streams: "Жазба ағындары",
        stream: "Ағын",
        kind: "Түрі",
        segments: "Сегменттер",
        from: "Басы",
        to: "Соңы",
        camera: "бейнекамера",
        microphone: "микрофон",
        transcript: "стенограмма",
        root_hash: "Түбір хэші (SHA-256, hex)",
        entries: "Журнал жазбалары",
        note: "Қол қойылған бақылау нүктесінің мәтіні",
        key_name: "Тексеру кілтінің атауы",
        key: "Тексеру кілті (vkey)",
        qr_caption: "QR-кодта сот журналының қол қойылған бақылау нүктесі бар (жоғарыдағы мәтін, байтына дейін дәл). Оны көшірмедегі бақылау нүктесімен және сот жариялаған журналмен салыстырыңыз.",
        files: "Дәлелмен қамтылған файлдар",
        files_total: "Файлдар саны: {n}; жалпы көлемі: {b} байт",
        file: "Файл",
        size: "Көлемі, байт",
        derived: "Туынды файлдар (дәлелмен қамтылмаған)",
        derived_note: "Бұл файлдар жазбадан жасалған (мысалы, қарауға ыңғайлы болу үшін) және сот журналы бойынша тексерілмейді.",
        how_to_verify: "Қалай тексеруге болады",
        verify_text: "{cmd} командасын іске қосыңыз немесе көшірмедегі verify.html файлын браузерде ашыңыз. Тексеру сотпен байланысты қажет етпейді; жоғарыда көрсетілген тексеру кілтін сот жариялаған кілтпен салыстырыңыз.",
        verify_cmd: "verbatim verify <көшірме>",
        footer: "Жазбаны көшіру куәлігі",
    },
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
    cert: CertificateLabels {
        title: "СВИДЕТЕЛЬСТВО О ВЫГРУЗКЕ ЗАПИСИ СУДЕБНОГО ЗАСЕДАНИЯ",
        subtitle: "Копия записи судебного заседания с доказательством её целостности по журналу суда",
        hearing_id: "Идентификатор судебного заседания",
        hearing_date: "Дата судебного заседания",
        span: "Интервал записи",
        created: "Выгрузка создана",
        streams: "Потоки записи",
        stream: "Поток",
        kind: "Вид",
        segments: "Сегментов",
        from: "Начало",
        to: "Конец",
        camera: "видеокамера",
        microphone: "микрофон",
        transcript: "стенограмма",
        root_hash: "Корневой хэш (SHA-256, hex)",
        entries: "Записи журнала",
        note: "Текст подписанной контрольной точки",
        key_name: "Имя ключа проверки",
        key: "Ключ проверки (vkey)",
        qr_caption: "QR-код содержит подписанную контрольную точку журнала суда (текст выше, байт в байт). Сверьте её с контрольной точкой в выгрузке и с журналом, опубликованным судом.",
        files: "Файлы, охваченные доказательством",
        files_total: "Количество файлов: {n}; общий объём: {b} байт",
        file: "Файл",
        size: "Размер, байт",
        derived: "Производные файлы (доказательством не охвачены)",
        derived_note: "Эти файлы изготовлены из записи (например, для удобства просмотра) и по журналу суда не проверяются.",
        how_to_verify: "Как проверить",
        verify_text: "Выполните команду {cmd} или откройте в браузере файл verify.html из выгрузки. Проверка не требует связи с судом; сверьте указанный выше ключ проверки с ключом, опубликованным судом.",
        verify_cmd: "verbatim verify <выгрузка>",
        footer: "Свидетельство о выгрузке записи",
    },
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
    cert: CertificateLabels {
        title: "CERTIFICATE OF AN EVIDENCE BUNDLE",
        subtitle: "A copy of the record of a court hearing with proof of its integrity against the court's log",
        hearing_id: "Hearing ID",
        hearing_date: "Hearing date",
        span: "Span of the record",
        created: "Bundle created",
        streams: "Recorded streams",
        stream: "Stream",
        kind: "Kind",
        segments: "Segments",
        from: "From",
        to: "To",
        camera: "camera",
        microphone: "microphone",
        transcript: "transcript",
        root_hash: "Root hash (SHA-256, hex)",
        entries: "Log entries",
        note: "The signed checkpoint, as text",
        key_name: "Verifier key name",
        key: "Verifier key (vkey)",
        qr_caption: "The QR code holds the signed checkpoint of the court's log (the text above, byte for byte). Compare it with the checkpoint in the bundle and with the log the court publishes.",
        files: "Files covered by the proof",
        files_total: "Files: {n}; total size: {b} bytes",
        file: "File",
        size: "Size, bytes",
        derived: "Derived files (not proven)",
        derived_note: "These files were made from the record (for example, for convenient viewing) and are not checked against the court's log.",
        how_to_verify: "How to verify",
        verify_text: "Run {cmd} or open verify.html from the bundle in a browser. Verification needs no connection to the court; compare the verifier key above with the key the court publishes.",
        verify_cmd: "verbatim verify <bundle>",
        footer: "Certificate of an evidence bundle",
    },
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
        for l in [&KK, &RU, &EN] {
            let c = &l.cert;
            assert!(c.verify_text.contains("{cmd}") && c.verify_cmd.starts_with("verbatim verify"));
            assert!(c.files_total.contains("{n}") && c.files_total.contains("{b}"));
        }
        assert_ne!(KK.cert.title, RU.cert.title);
        assert_ne!(RU.cert.qr_caption, EN.cert.qr_caption);
        assert_ne!(KK.cert.derived_note, RU.cert.derived_note);
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
