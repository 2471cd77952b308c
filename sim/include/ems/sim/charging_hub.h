// Public AC charging stations on a charging hub: who plugs in at each connector, when, for how
// long, and what they charge — as pure functions of the calendar.
//
// Each connector has its own day, from 05:00 local to 05:00 the next day (a "service day"; every
// car has left by its end). Drivers arrive by a daily pattern (few at night, peaks in the morning,
// at lunch and after work; fewer on Sundays); one who finds the connector taken goes elsewhere,
// so a connector never holds two sessions at once. Each car:
// - accepts 3.7, 7.4, 11 or (rarely, 8 %) 22 kW; charges at that power (never more than the
//   connector's 22 kW), tapering linearly over its last 8–20 minutes;
// - wants 2–60 kWh (median 13) and stays 12 minutes to 8 hours (median 70 minutes): when it
//   leaves before it is done the charge stops there; when done first it stays plugged in, idle.
// That makes 2–6 sessions per connector on a typical day and 10–25 % of the time plugged in.
//
// A session is billed exactly the energy delivered (energy_kwh, rounded down to the Wh) at the
// station's price; the station's power is the sum of its sessions' power, and its meter
// (energy_wh) the sum of everything its sessions ever delivered since the hub opened
// (1 January 2024), so metered and billed energy agree over any period.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/session.h"
#include "ems/domain/time.h"
#include "ems/sim/local_clock.h"

namespace ems::sim {

struct StationSpec {
  std::string station_id;
  int connectors = 2;
  double connector_max_w = 22000;
  double price_per_kwh = 0.49;
  std::string currency = "EUR";
  double max_power_w() const { return connectors * connector_max_w; }
};

// One car at one connector.
struct HubSession {
  std::string session_id;  // "{station}-c{connector}-{YYYYMMDD}-{n}", n counting from 1
  int connector = 1;
  std::string vehicle_id;
  Timestamp plug_in, bulk_end, charge_end, unplug;  // charging stops at min(charge_end, unplug)
  double power_w = 0;                               // before the taper

  double PowerWAt(Timestamp t) const;
  double EnergyWhAt(Timestamp t) const;  // delivered in [plug_in, t): the integral of PowerWAt
  double energy_wh() const { return EnergyWhAt(unplug); }
};

// The local hour (5.0) at which a service day starts.
inline constexpr double kServiceDayStartHour = 5.0;

// The sessions of `connector` on the service day that starts on local date `day`, by plug-in
// time. Pure in (spec, connector, day, tz, seed); none before the hub opened.
std::vector<HubSession> ConnectorDay(const StationSpec& spec, int connector, const Date& day,
                                     std::string_view tz, std::uint64_t seed);

class ChargingStationModel {
 public:
  ChargingStationModel(StationSpec spec, std::string time_zone, std::uint64_t seed,
                       Timestamp start);
  // Moves to `now`: adds what its sessions delivered since the previous step to the meter, sets
  // the power at `now`, and appends to `out` every session that ended in (previous, now]
  // (`completed`, ended_at = the unplug instant), then, when `report_active`, an `active` update
  // (energy and cost so far) of every session plugged in at `now`. The first call reports no
  // completions: what ended before `start` is history.
  void Step(Timestamp now, bool report_active, std::vector<ChargingSession>* out);

  double power_w() const { return power_w_; }      // −max_power_w … 0
  double energy_wh() const { return energy_wh_; }  // the station's meter, never decreases
  const StationSpec& spec() const { return spec_; }

 private:
  std::int64_t ServiceDay(Timestamp t);
  const std::vector<HubSession>& Sessions(std::int64_t service_day);
  ChargingSession ToSession(const HubSession& s, Timestamp now, bool completed) const;

  StationSpec spec_;
  LocalClock clock_;
  std::uint64_t seed_;
  Timestamp previous_;
  std::map<std::int64_t, std::vector<HubSession>> days_;  // cache: service day → sessions
  double power_w_ = 0;
  double energy_wh_ = 0;
};

}  // namespace ems::sim
