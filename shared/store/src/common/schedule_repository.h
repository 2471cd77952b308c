// Every statement on the ev_schedules and ev_schedule_slots tables.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace schedule_sql {

// Slots are stored per kind: the user's (manual) slots and the listener's planned ones.
inline constexpr ScheduleMode kManualSlots = ScheduleMode::kManual;
inline constexpr ScheduleMode kPlannedSlots = ScheduleMode::kPlanned;

// A PlanExplanation as its nullable columns (all NULL without a plan; empty texts as NULL).
struct PlanColumns {
  std::optional<double> charge_power_w;
  std::optional<bool> power_measured;
  std::optional<double> efficiency;
  std::optional<double> expected_cost;
  std::optional<std::string> currency;
  std::optional<std::string> reason;

  static PlanColumns Of(const PlanExplanation& why) {
    PlanColumns c{why.charge_power_w, why.power_measured, why.efficiency,
                  why.expected_cost,  std::nullopt,       std::nullopt};
    if (!why.currency.empty()) c.currency = why.currency;
    if (!why.reason.empty()) c.reason = why.reason;
    return c;
  }
};

template <class Statement>
class ScheduleRepositoryOn final : public ScheduleRepository {
 public:
  template <class Db>
  explicit ScheduleRepositoryOn(Db& db)
      : select_schedule_(db,
                         "SELECT mode, target_soc, ready_by, paused_until, override_start, "
                         "override_end, plan_computed_at, plan_projected_soc, plan_reachable, "
                         "plan_message, plan_charge_power_w, plan_power_measured, "
                         "plan_efficiency, plan_expected_cost, plan_currency, plan_reason, "
                         "rolling_target_soc, rolling_within_ms, one_off_target_soc, "
                         "one_off_ready_by FROM ev_schedules WHERE device_id = ?1"),
        select_repeats_(db,
                        "SELECT days, ready_by_minute, target_soc FROM ev_schedule_repeats "
                        "WHERE device_id = ?1 ORDER BY position"),
        select_skips_(db, "SELECT day FROM ev_schedule_skips WHERE device_id = ?1 ORDER BY day"),
        delete_repeats_(db, "DELETE FROM ev_schedule_repeats WHERE device_id = ?1"),
        delete_skips_(db, "DELETE FROM ev_schedule_skips WHERE device_id = ?1"),
        insert_repeat_(db,
                       "INSERT INTO ev_schedule_repeats (device_id, position, days, "
                       "ready_by_minute, target_soc) VALUES (?1, ?2, ?3, ?4, ?5)"),
        insert_skip_(db, "INSERT INTO ev_schedule_skips (device_id, day) VALUES (?1, ?2)"),
        select_slots_(db,
                      "SELECT kind, start_at, end_at FROM ev_schedule_slots WHERE device_id = ?1 "
                      "ORDER BY kind, start_at"),
        upsert_schedule_(
            db,
            "INSERT INTO ev_schedules (device_id, mode, target_soc, ready_by, paused_until, "
            "override_start, override_end, plan_computed_at, plan_projected_soc, "
            "plan_reachable, plan_message, updated_at, plan_charge_power_w, "
            "plan_power_measured, plan_efficiency, plan_expected_cost, plan_currency, "
            "plan_reason, rolling_target_soc, rolling_within_ms, one_off_target_soc, "
            "one_off_ready_by) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
            "?18, ?19, ?20, ?21, ?22) "
            "ON CONFLICT (device_id) DO UPDATE SET mode = excluded.mode, "
            "target_soc = excluded.target_soc, ready_by = excluded.ready_by, "
            "paused_until = excluded.paused_until, override_start = excluded.override_start, "
            "override_end = excluded.override_end, plan_computed_at = excluded.plan_computed_at, "
            "plan_projected_soc = excluded.plan_projected_soc, "
            "plan_reachable = excluded.plan_reachable, plan_message = excluded.plan_message, "
            "updated_at = excluded.updated_at, "
            "plan_charge_power_w = excluded.plan_charge_power_w, "
            "plan_power_measured = excluded.plan_power_measured, "
            "plan_efficiency = excluded.plan_efficiency, "
            "plan_expected_cost = excluded.plan_expected_cost, "
            "plan_currency = excluded.plan_currency, plan_reason = excluded.plan_reason, "
            "rolling_target_soc = excluded.rolling_target_soc, "
            "rolling_within_ms = excluded.rolling_within_ms, "
            "one_off_target_soc = excluded.one_off_target_soc, "
            "one_off_ready_by = excluded.one_off_ready_by"),
        insert_default_schedule_(db,
                                 "INSERT INTO ev_schedules (device_id, mode, updated_at) "
                                 "VALUES (?1, 'manual', ?2) ON CONFLICT (device_id) DO NOTHING"),
        delete_slots_(db, "DELETE FROM ev_schedule_slots WHERE device_id = ?1 AND kind = ?2"),
        insert_slot_(db,
                     "INSERT INTO ev_schedule_slots (device_id, kind, start_at, end_at) "
                     "VALUES (?1, ?2, ?3, ?4)"),
        update_pause_(db,
                      "UPDATE ev_schedules SET paused_until = ?2, updated_at = ?3 "
                      "WHERE device_id = ?1"),
        update_override_(db,
                         "UPDATE ev_schedules SET override_start = ?2, override_end = ?3, "
                         "updated_at = ?4 WHERE device_id = ?1"),
        update_plan_(db,
                     "UPDATE ev_schedules SET target_soc = ?13, ready_by = ?14, "
                     "plan_computed_at = ?2, plan_projected_soc = ?3, "
                     "plan_reachable = ?4, plan_message = ?5, updated_at = ?6, "
                     "plan_charge_power_w = ?7, plan_power_measured = ?8, plan_efficiency = ?9, "
                     "plan_expected_cost = ?10, plan_currency = ?11, plan_reason = ?12 "
                     "WHERE device_id = ?1 AND mode = 'planned'"),
        select_planned_devices_(
            db,
            "SELECT s.device_id FROM ev_schedules s JOIN devices d ON d.id = s.device_id "
            "WHERE d.site_id = ?1 AND s.mode = 'planned' ORDER BY s.device_id") {}

  std::optional<ChargingSchedule> Get(const std::string& device_id) override {
    ChargingSchedule schedule;
    {
      auto q = select_schedule_.Run(device_id);
      if (!q.Next()) return std::nullopt;
      if (q.template Get<ScheduleMode>(0) == ScheduleMode::kPlanned) {
        schedule.goal = ChargingGoal{q.template Get<double>(1), q.template Get<Timestamp>(2)};
      }
      schedule.paused_until = q.template Get<std::optional<Timestamp>>(3);
      const auto override_start = q.template Get<std::optional<Timestamp>>(4);
      const auto override_end = q.template Get<std::optional<Timestamp>>(5);
      if (override_start && override_end) {
        schedule.override_window = ChargingSlot{*override_start, *override_end};
      }
      if (const auto computed_at = q.template Get<std::optional<Timestamp>>(6)) {
        ChargingPlan plan;
        plan.computed_at = *computed_at;
        plan.projected_soc = q.template Get<double>(7);
        plan.target_reachable = q.template Get<bool>(8);
        plan.message = q.template Get<std::string>(9);
        PlanExplanation& why = plan.explanation;
        why.charge_power_w = q.template Get<std::optional<double>>(10).value_or(0);
        why.power_measured = q.template Get<std::optional<bool>>(11).value_or(false);
        why.efficiency = q.template Get<std::optional<double>>(12).value_or(1.0);
        why.expected_cost = q.template Get<std::optional<double>>(13);
        why.currency = q.template Get<std::optional<std::string>>(14).value_or("");
        why.reason = q.template Get<std::optional<std::string>>(15).value_or("");
        schedule.plan = std::move(plan);
      }
      const auto rolling_target = q.template Get<std::optional<double>>(16);
      const auto rolling_within = q.template Get<std::optional<std::int64_t>>(17);
      if (rolling_target && rolling_within) {
        schedule.rolling = RollingGoal{*rolling_target, Millis(*rolling_within)};
      }
      const auto one_off_target = q.template Get<std::optional<double>>(18);
      const auto one_off_ready_by = q.template Get<std::optional<Timestamp>>(19);
      if (one_off_target && one_off_ready_by) {
        schedule.one_off = ChargingGoal{*one_off_target, *one_off_ready_by};
      }
    }
    {
      RecurringPlan recurring;
      auto q = select_repeats_.Run(device_id);
      while (q.Next()) {
        recurring.repeat.push_back({static_cast<std::uint8_t>(q.template Get<std::int64_t>(0)),
                                    static_cast<int>(q.template Get<std::int64_t>(1)),
                                    q.template Get<double>(2)});
      }
      auto skips = select_skips_.Run(device_id);
      while (skips.Next()) {
        const auto day = ParseDate(skips.template Get<std::string>(0));
        if (!day) throw CorruptRow("Schedule of " + device_id + " skips a malformed date.");
        recurring.skip.push_back(*day);
      }
      if (!recurring.repeat.empty()) schedule.recurring = std::move(recurring);
    }
    auto q = select_slots_.Run(device_id);
    while (q.Next()) {
      const ChargingSlot slot{q.template Get<Timestamp>(1), q.template Get<Timestamp>(2)};
      if (q.template Get<ScheduleMode>(0) == kManualSlots) {
        schedule.slots.push_back(slot);
      } else if (schedule.plan) {
        schedule.plan->slots.push_back(slot);
      }
    }
    return schedule;
  }

  void Put(const std::string& device_id, const ChargingSchedule& schedule, Timestamp now) override {
    std::optional<double> target_soc;
    std::optional<Timestamp> ready_by, override_start, override_end, computed_at;
    std::optional<double> projected_soc;
    std::optional<bool> reachable;
    std::optional<std::string> message;
    PlanColumns why;
    if (schedule.goal) {
      target_soc = schedule.goal->target_soc;
      ready_by = schedule.goal->ready_by;
    }
    if (schedule.override_window) {
      override_start = schedule.override_window->start;
      override_end = schedule.override_window->end;
    }
    if (schedule.plan) {
      computed_at = schedule.plan->computed_at;
      projected_soc = schedule.plan->projected_soc;
      reachable = schedule.plan->target_reachable;
      message = schedule.plan->message;
      why = PlanColumns::Of(schedule.plan->explanation);
    }
    std::optional<double> rolling_target, one_off_target;
    std::optional<std::int64_t> rolling_within;
    std::optional<Timestamp> one_off_ready_by;
    if (schedule.rolling) {
      rolling_target = schedule.rolling->target_soc;
      rolling_within = schedule.rolling->within.count();
    }
    if (schedule.one_off) {
      one_off_target = schedule.one_off->target_soc;
      one_off_ready_by = schedule.one_off->ready_by;
    }
    upsert_schedule_
        .Run(device_id, ModeOf(schedule), target_soc, ready_by, schedule.paused_until,
             override_start, override_end, computed_at, projected_soc, reachable, message, now,
             why.charge_power_w, why.power_measured, why.efficiency, why.expected_cost,
             why.currency, why.reason, rolling_target, rolling_within, one_off_target,
             one_off_ready_by)
        .Exec();
    ReplaceSlots(device_id, kManualSlots, schedule.slots);
    delete_repeats_.Run(device_id).Exec();
    delete_skips_.Run(device_id).Exec();
    if (schedule.recurring) {
      std::int64_t position = 0;
      for (const RecurringRule& rule : schedule.recurring->repeat) {
        insert_repeat_
            .Run(device_id, position++, static_cast<std::int64_t>(rule.days),
                 static_cast<std::int64_t>(rule.ready_by_minute), rule.target_soc)
            .Exec();
      }
      for (const Date& day : schedule.recurring->skip) {
        insert_skip_.Run(device_id, FormatDate(day)).Exec();
      }
    }
    ReplaceSlots(device_id, kPlannedSlots,
                 schedule.plan ? schedule.plan->slots : std::vector<ChargingSlot>{});
  }

  void SetPause(const std::string& device_id, std::optional<Timestamp> paused_until,
                Timestamp now) override {
    EnsureSchedule(device_id, now);
    update_pause_.Run(device_id, paused_until, now).Exec();
  }

  void SetOverride(const std::string& device_id, std::optional<ChargingSlot> override_window,
                   Timestamp now) override {
    EnsureSchedule(device_id, now);
    std::optional<Timestamp> start, end;
    if (override_window) {
      start = override_window->start;
      end = override_window->end;
    }
    update_override_.Run(device_id, start, end, now).Exec();
  }

  bool PutPlan(const std::string& device_id, const ChargingGoal& goal, const ChargingPlan& plan,
               Timestamp now) override {
    const auto why = PlanColumns::Of(plan.explanation);
    if (update_plan_
            .Run(device_id, plan.computed_at, plan.projected_soc, plan.target_reachable,
                 plan.message, now, why.charge_power_w, why.power_measured, why.efficiency,
                 why.expected_cost, why.currency, why.reason, goal.target_soc, goal.ready_by)
            .Exec() == 0) {
      return false;
    }
    ReplaceSlots(device_id, kPlannedSlots, plan.slots);
    return true;
  }

  std::vector<std::string> PlannedDevicesOfSite(const std::string& site_id) override {
    std::vector<std::string> ids;
    auto q = select_planned_devices_.Run(site_id);
    while (q.Next()) ids.push_back(q.template Get<std::string>(0));
    return ids;
  }

 private:
  void ReplaceSlots(const std::string& device_id, ScheduleMode kind,
                    const std::vector<ChargingSlot>& slots) {
    delete_slots_.Run(device_id, kind).Exec();
    for (const ChargingSlot& slot : slots) {
      insert_slot_.Run(device_id, kind, slot.start, slot.end).Exec();
    }
  }

  void EnsureSchedule(const std::string& device_id, Timestamp now) {
    insert_default_schedule_.Run(device_id, now).Exec();
  }

  Statement select_schedule_;
  Statement select_repeats_;
  Statement select_skips_;
  Statement delete_repeats_;
  Statement delete_skips_;
  Statement insert_repeat_;
  Statement insert_skip_;
  Statement select_slots_;
  Statement upsert_schedule_;
  Statement insert_default_schedule_;
  Statement delete_slots_;
  Statement insert_slot_;
  Statement update_pause_;
  Statement update_override_;
  Statement update_plan_;
  Statement select_planned_devices_;
};

}  // namespace schedule_sql

using schedule_sql::ScheduleRepositoryOn;

}  // namespace ems::store
