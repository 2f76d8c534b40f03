-- Contacts per region, the notification outbox, the reminder log that makes each
-- (campaign, kelurahan, due date, stage) queued once, compiled sosialisasi reports, and the
-- last result of each background job. Quartz provisions its own QRTZ_* tables itself.

CREATE TABLE contacts (
    region VARCHAR(20) NOT NULL PRIMARY KEY REFERENCES regions (code),
    level VARCHAR(10) NOT NULL CHECK (level IN ('kota', 'kecamatan', 'kelurahan')),
    kota VARCHAR(20) NOT NULL REFERENCES regions (code),
    kecamatan VARCHAR(20) NULL REFERENCES regions (code),
    name NVARCHAR(200) NOT NULL,
    email NVARCHAR(320) NULL,
    webhook_url NVARCHAR(2000) NULL,
    created_at VARCHAR(33) NOT NULL,
    updated_at VARCHAR(33) NOT NULL,
    CHECK (email IS NOT NULL OR webhook_url IS NOT NULL)
);
CREATE INDEX ix_contacts_kota ON contacts (kota, kecamatan);

CREATE TABLE notifications (
    id BIGINT IDENTITY(1,1) PRIMARY KEY,
    kind VARCHAR(10) NOT NULL CHECK (kind IN ('reminder', 'report')),
    campaign VARCHAR(64) NULL,
    region VARCHAR(20) NOT NULL,
    kota VARCHAR(20) NOT NULL,
    stage VARCHAR(20) NOT NULL,
    channel VARCHAR(10) NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient NVARCHAR(2000) NOT NULL,
    subject NVARCHAR(400) NOT NULL,
    body NVARCHAR(MAX) NOT NULL,
    payload NVARCHAR(MAX) NOT NULL,
    status VARCHAR(10) NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'dead')),
    attempts INT NOT NULL DEFAULT 0,
    last_error NVARCHAR(2000) NULL,
    next_attempt_at VARCHAR(33) NOT NULL,
    lease_owner VARCHAR(100) NULL,
    lease_until VARCHAR(33) NULL,
    idempotency_key VARCHAR(200) NOT NULL,
    created_at VARCHAR(33) NOT NULL,
    sent_at VARCHAR(33) NULL
);
CREATE UNIQUE INDEX ux_notifications_idempotency ON notifications (idempotency_key);
CREATE INDEX ix_notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX ix_notifications_campaign ON notifications (campaign, region);
CREATE INDEX ix_notifications_kota ON notifications (kota, id);

CREATE TABLE reminder_log (
    campaign VARCHAR(64) NOT NULL REFERENCES sosialisasi_campaigns (code),
    kelurahan VARCHAR(20) NOT NULL REFERENCES regions (code),
    due_date CHAR(10) NOT NULL,
    stage VARCHAR(20) NOT NULL,
    queued_at VARCHAR(33) NOT NULL,
    CONSTRAINT pk_reminder_log PRIMARY KEY (campaign, kelurahan, due_date, stage)
);

CREATE TABLE reports (
    id BIGINT IDENTITY(1,1) PRIMARY KEY,
    status VARCHAR(10) NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    campaign VARCHAR(64) NOT NULL REFERENCES sosialisasi_campaigns (code),
    kota VARCHAR(20) NOT NULL REFERENCES regions (code),
    daily_date CHAR(10) NULL,
    requested_by VARCHAR(40) NULL,
    created_at VARCHAR(33) NOT NULL,
    started_at VARCHAR(33) NULL,
    completed_at VARCHAR(33) NULL,
    summary NVARCHAR(MAX) NULL,
    content NVARCHAR(MAX) NULL,
    error NVARCHAR(2000) NULL
);
CREATE UNIQUE INDEX ux_reports_daily ON reports (campaign, kota, daily_date) WHERE daily_date IS NOT NULL;
CREATE INDEX ix_reports_status ON reports (status, created_at);

CREATE TABLE job_runs (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    last_started_at VARCHAR(33) NULL,
    last_finished_at VARCHAR(33) NULL,
    last_result NVARCHAR(2000) NULL
);
