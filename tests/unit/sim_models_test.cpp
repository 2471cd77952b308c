#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ems/sim/models.h"

namespace ems::sim {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Timestamp At(const char* text) { return *ParseTimestamp(text); }

struct City {
  const char* tz;
  double latitude, longitude;
};
constexpr std::array<City, 3> kCities{{{"Europe/Berlin", 52.52, 13.40},
                                       {"America/New_York", 40.71, -74.01},
                                       {"Australia/Sydney", -33.87, 151.21}}};

// --- local clock ---

TEST(LocalClockTest, AgreesWithCalendarFunctionsAcrossDstChanges) {
  const std::array<std::pair<const char*, const char*>, 3> cases{
      {{"Europe/Berlin", "2026-03-27T00:00:00Z"},
       {"America/New_York", "2026-03-06T00:00:00Z"},
       {"Australia/Sydney", "2026-04-03T00:00:00Z"}}};
  for (const auto& [tz, from] : cases) {
    LocalClock clock(tz);
    for (Timestamp t = At(from); t < At(from) + days(4); t += minutes(7)) {
      const LocalTime lt = clock.At(t);
      ASSERT_NEAR(lt.hour, LocalHourOfDay(t, tz), 1e-9) << tz << " " << FormatTimestamp(t);
      ASSERT_EQ(lt.weekday, LocalWeekday(t, tz)) << tz << " " << FormatTimestamp(t);
    }
  }
}

// --- solar ---

TEST(SolarTest, ClearSkyIsZeroAtLocalNightAndPeaksBetweenTenAndFourteen) {
  for (const City& city : kCities) {
    for (const char* day : {"2026-01-14T00:00:00Z", "2026-04-15T00:00:00Z", "2026-07-15T00:00:00Z",
                            "2026-10-14T00:00:00Z"}) {
      const Timestamp midnight = LocalPeriodStart(At(day), CalendarUnit::kDay, city.tz);
      double best = -1;
      double best_hour = -1;
      for (Timestamp t = midnight; t < midnight + hours(24); t += minutes(5)) {
        const double clear = ClearSkyFraction(t, city.latitude, city.longitude);
        const double h = LocalHourOfDay(t, city.tz);
        EXPECT_GE(clear, 0);
        EXPECT_LE(clear, 1.1);
        if (h < 4 || h >= 22) {
          EXPECT_EQ(clear, 0) << city.tz << " " << FormatTimestamp(t);
        }
        if (clear > best) {
          best = clear;
          best_hour = h;
        }
      }
      EXPECT_GT(best, 0.15) << city.tz << " " << day;
      EXPECT_GE(best_hour, 10) << city.tz << " " << day;
      EXPECT_LE(best_hour, 14) << city.tz << " " << day;
    }
  }
}

TEST(SolarTest, SummerDaysAreLongerAndStrongerThanWinterDays) {
  auto daylight = [](const char* day, double lat, double lon) {
    double sum = 0;
    for (Timestamp t = At(day); t < At(day) + hours(24); t += minutes(10)) {
      sum += ClearSkyFraction(t, lat, lon);
    }
    return sum;
  };
  EXPECT_GT(daylight("2026-06-21T00:00:00Z", 52.52, 13.40),
            3 * daylight("2026-12-21T00:00:00Z", 52.52, 13.40));
  // Southern hemisphere: the other way round.
  EXPECT_GT(daylight("2026-12-21T00:00:00Z", -33.87, 151.21),
            1.5 * daylight("2026-06-21T00:00:00Z", -33.87, 151.21));
}

TEST(SolarTest, ModelIsNonNegativeZeroAtNightAndPeaksAroundMidday) {
  for (const City& city : kCities) {
    const Timestamp start = At("2026-05-01T00:00:00Z");
    SolarModel solar(8000, city.latitude, city.longitude, 42, start);
    std::array<double, 24> by_hour{};
    double last_energy = solar.energy_wh();
    for (Timestamp t = start + seconds(5); t < start + days(14); t += seconds(5)) {
      solar.Step(t, seconds(5));
      const double h = LocalHourOfDay(t, city.tz);
      ASSERT_GE(solar.power_w(), 0);
      ASSERT_LE(solar.power_w(), 8000);
      ASSERT_GE(solar.energy_wh(), last_energy);
      last_energy = solar.energy_wh();
      if (h < 4 || h >= 22) {
        ASSERT_EQ(solar.power_w(), 0) << city.tz << FormatTimestamp(t);
      }
      by_hour[static_cast<int>(h)] += solar.power_w();
    }
    const auto peak = std::max_element(by_hour.begin(), by_hour.end()) - by_hour.begin();
    EXPECT_GE(peak, 10) << city.tz;
    EXPECT_LT(peak, 14) << city.tz;
    EXPECT_GT(solar.cloudiness(), 0);
    EXPECT_LT(solar.cloudiness(), 1);
  }
}

TEST(SolarTest, SameSeedSameOutput) {
  const Timestamp start = At("2026-05-01T06:00:00Z");
  SolarModel a(5000, 52.5, 13.4, 7, start);
  SolarModel b(5000, 52.5, 13.4, 7, start);
  SolarModel c(5000, 52.5, 13.4, 8, start);
  bool differs = false;
  for (int i = 1; i <= 2000; ++i) {
    const Timestamp t = start + seconds(5 * i);
    a.Step(t, seconds(5));
    b.Step(t, seconds(5));
    c.Step(t, seconds(5));
    ASSERT_EQ(a.power_w(), b.power_w());
    differs = differs || a.power_w() != c.power_w();
  }
  EXPECT_TRUE(differs);
}

// --- wind ---

TEST(WindTest, PowerCurve) {
  constexpr double kRated = 5000;
  EXPECT_EQ(WindPowerCurve(0, kRated), 0);
  EXPECT_EQ(WindPowerCurve(2.9, kRated), 0);
  EXPECT_EQ(WindPowerCurve(kWindCutInMs, kRated), 0);
  EXPECT_GT(WindPowerCurve(4, kRated), 0);
  EXPECT_EQ(WindPowerCurve(kWindRatedMs, kRated), kRated);
  EXPECT_EQ(WindPowerCurve(18, kRated), kRated);
  EXPECT_EQ(WindPowerCurve(24.9, kRated), kRated);
  EXPECT_EQ(WindPowerCurve(kWindCutOutMs, kRated), 0);
  EXPECT_EQ(WindPowerCurve(31, kRated), 0);
  double last = 0;
  for (double v = 3; v <= 12; v += 0.25) {
    const double p = WindPowerCurve(v, kRated);
    EXPECT_GE(p, last);
    last = p;
  }
  // Cubic: doubling the speed well above cut-in gives several times the power.
  EXPECT_GT(WindPowerCurve(10, kRated), 5 * WindPowerCurve(5, kRated));
}

TEST(WindTest, ModelFollowsItsCurveAndVaries) {
  WindModel wind(3000, 6, 11);
  double min_speed = 1e9, max_speed = 0, sum = 0;
  int n = 0;
  const Timestamp start = At("2026-02-01T00:00:00Z");
  for (Timestamp t = start; t < start + days(20); t += seconds(30)) {
    wind.Step(t, seconds(30));
    ASSERT_GT(wind.wind_speed_ms(), 0);
    ASSERT_EQ(wind.power_w(), WindPowerCurve(wind.wind_speed_ms(), 3000));
    min_speed = std::min(min_speed, wind.wind_speed_ms());
    max_speed = std::max(max_speed, wind.wind_speed_ms());
    sum += wind.wind_speed_ms();
    ++n;
  }
  EXPECT_NEAR(sum / n, 6, 2);
  EXPECT_LT(min_speed, kWindCutInMs);  // calm spells
  EXPECT_GT(max_speed, kWindRatedMs);  // windy spells
}

// --- battery ---

TEST(BatteryTest, ChargesOnSurplusDischargesOnDeficit) {
  BatterySpec spec{.capacity_wh = 10000, .max_charge_w = 5000, .max_discharge_w = 3000};
  BatteryModel battery(spec, 50);
  const Timestamp t = At("2026-05-01T12:00:00Z");
  battery.Step(t, seconds(5), 2000);
  EXPECT_DOUBLE_EQ(battery.power_w(), -2000);
  EXPECT_GT(battery.soc_pct(), 50);
  battery.Step(t, seconds(5), 9000);
  EXPECT_DOUBLE_EQ(battery.power_w(), -5000);
  battery.Step(t, seconds(5), -1200);
  EXPECT_DOUBLE_EQ(battery.power_w(), 1200);
  battery.Step(t, seconds(5), -8000);
  EXPECT_DOUBLE_EQ(battery.power_w(), 3000);
  battery.Step(t, seconds(5), 10);  // within the deadband
  EXPECT_EQ(battery.power_w(), 0);
}

TEST(BatteryTest, LosesSomeEnergyEachWay) {
  BatterySpec spec{.capacity_wh = 10000, .max_charge_w = 5000, .max_discharge_w = 5000};
  BatteryModel battery(spec, 50);
  battery.Step(Timestamp{}, hours(1), 1000);  // 1 kWh in
  EXPECT_NEAR(battery.soc_pct(), 50 + 100 * 1000 * spec.efficiency / 10000, 1e-9);
  EXPECT_LT(battery.soc_pct(), 60);
}

TEST(BatteryTest, NeverBeyondItsLimits) {
  BatterySpec spec{.capacity_wh = 5000, .max_charge_w = 4000, .max_discharge_w = 2500};
  BatteryModel battery(spec, 90);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> balance(0, 4000);
  bool full = false, empty = false;
  Timestamp t = At("2026-05-01T00:00:00Z");
  for (int i = 0; i < 50000; ++i) {
    const double b = balance(rng) + (i / 5000 % 2 == 0 ? 3000 : -3000);  // long runs each way
    t += seconds(5);
    battery.Step(t, seconds(5), b);
    ASSERT_GE(battery.power_w(), -spec.max_charge_w);
    ASSERT_LE(battery.power_w(), spec.max_discharge_w);
    ASSERT_GE(battery.soc_pct(), 0);
    ASSERT_LE(battery.soc_pct(), 100);
    if (b > 0) {
      ASSERT_LE(battery.power_w(), 0);  // never discharges into a surplus
    }
    if (b < 0) {
      ASSERT_GE(battery.power_w(), 0);          // never charges from a deficit
      ASSERT_LE(battery.power_w(), -b + 1e-9);  // never exports
    }
    full = full || battery.soc_pct() > 99.99;
    empty = empty || battery.soc_pct() < spec.min_soc_pct + 0.01;
  }
  EXPECT_TRUE(full);
  EXPECT_TRUE(empty);
  // Full: a surplus goes to the grid. At the reserve: a deficit comes from the grid.
  battery.Step(t, seconds(5), 0);
  BatteryModel at_full(spec, 100);
  at_full.Step(t, seconds(5), 3000);
  EXPECT_EQ(at_full.power_w(), 0);
  EXPECT_EQ(at_full.soc_pct(), 100);
  BatteryModel at_reserve(spec, spec.min_soc_pct);
  at_reserve.Step(t, seconds(5), -3000);
  EXPECT_EQ(at_reserve.power_w(), 0);
}

// --- EV ---

TEST(EvTest, AwayOnWeekdayMorningsHomeInTheEvening) {
  for (const City& city : kCities) {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      const Timestamp monday =
          LocalMidnightOf(Date{2026, 11, 16}, city.tz);  // Monday 16 November 2026
      EvModel ev(EvSpec{}, city.tz, seed, monday, 70);
      Timestamp t = monday;
      for (int d = 0; d < 5; ++d) {
        const Timestamp day = LocalMidnightOf(Date{2026, 11, 16 + d}, city.tz);
        for (; t <= day + hours(10); t += minutes(1)) ev.Step(t, minutes(1), 0);
        EXPECT_FALSE(ev.at_home()) << city.tz << " day " << d;
        EXPECT_EQ(ev.power_w(), 0);
        EXPECT_EQ(ev.mode(), EvMode::kIdle);
        for (; t <= day + hours(21); t += minutes(1)) ev.Step(t, minutes(1), 0);
        EXPECT_TRUE(ev.at_home()) << city.tz << " day " << d;
      }
    }
  }
}

TEST(EvTest, NoPowerWhileAwayLosesChargeDrivingChargesAtHome) {
  const char* tz = "Europe/Berlin";
  const Timestamp start = LocalMidnightOf(Date{2026, 11, 16}, tz);
  EvSpec spec{.battery_capacity_wh = 60000, .max_charge_w = 11000, .max_discharge_w = 0};
  EvModel ev(spec, tz, 9, start, 60);
  double soc_at_departure = -1;
  bool was_home = true, charged = false, lost_charge = false;
  std::set<std::string> modes;
  for (Timestamp t = start + seconds(5); t < start + days(14); t += seconds(5)) {
    ev.Step(t, seconds(5), -500);
    ASSERT_GE(ev.soc_pct(), 0);
    ASSERT_LE(ev.soc_pct(), 100);
    ASSERT_LE(ev.power_w(), 0);  // no V2H without max_discharge_w
    ASSERT_GE(ev.power_w(), -spec.max_charge_w);
    if (!ev.at_home()) {
      ASSERT_EQ(ev.power_w(), 0);
      ASSERT_EQ(ev.mode(), EvMode::kIdle);
    }
    if (ev.power_w() < 0) {
      ASSERT_EQ(ev.mode(), EvMode::kCharging);
      charged = true;
    }
    if (was_home && !ev.at_home()) soc_at_departure = ev.soc_pct();
    if (!was_home && ev.at_home()) lost_charge = lost_charge || ev.soc_pct() < soc_at_departure;
    was_home = ev.at_home();
    modes.insert(std::string(ToString(ev.mode())));
  }
  EXPECT_TRUE(charged);
  EXPECT_TRUE(lost_charge);
  EXPECT_LE(ev.soc_pct(), spec.target_soc_pct + 1e-6 + 0.0);
  EXPECT_EQ(modes, (std::set<std::string>{"charging", "idle"}));
}

TEST(EvTest, ChargesWhenLowAndFeedsTheHomeOnlyWithVehicleToHome) {
  const char* tz = "Europe/Berlin";
  const Timestamp evening = LocalMidnightOf(Date{2026, 11, 18}, tz) + hours(20);  // Wednesday
  EvSpec v2h{.battery_capacity_wh = 60000, .max_charge_w = 7400, .max_discharge_w = 6000};
  EvModel low(v2h, tz, 1, evening, 20);
  low.Step(evening + seconds(5), seconds(5), -800);
  EXPECT_TRUE(low.at_home());
  EXPECT_EQ(low.mode(), EvMode::kCharging);
  EXPECT_DOUBLE_EQ(low.power_w(), -7400);

  EvModel full(v2h, tz, 1, evening, 75);  // below target, not urgent, no surplus, not night
  full.Step(evening + seconds(5), seconds(5), -3000);
  EXPECT_EQ(full.mode(), EvMode::kDischarging);
  EXPECT_DOUBLE_EQ(full.power_w(), 3000);
  full.Step(evening + seconds(10), seconds(5), -9000);
  EXPECT_DOUBLE_EQ(full.power_w(), 6000);

  EvSpec no_v2h = v2h;
  no_v2h.max_discharge_w = 0;
  EvModel plain(no_v2h, tz, 1, evening, 75);
  plain.Step(evening + seconds(5), seconds(5), -3000);
  EXPECT_EQ(plain.mode(), EvMode::kIdle);
  EXPECT_EQ(plain.power_w(), 0);
  // Solar surplus charges it even when not urgent.
  plain.Step(evening + seconds(10), seconds(5), 4000);
  EXPECT_EQ(plain.mode(), EvMode::kCharging);
  EXPECT_DOUBLE_EQ(plain.power_w(), -4000);
}

// --- appliances ---

struct ApplianceRun {
  double mean_w = 0;
  double on_fraction = 0;                      // fraction of steps drawing more than 50 W
  std::vector<double> high_power_start_hours;  // local hours where a ≥ 1.5 kW phase began
};

ApplianceRun RunAppliance(ApplianceKind kind, const char* tz, std::uint64_t seed, int days_n) {
  const Timestamp start = At("2026-03-02T00:00:00Z");
  ApplianceModel a(kind, tz, seed, start);
  ApplianceRun run;
  int n = 0, on = 0;
  bool was_high = false;
  Timestamp last_high_start{};
  for (Timestamp t = start + seconds(5); t < start + days(days_n); t += seconds(5)) {
    a.Step(t, seconds(5));
    EXPECT_LE(a.power_w(), 0);
    if (a.power_w() > 0) break;
    run.mean_w += -a.power_w();
    ++n;
    if (-a.power_w() > 50) ++on;
    const bool high = -a.power_w() >= 1500;
    if (high && !was_high && t - last_high_start > hours(1)) {
      run.high_power_start_hours.push_back(LocalHourOfDay(t, tz));
      last_high_start = t;
    }
    was_high = high;
  }
  run.mean_w /= n;
  run.on_fraction = static_cast<double>(on) / n;
  return run;
}

TEST(ApplianceTest, NeverSupplyPowerAndAverageMatchesTheirProperty) {
  for (ApplianceKind kind : {ApplianceKind::kFridge, ApplianceKind::kDishwasher,
                             ApplianceKind::kWashingMachine, ApplianceKind::kBaseLoad}) {
    const ApplianceRun run = RunAppliance(kind, "Europe/Berlin", 5, 28);
    EXPECT_NEAR(run.mean_w, ApplianceAveragePowerW(kind), 0.35 * ApplianceAveragePowerW(kind))
        << static_cast<int>(kind);
  }
}

TEST(ApplianceTest, FridgeCompressorRunsAboutAThirdOfTheTime) {
  const ApplianceRun run = RunAppliance(ApplianceKind::kFridge, "Europe/Berlin", 3, 7);
  EXPECT_GT(run.on_fraction, 0.25);
  EXPECT_LT(run.on_fraction, 0.42);
}

TEST(ApplianceTest, DishwasherAndWasherHeatAtPlausibleHoursOnMostDays) {
  for (const City& city : kCities) {
    const ApplianceRun dish = RunAppliance(ApplianceKind::kDishwasher, city.tz, 2, 14);
    // A run (two heating phases within the hour) on most days.
    EXPECT_GE(dish.high_power_start_hours.size(), 8u);
    EXPECT_LE(dish.high_power_start_hours.size(), 14u);
    for (double h : dish.high_power_start_hours) {
      EXPECT_TRUE((h >= 13 && h < 17) || h >= 19.5 || h < 2) << city.tz << " " << h;
    }
    const ApplianceRun wash = RunAppliance(ApplianceKind::kWashingMachine, city.tz, 2, 14);
    EXPECT_GE(wash.high_power_start_hours.size(), 5u);
    EXPECT_LE(wash.high_power_start_hours.size(), 14u);
    for (double h : wash.high_power_start_hours) {
      EXPECT_TRUE((h >= 8.5 && h < 11.5) || (h >= 17 && h < 20)) << city.tz << " " << h;
    }
  }
}

TEST(ApplianceTest, BaseLoadHigherInTheEveningThanAtNight) {
  const char* tz = "America/New_York";
  const Timestamp start = At("2026-03-02T00:00:00Z");
  ApplianceModel base(ApplianceKind::kBaseLoad, tz, 4, start);
  double night = 0, evening = 0;
  for (Timestamp t = start; t < start + days(14); t += seconds(10)) {
    base.Step(t, seconds(10));
    const double h = LocalHourOfDay(t, tz);
    if (h >= 1 && h < 5) night += -base.power_w();
    if (h >= 18 && h < 22) evening += -base.power_w();
  }
  EXPECT_GT(evening, 2.5 * night);
}

// --- heat pump ---

TEST(HeatPumpTest, DemandRisesAsItGetsColder) {
  EXPECT_GT(HeatPumpDemandW(-5, 3000), HeatPumpDemandW(10, 3000));
  EXPECT_GT(HeatPumpDemandW(10, 3000), 0);
  EXPECT_EQ(HeatPumpDemandW(kHeatingLimitC, 3000), 0);
  EXPECT_EQ(HeatPumpDemandW(25, 3000), 0);
  EXPECT_LE(HeatPumpDemandW(-25, 3000), 3000);
  EXPECT_NEAR(HeatPumpDemandW(-12, 3000), 3000, 1e-6);
  double last = 0;
  for (double c = 16; c >= -20; c -= 0.5) {
    EXPECT_GE(HeatPumpDemandW(c, 3000), last);
    last = HeatPumpDemandW(c, 3000);
  }
}

TEST(HeatPumpTest, NeverSuppliesPowerAndIsOffWhenWarm) {
  const ClimateSpec berlin{9.9, 9.5, 4.5, false};
  const ClimateSpec sydney{18.3, 4.8, 4.0, true};
  auto run = [](ClimateSpec climate, const char* tz, const char* from, double* mean_temp) {
    const Timestamp start = At(from);
    HeatPumpModel hp(3000, climate, tz, 6);
    double energy = 0, temp = 0;
    int n = 0;
    for (Timestamp t = start; t < start + days(10); t += seconds(5)) {
      hp.Step(t, seconds(5));
      EXPECT_LE(hp.power_w(), 0);
      EXPECT_GE(hp.power_w(), -3000);
      if (hp.temperature_c() >= kHeatingLimitC) {
        EXPECT_EQ(hp.power_w(), 0);
      }
      energy += -hp.power_w();
      temp += hp.temperature_c();
      ++n;
    }
    *mean_temp = temp / n;
    return energy / n;
  };
  double berlin_jan_c, berlin_jul_c, sydney_jan_c;
  const double berlin_jan = run(berlin, "Europe/Berlin", "2026-01-10T00:00:00Z", &berlin_jan_c);
  const double berlin_jul = run(berlin, "Europe/Berlin", "2026-07-10T00:00:00Z", &berlin_jul_c);
  const double sydney_jan = run(sydney, "Australia/Sydney", "2026-01-10T00:00:00Z", &sydney_jan_c);
  EXPECT_GT(berlin_jan, 500);
  EXPECT_GT(berlin_jan, 5 * berlin_jul);
  EXPECT_GT(berlin_jan, 5 * sydney_jan);
  EXPECT_LT(berlin_jan_c, 8);
  EXPECT_GT(berlin_jan_c, -12);
  EXPECT_GT(berlin_jul_c, 12);
  EXPECT_GT(sydney_jan_c, 15);
}

TEST(HeatPumpTest, TypicalTemperatureHasDailyAndSeasonalCycle) {
  const ClimateSpec c{10, 9, 4, false};
  LocalTime winter_dawn{.hour = 3, .day_of_year = 15};
  LocalTime winter_afternoon{.hour = 15, .day_of_year = 15};
  LocalTime summer_afternoon{.hour = 15, .day_of_year = 200};
  EXPECT_LT(TypicalOutdoorTemperatureC(c, winter_dawn),
            TypicalOutdoorTemperatureC(c, winter_afternoon));
  EXPECT_LT(TypicalOutdoorTemperatureC(c, winter_afternoon),
            TypicalOutdoorTemperatureC(c, summer_afternoon));
  const ClimateSpec south{10, 9, 4, true};
  EXPECT_GT(TypicalOutdoorTemperatureC(south, winter_afternoon),
            TypicalOutdoorTemperatureC(south, summer_afternoon));
}

// --- charging station ---

StationSpec Station(std::chrono::seconds interval, double max_power_w = 22000) {
  StationSpec spec;
  spec.station_id = "site-1-station-1";
  spec.max_power_w = max_power_w;
  spec.connectors = 2;
  spec.price_per_kwh = 0.42;
  spec.session_interval = interval;
  return spec;
}

void ExpectValidCompleted(const ChargingSession& s, const StationSpec& spec) {
  ASSERT_EQ(s.status, SessionStatus::kCompleted);
  ASSERT_TRUE(s.ended_at.has_value());
  EXPECT_GE(*s.ended_at, s.started_at);
  const double hours_charged =
      static_cast<double>((*s.ended_at - s.started_at).count()) / 3'600'000.0;
  EXPECT_GE(hours_charged + 1e-9, s.energy_kwh * 1000 / spec.max_power_w) << s.session_id;
  EXPECT_LE(hours_charged, 12);
  EXPECT_GE(s.energy_kwh, 4.99);
  EXPECT_LE(s.energy_kwh, 60);
  ASSERT_TRUE(s.cost.has_value());
  EXPECT_NEAR(*s.cost, s.energy_kwh * spec.price_per_kwh, 0.0051);
  EXPECT_EQ(s.currency, "EUR");
  EXPECT_EQ(s.station_id, spec.station_id);
  ASSERT_TRUE(s.connector.has_value());
  EXPECT_GE(*s.connector, 1);
  EXPECT_LE(*s.connector, spec.connectors);
  ASSERT_TRUE(s.vehicle_id.has_value());
  EXPECT_FALSE(s.vehicle_id->empty());
  EXPECT_EQ(ToMillis(*s.ended_at) % (ToMillis(FromMillis(0) + spec.session_interval)), 0);
}

TEST(ChargingStationTest, OneValidCompletedSessionPerIntervalWithUniqueIds) {
  for (auto interval : {seconds(60), seconds(900), seconds(3600)}) {
    const StationSpec spec = Station(interval, 11000);
    const Timestamp start = At("2026-11-21T08:00:00Z");
    ChargingStationModel station(spec, 77, start);
    std::vector<ChargingSession> updates;
    std::map<std::string, ChargingSession> completed;
    std::map<std::string, ChargingSession> active;
    for (Timestamp t = start; t <= start + hours(30); t += seconds(5)) {
      const std::size_t before = updates.size();
      station.Step(t, t == start ? Millis(0) : Millis(seconds(5)), &updates);
      ASSERT_LE(station.power_w(), 0);
      ASSERT_GE(station.power_w(), -spec.max_power_w);
      for (std::size_t i = before; i < updates.size(); ++i) {
        const ChargingSession& s = updates[i];
        if (s.status == SessionStatus::kActive) {
          EXPECT_FALSE(s.ended_at.has_value());
          EXPECT_FALSE(completed.contains(s.session_id)) << "active after completed";
          EXPECT_TRUE(active.emplace(s.session_id, s).second) << "two actives";
          EXPECT_LE(s.started_at, t);
          EXPECT_GT(s.energy_kwh, 0);
        } else {
          ExpectValidCompleted(s, spec);
          EXPECT_EQ(*s.ended_at, t);
          EXPECT_TRUE(completed.emplace(s.session_id, s).second) << "duplicate id";
          EXPECT_EQ(s, station.CompletedSession(ToMillis(*s.ended_at) /
                                                (ToMillis(FromMillis(0) + interval))));
        }
      }
    }
    EXPECT_EQ(completed.size(), static_cast<std::size_t>(hours(30) / interval + 1));
    EXPECT_GT(active.size(), completed.size() / 3);
    for (const auto& [id, a] : active) {
      if (!completed.contains(id)) continue;
      EXPECT_LE(a.energy_kwh, completed.at(id).energy_kwh);
      EXPECT_EQ(a.started_at, completed.at(id).started_at);
    }
  }
}

TEST(ChargingStationTest, DrawsPowerWhileASessionCharges) {
  const StationSpec spec = Station(seconds(7200));
  const Timestamp start = At("2026-11-21T00:00:00Z");
  ChargingStationModel station(spec, 5, start);
  std::vector<ChargingSession> updates;
  int drawing = 0, idle = 0;
  for (Timestamp t = start; t < start + days(2); t += seconds(5)) {
    station.Step(t, t == start ? Millis(0) : Millis(seconds(5)), &updates);
    (station.power_w() < 0 ? drawing : idle)++;
  }
  // Sessions of a few hours every two hours: busy most but not all of the time.
  EXPECT_GT(drawing, idle / 4);
  EXPECT_GT(idle, 0);
  for (const ChargingSession& s : updates) {
    if (s.status == SessionStatus::kCompleted) ExpectValidCompleted(s, spec);
  }
}

TEST(ChargingStationTest, SessionContentDoesNotDependOnStart) {
  const StationSpec spec = Station(seconds(60));
  ChargingStationModel a(spec, 5, At("2026-11-21T00:00:00Z"));
  ChargingStationModel b(spec, 5, At("2026-11-25T00:00:00Z"));
  ChargingStationModel c(spec, 6, At("2026-11-21T00:00:00Z"));
  const std::int64_t n = ToMillis(At("2026-11-26T10:00:00Z")) / 60000;
  EXPECT_EQ(a.CompletedSession(n), b.CompletedSession(n));
  EXPECT_EQ(a.CompletedSession(n).session_id, "site-1-station-1-" + std::to_string(n));
  EXPECT_NE(a.CompletedSession(n).energy_kwh, c.CompletedSession(n).energy_kwh);
}

TEST(ChargingStationTest, SessionEnergiesArePlausiblySpread) {
  const StationSpec spec = Station(seconds(60));
  ChargingStationModel station(spec, 1, At("2026-11-21T00:00:00Z"));
  double sum = 0, lo = 1e9, hi = 0;
  std::set<std::string> vehicles;
  for (std::int64_t n = 1000; n < 3000; ++n) {
    const ChargingSession s = station.CompletedSession(n);
    ExpectValidCompleted(s, spec);
    sum += s.energy_kwh;
    lo = std::min(lo, s.energy_kwh);
    hi = std::max(hi, s.energy_kwh);
    vehicles.insert(*s.vehicle_id);
  }
  EXPECT_NEAR(sum / 2000, 20, 5);
  EXPECT_LT(lo, 8);
  EXPECT_GT(hi, 45);
  EXPECT_GT(vehicles.size(), 100u);
}

// --- tariff ---

double MeanPrice(const std::vector<TariffPrice>& prices, const char* tz, double from_h,
                 double to_h) {
  double sum = 0;
  int n = 0;
  for (const TariffPrice& p : prices) {
    const double h = LocalHourOfDay(p.start, tz);
    if (h >= from_h && h < to_h) {
      sum += p.price_per_kwh;
      ++n;
    }
  }
  return sum / n;
}

TEST(TariffTest, EveningPeakCostsMoreThanNightAndMidday) {
  for (const City& city : kCities) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      TariffModel tariff(city.tz, city.latitude < 0, seed);
      for (int day = 1; day <= 28; day += 3) {
        for (int month : {1, 4, 7, 10}) {
          const auto prices = tariff.PricesForDay(Date{2026, month, day});
          const double evening = MeanPrice(prices, city.tz, 17, 21);
          EXPECT_GT(evening, MeanPrice(prices, city.tz, 0, 5) + 0.03) << city.tz;
          EXPECT_GT(evening, MeanPrice(prices, city.tz, 11, 15) + 0.03) << city.tz;
          for (const TariffPrice& p : prices) {
            EXPECT_GT(p.price_per_kwh, 0.1);
            EXPECT_LT(p.price_per_kwh, 0.8);
          }
        }
      }
    }
  }
}

TEST(TariffTest, HourlyPricesCoverTheLocalDayIncludingDstDays) {
  TariffModel tariff("Europe/Berlin", false, 1);
  const std::array<std::pair<Date, std::size_t>, 3> cases{
      {{Date{2026, 11, 21}, 24}, {Date{2026, 3, 29}, 23}, {Date{2026, 10, 25}, 25}}};
  for (const auto& [day, hours_n] : cases) {
    const auto prices = tariff.PricesForDay(day);
    ASSERT_EQ(prices.size(), hours_n) << FormatDate(day);
    EXPECT_EQ(prices.front().start, LocalMidnightOf(day, "Europe/Berlin"));
    for (std::size_t i = 0; i < prices.size(); ++i) {
      EXPECT_EQ(prices[i].end - prices[i].start, hours(1));
      if (i > 0) {
        EXPECT_EQ(prices[i].start, prices[i - 1].end);
      }
    }
  }
  EXPECT_EQ(tariff.PricesForDay(Date{2026, 11, 21}), tariff.PricesForDay(Date{2026, 11, 21}));
  EXPECT_NE(tariff.PricesForDay(Date{2026, 11, 21}), tariff.PricesForDay(Date{2026, 11, 22}));
}

TEST(TariffTest, PublishesTomorrowOnlyAfterTheDayAheadAuction) {
  TariffModel tariff("Australia/Sydney", true, 3);
  const Timestamp midnight = LocalMidnightOf(Date{2026, 11, 21}, "Australia/Sydney");
  const Tariff morning = tariff.Published(midnight + hours(9));
  EXPECT_EQ(morning.currency, "EUR");
  EXPECT_EQ(morning.prices, tariff.PricesForDay(Date{2026, 11, 21}));
  const Tariff afternoon = tariff.Published(midnight + hours(14));
  ASSERT_EQ(afternoon.prices.size(), 48u);
  EXPECT_EQ(afternoon.prices.back().end, midnight + hours(48));
}

}  // namespace
}  // namespace ems::sim
