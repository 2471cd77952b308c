-- The explanation of a planned schedule's last plan: PostgreSQL's form of ../0011_plan_explanation.sql
-- (the same columns, the same meaning).
ALTER TABLE ev_schedules ADD COLUMN plan_charge_power_w DOUBLE PRECISION;
ALTER TABLE ev_schedules ADD COLUMN plan_power_measured BIGINT CHECK (plan_power_measured IN (0, 1));
ALTER TABLE ev_schedules ADD COLUMN plan_efficiency DOUBLE PRECISION;
ALTER TABLE ev_schedules ADD COLUMN plan_expected_cost DOUBLE PRECISION;
ALTER TABLE ev_schedules ADD COLUMN plan_currency TEXT;
ALTER TABLE ev_schedules ADD COLUMN plan_reason TEXT;
