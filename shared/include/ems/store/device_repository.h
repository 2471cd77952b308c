// DeviceRepository: the devices table (SPEC §4.1 meta, §6.2 REST CRUD) plus the site rows a
// discovery message creates.
//
// Callers can rely on: every statement is prepared once, at construction, and bound with
// parameters; the repository never BEGINs or COMMITs — the caller owns the transaction (the
// listener batches many messages in one). Expected failures are Result values (reasons below);
// SQLite errors are thrown as SQLite::Exception. Not thread-safe: one repository per connection,
// one connection per thread. The database must outlive the repository.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::store {

// What a meta message did.
enum class MetaOutcome { kCreated, kUpdated, kUnchanged };

// What the ingest path needs to know of a device to store its telemetry.
struct DeviceContext {
  std::string device_id;
  std::string site_id;
  DeviceType type = DeviceType::kSolarPanel;
  std::string site_timezone;  // IANA name; rollups of 1d and 1mo follow it
};

struct DevicePage {
  std::vector<Device> items;
  std::optional<std::string> next_cursor;  // pass back as `cursor`; null on the last page
};

class DeviceRepository {
 public:
  explicit DeviceRepository(SQLite::Database& db);
  DeviceRepository(const DeviceRepository&) = delete;
  DeviceRepository& operator=(const DeviceRepository&) = delete;

  // Discovery (SPEC §4.1): creates the site when new (name = meta.site_name or the site id,
  // timezone = meta.site_timezone or "UTC"; an existing site is left as it is), then creates the
  // device or updates its type, name and properties (updated_at = now only when one changed).
  // Rejects "device_site_mismatch" when the device id already belongs to another site, and
  // "invalid_meta" when the spec breaks ValidateDeviceSpec.
  Result<MetaOutcome> UpsertFromMeta(const std::string& site_id, const std::string& device_id,
                                     const DeviceMeta& meta, Timestamp now);

  // REST create: rejects "invalid_device" (bad id or spec), "unknown_site" (no such site:
  // answer 404) and "conflict" (the id is taken: answer 409).
  Result<Device> Create(const std::string& site_id, const std::string& device_id,
                        const DeviceSpec& spec, Timestamp now);
  // REST update of type, name and properties: rejects "invalid_device" and "not_found".
  Result<Device> Update(const std::string& device_id, const DeviceSpec& spec, Timestamp now);
  // REST delete; its telemetry, latest values and rollups go with it. False when not found.
  bool Delete(const std::string& device_id);

  std::optional<Device> Get(const std::string& device_id);
  // Devices of a site in id order after `cursor` (exclusive; empty = from the start), at most
  // `limit` (clamped to 1–1000) of them. Keyset pagination: stable under concurrent inserts.
  DevicePage ListBySite(const std::string& site_id, const std::string& cursor, int limit);
  // Every device of a site in id order (summaries).
  std::vector<Device> AllBySite(const std::string& site_id);
  std::int64_t CountBySite(const std::string& site_id);

  // The device, its site and the site's zone in one lookup; std::nullopt when the device was
  // never discovered nor registered (the listener rejects its telemetry "unknown_device").
  std::optional<DeviceContext> Context(const std::string& device_id);
  std::optional<std::string> SiteTimezone(const std::string& site_id);

  // After telemetry stamped `ts`: last_seen = max(last_seen, ts); when `ts` is not older than
  // last_seen, `state`'s keys are merged into the stored state (RFC 7396 merge patch: a newer
  // message wins, an older one never overwrites). False when the device does not exist.
  bool RecordTelemetry(const std::string& device_id, Timestamp ts, const nlohmann::json& state);

 private:
  std::optional<Device> ReadOne(SQLite::Statement& stmt);

  SQLite::Statement insert_site_;
  SQLite::Statement site_timezone_;
  SQLite::Statement get_;
  SQLite::Statement insert_;
  SQLite::Statement update_spec_;
  SQLite::Statement delete_;
  SQLite::Statement list_;
  SQLite::Statement count_;
  SQLite::Statement context_;
  SQLite::Statement record_;
};

}  // namespace ems::store
