// TariffRepository: each site's tariff (docs/contract.md §4.1 `{p}/sites/{site}/tariff`) as prices
// with validity — the history MergeTariff (ems/domain/tariff.h) builds as tariffs arrive — the
// only writer of site_tariffs and site_tariff_prices. A tariff needs no site row: a retained
// tariff may arrive before the site's first discovery message.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <optional>
#include <string>

#include "ems/domain/tariff.h"
#include "ems/domain/time.h"

namespace ems::store {

class TariffRepository {
 public:
  virtual ~TariffRepository() = default;

  // Sets the site's currency and replaces its prices that end after `from` with tariff.prices.
  // Writes several rows: atomic inside a transaction.
  virtual void Put(const std::string& site_id, Timestamp from, const Tariff& tariff,
                   Timestamp now) = 0;
  // The site's currency and its prices that overlap [from, to), by start; nullopt when no tariff
  // ever arrived for the site.
  virtual std::optional<Tariff> Get(const std::string& site_id, Timestamp from, Timestamp to) = 0;
};

}  // namespace ems::store
