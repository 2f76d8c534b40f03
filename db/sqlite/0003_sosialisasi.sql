-- Sosialisasi: campaigns a walikota office launches, the obligation every kelurahan of the
-- campaign's kota owes, and the reports (posts, meetings) that discharge it.
-- Status (pending / on_time / late) is derived at read time from first_reported_at and the
-- campaign's due_date, so moving the due date re-evaluates every kelurahan at once.

CREATE TABLE sosialisasi_campaigns (
    code TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    period TEXT NULL REFERENCES periods (code),
    due_date TEXT NOT NULL,
    material_url TEXT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sosialisasi_campaign_kota (
    campaign TEXT NOT NULL REFERENCES sosialisasi_campaigns (code),
    kota TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (campaign, kota)
);

CREATE TABLE sosialisasi_obligations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign TEXT NOT NULL REFERENCES sosialisasi_campaigns (code),
    kota TEXT NOT NULL REFERENCES regions (code),
    kecamatan TEXT NOT NULL REFERENCES regions (code),
    kelurahan TEXT NOT NULL REFERENCES regions (code),
    first_reported_at TEXT NULL,
    report_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (campaign, kelurahan)
);
CREATE INDEX ix_obligations_campaign_kota ON sosialisasi_obligations (campaign, kota, kecamatan);

CREATE TABLE sosialisasi_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    obligation_id INTEGER NOT NULL REFERENCES sosialisasi_obligations (id),
    campaign TEXT NOT NULL,
    kelurahan TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('instagram', 'facebook', 'x', 'tiktok', 'youtube', 'whatsapp', 'website', 'offline')),
    url TEXT NULL,
    published_on TEXT NOT NULL,
    reach INTEGER NULL,
    note TEXT NULL,
    recorded_at TEXT NOT NULL,
    key_id TEXT NULL
);
CREATE INDEX ix_reports_obligation ON sosialisasi_reports (obligation_id, recorded_at);
