// Every statement on the devices table.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/domain/ids.h"
#include "ems/store/store.h"

namespace ems::store {
namespace device_sql {

inline constexpr const char* kSelectDevice =
    "SELECT id, site_id, type, name, properties, state, last_seen, created_at, updated_at "
    "FROM devices ";

// The devices `filter` selects (?1 visibility, ?2 site, ?3 type), a page of them (?4 after, ?5
// limit), each joined with its latest metrics: kSelectDevice's columns, then metric, value, ts
// (NULL for a device that never reported). With a site the (site_id, id) index serves the page,
// without it the primary key.
inline std::string ListSql(bool by_site) {
  return std::string("WITH page AS (") + kSelectDevice + "WHERE " +
         (by_site ? "site_id = ?2" : "(?2 IS NULL OR site_id = ?2)") + " AND " +
         VisibleSite("site_id", 1) +
         " AND (?3 IS NULL OR type = ?3) AND id > ?4 ORDER BY id LIMIT ?5) "
         "SELECT page.*, l.metric, l.value, l.ts FROM page LEFT JOIN metric_latest l "
         "ON l.device_id = page.id ORDER BY page.id, l.metric";
}

template <class Query>
Device ReadDevice(const Query& q) {
  Device d;
  d.id = q.template Get<std::string>(0);
  d.site_id = q.template Get<std::string>(1);
  d.type = q.template Get<DeviceType>(2);
  d.name = q.template Get<std::string>(3);
  d.properties = q.template Get<nlohmann::json>(4);
  d.state = q.template Get<nlohmann::json>(5);
  d.last_seen = q.template Get<std::optional<Timestamp>>(6);
  d.created_at = q.template Get<Timestamp>(7);
  d.updated_at = q.template Get<Timestamp>(8);
  return d;
}

// `Sql`: the backend's two statements on the JSON state (kRecord, kSetAtHome).
template <class Statement, class Sql>
class DeviceRepositoryOn final : public DeviceRepository {
 public:
  template <class Db>
  DeviceRepositoryOn(Db& db, SiteRepository& sites)
      : sites_(sites),
        get_(db, kSelectDevice + std::string("WHERE id = ?2 AND ") + VisibleSite("site_id", 1)),
        insert_(db,
                "INSERT INTO devices (id, site_id, type, name, properties, state, last_seen, "
                "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, '{}', NULL, ?6, ?6)"),
        update_spec_(db,
                     "UPDATE devices SET type = ?2, name = ?3, properties = ?4, updated_at = ?5 "
                     "WHERE id = ?1"),
        delete_(db, "DELETE FROM devices WHERE id = ?1"),
        list_site_(db, ListSql(/*by_site=*/true)),
        list_fleet_(db, ListSql(/*by_site=*/false)),
        ids_of_site_(db, "SELECT id FROM devices WHERE site_id = ?1 AND type = ?2 ORDER BY id"),
        delete_by_site_(db, "DELETE FROM devices WHERE site_id = ?1"),
        context_(db,
                 "SELECT d.site_id, d.type, s.timezone FROM devices d JOIN sites s "
                 "ON s.id = d.site_id WHERE d.id = ?1"),
        site_of_(db, "SELECT site_id FROM devices WHERE id = ?1"),
        record_(db, Sql::kRecord),
        set_at_home_(db, Sql::kSetAtHome) {}

  Result<MetaOutcome> UpsertFromMeta(const std::string& site_id, const std::string& device_id,
                                     const DeviceMeta& meta, Timestamp now) override {
    if (!IsValidId(site_id) || !IsValidId(device_id)) {
      return Rejected(ErrorCode::kInvalidMeta, "Site and device ids must be valid ids.");
    }
    if (auto ok = ValidateDeviceSpec(meta.spec, ErrorCode::kInvalidMeta); !ok) {
      return Unexpected(ok.error());
    }
    if (meta.site_timezone && !IsValidTimeZone(*meta.site_timezone)) {
      return Rejected(ErrorCode::kInvalidMeta,
                      "Field 'site_timezone' must be an IANA time zone such as Europe/Berlin.");
    }
    sites_.Ensure(site_id, meta.site_name.value_or(site_id), meta.site_timezone.value_or("UTC"),
                  now);
    const auto stored = Get(device_id, Visibility::All());
    if (!stored) {
      Insert(site_id, device_id, meta.spec, now);
      return MetaOutcome::kCreated;
    }
    if (stored->site_id != site_id) {
      return Rejected(ErrorCode::kDeviceSiteMismatch, "Device '" + device_id +
                                                          "' belongs to site '" + stored->site_id +
                                                          "', not '" + site_id + "'.");
    }
    if (stored->type == meta.spec.type && stored->name == meta.spec.name &&
        stored->properties == meta.spec.properties) {
      return MetaOutcome::kUnchanged;
    }
    UpdateSpec(device_id, meta.spec, now);
    return MetaOutcome::kUpdated;
  }

  Result<Device> Create(const std::string& site_id, const std::string& device_id,
                        const DeviceSpec& spec, Timestamp now) override {
    if (!IsValidId(device_id)) {
      return Rejected(ErrorCode::kInvalidDevice,
                      "Field 'id' must be 1 to 64 characters of letters, digits, '_', '.' or '-'.");
    }
    if (auto ok = ValidateDeviceSpec(spec, ErrorCode::kInvalidDevice); !ok) {
      return Unexpected(ok.error());
    }
    if (!sites_.Timezone(site_id)) {
      return Unexpected(NotFound("Site", site_id));
    }
    if (Get(device_id, Visibility::All())) {
      return Rejected(ErrorCode::kConflict,
                      "Device id '" + device_id + "' is taken; choose another or leave 'id' out.");
    }
    Insert(site_id, device_id, spec, now);
    return *Get(device_id, Visibility::All());
  }

  Result<Device> Update(const std::string& device_id, const DeviceSpec& spec,
                        Timestamp now) override {
    if (auto ok = ValidateDeviceSpec(spec, ErrorCode::kInvalidDevice); !ok) {
      return Unexpected(ok.error());
    }
    if (UpdateSpec(device_id, spec, now) == 0) {
      return Unexpected(NotFound("Device", device_id));
    }
    return *Get(device_id, Visibility::All());
  }

  bool Delete(const std::string& device_id) override { return delete_.Run(device_id).Exec() > 0; }

  std::vector<std::string> IdsOfSite(const std::string& site_id, DeviceType type) override {
    std::vector<std::string> ids;
    auto q = ids_of_site_.Run(site_id, type);
    while (q.Next()) ids.push_back(q.template Get<std::string>(0));
    return ids;
  }

  int DeleteBySite(const std::string& site_id) override {
    return delete_by_site_.Run(site_id).Exec();
  }

  std::optional<Device> Get(const std::string& device_id, const Visibility& visibility) override {
    auto q = get_.Run(visibility, device_id);
    if (!q.Next()) return std::nullopt;
    return ReadDevice(q);
  }

  Page<ListedDevice, std::string> List(const DeviceFilter& filter, const std::string& after,
                                       int limit) override {
    limit = ClampPageLimit(limit);
    std::vector<ListedDevice> rows;
    auto q = (filter.site_id ? list_site_ : list_fleet_)
                 .Run(filter.visibility, filter.site_id, filter.type, after, limit + 1);
    while (q.Next()) {
      if (rows.empty() || rows.back().device.id != q.template Get<std::string>(0)) {
        rows.push_back(ListedDevice{ReadDevice(q), {}});
      }
      if (!q.IsNull(9)) {
        rows.back().latest.push_back(LatestMetric{q.template Get<std::string>(9),
                                                  q.template Get<double>(10),
                                                  q.template Get<Timestamp>(11)});
      }
    }
    return MakePage<std::string>(std::move(rows), limit,
                                 [](const ListedDevice& d) { return d.device.id; });
  }

  std::optional<DeviceContext> Context(const std::string& device_id) override {
    auto q = context_.Run(device_id);
    if (!q.Next()) return std::nullopt;
    return DeviceContext{device_id, q.template Get<std::string>(0), q.template Get<DeviceType>(1),
                         q.template Get<std::string>(2)};
  }

  std::optional<std::string> SiteOf(const std::string& device_id) override {
    auto q = site_of_.Run(device_id);
    if (!q.Next()) return std::nullopt;
    return q.template Get<std::string>(0);
  }

  bool RecordTelemetry(const std::string& device_id, Timestamp ts,
                       const nlohmann::json& state) override {
    return record_.Run(device_id, ts, state.is_object() ? state : nlohmann::json::object()).Exec() >
           0;
  }

  bool SetAtHome(const std::string& device_id, bool at_home) override {
    return set_at_home_.Run(device_id, at_home ? 1 : 0).Exec() > 0;
  }

 private:
  void Insert(const std::string& site_id, const std::string& device_id, const DeviceSpec& spec,
              Timestamp now) {
    insert_.Run(device_id, site_id, spec.type, spec.name, spec.properties, now).Exec();
  }
  int UpdateSpec(const std::string& device_id, const DeviceSpec& spec, Timestamp now) {
    return update_spec_.Run(device_id, spec.type, spec.name, spec.properties, now).Exec();
  }

  SiteRepository& sites_;
  Statement get_;
  Statement insert_;
  Statement update_spec_;
  Statement delete_;
  Statement list_site_;
  Statement list_fleet_;
  Statement ids_of_site_;
  Statement delete_by_site_;
  Statement context_;
  Statement site_of_;
  Statement record_;
  Statement set_at_home_;
};

}  // namespace device_sql

using device_sql::DeviceRepositoryOn;

}  // namespace ems::store
