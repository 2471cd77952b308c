// Every statement on the energy_counters table.
#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {
namespace {

class PgEnergyCounterRepository final : public EnergyCounterRepository {
 public:
  explicit PgEnergyCounterRepository(Connection& db)
      : select_(db,
                "SELECT device_id, figure, counted_wh, offset_wh FROM energy_counters "
                "WHERE site_id = ?1"),
        upsert_(db,
                "INSERT INTO energy_counters (site_id, device_id, figure, counted_wh, offset_wh) "
                "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (site_id, device_id, figure) DO UPDATE "
                "SET counted_wh = excluded.counted_wh, offset_wh = excluded.offset_wh") {}

  EnergyCounters Load(const std::string& site_id) override {
    EnergyCounters out;
    auto q = select_.Run(site_id);
    while (q.Next()) {
      out[{q.Get<std::string>(0), q.Get<std::string>(1)}] =
          EnergyCounter{q.Get<double>(2), q.Get<double>(3)};
    }
    return out;
  }

  void Save(const std::string& site_id, const EnergyCounters& counters) override {
    for (const auto& [key, c] : counters) {
      upsert_.Run(site_id, key.first, key.second, c.counted_wh, c.offset_wh).Exec();
    }
  }

 private:
  Statement select_;
  Statement upsert_;
};

}  // namespace

std::unique_ptr<EnergyCounterRepository> MakeEnergyCounterRepository(Connection& db) {
  return std::make_unique<PgEnergyCounterRepository>(db);
}

}  // namespace ems::store::postgres
