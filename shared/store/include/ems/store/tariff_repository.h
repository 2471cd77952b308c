// TariffRepository: the latest tariff of each site (docs/contract.md §4.1
// `{p}/sites/{site}/tariff`), the only writer of site_tariffs and site_tariff_prices. A tariff
// needs no site row: a retained tariff may arrive before the site's first discovery message.
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

  // Replaces the site's tariff entirely. Writes several rows: atomic inside a transaction.
  virtual void Put(const std::string& site_id, const Tariff& tariff, Timestamp now) = 0;
  // The site's latest tariff; nullopt when none arrived.
  virtual std::optional<Tariff> Get(const std::string& site_id) = 0;
};

}  // namespace ems::store
