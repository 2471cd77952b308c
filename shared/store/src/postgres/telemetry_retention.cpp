// TelemetryRetention over PostgreSQL: every day's partition wholly before the cutoff is dropped
// (no row-by-row delete, no dead tuples to vacuum), the rows of the day the cutoff falls in are
// deleted, and the cutoff recorded.
#include <vector>

#include "postgres/pg_store.h"
#include "postgres/statement.h"
#include "postgres/telemetry_sql.h"

namespace ems::store::postgres {
namespace {

class PgTelemetryRetention final : public TelemetryRetention {
 public:
  explicit PgTelemetryRetention(Connection& db)
      : db_(db),
        partitions_(db, telemetry_sql::kPartitions),
        delete_raw_(db, telemetry_sql::kDeleteRawBefore),
        pruned_before_(db, telemetry_sql::kPrunedBefore),
        set_pruned_before_(db, telemetry_sql::kSetPrunedBefore) {}

  std::int64_t PruneRawBefore(Timestamp cutoff) override {
    const std::int64_t cutoff_ms = ToMillis(cutoff);
    std::vector<std::string> whole;  // partitions whose day ends at or before the cutoff
    {
      auto q = partitions_.Run();
      while (q.Next()) {
        auto name = q.Get<std::string>(0);
        const auto day = telemetry_sql::PartitionDay(name);
        if (day && (*day + 1) * telemetry_sql::kDayMs <= cutoff_ms)
          whole.push_back(std::move(name));
      }
    }
    std::int64_t deleted = 0;
    for (const auto& name : whole) {
      Statement count(db_, "SELECT count(*) FROM " + name);
      auto q = count.Run();
      q.Next();
      deleted += q.Get<std::int64_t>(0);
      db_.Exec("DROP TABLE " + name);
    }
    deleted += delete_raw_.Run(cutoff).Exec();
    set_pruned_before_.Run(cutoff).Exec();
    return deleted;
  }

  Timestamp PrunedBefore() override {
    auto q = pruned_before_.Run();
    return q.Next() ? q.Get<Timestamp>(0) : FromMillis(0);
  }

 private:
  Connection& db_;
  Statement partitions_;
  Statement delete_raw_;
  Statement pruned_before_;
  Statement set_pruned_before_;
};

}  // namespace

std::unique_ptr<TelemetryRetention> MakeTelemetryRetention(Connection& db) {
  return std::make_unique<PgTelemetryRetention>(db);
}

}  // namespace ems::store::postgres
