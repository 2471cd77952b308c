-- The explanation of a planned schedule's last plan (docs/contract.md §6.6, ems/domain/charging_schedule.h
-- PlanExplanation): the charge power and efficiency it assumed, its expected cost and currency,
-- and the short reason when the target cannot be reached. NULL while plan_computed_at is NULL
-- (and for plans stored before this migration, read as nominal power, efficiency 1, no cost).
ALTER TABLE ev_schedules ADD COLUMN plan_charge_power_w REAL;
ALTER TABLE ev_schedules ADD COLUMN plan_power_measured INTEGER CHECK (plan_power_measured IN (0, 1));
ALTER TABLE ev_schedules ADD COLUMN plan_efficiency REAL;
ALTER TABLE ev_schedules ADD COLUMN plan_expected_cost REAL;
ALTER TABLE ev_schedules ADD COLUMN plan_currency TEXT;
ALTER TABLE ev_schedules ADD COLUMN plan_reason TEXT;
