-- Metric subscriptions (docs/contract.md §6.3): a user's named sets of metrics of devices across sites.
-- Instants are INTEGER milliseconds since the Unix epoch (UTC).

-- A subscription belongs to the user who created it and goes with that user.
CREATE TABLE subscriptions (
  id         TEXT PRIMARY KEY,
  owner      TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX subscriptions_by_owner ON subscriptions(owner, id);

-- Its metrics in the user's order. No foreign key to devices: a metric of a device that was
-- deleted (or that its owner may no longer see) stays, and is answered as unavailable.
CREATE TABLE subscription_metrics (
  subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  device_id       TEXT NOT NULL,
  metric          TEXT NOT NULL,
  PRIMARY KEY (subscription_id, position)
) WITHOUT ROWID;
