// IngestRepository: ingest bookkeeping (docs/contract.md §4.4, §6) — totals, rejections by reason,
// dead letters, and each listener's inbox checkpoint. Written by the listener inside its batch
// transaction, so the counters always agree with the stored data, also after a crash and replay.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/time.h"
#include "ems/store/page.h"

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

  virtual ~IngestRepository() = default;

  // Adds a batch's counts to the totals.
  virtual void Add(const IngestCounts& delta) = 0;
  virtual IngestCounts Totals() = 0;

  // `reason` is the dead-letter reason (an ErrorCode's name).
  virtual void AddDeadLetter(Timestamp received_at, const std::string& topic,
                             std::string_view payload, std::string_view reason,
                             const std::string& message) = 0;
  // Newest first, ids below `before_id`, only `reason` when given; `limit` is clamped.
  virtual Page<DeadLetter, std::int64_t> ListDeadLetters(
      int limit, std::optional<std::int64_t> before_id,
      const std::optional<std::string>& reason) = 0;

  virtual std::int64_t Checkpoint(const std::string& listener_id) = 0;
  virtual void SetCheckpoint(const std::string& listener_id, std::int64_t applied_seq) = 0;
};

}  // namespace ems::store
