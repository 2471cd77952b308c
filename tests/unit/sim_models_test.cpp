// The simulation's physical models (sim/), checked against the figures an energy engineer knows:
// PV yield per kWp and month, small-wind capacity factors, household consumption per region, heat
// pump and hot water, tariff shapes. Years are simulated in coarse steps: the models are pure
// functions of time, so a 15-minute step samples the same physics a 5-second one does.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "ems/sim/cities.h"
#include "ems/sim/common.h"
#include "support.h"

namespace ems::sim {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

using ems::testing::At;

const City& CityNamed(std::string_view name) {
  for (const City& c : Cities()) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no city " + std::string(name));
}

Weather WeatherOf(const City& city, std::uint64_t seed = 1) { return Weather(city.climate, seed); }

int MonthOf(Timestamp t, std::string_view tz) { return LocalDate(t, tz).month; }

// --- common ---

TEST(SmoothNoiseTest, HasMeanZeroVarianceOneAndIsCorrelatedOverItsPeriod) {
  double sum = 0, sum2 = 0, lag_product = 0;
  int n = 0;
  const Timestamp start = At("2026-01-01T00:00:00Z");
  for (Timestamp t = start; t < start + days(2000); t += hours(7)) {
    const double v = SmoothNoise(5, t, hours(24));
    sum += v;
    sum2 += v * v;
    lag_product += v * SmoothNoise(5, t + hours(2), hours(24));
    ++n;
  }
  EXPECT_NEAR(sum / n, 0, 0.05);
  EXPECT_NEAR(sum2 / n, 1, 0.08);
  EXPECT_GT(lag_product / n, 0.8);  // two hours apart on a one-day period: nearly the same
  EXPECT_EQ(SmoothNoise(5, start, hours(24)), SmoothNoise(5, start, hours(24)));
  EXPECT_NE(SmoothNoise(5, start, hours(24)), SmoothNoise(6, start, hours(24)));
}

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
      ASSERT_EQ(DateOfDays(lt.day), LocalDate(t, tz)) << tz << " " << FormatTimestamp(t);
    }
  }
  // 02:30 does not exist on the spring-forward day: the instant after the gap.
  EXPECT_EQ(LocalInstant(Date{2026, 3, 29}, 2.5, "Europe/Berlin"), At("2026-03-29T01:30:00Z"));
  EXPECT_EQ(LocalInstant(Date{2026, 7, 1}, 13, "Europe/Berlin"), At("2026-07-01T11:00:00Z"));
}

// --- weather ---

TEST(WeatherTest, TemperatureHasItsSeasonsAndDays) {
  const Weather berlin = WeatherOf(CityNamed("Berlin"));
  const Weather sydney = WeatherOf(CityNamed("Sydney"));
  auto monthly_mean = [](const Weather& w, const char* from) {
    double sum = 0;
    int n = 0;
    for (Timestamp t = At(from); t < At(from) + days(28); t += hours(1)) {
      sum += w.At(t).temperature_c;
      ++n;
    }
    return sum / n;
  };
  EXPECT_NEAR(monthly_mean(berlin, "2026-01-01T00:00:00Z"), 0.5, 4);
  EXPECT_NEAR(monthly_mean(berlin, "2026-07-01T00:00:00Z"), 19.3, 4);
  // Southern hemisphere: the other way round.
  EXPECT_GT(monthly_mean(sydney, "2026-01-01T00:00:00Z"),
            monthly_mean(sydney, "2026-07-01T00:00:00Z") + 6);
  // Afternoons are warmer than early mornings.
  EXPECT_GT(berlin.NormalTemperatureC(At("2026-07-01T13:00:00Z")),
            berlin.NormalTemperatureC(At("2026-07-01T03:00:00Z")) + 6);
}

TEST(WeatherTest, CloudsFollowTheClimateOfEachCity) {
  for (std::size_t i = 0; i < Cities().size(); ++i) {
    const City& city = Cities()[i];
    const Weather w = WeatherOf(city, i);
    std::array<double, 12> sum{};
    std::array<int, 12> n{};
    for (Timestamp t = At("2023-01-01T00:00:00Z"); t < At("2028-01-01T00:00:00Z"); t += hours(3)) {
      const auto m = static_cast<std::size_t>(MonthOf(t, "UTC") - 1);
      const double c = w.At(t).cloud_cover;
      ASSERT_GE(c, 0);
      ASSERT_LE(c, 1);
      sum[m] += c;
      ++n[m];
    }
    double mean = 0, normal = 0;
    for (std::size_t m = 0; m < 12; ++m) {
      EXPECT_NEAR(sum[m] / n[m], city.climate.cloud_cover[m], 0.12) << city.name << " month " << m;
      mean += sum[m] / n[m] / 12;
      normal += city.climate.cloud_cover[m] / 12;
    }
    EXPECT_NEAR(mean, normal, 0.06) << city.name;
  }
}

TEST(WeatherTest, TheSameInstantHasTheSameWeatherWhateverAskedBefore) {
  const Weather a = WeatherOf(CityNamed("London"), 3);
  const Weather b = WeatherOf(CityNamed("London"), 3);
  const Timestamp t = At("2026-11-21T10:00:05Z");
  for (Timestamp u = t - days(3); u < t; u += minutes(17)) (void)a.At(u);
  EXPECT_EQ(a.At(t).wind_speed_ms, b.At(t).wind_speed_ms);
  EXPECT_EQ(a.At(t).cloud_cover, b.At(t).cloud_cover);
  EXPECT_EQ(a.At(t).temperature_c, b.At(t).temperature_c);
}

// --- solar ---

TEST(SolarTest, SunIsWhereItShouldBe) {
  // Berlin at the June solstice: solar noon ≈ 11:06 UTC, 90 − 52.5 + 23.4 ≈ 61° high, due south.
  const SunPosition noon = SunAt(At("2026-06-21T11:06:00Z"), 52.52, 13.40);
  EXPECT_NEAR(noon.elevation_deg, 60.9, 0.6);
  EXPECT_NEAR(noon.azimuth_deg, 180, 3);
  // Morning sun in the north-east, evening sun in the north-west; night below the horizon.
  EXPECT_NEAR(SunAt(At("2026-06-21T03:00:00Z"), 52.52, 13.40).azimuth_deg, 50, 10);
  EXPECT_NEAR(SunAt(At("2026-06-21T19:00:00Z"), 52.52, 13.40).azimuth_deg, 310, 10);
  EXPECT_LT(SunAt(At("2026-06-21T23:00:00Z"), 52.52, 13.40).elevation_deg, 0);
  // Sydney's noon sun is in the north.
  EXPECT_NEAR(SunAt(At("2026-06-21T01:55:00Z"), -33.87, 151.21).azimuth_deg, 0, 5);
  // Berlin sunset: ≈ 21:33 local (19:33 UTC) in June, ≈ 15:54 local in December.
  EXPECT_NEAR(SunsetUtcHour(At("2026-06-21T00:00:00Z"), 52.52, 13.40), 19.55, 0.2);
  EXPECT_NEAR(SunsetUtcHour(At("2026-12-21T00:00:00Z"), 52.52, 13.40), 14.9, 0.2);
}

TEST(SolarTest, ClearSkyIsPlausibleAndCloudsTakeMostOfIt) {
  const Timestamp t = At("2026-06-21T11:06:00Z");
  const SunPosition sun = SunAt(t, 52.52, 13.40);
  const Irradiance clear = ClearSkyIrradiance(sun, t);
  EXPECT_NEAR(clear.ghi, 870, 60);
  EXPECT_NEAR(clear.dni, 900, 60);
  const Irradiance overcast = CloudyIrradiance(clear, sun, 1.0);
  EXPECT_EQ(overcast.dni, 0);
  EXPECT_NEAR(overcast.ghi, 0.25 * clear.ghi, 1);
  EXPECT_NEAR(overcast.dhi, overcast.ghi, 1e-9);  // all of it diffuse
  EXPECT_EQ(ClearSkyIrradiance(SunAt(At("2026-06-21T23:00:00Z"), 52.52, 13.40), t).ghi, 0);
}

TEST(SolarTest, TiltAndOrientationMatter) {
  // A clear December noon in Berlin: the sun is 14° high, so a steep south roof catches far more
  // than a flat one, and a north roof almost nothing but diffuse light.
  const Timestamp t = At("2026-12-21T11:05:00Z");
  const SunPosition sun = SunAt(t, 52.52, 13.40);
  const Irradiance sky = ClearSkyIrradiance(sun, t);
  const double south = PlaneOfArrayIrradiance(sky, sun, {35, 180});
  const double flat = PlaneOfArrayIrradiance(sky, sun, {0, 180});
  const double north = PlaneOfArrayIrradiance(sky, sun, {35, 0});
  EXPECT_GT(south, 2 * flat);
  EXPECT_LT(north, 0.3 * flat);
  EXPECT_NEAR(flat, sky.ghi, 1e-6);
}

// Berlin, 5 kWp facing south at 35°: PVGIS puts such a roof at ≈ 0.9 kWh/kWp/day in November,
// ≈ 4.6 in June and ≈ 1000 kWh/kWp a year. Five simulated years, 15-minute steps.
TEST(SolarTest, BerlinYieldPerKwpByMonthMatchesTheClimate) {
  const City& berlin = CityNamed("Berlin");
  const Weather weather = WeatherOf(berlin);
  const SolarSpec spec{5000, berlin.climate.latitude_deg, berlin.climate.longitude_deg, {35, 180}};
  SolarModel solar(spec, 0);
  std::array<double, 13> kwh_per_kwp{};  // by month, [12] = all
  std::array<int, 13> days_in{};
  const Timestamp from = At("2022-01-01T00:00:00Z"), to = At("2027-01-01T00:00:00Z");
  double last_energy = 0;
  for (Timestamp t = from; t <= to; t += minutes(15)) {
    const double before = solar.energy_wh();
    solar.Step(t, t == from ? Millis(0) : minutes(15), weather.At(t));
    ASSERT_GE(solar.power_w(), 0);
    ASSERT_LE(solar.power_w(), spec.rated_power_w);
    ASSERT_GE(solar.energy_wh(), last_energy);
    last_energy = solar.energy_wh();
    const auto m = static_cast<std::size_t>(MonthOf(t - minutes(15), "Europe/Berlin") - 1);
    kwh_per_kwp[m] += (solar.energy_wh() - before) / 5000.0;
    kwh_per_kwp[12] += (solar.energy_wh() - before) / 5000.0;
  }
  for (Timestamp t = from; t < to; t += days(1))
    ++days_in[static_cast<std::size_t>(MonthOf(t, "UTC") - 1)];
  const auto per_day = [&](int month) {
    const auto m = static_cast<std::size_t>(month - 1);
    return kwh_per_kwp[m] / days_in[m];
  };
  for (int m = 1; m <= 12; ++m)
    std::printf("[ figure ] Berlin month %d: %.2f kWh/kWp/day\n", m, per_day(m));
  EXPECT_GE(per_day(11), 0.7);
  EXPECT_LE(per_day(11), 1.5);
  EXPECT_GE(per_day(6), 4.0);
  EXPECT_LE(per_day(6), 5.0);
  EXPECT_LT(per_day(12), per_day(11));
  EXPECT_GE(kwh_per_kwp[12] / 5, 900);
  EXPECT_LE(kwh_per_kwp[12] / 5, 1150);
}

TEST(SolarTest, EnergyCounterIsThePowerHeldFromStepToStep) {
  const City& city = CityNamed("Los Angeles");
  const Weather weather = WeatherOf(city);
  SolarModel solar({7000, city.climate.latitude_deg, city.climate.longitude_deg, city.panel}, 1000);
  const Timestamp start = At("2026-06-01T15:00:00Z");
  solar.Step(start, Millis(0), weather.At(start));
  double expected = 1000;
  for (Timestamp t = start + seconds(5); t < start + hours(2); t += seconds(5)) {
    expected += solar.power_w() * 5 / 3600.0;
    solar.Step(t, seconds(5), weather.At(t));
    ASSERT_NEAR(solar.energy_wh(), expected, 1e-6);
  }
  EXPECT_GT(solar.energy_wh(), 1000 + 5000);                                 // a sunny LA afternoon
  EXPECT_GT(SolarLifetimeEnergyWh(5000, At("2026-01-01T00:00:00Z")), 25e6);  // six years at 1000
}

// --- wind ---

TEST(WindTest, PowerCurve) {
  const WindTurbineSpec spec{.rated_power_w = 1500};
  EXPECT_EQ(WindPowerW(spec, 0), 0);
  EXPECT_EQ(WindPowerW(spec, spec.cut_in_ms), 0);
  EXPECT_GT(WindPowerW(spec, 4.5), 0);
  EXPECT_EQ(WindPowerW(spec, spec.rated_speed_ms), 1500);
  EXPECT_EQ(WindPowerW(spec, 20), 1500);
  EXPECT_EQ(WindPowerW(spec, spec.cut_out_ms), 0);
  double last = 0;
  for (double v = 3; v <= 13; v += 0.25) {
    ASSERT_GE(WindPowerW(spec, v), last);
    last = WindPowerW(spec, v);
  }
  // Cubic: doubling the speed well above cut-in gives several times the power.
  EXPECT_GT(WindPowerW(spec, 10), 5 * WindPowerW(spec, 5));
}

// A small turbine on an urban roof sees 3–4.5 m/s on average and runs at a capacity factor of a
// few percent (3–8 %), more in winter than in summer. Two simulated years per city.
TEST(WindTest, UrbanTurbinesRunAtAFewPercentMoreInWinter) {
  for (const City& city : Cities()) {
    const Weather weather = WeatherOf(city);
    const WindTurbineSpec spec{.rated_power_w = city.wind_w};
    double speed = 0, power = 0, winter = 0, summer = 0;
    int n = 0, n_winter = 0, n_summer = 0;
    for (Timestamp t = At("2025-01-01T00:00:00Z"); t < At("2027-01-01T00:00:00Z");
         t += minutes(10)) {
      const double v = weather.At(t).wind_speed_ms;
      const double p = WindPowerW(spec, v);
      speed += v;
      power += p;
      ++n;
      const int m = MonthOf(t, "UTC");
      const bool cold =
          city.climate.southern_hemisphere() ? (m >= 6 && m <= 8) : (m == 12 || m <= 2);
      const bool warm =
          city.climate.southern_hemisphere() ? (m == 12 || m <= 2) : (m >= 6 && m <= 8);
      if (cold) winter += p, ++n_winter;
      if (warm) summer += p, ++n_summer;
    }
    const double capacity_factor = power / n / city.wind_w;
    std::printf("[ figure ] %s wind: %.2f m/s, capacity factor %.1f %%\n",
                std::string(city.name).c_str(), speed / n, 100 * capacity_factor);
    EXPECT_GE(speed / n, 3.0) << city.name;
    EXPECT_LE(speed / n, 4.5) << city.name;
    EXPECT_GE(capacity_factor, 0.03) << city.name;
    EXPECT_LE(capacity_factor, 0.08) << city.name;
    EXPECT_GT(winter / n_winter, summer / n_summer) << city.name;
  }
}

// --- battery ---

TEST(BatteryTest, ChargesOnSurplusDischargesOnDeficitWithinItsLimits) {
  BatteryModel battery({.capacity_wh = 10000, .max_charge_w = 5000, .max_discharge_w = 3000}, 5000);
  battery.Step(Millis(0), 2000);
  EXPECT_EQ(battery.power_w(), -2000);
  battery.Step(hours(1), 8000);  // an hour at 2 kW in, 95 % kept
  EXPECT_NEAR(battery.stored_wh(), 5000 + 1900, 1e-9);
  EXPECT_EQ(battery.power_w(), -5000);
  battery.Step(hours(1), -10);  // within the deadband: the grid takes it
  EXPECT_EQ(battery.stored_wh(), 10000);
  EXPECT_EQ(battery.power_w(), 0);
  battery.Step(Millis(0), -9000);
  EXPECT_EQ(battery.power_w(), 3000);
  for (int i = 0; i < 10; ++i) battery.Step(hours(1), -9000);
  EXPECT_GE(battery.soc_pct(), 0);
  EXPECT_LE(battery.soc_pct(), 5 + 3000 / 0.95 / 100);  // the reserve, overshot by one step at most
  EXPECT_EQ(battery.power_w(), 0);
}

// --- household ---

// Daily consumption of each region's household (heat pump and car apart): an EU home uses
// 7–10 kWh a day (2500–3500 kWh a year), a US home about twice that. 90 days, 2-minute steps.
TEST(HouseholdTest, ConsumptionPerRegion) {
  std::map<std::string, double> kwh_per_day;
  for (const City& city : Cities()) {
    LocalClock clock{std::string(city.time_zone)};
    std::vector<ApplianceModel> appliances;
    for (ApplianceKind kind : AppliancesOf(city.household)) {
      appliances.emplace_back(kind, city.household, 17);
    }
    double wh = 0;
    const Timestamp start = At("2026-02-01T00:00:00Z");
    for (Timestamp t = start; t < start + days(90); t += minutes(2)) {
      const LocalTime lt = clock.At(t);
      for (ApplianceModel& a : appliances) {
        a.Step(t, lt);
        ASSERT_LE(a.power_w(), 0);
        wh -= a.power_w() * 2 / 60;
      }
    }
    kwh_per_day[std::string(city.name)] = wh / 1000 / 90;
    std::printf("[ figure ] %s household: %.1f kWh/day\n", std::string(city.name).c_str(),
                wh / 1000 / 90);
  }
  for (const char* eu : {"Berlin", "London"}) {
    EXPECT_GE(kwh_per_day[eu], 7) << eu;
    EXPECT_LE(kwh_per_day[eu], 10) << eu;
  }
  for (const char* us : {"New York", "Los Angeles"}) {
    EXPECT_GE(kwh_per_day[us] / kwh_per_day["Berlin"], 1.6) << us;
    EXPECT_LE(kwh_per_day[us] / kwh_per_day["Berlin"], 2.4) << us;
  }
  EXPECT_GT(kwh_per_day["Sydney"], kwh_per_day["Berlin"]);
  EXPECT_LT(kwh_per_day["Sydney"], kwh_per_day["New York"]);
}

// `average_power_w` is what an appliance draws while it runs (a dishwasher about 1800 W); the
// base load, which always runs, publishes its daily mean.
TEST(HouseholdTest, AppliancesDrawTheirRunningPowerWhileRunning) {
  const HouseholdProfile eu = CityNamed("Berlin").household;
  EXPECT_EQ(RunningPowerW(ApplianceKind::kDishwasher, eu), 1800);
  LocalClock clock("Europe/Berlin");
  const Timestamp start = At("2026-03-02T00:00:00Z");
  for (ApplianceKind kind : AppliancesOf(eu)) {
    ApplianceModel a(kind, eu, 23);
    double peak = 0, sum = 0;
    int n = 0, runs = 0;
    bool was_running = false;
    for (Timestamp t = start; t < start + days(30); t += seconds(30)) {
      a.Step(t, clock.At(t));
      peak = std::max(peak, -a.power_w());
      sum -= a.power_w();
      ++n;
      if (a.running() && !was_running) ++runs;
      was_running = a.running();
    }
    const double running_w = RunningPowerW(kind, eu);
    if (kind == ApplianceKind::kBaseLoad) {
      EXPECT_NEAR(sum / n, running_w, 0.1 * running_w);
    } else {
      EXPECT_NEAR(peak, running_w, 0.1 * running_w) << static_cast<int>(kind);
    }
    if (kind == ApplianceKind::kDishwasher || kind == ApplianceKind::kWashingMachine) {
      EXPECT_GE(runs, 12) << static_cast<int>(kind);  // most days
      EXPECT_LE(runs, 30) << static_cast<int>(kind);  // at most one a day
    }
  }
}

TEST(HouseholdTest, DryerRunsAfterTheWashInUsHomesOnly) {
  EXPECT_EQ(AppliancesOf(CityNamed("Berlin").household).size(), 4u);
  const HouseholdProfile us = CityNamed("New York").household;
  ASSERT_EQ(AppliancesOf(us).size(), 5u);
  ApplianceModel washer(ApplianceKind::kWashingMachine, us, 9);
  ApplianceModel dryer(ApplianceKind::kDryer, us, 9);
  LocalClock clock("America/New_York");
  Timestamp last_wash{}, first_dry_after{};
  int dries = 0, dries_after_wash = 0;
  bool was_drying = false;
  const Timestamp start = At("2026-03-02T05:00:00Z");
  for (Timestamp t = start; t < start + days(30); t += minutes(1)) {
    const LocalTime lt = clock.At(t);
    washer.Step(t, lt);
    dryer.Step(t, lt);
    if (washer.running()) last_wash = t;
    if (dryer.running() && !was_drying) {
      ++dries;
      first_dry_after = t;
      if (first_dry_after - last_wash < hours(1)) ++dries_after_wash;
    }
    was_drying = dryer.running();
  }
  EXPECT_GE(dries, 8);
  EXPECT_EQ(dries, dries_after_wash);
}

// --- heat pump ---

TEST(HeatPumpTest, HeatingDemandRisesAsItGetsColder) {
  EXPECT_EQ(HeatingDemandW(16, 3000), 0);
  EXPECT_EQ(HeatingDemandW(25, 3000), 0);
  EXPECT_GT(HeatingDemandW(10, 3000), 0);
  EXPECT_GT(HeatingDemandW(0, 3000), HeatingDemandW(10, 3000));
  EXPECT_GT(HeatingDemandW(-10, 3000), HeatingDemandW(0, 3000));
  EXPECT_EQ(HeatingDemandW(-20, 3000), 3000);
  EXPECT_GT(HotWaterHeatKwh(0), HotWaterHeatKwh(20));
}

// Daily electricity of the heat pump by month: heating in winter, hot water all year, cooling
// only where the climate calls for it. A year in 5-minute steps.
TEST(HeatPumpTest, HotWaterAllYearHeatingInWinterCoolingAtHotSites) {
  std::map<std::string, std::array<double, 12>> kwh_per_day, hot_water_per_day;
  for (const char* name : {"Berlin", "New York", "Los Angeles"}) {
    const City& city = CityNamed(name);
    const Weather weather = WeatherOf(city);
    LocalClock clock{std::string(city.time_zone)};
    HeatPumpModel hp(city.heat_pump, 4);
    std::array<double, 12> total{}, hot_water{};
    std::array<int, 12> samples{};
    for (Timestamp t = At("2026-01-01T00:00:00Z"); t < At("2027-01-01T00:00:00Z");
         t += minutes(5)) {
      const LocalTime lt = clock.At(t);
      hp.Step(t, lt, weather.At(t));
      ASSERT_LE(hp.power_w(), 0);
      ASSERT_GE(-hp.power_w(), hp.hot_water_w() - 1e-9);
      const auto m = static_cast<std::size_t>(DateOfDays(lt.day).month - 1);
      total[m] -= hp.power_w();
      hot_water[m] += hp.hot_water_w();
      ++samples[m];
    }
    for (std::size_t m = 0; m < 12; ++m) {
      total[m] = total[m] * 24 / samples[m] / 1000;  // mean W → kWh per day
      hot_water[m] = hot_water[m] * 24 / samples[m] / 1000;
    }
    kwh_per_day[name] = total;
    hot_water_per_day[name] = hot_water;
    std::printf(
        "[ figure ] %s heat pump kWh/day: January %.1f (hot water %.1f), July %.1f (hot "
        "water %.1f)\n",
        name, total[0], hot_water[0], total[6], hot_water[6]);
  }
  const auto& berlin = kwh_per_day["Berlin"];
  EXPECT_GT(berlin[0], 15);             // a cold January
  EXPECT_GT(berlin[0], 4 * berlin[6]);  // heating dominates the winter
  for (std::size_t m = 0; m < 12; ++m) EXPECT_GT(hot_water_per_day["Berlin"][m], 1.5) << m;
  EXPECT_NEAR(berlin[6], hot_water_per_day["Berlin"][6], 1.0);  // July: hot water, no cooling
  EXPECT_GT(kwh_per_day["New York"][6], 2 * berlin[6]);         // July: air conditioning
  EXPECT_GT(kwh_per_day["Los Angeles"][7], kwh_per_day["Los Angeles"][0]);  // cooling > heating
}

// --- tariff ---

TariffModel TariffOf(const City& city, std::uint64_t seed = 5) {
  return TariffModel(city.tariff, WeatherOf(city), std::string(city.time_zone), seed);
}

TEST(TariffTest, EachCountryHasItsCurrencyAndShape) {
  struct Case {
    const char* city;
    const char* currency;
    Millis interval;  // of a dynamic tariff; 0 = time-of-use blocks
  };
  for (const Case& c : {Case{"Berlin", "EUR", minutes(15)}, Case{"London", "GBP", minutes(30)},
                        Case{"New York", "USD", Millis(0)}, Case{"Los Angeles", "USD", Millis(0)},
                        Case{"Sydney", "AUD", Millis(0)}, Case{"Tokyo", "JPY", Millis(0)}}) {
    const City& city = CityNamed(c.city);
    const TariffModel tariff = TariffOf(city);
    EXPECT_EQ(tariff.currency(), c.currency);
    EXPECT_EQ(tariff.dynamic(), c.interval.count() > 0) << c.city;
    const Date day{2026, 11, 18};
    const auto prices = tariff.PricesForDay(day);
    ASSERT_FALSE(prices.empty());
    EXPECT_EQ(prices.front().start, LocalMidnightOf(day, city.time_zone)) << c.city;
    EXPECT_EQ(prices.back().end, LocalMidnightOf(Date{2026, 11, 19}, city.time_zone)) << c.city;
    for (std::size_t i = 0; i < prices.size(); ++i) {
      if (i > 0) {
        EXPECT_EQ(prices[i].start, prices[i - 1].end) << c.city;
        // Time-of-use blocks of the same price are merged.
        if (c.interval.count() == 0) {
          EXPECT_NE(prices[i].price_per_kwh, prices[i - 1].price_per_kwh) << c.city;
        }
      }
      if (c.interval.count() > 0) {
        EXPECT_EQ(prices[i].end - prices[i].start, c.interval) << c.city;
      }
      // The price in force inside an interval is the one published for it.
      LocalClock clock{std::string(city.time_zone)};
      const Timestamp mid = prices[i].start + (prices[i].end - prices[i].start) / 2;
      EXPECT_EQ(tariff.PriceAt(mid, clock.At(mid)), prices[i].price_per_kwh) << c.city;
    }
  }
  // 92 and 100 quarter hours on the German DST days.
  const TariffModel berlin = TariffOf(CityNamed("Berlin"));
  EXPECT_EQ(berlin.PricesForDay(Date{2026, 3, 29}).size(), 92u);
  EXPECT_EQ(berlin.PricesForDay(Date{2026, 10, 25}).size(), 100u);
  EXPECT_EQ(berlin.PricesForDay(Date{2026, 11, 21}), berlin.PricesForDay(Date{2026, 11, 21}));
  EXPECT_NE(berlin.PricesForDay(Date{2026, 11, 21}), berlin.PricesForDay(Date{2026, 11, 22}));
}

TEST(TariffTest, TimeOfUsePeaksWhereTheUtilitiesPutThem) {
  LocalClock la("America/Los_Angeles");
  const TariffModel california = TariffOf(CityNamed("Los Angeles"));
  const auto price_at = [&](const char* t) { return california.PriceAt(At(t), la.At(At(t))); };
  EXPECT_EQ(price_at("2026-07-15T01:00:00Z"), 0.59);  // 18:00 on a summer weekday
  EXPECT_EQ(price_at("2026-07-15T19:00:00Z"), 0.36);  // noon
  EXPECT_EQ(price_at("2026-01-15T19:00:00Z"), 0.31);  // winter super-off-peak
  LocalClock tokyo_clock("Asia/Tokyo");
  const TariffModel tokyo = TariffOf(CityNamed("Tokyo"));
  EXPECT_LT(tokyo.PriceAt(At("2026-07-15T18:00:00Z"), tokyo_clock.At(At("2026-07-15T18:00:00Z"))),
            tokyo.PriceAt(At("2026-07-15T03:00:00Z"), tokyo_clock.At(At("2026-07-15T03:00:00Z"))));
}

// Day-ahead prices: cheap when wind and sun cover the demand, negative when they exceed it; the
// evening peak follows sunset (earlier in winter). Two simulated years of Berlin and London.
TEST(TariffTest, DayAheadPricesFollowWindSunAndTheSeason) {
  for (const char* name : {"Berlin", "London"}) {
    const City& city = CityNamed(name);
    const TariffModel tariff = TariffOf(city);
    LocalClock clock{std::string(city.time_zone)};
    std::array<double, 24> december{}, june{};
    std::array<int, 24> n_december{}, n_june{};
    double green_sum = 0, grey_sum = 0, sum = 0;
    int green = 0, grey = 0, negative = 0, n = 0;
    const std::int64_t first = DaysSinceEpoch(Date{2025, 1, 1});
    for (std::int64_t d = first; d < first + 730; ++d) {
      const Date day = DateOfDays(d);
      for (const TariffPrice& p : tariff.PricesForDay(day)) {
        const LocalTime lt = clock.At(p.start);
        const double share = tariff.RenewableShare(p.start, lt);
        sum += p.price_per_kwh;
        ++n;
        if (p.price_per_kwh < 0) {
          ++negative;
          EXPECT_GT(share, 0.7) << name << " " << FormatTimestamp(p.start);  // windy or sunny
        }
        if (share > 0.8) green_sum += p.price_per_kwh, ++green;
        if (share < 0.3) grey_sum += p.price_per_kwh, ++grey;
        const auto h = static_cast<std::size_t>(lt.hour);
        if (day.month == 12) december[h] += p.price_per_kwh, ++n_december[h];
        if (day.month == 6) june[h] += p.price_per_kwh, ++n_june[h];
      }
    }
    std::printf("[ figure ] %s day-ahead: mean %.3f %s/kWh, %d of %d intervals negative\n", name,
                sum / n, tariff.currency().c_str(), negative, n);
    EXPECT_GT(negative, 0) << name;
    EXPECT_LT(negative, n / 20) << name;
    EXPECT_LT(green_sum / green, grey_sum / grey - 0.03) << name;
    if (std::string_view(name) == "Berlin") {
      EXPECT_GT(sum / n, 0.20);  // a German dynamic tariff averages 0.25–0.30 EUR/kWh
      EXPECT_LT(sum / n, 0.32);
      const auto evening_peak = [](const std::array<double, 24>& sums,
                                   const std::array<int, 24>& ns) {
        std::size_t best = 15;
        for (std::size_t h = 15; h < 24; ++h) {
          if (sums[h] / ns[h] > sums[best] / ns[best]) best = h;
        }
        return best;
      };
      EXPECT_LE(evening_peak(december, n_december), 18u);
      EXPECT_GE(evening_peak(june, n_june), 19u);
    }
  }
}

TEST(TariffTest, PublishesTomorrowOnlyAfterTheDayAheadAuction) {
  const TariffModel berlin = TariffOf(CityNamed("Berlin"));
  const Timestamp midnight = LocalMidnightOf(Date{2026, 11, 21}, "Europe/Berlin");
  const Tariff morning = berlin.Published(midnight + hours(9));
  EXPECT_EQ(morning.currency, "EUR");
  EXPECT_EQ(morning.prices, berlin.PricesForDay(Date{2026, 11, 21}));
  const Tariff afternoon = berlin.Published(midnight + hours(14));
  ASSERT_EQ(afternoon.prices.size(), 192u);
  EXPECT_EQ(afternoon.prices.back().end, midnight + hours(48));
  // Time-of-use rates are known in advance.
  const TariffModel tokyo = TariffOf(CityNamed("Tokyo"));
  const Timestamp tokyo_midnight = LocalMidnightOf(Date{2026, 11, 21}, "Asia/Tokyo");
  EXPECT_EQ(tokyo.Published(tokyo_midnight + hours(2)).prices.back().end,
            tokyo_midnight + hours(48));
}

}  // namespace
}  // namespace ems::sim
