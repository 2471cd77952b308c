// TariffRepository on either backend: one implementation, the same SQL, over the backend's
// Statement (sqlite/statement.h or postgres/statement.h, which share their calls and ?N
// parameters). Every statement on the site_tariffs and site_tariff_prices tables.
#pragma once

#include "ems/store/tariff_repository.h"

namespace ems::store {

template <class Statement>
class TariffRepositoryOn final : public TariffRepository {
 public:
  template <class Db>
  explicit TariffRepositoryOn(Db& db)
      : upsert_(db,
                "INSERT INTO site_tariffs (site_id, currency, updated_at) VALUES (?1, ?2, ?3) "
                "ON CONFLICT (site_id) DO UPDATE SET currency = excluded.currency, "
                "updated_at = excluded.updated_at"),
        delete_prices_(db, "DELETE FROM site_tariff_prices WHERE site_id = ?1 AND end_at > ?2"),
        insert_price_(db,
                      "INSERT INTO site_tariff_prices (site_id, start_at, end_at, price_per_kwh) "
                      "VALUES (?1, ?2, ?3, ?4)"),
        select_(db, "SELECT currency FROM site_tariffs WHERE site_id = ?1"),
        select_prices_(db,
                       "SELECT start_at, end_at, price_per_kwh FROM site_tariff_prices "
                       "WHERE site_id = ?1 AND end_at > ?2 AND start_at < ?3 ORDER BY start_at") {}

  void Put(const std::string& site_id, Timestamp from, const Tariff& tariff,
           Timestamp now) override {
    upsert_.Run(site_id, tariff.currency, now).Exec();
    delete_prices_.Run(site_id, from).Exec();
    for (const TariffPrice& p : tariff.prices) {
      insert_price_.Run(site_id, p.start, p.end, p.price_per_kwh).Exec();
    }
  }

  std::optional<Tariff> Get(const std::string& site_id, Timestamp from, Timestamp to) override {
    Tariff tariff;
    {
      auto q = select_.Run(site_id);
      if (!q.Next()) return std::nullopt;
      tariff.currency = q.template Get<std::string>(0);
    }
    auto q = select_prices_.Run(site_id, from, to);
    while (q.Next()) {
      tariff.prices.push_back(
          {q.template Get<Timestamp>(0), q.template Get<Timestamp>(1), q.template Get<double>(2)});
    }
    return tariff;
  }

 private:
  Statement upsert_;
  Statement delete_prices_;
  Statement insert_price_;
  Statement select_;
  Statement select_prices_;
};

}  // namespace ems::store
