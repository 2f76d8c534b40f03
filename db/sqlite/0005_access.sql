-- A kota key reads the audit rows of its own kota, newest first.
CREATE INDEX ix_audit_kota_id ON audit_log (kota, id);
