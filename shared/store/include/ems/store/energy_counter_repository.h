// EnergyCounterRepository: the energy counters published for Home Assistant (docs/contract.md §4.6,
// ems/domain/energy_totals.h), the only writer of energy_counters. The listener's energy-totals
// publisher saves a site's counters before it publishes them, so a restart goes on from exactly
// what was published.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "ems/domain/energy_totals.h"

namespace ems::store {

// (device id, or "" for the site's own figures; figure name) → counter.
using EnergyCounters = std::map<std::pair<std::string, std::string>, EnergyCounter>;

class EnergyCounterRepository {
 public:
  virtual ~EnergyCounterRepository() = default;

  // Every counter of the site (empty when none was saved).
  virtual EnergyCounters Load(const std::string& site_id) = 0;
  // Writes `counters` of the site (others of the site stay). Several rows: atomic inside a
  // transaction.
  virtual void Save(const std::string& site_id, const EnergyCounters& counters) = 0;
};

}  // namespace ems::store
