#include "listener/derived/derived.h"

#include "listener/derived/schedule_publisher.h"

namespace ems::listener {

std::vector<std::unique_ptr<DerivedPublisher>> MakeDerivedPublishers(SQLite::Database& db,
                                                                     const IngestOptions& options,
                                                                     PublishFn publish) {
  (void)db;
  (void)options;
  (void)publish;
  std::vector<std::unique_ptr<DerivedPublisher>> out;
  out.push_back(std::make_unique<ScheduleDerivedPublisher>(db, options, publish));
  return out;
}

}  // namespace ems::listener
