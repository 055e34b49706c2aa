//! The court's catalog: the administrative data around the record — courts, courtrooms,
//! cases and their participants, hearings, users, sessions and who may see closed hearings.
//!
//! One code path for both databases: SQLite by default (a file in the data directory),
//! PostgreSQL when a court outgrows it. Queries are static, portable SQL run through sqlx's
//! `Any` driver, so the same migrations and queries are tested on both. The catalog is an
//! index and administrative data: the log and the sealed files are the record, and nothing
//! the record needs lives only here.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Row};
use std::borrow::Cow;

/// Why a catalog operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migrating the catalog: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Invalid(String),
    #[error("{what} {id:?} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0} already exists")]
    Exists(String),
    #[error("password hashing: {0}")]
    Password(String),
}

type Result<T> = std::result::Result<T, CatalogError>;

/// The schema, in order. Each migration is plain SQL valid on SQLite and PostgreSQL.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "catalog", include_str!("../migrations/0001_catalog.sql")),
    (
        2,
        "courtroom sources",
        include_str!("../migrations/0002_courtroom_sources.sql"),
    ),
];

/// A courtroom: its settings (JSON: segment length, silence alarm, stall limit) and its
/// sources in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Courtroom {
    pub court_id: String,
    pub id: String,
    pub name: String,
    pub settings_json: String,
    pub sources: Vec<CourtroomSource>,
}

/// A camera or microphone of a courtroom. `config_json` is its whole configuration (the
/// recorder's `SourceConfig`); the other fields repeat what people and queries need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CourtroomSource {
    pub id: String,
    pub label: String,
    /// `video` or `audio`.
    pub media: String,
    /// Microphones: judge, secretary, prosecutor, defence, witness, ...; empty for cameras.
    pub role: String,
    pub position: String,
    /// rtsp_camera, rtsp_audio, v4l2, alsa, file, test_pattern, test_tone, test_speech.
    pub kind: String,
    pub config_json: String,
}

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Judge,
    Secretary,
    /// A lawyer, an appeal judge: reviews what they are allowed to see.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Judge => "judge",
            Role::Secretary => "secretary",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Result<Role> {
        Ok(match s {
            "administrator" => Role::Administrator,
            "judge" => Role::Judge,
            "secretary" => Role::Secretary,
            "viewer" => Role::Viewer,
            _ => {
                return Err(CatalogError::Invalid(format!(
                    "role {s:?} is not one of administrator, judge, secretary, viewer"
                )))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Interface language: kk, ru or en.
    pub language: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Criminal,
    Civil,
    Administrative,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Criminal => "criminal",
            Category::Civil => "civil",
            Category::Administrative => "administrative",
        }
    }

    pub fn parse(s: &str) -> Result<Category> {
        Ok(match s {
            "criminal" => Category::Criminal,
            "civil" => Category::Civil,
            "administrative" => Category::Administrative,
            _ => {
                return Err(CatalogError::Invalid(format!(
                    "category {s:?} is not one of criminal, civil, administrative"
                )))
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: String,
    pub court_id: String,
    pub number: String,
    pub category: Category,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Participant {
    pub id: String,
    pub case_id: String,
    pub name: String,
    /// plaintiff, defendant, prosecutor, defence, witness, victim, ...
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hearing {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub category: Category,
    pub court_id: String,
    pub courtroom_id: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// `HH:MM`
    pub time: String,
    pub judge_id: String,
    pub secretary_id: String,
    /// kk, ru, or kk+ru
    pub language: String,
    pub open_to_public: bool,
}

/// A hearing to schedule.
#[derive(Debug, Clone)]
pub struct NewHearing {
    pub case_id: String,
    pub courtroom_id: String,
    pub date: String,
    pub time: String,
    pub judge_id: String,
    pub secretary_id: String,
    pub language: String,
    pub open_to_public: bool,
}

/// A signed-in user's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_unix_ms: i64,
}

/// Which database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Catalog {
    pool: AnyPool,
    backend: Backend,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `YYYY-MM-DD` of a day counted from the Unix epoch (UTC), without a date library.
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    civil_date(now_ms() / 86_400_000)
}

/// A new random identifier or token: 128 bits, lowercase hex.
pub fn random_token() -> String {
    let mut b = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
    verbatim_log::tree::to_hex(&b)
}

fn sha256_hex(s: &str) -> String {
    verbatim_log::tree::to_hex(&Sha256::digest(s.as_bytes()))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && s[..2].parse::<u32>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u32>().is_ok_and(|m| m < 60)
}

fn text(field: &str, s: &str, max: usize) -> Result<()> {
    if s.trim().is_empty() || s.len() > max || s.chars().any(char::is_control) {
        return Err(CatalogError::Invalid(format!(
            "{field} must be 1-{max} bytes of text without control characters"
        )));
    }
    Ok(())
}

fn user_from(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&row.try_get::<String, _>("role")?)?,
        language: row.try_get("language")?,
    })
}

fn hearing_from(row: &AnyRow) -> Result<Hearing> {
    Ok(Hearing {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        case_number: row.try_get("number")?,
        category: Category::parse(&row.try_get::<String, _>("category")?)?,
        court_id: row.try_get("court_id")?,
        courtroom_id: row.try_get("courtroom_id")?,
        date: row.try_get("scheduled_date")?,
        time: row.try_get("scheduled_time")?,
        judge_id: row.try_get("judge_id")?,
        secretary_id: row.try_get("secretary_id")?,
        language: row.try_get("language")?,
        open_to_public: row.try_get::<i64, _>("open_to_public")? != 0,
    })
}

impl Catalog {
    /// Connects to `url` (`sqlite://PATH` — created if missing — or `postgres://...`) and
    /// brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Catalog> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(CatalogError::Invalid(format!(
                "catalog URL {url:?} must start with sqlite: or postgres://"
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let pool = AnyPoolOptions::new()
            // SQLite serialises writers anyway; one connection avoids "database is locked".
            .max_connections(if backend == Backend::Sqlite { 1 } else { 8 })
            .connect(&url)
            .await?;
        let catalog = Catalog { pool, backend };
        catalog.migrate().await?;
        Ok(catalog)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    async fn migrate(&self) -> Result<()> {
        let migrations = MIGRATIONS
            .iter()
            .map(|(v, d, sql)| {
                Migration::new(
                    *v,
                    Cow::Borrowed(*d),
                    MigrationType::Simple,
                    sqlx::SqlStr::from_static(sql),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    // ---- users and sessions ----

    /// Creates a user with an argon2id password hash.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        role: Role,
        password: &str,
        language: &str,
    ) -> Result<User> {
        if username.is_empty()
            || username.len() > 64
            || !username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(CatalogError::Invalid(
                "username must be 1-64 of A-Z a-z 0-9 . _ -".into(),
            ));
        }
        text("display name", display_name, 200)?;
        if password.chars().count() < 10 || password.len() > 1024 {
            return Err(CatalogError::Invalid(
                "password must be at least 10 characters".into(),
            ));
        }
        if !matches!(language, "kk" | "ru" | "en") {
            return Err(CatalogError::Invalid(
                "language must be kk, ru or en".into(),
            ));
        }
        let hash = argon2::Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| CatalogError::Password(e.to_string()))?
            .to_string();
        let user = User {
            id: random_token(),
            username: username.into(),
            display_name: display_name.into(),
            role,
            language: language.into(),
        };
        let r = sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash, language, \
             disabled, created_unix_ms) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        )
        .bind(user.id.clone())
        .bind(user.username.clone())
        .bind(user.display_name.clone())
        .bind(role.as_str())
        .bind(hash)
        .bind(user.language.clone())
        .bind(now_ms())
        .execute(&self.pool)
        .await;
        match r {
            Ok(_) => Ok(user),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(CatalogError::Exists(format!("user {username:?}")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The user with this username and password, if both match and the user is enabled.
    /// Takes the same time whether or not the user exists.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, language, password_hash FROM users \
             WHERE username = $1 AND disabled = 0",
        )
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        // A fixed hash stands in for a missing user, so timing does not tell who exists.
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                             1ZqmN4fESO0rIbrJ0nHNYfnvZmkI3tyJr6/w4vDb2HU";
        let stored = match &row {
            Some(r) => r.try_get::<String, _>("password_hash")?,
            None => DUMMY.to_string(),
        };
        let ok = argon2::password_hash::phc::PasswordHash::new(&stored)
            .map(|h| {
                argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        match (row, ok) {
            (Some(r), true) => Ok(Some(user_from(&r)?)),
            _ => Ok(None),
        }
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, language FROM users WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, language FROM users WHERE username = $1",
        )
        .bind(username.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(
            "SELECT id, username, display_name, role, language FROM users ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from).collect()
    }

    /// Starts a session; returns the secret token (for the cookie) and the session.
    pub async fn create_session(&self, user: &User, ttl_ms: i64) -> Result<(String, Session)> {
        let token = random_token() + &random_token();
        let csrf = random_token();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_unix_ms, \
             expires_unix_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256_hex(&token))
        .bind(user.id.clone())
        .bind(csrf.clone())
        .bind(now)
        .bind(now + ttl_ms)
        .execute(&self.pool)
        .await?;
        Ok((
            token,
            Session {
                user: user.clone(),
                csrf_token: csrf,
                expires_unix_ms: now + ttl_ms,
            },
        ))
    }

    /// The live session for a token, if any.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.language, s.csrf_token, \
             s.expires_unix_ms FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_sha256 = $1 AND s.expires_unix_ms > $2 AND u.disabled = 0",
        )
        .bind(sha256_hex(token))
        .bind(now_ms())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user: user_from(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_unix_ms: r.try_get("expires_unix_ms")?,
            })
        })
        .transpose()
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(sha256_hex(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- courts, courtrooms, cases, participants ----

    pub async fn upsert_court(&self, id: &str, name: &str) -> Result<()> {
        if !verbatim_log::entry::is_valid_id(id) {
            return Err(CatalogError::Invalid(format!(
                "court id {id:?} is not an identifier"
            )));
        }
        text("court name", name, 300)?;
        sqlx::query(
            "INSERT INTO courts (id, name) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(id.to_string())
        .bind(name.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn upsert_courtroom(&self, court_id: &str, id: &str, name: &str) -> Result<()> {
        if !verbatim_log::entry::is_valid_id(id) {
            return Err(CatalogError::Invalid(format!(
                "courtroom id {id:?} is not an identifier"
            )));
        }
        text("courtroom name", name, 300)?;
        let r = sqlx::query(
            "INSERT INTO courtrooms (court_id, id, name) VALUES ($1, $2, $3) \
             ON CONFLICT (court_id, id) DO UPDATE SET name = excluded.name",
        )
        .bind(court_id.to_string())
        .bind(id.to_string())
        .bind(name.to_string())
        .execute(&self.pool)
        .await;
        map_fk(r, "court", court_id)
    }

    /// The court's courtrooms with their settings and sources, by id.
    pub async fn courtrooms(&self, court_id: &str) -> Result<Vec<Courtroom>> {
        let rooms = sqlx::query(
            "SELECT id, name, settings_json FROM courtrooms WHERE court_id = $1 ORDER BY id",
        )
        .bind(court_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let sources = sqlx::query(
            "SELECT courtroom_id, id, label, media, role, position, kind, config_json \
             FROM courtroom_sources WHERE court_id = $1 ORDER BY courtroom_id, ordinal",
        )
        .bind(court_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rooms.len());
        for r in rooms {
            let id: String = r.try_get("id")?;
            let mut room = Courtroom {
                court_id: court_id.to_string(),
                name: r.try_get("name")?,
                settings_json: r.try_get("settings_json")?,
                sources: Vec::new(),
                id,
            };
            for s in &sources {
                if s.try_get::<String, _>("courtroom_id")? == room.id {
                    room.sources.push(CourtroomSource {
                        id: s.try_get("id")?,
                        label: s.try_get("label")?,
                        media: s.try_get("media")?,
                        role: s.try_get("role")?,
                        position: s.try_get("position")?,
                        kind: s.try_get("kind")?,
                        config_json: s.try_get("config_json")?,
                    });
                }
            }
            out.push(room);
        }
        Ok(out)
    }

    /// One courtroom, or `None`.
    pub async fn courtroom(&self, court_id: &str, id: &str) -> Result<Option<Courtroom>> {
        Ok(self
            .courtrooms(court_id)
            .await?
            .into_iter()
            .find(|r| r.id == id))
    }

    /// Creates or replaces a courtroom's name, settings and sources, in one transaction.
    /// The caller has checked that the configuration can record (the catalog checks the
    /// shape: identifiers, lengths, no source twice).
    pub async fn set_courtroom(&self, room: &Courtroom) -> Result<()> {
        if !verbatim_log::entry::is_valid_id(&room.id) {
            return Err(CatalogError::Invalid(format!(
                "courtroom id {:?} is not an identifier",
                room.id
            )));
        }
        text("courtroom name", &room.name, 300)?;
        if room.settings_json.len() > 10_000 {
            return Err(CatalogError::Invalid(
                "courtroom settings are too long".into(),
            ));
        }
        if room.sources.len() > 256 {
            return Err(CatalogError::Invalid(
                "at most 256 sources a courtroom".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for s in &room.sources {
            if !verbatim_log::entry::is_valid_id(&s.id) || !seen.insert(s.id.as_str()) {
                return Err(CatalogError::Invalid(format!(
                    "source id {:?} is not an identifier, or appears twice",
                    s.id
                )));
            }
            if s.media != "video" && s.media != "audio" {
                return Err(CatalogError::Invalid(format!(
                    "source {}: media must be video or audio",
                    s.id
                )));
            }
            for (what, v, max) in [
                ("label", &s.label, 300),
                ("role", &s.role, 100),
                ("position", &s.position, 300),
                ("kind", &s.kind, 100),
            ] {
                if v.len() > max || v.chars().any(char::is_control) {
                    return Err(CatalogError::Invalid(format!(
                        "source {}: the {what} is too long or has control characters",
                        s.id
                    )));
                }
            }
            if s.config_json.len() > 10_000 {
                return Err(CatalogError::Invalid(format!(
                    "source {}: its configuration is too long",
                    s.id
                )));
            }
        }
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "INSERT INTO courtrooms (court_id, id, name, settings_json) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (court_id, id) DO UPDATE SET name = excluded.name, \
             settings_json = excluded.settings_json",
        )
        .bind(room.court_id.clone())
        .bind(room.id.clone())
        .bind(room.name.clone())
        .bind(room.settings_json.clone())
        .execute(&mut *tx)
        .await;
        map_fk(r, "court", &room.court_id)?;
        sqlx::query("DELETE FROM courtroom_sources WHERE court_id = $1 AND courtroom_id = $2")
            .bind(room.court_id.clone())
            .bind(room.id.clone())
            .execute(&mut *tx)
            .await?;
        for (k, s) in room.sources.iter().enumerate() {
            sqlx::query(
                "INSERT INTO courtroom_sources (court_id, courtroom_id, ordinal, id, label, \
                 media, role, position, kind, config_json) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(room.court_id.clone())
            .bind(room.id.clone())
            .bind(k as i64)
            .bind(s.id.clone())
            .bind(s.label.clone())
            .bind(s.media.clone())
            .bind(s.role.clone())
            .bind(s.position.clone())
            .bind(s.kind.clone())
            .bind(s.config_json.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_case(
        &self,
        court_id: &str,
        number: &str,
        category: Category,
        title: &str,
    ) -> Result<Case> {
        text("case number", number, 100)?;
        if title.len() > 1000 || title.chars().any(char::is_control) {
            return Err(CatalogError::Invalid(
                "case title is too long or has control characters".into(),
            ));
        }
        let case = Case {
            id: random_token(),
            court_id: court_id.into(),
            number: number.into(),
            category,
            title: title.into(),
        };
        let r = sqlx::query(
            "INSERT INTO cases (id, court_id, number, category, title) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case.id.clone())
        .bind(case.court_id.clone())
        .bind(case.number.clone())
        .bind(category.as_str())
        .bind(case.title.clone())
        .execute(&self.pool)
        .await;
        match r {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(CatalogError::Exists(format!("case {number:?}")))
            }
            r => map_fk(r, "court", court_id).map(|()| case),
        }
    }

    pub async fn add_participant(
        &self,
        case_id: &str,
        name: &str,
        role: &str,
    ) -> Result<Participant> {
        text("participant name", name, 300)?;
        text("participant role", role, 100)?;
        let p = Participant {
            id: random_token(),
            case_id: case_id.into(),
            name: name.into(),
            role: role.into(),
        };
        let r = sqlx::query(
            "INSERT INTO participants (id, case_id, name, role) VALUES ($1, $2, $3, $4)",
        )
        .bind(p.id.clone())
        .bind(p.case_id.clone())
        .bind(p.name.clone())
        .bind(p.role.clone())
        .execute(&self.pool)
        .await;
        map_fk(r, "case", case_id).map(|()| p)
    }

    pub async fn participants(&self, case_id: &str) -> Result<Vec<Participant>> {
        let rows = sqlx::query(
            "SELECT id, case_id, name, role FROM participants WHERE case_id = $1 ORDER BY role, name",
        )
        .bind(case_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Participant {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    name: r.try_get("name")?,
                    role: r.try_get("role")?,
                })
            })
            .collect()
    }

    // ---- hearings and access ----

    pub async fn create_hearing(&self, h: &NewHearing) -> Result<Hearing> {
        if !is_date(&h.date) {
            return Err(CatalogError::Invalid(format!(
                "date {:?} is not YYYY-MM-DD",
                h.date
            )));
        }
        if !is_time(&h.time) {
            return Err(CatalogError::Invalid(format!(
                "time {:?} is not HH:MM",
                h.time
            )));
        }
        if !matches!(h.language.as_str(), "kk" | "ru" | "kk+ru") {
            return Err(CatalogError::Invalid(
                "language must be kk, ru or kk+ru".into(),
            ));
        }
        let case_row = sqlx::query("SELECT court_id FROM cases WHERE id = $1")
            .bind(h.case_id.clone())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| CatalogError::NotFound {
                what: "case",
                id: h.case_id.clone(),
            })?;
        let court_id: String = case_row.try_get("court_id")?;
        for (who, id, role) in [
            ("judge", &h.judge_id, Role::Judge),
            ("secretary", &h.secretary_id, Role::Secretary),
        ] {
            let u = self.user(id).await?.ok_or_else(|| CatalogError::NotFound {
                what: "user",
                id: id.clone(),
            })?;
            if u.role != role {
                return Err(CatalogError::Invalid(format!(
                    "the hearing's {who} must be a user with role {}",
                    role.as_str()
                )));
            }
        }
        // A hearing id is a log identifier too (it names the hearing's directory).
        let id = format!("h{}", &random_token()[..16]);
        let r = sqlx::query(
            "INSERT INTO hearings (id, case_id, court_id, courtroom_id, scheduled_date, \
             scheduled_time, judge_id, secretary_id, language, open_to_public) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id.clone())
        .bind(h.case_id.clone())
        .bind(court_id)
        .bind(h.courtroom_id.clone())
        .bind(h.date.clone())
        .bind(h.time.clone())
        .bind(h.judge_id.clone())
        .bind(h.secretary_id.clone())
        .bind(h.language.clone())
        .bind(i64::from(h.open_to_public))
        .execute(&self.pool)
        .await;
        map_fk(r, "courtroom", &h.courtroom_id)?;
        Ok(self.hearing_unchecked(&id).await?.expect("just inserted"))
    }

    async fn hearing_unchecked(&self, id: &str) -> Result<Option<Hearing>> {
        let row = sqlx::query(
            "SELECT h.id, h.case_id, c.number, c.category, h.court_id, h.courtroom_id, \
             h.scheduled_date, h.scheduled_time, h.judge_id, h.secretary_id, h.language, \
             h.open_to_public FROM hearings h JOIN cases c ON c.id = h.case_id WHERE h.id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(hearing_from).transpose()
    }

    /// Lets `user_id` see the closed hearing `hearing_id`.
    pub async fn grant_access(&self, hearing_id: &str, user_id: &str) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO hearing_access (hearing_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (hearing_id, user_id) DO NOTHING",
        )
        .bind(hearing_id.to_string())
        .bind(user_id.to_string())
        .execute(&self.pool)
        .await;
        map_fk(r, "hearing or user", hearing_id)
    }

    /// Whether `user` may see `hearing`: open hearings to everyone signed in; closed ones to
    /// administrators, the hearing's judge and secretary, and users granted access.
    pub async fn may_see(&self, user: &User, hearing: &Hearing) -> Result<bool> {
        if hearing.open_to_public
            || user.role == Role::Administrator
            || user.id == hearing.judge_id
            || user.id == hearing.secretary_id
        {
            return Ok(true);
        }
        let row = sqlx::query(
            "SELECT 1 AS ok FROM hearing_access WHERE hearing_id = $1 AND user_id = $2",
        )
        .bind(hearing.id.clone())
        .bind(user.id.clone())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Closed hearings `user` may see (as their judge or secretary, or by a grant); with
    /// the open ones, everything they may see. For filters applied elsewhere (search).
    pub async fn closed_hearings_visible_to(&self, user: &User) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT id FROM hearings WHERE open_to_public = 0 AND (judge_id = $1 OR secretary_id = $2) \
             UNION SELECT hearing_id AS id FROM hearing_access WHERE user_id = $3 ORDER BY id",
        )
        .bind(user.id.clone())
        .bind(user.id.clone())
        .bind(user.id.clone())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("id").map_err(Into::into))
            .collect()
    }

    /// The hearing, whoever asks: for the server's own work (transcription, indexing), never
    /// for answering a user.
    pub async fn hearing_for_system(&self, id: &str) -> Result<Option<Hearing>> {
        self.hearing_unchecked(id).await
    }

    /// The hearing, if it exists and `user` may see it (a closed hearing is invisible, not
    /// forbidden, to others).
    pub async fn hearing(&self, id: &str, user: &User) -> Result<Option<Hearing>> {
        match self.hearing_unchecked(id).await? {
            Some(h) if self.may_see(user, &h).await? => Ok(Some(h)),
            _ => Ok(None),
        }
    }

    /// Hearings on `date` (`YYYY-MM-DD`) that `user` may see, by courtroom and time.
    pub async fn hearings_on(&self, date: &str, user: &User) -> Result<Vec<Hearing>> {
        if !is_date(date) {
            return Err(CatalogError::Invalid(format!(
                "date {date:?} is not YYYY-MM-DD"
            )));
        }
        let rows = sqlx::query(
            "SELECT h.id, h.case_id, c.number, c.category, h.court_id, h.courtroom_id, \
             h.scheduled_date, h.scheduled_time, h.judge_id, h.secretary_id, h.language, \
             h.open_to_public FROM hearings h JOIN cases c ON c.id = h.case_id \
             WHERE h.scheduled_date = $1 ORDER BY h.courtroom_id, h.scheduled_time, h.id",
        )
        .bind(date.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let h = hearing_from(r)?;
            if self.may_see(user, &h).await? {
                out.push(h);
            }
        }
        Ok(out)
    }
}

/// A foreign-key violation means the referenced thing does not exist.
fn map_fk(
    r: std::result::Result<sqlx::any::AnyQueryResult, sqlx::Error>,
    what: &'static str,
    id: &str,
) -> Result<()> {
    match r {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Err(CatalogError::NotFound {
                what,
                id: id.to_string(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_419), "2025-11-27");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }

    #[test]
    fn dates_and_times() {
        assert!(is_date("2026-11-27") && !is_date("2026-13-01") && !is_date("26-11-27"));
        assert!(is_time("09:30") && !is_time("24:00") && !is_time("9:30"));
    }
}
