// Raw telemetry retention (docs/contract.md §2 EMS_RAW_RETENTION_DAYS): raw samples older than the
// retention are deleted at start and then every hour; rollups and latest values are kept, so series
// at 1m and coarser and energy series still answer for older ranges.
//
// Runs on the writer thread between batches (a Tick step, like the derived publishers), in its
// own write transaction, so it never races the ingest path for the telemetry tables: a sample
// older than the cutoff that arrives afterwards is rejected kTooOld (see DeviceHandler). Each
// run logs how many rows it deleted. A failed run is logged and retried a minute later.
//
// Writer thread only, with the writer's Store (see derived.h).
#pragma once

#include <chrono>
#include <optional>

#include "listener/derived/derived.h"

namespace ems::listener {

class RawRetention : public DerivedPublisher {
 public:
  static constexpr std::chrono::hours kPeriod{1};
  static constexpr std::chrono::minutes kRetryAfter{1};

  RawRetention(store::Store& store, const IngestOptions& options);

  void AfterCommit(const BatchEffects& effects, Timestamp now) override;
  // Prunes when due (the first call always is).
  void Tick(Timestamp now) override;

  // Deletes raw samples older than now − retention; returns the rows deleted.
  std::int64_t PruneNow(Timestamp now);

 private:
  store::Store& store_;
  std::chrono::days retention_;
  std::optional<Timestamp> next_run_;
};

}  // namespace ems::listener
