// Every statement on the site_tariffs and site_tariff_prices tables.
#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {
namespace {

class PgTariffRepository final : public TariffRepository {
 public:
  explicit PgTariffRepository(Connection& db)
      : upsert_(db,
                "INSERT INTO site_tariffs (site_id, currency, updated_at) VALUES (?1, ?2, ?3) "
                "ON CONFLICT (site_id) DO UPDATE SET currency = excluded.currency, "
                "updated_at = excluded.updated_at"),
        delete_prices_(db, "DELETE FROM site_tariff_prices WHERE site_id = ?1"),
        insert_price_(db,
                      "INSERT INTO site_tariff_prices (site_id, start_at, end_at, price_per_kwh) "
                      "VALUES (?1, ?2, ?3, ?4)"),
        select_(db, "SELECT currency FROM site_tariffs WHERE site_id = ?1"),
        select_prices_(db,
                       "SELECT start_at, end_at, price_per_kwh FROM site_tariff_prices "
                       "WHERE site_id = ?1 ORDER BY start_at") {}

  void Put(const std::string& site_id, const Tariff& tariff, Timestamp now) override {
    upsert_.Run(site_id, tariff.currency, now).Exec();
    delete_prices_.Run(site_id).Exec();
    for (const TariffPrice& p : tariff.prices) {
      insert_price_.Run(site_id, p.start, p.end, p.price_per_kwh).Exec();
    }
  }

  std::optional<Tariff> Get(const std::string& site_id) override {
    Tariff tariff;
    {
      auto q = select_.Run(site_id);
      if (!q.Next()) return std::nullopt;
      tariff.currency = q.Get<std::string>(0);
    }
    auto q = select_prices_.Run(site_id);
    while (q.Next()) {
      tariff.prices.push_back({q.Get<Timestamp>(0), q.Get<Timestamp>(1), q.Get<double>(2)});
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

}  // namespace

std::unique_ptr<TariffRepository> MakeTariffRepository(Connection& db) {
  return std::make_unique<PgTariffRepository>(db);
}

}  // namespace ems::store::postgres
