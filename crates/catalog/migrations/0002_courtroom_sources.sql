-- verbatim catalog, version 2: a courtroom's recording settings and its sources (cameras,
-- microphones with their roles and positions), managed by the system administrator.
-- Portable SQL: the same text runs on SQLite and PostgreSQL.

ALTER TABLE courtrooms ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';

CREATE TABLE courtroom_sources (
    court_id TEXT NOT NULL,
    courtroom_id TEXT NOT NULL,
    -- The source's place in the courtroom's list (cameras and microphones keep their order).
    ordinal INTEGER NOT NULL,
    id TEXT NOT NULL,
    label TEXT NOT NULL,
    media TEXT NOT NULL CHECK (media IN ('video', 'audio')),
    -- Microphones: who speaks into it and where it is; empty for cameras.
    role TEXT NOT NULL,
    position TEXT NOT NULL,
    -- The kind of source (rtsp_camera, alsa, ...) and its whole configuration as JSON, in
    -- the shape of a [[courtrooms.sources]] table of verbatim.toml.
    kind TEXT NOT NULL,
    config_json TEXT NOT NULL,
    PRIMARY KEY (court_id, courtroom_id, id),
    FOREIGN KEY (court_id, courtroom_id) REFERENCES courtrooms(court_id, id)
);
