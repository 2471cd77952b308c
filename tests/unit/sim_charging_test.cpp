// Charging in the simulation (sim/): the EV that follows its schedule (docs/contract.md §6.6) or
// charges on arrival, the home wallbox that bills exactly what it meters, and the public charging
// hub — plausible daily patterns, one car per connector at a time, billed = metered.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ems/sim/charging_hub.h"
#include "ems/sim/ev.h"
#include "ems/sim/wallbox.h"
#include "support.h"

namespace ems::sim {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

using ems::testing::At;

ScheduleView Manual(std::vector<ChargingSlot> slots) {
  ScheduleView v;
  v.device_id = "ev-1";
  v.mode = ScheduleMode::kManual;
  for (const ChargingSlot& s : slots) v.slots.push_back({s, 0.1});
  return v;
}

// --- what a schedule says ---

TEST(CommandAtTest, ChargesInSlotsHoldsInBetweenAndFallsBackWhenOver) {
  const Timestamp t0 = At("2026-11-21T10:00:00Z");
  const ScheduleView view = Manual({{t0, t0 + hours(1)}, {t0 + hours(3), t0 + hours(4)}});
  EXPECT_EQ(CommandAt(view, t0 - minutes(1)), ScheduleCommand::kHold);
  EXPECT_EQ(CommandAt(view, t0), ScheduleCommand::kCharge);
  EXPECT_EQ(CommandAt(view, t0 + minutes(59)), ScheduleCommand::kCharge);
  EXPECT_EQ(CommandAt(view, t0 + hours(1)), ScheduleCommand::kHold);  // end exclusive
  EXPECT_EQ(CommandAt(view, t0 + hours(3) + minutes(30)), ScheduleCommand::kCharge);
  EXPECT_EQ(CommandAt(view, t0 + hours(4)), ScheduleCommand::kNone);  // the schedule is over
  // No schedule at all (the listener's default view: manual, no slots).
  EXPECT_EQ(CommandAt(Manual({}), t0), ScheduleCommand::kNone);
}

TEST(CommandAtTest, PauseHoldsOverrideChargesEvenWhilePaused) {
  const Timestamp t0 = At("2026-11-21T10:00:00Z");
  ScheduleView view = Manual({{t0, t0 + hours(2)}});
  view.is_paused = true;
  view.paused_until = t0 + hours(1);
  EXPECT_EQ(CommandAt(view, t0 + minutes(30)), ScheduleCommand::kHold);
  EXPECT_EQ(CommandAt(view, t0 + minutes(90)), ScheduleCommand::kCharge);
  // A pause without any slot holds the charge-on-arrival too.
  ScheduleView paused = Manual({});
  paused.paused_until = t0 + hours(14);
  EXPECT_EQ(CommandAt(paused, t0), ScheduleCommand::kHold);
  EXPECT_EQ(CommandAt(paused, t0 + hours(14)), ScheduleCommand::kNone);
  view.override_window = ChargingSlot{t0 + minutes(10), t0 + minutes(70)};
  EXPECT_EQ(CommandAt(view, t0 + minutes(20)), ScheduleCommand::kCharge);
  EXPECT_EQ(CommandAt(view, t0 + minutes(5)), ScheduleCommand::kHold);
}

TEST(CommandAtTest, APlannedScheduleHoldsUntilReadyByEvenWithoutSlots) {
  const Timestamp t0 = At("2026-11-21T10:00:00Z");
  ScheduleView view;
  view.device_id = "ev-1";
  view.mode = ScheduleMode::kPlanned;
  view.goal = ChargingGoal{0.8, t0 + hours(20)};  // target already reached: no slots
  EXPECT_EQ(CommandAt(view, t0), ScheduleCommand::kHold);
  EXPECT_EQ(CommandAt(view, t0 + hours(20)), ScheduleCommand::kNone);
}

// --- the EV ---

constexpr EvSpec kCar{.battery_capacity_wh = 60000, .max_charge_w = 11000};

// Steps an EV in Berlin over [from, to) in `step`s and records what it did.
struct Trace {
  std::vector<Timestamp> ts;
  std::vector<double> power, soc;
  std::vector<bool> home;
};
Trace Drive(EvModel& ev, Timestamp from, Timestamp to, Millis step, LocalClock& clock) {
  Trace tr;
  for (Timestamp t = from; t < to; t += step) {
    ev.Step(t, t == from ? Millis(0) : step, clock.At(t), 0);
    tr.ts.push_back(t);
    tr.power.push_back(ev.power_w());
    tr.soc.push_back(ev.soc_pct());
    tr.home.push_back(ev.at_home());
    if (!ev.at_home()) {
      EXPECT_EQ(ev.power_w(), 0) << FormatTimestamp(t);
    }
  }
  return tr;
}

TEST(EvTest, CommutesOnWeekdaysAndLosesChargeOnlyWhileDriving) {
  LocalClock clock("Europe/Berlin");
  EvModel ev(kCar, 3, EvState{45000, true, true});
  // A schedule whose only slot is next month holds every charge until then.
  const Timestamp later = At("2026-12-20T00:00:00Z");
  ev.Follow(Manual({{later, later + hours(1)}}), At("2026-11-16T00:00:00Z"));
  const auto tr =
      Drive(ev, At("2026-11-16T00:00:00Z"), At("2026-11-23T00:00:00Z"), minutes(5), clock);
  int away_mornings = 0;
  for (std::size_t i = 0; i < tr.ts.size(); ++i) {
    const double h = LocalHourOfDay(tr.ts[i], "Europe/Berlin");
    const int wd = LocalWeekday(tr.ts[i], "Europe/Berlin");
    if (wd < 5 && h >= 10 && h < 11) away_mornings += tr.home[i] ? 0 : 1;
    if (h >= 20 || h < 6) {
      EXPECT_TRUE(tr.home[i]) << FormatTimestamp(tr.ts[i]);
    }
    if (i > 0 && tr.home[i - 1] && tr.home[i]) {
      EXPECT_EQ(tr.soc[i], tr.soc[i - 1]) << "parked at home";
    }
    if (i > 0) {
      EXPECT_LE(tr.soc[i], tr.soc[i - 1]);
    }
  }
  EXPECT_EQ(away_mornings, 5 * 12);  // every weekday 10:00–11:00
  EXPECT_LT(tr.soc.back(), tr.soc.front() - 5);
}

TEST(EvTest, WithoutAScheduleItChargesOnArrivalUpToItsLimitOnce) {
  LocalClock clock("Europe/Berlin");
  EvModel ev(kCar, 3, EvState{30000, true, false});  // 50 %, at home, plugged in
  const auto tr =
      Drive(ev, At("2026-11-16T20:00:00Z"), At("2026-11-18T00:00:00Z"), minutes(1), clock);
  int charging_minutes = 0, sessions = 0;
  for (std::size_t i = 0; i < tr.ts.size(); ++i) {
    if (tr.power[i] < 0) {
      EXPECT_EQ(tr.power[i], -11000);
      ++charging_minutes;
      if (i == 0 || tr.power[i - 1] == 0) ++sessions;
    }
    EXPECT_LE(tr.soc[i], kCar.charge_limit_pct + 0.3);  // overshoots by one step at most
  }
  // 30 % of 60 kWh at 11 kW × 92 %: 107 minutes the first evening, then one charge on the
  // next return home from work.
  EXPECT_EQ(sessions, 2);
  EXPECT_GE(charging_minutes, 107);
}

TEST(EvTest, FollowsManualSlotsAndItsSocFollowsThePlan) {
  LocalClock clock("Europe/Berlin");
  EvModel ev(kCar, 3, EvState{30000, true, false});
  const Timestamp start = At("2026-11-21T19:00:00Z");  // a Saturday evening at home
  const ChargingSlot slot{start + hours(3), start + hours(5)};
  ev.Follow(Manual({slot, {start + days(2), start + days(2) + hours(1)}}), start);
  const auto tr = Drive(ev, start, start + hours(10), minutes(1), clock);
  double soc_at_start = 0, soc_at_end = 0;
  for (std::size_t i = 0; i < tr.ts.size(); ++i) {
    const bool in_slot = tr.ts[i] >= slot.start && tr.ts[i] < slot.end;
    EXPECT_EQ(tr.power[i], in_slot ? -11000 : 0) << FormatTimestamp(tr.ts[i]);
    if (tr.ts[i] == slot.start) soc_at_start = tr.soc[i];
    if (tr.ts[i] == slot.end) soc_at_end = tr.soc[i];
  }
  // Two hours at 11 kW, 92 % into the battery: 20.24 kWh of 60.
  EXPECT_NEAR(soc_at_end - soc_at_start, 100 * 11000 * 2 * 0.92 / 60000, 1e-9);
  EXPECT_EQ(tr.soc.back(), soc_at_end);
}

TEST(EvTest, PauseStopsItOverrideChargesAndAScheduleAppliesOnlyFromWhenItArrived) {
  LocalClock clock("Europe/Berlin");
  EvModel ev(kCar, 3, EvState{30000, true, false});
  const Timestamp start = At("2026-11-21T19:00:00Z");
  // Received at start + 30 min: until then the car charges on arrival.
  ScheduleView paused = Manual({{start, start + hours(6)}});
  paused.is_paused = true;
  paused.paused_until = start + hours(4);
  ev.Follow(paused, start + minutes(30));
  ScheduleView overridden = paused;
  overridden.override_window = ChargingSlot{start + hours(2), start + hours(3)};
  ev.Follow(overridden, start + hours(2));
  const auto tr = Drive(ev, start, start + hours(5), minutes(1), clock);
  for (std::size_t i = 0; i < tr.ts.size(); ++i) {
    const auto since = tr.ts[i] - start;
    const bool charging =
        since < minutes(30) || (since >= hours(2) && since < hours(3)) || since >= hours(4);
    EXPECT_EQ(tr.power[i] < 0, charging) << FormatTimestamp(tr.ts[i]);
  }
}

TEST(EvTest, NeverChargesAwayEvenInASlot) {
  LocalClock clock("Europe/Berlin");
  EvModel ev(kCar, 3, EvState{30000, true, false});
  const Timestamp start = At("2026-11-16T05:00:00Z");  // Monday 06:00: leaves between 7 and 8
  ev.Follow(Manual({{start, start + hours(12)}}), start);
  const auto tr = Drive(ev, start, start + hours(12), minutes(1), clock);
  int away = 0, charged_home = 0;
  for (std::size_t i = 0; i < tr.ts.size(); ++i) {
    if (!tr.home[i]) ++away;
    if (tr.home[i] && tr.power[i] < 0) ++charged_home;
  }
  EXPECT_GT(away, 8 * 60);
  EXPECT_GT(charged_home, 0);
}

TEST(EvTest, VehicleToHomeFeedsTheEveningPeakOnlyUnderASchedule) {
  const EvSpec v2h{.battery_capacity_wh = 40000, .max_charge_w = 6000, .max_discharge_w = 6000};
  LocalClock clock("Asia/Tokyo");
  const Timestamp evening = At("2026-11-21T09:30:00Z");  // Saturday 18:30 in Tokyo
  EvModel without(v2h, 3, EvState{36000, true, true});
  without.Step(evening, Millis(0), clock.At(evening), -2500);
  EXPECT_EQ(without.power_w(), 0);  // no schedule: the car is left alone
  EvModel with(v2h, 3, EvState{36000, true, true});
  const Timestamp later = evening + days(1);
  with.Follow(Manual({{later, later + hours(1)}}), evening - hours(1));
  with.Step(evening, Millis(0), clock.At(evening), -2500);
  EXPECT_EQ(with.power_w(), 2500);  // covers the home's deficit
  EXPECT_EQ(with.mode(), EvMode::kDischarging);
  with.Step(evening + hours(1), hours(1), clock.At(evening + hours(1)), -2500);
  EXPECT_NEAR(with.state().stored_wh, 36000 - 2500 / 0.92, 1e-6);
  // Not at night, and never below its floor.
  const Timestamp night = evening + hours(5);
  with.Step(night, hours(4), clock.At(night), -2500);
  EXPECT_EQ(with.power_w(), 0);
  EvModel low(v2h, 3, EvState{19000, true, true});
  low.Follow(Manual({{later, later + hours(1)}}), evening - hours(1));
  low.Step(evening, Millis(0), clock.At(evening), -2500);
  EXPECT_EQ(low.power_w(), 0);
}

// --- the home wallbox ---

TEST(WallboxTest, OneSessionPerChargeBilledExactlyWhatItMetered) {
  Wallbox wallbox("site-1-wallbox", "site-1-ev", "EUR");
  std::vector<ChargingSession> out;
  const Timestamp start = At("2026-11-21T18:00:00Z");
  double metered_wh = 0, expected_cost = 0, last_w = 0, last_price = 0;
  for (int i = 0; i <= 240; ++i) {
    const Timestamp t = start + seconds(30 * i);
    // Charging from minute 10 to minute 100, at a power that varies, at prices that vary.
    const bool charging = i >= 20 && i < 200;
    const double w = charging ? 7000 + 100 * (i % 7) : 0;
    const double price = 0.2 + 0.01 * (i % 13) - (i > 150 ? 0.3 : 0);  // negative late on
    metered_wh += last_w * 30 / 3600.0;
    expected_cost += last_w * 30 / 3600.0 / 1000.0 * last_price;
    wallbox.Step(t, i == 0 ? Millis(0) : seconds(30), w, price, i % 4 == 0, &out);
    last_w = w;
    last_price = price;
  }
  std::vector<ChargingSession> completed;
  int active = 0;
  for (const ChargingSession& s : out) {
    EXPECT_EQ(s.station_id, "site-1-wallbox");
    EXPECT_EQ(s.vehicle_id, "site-1-ev");
    EXPECT_EQ(s.session_id,
              "site-1-wallbox-" + std::to_string(ToMillis(start + minutes(10)) / 1000));
    EXPECT_EQ(s.started_at, start + minutes(10));
    if (s.status == SessionStatus::kCompleted) completed.push_back(s);
    if (s.status == SessionStatus::kActive) ++active;
  }
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(completed[0].ended_at, start + minutes(100));
  EXPECT_NEAR(completed[0].energy_kwh, metered_wh / 1000, 0.001);
  EXPECT_EQ(completed[0].cost, std::round(std::max(0.0, expected_cost) * 100) / 100);
  EXPECT_EQ(active, 45);  // every 2 minutes from minute 10 to 98
  EXPECT_FALSE(wallbox.open());
}

// --- the charging hub ---

TEST(ChargingHubTest, ConnectorsHoldOneCarAtATimeInAPlausibleDailyPattern) {
  const StationSpec spec{.station_id = "hub-1-station-1"};
  std::set<std::string> ids;
  int sessions = 0, fast = 0, idle = 0;
  double occupied_h = 0, energy_kwh = 0;
  std::array<int, 24> arrivals_by_hour{};
  constexpr int kDays = 120;
  const std::int64_t first = DaysSinceEpoch(Date{2026, 1, 5});
  for (std::int64_t d = first; d < first + kDays; ++d) {
    const Date day = DateOfDays(d);
    const Timestamp begin = LocalInstant(day, kServiceDayStartHour, "Europe/Berlin");
    const Timestamp end = LocalInstant(DateOfDays(d + 1), kServiceDayStartHour, "Europe/Berlin");
    for (int c = 1; c <= spec.connectors; ++c) {
      const auto day_sessions = ConnectorDay(spec, c, day, "Europe/Berlin", 11);
      for (std::size_t i = 0; i < day_sessions.size(); ++i) {
        const HubSession& s = day_sessions[i];
        EXPECT_TRUE(ids.insert(s.session_id).second) << s.session_id;
        EXPECT_EQ(s.connector, c);
        EXPECT_GE(s.plug_in, begin);
        EXPECT_LE(s.unplug, end);  // everyone has left by 05:00
        EXPECT_LT(s.plug_in, s.unplug);
        if (i > 0) {
          EXPECT_GE(s.plug_in, day_sessions[i - 1].unplug) << s.session_id;
        }
        EXPECT_LE(s.power_w, 22000);
        EXPECT_GE(s.power_w, 3400);
        if (s.power_w > 11000) ++fast;
        if (s.charge_end < s.unplug) ++idle;
        occupied_h += static_cast<double>((s.unplug - s.plug_in).count()) / 3.6e6;
        energy_kwh += s.energy_wh() / 1000;
        ++arrivals_by_hour[static_cast<std::size_t>(LocalHourOfDay(s.plug_in, "Europe/Berlin"))];
        ++sessions;
      }
    }
  }
  const double per_connector_day = static_cast<double>(sessions) / (kDays * spec.connectors);
  const double utilisation = occupied_h / (kDays * spec.connectors * 24.0);
  std::printf(
      "[ figure ] hub: %.2f sessions per connector and day, %.1f %% plugged in, %.1f kWh "
      "per session, %.1f %% at 22 kW\n",
      per_connector_day, 100 * utilisation, energy_kwh / sessions, 100.0 * fast / sessions);
  EXPECT_GE(per_connector_day, 2);
  EXPECT_LE(per_connector_day, 6);
  EXPECT_GE(utilisation, 0.10);
  EXPECT_LE(utilisation, 0.25);
  EXPECT_LT(fast, sessions / 8);  // 22 kW is rare
  EXPECT_GT(fast, 0);
  EXPECT_GT(idle, sessions / 3);  // plugged in but done: common
  EXPECT_GT(arrivals_by_hour[8], 4 * arrivals_by_hour[3]);
  EXPECT_GT(arrivals_by_hour[18], 4 * arrivals_by_hour[2]);
}

TEST(ChargingHubTest, EnergyIsTheIntegralOfPower) {
  const StationSpec spec{.station_id = "hub-1-station-1"};
  for (const HubSession& s : ConnectorDay(spec, 1, Date{2026, 6, 3}, "Europe/Berlin", 2)) {
    double wh = 0;
    for (Timestamp t = s.plug_in; t < s.unplug; t += seconds(1)) wh += s.PowerWAt(t) / 3600.0;
    EXPECT_NEAR(s.energy_wh(), wh, 0.002 * s.energy_wh() + 1) << s.session_id;
    EXPECT_EQ(s.PowerWAt(s.unplug), 0);
    EXPECT_EQ(s.EnergyWhAt(s.plug_in), 0);
  }
}

TEST(ChargingHubTest, StationPowerIsItsSessionsMeterIsWhatItBilled) {
  const StationSpec spec{.station_id = "hub-1-station-2", .price_per_kwh = 0.54};
  const Timestamp start = At("2026-11-23T09:00:00Z");  // a Monday morning
  ChargingStationModel station(spec, "Europe/Berlin", 21, start);
  const double meter_at_start = station.energy_wh();
  EXPECT_GT(meter_at_start, 1e6);  // almost three years of sessions since the hub opened
  std::vector<ChargingSession> out;
  station.Step(start, true, &out);
  std::map<std::string, ChargingSession> completed;
  std::set<std::string> active_at_start;
  for (const ChargingSession& s : out) {
    EXPECT_EQ(s.status, SessionStatus::kActive);
    active_at_start.insert(s.session_id);
  }
  double max_power = 0;
  const Timestamp end = start + days(3);
  for (Timestamp t = start + seconds(5); t <= end; t += seconds(5)) {
    out.clear();
    station.Step(t, ToMillis(t) % 60000 == 0, &out);
    max_power = std::max(max_power, -station.power_w());
    for (const ChargingSession& s : out) {
      EXPECT_EQ(s.currency, "EUR");
      EXPECT_EQ(*s.cost, std::round(s.energy_kwh * 0.54 * 100) / 100);
      if (s.status == SessionStatus::kCompleted) {
        EXPECT_TRUE(completed.emplace(s.session_id, s).second) << s.session_id;
        EXPECT_LE(*s.ended_at, t);
        EXPECT_GT(*s.ended_at, t - seconds(5));
      } else {
        EXPECT_FALSE(completed.contains(s.session_id)) << "active after completed";
      }
    }
  }
  EXPECT_LE(max_power, spec.max_power_w());
  EXPECT_GT(max_power, 0);
  // Sessions that started and ended inside the window: what they billed is what the meter
  // counted for them. Sessions running at either end are counted partly, so the meter's
  // increase lies between the billed sum of those inside and that plus the ones crossing.
  double billed_inside = 0, billed_all = 0;
  for (const auto& [id, s] : completed) {
    billed_all += s.energy_kwh;
    if (!active_at_start.contains(id)) billed_inside += s.energy_kwh;
  }
  const double metered_kwh = (station.energy_wh() - meter_at_start) / 1000;
  EXPECT_GE(metered_kwh, billed_inside - 0.001 * completed.size());
  EXPECT_LE(metered_kwh, billed_all + 2 * 60.0);  // + at most the two cars plugged in at the end
  EXPECT_GT(completed.size(), 3u * 2 * 2);
}

TEST(ChargingHubTest, StartsInASteadyStateWhateverTheStart) {
  // Sessions do not depend on when the simulation started: two stations started hours apart
  // report the same session at the same instant; on a weekday morning some connectors are busy.
  const StationSpec spec{.station_id = "hub-1-station-1"};
  ChargingStationModel early(spec, "Europe/Berlin", 4, At("2026-11-24T05:00:00Z"));
  int busy_starts = 0;
  for (int day = 0; day < 10; ++day) {
    const Timestamp t = At("2026-11-24T10:00:00Z") + days(day);
    ChargingStationModel late(spec, "Europe/Berlin", 4, t);
    std::vector<ChargingSession> a, b;
    for (Timestamp u = At("2026-11-24T05:00:00Z") + days(day); u <= t; u += minutes(1)) {
      a.clear();
      early.Step(u, u == t, &a);
    }
    late.Step(t, true, &b);
    std::erase_if(a, [](const ChargingSession& s) { return s.status != SessionStatus::kActive; });
    EXPECT_EQ(a, b);
    EXPECT_NEAR(early.energy_wh(), late.energy_wh(), 1e-3);
    busy_starts += b.empty() ? 0 : 1;
  }
  EXPECT_GE(busy_starts, 3);
}

}  // namespace
}  // namespace ems::sim
