-- Raw samples and rollups keyed by an integer series id instead of the text pair (device_id,
-- metric): every sample's insert descends these trees, and an integer key is compared in a few
-- instructions where two texts were decoded and compared at every level. Rows shrink with it.
-- metric_latest keeps its text key: it is small and read by device.

-- One row per (device, metric) that has had a sample. A series goes with its device and its rows
-- with it, so an id SQLite gives again after that names nothing old.
CREATE TABLE series (
  id        INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  UNIQUE (device_id, metric)
);
-- Every series with a sample has its latest value and rollups, and raw rows unless pruned; all
-- three are read, so that no row is left without its series whatever an old database holds.
INSERT INTO series (device_id, metric)
  SELECT device_id, metric FROM metric_latest
  UNION SELECT device_id, metric FROM telemetry_rollups
  UNION SELECT device_id, metric FROM telemetry
  ORDER BY 1, 2;

CREATE TABLE telemetry_by_series (
  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  ts        INTEGER NOT NULL,
  value     REAL NOT NULL,
  PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;
INSERT INTO telemetry_by_series (series_id, ts, value)
  SELECT s.id, t.ts, t.value FROM telemetry t JOIN series s USING (device_id, metric)
  ORDER BY s.id, t.ts;
DROP TABLE telemetry;
ALTER TABLE telemetry_by_series RENAME TO telemetry;

CREATE TABLE rollups_by_series (
  series_id    INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  interval     TEXT NOT NULL CHECK (interval IN ('1m', '15m', '1h', '1d', '1mo')),
  bucket       INTEGER NOT NULL,
  sample_count INTEGER NOT NULL,
  value_sum    REAL NOT NULL,
  value_min    REAL NOT NULL,
  value_max    REAL NOT NULL,
  last_ts      INTEGER NOT NULL,
  last_value   REAL NOT NULL,
  PRIMARY KEY (series_id, interval, bucket)
) WITHOUT ROWID;
INSERT INTO rollups_by_series (series_id, interval, bucket, sample_count, value_sum, value_min,
                               value_max, last_ts, last_value)
  SELECT s.id, r.interval, r.bucket, r.sample_count, r.value_sum, r.value_min, r.value_max,
         r.last_ts, r.last_value
  FROM telemetry_rollups r JOIN series s USING (device_id, metric)
  ORDER BY s.id, r.interval, r.bucket;
DROP TABLE telemetry_rollups;
ALTER TABLE rollups_by_series RENAME TO telemetry_rollups;
