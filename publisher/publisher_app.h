// ems-publisher: runs the fleet simulation (ems::sim::Fleet) on a simulated clock and publishes
// what it produces, QoS 1, over one long-lived connection (SPEC §1, §4.1).
//
// Live mode: the simulated clock runs EMS_PUBLISHER_SPEED times faster than the wall clock.
// Messages produced while the broker is down are buffered (Paho's offline buffer, persisted to
// disk) and delivered after it returns. Backfill mode (--backfill 30d): publishes that much
// history as fast as the broker accepts it, with a progress line, then exits.
#pragma once

#include <atomic>
#include <chrono>

#include "ems/config/settings.h"
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

  mqtt::ConnectionSettings mqtt_settings_;
  sim::FleetConfig fleet_config_;
  double speed_;
  std::optional<std::chrono::seconds> backfill_;
  std::string persist_dir_;
};

}  // namespace ems::publisher
