-- The PostgreSQL schema (docs/contract.md §9): the tables of SQLite's migrations 0001–0010 as they
-- stand after 0010, in one migration numbered like the SQLite schema it matches, so SchemaVersion
-- answers the same on both backends. A later change adds a numbered file here and one in sql/.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC), dates TEXT 'YYYY-MM-DD', JSON
-- objects JSONB. Integers are BIGINT throughout (the statements bind 64-bit values).

CREATE TABLE sites (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  timezone   TEXT NOT NULL DEFAULT 'UTC',
  created_at BIGINT NOT NULL
);

CREATE TABLE devices (
  id         TEXT PRIMARY KEY,
  site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  type       TEXT NOT NULL,
  name       TEXT NOT NULL,
  properties JSONB NOT NULL DEFAULT '{}',
  state      JSONB NOT NULL DEFAULT '{}',  -- latest telemetry `state`
  last_seen  BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX devices_by_site ON devices(site_id, id);

CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  station_id TEXT NOT NULL,
  site_id    TEXT NOT NULL,
  connector  BIGINT,
  vehicle_id TEXT,
  status     TEXT NOT NULL CHECK (status IN ('active', 'completed')),
  started_at BIGINT NOT NULL,
  ended_at   BIGINT,
  energy_kwh DOUBLE PRECISION NOT NULL,
  cost       DOUBLE PRECISION,
  currency   TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX sessions_newest ON sessions(started_at DESC, session_id DESC);
CREATE INDEX sessions_by_station ON sessions(station_id, started_at);
CREATE INDEX sessions_by_site ON sessions(site_id, started_at);
CREATE INDEX sessions_by_vehicle ON sessions(vehicle_id, started_at);

CREATE TABLE users (
  username      TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
  created_at    BIGINT NOT NULL,
  changed_at    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE user_sites (
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  site_id  TEXT NOT NULL,
  PRIMARY KEY (username, site_id)
);
CREATE INDEX user_sites_by_site ON user_sites(site_id, username);

CREATE TABLE ingest_stats (
  id              BIGINT PRIMARY KEY CHECK (id = 1),
  received        BIGINT NOT NULL DEFAULT 0,
  stored          BIGINT NOT NULL DEFAULT 0,
  duplicates      BIGINT NOT NULL DEFAULT 0,
  rejected        BIGINT NOT NULL DEFAULT 0,
  last_message_at BIGINT
);
INSERT INTO ingest_stats (id) VALUES (1);

CREATE TABLE ingest_rejections (
  reason TEXT PRIMARY KEY,
  count  BIGINT NOT NULL
);

CREATE TABLE dead_letters (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at BIGINT NOT NULL,
  topic       TEXT NOT NULL,
  payload     BYTEA NOT NULL,  -- first 4 KiB, as received
  reason      TEXT NOT NULL,
  message     TEXT NOT NULL
);
CREATE INDEX dead_letters_by_reason ON dead_letters(reason, id);

CREATE TABLE inbox_checkpoints (
  listener_id TEXT PRIMARY KEY,
  applied_seq BIGINT NOT NULL
);

-- Telemetry: see sql/0002_telemetry.sql and sql/0008_series.sql.
CREATE TABLE series (
  id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  UNIQUE (device_id, metric)
);

-- Raw samples, partitioned by UTC day of ts: the writer creates a day's partition when its first
-- sample arrives (telemetry_writer.cpp), retention drops every day wholly before the cutoff and
-- deletes only inside the day the cutoff falls in (telemetry_retention.cpp).
CREATE TABLE telemetry (
  series_id BIGINT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  ts        BIGINT NOT NULL,
  value     DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (series_id, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE metric_latest (
  device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  ts        BIGINT NOT NULL,
  value     DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (device_id, metric)
);

CREATE TABLE telemetry_rollups (
  series_id    BIGINT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  interval     TEXT NOT NULL CHECK (interval IN ('1m', '15m', '1h', '1d', '1mo')),
  bucket       BIGINT NOT NULL,
  sample_count BIGINT NOT NULL,
  value_sum    DOUBLE PRECISION NOT NULL,
  value_min    DOUBLE PRECISION NOT NULL,
  value_max    DOUBLE PRECISION NOT NULL,
  last_ts      BIGINT NOT NULL,
  last_value   DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (series_id, interval, bucket)
);

CREATE TABLE telemetry_retention (
  id             BIGINT PRIMARY KEY CHECK (id = 1),
  pruned_before  BIGINT NOT NULL
);
INSERT INTO telemetry_retention (id, pruned_before) VALUES (1, 0);

-- Contracts: see sql/0003_contracts.sql and sql/0007_access.sql.
CREATE TABLE contracts (
  contract_number TEXT PRIMARY KEY,
  created_at      BIGINT NOT NULL,
  site_id         TEXT REFERENCES sites(id)
);
CREATE INDEX contracts_by_site ON contracts(site_id, contract_number);

CREATE TABLE contract_components (
  contract_number TEXT NOT NULL REFERENCES contracts(contract_number) ON DELETE CASCADE,
  component       TEXT NOT NULL
                  CHECK (component IN ('energy_supply', 'battery_optimization', 'heatpump_optimization')),
  start_date      TEXT,
  end_date        TEXT,
  PRIMARY KEY (contract_number, component)
);

CREATE TABLE contract_events (
  seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contract_number TEXT NOT NULL REFERENCES contracts(contract_number) ON DELETE CASCADE,
  type            TEXT NOT NULL,
  component       TEXT,
  event_date      TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  received_at     BIGINT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
  reason          TEXT NOT NULL,
  UNIQUE (contract_number, type, event_date, created_at)
);
CREATE INDEX contract_events_replay ON contract_events(contract_number, created_at, seq);
CREATE INDEX contract_events_by_component
  ON contract_events(contract_number, component, created_at, seq);
CREATE INDEX contract_events_accepted
  ON contract_events(contract_number, type, created_at, seq) WHERE status = 'accepted';

-- Schedules and tariffs: see sql/0004_schedules.sql.
CREATE TABLE ev_schedules (
  device_id          TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  mode               TEXT NOT NULL CHECK (mode IN ('manual', 'planned')),
  target_soc         DOUBLE PRECISION CHECK (target_soc > 0 AND target_soc <= 1),
  ready_by           BIGINT,
  paused_until       BIGINT,
  override_start     BIGINT,
  override_end       BIGINT,
  plan_computed_at   BIGINT,
  plan_projected_soc DOUBLE PRECISION,
  plan_reachable     BIGINT CHECK (plan_reachable IN (0, 1)),
  plan_message       TEXT,
  updated_at         BIGINT NOT NULL,
  CHECK ((mode = 'planned') = (target_soc IS NOT NULL AND ready_by IS NOT NULL)),
  CHECK ((override_start IS NULL) = (override_end IS NULL)),
  CHECK ((plan_computed_at IS NULL) = (plan_reachable IS NULL))
);

CREATE TABLE ev_schedule_slots (
  device_id TEXT NOT NULL REFERENCES ev_schedules(device_id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('manual', 'planned')),
  start_at  BIGINT NOT NULL,
  end_at    BIGINT NOT NULL CHECK (end_at > start_at),
  PRIMARY KEY (device_id, kind, start_at)
);

CREATE TABLE site_tariffs (
  site_id    TEXT PRIMARY KEY,
  currency   TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE site_tariff_prices (
  site_id       TEXT NOT NULL REFERENCES site_tariffs(site_id) ON DELETE CASCADE,
  start_at      BIGINT NOT NULL,
  end_at        BIGINT NOT NULL CHECK (end_at > start_at),
  price_per_kwh DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (site_id, start_at)
);

-- Energy: see sql/0005_energy.sql.
CREATE TABLE energy_rollups (
  device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  interval    TEXT NOT NULL CHECK (interval IN ('15m', '1h', '1d', '1mo')),
  bucket      BIGINT NOT NULL,
  produced_wh DOUBLE PRECISION NOT NULL,
  consumed_wh DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (device_id, interval, bucket)
);

-- Subscriptions: see sql/0006_subscriptions.sql.
CREATE TABLE subscriptions (
  id         TEXT PRIMARY KEY,
  owner      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_by_owner ON subscriptions(owner, id);

CREATE TABLE subscription_metrics (
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  position        BIGINT NOT NULL,
  device_id       TEXT NOT NULL,
  metric          TEXT NOT NULL,
  PRIMARY KEY (subscription_id, position)
);

-- OCPP: see sql/0009_ocpp.sql.
CREATE TABLE ocpp_chargers (
  station_id    TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  free_vend     BIGINT NOT NULL DEFAULT 0,
  connected     BIGINT NOT NULL DEFAULT 0,
  last_seen     BIGINT,
  vendor        TEXT,
  model         TEXT,
  serial        TEXT,
  firmware      TEXT,
  created_at    BIGINT NOT NULL
);

CREATE TABLE ocpp_transaction_ids (
  station_id TEXT PRIMARY KEY,
  last_id    BIGINT NOT NULL
);

CREATE TABLE ocpp_transactions (
  station_id     TEXT NOT NULL,
  transaction_id BIGINT NOT NULL,
  connector      BIGINT NOT NULL,
  id_tag         TEXT NOT NULL,
  vehicle_id     TEXT,
  meter_start_wh BIGINT NOT NULL,
  started_at     BIGINT NOT NULL,
  stopped_at     BIGINT,
  PRIMARY KEY (station_id, transaction_id)
);
CREATE UNIQUE INDEX ocpp_transactions_by_start
  ON ocpp_transactions(station_id, connector, started_at, id_tag, meter_start_wh);

-- Energy counters: see sql/0010_energy_counters.sql.
CREATE TABLE energy_counters (
  site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  device_id  TEXT NOT NULL,
  figure     TEXT NOT NULL,
  counted_wh DOUBLE PRECISION NOT NULL,
  offset_wh  DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (site_id, device_id, figure)
);
