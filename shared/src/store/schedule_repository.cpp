#include "ems/store/schedule_repository.h"

#include <cstdint>

namespace ems::store {
namespace {

constexpr const char* kManual = "manual";
constexpr const char* kPlanned = "planned";

// Resets a reused statement and its bindings on entry, and resets it again on exit (also when an
// exception leaves mid-step) so a read never holds its snapshot longer than the call.
class Use {
 public:
  explicit Use(SQLite::Statement& statement) : statement_(statement) {
    statement_.reset();
    statement_.clearBindings();
  }
  ~Use() { statement_.tryReset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  SQLite::Statement* operator->() { return &statement_; }

 private:
  SQLite::Statement& statement_;
};

void BindTime(Use& s, int index, std::optional<Timestamp> t) {
  if (t) {
    s->bind(index, static_cast<std::int64_t>(ToMillis(*t)));
  } else {
    s->bind(index);
  }
}

std::optional<Timestamp> TimeColumn(SQLite::Statement& s, int index) {
  const SQLite::Column c = s.getColumn(index);
  if (c.isNull()) return std::nullopt;
  return FromMillis(c.getInt64());
}

}  // namespace

ScheduleRepository::ScheduleRepository(SQLite::Database& db)
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
          "override_start, override_end, plan_computed_at, plan_projected_soc, plan_reachable, "
          "plan_message, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
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
      select_planned_devices_(db,
                              "SELECT s.device_id FROM ev_schedules s "
                              "JOIN devices d ON d.id = s.device_id "
                              "WHERE d.site_id = ?1 AND s.mode = 'planned' ORDER BY s.device_id"),
      upsert_tariff_(db,
                     "INSERT INTO site_tariffs (site_id, currency, updated_at) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (site_id) DO UPDATE SET currency = excluded.currency, "
                     "updated_at = excluded.updated_at"),
      delete_tariff_prices_(db, "DELETE FROM site_tariff_prices WHERE site_id = ?1"),
      insert_tariff_price_(db,
                           "INSERT INTO site_tariff_prices (site_id, start_at, end_at, "
                           "price_per_kwh) VALUES (?1, ?2, ?3, ?4)"),
      select_tariff_(db, "SELECT currency FROM site_tariffs WHERE site_id = ?1"),
      select_tariff_prices_(db,
                            "SELECT start_at, end_at, price_per_kwh FROM site_tariff_prices "
                            "WHERE site_id = ?1 ORDER BY start_at") {}

std::optional<ChargingSchedule> ScheduleRepository::Get(const std::string& device_id) {
  ChargingSchedule schedule;
  {
    Use s(select_schedule_);
    s->bind(1, device_id);
    if (!s->executeStep()) return std::nullopt;
    if (s->getColumn(0).getString() == kPlanned) {
      schedule.goal = ChargingGoal{s->getColumn(1).getDouble(), *TimeColumn(select_schedule_, 2)};
    }
    schedule.paused_until = TimeColumn(select_schedule_, 3);
    const auto override_start = TimeColumn(select_schedule_, 4);
    const auto override_end = TimeColumn(select_schedule_, 5);
    if (override_start && override_end) {
      schedule.override_window = ChargingSlot{*override_start, *override_end};
    }
    if (const auto computed_at = TimeColumn(select_schedule_, 6)) {
      ChargingPlan plan;
      plan.computed_at = *computed_at;
      plan.projected_soc = s->getColumn(7).getDouble();
      plan.target_reachable = s->getColumn(8).getInt() != 0;
      plan.message = s->getColumn(9).getString();
      schedule.plan = std::move(plan);
    }
  }
  Use s(select_slots_);
  s->bind(1, device_id);
  while (s->executeStep()) {
    const ChargingSlot slot{FromMillis(s->getColumn(1).getInt64()),
                            FromMillis(s->getColumn(2).getInt64())};
    if (s->getColumn(0).getString() == kManual) {
      schedule.slots.push_back(slot);
    } else if (schedule.plan) {
      schedule.plan->slots.push_back(slot);
    }
  }
  return schedule;
}

void ScheduleRepository::Put(const std::string& device_id, const ChargingSchedule& schedule,
                             Timestamp now) {
  {
    Use s(upsert_schedule_);
    s->bind(1, device_id);
    s->bind(2, schedule.goal ? kPlanned : kManual);
    if (schedule.goal) {
      s->bind(3, schedule.goal->target_soc);
      BindTime(s, 4, schedule.goal->ready_by);
    }
    BindTime(s, 5, schedule.paused_until);
    if (schedule.override_window) {
      BindTime(s, 6, schedule.override_window->start);
      BindTime(s, 7, schedule.override_window->end);
    }
    if (schedule.plan) {
      BindTime(s, 8, schedule.plan->computed_at);
      s->bind(9, schedule.plan->projected_soc);
      s->bind(10, schedule.plan->target_reachable ? 1 : 0);
      s->bind(11, schedule.plan->message);
    }
    BindTime(s, 12, now);
    s->exec();
  }
  ReplaceSlots(device_id, kManual, schedule.slots);
  ReplaceSlots(device_id, kPlanned,
               schedule.plan ? schedule.plan->slots : std::vector<ChargingSlot>{});
}

void ScheduleRepository::SetPause(const std::string& device_id,
                                  std::optional<Timestamp> paused_until, Timestamp now) {
  EnsureSchedule(device_id, now);
  Use s(update_pause_);
  s->bind(1, device_id);
  BindTime(s, 2, paused_until);
  BindTime(s, 3, now);
  s->exec();
}

void ScheduleRepository::SetOverride(const std::string& device_id,
                                     std::optional<ChargingSlot> override_window, Timestamp now) {
  EnsureSchedule(device_id, now);
  Use s(update_override_);
  s->bind(1, device_id);
  if (override_window) {
    BindTime(s, 2, override_window->start);
    BindTime(s, 3, override_window->end);
  }
  BindTime(s, 4, now);
  s->exec();
}

bool ScheduleRepository::PutPlan(const std::string& device_id, const ChargingPlan& plan,
                                 Timestamp now) {
  {
    Use s(update_plan_);
    s->bind(1, device_id);
    BindTime(s, 2, plan.computed_at);
    s->bind(3, plan.projected_soc);
    s->bind(4, plan.target_reachable ? 1 : 0);
    s->bind(5, plan.message);
    BindTime(s, 6, now);
    if (s->exec() == 0) return false;
  }
  ReplaceSlots(device_id, kPlanned, plan.slots);
  return true;
}

std::vector<std::string> ScheduleRepository::PlannedDevicesOfSite(const std::string& site_id) {
  std::vector<std::string> ids;
  Use s(select_planned_devices_);
  s->bind(1, site_id);
  while (s->executeStep()) ids.push_back(s->getColumn(0).getString());
  return ids;
}

void ScheduleRepository::PutTariff(const std::string& site_id, const Tariff& tariff,
                                   Timestamp now) {
  {
    Use s(upsert_tariff_);
    s->bind(1, site_id);
    s->bind(2, tariff.currency);
    BindTime(s, 3, now);
    s->exec();
  }
  {
    Use s(delete_tariff_prices_);
    s->bind(1, site_id);
    s->exec();
  }
  for (const TariffPrice& p : tariff.prices) {
    Use s(insert_tariff_price_);
    s->bind(1, site_id);
    BindTime(s, 2, p.start);
    BindTime(s, 3, p.end);
    s->bind(4, p.price_per_kwh);
    s->exec();
  }
}

std::optional<Tariff> ScheduleRepository::GetTariff(const std::string& site_id) {
  Tariff tariff;
  {
    Use s(select_tariff_);
    s->bind(1, site_id);
    if (!s->executeStep()) return std::nullopt;
    tariff.currency = s->getColumn(0).getString();
  }
  Use s(select_tariff_prices_);
  s->bind(1, site_id);
  while (s->executeStep()) {
    tariff.prices.push_back({FromMillis(s->getColumn(0).getInt64()),
                             FromMillis(s->getColumn(1).getInt64()), s->getColumn(2).getDouble()});
  }
  return tariff;
}

void ScheduleRepository::ReplaceSlots(const std::string& device_id, const char* kind,
                                      const std::vector<ChargingSlot>& slots) {
  {
    Use s(delete_slots_);
    s->bind(1, device_id);
    s->bind(2, kind);
    s->exec();
  }
  for (const ChargingSlot& slot : slots) {
    Use s(insert_slot_);
    s->bind(1, device_id);
    s->bind(2, kind);
    BindTime(s, 3, slot.start);
    BindTime(s, 4, slot.end);
    s->exec();
  }
}

void ScheduleRepository::EnsureSchedule(const std::string& device_id, Timestamp now) {
  Use s(insert_default_schedule_);
  s->bind(1, device_id);
  BindTime(s, 2, now);
  s->exec();
}

}  // namespace ems::store
