-- Telemetry (docs/contract.md §4.1, §4.4, §6.3, §6.4): raw samples, the latest value of each metric, and
-- rollups maintained at ingest. Instants are INTEGER milliseconds since the Unix epoch (UTC).
-- Rows of a deleted device go with it (ON DELETE CASCADE; PRAGMA foreign_keys=ON at open).

-- Raw samples, keyed as docs/contract.md §4.4 says: a sample delivered twice is stored once.
-- Pruned after EMS_RAW_RETENTION_DAYS; rollups are kept.
CREATE TABLE telemetry (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  ts        INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (device_id, metric, ts)
) WITHOUT ROWID;

-- The sample with the greatest ts of each (device, metric), whatever the arrival order.
CREATE TABLE metric_latest (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  ts        INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (device_id, metric)
) WITHOUT ROWID;

-- One row per (device, metric, interval, bucket start) holding a mergeable aggregate
-- (ems::AggState). 1m, 15m and 1h buckets are UTC-aligned; 1d and 1mo start at local midnight
-- in the site's zone at ingest time; 1w is composed from 1d when queried.
CREATE TABLE telemetry_rollups (
  device_id    TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  metric       TEXT NOT NULL,
  interval     TEXT NOT NULL CHECK (interval IN ('1m', '15m', '1h', '1d', '1mo')),
  bucket       INTEGER NOT NULL,
  sample_count INTEGER NOT NULL,
  value_sum    REAL NOT NULL,
  value_min    REAL NOT NULL,
  value_max    REAL NOT NULL,
  last_ts      INTEGER NOT NULL,
  last_value   REAL NOT NULL,
  PRIMARY KEY (device_id, metric, interval, bucket)
) WITHOUT ROWID;

-- Raw samples before `pruned_before` were deleted; a late sample older than that is refused, as
-- its raw twin may have been pruned and its rollups would count it twice.
CREATE TABLE telemetry_retention (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  pruned_before  INTEGER NOT NULL
);
INSERT INTO telemetry_retention (id, pruned_before) VALUES (1, 0);
