-- tests/bench/comparison.sh: more authorities, synthetically. Adds copies :first to :last of
-- every authority DfE publishes (ref_areas of kind 'authority', the copies' own excepted) under
-- new codes (`S1-840` is copy 1 of Durham), in the same region, with every one of its values
-- (every measure, every period) multiplied by a fixed factor within ±1 % of 1, so that the
-- copies do not tie with their originals in a ranking. Regions, England and the statistical
-- neighbours are left as published. With :first = :last = 1 the authorities double; 2 to 3
-- then makes four times as many.
--
--   psql -v first=1 -v last=1 -f tests/bench/comparison_authorities.sql
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE bench_copies ON COMMIT DROP AS SELECT k FROM generate_series(:first, :last) k;
CREATE TEMP TABLE bench_authorities ON COMMIT DROP AS
SELECT code, name, region FROM ref_areas WHERE kind = 'authority' AND code NOT LIKE 'S%';

INSERT INTO ref_areas (code, kind, name, region)
SELECT 'S' || c.k || '-' || a.code, 'authority', a.name || ' (synthetic copy ' || c.k || ')', a.region
FROM bench_authorities a CROSS JOIN bench_copies c;

INSERT INTO ref_values (measure, area, period, period_start, period_end, period_kind, period_status, value)
SELECT v.measure, 'S' || c.k || '-' || v.area, v.period, v.period_start, v.period_end, v.period_kind,
       v.period_status,
       v.value * (1 + ((abs(hashtext(c.k || ':' || v.area || ':' || v.measure)) % 2001) - 1000) / 100000.0)
FROM ref_values v
JOIN bench_authorities a ON a.code = v.area
CROSS JOIN bench_copies c;
COMMIT;
