// ScheduleRepository: EV charging schedules (docs/contract.md §6.6), the only writer of
// ev_schedules and ev_schedule_slots (store/sql/0004_schedules.sql).
//
// What callers can rely on: a multi-statement write (Put, PutPlan) is atomic inside the caller's
// transaction (the API wraps a read-modify-write such as Get → Pause → Put in one kWrite
// transaction). Schedules belong to existing devices (foreign key, removed with the device);
// writing one for an unknown device id throws. There are no expected failures here.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ems/domain/charging_schedule.h"
#include "ems/domain/time.h"

namespace ems::store {

class ScheduleRepository {
 public:
  virtual ~ScheduleRepository() = default;

  // The stored schedule of an EV; nullopt when none was ever stored (callers then use a default
  // ChargingSchedule{}: manual, no slots, not paused).
  virtual std::optional<ChargingSchedule> Get(const std::string& device_id) = 0;

  // Stores the whole schedule (settings, pause, override and plan), replacing what was stored.
  virtual void Put(const std::string& device_id, const ChargingSchedule& schedule,
                   Timestamp now) = 0;

  // Targeted updates that leave every other field alone, so a pause set by the API and a plan
  // stored by the listener never overwrite each other. Both create a default (manual, no slots)
  // schedule first when the EV has none. nullopt clears.
  virtual void SetPause(const std::string& device_id, std::optional<Timestamp> paused_until,
                        Timestamp now) = 0;
  virtual void SetOverride(const std::string& device_id,
                           std::optional<ChargingSlot> override_window, Timestamp now) = 0;

  // Stores a newly computed plan and the goal it is for (a recurring plan's or rolling goal's
  // occurrence moves on). Only a planned schedule takes a plan: returns false (and changes
  // nothing) when the EV has no schedule or a manual one.
  virtual bool PutPlan(const std::string& device_id, const ChargingGoal& goal,
                       const ChargingPlan& plan, Timestamp now) = 0;

  // Ids of the EVs of a site whose schedule is planned, sorted: what to re-plan when the site's
  // tariff changes.
  virtual std::vector<std::string> PlannedDevicesOfSite(const std::string& site_id) = 0;
};

}  // namespace ems::store
