#include "ems/sim/tariff.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "ems/sim/common.h"
#include "ems/sim/solar.h"

namespace ems::sim {
namespace {

constexpr double kGbpPerEur = 0.86;

// How much of the country's average demand its wind fleet (at a capacity factor of 1) and its
// solar fleet (at 1000 W/m² everywhere) would cover.
struct Market {
  double wind_share;
  double solar_share;
};
Market MarketOf(TariffRegion region) {
  if (region == TariffRegion::kUnitedKingdom) return {1.1, 0.35};
  return {1.3, 0.85};
}

double Bump(double x, double centre, double width) {
  const double z = (x - centre) / width;
  return std::exp(-z * z);
}

int MonthOf(const LocalTime& lt) { return DateOfDays(lt.day).month; }

double TimeOfUsePrice(TariffRegion region, const LocalTime& lt) {
  const int h = static_cast<int>(lt.hour);
  const bool weekend = lt.weekday >= 5;
  const int month = MonthOf(lt);
  const bool summer = month >= 6 && month <= 9;
  switch (region) {
    case TariffRegion::kNewYork:  // peak 8:00–24:00 on weekdays
      if (!weekend && h >= 8) return summer ? 0.39 : 0.27;
      return 0.16;
    case TariffRegion::kCalifornia:  // the 16:00–21:00 peak
      if (summer) {
        if (h >= 16 && h < 21) return weekend ? 0.47 : 0.59;
        return 0.36;
      }
      if (h >= 16 && h < 21) return 0.52;
      if (h >= 8 && h < 16) return 0.31;
      return 0.45;
    case TariffRegion::kNewSouthWales:
      if (h >= 15 && h < 21) return 0.57;
      if ((h >= 7 && h < 15) || h == 21) return 0.28;
      return 0.21;
    case TariffRegion::kTokyo:
      return h >= 1 && h < 6 ? 28.9 : 37.5;
    case TariffRegion::kGermany:
    case TariffRegion::kUnitedKingdom:
      break;
  }
  return 0;
}

}  // namespace

TariffModel::TariffModel(TariffRegion region, Weather weather, std::string time_zone,
                         std::uint64_t seed)
    : region_(region), weather_(std::move(weather)), time_zone_(std::move(time_zone)), seed_(seed) {
  switch (region_) {
    case TariffRegion::kGermany:
      currency_ = "EUR";
      break;
    case TariffRegion::kUnitedKingdom:
      currency_ = "GBP";
      break;
    case TariffRegion::kNewYork:
    case TariffRegion::kCalifornia:
      currency_ = "USD";
      break;
    case TariffRegion::kNewSouthWales:
      currency_ = "AUD";
      break;
    case TariffRegion::kTokyo:
      currency_ = "JPY";
      break;
  }
}

bool TariffModel::dynamic() const {
  return region_ == TariffRegion::kGermany || region_ == TariffRegion::kUnitedKingdom;
}

Millis TariffModel::Interval() const {
  if (region_ == TariffRegion::kGermany) return std::chrono::minutes(15);
  if (region_ == TariffRegion::kUnitedKingdom) return std::chrono::minutes(30);
  return std::chrono::hours(1);
}

double TariffModel::Demand(Timestamp t, const LocalTime& lt) const {
  const Climate& c = weather_.climate();
  const double sunset =
      std::fmod(SunsetUtcHour(t, c.latitude_deg, c.longitude_deg) + lt.utc_offset_h + 48.0, 24.0);
  const double evening_peak = std::clamp(sunset + 1.0, 17.5, 20.5);
  const double h = lt.hour;
  const double daytime = Logistic(2.0 * (h - 6.5)) * Logistic(2.0 * (21.5 - h));
  double demand =
      0.72 + 0.18 * daytime + 0.12 * Bump(h, 8.0, 1.2) + 0.22 * Bump(h, evening_peak, 1.4);
  if (lt.weekday == 5) demand *= 0.92;
  if (lt.weekday == 6) demand *= 0.85;
  return demand * (1.0 - 0.08 * std::cos(SeasonAngle(t, c.southern_hemisphere())));
}

double TariffModel::RenewableShare(Timestamp t, const LocalTime& lt) const {
  const Market market = MarketOf(region_);
  const Climate& c = weather_.climate();
  const SunPosition sun = SunAt(t, c.latitude_deg, c.longitude_deg);
  const double clear = ClearSkyIrradiance(sun, t).ghi / 1000.0;
  const double solar = clear * (1.0 - 0.75 * std::pow(weather_.SlowCloudCover(t), 3.4));
  const double renewables =
      market.wind_share * weather_.GridWindFactor(t) + market.solar_share * solar;
  return renewables / Demand(t, lt);
}

double TariffModel::SpotEurPerKwh(Timestamp t, const LocalTime& lt) const {
  const double demand = Demand(t, lt);
  const double residual = demand * (1.0 - RenewableShare(t, lt));
  // The merit order: gas sets the price above a residual of 0.3; below it coal and then
  // must-run plants and subsidised renewables bid lower and lower, down to negative prices.
  const std::uint64_t week = static_cast<std::uint64_t>(FloorDiv(lt.day, 7));
  const double fuel = 0.85 + 0.35 * HashUniform(MixSeed(seed_, week, 1));
  double spot = residual >= 0.3 ? fuel * (0.045 + 0.13 * (residual - 0.3) +
                                          0.3 * std::pow(std::max(0.0, residual - 0.95), 2))
                                : 0.045 - 0.25 * (0.3 - residual);
  spot += 0.004 * HashNormal(MixSeed(seed_, static_cast<std::uint64_t>(ToMillis(t) / 60000), 2));
  return std::max(-0.5, spot);
}

double TariffModel::IntervalPrice(Timestamp start, const LocalTime& lt) const {
  switch (region_) {
    case TariffRegion::kGermany:
      return RoundDecimals(1.19 * (SpotEurPerKwh(start, lt) + 0.02) + 0.16, 4);
    case TariffRegion::kUnitedKingdom: {
      const double peak = lt.hour >= 16 && lt.hour < 19 ? 0.12 : 0.0;
      return RoundDecimals(std::min(1.0, 2.2 * kGbpPerEur * SpotEurPerKwh(start, lt) + peak) * 1.05,
                           4);
    }
    default:
      return TimeOfUsePrice(region_, lt);
  }
}

double TariffModel::PriceAt(Timestamp t, const LocalTime& lt) const {
  const std::int64_t step = Interval().count();
  const Timestamp start = FromMillis(FloorDiv(ToMillis(t), step) * step);
  LocalTime at_start = lt;
  at_start.hour -= static_cast<double>((t - start).count()) / 3'600'000.0;
  return IntervalPrice(start, at_start);
}

std::vector<TariffPrice> TariffModel::PricesForDay(const Date& day) const {
  const Timestamp begin = LocalMidnightOf(day, time_zone_);
  const Timestamp end = LocalMidnightOf(DateOfDays(DaysSinceEpoch(day) + 1), time_zone_);
  LocalClock clock(time_zone_);
  std::vector<TariffPrice> prices;
  for (Timestamp t = begin; t < end; t += Interval()) {
    const double price = IntervalPrice(t, clock.At(t));
    const Timestamp until = std::min(end, t + Interval());
    if (!dynamic() && !prices.empty() && prices.back().price_per_kwh == price) {
      prices.back().end = until;
    } else {
      prices.push_back(TariffPrice{t, until, price});
    }
  }
  return prices;
}

Tariff TariffModel::Published(Timestamp now) const {
  Tariff tariff;
  tariff.currency = currency_;
  const Date today = LocalDate(now, time_zone_);
  tariff.prices = PricesForDay(today);
  if (!dynamic() || LocalHourOfDay(now, time_zone_) >= kPublishHour) {
    auto tomorrow = PricesForDay(DateOfDays(DaysSinceEpoch(today) + 1));
    tariff.prices.insert(tariff.prices.end(), tomorrow.begin(), tomorrow.end());
  }
  return tariff;
}

}  // namespace ems::sim
