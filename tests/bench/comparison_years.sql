-- tests/bench/comparison.sh: more years, synthetically. Adds copies :first to :last of every
-- published value (every measure, every area) moved back in time: copy c of a measure's values
-- is moved back by c times the years the measure spans (the years from its first period's end
-- to its last's, counted inclusively), so the copies come before every published period and
-- never meet one another; each period's start and end move back as many years, and the years
-- written in its label with them (`2023-24 (OT)` back 10 years is `2013-14 (OT)`,
-- `2013/14-15/16` is `2003/04-05/06`). Each measure's latest periods stay as published. With
-- :first = :last = 1 the years double; 2 to 3 then makes four times as many. The span and first
-- end of each measure are kept in bench_years (made by the first run) so that later runs copy
-- only the published values and the copies can be removed again:
--
--   DELETE FROM ref_values v USING bench_years y WHERE v.measure = y.measure AND v.period_end < y.first_end;
--
--   psql -v first=1 -v last=1 -f tests/bench/comparison_years.sql
\set ON_ERROR_STOP on
BEGIN;
CREATE TABLE IF NOT EXISTS bench_years AS
SELECT measure, min(period_end) AS first_end,
       (extract(year FROM max(period_end)) - extract(year FROM min(period_end)))::int + 1 AS span
FROM ref_values GROUP BY measure;

CREATE FUNCTION pg_temp.shift_label(label text, n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT string_agg(CASE WHEN m[1] ~ '^[0-9]{4}$' THEN (m[1]::int - n)::text
                       WHEN m[1] ~ '^[0-9]{2}$' THEN lpad((((m[1]::int - n) % 100 + 100) % 100)::text, 2, '0')
                       ELSE m[1] END, '' ORDER BY i)
FROM regexp_matches(label, '[0-9]+|[^0-9]+', 'g') WITH ORDINALITY AS t(m, i)
$$;

INSERT INTO ref_values (measure, area, period, period_start, period_end, period_kind, period_status, value)
SELECT v.measure, v.area, pg_temp.shift_label(v.period, c.k * y.span),
       (v.period_start - make_interval(years => c.k * y.span))::date,
       (v.period_end - make_interval(years => c.k * y.span))::date,
       v.period_kind, v.period_status, v.value
FROM ref_values v
JOIN bench_years y ON y.measure = v.measure AND v.period_end >= y.first_end
CROSS JOIN generate_series(:first, :last) AS c(k);
COMMIT;
