-- 1. The aggregates become WITHOUT ROWID tables: each is then one B-tree ordered by its primary
--    key, where a rowid table kept a second B-tree (the primary key's index) beside the rows, so a
--    daily row no longer stores its key twice and an upsert touches one tree. Keys are unchanged.
--    (SQL Server's primary keys are clustered already.)
-- 2. achievement_daily is folded from the ledger in the background (Core/Achievements/
--    DailyAggregateFolder.cs) instead of inside every ledger write: aggregate_progress records the
--    highest ledger id it holds, and a roll-up as of a date adds the ledger rows above that id, so
--    figures stay exact at every moment. The write itself keeps only the running totals, which a
--    batch touches at most kelurahan x sudin times; the daily rows, one per kelurahan, sudin and
--    date, are what made a 5,000-row batch write thousands of scattered pages.

CREATE TABLE achievement_totals_new (
    period TEXT NOT NULL,
    kelurahan TEXT NOT NULL,
    sudin TEXT NOT NULL,
    kota TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    PRIMARY KEY (period, kelurahan, sudin)
) WITHOUT ROWID;
INSERT INTO achievement_totals_new (period, kelurahan, sudin, kota, kecamatan, achieved)
SELECT period, kelurahan, sudin, kota, kecamatan, achieved FROM achievement_totals ORDER BY period, kelurahan, sudin;
DROP TABLE achievement_totals;
ALTER TABLE achievement_totals_new RENAME TO achievement_totals;
CREATE INDEX ix_achievement_totals_kota ON achievement_totals (period, kota);

CREATE TABLE achievement_daily_new (
    period TEXT NOT NULL,
    kelurahan TEXT NOT NULL,
    sudin TEXT NOT NULL,
    date TEXT NOT NULL,
    kota TEXT NOT NULL,
    kecamatan TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    PRIMARY KEY (period, kelurahan, sudin, date)
) WITHOUT ROWID;
INSERT INTO achievement_daily_new (period, kelurahan, sudin, date, kota, kecamatan, achieved)
SELECT period, kelurahan, sudin, date, kota, kecamatan, achieved FROM achievement_daily ORDER BY period, kelurahan, sudin, date;
DROP TABLE achievement_daily;
ALTER TABLE achievement_daily_new RENAME TO achievement_daily;

CREATE TABLE aggregate_progress (
    name TEXT NOT NULL PRIMARY KEY,
    last_id INTEGER NOT NULL
);
-- Until now every write kept achievement_daily complete.
INSERT INTO aggregate_progress (name, last_id) SELECT 'achievement_daily', COALESCE(MAX(id), 0) FROM achievements;
