#include "ems/domain/tariff.h"

#include <algorithm>

namespace ems {

Timestamp TariffUpdateFrom(const Tariff& incoming, Timestamp arrival) {
  return incoming.prices.empty() ? arrival : std::min(incoming.prices.front().start, arrival);
}

Tariff MergeTariff(const Tariff& stored, const Tariff& incoming, Timestamp arrival) {
  if (stored.currency != incoming.currency) return incoming;
  Tariff merged{incoming.currency, {}};
  for (const TariffPrice& p : stored.prices) {
    if (p.start < arrival) merged.prices.push_back(p);
  }
  const std::vector<TariffPrice> history = merged.prices;  // sorted, non-overlapping
  for (const TariffPrice& p : incoming.prices) {
    // The parts of p that no kept price covers.
    Timestamp from = p.start;
    for (const TariffPrice& kept : history) {
      if (kept.end <= from) continue;
      if (kept.start >= p.end) break;
      if (kept.start > from) merged.prices.push_back({from, kept.start, p.price_per_kwh});
      from = std::max(from, kept.end);
      if (from >= p.end) break;
    }
    if (from < p.end) merged.prices.push_back({from, p.end, p.price_per_kwh});
  }
  std::ranges::sort(merged.prices, {}, &TariffPrice::start);
  return merged;
}

}  // namespace ems
