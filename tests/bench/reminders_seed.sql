-- Seeding for tests/bench/reminders.sh: the trusts, members, contracts and reviews the reminders'
-- tick is measured over. Run with psql against a database already migrated and seeded with the
-- demo data (`platform migrate`, `platform seed --demo`), as a superuser:
--
--   psql -v ON_ERROR_STOP=1 -v today=2026-12-08 -v tenants=150 -v reviews=1000000 \
--        -v near=100 -v contracts=40 -v history=100000 -v template=durham \
--        -f tests/bench/reminders_seed.sql
--
-- today      the day the tick will be run for (the reviews' dates are placed around it)
-- tenants    how many trusts in all: the demo's five plus "bench-NNN" ones, copies of
--            the template trust's columns (region, framework, lead days), each with two
--            commissioners and an admin, two providers, four services and `contracts` contracts
-- reviews    how many reviews in all, the demo's included
-- near       reviews of each trust due in the tick's window (from today-20 to today+35 days,
--            what a tick with the default lead times 28,14,7,1 reads): about what ten years of
--            reviews spread evenly would put there (6,667 a trust over 3,652 days: ~100 in 56
--            days); a quarter of those already past are still open (overdue), the others are
--            completed; of those to come one in ten is in progress, one in twenty cancelled
-- contracts  contracts of each new trust (active ones ending within six months are reminded too)
-- history    reminders already sent, in the mail outbox: what a platform that has been running
--            for a while holds (about seven weeks of them at this size), due from 22 days to a
--            year before today, so none is one a tick for today would write again. A tick's
--            reads of the outbox see them; an empty outbox is another case (see reminders.sh)
--
-- The rest of the reviews ("far") are spread over ten years, 60 to 1,826 days before or after
-- today, outside the window of any tick from today-35 to today+35: those past are completed,
-- those to come scheduled (one in ten in progress). Those in the window are written in a random
-- order, so a trust's are scattered over the table's pages as years of edits would leave them. Half of all reviews are owned by a
-- commissioner of their trust, the other half by nobody (reminded to the trust's commissioners).
-- Running it again with a larger `reviews` (or `tenants`) adds only what is missing: the
-- harness seeds 100,000 reviews, measures, then tops up to 1,000,000 with the same near ones.
--
-- One INSERT … SELECT a table, with the foreign-key triggers off for the transaction
-- (session_replication_role = replica; every reference is made from rows of the same trust,
-- so nothing they would check can be wrong). Check constraints and unique keys still hold.

\set ON_ERROR_STOP on
BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL synchronous_commit = off;
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '256MB';

-- --- trusts: copies of the template's columns, with their own slug, name and ONS code
INSERT INTO tenants (id, slug, name, ons_code, region, status, plugin_id, plugin_version,
                     reminder_lead_days, share_indicators, created_at)
SELECT gen_random_uuid()::text, 'bench-' || lpad(g::text, 3, '0'), 'Benchmark children''s trust ' || g,
       'E07' || lpad((900000 + g)::text, 6, '0'), t.region, 'active', t.plugin_id, t.plugin_version,
       t.reminder_lead_days, t.share_indicators, date_trunc('second', now() AT TIME ZONE 'utc')
FROM tenants t
CROSS JOIN LATERAL generate_series(
    (SELECT count(*) FROM tenants WHERE slug LIKE 'bench-%') + 1,
    (SELECT count(*) FROM tenants WHERE slug LIKE 'bench-%') + greatest(0, :tenants - (SELECT count(*) FROM tenants))) g
WHERE t.slug = :'template';

-- --- two commissioners and an admin for each new trust: users, then memberships
CREATE TEMP TABLE bench_roles (local, role) ON COMMIT DROP AS
VALUES ('commissioner1', 'commissioner'), ('commissioner2', 'commissioner'), ('admin', 'tenant_admin');

INSERT INTO users (id, email, display_name, is_operator, created_at)
SELECT gen_random_uuid()::text, r.local || '@' || t.slug || '.example', 'Bench ' || r.local || ' (' || t.slug || ')',
       false, date_trunc('second', now() AT TIME ZONE 'utc')
FROM tenants t CROSS JOIN bench_roles r
WHERE t.slug LIKE 'bench-%'
ON CONFLICT (email) DO NOTHING;

INSERT INTO memberships (id, tenant_id, user_id, role, provider_id, created_at, display_name)
SELECT gen_random_uuid()::text, t.id, u.id, r.role, NULL, u.created_at, u.display_name
FROM tenants t CROSS JOIN bench_roles r
JOIN users u ON u.email = r.local || '@' || t.slug || '.example'
WHERE t.slug LIKE 'bench-%'
ON CONFLICT (tenant_id, user_id) DO NOTHING;

-- --- two providers, four services and `contracts` contracts for each new trust
INSERT INTO providers (id, tenant_id, name, sector, created_at)
SELECT gen_random_uuid()::text, t.id, 'Benchmark provider ' || p, (ARRAY['voluntary_community', 'independent_private'])[p],
       date_trunc('second', now() AT TIME ZONE 'utc')
FROM tenants t CROSS JOIN generate_series(1, 2) p
WHERE t.slug LIKE 'bench-%' AND NOT EXISTS (SELECT 1 FROM providers x WHERE x.tenant_id = t.id);

INSERT INTO services (id, tenant_id, provider_id, name, tier, age_from, age_to, annual_budget_pence, created_at)
SELECT gen_random_uuid()::text, t.id,
       (SELECT x.id FROM providers x WHERE x.tenant_id = t.id ORDER BY x.name OFFSET (s % 2) LIMIT 1),
       'Benchmark service ' || s, (ARRAY['universal', 'targeted', 'specialist', 'targeted'])[s], 0, 18,
       s * 25000000, date_trunc('second', now() AT TIME ZONE 'utc')
FROM tenants t CROSS JOIN generate_series(1, 4) s
WHERE t.slug LIKE 'bench-%' AND NOT EXISTS (SELECT 1 FROM services x WHERE x.tenant_id = t.id);

-- Ends from 300 days ago to three and a half years ahead; three-year contracts.
INSERT INTO contracts (id, tenant_id, reference, title, service_id, provider_id, kind, status, value_pence,
                       start_date, end_date, created_at)
SELECT gen_random_uuid()::text, s.tenant_id, 'BENCH-' || lpad(c::text, 4, '0'), s.name || ' (contract ' || c || ')',
       s.id, s.provider_id, (ARRAY['block', 'sla', 'grant', 'spot'])[1 + c % 4],
       CASE WHEN e.end_date < :'today'::date THEN 'ended' ELSE 'active' END,
       3 * (5000000 + (c * 104729) % 95000000), (e.end_date - interval '3 years')::date + 1, e.end_date,
       date_trunc('second', now() AT TIME ZONE 'utc')
FROM tenants t
CROSS JOIN generate_series(1, :contracts) c
CROSS JOIN LATERAL (SELECT :'today'::date + ((c * 73) % 1580 - 300) AS end_date) e
JOIN LATERAL (SELECT sv.* FROM services sv WHERE sv.tenant_id = t.id ORDER BY sv.name OFFSET (c % 4) LIMIT 1) s ON true
WHERE t.slug LIKE 'bench-%' AND NOT EXISTS (SELECT 1 FROM contracts x WHERE x.tenant_id = t.id);

-- --- reviews: for every trust with contracts, `near` in the window (less those already there)
-- and its share of the rest up to `reviews` in all
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
WITH t AS (
    SELECT t.id AS tenant_id, (row_number() OVER (ORDER BY t.slug) - 1)::int AS rank,
           (SELECT array_agg(c.id ORDER BY c.id) FROM contracts c WHERE c.tenant_id = t.id) AS contracts,
           (SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.tenant_id = t.id AND m.role = 'commissioner' ORDER BY u.email LIMIT 1) AS owner,
           (SELECT count(*) FROM reviews r WHERE r.tenant_id = t.id AND r.notes = 'benchmark: near')::int AS near_have,
           (SELECT count(*) FROM reviews r WHERE r.tenant_id = t.id AND r.notes = 'benchmark: far')::int AS far_have
    FROM tenants t
    WHERE EXISTS (SELECT 1 FROM contracts c WHERE c.tenant_id = t.id)
), n AS (
    SELECT t.*, greatest(0, :near - near_have)::int AS near_add, (count(*) OVER ())::int AS trusts FROM t
), f AS (
    SELECT greatest(0, :reviews - (SELECT count(*) FROM reviews) - (SELECT sum(near_add) FROM n))::int AS far_total
)
SELECT n.*, f.far_total / n.trusts + CASE WHEN n.rank < f.far_total % n.trusts THEN 1 ELSE 0 END AS far_add
FROM n, f;

INSERT INTO reviews (id, tenant_id, contract_id, service_id, kind, title, due_on, owner_user_id, owner_body,
                     status, outcome, completed_on, notes, created_at, version, evidence)
SELECT gen_random_uuid()::text, tenant_id, contract_id, NULL, 'annual', 'Annual review (benchmark ' || k || ')', due_on,
       CASE WHEN k % 2 = 0 THEN owner END, NULL, status,
       CASE WHEN status = 'completed' THEN 'continue' END, CASE WHEN status = 'completed' THEN due_on END,
       CASE WHEN near THEN 'benchmark: near' ELSE 'benchmark: far' END,
       date_trunc('second', now() AT TIME ZONE 'utc'), 1, ''
FROM (
    SELECT d.*,
           CASE
               WHEN NOT near AND due_on < :'today'::date THEN 'completed'
               WHEN NOT near THEN CASE WHEN k % 20 = 0 THEN 'in_progress' ELSE 'scheduled' END
               WHEN due_on < :'today'::date THEN CASE WHEN k % 4 = 0 THEN 'scheduled' ELSE 'completed' END
               WHEN k % 20 = 1 THEN 'cancelled'
               WHEN k % 10 = 0 THEN 'in_progress'
               ELSE 'scheduled'
           END AS status
    FROM (
        SELECT p.tenant_id, p.owner, g <= p.near_add AS near,
               -- a number of the review within its trust and kind that a top-up continues
               CASE WHEN g <= p.near_add THEN p.near_have + g ELSE p.far_have + g - p.near_add END AS k,
               p.contracts[1 + (g + p.rank) % cardinality(p.contracts)] AS contract_id,
               CASE WHEN g <= p.near_add
                    THEN :'today'::date - 20 + ((p.near_have + g) * 37 + p.rank) % 56
                    ELSE :'today'::date + (CASE WHEN (p.far_have + g - p.near_add) % 2 = 0 THEN 1 ELSE -1 END)
                         * (60 + ((p.far_have + g - p.near_add) * 7919 + p.rank * 104729) % 1767)
               END AS due_on
        FROM bench_plan p
        CROSS JOIN LATERAL generate_series(1, p.near_add + p.far_add) g
    ) d
) r
-- those in the window in no order on disk, as years of edits leave them (not a trust's side
-- by side); the others by trust and date, which keeps the indexes' inserts near each other
ORDER BY near DESC, CASE WHEN near THEN random() END, tenant_id, status, due_on;

-- --- reminders already sent: spread over the trusts, as long as real ones (about 2.5 kB)
INSERT INTO mail_outbox (id, tenant_id, idempotency_key, message_id, to_address, subject, body_text, body_html,
                         status, attempts, next_attempt_at, last_error, sent_at, created_at, kind, subject_kind,
                         subject_id, due_on, recipient_user_id, lease_until, claimed_by, give_up_at, unsubscribe_url)
SELECT gen_random_uuid()::text, t.ids[1 + g % cardinality(t.ids)], 'history:' || g,
       '<history.' || g || '@commissioning.platform>', 'commissioner' || (1 + g % 2) || '@history.example',
       'Review due in 28 days', repeat('An earlier reminder of the benchmark. ', 20),
       '<p>' || repeat('An earlier reminder of the benchmark. ', 40) || '</p>',
       'sent', 1, x.created, NULL, x.created + interval '1 minute', x.created, 'review_due_28', 'review',
       gen_random_uuid()::text, x.due_on, NULL, NULL, NULL, x.created + interval '1 day', NULL
FROM (SELECT array_agg(id ORDER BY slug) AS ids FROM tenants WHERE status = 'active') t
CROSS JOIN generate_series((SELECT count(*) FROM mail_outbox WHERE idempotency_key LIKE 'history:%') + 1, :history) g
CROSS JOIN LATERAL (SELECT :'today'::date - 22 - (g * 7 % 343)::int AS due_on) d
CROSS JOIN LATERAL (SELECT (d.due_on - 28) + time '09:00' AS created, d.due_on) x;
COMMIT;

ANALYZE tenants;
ANALYZE users;
ANALYZE memberships;
ANALYZE providers;
ANALYZE services;
ANALYZE contracts;
ANALYZE reviews;
ANALYZE mail_outbox;
