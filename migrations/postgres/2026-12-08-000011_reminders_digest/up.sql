-- Reminders, second part: the daily digest at a trust's hour in its time zone, the bodies a
-- member serves (a review with no owner is reminded to its body's members), and the Procurement
-- Act 2023 terms of a contract that the trust's deadline reminders follow.

-- The hour of the day (0-23) the trust's digests go out, in its time zone (an IANA name).
ALTER TABLE reminder_settings ADD COLUMN digest_hour INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23);
ALTER TABLE reminder_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/London';

-- A member may have a topic's reminders one by one, in one daily digest, or not at all.
ALTER TABLE reminder_preferences DROP CONSTRAINT reminder_preferences_mode_check;
ALTER TABLE reminder_preferences ADD CONSTRAINT reminder_preferences_mode_check CHECK (mode IN ('each', 'digest', 'off'));
-- A digest's one-click unsubscribe turns off the topics the member takes as a digest.
ALTER TABLE unsubscribe_tokens DROP CONSTRAINT unsubscribe_tokens_topic_check;
ALTER TABLE unsubscribe_tokens ADD CONSTRAINT unsubscribe_tokens_topic_check CHECK (topic IN ('reviews', 'contracts', 'digest'));

-- A reminder held for a member's daily digest, under the same unique key an email would have
-- (so it is held once, and never also sent alone); `digest_key` is the outbox key of the digest
-- that carried it, written in the same transaction as the digest.
CREATE TABLE reminder_digest_items (
    key TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    due_on DATE NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    digest_key TEXT
);
CREATE INDEX reminder_digest_waiting ON reminder_digest_items (tenant_id, user_id, digest_key);
CREATE INDEX reminder_digest_due ON reminder_digest_items (tenant_id, due_on);
-- A tick reads the keys of a trust's recent reminders at once.
CREATE INDEX mail_outbox_tenant_due ON mail_outbox (tenant_id, due_on);
ALTER TABLE reminder_digest_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reminder_digest_items
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON reminder_digest_items TO platform_app;

-- The bodies of the trust's framework (a board, a partnership) a member serves on: a review
-- owned by a body and by nobody in person is reminded to them.
CREATE TABLE body_members (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    body TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, body, user_id)
);
ALTER TABLE body_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON body_members
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON body_members TO platform_app;

-- The Procurement Act 2023 terms of a contract: whether the Act covers it, under which regime
-- (light touch for most children's social care services) and the day it was entered into
-- (its start date when not given). Its value is the contract's value.
ALTER TABLE contracts ADD COLUMN procurement_act BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contracts ADD COLUMN procurement_regime TEXT NOT NULL DEFAULT 'standard'
    CHECK (procurement_regime IN ('standard', 'light_touch'));
ALTER TABLE contracts ADD COLUMN signed_on DATE;
