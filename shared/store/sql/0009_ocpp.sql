-- OCPP chargers (docs/contract.md §4.5, docs/ocpp.md): who may connect to ems-ocpp, what they said at boot,
-- and their transactions. Instants are INTEGER milliseconds since the Unix epoch (UTC).

-- A registered charger is a charging_station device with a password (`ems-api charger add`);
-- removing the device removes the registration.
CREATE TABLE ocpp_chargers (
  station_id    TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,               -- Argon2id (ems/auth/password.h)
  free_vend     INTEGER NOT NULL DEFAULT 0,  -- 1: every id tag is accepted
  connected     INTEGER NOT NULL DEFAULT 0,
  last_seen     INTEGER,
  vendor        TEXT,
  model         TEXT,
  serial        TEXT,
  firmware      TEXT,
  created_at    INTEGER NOT NULL
);

-- The last transaction id given to each station. Kept when a charger is removed, so a station
-- registered again never sees an id (and a session id "{station}-{id}") it had before.
CREATE TABLE ocpp_transaction_ids (
  station_id TEXT PRIMARY KEY,
  last_id    INTEGER NOT NULL
);

-- Transactions as the charger started them: a StartTransaction sent again (the charger did not
-- get the answer) finds its row by (station, connector, id tag, start time, meter start) and
-- gets the same id back.
CREATE TABLE ocpp_transactions (
  station_id     TEXT NOT NULL,
  transaction_id INTEGER NOT NULL,
  connector      INTEGER NOT NULL,
  id_tag         TEXT NOT NULL,
  vehicle_id     TEXT,
  meter_start_wh INTEGER NOT NULL,
  started_at     INTEGER NOT NULL,
  stopped_at     INTEGER,  -- set by StopTransaction
  PRIMARY KEY (station_id, transaction_id)
);
CREATE UNIQUE INDEX ocpp_transactions_by_start
  ON ocpp_transactions(station_id, connector, started_at, id_tag, meter_start_wh);
