// Ingest bookkeeping (SPEC §4.4, §6): totals, rejections by reason, dead letters, and each
// listener's inbox checkpoint. Written by the listener inside its batch transaction, so the
// counters always agree with the stored data, also after a crash and replay.
//
// One repository per connection; not thread-safe; never begins a transaction itself.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems::store {

struct IngestCounts {
  std::int64_t received = 0, stored = 0, duplicates = 0, rejected = 0;
  std::map<std::string, std::int64_t> rejected_by_reason;
  std::optional<Timestamp> last_message_at;
};

struct DeadLetter {
  std::int64_t id = 0;
  Timestamp received_at;
  std::string topic, payload, reason, message;
};

class IngestRepository {
 public:
  // Only the first kMaxPayload bytes of a dead letter's payload are kept.
  static constexpr std::size_t kMaxPayload = 4096;

  explicit IngestRepository(SQLite::Database& db);

  // Adds a batch's counts to the totals.
  void Add(const IngestCounts& delta);
  IngestCounts Totals();

  void AddDeadLetter(Timestamp received_at, const std::string& topic, std::string_view payload,
                     const std::string& reason, const std::string& message);
  // Newest first, ids below `before_id`.
  std::vector<DeadLetter> ListDeadLetters(int limit, std::optional<std::int64_t> before_id,
                                          const std::optional<std::string>& reason);

  std::int64_t Checkpoint(const std::string& listener_id);
  void SetCheckpoint(const std::string& listener_id, std::int64_t applied_seq);

 private:
  SQLite::Database& db_;
  SQLite::Statement add_totals_;
  SQLite::Statement add_reason_;
  SQLite::Statement add_dead_letter_;
  SQLite::Statement set_checkpoint_;
};

}  // namespace ems::store
