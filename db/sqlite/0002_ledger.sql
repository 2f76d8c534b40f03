-- Targets per period, kota and sudin; the totals walikota offices announce; the append-only
-- achievements ledger; idempotency records; and the aggregates roll-ups read instead of the ledger.
--
-- Aggregates live at kelurahan level only (period, kelurahan, sudin[, date]): a province roll-up
-- reads at most kelurahan x sudin rows, and no single hot row (e.g. one per kota and sudin) is
-- updated by every writer of a kota, which would serialise concurrent sudin on SQL Server.

CREATE TABLE targets (
    period TEXT NOT NULL REFERENCES periods (code),
    kota TEXT NOT NULL REFERENCES regions (code),
    sudin TEXT NOT NULL REFERENCES sudin (code),
    target INTEGER NOT NULL CHECK (target >= 0),
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NULL,
    PRIMARY KEY (period, kota, sudin)
);

CREATE TABLE declared_totals (
    period TEXT NOT NULL REFERENCES periods (code),
    kota TEXT NOT NULL REFERENCES regions (code),
    total INTEGER NOT NULL CHECK (total >= 0),
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NULL,
    PRIMARY KEY (period, kota)
);

-- Append-only: rows are never updated or deleted; a reversal is a new row with the negative
-- count, and the unique index makes a second reversal of the same entry impossible.
CREATE TABLE achievements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    period TEXT NOT NULL REFERENCES periods (code),
    kota TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    kelurahan TEXT NOT NULL REFERENCES regions (code),
    sudin TEXT NOT NULL REFERENCES sudin (code),
    count INTEGER NOT NULL CHECK (count <> 0),
    date TEXT NOT NULL,
    reference TEXT NULL,
    note TEXT NULL,
    recorded_at TEXT NOT NULL,
    key_id TEXT NULL,
    reverses_id INTEGER NULL REFERENCES achievements (id)
);
CREATE UNIQUE INDEX ux_achievements_reverses ON achievements (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX ix_achievements_period_kota ON achievements (period, kota, id);

-- One row per (API key, Idempotency-Key), written in the same transaction as the ledger rows
-- it stands for: the primary key is what makes concurrent retries count once.
CREATE TABLE idempotency_keys (
    key_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    location TEXT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX ix_idempotency_created ON idempotency_keys (created_at);

CREATE TABLE achievement_totals (
    period TEXT NOT NULL,
    kelurahan TEXT NOT NULL,
    sudin TEXT NOT NULL,
    kota TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    PRIMARY KEY (period, kelurahan, sudin)
);

-- A kota roll-up reads only its kota's cells.
CREATE INDEX ix_achievement_totals_kota ON achievement_totals (period, kota);

CREATE TABLE achievement_daily (
    period TEXT NOT NULL,
    kelurahan TEXT NOT NULL,
    sudin TEXT NOT NULL,
    date TEXT NOT NULL,
    kota TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    PRIMARY KEY (period, kelurahan, sudin, date)
);
-- A roll-up as of a date reads each running total minus its daily rows after that date: one seek
-- per (kelurahan, sudin) on this primary key, which finds nothing for today's figures.
