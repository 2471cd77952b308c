-- Core schema: sites, devices, charging sessions, users, ingest bookkeeping.
-- Instants are INTEGER milliseconds since the Unix epoch (UTC).

CREATE TABLE sites (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  timezone   TEXT NOT NULL DEFAULT 'UTC',
  created_at INTEGER NOT NULL
);

CREATE TABLE devices (
  id         TEXT PRIMARY KEY,
  site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  type       TEXT NOT NULL,
  name       TEXT NOT NULL,
  properties TEXT NOT NULL DEFAULT '{}',  -- JSON object
  state      TEXT NOT NULL DEFAULT '{}',  -- JSON object, latest telemetry `state`
  last_seen  INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX devices_by_site ON devices(site_id, id);

CREATE TABLE sessions (
  session_id TEXT PRIMARY KEY,
  station_id TEXT NOT NULL,
  site_id    TEXT NOT NULL,
  connector  INTEGER,
  vehicle_id TEXT,
  status     TEXT NOT NULL CHECK (status IN ('active', 'completed')),
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  energy_kwh REAL NOT NULL,
  cost       REAL,
  currency   TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sessions_newest ON sessions(started_at DESC, session_id DESC);
CREATE INDEX sessions_by_station ON sessions(station_id, started_at);
CREATE INDEX sessions_by_site ON sessions(site_id, started_at);
CREATE INDEX sessions_by_vehicle ON sessions(vehicle_id, started_at);

CREATE TABLE users (
  username      TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
  created_at    INTEGER NOT NULL
);

CREATE TABLE user_sites (
  username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  site_id  TEXT NOT NULL,
  PRIMARY KEY (username, site_id)
);

-- One row: totals since the database was created, updated in the same transaction as the data.
CREATE TABLE ingest_stats (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  received        INTEGER NOT NULL DEFAULT 0,
  stored          INTEGER NOT NULL DEFAULT 0,
  duplicates      INTEGER NOT NULL DEFAULT 0,
  rejected        INTEGER NOT NULL DEFAULT 0,
  last_message_at INTEGER
);
INSERT INTO ingest_stats (id) VALUES (1);

CREATE TABLE ingest_rejections (
  reason TEXT PRIMARY KEY,
  count  INTEGER NOT NULL
);

CREATE TABLE dead_letters (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  topic       TEXT NOT NULL,
  payload     TEXT NOT NULL,  -- first 4 KiB
  reason      TEXT NOT NULL,
  message     TEXT NOT NULL
);
CREATE INDEX dead_letters_by_reason ON dead_letters(reason, id);

-- How far each listener's inbox has been applied (see listener/inbox.h).
CREATE TABLE inbox_checkpoints (
  listener_id TEXT PRIMARY KEY,
  applied_seq INTEGER NOT NULL
);
