-- Targets per period, kota and sudin; the totals walikota offices announce; the append-only
-- achievements ledger; idempotency records; and the aggregates roll-ups read instead of the ledger.
--
-- Aggregates live at kelurahan level only (period, kelurahan, sudin[, date]): a province roll-up
-- reads at most kelurahan x sudin rows, and no single hot row (e.g. one per kota and sudin) is
-- updated by every writer of a kota, which would serialise concurrent sudin on SQL Server.
-- Whole numbers are BIGINT so both providers hand Dapper an Int64 for the same records.

CREATE TABLE targets (
    period VARCHAR(32) NOT NULL REFERENCES periods (code),
    kota VARCHAR(20) NOT NULL REFERENCES regions (code),
    sudin VARCHAR(20) NOT NULL REFERENCES sudin (code),
    target BIGINT NOT NULL CHECK (target >= 0),
    version BIGINT NOT NULL,
    updated_at VARCHAR(33) NOT NULL,
    updated_by VARCHAR(40) NULL,
    PRIMARY KEY (period, kota, sudin)
);

CREATE TABLE declared_totals (
    period VARCHAR(32) NOT NULL REFERENCES periods (code),
    kota VARCHAR(20) NOT NULL REFERENCES regions (code),
    total BIGINT NOT NULL CHECK (total >= 0),
    source NVARCHAR(500) NOT NULL,
    version BIGINT NOT NULL,
    updated_at VARCHAR(33) NOT NULL,
    updated_by VARCHAR(40) NULL,
    PRIMARY KEY (period, kota)
);

-- Append-only: rows are never updated or deleted; a reversal is a new row with the negative
-- count, and the unique index makes a second reversal of the same entry impossible.
CREATE TABLE achievements (
    id BIGINT IDENTITY(1,1) PRIMARY KEY,
    period VARCHAR(32) NOT NULL REFERENCES periods (code),
    kota VARCHAR(20) NOT NULL,
    kecamatan VARCHAR(20) NOT NULL,
    kelurahan VARCHAR(20) NOT NULL REFERENCES regions (code),
    sudin VARCHAR(20) NOT NULL REFERENCES sudin (code),
    count BIGINT NOT NULL CHECK (count <> 0),
    date CHAR(10) NOT NULL,
    reference NVARCHAR(100) NULL,
    note NVARCHAR(1000) NULL,
    recorded_at VARCHAR(33) NOT NULL,
    key_id VARCHAR(40) NULL,
    reverses_id BIGINT NULL REFERENCES achievements (id)
);
CREATE UNIQUE INDEX ux_achievements_reverses ON achievements (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX ix_achievements_period_kota ON achievements (period, kota, id);

-- One row per (API key, Idempotency-Key), written in the same transaction as the ledger rows
-- it stands for: the primary key is what makes concurrent retries count once.
CREATE TABLE idempotency_keys (
    key_id VARCHAR(40) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    request_hash CHAR(64) NOT NULL,
    status BIGINT NOT NULL,
    response_body NVARCHAR(MAX) NOT NULL,
    location VARCHAR(200) NULL,
    created_at VARCHAR(33) NOT NULL,
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX ix_idempotency_created ON idempotency_keys (created_at);

CREATE TABLE achievement_totals (
    period VARCHAR(32) NOT NULL,
    kelurahan VARCHAR(20) NOT NULL,
    sudin VARCHAR(20) NOT NULL,
    kota VARCHAR(20) NOT NULL,
    kecamatan VARCHAR(20) NOT NULL,
    achieved BIGINT NOT NULL,
    PRIMARY KEY (period, kelurahan, sudin)
);

-- A kota roll-up reads only its kota's cells.
CREATE INDEX ix_achievement_totals_kota ON achievement_totals (period, kota);

CREATE TABLE achievement_daily (
    period VARCHAR(32) NOT NULL,
    kelurahan VARCHAR(20) NOT NULL,
    sudin VARCHAR(20) NOT NULL,
    date CHAR(10) NOT NULL,
    kota VARCHAR(20) NOT NULL,
    kecamatan VARCHAR(20) NOT NULL,
    achieved BIGINT NOT NULL,
    PRIMARY KEY (period, kelurahan, sudin, date)
);
-- A roll-up as of a date reads each running total minus its daily rows after that date: one seek
-- per (kelurahan, sudin) on this primary key, which finds nothing for today's figures.
