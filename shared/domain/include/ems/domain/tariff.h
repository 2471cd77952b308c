// A site's energy tariff (docs/contract.md §4.1 `{p}/sites/{site}/tariff`): prices per kWh over
// time ranges, and the history they form as tariffs arrive.
#pragma once

#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems {

struct TariffPrice {
  Timestamp start;  // inclusive
  Timestamp end;    // exclusive
  double price_per_kwh = 0;
  friend bool operator==(const TariffPrice&, const TariffPrice&) = default;
};

struct Tariff {
  std::string currency;
  std::vector<TariffPrice> prices;  // sorted by start, non-overlapping (the codec enforces it)
  friend bool operator==(const Tariff&, const Tariff&) = default;
};

// Prices with validity (docs/contract.md §4.1): what a site's stored prices become when a tariff
// arrives at `arrival`. A stored price whose interval began before the arrival was valid while it
// ran: it stays, whole. The arriving tariff decides all other time: its prices replace the stored
// ones that begin at or after the arrival, and fill earlier time no stored price covers (the
// first tariff of a site, a gap). So a session is priced at what was valid while it ran, and a
// later tariff never changes that.
//
// `stored` is the site's prices that end after TariffUpdateFrom(incoming, arrival) (the earlier
// ones cannot change); the answer replaces exactly those. A tariff in another currency cannot
// continue the history: the answer is `incoming` alone and replaces every stored price.
// Applying the same tariff again, at any later arrival, answers `stored` unchanged.
Tariff MergeTariff(const Tariff& stored, const Tariff& incoming, Timestamp arrival);

// The earliest time MergeTariff can change: the arrival, or the incoming first price's start when
// that is earlier.
Timestamp TariffUpdateFrom(const Tariff& incoming, Timestamp arrival);

}  // namespace ems
