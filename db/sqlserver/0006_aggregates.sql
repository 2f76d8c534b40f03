-- SQLite's 0006 turns the aggregates into WITHOUT ROWID tables, which SQL Server's clustered primary
-- keys already are, and folds achievement_daily from the ledger in the background. SQL Server keeps
-- writing achievement_daily inside every ledger write: its identity values are not assigned in
-- commit order, so "every ledger row above an id" cannot mark what a fold has taken. The progress
-- row says daily holds every id, so the roll-up queries (shared by both dialects) add no ledger rows.
CREATE TABLE aggregate_progress (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    last_id BIGINT NOT NULL
);
INSERT INTO aggregate_progress (name, last_id) VALUES ('achievement_daily', 9223372036854775807);
