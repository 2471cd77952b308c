// Physical models behind `ems-publisher` (SPEC §1, §4.1): the devices of a simulated site, each a
// small class with explicit state that steps by (now, dt).
//
// What callers can rely on:
// - Pure: no I/O, no clock, no MQTT. Time is always a parameter; randomness comes from a
//   std::mt19937_64 seeded by the caller, so the same seed and the same sequence of Step calls
//   give the same values, bit for bit, on the same standard library.
// - Step(now, dt) advances a model from `now - dt` to `now`; the accessors then describe the
//   instant `now`. dt may be zero (the values at `now` are computed, no energy moves). Models are
//   robust to any dt from a second to an hour: random processes use exact discretisations.
// - SPEC sign convention for every `power_w()`: positive = the device supplies power to the
//   site, negative = it draws. Producers (solar, wind) are ≥ 0, consumers (appliances, heat pump,
//   charging station) ≤ 0, storage (battery, EV) negative while charging.
// - soc values stay within 0–100 %.
// - Things that happen on a calendar (commutes, dishwasher runs, tariff days) are drawn from a
//   generator seeded by (seed, local day), so they do not depend on when the simulation started.
//
// Not thread-safe: one model is stepped by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/session.h"
#include "ems/domain/tariff.h"
#include "ems/domain/time.h"

namespace ems::sim {

// --- helpers ---

// A well-mixed 64-bit seed derived from `seed` and up to two discriminators (SplitMix64), for
// giving every model, day and session its own independent, reproducible random stream.
std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0);

// Seconds in `dt`, as a double.
inline double Seconds(Millis dt) { return static_cast<double>(dt.count()) / 1000.0; }

// An Ornstein–Uhlenbeck process: reverts to `mean` with time constant `tau_s`; its stationary
// standard deviation is `stddev`. Stepped exactly, so the statistics do not depend on dt.
class MeanReverting {
 public:
  MeanReverting(double mean, double stddev, double tau_s, double initial)
      : mean_(mean), stddev_(stddev), tau_s_(tau_s), value_(initial) {}
  double Step(double dt_s, std::mt19937_64& rng);
  // Jumps to a draw from the stationary distribution (a random but typical starting point).
  void DrawStationary(std::mt19937_64& rng);
  double value() const { return value_; }

 private:
  double mean_;
  double stddev_;
  double tau_s_;
  double value_;
  std::normal_distribution<double> normal_{0.0, 1.0};
};

// The local calendar at one site, cached: cheap enough to ask at every step. The UTC offset is
// looked up (through cctz) once per 15 minutes of simulated time; every zone offset and DST
// transition in use falls on a quarter hour, so the cached answer is exact.
struct LocalTime {
  double hour = 0;          // 0 ≤ hour < 24, fractional
  int weekday = 0;          // 0 = Monday … 6 = Sunday
  int day_of_year = 0;      // 0 = 1 January
  std::int64_t day = 0;     // local days since 1970-01-01: changes at local midnight
  double utc_offset_h = 0;  // e.g. +2 for Europe/Berlin in summer
};

class LocalClock {
 public:
  explicit LocalClock(std::string time_zone);
  LocalTime At(Timestamp t);
  const std::string& time_zone() const { return time_zone_; }

 private:
  std::string time_zone_;
  Timestamp valid_from_{};
  Timestamp valid_until_{};
  std::int64_t offset_ms_ = 0;
};

// --- solar ---

// Clear-sky global horizontal irradiance as a fraction of 1000 W/m² (0 at night, about 0.9 at a
// high summer sun), from the sun's elevation at `latitude_deg`/`longitude_deg` (east positive).
// Local solar noon follows from the longitude, so in a site's own zone the peak falls between
// roughly 11:30 and 13:30 local time, DST included.
double ClearSkyFraction(Timestamp t, double latitude_deg, double longitude_deg);

class SolarModel {
 public:
  // `start` sets the lifetime energy counter as if the panels had run since 2020.
  SolarModel(double rated_power_w, double latitude_deg, double longitude_deg, std::uint64_t seed,
             Timestamp start);
  void Step(Timestamp now, Millis dt);

  double power_w() const { return power_w_; }      // ≥ 0
  double energy_wh() const { return energy_wh_; }  // lifetime counter, never decreases
  double cloudiness() const;                       // 0 = clear … 1 = overcast

 private:
  double rated_power_w_;
  double latitude_deg_;
  double longitude_deg_;
  std::mt19937_64 rng_;
  MeanReverting weather_;  // slow: fronts, hours
  MeanReverting passing_;  // fast: single clouds, minutes
  double power_w_ = 0;
  double energy_wh_ = 0;
};

// --- wind ---

inline constexpr double kWindCutInMs = 3.0;
inline constexpr double kWindRatedMs = 12.0;
inline constexpr double kWindCutOutMs = 25.0;

// The turbine's power curve: 0 below cut-in and from cut-out on, cubic between cut-in and rated
// speed, `rated_power_w` from rated speed up to cut-out.
double WindPowerCurve(double wind_speed_ms, double rated_power_w);

class WindModel {
 public:
  // Wind speed is log-normal around `mean_speed_ms` (weather over hours plus gusts over seconds).
  WindModel(double rated_power_w, double mean_speed_ms, std::uint64_t seed);
  void Step(Timestamp now, Millis dt);

  double power_w() const { return power_w_; }  // ≥ 0
  double wind_speed_ms() const { return wind_speed_ms_; }

 private:
  double rated_power_w_;
  std::mt19937_64 rng_;
  MeanReverting weather_;  // log of the mean wind speed
  MeanReverting gust_;
  double power_w_ = 0;
  double wind_speed_ms_ = 0;
};

// --- battery ---

struct BatterySpec {
  double capacity_wh = 10000;
  double max_charge_w = 5000;
  double max_discharge_w = 4600;
  double min_soc_pct = 5;    // reserve the controller does not discharge below
  double efficiency = 0.95;  // each way; round trip ≈ 0.90
  double deadband_w = 25;    // imbalances smaller than this are left to the grid
};

// A home battery that absorbs the site's surplus and covers its deficit.
class BatteryModel {
 public:
  BatteryModel(BatterySpec spec, double initial_soc_pct);
  // `site_balance_w`: the sum of the power of every other device at the site (positive =
  // surplus). The battery charges from a surplus and discharges into a deficit, within its
  // limits; it never exports to the grid nor charges from it.
  void Step(Timestamp now, Millis dt, double site_balance_w);

  double power_w() const { return power_w_; }  // −max_charge_w … +max_discharge_w
  double soc_pct() const;
  const BatterySpec& spec() const { return spec_; }

 private:
  BatterySpec spec_;
  double stored_wh_;
  double power_w_ = 0;
};

// --- EV ---

enum class EvMode { kIdle, kCharging, kDischarging };
std::string_view ToString(EvMode m);  // "idle", "charging", "discharging"

struct EvSpec {
  double battery_capacity_wh = 60000;
  double max_charge_w = 11000;
  double max_discharge_w = 0;     // 0 = no vehicle-to-home
  double target_soc_pct = 80;     // charging stops here
  double urgent_soc_pct = 35;     // below this it charges at full power whatever the price
  double v2h_floor_soc_pct = 50;  // vehicle-to-home keeps at least this for the next trip
  double consumption_wh_per_km = 175;
  double efficiency = 0.92;  // charger losses
};

// A commuter car. Weekdays it leaves between 7:00 and 8:00 local and returns between 17:00 and
// 19:00; some weekend days it makes a shorter trip. It loses charge only while driving (the first
// and last part of the trip). At home it charges at full power when low or at night (22–6 h),
// from solar surplus otherwise, stops at its target (restarting a point below it), and with
// max_discharge_w > 0 supplies the home's deficit outside the night while above its V2H floor.
// Away, power is 0 and mode idle.
class EvModel {
 public:
  EvModel(EvSpec spec, std::string time_zone, std::uint64_t seed, Timestamp start,
          double initial_soc_pct);
  // `site_balance_w` as for BatteryModel.
  void Step(Timestamp now, Millis dt, double site_balance_w);

  double power_w() const { return power_w_; }
  double soc_pct() const;
  EvMode mode() const { return mode_; }
  bool at_home() const { return at_home_; }
  const EvSpec& spec() const { return spec_; }

 private:
  struct DayPlan {
    bool trip = false;
    double depart_h = 0, return_h = 0;         // local hours
    double drive_out_h = 0, drive_back_h = 0;  // durations of the two drives, hours
    double drive_power_w = 0;                  // battery drain while driving
  };
  DayPlan PlanFor(const LocalTime& lt) const;
  void UpdatePlan(const LocalTime& lt);

  EvSpec spec_;
  LocalClock clock_;
  std::uint64_t seed_;
  std::int64_t plan_day_ = -1;
  DayPlan plan_;
  double stored_wh_;
  double power_w_ = 0;
  EvMode mode_ = EvMode::kIdle;
  bool at_home_ = true;
};

// --- appliances ---

enum class ApplianceKind { kFridge, kDishwasher, kWashingMachine, kBaseLoad };

// The long-run average draw of a kind, in W (> 0): the `average_power_w` property of its meta.
double ApplianceAveragePowerW(ApplianceKind kind);

// - fridge: compressor cycles, 100–150 W for 12–18 min then off for 24–36 min (about a third on);
// - dishwasher: most days one ~2 h run in the evening (sometimes after lunch): two heating phases
//   at ~2 kW, pump and drying phases below 100 W;
// - washing machine: a ~1.5 h run on about 60 % of days, morning or early evening: heating at
//   ~2.1 kW, then drum and spin;
// - base load: lighting, electronics, cooking and kettles: ~120 W at night, morning and evening
//   peaks, short 2 kW kettle bursts and a dinner cooking block.
class ApplianceModel {
 public:
  ApplianceModel(ApplianceKind kind, std::string time_zone, std::uint64_t seed, Timestamp start);
  void Step(Timestamp now, Millis dt);

  double power_w() const { return power_w_; }  // ≤ 0
  bool running() const { return running_; }    // a programme (or the compressor) is on
  ApplianceKind kind() const { return kind_; }

 private:
  struct DayPlan {
    bool run = false;                     // programme appliances: a run today
    double start_h = 0;                   // …starting at this local hour
    double cook_start_h = 0, cook_h = 0;  // base load: dinner cooking block (cook_h 0 = none)
  };
  DayPlan PlanFor(const LocalTime& lt) const;
  void StepProgramme(Timestamp now, const LocalTime& lt);
  void StepFridge(double dt_s);
  void StepBaseLoad(double dt_s, const LocalTime& lt);

  ApplianceKind kind_;
  LocalClock clock_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::int64_t plan_day_ = -1;
  DayPlan plan_;
  bool ran_today_ = false;
  bool running_ = false;
  Timestamp run_started_{};
  double phase_left_s_ = 0;   // fridge: time to the next compressor switch
  double level_w_ = 0;        // fridge: draw of the current compressor cycle
  double kettle_left_s_ = 0;  // base load: a kettle burst in progress
  MeanReverting noise_;       // base load: relative variation around the daily profile
  double power_w_ = 0;
};

// --- heat pump ---

// The climate of a site: a yearly cosine (warmest around 19 July in the north, 20 January in the
// south), a daily cosine (warmest at 15:00 local), plus weather that drifts over days.
struct ClimateSpec {
  double annual_mean_c = 10;
  double annual_amplitude_c = 9;
  double daily_amplitude_c = 4;
  bool southern_hemisphere = false;
};

// The outdoor temperature without weather noise.
double TypicalOutdoorTemperatureC(const ClimateSpec& climate, const LocalTime& lt);

// Heating balance point: above this outdoor temperature a house needs no heating.
inline constexpr double kHeatingLimitC = 16.0;

// Steady electrical draw (W, ≥ 0, a magnitude) of an air-source heat pump sized to deliver full
// heat at −12 °C with `rated_power_w` electrical: heat demand grows linearly below 16 °C while the
// COP falls with the outdoor temperature. 0 at or above 16 °C, capped at `rated_power_w`.
double HeatPumpDemandW(double outdoor_c, double rated_power_w);

class HeatPumpModel {
 public:
  HeatPumpModel(double rated_power_w, ClimateSpec climate, std::string time_zone,
                std::uint64_t seed);
  void Step(Timestamp now, Millis dt);

  double power_w() const { return power_w_; }              // ≤ 0
  double temperature_c() const { return temperature_c_; }  // outdoor

 private:
  double rated_power_w_;
  ClimateSpec climate_;
  LocalClock clock_;
  std::mt19937_64 rng_;
  MeanReverting weather_;  // °C around the typical temperature
  double cycle_s_ = 0;     // position in the on/off cycle used at low demand
  double power_w_ = 0;
  double temperature_c_ = 0;
};

// --- charging station ---

struct StationSpec {
  std::string station_id;
  double max_power_w = 22000;  // total of the station; one session never exceeds it either
  int connectors = 2;
  double price_per_kwh = 0.39;
  std::string currency = "EUR";
  std::chrono::seconds session_interval{60};
};

// A public charging station that completes one session per `session_interval` (SPEC §2), at
// every multiple of the interval since the Unix epoch. Each session is plausible on its own:
// 5–60 kWh into a vehicle accepting 3.7–22 kW (never more than max_power_w), a bulk phase at
// constant power then a linear taper, so duration ≥ energy / max_power_w; cost = energy × price,
// rounded to cents. Session ids are "{station_id}-{n}" with n the epoch index of the completing
// interval: unique, stable across restarts, and the content of session n depends only on
// (seed, station, n).
//
// Each session gets one `active` update (ended_at null, energy so far) when half of it has
// passed, and its `completed` record when it ends. Sessions whose midpoint was before the
// station's start get no active update.
//
// When the interval is shorter than a session divided by the connectors — SPEC's default of 60 s
// is — the cadence demands more overlapping sessions than the connectors could hold; the
// telemetry then shows the station saturated at max_power_w.
class ChargingStationModel {
 public:
  ChargingStationModel(StationSpec spec, std::uint64_t seed, Timestamp start);
  // Appends, in time order, every update due in (now - dt, now] (for the first call: [start,
  // now]): `active` updates stamped `now`, `completed` sessions ending in the window.
  void Step(Timestamp now, Millis dt, std::vector<ChargingSession>* updates);

  double power_w() const { return power_w_; }  // −max_power_w … 0
  const StationSpec& spec() const { return spec_; }

  // The session completing at the end of interval `n` (pure; what Step reports).
  ChargingSession CompletedSession(std::int64_t n) const;

 private:
  struct Planned {
    std::int64_t n = 0;
    Timestamp start, bulk_end, end;
    double power_w = 0;  // bulk phase
    double energy_kwh = 0;
    int connector = 1;
    int vehicle = 0;
    bool active_sent = false;
    double EnergyKwhAt(Timestamp t) const;
    double PowerWAt(Timestamp t) const;
  };
  Planned Plan(std::int64_t n) const;
  ChargingSession ToSession(const Planned& p, Timestamp now, bool completed) const;

  StationSpec spec_;
  std::uint64_t seed_;
  Timestamp start_;
  Millis interval_;
  std::int64_t next_plan_ = 0;   // next interval index to plan
  std::deque<Planned> planned_;  // by n ascending (= by end)
  // (midpoint ms, n) of sessions still owed an active update, earliest first.
  std::priority_queue<std::pair<std::int64_t, std::int64_t>,
                      std::vector<std::pair<std::int64_t, std::int64_t>>, std::greater<>>
      active_due_;
  bool first_step_ = true;
  double power_w_ = 0;
};

// --- tariff ---

// Day-ahead hourly retail prices of one site in EUR/kWh: cheap at night, a dip at midday solar
// hours (deeper in summer), a morning shoulder and the evening peak 17–21 h; a random level per
// day and a little noise per hour. Prices of a local day depend only on (seed, date), so a day
// priced twice is priced the same.
class TariffModel {
 public:
  TariffModel(std::string time_zone, bool southern_hemisphere, std::uint64_t seed);
  // One price per local hour of `day` (23 or 25 on DST days), start inclusive, end exclusive.
  std::vector<TariffPrice> PricesForDay(const Date& day) const;
  // What the market has published at `now`: today's prices, plus tomorrow's once the day-ahead
  // auction results are out (13:00 local).
  Tariff Published(Timestamp now) const;
  // Local hour when the next day's prices become known.
  static constexpr double kPublishHour = 13.0;

 private:
  std::string time_zone_;
  bool southern_hemisphere_;
  std::uint64_t seed_;
};

}  // namespace ems::sim
