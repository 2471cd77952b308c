// Energy counters as derived state (docs/contract.md §4.6, ems/domain/energy_totals.h): for every
// site a batch touched, the site's figures retained on `{p}/sites/{site}/energy/totals`
// ({"grid_import_kwh", "grid_export_kwh", "solar_kwh", "battery_charge_kwh",
// "battery_discharge_kwh", "ev_charge_kwh"}) and each device's on
// `{p}/sites/{site}/devices/{device}/energy/totals` ({"import_kwh", "export_kwh"}), kWh rounded
// to the watt-hour. No timestamp: a payload changes only when a figure does.
//
// When: AfterCommit marks the batch's sites; Tick refreshes a marked site at most once a second
// (kMinPeriod), and every site when a quarter hour has ended (the grid figures count whole
// quarters). At construction every stored site is marked, so a restarted listener publishes
// every site's totals within its first second.
//
// Cost of a refresh: the devices' stored energy (one query over the 1mo energy rollups) and, when
// a quarter hour has ended since the last one, the site's grid figures: one scan of all its 15m
// energy rollups (about 0.11 s of CPU for 10 devices and a year of data, measured), so that the
// figures are a function of the stored data alone, late readings included. At most one such scan
// runs per Tick, so the writer stores batches between the sites' scans after a quarter ends. The
// counters are saved in one small write transaction before anything is published, and only when
// a figure changed.
//
// With options.shared, other listeners advance the same counters: each refresh reads them in the
// write transaction that saves them, so they stay one sequence in the store whichever listener
// publishes; and a site settles kSettle after its last refresh (derived.h).
//
// A deleted site (or device) publishes nothing: the API clears its topics. Storage failures are
// logged and the site stays marked, so the next Tick retries.
//
// Writer thread only, with the writer's Store (see derived.h).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "ems/store/energy_counter_repository.h"
#include "listener/derived/derived.h"

namespace ems::listener {

class EnergyTotalsPublisher : public DerivedPublisher {
 public:
  static constexpr std::chrono::seconds kMinPeriod{1};  // per site

  EnergyTotalsPublisher(store::Store& store, const IngestOptions& options, PublishFn publish);

  void AfterCommit(const BatchEffects& effects, Timestamp now) override;
  void Tick(Timestamp now) override;

 private:
  struct SiteState {
    std::optional<Timestamp> computed_at;
    bool loaded = false;  // counters read from the store
    store::EnergyCounters counters;
    Timestamp grid_until{};  // the grid figures count the quarters before this
    GridEnergy grid;
    std::map<std::string, std::string> sent;  // topic → last payload published
    std::optional<Timestamp> settle_at;       // shared: when to publish it once more
  };
  // Recomputes and publishes one site (every topic when `settle`, else those that changed);
  // scans its grid quarters when they moved and `may_scan` (then clears it). False when shared
  // and the grid figures lag behind (not done: the site stays dirty).
  bool Refresh(const std::string& site_id, SiteState& state, Timestamp now, bool& may_scan,
               bool settle);

  store::Store& store_;
  std::string prefix_;
  PublishFn publish_;
  bool shared_;
  std::set<std::string> dirty_;
  std::string cursor_;              // where the last Tick stopped (VisitWithinBudget)
  std::set<std::string> settling_;  // dirty only because they settle
  std::map<std::string, SiteState> sites_;
};

}  // namespace ems::listener
