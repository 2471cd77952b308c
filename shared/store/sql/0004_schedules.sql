-- EV charging schedules (docs/contract.md §6.6) and site tariffs (docs/contract.md §4.1).
-- Instants are INTEGER milliseconds since the Unix epoch (UTC); soc values are REAL fractions 0–1.

-- One row per EV that has a schedule, a pause or an override. Mode is 'planned' exactly when a
-- goal (target_soc, ready_by) is set. The plan_* columns hold the last computed plan of a
-- planned schedule (plan_computed_at NULL: none since the settings last changed).
CREATE TABLE ev_schedules (
  device_id          TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  mode               TEXT NOT NULL CHECK (mode IN ('manual', 'planned')),
  target_soc         REAL CHECK (target_soc > 0 AND target_soc <= 1),
  ready_by           INTEGER,
  paused_until       INTEGER,
  override_start     INTEGER,
  override_end       INTEGER,
  plan_computed_at   INTEGER,
  plan_projected_soc REAL,
  plan_reachable     INTEGER CHECK (plan_reachable IN (0, 1)),
  plan_message       TEXT,
  updated_at         INTEGER NOT NULL,
  CHECK ((mode = 'planned') = (target_soc IS NOT NULL AND ready_by IS NOT NULL)),
  CHECK ((override_start IS NULL) = (override_end IS NULL)),
  CHECK ((plan_computed_at IS NULL) = (plan_reachable IS NULL))
);

-- Slots of a schedule: kind 'manual' are the user's slots, kind 'planned' the last plan's.
CREATE TABLE ev_schedule_slots (
  device_id TEXT NOT NULL REFERENCES ev_schedules(device_id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('manual', 'planned')),
  start_at  INTEGER NOT NULL,
  end_at    INTEGER NOT NULL CHECK (end_at > start_at),
  PRIMARY KEY (device_id, kind, start_at)
) WITHOUT ROWID;

-- The latest tariff of each site. No foreign key to sites: the retained tariff topic may be
-- delivered before the site's first `meta` message creates the site, and must not be lost.
CREATE TABLE site_tariffs (
  site_id    TEXT PRIMARY KEY,
  currency   TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE site_tariff_prices (
  site_id       TEXT NOT NULL REFERENCES site_tariffs(site_id) ON DELETE CASCADE,
  start_at      INTEGER NOT NULL,
  end_at        INTEGER NOT NULL CHECK (end_at > start_at),
  price_per_kwh REAL NOT NULL,
  PRIMARY KEY (site_id, start_at)
) WITHOUT ROWID;
