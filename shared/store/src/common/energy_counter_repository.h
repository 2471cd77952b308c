// Every statement on the energy_counters table.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace energy_counter_sql {

template <class Statement>
class EnergyCounterRepositoryOn final : public EnergyCounterRepository {
 public:
  template <class Db>
  explicit EnergyCounterRepositoryOn(Db& db)
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
      out[{q.template Get<std::string>(0), q.template Get<std::string>(1)}] =
          EnergyCounter{q.template Get<double>(2), q.template Get<double>(3)};
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

}  // namespace energy_counter_sql

using energy_counter_sql::EnergyCounterRepositoryOn;

}  // namespace ems::store
