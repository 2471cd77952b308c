-- Contracts and component timelines (docs/contract.md §6.7). See shared/store/include/ems/store/contract_repository.h.
-- Instants are INTEGER milliseconds since the Unix epoch (UTC); calendar dates are TEXT
-- 'YYYY-MM-DD' (they sort and compare like dates).

CREATE TABLE contracts (
  contract_number TEXT PRIMARY KEY,
  created_at      INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per component of a contract, holding its current timeline: the projection of the
-- replay of contract_events, kept up to date by every append, so reading a timeline costs
-- O(components).
CREATE TABLE contract_components (
  contract_number TEXT NOT NULL REFERENCES contracts(contract_number) ON DELETE CASCADE,
  component       TEXT NOT NULL
                  CHECK (component IN ('energy_supply', 'battery_optimization', 'heatpump_optimization')),
  start_date      TEXT,
  end_date        TEXT,
  PRIMARY KEY (contract_number, component)
) WITHOUT ROWID;

-- Append-only history of events. `seq` is the arrival order (ties of created_at replay by it);
-- status and reason are derived by the replay and re-derived when a late event changes history.
CREATE TABLE contract_events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  contract_number TEXT NOT NULL REFERENCES contracts(contract_number) ON DELETE CASCADE,
  type            TEXT NOT NULL,   -- as received, also when unknown
  component       TEXT,            -- from the type; null when the type is unknown
  event_date      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  received_at     INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
  reason          TEXT NOT NULL,
  -- docs/contract.md §4.4: an event delivered twice (MQTT redelivery, client retry) is stored once.
  UNIQUE (contract_number, type, event_date, created_at)
);
-- Replay order of a contract (listing, full rebuild).
CREATE INDEX contract_events_replay ON contract_events(contract_number, created_at, seq);
-- Replay order of one component: the tail that a late event re-derives.
CREATE INDEX contract_events_by_component
  ON contract_events(contract_number, component, created_at, seq);
-- The latest accepted event of one type before a point in history: a component's state there.
CREATE INDEX contract_events_accepted
  ON contract_events(contract_number, type, created_at, seq) WHERE status = 'accepted';
