-- Sosialisasi: campaigns a walikota office launches, the obligation every kelurahan of the
-- campaign's kota owes, and the reports (posts, meetings) that discharge it.
-- Status (pending / on_time / late) is derived at read time from first_reported_at and the
-- campaign's due_date, so moving the due date re-evaluates every kelurahan at once.

CREATE TABLE sosialisasi_campaigns (
    code VARCHAR(64) NOT NULL PRIMARY KEY,
    title NVARCHAR(300) NOT NULL,
    period VARCHAR(32) NULL REFERENCES periods (code),
    due_date CHAR(10) NOT NULL,
    material_url NVARCHAR(2000) NULL,
    created_at VARCHAR(33) NOT NULL,
    created_by VARCHAR(40) NULL,
    updated_at VARCHAR(33) NOT NULL
);

CREATE TABLE sosialisasi_campaign_kota (
    campaign VARCHAR(64) NOT NULL REFERENCES sosialisasi_campaigns (code),
    kota VARCHAR(20) NOT NULL REFERENCES regions (code),
    PRIMARY KEY (campaign, kota)
);

CREATE TABLE sosialisasi_obligations (
    id BIGINT IDENTITY(1,1) PRIMARY KEY,
    campaign VARCHAR(64) NOT NULL REFERENCES sosialisasi_campaigns (code),
    kota VARCHAR(20) NOT NULL REFERENCES regions (code),
    kecamatan VARCHAR(20) NOT NULL REFERENCES regions (code),
    kelurahan VARCHAR(20) NOT NULL REFERENCES regions (code),
    first_reported_at VARCHAR(33) NULL,
    report_count INT NOT NULL DEFAULT 0,
    CONSTRAINT ux_obligations_campaign_kelurahan UNIQUE (campaign, kelurahan)
);
CREATE INDEX ix_obligations_campaign_kota ON sosialisasi_obligations (campaign, kota, kecamatan);

CREATE TABLE sosialisasi_reports (
    id BIGINT IDENTITY(1,1) PRIMARY KEY,
    obligation_id BIGINT NOT NULL REFERENCES sosialisasi_obligations (id),
    campaign VARCHAR(64) NOT NULL,
    kelurahan VARCHAR(20) NOT NULL,
    channel VARCHAR(20) NOT NULL CHECK (channel IN ('instagram', 'facebook', 'x', 'tiktok', 'youtube', 'whatsapp', 'website', 'offline')),
    url NVARCHAR(2000) NULL,
    published_on CHAR(10) NOT NULL,
    reach BIGINT NULL,
    note NVARCHAR(2000) NULL,
    recorded_at VARCHAR(33) NOT NULL,
    key_id VARCHAR(40) NULL
);
CREATE INDEX ix_reports_obligation ON sosialisasi_reports (obligation_id, recorded_at);
