-- Reference data, programme periods, API keys and the audit trail.
-- Dates are CHAR(10) 'YYYY-MM-DD'; instants are VARCHAR(33) UTC ISO-8601, as on SQLite,
-- so both providers compare and order them the same way.

CREATE TABLE regions (
    code VARCHAR(20) NOT NULL PRIMARY KEY,
    name NVARCHAR(200) NOT NULL,
    level VARCHAR(10) NOT NULL CHECK (level IN ('provinsi', 'kota', 'kecamatan', 'kelurahan')),
    parent_code VARCHAR(20) NULL REFERENCES regions (code),
    kota_code VARCHAR(20) NULL,
    kecamatan_code VARCHAR(20) NULL
);
CREATE INDEX ix_regions_parent ON regions (parent_code);

CREATE TABLE sudin (
    code VARCHAR(20) NOT NULL PRIMARY KEY,
    name NVARCHAR(200) NOT NULL
);

CREATE TABLE periods (
    code VARCHAR(32) NOT NULL PRIMARY KEY,
    name NVARCHAR(200) NOT NULL,
    start_date CHAR(10) NOT NULL,
    end_date CHAR(10) NOT NULL,
    target_deadline CHAR(10) NOT NULL,
    created_at VARCHAR(33) NOT NULL,
    updated_at VARCHAR(33) NOT NULL,
    CHECK (start_date <= end_date)
);

CREATE TABLE api_keys (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    name NVARCHAR(200) NOT NULL,
    prefix VARCHAR(20) NOT NULL,
    key_hash CHAR(64) NOT NULL,
    role VARCHAR(10) NOT NULL CHECK (role IN ('admin', 'kota', 'sudin', 'kelurahan', 'viewer')),
    kota VARCHAR(20) NULL REFERENCES regions (code),
    sudin VARCHAR(20) NULL REFERENCES sudin (code),
    kelurahan VARCHAR(20) NULL REFERENCES regions (code),
    created_at VARCHAR(33) NOT NULL,
    created_by VARCHAR(40) NULL,
    expires_at VARCHAR(33) NULL,
    revoked_at VARCHAR(33) NULL
);
CREATE UNIQUE INDEX ux_api_keys_prefix ON api_keys (prefix);

CREATE TABLE audit_log (
    id BIGINT IDENTITY(1,1) PRIMARY KEY,
    at VARCHAR(33) NOT NULL,
    key_id VARCHAR(40) NULL,
    action VARCHAR(40) NOT NULL,
    entity VARCHAR(40) NOT NULL,
    entity_id NVARCHAR(200) NOT NULL,
    kota VARCHAR(20) NULL,
    before_json NVARCHAR(MAX) NULL,
    after_json NVARCHAR(MAX) NULL,
    request_id VARCHAR(100) NULL
);
CREATE INDEX ix_audit_entity_at ON audit_log (entity, at);
CREATE INDEX ix_audit_at ON audit_log (at);
