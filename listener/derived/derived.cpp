#include "listener/derived/derived.h"

namespace ems::listener {

std::vector<std::unique_ptr<DerivedPublisher>> MakeDerivedPublishers(SQLite::Database& db,
                                                                     const IngestOptions& options,
                                                                     PublishFn publish) {
  (void)db;
  (void)options;
  (void)publish;
  std::vector<std::unique_ptr<DerivedPublisher>> out;
  return out;
}

}  // namespace ems::listener
