#include "ems/sim/models.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <span>
#include <utility>

namespace ems::sim {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

bool Chance(std::mt19937_64& rng, double p) { return Uniform(rng, 0.0, 1.0) < p; }

int DayOfYear(std::int64_t days_since_epoch) {
  const std::chrono::sys_days day{std::chrono::days(days_since_epoch)};
  const std::chrono::year_month_day ymd(day);
  return static_cast<int>((day - std::chrono::sys_days(ymd.year() / 1 / 1)).count());
}

std::int64_t DaysSinceEpoch(const Date& d) {
  return std::chrono::sys_days(std::chrono::year(d.year) / d.month / d.day)
      .time_since_epoch()
      .count();
}

Date DateOfDays(std::int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  return Date{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
              static_cast<int>(unsigned(ymd.day()))};
}

// Linear interpolation in a 24-entry table indexed by local hour, wrapping at midnight.
double HourlyProfile(const std::array<double, 24>& table, double hour) {
  const int h = static_cast<int>(hour) % 24;
  const double frac = hour - std::floor(hour);
  return table[h] + (table[(h + 1) % 24] - table[h]) * frac;
}

}  // namespace

// --- helpers ---

std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  return SplitMix64(SplitMix64(SplitMix64(seed) ^ a) ^ (b * 0xd6e8feb86659fd93ULL));
}

double MeanReverting::Step(double dt_s, std::mt19937_64& rng) {
  if (dt_s <= 0) return value_;
  const double decay = std::exp(-dt_s / tau_s_);
  value_ =
      mean_ + (value_ - mean_) * decay + stddev_ * std::sqrt(1.0 - decay * decay) * normal_(rng);
  return value_;
}

void MeanReverting::DrawStationary(std::mt19937_64& rng) {
  value_ = mean_ + stddev_ * normal_(rng);
}

LocalClock::LocalClock(std::string time_zone) : time_zone_(std::move(time_zone)) {}

LocalTime LocalClock::At(Timestamp t) {
  if (t < valid_from_ || t >= valid_until_) {
    constexpr std::int64_t kQuarter = 15 * 60 * 1000;
    valid_from_ = FromMillis(FloorDiv(ToMillis(t), kQuarter) * kQuarter);
    valid_until_ = valid_from_ + Millis(kQuarter);
    const Date date = LocalDate(valid_from_, time_zone_);
    const double hour = LocalHourOfDay(valid_from_, time_zone_);
    const std::int64_t local_ms =
        DaysSinceEpoch(date) * kMsPerDay + std::llround(hour * static_cast<double>(kMsPerHour));
    offset_ms_ =
        std::llround(static_cast<double>(local_ms - ToMillis(valid_from_)) / 60000.0) * 60000;
  }
  const std::int64_t local_ms = ToMillis(t) + offset_ms_;
  LocalTime lt;
  lt.day = FloorDiv(local_ms, kMsPerDay);
  lt.hour = static_cast<double>(local_ms - lt.day * kMsPerDay) / static_cast<double>(kMsPerHour);
  lt.weekday = static_cast<int>(((lt.day + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  lt.day_of_year = DayOfYear(lt.day);
  lt.utc_offset_h = static_cast<double>(offset_ms_) / static_cast<double>(kMsPerHour);
  return lt;
}

// --- solar ---

double ClearSkyFraction(Timestamp t, double latitude_deg, double longitude_deg) {
  const std::int64_t ms = ToMillis(t);
  const std::int64_t day = FloorDiv(ms, kMsPerDay);
  const double utc_h = static_cast<double>(ms - day * kMsPerDay) / kMsPerHour;
  const double n = DayOfYear(day) + 1;
  const double declination = 23.44 * kDeg * std::sin(2 * kPi * (284 + n) / 365.0);
  const double b = 2 * kPi * (n - 81) / 364.0;
  const double equation_of_time_min =
      9.87 * std::sin(2 * b) - 7.53 * std::cos(b) - 1.5 * std::sin(b);
  const double solar_h = utc_h + longitude_deg / 15.0 + equation_of_time_min / 60.0;
  const double hour_angle = (solar_h - 12.0) * 15.0 * kDeg;
  const double lat = latitude_deg * kDeg;
  const double sin_elevation = std::sin(lat) * std::sin(declination) +
                               std::cos(lat) * std::cos(declination) * std::cos(hour_angle);
  if (sin_elevation <= 0) return 0;
  // Haurwitz clear-sky model: GHI = 1098 · sin(h) · exp(−0.057 / sin(h)) W/m².
  return 1.098 * sin_elevation * std::exp(-0.057 / sin_elevation);
}

SolarModel::SolarModel(double rated_power_w, double latitude_deg, double longitude_deg,
                       std::uint64_t seed, Timestamp start)
    : rated_power_w_(rated_power_w),
      latitude_deg_(latitude_deg),
      longitude_deg_(longitude_deg),
      rng_(seed),
      weather_(-0.4, 1.2, 4 * 3600.0, 0),
      passing_(0, 0.6, 6 * 60.0, 0) {
  weather_.DrawStationary(rng_);
  passing_.DrawStationary(rng_);
  // A lifetime counter: as if installed on 2020-01-01 with an 11 % capacity factor.
  constexpr std::int64_t kInstalledMs = 1'577'836'800'000;  // 2020-01-01T00:00:00Z
  const double hours = std::max<double>(0, ToMillis(start) - kInstalledMs) / kMsPerHour;
  energy_wh_ = std::floor(rated_power_w_ * 0.11 * hours);
  Step(start, Millis(0));
}

double SolarModel::cloudiness() const {
  return 1.0 / (1.0 + std::exp(-1.6 * (weather_.value() + passing_.value())));
}

void SolarModel::Step(Timestamp now, Millis dt) {
  const double dt_s = Seconds(dt);
  weather_.Step(dt_s, rng_);
  passing_.Step(dt_s, rng_);
  const double clear = ClearSkyFraction(now, latitude_deg_, longitude_deg_);
  // 0.85: inverter, wiring, soiling and temperature losses of a typical rooftop system.
  power_w_ =
      std::clamp(rated_power_w_ * 0.85 * clear * (1.0 - 0.78 * cloudiness()), 0.0, rated_power_w_);
  energy_wh_ += power_w_ * dt_s / 3600.0;
}

// --- wind ---

double WindPowerCurve(double v, double rated_power_w) {
  if (!(v >= kWindCutInMs) || v >= kWindCutOutMs) return 0;
  if (v >= kWindRatedMs) return rated_power_w;
  constexpr double kIn3 = kWindCutInMs * kWindCutInMs * kWindCutInMs;
  constexpr double kRated3 = kWindRatedMs * kWindRatedMs * kWindRatedMs;
  return rated_power_w * (v * v * v - kIn3) / (kRated3 - kIn3);
}

namespace {
constexpr double kWindLogStddev = 0.45;
}

WindModel::WindModel(double rated_power_w, double mean_speed_ms, std::uint64_t seed)
    : rated_power_w_(rated_power_w),
      rng_(seed),
      weather_(std::log(mean_speed_ms) - 0.5 * kWindLogStddev * kWindLogStddev, kWindLogStddev,
               5 * 3600.0, 0),
      gust_(0, 0.12, 15.0, 0) {
  weather_.DrawStationary(rng_);
  gust_.DrawStationary(rng_);
  Step(Timestamp{}, Millis(0));
}

void WindModel::Step(Timestamp /*now*/, Millis dt) {
  const double dt_s = Seconds(dt);
  weather_.Step(dt_s, rng_);
  gust_.Step(dt_s, rng_);
  wind_speed_ms_ = std::exp(weather_.value() + gust_.value());
  power_w_ = WindPowerCurve(wind_speed_ms_, rated_power_w_);
}

// --- battery ---

BatteryModel::BatteryModel(BatterySpec spec, double initial_soc_pct)
    : spec_(spec), stored_wh_(spec.capacity_wh * std::clamp(initial_soc_pct, 0.0, 100.0) / 100.0) {}

double BatteryModel::soc_pct() const {
  return std::clamp(100.0 * stored_wh_ / spec_.capacity_wh, 0.0, 100.0);
}

void BatteryModel::Step(Timestamp /*now*/, Millis dt, double balance_w) {
  const double dt_h = Seconds(dt) / 3600.0;
  const double floor_wh = spec_.capacity_wh * spec_.min_soc_pct / 100.0;
  power_w_ = 0;
  if (balance_w > spec_.deadband_w) {
    const double room_wh = spec_.capacity_wh - stored_wh_;
    double charge_w = std::min(balance_w, spec_.max_charge_w);
    if (dt_h > 0) charge_w = std::min(charge_w, room_wh / (spec_.efficiency * dt_h));
    if (room_wh <= 0) charge_w = 0;
    stored_wh_ = std::min(spec_.capacity_wh, stored_wh_ + charge_w * spec_.efficiency * dt_h);
    power_w_ = -charge_w;
  } else if (balance_w < -spec_.deadband_w) {
    const double available_wh = stored_wh_ - floor_wh;
    double discharge_w = std::min(-balance_w, spec_.max_discharge_w);
    if (dt_h > 0) discharge_w = std::min(discharge_w, available_wh * spec_.efficiency / dt_h);
    if (available_wh <= 0) discharge_w = 0;
    stored_wh_ = std::max(0.0, stored_wh_ - discharge_w / spec_.efficiency * dt_h);
    power_w_ = discharge_w;
  }
  power_w_ += 0.0;  // never -0
}

// --- EV ---

std::string_view ToString(EvMode m) {
  switch (m) {
    case EvMode::kIdle:
      return "idle";
    case EvMode::kCharging:
      return "charging";
    case EvMode::kDischarging:
      return "discharging";
  }
  return "idle";
}

EvModel::EvModel(EvSpec spec, std::string time_zone, std::uint64_t seed, Timestamp start,
                 double initial_soc_pct)
    : spec_(spec),
      clock_(std::move(time_zone)),
      seed_(seed),
      stored_wh_(spec.battery_capacity_wh * std::clamp(initial_soc_pct, 0.0, 100.0) / 100.0) {
  Step(start, Millis(0), 0);
}

double EvModel::soc_pct() const {
  return std::clamp(100.0 * stored_wh_ / spec_.battery_capacity_wh, 0.0, 100.0);
}

EvModel::DayPlan EvModel::PlanFor(const LocalTime& lt) const {
  std::mt19937_64 rng(MixSeed(seed_, static_cast<std::uint64_t>(lt.day)));
  DayPlan plan;
  double km = 0;
  if (lt.weekday < 5) {  // commute
    plan.trip = true;
    plan.depart_h = Uniform(rng, 7.0, 8.0);
    plan.return_h = Uniform(rng, 17.0, 19.0);
    km = Uniform(rng, 12, 35);
  } else if (Chance(rng, 0.45)) {  // a weekend outing
    plan.trip = true;
    plan.depart_h = Uniform(rng, 9.5, 12.0);
    plan.return_h = Uniform(rng, 14.0, 18.5);
    km = Uniform(rng, 20, 80);
  }
  const double speed_kmh = Uniform(rng, 35, 55);
  plan.drive_out_h = km / speed_kmh;
  plan.drive_back_h = km / speed_kmh * Uniform(rng, 0.9, 1.3);  // evening traffic
  plan.drive_power_w = spec_.consumption_wh_per_km * speed_kmh;
  return plan;
}

void EvModel::UpdatePlan(const LocalTime& lt) {
  plan_ = PlanFor(lt);
  plan_day_ = lt.day;
}

void EvModel::Step(Timestamp now, Millis dt, double balance_w) {
  const LocalTime lt = clock_.At(now);
  if (lt.day != plan_day_) UpdatePlan(lt);
  const double dt_h = Seconds(dt) / 3600.0;
  const double h = lt.hour;
  const double cap = spec_.battery_capacity_wh;
  const bool away = plan_.trip && h >= plan_.depart_h && h < plan_.return_h;
  at_home_ = !away;
  const EvMode previous_mode = mode_;
  power_w_ = 0;
  mode_ = EvMode::kIdle;
  if (away) {
    const bool driving =
        h < plan_.depart_h + plan_.drive_out_h || h >= plan_.return_h - plan_.drive_back_h;
    if (driving) stored_wh_ = std::max(0.0, stored_wh_ - plan_.drive_power_w * dt_h);
    return;
  }
  const double soc = soc_pct();
  const double room_wh = cap * spec_.target_soc_pct / 100.0 - stored_wh_;
  const bool night = h >= 22.0 || h < 6.0;
  double charge_w = 0;
  // Hysteresis: a finished charge restarts only once the soc is a point below target, so the
  // wallbox does not flicker on and off at the target.
  const bool wants_charge =
      previous_mode == EvMode::kCharging ? room_wh > cap * 1e-4 : soc < spec_.target_soc_pct - 1.0;
  if (wants_charge) {
    constexpr double kMinSolarChargeW = 1400;  // 6 A single phase: the least a wallbox can do
    if (soc < spec_.urgent_soc_pct || night) {
      charge_w = spec_.max_charge_w;
    } else if (balance_w >= kMinSolarChargeW) {
      charge_w = std::min(balance_w, spec_.max_charge_w);
    }
  }
  if (charge_w > 0) {
    if (dt_h > 0) charge_w = std::min(charge_w, room_wh / (spec_.efficiency * dt_h));
    stored_wh_ += charge_w * spec_.efficiency * dt_h;
    power_w_ = -charge_w;
    mode_ = EvMode::kCharging;
    return;
  }
  constexpr double kV2hDeadbandW = 50;
  const double available_wh = stored_wh_ - cap * spec_.v2h_floor_soc_pct / 100.0;
  // Vehicle-to-home covers the expensive day and evening, not the cheap night it recharges in.
  if (spec_.max_discharge_w > 0 && !night && balance_w < -kV2hDeadbandW && available_wh > 0) {
    double discharge_w = std::min(-balance_w, spec_.max_discharge_w);
    if (dt_h > 0) discharge_w = std::min(discharge_w, available_wh * spec_.efficiency / dt_h);
    stored_wh_ -= discharge_w / spec_.efficiency * dt_h;
    power_w_ = discharge_w;
    mode_ = EvMode::kDischarging;
  }
}

// --- appliances ---

namespace {

struct Phase {
  double minutes;
  double power_w;
  double jitter_w;  // uniform ± around power_w
};
constexpr std::array<Phase, 6> kDishwasherProgramme{{
    {8, 45, 10},     // pre-rinse: pump
    {18, 2000, 60},  // main wash heating
    {35, 75, 15},    // wash: circulation pump
    {12, 1950, 60},  // hot rinse heating
    {15, 65, 10},    // rinse
    {30, 8, 2},      // condensation drying
}};
constexpr std::array<Phase, 5> kWasherProgramme{{
    {5, 15, 5},      // fill
    {15, 2100, 80},  // heating
    {40, 180, 90},   // wash: drum turning both ways
    {20, 120, 40},   // rinses
    {10, 450, 120},  // spin
}};
constexpr double kProgrammeStandbyW = 0.5;
constexpr double kFridgeIdleW = 1.5;
constexpr double kKettleW = 2000;

// Household base load (W) by local hour: night standby, breakfast, a lower day, the evening peak.
constexpr std::array<double, 24> kBaseLoadProfile{130, 120, 115, 115, 120, 150, 260, 380,
                                                  330, 240, 210, 220, 300, 240, 210, 220,
                                                  280, 420, 560, 600, 520, 420, 300, 190};
// Kettle bursts per hour by local hour.
constexpr std::array<double, 24> kKettleRate{0,   0,   0,   0,   0,   0.1, 0.6, 0.7,
                                             0.5, 0.2, 0.2, 0.1, 0.2, 0.1, 0.1, 0.3,
                                             0.3, 0.2, 0.3, 0.4, 0.3, 0.2, 0.1, 0.02};

std::span<const Phase> ProgrammeOf(ApplianceKind kind) {
  if (kind == ApplianceKind::kDishwasher) return kDishwasherProgramme;
  return kWasherProgramme;
}

}  // namespace

double ApplianceAveragePowerW(ApplianceKind kind) {
  switch (kind) {
    case ApplianceKind::kFridge:
      return 43;  // a third of the time at ~125 W
    case ApplianceKind::kDishwasher:
      return 36;  // ~1.06 kWh a run, 80 % of days
    case ApplianceKind::kWashingMachine:
      return 21;  // ~0.76 kWh a run, ~65 % of days
    case ApplianceKind::kBaseLoad:
      return 330;  // profile ~290 W plus kettles and dinner
  }
  return 1;
}

ApplianceModel::ApplianceModel(ApplianceKind kind, std::string time_zone, std::uint64_t seed,
                               Timestamp start)
    : kind_(kind),
      clock_(std::move(time_zone)),
      seed_(seed),
      rng_(MixSeed(seed, 0xa11)),
      noise_(0, 0.12, 1800.0, 0) {
  noise_.DrawStationary(rng_);
  if (kind_ == ApplianceKind::kFridge) {
    running_ = Chance(rng_, 1.0 / 3.0);
    level_w_ = Uniform(rng_, 100, 150);
    phase_left_s_ = running_ ? Uniform(rng_, 0, 18 * 60) : Uniform(rng_, 0, 36 * 60);
  }
  const LocalTime lt = clock_.At(start);
  plan_ = PlanFor(lt);
  plan_day_ = lt.day;
  // A programme due before the start ran before our time: it is not replayed.
  ran_today_ = plan_.run && lt.hour > plan_.start_h;
  Step(start, Millis(0));
}

ApplianceModel::DayPlan ApplianceModel::PlanFor(const LocalTime& lt) const {
  std::mt19937_64 rng(MixSeed(seed_, static_cast<std::uint64_t>(lt.day)));
  DayPlan plan;
  switch (kind_) {
    case ApplianceKind::kDishwasher:
      plan.run = Chance(rng, 0.8);
      plan.start_h = Chance(rng, 0.8) ? Uniform(rng, 19.5, 22.0) : Uniform(rng, 13.0, 14.5);
      break;
    case ApplianceKind::kWashingMachine:
      plan.run = Chance(rng, lt.weekday < 5 ? 0.6 : 0.8);
      plan.start_h = Chance(rng, 0.5) ? Uniform(rng, 8.5, 11.0) : Uniform(rng, 17.0, 19.5);
      break;
    case ApplianceKind::kBaseLoad:
      if (Chance(rng, 0.7)) {
        plan.cook_start_h = Uniform(rng, 17.5, 19.3);
        plan.cook_h = Uniform(rng, 0.35, 0.75);
      }
      break;
    case ApplianceKind::kFridge:
      break;
  }
  return plan;
}

void ApplianceModel::Step(Timestamp now, Millis dt) {
  const double dt_s = Seconds(dt);
  if (kind_ == ApplianceKind::kFridge) {
    StepFridge(dt_s);
    return;
  }
  const LocalTime lt = clock_.At(now);
  if (lt.day != plan_day_) {
    plan_ = PlanFor(lt);
    plan_day_ = lt.day;
    ran_today_ = false;
  }
  if (kind_ == ApplianceKind::kBaseLoad) {
    StepBaseLoad(dt_s, lt);
  } else {
    StepProgramme(now, lt);
  }
}

void ApplianceModel::StepFridge(double dt_s) {
  phase_left_s_ -= dt_s;
  while (phase_left_s_ <= 0) {
    running_ = !running_;
    if (running_) {
      level_w_ = Uniform(rng_, 100, 150);
      phase_left_s_ += Uniform(rng_, 12, 18) * 60;
    } else {
      phase_left_s_ += Uniform(rng_, 24, 36) * 60;
    }
  }
  power_w_ = -(running_ ? level_w_ + Uniform(rng_, -3, 3) : kFridgeIdleW);
}

void ApplianceModel::StepProgramme(Timestamp now, const LocalTime& lt) {
  if (!running_ && plan_.run && !ran_today_ && lt.hour >= plan_.start_h) {
    running_ = true;
    ran_today_ = true;
    run_started_ = now;
  }
  power_w_ = -kProgrammeStandbyW;
  if (!running_) return;
  double elapsed_min = static_cast<double>((now - run_started_).count()) / 60000.0;
  for (const Phase& phase : ProgrammeOf(kind_)) {
    if (elapsed_min < phase.minutes) {
      power_w_ = -std::max(1.0, phase.power_w + Uniform(rng_, -phase.jitter_w, phase.jitter_w));
      return;
    }
    elapsed_min -= phase.minutes;
  }
  running_ = false;  // programme over
}

void ApplianceModel::StepBaseLoad(double dt_s, const LocalTime& lt) {
  const double h = lt.hour;
  noise_.Step(dt_s, rng_);
  double draw = HourlyProfile(kBaseLoadProfile, h) * std::max(0.5, 1.0 + noise_.value());
  if (kettle_left_s_ > 0) {
    kettle_left_s_ -= dt_s;
  } else {
    const double rate_per_s = kKettleRate[static_cast<int>(h) % 24] / 3600.0;
    if (Chance(rng_, 1.0 - std::exp(-rate_per_s * dt_s))) kettle_left_s_ = Uniform(rng_, 120, 240);
  }
  if (kettle_left_s_ > 0) draw += kKettleW;
  running_ = plan_.cook_h > 0 && h >= plan_.cook_start_h && h < plan_.cook_start_h + plan_.cook_h;
  if (running_) draw += Chance(rng_, 0.6) ? 2000 : 1200;  // hob plates switching
  power_w_ = -draw;
}

// --- heat pump ---

double TypicalOutdoorTemperatureC(const ClimateSpec& c, const LocalTime& lt) {
  const double warmest_day = c.southern_hemisphere ? 19 : 199;
  const double annual =
      c.annual_mean_c +
      c.annual_amplitude_c * std::cos(2 * kPi * (lt.day_of_year - warmest_day) / 365.25);
  return annual + c.daily_amplitude_c * std::cos(2 * kPi * (lt.hour - 15.0) / 24.0);
}

namespace {
double HeatPumpCop(double outdoor_c) { return std::clamp(3.2 + 0.09 * (outdoor_c - 2), 1.8, 5.0); }
constexpr double kDesignC = -12;
}  // namespace

double HeatPumpDemandW(double outdoor_c, double rated_power_w) {
  if (!(outdoor_c < kHeatingLimitC)) return 0;
  const double design_heat_w = rated_power_w * HeatPumpCop(kDesignC);
  const double heat_w = design_heat_w * (kHeatingLimitC - outdoor_c) / (kHeatingLimitC - kDesignC);
  return std::min(rated_power_w, heat_w / HeatPumpCop(outdoor_c));
}

HeatPumpModel::HeatPumpModel(double rated_power_w, ClimateSpec climate, std::string time_zone,
                             std::uint64_t seed)
    : rated_power_w_(rated_power_w),
      climate_(climate),
      clock_(std::move(time_zone)),
      rng_(seed),
      weather_(0, 3.0, 2 * 86400.0, 0) {
  weather_.DrawStationary(rng_);
  cycle_s_ = Uniform(rng_, 0, 2400);
}

void HeatPumpModel::Step(Timestamp now, Millis dt) {
  const double dt_s = Seconds(dt);
  const LocalTime lt = clock_.At(now);
  weather_.Step(dt_s, rng_);
  temperature_c_ = TypicalOutdoorTemperatureC(climate_, lt) + weather_.value();
  double demand_w = HeatPumpDemandW(temperature_c_, rated_power_w_);
  if (lt.hour >= 22 || lt.hour < 5) {
    demand_w *= 0.85;  // night set-back
  } else if (lt.hour < 8) {
    demand_w = std::min(rated_power_w_, demand_w * 1.15);  // morning recovery
  }
  // The compressor modulates down to 30 %; below that it runs in on/off cycles of 40 minutes.
  constexpr double kMinModulation = 0.3;
  constexpr double kCycleS = 2400;
  const double min_w = kMinModulation * rated_power_w_;
  cycle_s_ = std::fmod(cycle_s_ + dt_s, kCycleS);
  double draw_w = 0;
  if (demand_w >= min_w) {
    draw_w = demand_w * Uniform(rng_, 0.98, 1.02);
  } else if (demand_w > 0) {
    draw_w = cycle_s_ < kCycleS * demand_w / min_w ? min_w * Uniform(rng_, 0.98, 1.02) : 0;
  }
  power_w_ = -std::min(draw_w, rated_power_w_) + 0.0;
}

// --- charging station ---

namespace {
constexpr double kMinSessionKwh = 5;
constexpr double kMaxSessionKwh = 60;
constexpr double kMaxSessionHours = 12;  // energy is capped so that no session is longer
constexpr Millis kMaxSessionDuration{static_cast<std::int64_t>(kMaxSessionHours * kMsPerHour)};

// Dividing by an exact power of ten yields the double nearest the decimal, which JSON prints
// short ("0.27", not "0.27000000000000002").
double RoundDecimals(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale + 0.0;
}
double FloorDecimals(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::floor(v * scale + 1e-9) / scale + 0.0;
}
}  // namespace

double ChargingStationModel::Planned::PowerWAt(Timestamp t) const {
  if (t < start || t >= end) return 0;
  if (t < bulk_end) return power_w;
  return power_w * static_cast<double>((end - t).count()) /
         static_cast<double>((end - bulk_end).count());
}

double ChargingStationModel::Planned::EnergyKwhAt(Timestamp t) const {
  if (t <= start) return 0;
  if (t >= end) return energy_kwh;
  const double bulk_h = static_cast<double>((std::min(t, bulk_end) - start).count()) / kMsPerHour;
  double wh = power_w * bulk_h;
  if (t > bulk_end) {
    const double taper_h = static_cast<double>((end - bulk_end).count()) / kMsPerHour;
    const double left_h = static_cast<double>((end - t).count()) / kMsPerHour;
    wh += power_w * (taper_h * taper_h - left_h * left_h) / (2 * taper_h);
  }
  return std::min(energy_kwh, wh / 1000.0);
}

ChargingStationModel::ChargingStationModel(StationSpec spec, std::uint64_t seed, Timestamp start)
    : spec_(std::move(spec)),
      seed_(seed),
      start_(start),
      interval_(std::chrono::duration_cast<Millis>(spec_.session_interval)) {
  if (interval_.count() <= 0) interval_ = Millis(60'000);
  next_plan_ = -FloorDiv(-ToMillis(start_), interval_.count());  // first interval ending ≥ start
}

ChargingStationModel::Planned ChargingStationModel::Plan(std::int64_t n) const {
  std::mt19937_64 rng(MixSeed(seed_, static_cast<std::uint64_t>(n)));
  Planned p;
  p.n = n;
  p.end = FromMillis(n * interval_.count());
  // What the vehicle's on-board charger accepts: 1-phase 16 A … 3-phase 32 A.
  const double pick = Uniform(rng, 0, 1);
  const double accepts_w = pick < 0.10 ? 3700 : pick < 0.35 ? 7400 : pick < 0.80 ? 11000 : 22000;
  p.power_w = std::min(accepts_w, spec_.max_power_w) * Uniform(rng, 0.92, 0.98);
  double wanted_kwh =
      std::clamp(std::exp(std::normal_distribution<double>(std::log(18.0), 0.55)(rng)),
                 kMinSessionKwh, kMaxSessionKwh);
  wanted_kwh = std::min(wanted_kwh, p.power_w * (kMaxSessionHours - 0.5) / 1000.0);
  // The last part of a charge tapers linearly to zero; it delivers half its length at full power.
  const double bulk_only_s = wanted_kwh * 1000.0 * 3600.0 / p.power_w;
  const double taper_s = std::min(Uniform(rng, 8, 25) * 60, bulk_only_s);
  const double duration_s = std::ceil(bulk_only_s + taper_s / 2);
  p.start = p.end - Millis(static_cast<std::int64_t>(duration_s) * 1000);
  p.bulk_end = p.end - Millis(static_cast<std::int64_t>(std::llround(taper_s * 1000)));
  const double bulk_h = static_cast<double>((p.bulk_end - p.start).count()) / kMsPerHour;
  const double taper_h = static_cast<double>((p.end - p.bulk_end).count()) / kMsPerHour;
  // Whole seconds make the charge a little longer than planned; the energy follows the profile.
  p.energy_kwh =
      std::min(kMaxSessionKwh, FloorDecimals(p.power_w * (bulk_h + taper_h / 2) / 1000.0, 3));
  p.connector = 1 + static_cast<int>(n % std::max(1, spec_.connectors));
  p.vehicle = 1 + static_cast<int>(rng() % 400);
  return p;
}

ChargingSession ChargingStationModel::ToSession(const Planned& p, Timestamp now,
                                                bool completed) const {
  ChargingSession s;
  s.session_id = spec_.station_id + "-" + std::to_string(p.n);
  s.station_id = spec_.station_id;
  s.connector = p.connector;
  char vehicle[16];
  std::snprintf(vehicle, sizeof vehicle, "ev-%04d", p.vehicle);
  s.vehicle_id = vehicle;
  s.status = completed ? SessionStatus::kCompleted : SessionStatus::kActive;
  s.started_at = p.start;
  if (completed) s.ended_at = p.end;
  s.energy_kwh = completed ? p.energy_kwh : FloorDecimals(p.EnergyKwhAt(now), 3);
  s.cost = RoundDecimals(s.energy_kwh * spec_.price_per_kwh, 2);
  s.currency = spec_.currency;
  return s;
}

ChargingSession ChargingStationModel::CompletedSession(std::int64_t n) const {
  const Planned p = Plan(n);
  return ToSession(p, p.end, true);
}

void ChargingStationModel::Step(Timestamp now, Millis dt, std::vector<ChargingSession>* updates) {
  const Timestamp window_start = first_step_ ? start_ - Millis(1) : now - dt;  // exclusive
  first_step_ = false;
  // Plan every session that could have started by now: those ending within the longest
  // possible session from now.
  while (FromMillis(next_plan_ * interval_.count()) - kMaxSessionDuration <= now) {
    Planned p = Plan(next_plan_++);
    const Timestamp midpoint = p.start + (p.end - p.start) / 2;
    p.active_sent = midpoint < start_;
    if (!p.active_sent) active_due_.push({ToMillis(midpoint), p.n});
    planned_.push_back(std::move(p));
  }
  // Completions, earliest end first.
  while (!planned_.empty() && planned_.front().end <= now) {
    if (planned_.front().end > window_start && updates != nullptr) {
      updates->push_back(ToSession(planned_.front(), now, true));
    }
    planned_.pop_front();
  }
  // Active updates of sessions past their midpoint and still charging.
  while (!active_due_.empty() && FromMillis(active_due_.top().first) <= now) {
    const std::int64_t n = active_due_.top().second;
    active_due_.pop();
    if (planned_.empty() || n < planned_.front().n) continue;  // already completed
    Planned& p = planned_[static_cast<std::size_t>(n - planned_.front().n)];
    if (p.active_sent) continue;
    p.active_sent = true;
    if (updates != nullptr) updates->push_back(ToSession(p, now, false));
  }
  // Station draw: sessions charging now, limited by the station's maximum. Sessions ending
  // soonest come first and have nearly all started, so the cap usually ends the scan early.
  double draw_w = 0;
  for (const Planned& p : planned_) {
    draw_w += p.PowerWAt(now);
    if (draw_w >= spec_.max_power_w) {
      draw_w = spec_.max_power_w;
      break;
    }
  }
  power_w_ = -draw_w + 0.0;
}

// --- tariff ---

namespace {
// Wholesale day-ahead price shape (EUR/kWh) by local hour.
constexpr std::array<double, 24> kWholesaleShape{
    0.075, 0.070, 0.066, 0.064, 0.066, 0.074, 0.092, 0.118, 0.125, 0.105, 0.082, 0.065,
    0.058, 0.058, 0.066, 0.085, 0.115, 0.170, 0.215, 0.225, 0.195, 0.150, 0.115, 0.090};
constexpr double kRetailSurcharge = 0.16;  // grid fees, levies, supplier margin
constexpr double kVat = 1.19;
}  // namespace

TariffModel::TariffModel(std::string time_zone, bool southern_hemisphere, std::uint64_t seed)
    : time_zone_(std::move(time_zone)), southern_hemisphere_(southern_hemisphere), seed_(seed) {}

std::vector<TariffPrice> TariffModel::PricesForDay(const Date& day) const {
  const std::int64_t days = DaysSinceEpoch(day);
  std::mt19937_64 rng(MixSeed(seed_, static_cast<std::uint64_t>(days)));
  const double level = Uniform(rng, 0.75, 1.3);
  const double warmest_day = southern_hemisphere_ ? 19 : 199;
  const double summer = std::cos(2 * kPi * (DayOfYear(days) - warmest_day) / 365.25);  // −1…1
  const int weekday = static_cast<int>(((days + 3) % 7 + 7) % 7);
  const double weekend = weekday >= 5 ? 0.9 : 1.0;
  std::normal_distribution<double> noise(0, 0.008);

  const Timestamp begin = LocalMidnightOf(day, time_zone_);
  const Timestamp end = LocalMidnightOf(DateOfDays(days + 1), time_zone_);
  std::vector<TariffPrice> prices;
  prices.reserve(25);
  for (Timestamp t = begin; t < end; t += std::chrono::hours(1)) {
    const int h = static_cast<int>(LocalHourOfDay(t, time_zone_));
    double wholesale = kWholesaleShape[h] * level * weekend;
    if (h >= 10 && h < 16) wholesale *= 1.0 - 0.35 * summer;  // solar dip, deeper in summer
    if (h >= 17 && h < 21) wholesale *= 1.0 - 0.15 * summer;  // evening peak, higher in winter
    wholesale = std::max(-0.02, wholesale + noise(rng));
    const double retail = kRetailSurcharge + kVat * wholesale;
    prices.push_back(
        TariffPrice{t, std::min(end, t + std::chrono::hours(1)), RoundDecimals(retail, 4)});
  }
  return prices;
}

Tariff TariffModel::Published(Timestamp now) const {
  Tariff tariff;
  tariff.currency = "EUR";
  const Date today = LocalDate(now, time_zone_);
  tariff.prices = PricesForDay(today);
  if (LocalHourOfDay(now, time_zone_) >= kPublishHour) {
    auto tomorrow = PricesForDay(DateOfDays(DaysSinceEpoch(today) + 1));
    tariff.prices.insert(tariff.prices.end(), tomorrow.begin(), tomorrow.end());
  }
  return tariff;
}

}  // namespace ems::sim
