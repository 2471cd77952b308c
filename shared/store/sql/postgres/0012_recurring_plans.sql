-- Recurring plans and rolling goals of EV charging schedules: PostgreSQL's form of
-- ../0012_recurring_plans.sql (the same tables and columns, the same meaning).
ALTER TABLE ev_schedules ADD COLUMN rolling_target_soc DOUBLE PRECISION;
ALTER TABLE ev_schedules ADD COLUMN rolling_within_ms BIGINT;
ALTER TABLE ev_schedules ADD COLUMN one_off_target_soc DOUBLE PRECISION;
ALTER TABLE ev_schedules ADD COLUMN one_off_ready_by BIGINT;

CREATE TABLE ev_schedule_repeats (
  device_id       TEXT NOT NULL REFERENCES ev_schedules(device_id) ON DELETE CASCADE,
  position        BIGINT NOT NULL,
  days            BIGINT NOT NULL CHECK (days BETWEEN 1 AND 127),
  ready_by_minute BIGINT NOT NULL CHECK (ready_by_minute BETWEEN 0 AND 1439),
  target_soc      DOUBLE PRECISION NOT NULL CHECK (target_soc > 0 AND target_soc <= 1),
  PRIMARY KEY (device_id, position)
);

CREATE TABLE ev_schedule_skips (
  device_id TEXT NOT NULL REFERENCES ev_schedules(device_id) ON DELETE CASCADE,
  day       TEXT NOT NULL,
  PRIMARY KEY (device_id, day)
);
