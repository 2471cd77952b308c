// TelemetryWriter: the ingest side of telemetry (docs/contract.md §4.4, §6.3) — raw samples, the
// latest value of each metric, and the rollups (1m, 15m, 1h UTC-aligned; 1d, 1mo at local midnight
// of the zone passed in) kept up to date with every new sample. The tables are those of
// store/sql/0002_telemetry.sql, raw rows and rollups keyed by series since 0008_series.sql;
// TelemetryReader answers from them, TelemetryRetention prunes them.
//
// Callers can rely on:
// - Idempotence: a sample is keyed by (device, metric, ts); storing it again changes nothing and
//   reports kDuplicate. The latest value of a metric is the one with the greatest ts, whatever
//   the arrival order. Rollups count only new raw rows, so a duplicate is never counted twice.
// - Inside a Transaction the raw row is written at once (so duplicates are detected as they come,
//   within the transaction too) while rollup and latest-value writes are coalesced per bucket in
//   memory and written by Transaction::Commit: the ingest path, about 3× less CPU per sample in
//   bench/rollup_bench. Until the commit, reads do not see them; a rollback discards them.
//   Outside a transaction each Insert writes everything at once (all five levels in one
//   statement). After the commit the database holds the same rows either way.
// - A sample older than the last prune cutoff is refused (kExpired): its raw twin may be gone,
//   so it could be counted twice.
// - The device must exist (foreign key): inserting for an unknown device throws; check
//   DeviceRepository::Context first. The caller has validated the values (ValidateMetricFor).
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ems/domain/device.h"
#include "ems/domain/time.h"

namespace ems::store {

enum class InsertOutcome {
  kStored,     // new sample: raw row, latest value and rollups written (or held for the commit)
  kDuplicate,  // (device, metric, ts) already stored: nothing written
  kExpired,    // older than the last prune cutoff: nothing written
};

struct InsertCounts {
  int stored = 0;
  int duplicates = 0;
  int expired = 0;
  friend bool operator==(const InsertCounts&, const InsertCounts&) = default;
};

class TelemetryWriter {
 public:
  virtual ~TelemetryWriter() = default;

  // Stores one sample of a device of a site in zone `site_timezone`.
  virtual InsertOutcome Insert(const std::string& device_id, const std::string& metric,
                               Timestamp ts, double value, std::string_view site_timezone) = 0;
  // Stores every metric of a decoded message.
  virtual InsertCounts Insert(const std::string& device_id, const Telemetry& telemetry,
                              std::string_view site_timezone) = 0;

  // The greatest prune cutoff so far (the epoch when never pruned): older samples are kExpired.
  virtual Timestamp PrunedBefore() = 0;
  // Rollup and latest-value rows held for the open transaction's commit.
  virtual std::size_t pending_rows() const = 0;
};

}  // namespace ems::store
