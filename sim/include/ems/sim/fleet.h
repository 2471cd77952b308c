// The simulated fleet behind `ems-publisher` (SPEC §1, §2 EMS_PUBLISHER_*, §4.1): sites with
// their devices and charging stations, turned into the MQTT messages real devices would publish.
//
// What callers can rely on:
// - Pure: no I/O, no clock, no MQTT. The caller owns time: it passes `start` once and then any
//   non-decreasing `now` to Advance, and publishes what comes back, in order.
// - Reproducible: the same config, start and seed give the same messages, byte for byte, however
//   Advance calls are spaced. Models step on a fixed grid (multiples of telemetry_interval and
//   session_interval since the Unix epoch, and tariff publication times), never at `now` itself.
// - Sites are "site-1" … "site-N" in different time zones (Europe/Berlin, America/New_York,
//   Australia/Sydney, then Asia/Tokyo, Europe/London, America/Los_Angeles, repeating). Each has
//   solar, wind, a battery, an EV, four appliances (fridge, dishwasher, washing machine, base
//   load), a heat pump and `stations_per_site` charging stations. Device ids are
//   "{site}-{role}" (e.g. "site-1-battery", "site-2-station-1"): unique across the fleet.
// - Power follows the SPEC sign convention. The home battery and the EV react to the sum of
//   the other home devices (surplus charges them; the battery does not discharge into the EV).
//   Charging stations are public chargers on their own circuit and do not enter that balance.
// - Payloads are exactly the SPEC §4.1 JSON objects; timestamps are UTC RFC 3339.
//
// Not thread-safe: one Fleet is advanced by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems::sim {

struct FleetConfig {
  int sites = 3;  // EMS_PUBLISHER_SITES
  int stations_per_site = 2;
  std::uint64_t seed = 1;
  std::chrono::seconds telemetry_interval{5};  // EMS_PUBLISHER_INTERVAL_S
  std::chrono::seconds session_interval{60};   // EMS_PUBLISHER_SESSION_INTERVAL_S
  std::string prefix = "ems/v1";               // EMS_TOPIC_PREFIX
};

struct OutMessage {
  std::string topic;
  std::string payload;  // a JSON object
  bool retained = false;
};

class Fleet {
 public:
  // Throws std::invalid_argument for a negative count or a non-positive interval.
  Fleet(FleetConfig config, Timestamp start);
  ~Fleet();
  Fleet(Fleet&&) noexcept;
  Fleet& operator=(Fleet&&) noexcept;

  // The retained `meta` message of every device, sites in order, each device once. Publish at
  // start (and after a reconnect without a session, if the caller wants).
  std::vector<OutMessage> Discovery() const;

  // Steps every model up to `now` and returns, in time order, what is due in (previous now, now]
  // (the first call also includes `start` itself):
  // - telemetry of every device at each multiple of telemetry_interval;
  // - per station at each multiple of session_interval the session completing then, and the
  //   `active` update of sessions passing their midpoint;
  // - the retained tariff of each site at start and at 13:00 local each day (today's prices,
  //   plus tomorrow's once published).
  // A `now` before the previous one returns nothing. Everything due is held in memory until
  // returned: a long backfill is best advanced in chunks (an hour at a time is ~25 k messages for
  // the default fleet).
  std::vector<OutMessage> Advance(Timestamp now);

 private:
  struct Site;
  static Site MakeSite(int index, const FleetConfig& config, Timestamp start);
  void StepTo(Timestamp t, std::vector<OutMessage>* out);

  FleetConfig config_;
  Timestamp sim_time_;  // models have been stepped up to here
  Timestamp next_telemetry_;
  Timestamp next_session_;
  std::vector<Site> sites_;
};

}  // namespace ems::sim
