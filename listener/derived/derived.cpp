#include "listener/derived/derived.h"

#include "listener/derived/retention.h"
#include "listener/derived/schedule_publisher.h"
#include "listener/derived/summary_publisher.h"

namespace ems::listener {

std::vector<std::unique_ptr<DerivedPublisher>> MakeDerivedPublishers(SQLite::Database& db,
                                                                     const IngestOptions& options,
                                                                     PublishFn publish) {
  (void)db;
  (void)options;
  (void)publish;
  std::vector<std::unique_ptr<DerivedPublisher>> out;
  out.push_back(std::make_unique<ScheduleDerivedPublisher>(db, options, publish));
  out.push_back(std::make_unique<SummaryDerivedPublisher>(db, options, publish));
  out.push_back(std::make_unique<RawRetention>(db, options));
  return out;
}

}  // namespace ems::listener
