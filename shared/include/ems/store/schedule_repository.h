// Storage of EV charging schedules and site tariffs (SPEC §6.6, §4.1) in the tables of
// shared/sql/0004_schedules.sql.
//
// What callers can rely on:
//   - Every statement is prepared once, in the constructor, and reused; values are always
//     bound, never spliced into SQL.
//   - The repository never begins or commits a transaction: the caller owns transactions (the
//     listener batches many messages into one; the API wraps a read-modify-write such as
//     Get → Pause → Put in one BEGIN IMMEDIATE transaction). A multi-statement write (Put,
//     PutPlan, PutTariff) is atomic only inside the caller's transaction.
//   - Schedules belong to existing devices (foreign key, removed with the device); writing one
//     for an unknown device id throws SQLite::Exception. Tariffs need no site row (a retained
//     tariff may arrive before the site's first discovery message).
//   - Infrastructure failures throw SQLite::Exception; there are no expected failures here.
//   - Not thread-safe, like the SQLite::Database it borrows (which must outlive it).
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>
#include <vector>

#include "ems/domain/charging_schedule.h"
#include "ems/domain/tariff.h"
#include "ems/domain/time.h"

namespace ems::store {

class ScheduleRepository {
 public:
  explicit ScheduleRepository(SQLite::Database& db);
  ScheduleRepository(const ScheduleRepository&) = delete;
  ScheduleRepository& operator=(const ScheduleRepository&) = delete;

  // The stored schedule of an EV; nullopt when none was ever stored (callers then use a default
  // ChargingSchedule{}: manual, no slots, not paused).
  std::optional<ChargingSchedule> Get(const std::string& device_id);

  // Stores the whole schedule (settings, pause, override and plan), replacing what was stored.
  void Put(const std::string& device_id, const ChargingSchedule& schedule, Timestamp now);

  // Targeted updates that leave every other field alone, so a pause set by the API and a plan
  // stored by the listener never overwrite each other. Both create a default (manual, no slots)
  // schedule first when the EV has none. nullopt clears.
  void SetPause(const std::string& device_id, std::optional<Timestamp> paused_until, Timestamp now);
  void SetOverride(const std::string& device_id, std::optional<ChargingSlot> override_window,
                   Timestamp now);

  // Stores a newly computed plan. Only a planned schedule takes a plan: returns false (and
  // changes nothing) when the EV has no schedule or a manual one.
  bool PutPlan(const std::string& device_id, const ChargingPlan& plan, Timestamp now);

  // Ids of the EVs of a site whose schedule is planned, sorted: what to re-plan when the site's
  // tariff changes.
  std::vector<std::string> PlannedDevicesOfSite(const std::string& site_id);

  // The site's latest tariff, replacing the previous one entirely; nullopt when none arrived.
  void PutTariff(const std::string& site_id, const Tariff& tariff, Timestamp now);
  std::optional<Tariff> GetTariff(const std::string& site_id);

 private:
  void ReplaceSlots(const std::string& device_id, const char* kind,
                    const std::vector<ChargingSlot>& slots);
  void EnsureSchedule(const std::string& device_id, Timestamp now);

  SQLite::Statement select_schedule_;
  SQLite::Statement select_slots_;
  SQLite::Statement upsert_schedule_;
  SQLite::Statement insert_default_schedule_;
  SQLite::Statement delete_slots_;
  SQLite::Statement insert_slot_;
  SQLite::Statement update_pause_;
  SQLite::Statement update_override_;
  SQLite::Statement update_plan_;
  SQLite::Statement select_planned_devices_;
  SQLite::Statement upsert_tariff_;
  SQLite::Statement delete_tariff_prices_;
  SQLite::Statement insert_tariff_price_;
  SQLite::Statement select_tariff_;
  SQLite::Statement select_tariff_prices_;
};

}  // namespace ems::store
