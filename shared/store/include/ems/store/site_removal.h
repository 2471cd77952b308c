// Removing a site (docs/contract.md §6.1 DELETE /api/v1/sites/{site}): what belongs to a site — its
// devices (with their telemetry, rollups and schedules), its charging sessions and its contracts
// (with their events and timelines) — goes with it only when the caller asks for a cascade; users
// assigned to it lose it (their tokens stop working, as for any change of their sites). The
// site's tariff stays: tariffs may exist without a site row (ems/store/tariff_repository.h).
//
// Runs several repositories' writes: call it inside the caller's write transaction.
#pragma once

#include <string>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/time.h"
#include "ems/store/store.h"

namespace ems::store {

struct RemovedSite {
  std::vector<std::string> ev_ids;  // its EVs, whose retained schedule topics should be cleared
  std::vector<std::string>
      device_ids;  // every device: its energy totals and Home Assistant configs
};

// Rejects kNotFound ("Site x not found.") for an unknown site, and kConflict naming what the site
// still holds when it is not empty and `cascade` is false (nothing is removed then).
Result<RemovedSite> RemoveSite(Store& store, const std::string& site_id, bool cascade,
                               Timestamp now);

}  // namespace ems::store
