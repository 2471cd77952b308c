-- Recurring plans and rolling goals of EV charging schedules (docs/contract.md §6.6,
-- ems/domain/charging_schedule.h RecurringPlan, RollingGoal). A schedule with either is planned:
-- target_soc / ready_by then hold the occurrence the listener planned last.
--   rolling_target_soc, rolling_within_ms: a rolling goal (both or neither);
--   one_off_target_soc, one_off_ready_by: a one-off goal set while a recurring plan is (it takes
--   precedence for the site-local day of its ready_by).
ALTER TABLE ev_schedules ADD COLUMN rolling_target_soc REAL;
ALTER TABLE ev_schedules ADD COLUMN rolling_within_ms INTEGER;
ALTER TABLE ev_schedules ADD COLUMN one_off_target_soc REAL;
ALTER TABLE ev_schedules ADD COLUMN one_off_ready_by INTEGER;

-- The rules of a recurring plan, in the user's order. days: bit d = weekday d (0 = Monday);
-- ready_by_minute: site-local minutes after midnight.
CREATE TABLE ev_schedule_repeats (
  device_id       TEXT NOT NULL REFERENCES ev_schedules(device_id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  days            INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
  ready_by_minute INTEGER NOT NULL CHECK (ready_by_minute BETWEEN 0 AND 1439),
  target_soc      REAL NOT NULL CHECK (target_soc > 0 AND target_soc <= 1),
  PRIMARY KEY (device_id, position)
) WITHOUT ROWID;

-- Site-local dates ('YYYY-MM-DD') a recurring plan skips.
CREATE TABLE ev_schedule_skips (
  device_id TEXT NOT NULL REFERENCES ev_schedules(device_id) ON DELETE CASCADE,
  day       TEXT NOT NULL,
  PRIMARY KEY (device_id, day)
) WITHOUT ROWID;
