-- The checks fact_events runs on every inserted row, made cheaper with the same meaning (measured on PostgreSQL 15,
-- 300,000 rows): the event_key pattern '^[0-9a-f]{64}$' cost 6.2 us a row through PostgreSQL's regular expression
-- engine, a third of the whole insert; 64 characters none of which is outside [0-9a-f] costs 0.1 us. date_key_of
-- (also in the date_key check and the insert) read the date's parts as numeric (extract); date_part reads them as
-- double precision, exact for these values, in half the time.
ALTER TABLE fact_events DROP CONSTRAINT IF EXISTS fact_events_event_key_check;
ALTER TABLE fact_events ADD CONSTRAINT fact_events_event_key_check
    CHECK (char_length(event_key) = 64 AND event_key !~ '[^0-9a-f]');

CREATE OR REPLACE FUNCTION date_key_of(d date) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT (date_part('year', d) * 10000 + date_part('month', d) * 100 + date_part('day', d))::integer
$$;
