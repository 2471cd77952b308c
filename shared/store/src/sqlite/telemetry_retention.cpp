// TelemetryRetention over SQLite: raw rows pruned series by series, the cutoff recorded.
#include <vector>

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"
#include "sqlite/telemetry_sql.h"

namespace ems::store::sqlite {
namespace {

class SqliteTelemetryRetention final : public TelemetryRetention {
 public:
  explicit SqliteTelemetryRetention(SQLite::Database& db)
      : series_ids_(db, telemetry_sql::kSeriesIds),
        delete_raw_(db, telemetry_sql::kDeleteRawBefore),
        pruned_before_(db, telemetry_sql::kPrunedBefore),
        set_pruned_before_(db, telemetry_sql::kSetPrunedBefore) {}

  std::int64_t PruneRawBefore(Timestamp cutoff) override {
    // Series by series, each an indexed range delete, rather than one scan of the whole table.
    std::vector<std::int64_t> ids;
    {
      auto q = series_ids_.Run();
      while (q.Next()) ids.push_back(q.Get<std::int64_t>(0));
    }
    std::int64_t deleted = 0;
    for (const std::int64_t id : ids) deleted += delete_raw_.Run(id, cutoff).Exec();
    set_pruned_before_.Run(cutoff).Exec();
    return deleted;
  }

  Timestamp PrunedBefore() override {
    auto q = pruned_before_.Run();
    return q.Next() ? q.Get<Timestamp>(0) : FromMillis(0);
  }

 private:
  Statement series_ids_;
  Statement delete_raw_;
  Statement pruned_before_;
  Statement set_pruned_before_;
};

}  // namespace

std::unique_ptr<TelemetryRetention> MakeTelemetryRetention(SQLite::Database& db) {
  return std::make_unique<SqliteTelemetryRetention>(db);
}

}  // namespace ems::store::sqlite
