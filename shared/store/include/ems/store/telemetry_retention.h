// TelemetryRetention: pruning of raw telemetry (docs/contract.md §2 EMS_RAW_RETENTION_DAYS).
// Rollups and latest values are kept, so every interval but raw still answers for pruned ranges;
// the cutoff is recorded, and TelemetryWriter refuses samples older than it from then on. Contract
// of the store's repositories: ems/store/store.h.
#pragma once

#include <cstdint>

#include "ems/domain/time.h"

namespace ems::store {

class TelemetryRetention {
 public:
  virtual ~TelemetryRetention() = default;

  // Deletes raw samples with ts < cutoff (all devices; cost grows with the rows deleted) and
  // records the cutoff. Returns the rows deleted.
  virtual std::int64_t PruneRawBefore(Timestamp cutoff) = 0;
  // The greatest cutoff pruned so far (the epoch when never pruned).
  virtual Timestamp PrunedBefore() = 0;
};

}  // namespace ems::store
