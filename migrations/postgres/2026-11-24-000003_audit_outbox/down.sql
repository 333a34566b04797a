DROP TRIGGER audit_log_append_only ON audit_log;
DROP TRIGGER decisions_append_only ON decisions;
DROP FUNCTION refuse_change();
DROP TABLE mail_outbox;
DROP TABLE audit_log;
