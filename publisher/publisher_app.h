// ems-publisher: runs the fleet simulation (ems::sim::Fleet) and publishes what it produces, QoS 1,
// over one long-lived connection (docs/contract.md §1, §4.1), and closes the loop: it subscribes to
// the schedule topic of every simulated EV (§4.3) and hands each schedule to the fleet, whose EVs
// charge as their plan says.
//
// Live mode: the simulated clock (SimClock) replays from where the simulation left off, or from
// now (a day back when EMS_PUBLISHER_SPEED > 1), up to the wall clock, then runs with it; nothing
// is stamped in the future. The simulation state (simulation-state.json in
// EMS_PUBLISHER_PERSIST_DIR) is saved every few seconds and at stop, so a restart continues it:
// soc does not jump, energy counters never go backwards. A message is published once the broker
// has acknowledged the one before (RunLive says why): while the broker is down the simulation
// waits, then catches up in order; the unacknowledged message stays in Paho's offline buffer,
// persisted to disk, so it also survives a restart.
//
// Backfill mode (--backfill 30d): publishes that much history from a fresh simulation as fast as
// the broker accepts it, with a progress line, saves the state (a live run continues from it) and
// exits.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "ems/config/settings.h"
#include "ems/metrics/metrics.h"
#include "ems/mqtt/client.h"
#include "ems/sim/fleet.h"

namespace ems::publisher {

std::vector<config::Option> PublisherOptions();

// Parses "30d", "12h", "90m", "45s"; std::nullopt when malformed.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text);

class PublisherApp {
 public:
  explicit PublisherApp(const config::Settings& settings);
  void Run(const std::atomic<bool>& stop);

 private:
  void RunLive(const std::atomic<bool>& stop);
  void RunBackfill(const std::atomic<bool>& stop);
  // The saved simulation when it can continue, else a fresh one starting at `fresh_start`.
  sim::Fleet LoadOrStart(Timestamp wall_now, Timestamp fresh_start) const;
  void SaveState(const sim::Fleet& fleet) const;

  const config::Settings& settings_;
  metrics::Registry metrics_;  // served on EMS_METRICS_LISTEN while Run runs
  mqtt::ConnectionSettings mqtt_settings_;
  sim::FleetConfig fleet_config_;
  double speed_;
  std::optional<std::chrono::seconds> backfill_;
  std::string persist_dir_;
  std::string state_path_;
};

}  // namespace ems::publisher
