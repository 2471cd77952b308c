// The simulated fleet behind `ems-publisher` (docs/contract.md §1, §2 EMS_PUBLISHER_*, §4.1): homes
// and a charging hub, turned into the MQTT messages real devices would publish, and following the
// charging schedules the product publishes back for the homes' EVs (§4.3, §6.6).
//
// What callers can rely on:
// - Pure: no I/O, no clock, no MQTT. The caller owns time: it passes `start` once (or restores
//   a snapshot) and then any non-decreasing `now` to Advance, and publishes what comes back, in
//   order. Nothing is ever stamped after the `now` it was produced for.
// - Reproducible: the same config, start and seed give the same messages, byte for byte, however
//   Advance calls are spaced; a fleet restored from Snapshot() continues exactly as the original
//   would have. Models step on a fixed grid (multiples of telemetry_interval and
//   session_interval since the Unix epoch, and tariff publication times), never at `now` itself.
//   Weather, appliances, heat pumps and the hub's sessions are pure functions of time, so any
//   backfill or restart shows the same physics at the same instant.
// - Homes are "site-1" … "site-N" in Berlin, New York, Sydney, Tokyo, London, Los Angeles
//   (repeating): solar, a small wind turbine, a battery, an EV, the appliances of the region's
//   household, a heat pump. Each home's wallbox is the EV's charge point: the EV reports the
//   power (it is one flow, so the site summary counts it once) and the wallbox station
//   "{site}-wallbox" publishes a session per charge. The hub "hub-1" (Berlin, when
//   hub_stations > 0) has hub_stations public stations of two 22 kW connectors. Device ids are
//   "{site}-{role}" (e.g. "site-1-battery", "hub-1-station-2"): unique across the fleet.
// - Power follows the contract (docs/contract.md) sign convention. The home battery and the EV
// react to the sum of the
//   other home devices (surplus charges the battery; the battery does not discharge into the
//   EV). Tariffs are in each home's currency; the hub bills in EUR.
// - Payloads are exactly the docs/contract.md §4.1 JSON objects; timestamps are UTC RFC 3339.
//
// Not thread-safe: one Fleet is driven by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::sim {

struct FleetConfig {
  int sites = 3;         // EMS_PUBLISHER_SITES: homes
  int hub_stations = 4;  // EMS_PUBLISHER_HUB_STATIONS: 0 = no hub
  std::uint64_t seed = 1;
  std::chrono::seconds telemetry_interval{5};  // EMS_PUBLISHER_INTERVAL_S
  std::chrono::seconds session_interval{60};   // EMS_PUBLISHER_SESSION_INTERVAL_S: active updates
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

  // A fleet continuing from Snapshot(): same seed, homes and hub, or a reject (reason
  // "invalid_state") saying why it cannot continue. Intervals and prefix may differ.
  static Result<Fleet> Restore(FleetConfig config, std::string_view snapshot);
  // Everything a restart needs (energy counters, stored energy, sessions in progress, the
  // schedules being followed), as JSON text.
  std::string Snapshot() const;

  // Models have been stepped up to here.
  Timestamp time() const { return sim_time_; }

  // The retained `meta` message of every device, sites in order, each device once. Publish at
  // start (and after a reconnect without a session, if the caller wants).
  std::vector<OutMessage> Discovery() const;

  // The schedule topic of every home's EV (§4.3): what to subscribe to.
  std::vector<std::string> ScheduleTopics() const;
  // A message received on a schedule topic: the EV follows the decoded view from simulated
  // instant `received_at` on (the wall-clock time it arrived: never earlier than the instant it
  // was made for). False when the topic is none of ours or the payload is not a schedule view.
  bool FollowSchedule(std::string_view topic, std::string_view payload, Timestamp received_at);

  // Steps every model up to `now` and returns, in time order, what is due in (previous now, now]
  // (the first call after construction also includes `start` itself):
  // - telemetry of every device at each multiple of telemetry_interval;
  // - sessions: at each multiple of session_interval an `active` update of every session in
  //   progress; a `completed` one when a session ends (a hub car leaves; a home EV stops
  //   charging);
  // - the retained tariff of each home at start and at 13:00 local each day.
  // A `now` before the previous one returns nothing. Everything due is held in memory until
  // returned: a long backfill is best advanced in chunks.
  std::vector<OutMessage> Advance(Timestamp now);

 private:
  struct Home;
  struct Hub;
  struct Saved;  // what Restore read from a snapshot
  Fleet(FleetConfig config, Timestamp start, const Saved* saved);
  void StepTo(Timestamp t, std::vector<OutMessage>* out);

  FleetConfig config_;
  Timestamp sim_time_;
  Timestamp next_telemetry_;
  Timestamp next_session_;
  bool first_step_ = true;
  std::vector<Home> homes_;
  std::unique_ptr<Hub> hub_;
};

}  // namespace ems::sim
