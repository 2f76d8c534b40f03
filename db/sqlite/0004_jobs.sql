-- Contacts per region, the notification outbox, the reminder log that makes each
-- (campaign, kelurahan, due date, stage) queued once, compiled sosialisasi reports, and the
-- last result of each background job. Quartz provisions its own QRTZ_* tables itself.

CREATE TABLE contacts (
    region TEXT NOT NULL PRIMARY KEY REFERENCES regions (code),
    level TEXT NOT NULL CHECK (level IN ('kota', 'kecamatan', 'kelurahan')),
    kota TEXT NOT NULL REFERENCES regions (code),
    kecamatan TEXT NULL REFERENCES regions (code),
    name TEXT NOT NULL,
    email TEXT NULL,
    webhook_url TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (email IS NOT NULL OR webhook_url IS NOT NULL)
);
CREATE INDEX ix_contacts_kota ON contacts (kota, kecamatan);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'report')),
    campaign TEXT NULL,
    region TEXT NOT NULL,
    kota TEXT NOT NULL,
    stage TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT NULL,
    lease_until TEXT NULL,
    idempotency_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT NULL
);
CREATE UNIQUE INDEX ux_notifications_idempotency ON notifications (idempotency_key);
CREATE INDEX ix_notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX ix_notifications_campaign ON notifications (campaign, region);
CREATE INDEX ix_notifications_kota ON notifications (kota, id);

CREATE TABLE reminder_log (
    campaign TEXT NOT NULL REFERENCES sosialisasi_campaigns (code),
    kelurahan TEXT NOT NULL REFERENCES regions (code),
    due_date TEXT NOT NULL,
    stage TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (campaign, kelurahan, due_date, stage)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    campaign TEXT NOT NULL REFERENCES sosialisasi_campaigns (code),
    kota TEXT NOT NULL REFERENCES regions (code),
    daily_date TEXT NULL,
    requested_by TEXT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT NULL,
    completed_at TEXT NULL,
    summary TEXT NULL,
    content TEXT NULL,
    error TEXT NULL
);
CREATE UNIQUE INDEX ux_reports_daily ON reports (campaign, kota, daily_date) WHERE daily_date IS NOT NULL;
CREATE INDEX ix_reports_status ON reports (status, created_at);

CREATE TABLE job_runs (
    name TEXT NOT NULL PRIMARY KEY,
    last_started_at TEXT NULL,
    last_finished_at TEXT NULL,
    last_result TEXT NULL
);
