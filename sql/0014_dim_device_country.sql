-- The reference's device and country dimensions, beside dim_user_agent and dim_location, so that its queries run
-- unchanged. Both are derived from the facts: a device is a session key (the tracker's and the feed's device_id when
-- the event has no session_id) with the device type and browser of its latest event; a store's country and region
-- are those of most of its events' locations.
CREATE OR REPLACE VIEW dim_device AS
SELECT DISTINCT ON (f.session_key)
       f.session_key AS device_id,
       coalesce(a.device_type, 'unknown') AS device_type,
       coalesce(a.browser, 'Unknown') AS browser
FROM fact_events f
LEFT JOIN dim_user_agent a ON a.user_agent_key = f.user_agent_key
ORDER BY f.session_key, f.occurred_at DESC, f.event_key;

CREATE OR REPLACE VIEW dim_country AS
SELECT DISTINCT ON (f.store_id)
       f.store_id,
       coalesce(l.country_name, 'Unknown') AS country_name,
       l.region_name AS region
FROM fact_events f
LEFT JOIN dim_location l ON l.location_key = f.location_key
WHERE f.store_id IS NOT NULL
GROUP BY f.store_id, l.country_name, l.region_name
ORDER BY f.store_id, count(*) DESC, coalesce(l.country_name, 'Unknown'), l.region_name;
