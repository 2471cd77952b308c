// A site's energy tariff (docs/contract.md §4.1 `{p}/sites/{site}/tariff`): prices per kWh over
// time ranges.
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

}  // namespace ems
