-- Energy per bucket (docs/contract.md §6.4 energy series), kept at ingest like the other rollups, so a site's
-- series reads one row per device and bucket instead of integrating every minute per request.
-- produced_wh / consumed_wh: the device's power_w integrated from its 1-minute rollups as
-- sample-and-hold steps (ems::AccumulateEnergy: gaps over 15 minutes not bridged), split at
-- bucket boundaries. 15m and 1h buckets are UTC-aligned; 1d and 1mo start at local midnight in
-- the site's zone at ingest time; 1w is composed from 1d and 1m is integrated when queried.
-- Rows for data stored before this table existed are built when the migration runs
-- (store/src/sqlite/sqlite_store.cpp).
CREATE TABLE energy_rollups (
  device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  interval    TEXT NOT NULL CHECK (interval IN ('15m', '1h', '1d', '1mo')),
  bucket      INTEGER NOT NULL,
  produced_wh REAL NOT NULL,
  consumed_wh REAL NOT NULL,
  PRIMARY KEY (device_id, interval, bucket)
) WITHOUT ROWID;
