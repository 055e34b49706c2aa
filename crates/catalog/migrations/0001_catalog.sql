-- verbatim catalog, version 1. Portable SQL: the same text runs on SQLite and PostgreSQL.
-- Identifiers are TEXT chosen by the application; flags are INTEGER 0/1; times are BIGINT
-- milliseconds since the Unix epoch (UTC); dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE courts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE courtrooms (
    court_id TEXT NOT NULL REFERENCES courts(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (court_id, id)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    court_id TEXT NOT NULL REFERENCES courts(id),
    number TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('criminal', 'civil', 'administrative')),
    title TEXT NOT NULL,
    UNIQUE (court_id, number)
);

CREATE TABLE participants (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'judge', 'secretary', 'viewer')),
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('kk', 'ru', 'en')),
    disabled INTEGER NOT NULL DEFAULT 0,
    created_unix_ms BIGINT NOT NULL
);

CREATE TABLE hearings (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    court_id TEXT NOT NULL,
    courtroom_id TEXT NOT NULL,
    scheduled_date TEXT NOT NULL,
    scheduled_time TEXT NOT NULL,
    judge_id TEXT NOT NULL REFERENCES users(id),
    secretary_id TEXT NOT NULL REFERENCES users(id),
    language TEXT NOT NULL CHECK (language IN ('kk', 'ru', 'kk+ru')),
    open_to_public INTEGER NOT NULL CHECK (open_to_public IN (0, 1)),
    FOREIGN KEY (court_id, courtroom_id) REFERENCES courtrooms(court_id, id)
);
CREATE INDEX hearings_by_date ON hearings (scheduled_date, courtroom_id);

-- Who may see a closed hearing besides administrators, its judge and its secretary.
CREATE TABLE hearing_access (
    hearing_id TEXT NOT NULL REFERENCES hearings(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (hearing_id, user_id)
);

-- Sessions: only a hash of the token is stored.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_unix_ms BIGINT NOT NULL,
    expires_unix_ms BIGINT NOT NULL
);
