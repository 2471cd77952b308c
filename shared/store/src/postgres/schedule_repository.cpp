// Every statement on the ev_schedules and ev_schedule_slots tables.
#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {
namespace {

// Slots are stored per kind: the user's (manual) slots and the listener's planned ones.
constexpr ScheduleMode kManualSlots = ScheduleMode::kManual;
constexpr ScheduleMode kPlannedSlots = ScheduleMode::kPlanned;

class PgScheduleRepository final : public ScheduleRepository {
 public:
  explicit PgScheduleRepository(Connection& db)
      : select_schedule_(db,
                         "SELECT mode, target_soc, ready_by, paused_until, override_start, "
                         "override_end, plan_computed_at, plan_projected_soc, plan_reachable, "
                         "plan_message FROM ev_schedules WHERE device_id = ?1"),
        select_slots_(db,
                      "SELECT kind, start_at, end_at FROM ev_schedule_slots WHERE device_id = ?1 "
                      "ORDER BY kind, start_at"),
        upsert_schedule_(
            db,
            "INSERT INTO ev_schedules (device_id, mode, target_soc, ready_by, paused_until, "
            "override_start, override_end, plan_computed_at, plan_projected_soc, "
            "plan_reachable, plan_message, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
            "ON CONFLICT (device_id) DO UPDATE SET mode = excluded.mode, "
            "target_soc = excluded.target_soc, ready_by = excluded.ready_by, "
            "paused_until = excluded.paused_until, override_start = excluded.override_start, "
            "override_end = excluded.override_end, plan_computed_at = excluded.plan_computed_at, "
            "plan_projected_soc = excluded.plan_projected_soc, "
            "plan_reachable = excluded.plan_reachable, plan_message = excluded.plan_message, "
            "updated_at = excluded.updated_at"),
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
                     "UPDATE ev_schedules SET plan_computed_at = ?2, plan_projected_soc = ?3, "
                     "plan_reachable = ?4, plan_message = ?5, updated_at = ?6 "
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
      if (q.Get<ScheduleMode>(0) == ScheduleMode::kPlanned) {
        schedule.goal = ChargingGoal{q.Get<double>(1), q.Get<Timestamp>(2)};
      }
      schedule.paused_until = q.Get<std::optional<Timestamp>>(3);
      const auto override_start = q.Get<std::optional<Timestamp>>(4);
      const auto override_end = q.Get<std::optional<Timestamp>>(5);
      if (override_start && override_end) {
        schedule.override_window = ChargingSlot{*override_start, *override_end};
      }
      if (const auto computed_at = q.Get<std::optional<Timestamp>>(6)) {
        ChargingPlan plan;
        plan.computed_at = *computed_at;
        plan.projected_soc = q.Get<double>(7);
        plan.target_reachable = q.Get<bool>(8);
        plan.message = q.Get<std::string>(9);
        schedule.plan = std::move(plan);
      }
    }
    auto q = select_slots_.Run(device_id);
    while (q.Next()) {
      const ChargingSlot slot{q.Get<Timestamp>(1), q.Get<Timestamp>(2)};
      if (q.Get<ScheduleMode>(0) == kManualSlots) {
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
    }
    upsert_schedule_
        .Run(device_id, ModeOf(schedule), target_soc, ready_by, schedule.paused_until,
             override_start, override_end, computed_at, projected_soc, reachable, message, now)
        .Exec();
    ReplaceSlots(device_id, kManualSlots, schedule.slots);
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

  bool PutPlan(const std::string& device_id, const ChargingPlan& plan, Timestamp now) override {
    if (update_plan_
            .Run(device_id, plan.computed_at, plan.projected_soc, plan.target_reachable,
                 plan.message, now)
            .Exec() == 0) {
      return false;
    }
    ReplaceSlots(device_id, kPlannedSlots, plan.slots);
    return true;
  }

  std::vector<std::string> PlannedDevicesOfSite(const std::string& site_id) override {
    std::vector<std::string> ids;
    auto q = select_planned_devices_.Run(site_id);
    while (q.Next()) ids.push_back(q.Get<std::string>(0));
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

}  // namespace

std::unique_ptr<ScheduleRepository> MakeScheduleRepository(Connection& db) {
  return std::make_unique<PgScheduleRepository>(db);
}

}  // namespace ems::store::postgres
