DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TRIGGER decisions_no_delete;
DROP TRIGGER decisions_no_update;
DROP TABLE mail_outbox;
DROP TABLE audit_log;
