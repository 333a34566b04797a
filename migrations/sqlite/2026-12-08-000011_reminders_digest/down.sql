ALTER TABLE contracts DROP COLUMN signed_on;
ALTER TABLE contracts DROP COLUMN procurement_regime;
ALTER TABLE contracts DROP COLUMN procurement_act;
DROP TABLE body_members;
DROP INDEX mail_outbox_tenant_due;
DROP TABLE reminder_digest_items;
CREATE TABLE unsubscribe_tokens_old (
    token_hash TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL CHECK (topic IN ('reviews', 'contracts')),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO unsubscribe_tokens_old SELECT * FROM unsubscribe_tokens WHERE topic <> 'digest';
DROP TABLE unsubscribe_tokens;
ALTER TABLE unsubscribe_tokens_old RENAME TO unsubscribe_tokens;
CREATE TABLE reminder_preferences_old (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL CHECK (topic IN ('reviews', 'contracts')),
    mode TEXT NOT NULL CHECK (mode IN ('each', 'off')),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, user_id, topic)
);
INSERT INTO reminder_preferences_old
    SELECT tenant_id, user_id, topic, CASE mode WHEN 'digest' THEN 'each' ELSE mode END, updated_at FROM reminder_preferences;
DROP TABLE reminder_preferences;
ALTER TABLE reminder_preferences_old RENAME TO reminder_preferences;
ALTER TABLE reminder_settings DROP COLUMN time_zone;
ALTER TABLE reminder_settings DROP COLUMN digest_hour;
