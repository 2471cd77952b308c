#include "listener/derived/retention.h"

#include "ems/util/log.h"

namespace ems::listener {

RawRetention::RawRetention(store::Store& store, const IngestOptions& options)
    : store_(store), retention_(options.raw_retention_days) {}

void RawRetention::AfterCommit(const BatchEffects& effects, Timestamp now) {
  (void)effects;
  (void)now;
}

void RawRetention::Tick(Timestamp now) {
  if (next_run_ && now < *next_run_) return;
  try {
    PruneNow(now);
    next_run_ = now + kPeriod;
  } catch (const std::exception& e) {
    log::Warn(std::string("raw telemetry retention failed, retrying in a minute: ") + e.what());
    next_run_ = now + kRetryAfter;
  }
}

std::int64_t RawRetention::PruneNow(Timestamp now) {
  const Timestamp cutoff = now - retention_;
  auto tx = store_.Begin(store::TxMode::kWrite);
  const auto deleted = store_.Retention().PruneRawBefore(cutoff);
  tx.Commit();
  log::Info("retention: pruned " + std::to_string(deleted) + " raw telemetry rows older than " +
            FormatTimestamp(cutoff) + " (" + std::to_string(retention_.count()) + " days)");
  return deleted;
}

}  // namespace ems::listener
