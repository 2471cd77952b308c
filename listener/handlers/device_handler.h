// Device discovery and telemetry (SPEC §4.1): `{p}/sites/{site}/devices/{device}/meta` and
// `.../telemetry`, applied inside the writer's open transaction.
//
// Meta: decoded by codec::DecodeMeta, then DeviceRepository::UpsertFromMeta, which creates the
// site when new (named `site_name`, in zone `site_timezone`) and creates or updates the device.
// Created or updated → kStored; identical to what is stored → kDuplicate. Rejects: "invalid_json",
// "invalid_meta", "device_site_mismatch" (the device id belongs to another site).
//
// Telemetry, in this order of checks: decodable payload ("invalid_json", "invalid_telemetry":
// bad ts, non-finite values, soc_pct outside 0–100, bad state); a device that was discovered or
// registered ("unknown_device"); the device belongs to the topic's site
// ("device_site_mismatch"); the device type's sign convention for power_w ("invalid_telemetry");
// not older than the last raw-retention cutoff ("too_old": its raw twin may already be pruned,
// so storing it could count it twice in rollups). Samples go through a TelemetryBatch, keyed by
// (device, metric, ts), then DeviceRepository::RecordTelemetry moves last_seen and merges state.
// Any new sample (or, for a message without new samples, a changed state or last_seen) →
// kStored and the device and its site are marked in BatchEffects; otherwise kDuplicate.
//
// Transactions: the batch holds coalesced rollup and latest-value writes until BeforeCommit,
// which the Ingestor calls right before it commits each transaction. A transaction that rolls
// back instead (SQLite's rollback hook on the connection tells us) discards what the batch held,
// so a batch retried message by message never writes rollups of a rolled-back attempt. The batch
// lives for one transaction only, so it always sees the current retention cutoff.
//
// Writer thread only; one handler per connection (it owns the connection's rollback hook).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>

#include "ems/mqtt/topics.h"
#include "ems/store/device_repository.h"
#include "ems/store/telemetry_repository.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

class DeviceHandler {
 public:
  // `options` is accepted like every handler's; nothing in it changes how devices are stored.
  DeviceHandler(SQLite::Database& db, const IngestOptions& options);
  ~DeviceHandler();
  DeviceHandler(const DeviceHandler&) = delete;
  DeviceHandler& operator=(const DeviceHandler&) = delete;

  Result<Outcome> Handle(const mqtt::MetaMsg& topic, const InboxRecord& r, BatchEffects& e);
  Result<Outcome> Handle(const mqtt::TelemetryMsg& topic, const InboxRecord& r, BatchEffects& e);

  // Writes what the open transaction's telemetry batch holds. Call inside the transaction,
  // right before committing it.
  void BeforeCommit();

  // Rollup and latest-value rows waiting for BeforeCommit (for tests).
  std::size_t pending_rows() const;

 private:
  // The batch of the open transaction, created on first use; drops a batch left over from a
  // transaction that rolled back.
  store::TelemetryBatch& Batch();
  void DropIfRolledBack();
  static void OnRollback(void* self);

  SQLite::Database& db_;
  store::DeviceRepository devices_;
  store::TelemetryRepository telemetry_;
  std::optional<store::TelemetryBatch> batch_;
  bool rolled_back_ = false;  // set by SQLite's rollback hook, acted on at the next use
};

}  // namespace ems::listener
