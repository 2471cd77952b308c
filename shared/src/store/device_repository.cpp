#include "ems/store/device_repository.h"

#include <algorithm>
#include <stdexcept>

#include "ems/domain/ids.h"

namespace ems::store {
namespace {

// Leaves a kept statement ready for its next use whatever happens while it runs.
class ResetOnExit {
 public:
  explicit ResetOnExit(SQLite::Statement& stmt) : stmt_(stmt) {}
  ~ResetOnExit() { stmt_.tryReset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  SQLite::Statement& stmt_;
};

constexpr const char* kColumns =
    "id, site_id, type, name, properties, state, last_seen, created_at, updated_at";

std::string Select(const std::string& where) {
  return std::string("SELECT ") + kColumns + " FROM devices " + where;
}

nlohmann::json ParseStoredObject(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return doc.is_object() ? doc : nlohmann::json::object();
}

Device RowToDevice(SQLite::Statement& s) {
  Device d;
  d.id = s.getColumn(0).getString();
  d.site_id = s.getColumn(1).getString();
  const std::string type = s.getColumn(2).getString();
  const auto parsed = ParseDeviceType(type);
  if (!parsed) {
    throw std::runtime_error("Device '" + d.id + "' has an unknown type '" + type + "' stored.");
  }
  d.type = *parsed;
  d.name = s.getColumn(3).getString();
  d.properties = ParseStoredObject(s.getColumn(4).getString());
  d.state = ParseStoredObject(s.getColumn(5).getString());
  if (!s.getColumn(6).isNull()) d.last_seen = FromMillis(s.getColumn(6).getInt64());
  d.created_at = FromMillis(s.getColumn(7).getInt64());
  d.updated_at = FromMillis(s.getColumn(8).getInt64());
  return d;
}

}  // namespace

DeviceRepository::DeviceRepository(SQLite::Database& db)
    : insert_site_(db,
                   "INSERT INTO sites (id, name, timezone, created_at) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT (id) DO NOTHING"),
      site_timezone_(db, "SELECT timezone FROM sites WHERE id = ?1"),
      get_(db, Select("WHERE id = ?1")),
      insert_(db,
              "INSERT INTO devices (id, site_id, type, name, properties, state, last_seen, "
              "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, '{}', NULL, ?6, ?6)"),
      update_spec_(db,
                   "UPDATE devices SET type = ?2, name = ?3, properties = ?4, updated_at = ?5 "
                   "WHERE id = ?1"),
      delete_(db, "DELETE FROM devices WHERE id = ?1"),
      list_(db, Select("WHERE site_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3")),
      count_(db, "SELECT count(*) FROM devices WHERE site_id = ?1"),
      context_(db,
               "SELECT d.site_id, d.type, s.timezone FROM devices d JOIN sites s ON s.id = "
               "d.site_id WHERE d.id = ?1"),
      record_(db,
              "UPDATE devices SET "
              "state = CASE WHEN last_seen IS NULL OR ?2 >= last_seen "
              "THEN json_patch(state, ?3) ELSE state END, "
              "last_seen = CASE WHEN last_seen IS NULL OR ?2 > last_seen THEN ?2 ELSE last_seen "
              "END WHERE id = ?1") {}

std::optional<Device> DeviceRepository::ReadOne(SQLite::Statement& stmt) {
  ResetOnExit reset(stmt);
  if (!stmt.executeStep()) return std::nullopt;
  return RowToDevice(stmt);
}

Result<MetaOutcome> DeviceRepository::UpsertFromMeta(const std::string& site_id,
                                                     const std::string& device_id,
                                                     const DeviceMeta& meta, Timestamp now) {
  if (!IsValidId(site_id) || !IsValidId(device_id)) {
    return Rejected("invalid_meta", "Site and device ids must be valid ids.");
  }
  if (auto ok = ValidateDeviceSpec(meta.spec, "invalid_meta"); !ok) {
    return Unexpected(ok.error());
  }
  if (meta.site_timezone && !IsValidTimeZone(*meta.site_timezone)) {
    return Rejected("invalid_meta",
                    "Field 'site_timezone' must be an IANA time zone such as Europe/Berlin.");
  }
  {
    ResetOnExit reset(insert_site_);
    insert_site_.bind(1, site_id);
    insert_site_.bind(2, meta.site_name.value_or(site_id));
    insert_site_.bind(3, meta.site_timezone.value_or("UTC"));
    insert_site_.bind(4, ToMillis(now));
    insert_site_.exec();
  }
  get_.bind(1, device_id);
  const auto stored = ReadOne(get_);
  if (!stored) {
    ResetOnExit reset(insert_);
    insert_.bind(1, device_id);
    insert_.bind(2, site_id);
    insert_.bind(3, std::string(ToString(meta.spec.type)));
    insert_.bind(4, meta.spec.name);
    insert_.bind(5, meta.spec.properties.dump());
    insert_.bind(6, ToMillis(now));
    insert_.exec();
    return MetaOutcome::kCreated;
  }
  if (stored->site_id != site_id) {
    return Rejected("device_site_mismatch", "Device '" + device_id + "' belongs to site '" +
                                                stored->site_id + "', not '" + site_id + "'.");
  }
  if (stored->type == meta.spec.type && stored->name == meta.spec.name &&
      stored->properties == meta.spec.properties) {
    return MetaOutcome::kUnchanged;
  }
  ResetOnExit reset(update_spec_);
  update_spec_.bind(1, device_id);
  update_spec_.bind(2, std::string(ToString(meta.spec.type)));
  update_spec_.bind(3, meta.spec.name);
  update_spec_.bind(4, meta.spec.properties.dump());
  update_spec_.bind(5, ToMillis(now));
  update_spec_.exec();
  return MetaOutcome::kUpdated;
}

Result<Device> DeviceRepository::Create(const std::string& site_id, const std::string& device_id,
                                        const DeviceSpec& spec, Timestamp now) {
  if (!IsValidId(device_id)) {
    return Rejected("invalid_device",
                    "Field 'id' must be 1 to 64 characters of letters, digits, '_', '.' or '-'.");
  }
  if (auto ok = ValidateDeviceSpec(spec, "invalid_device"); !ok) {
    return Unexpected(ok.error());
  }
  if (!SiteTimezone(site_id)) {
    return Rejected("unknown_site", "Site '" + site_id + "' not found.");
  }
  get_.bind(1, device_id);
  if (ReadOne(get_)) {
    return Rejected("conflict", "Device '" + device_id + "' already exists.");
  }
  {
    ResetOnExit reset(insert_);
    insert_.bind(1, device_id);
    insert_.bind(2, site_id);
    insert_.bind(3, std::string(ToString(spec.type)));
    insert_.bind(4, spec.name);
    insert_.bind(5, spec.properties.dump());
    insert_.bind(6, ToMillis(now));
    insert_.exec();
  }
  return *Get(device_id);
}

Result<Device> DeviceRepository::Update(const std::string& device_id, const DeviceSpec& spec,
                                        Timestamp now) {
  if (auto ok = ValidateDeviceSpec(spec, "invalid_device"); !ok) {
    return Unexpected(ok.error());
  }
  int changed = 0;
  {
    ResetOnExit reset(update_spec_);
    update_spec_.bind(1, device_id);
    update_spec_.bind(2, std::string(ToString(spec.type)));
    update_spec_.bind(3, spec.name);
    update_spec_.bind(4, spec.properties.dump());
    update_spec_.bind(5, ToMillis(now));
    changed = update_spec_.exec();
  }
  if (changed == 0) return Rejected("not_found", "Device '" + device_id + "' not found.");
  return *Get(device_id);
}

bool DeviceRepository::Delete(const std::string& device_id) {
  ResetOnExit reset(delete_);
  delete_.bind(1, device_id);
  return delete_.exec() > 0;
}

std::optional<Device> DeviceRepository::Get(const std::string& device_id) {
  get_.bind(1, device_id);
  return ReadOne(get_);
}

DevicePage DeviceRepository::ListBySite(const std::string& site_id, const std::string& cursor,
                                        int limit) {
  limit = std::clamp(limit, 1, 1000);
  DevicePage page;
  ResetOnExit reset(list_);
  list_.bind(1, site_id);
  list_.bind(2, cursor);
  list_.bind(3, limit + 1);  // one more tells whether another page exists
  while (list_.executeStep()) page.items.push_back(RowToDevice(list_));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = page.items.back().id;
  }
  return page;
}

std::vector<Device> DeviceRepository::AllBySite(const std::string& site_id) {
  std::vector<Device> devices;
  ResetOnExit reset(list_);
  list_.bind(1, site_id);
  list_.bind(2, std::string());
  list_.bind(3, -1);  // no limit
  while (list_.executeStep()) devices.push_back(RowToDevice(list_));
  return devices;
}

std::int64_t DeviceRepository::CountBySite(const std::string& site_id) {
  ResetOnExit reset(count_);
  count_.bind(1, site_id);
  count_.executeStep();
  return count_.getColumn(0).getInt64();
}

std::optional<DeviceContext> DeviceRepository::Context(const std::string& device_id) {
  ResetOnExit reset(context_);
  context_.bind(1, device_id);
  if (!context_.executeStep()) return std::nullopt;
  const std::string type = context_.getColumn(1).getString();
  const auto parsed = ParseDeviceType(type);
  if (!parsed) {
    throw std::runtime_error("Device '" + device_id + "' has an unknown type '" + type +
                             "' stored.");
  }
  return DeviceContext{device_id, context_.getColumn(0).getString(), *parsed,
                       context_.getColumn(2).getString()};
}

std::optional<std::string> DeviceRepository::SiteTimezone(const std::string& site_id) {
  ResetOnExit reset(site_timezone_);
  site_timezone_.bind(1, site_id);
  if (!site_timezone_.executeStep()) return std::nullopt;
  return site_timezone_.getColumn(0).getString();
}

bool DeviceRepository::RecordTelemetry(const std::string& device_id, Timestamp ts,
                                       const nlohmann::json& state) {
  ResetOnExit reset(record_);
  record_.bind(1, device_id);
  record_.bind(2, ToMillis(ts));
  record_.bind(3, state.is_object() ? state.dump() : std::string("{}"));
  return record_.exec() > 0;
}

}  // namespace ems::store
