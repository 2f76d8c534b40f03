-- Reference data, programme periods, API keys and the audit trail.
-- Dates are TEXT 'YYYY-MM-DD'; instants are TEXT UTC 'YYYY-MM-DDTHH:MM:SS.fffffffZ'.

CREATE TABLE regions (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('provinsi', 'kota', 'kecamatan', 'kelurahan')),
    parent_code TEXT NULL REFERENCES regions (code),
    kota_code TEXT NULL,
    kecamatan_code TEXT NULL
);
CREATE INDEX ix_regions_parent ON regions (parent_code);

CREATE TABLE sudin (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE periods (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    target_deadline TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (start_date <= end_date)
);

CREATE TABLE api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'kota', 'sudin', 'kelurahan', 'viewer')),
    kota TEXT NULL REFERENCES regions (code),
    sudin TEXT NULL REFERENCES sudin (code),
    kelurahan TEXT NULL REFERENCES regions (code),
    created_at TEXT NOT NULL,
    created_by TEXT NULL,
    expires_at TEXT NULL,
    revoked_at TEXT NULL
);
CREATE UNIQUE INDEX ux_api_keys_prefix ON api_keys (prefix);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    key_id TEXT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    kota TEXT NULL,
    before_json TEXT NULL,
    after_json TEXT NULL,
    request_id TEXT NULL
);
CREATE INDEX ix_audit_entity_at ON audit_log (entity, at);
CREATE INDEX ix_audit_at ON audit_log (at);
