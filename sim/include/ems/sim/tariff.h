// A site's electricity tariff, in its country's currency and shape:
// - Germany: a dynamic tariff on the 15-minute day-ahead market, EUR: 1.19 × (spot + 0.02)
//   + 0.16 (VAT, supplier margin, grid fees and levies);
// - United Kingdom: an "Agile"-style half-hourly tariff, GBP: min(1.00, 2.2 × spot + 0.12 from
//   16:00 to 19:00) × 1.05 VAT — negative whenever the spot price is;
// - New York: time-of-use, USD: peak 8:00–24:00 on weekdays (dearer June–September);
// - California: time-of-use, USD: the 16:00–21:00 peak, super-off-peak 8:00–16:00 in winter;
// - New South Wales: time-of-use, AUD: peak 15:00–21:00, shoulder 7:00–15:00 and 21:00–22:00;
// - Tokyo: a night tariff, JPY: cheaper 1:00–6:00.
//
// The spot price (EUR/kWh; GBP at 0.86 per EUR) follows the residual load: demand (a night
// trough, a morning peak and an evening peak one hour after sunset, so it moves with the season;
// less at weekends, more in winter) minus the wind and solar the country's fleet produces in the
// city's weather (Weather's forecastable parts). It is ~0.05–0.15 most of the time, rises with
// the weekly fuel level and tight hours, and turns negative when wind and sun exceed what the
// country uses — on windy nights and sunny weekend middays. Prices of a local day depend only on
// (seed, date, weather), so a day priced twice is priced the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/tariff.h"
#include "ems/domain/time.h"
#include "ems/sim/local_clock.h"
#include "ems/sim/weather.h"

namespace ems::sim {

enum class TariffRegion { kGermany, kUnitedKingdom, kNewYork, kCalifornia, kNewSouthWales, kTokyo };

class TariffModel {
 public:
  TariffModel(TariffRegion region, Weather weather, std::string time_zone, std::uint64_t seed);

  const std::string& currency() const { return currency_; }
  // True for the market-based tariffs (Germany, United Kingdom).
  bool dynamic() const;

  // The prices of local day `day`, start inclusive, end exclusive, covering it without gaps
  // (92–100 quarter hours on a German DST day; time-of-use blocks of equal price merged).
  std::vector<TariffPrice> PricesForDay(const Date& day) const;
  // The price in force at `t` (local time `lt`): the one PricesForDay lists for it.
  double PriceAt(Timestamp t, const LocalTime& lt) const;
  // What the supplier has published at `now`: today's prices, plus tomorrow's once the
  // day-ahead auction is out (13:00 local; time-of-use rates are always known).
  Tariff Published(Timestamp now) const;
  static constexpr double kPublishHour = 13.0;

  // The day-ahead spot price at `t` (EUR/kWh, before the retail formula), and the share of the
  // country's demand that wind and sun cover then (may exceed 1).
  double SpotEurPerKwh(Timestamp t, const LocalTime& lt) const;
  double RenewableShare(Timestamp t, const LocalTime& lt) const;

 private:
  double IntervalPrice(Timestamp start, const LocalTime& lt) const;
  double Demand(Timestamp t, const LocalTime& lt) const;
  Millis Interval() const;

  TariffRegion region_;
  Weather weather_;
  std::string time_zone_;
  std::uint64_t seed_;
  std::string currency_;
};

}  // namespace ems::sim
