// DeviceRepository: the devices table (docs/contract.md §4.1 discovery, §6.2 REST CRUD and the
// lists of a site and of the fleet), its only writer. Contract of the store's repositories:
// ems/store/store.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ems/domain/device.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"
#include "ems/store/page.h"
#include "ems/store/visibility.h"

namespace ems::store {

// What a meta message did.
enum class MetaOutcome { kCreated, kUpdated, kUnchanged };

// Which devices a list holds (docs/contract.md §6.2): those `visibility` sees, of one site and of
// one type when given.
struct DeviceFilter {
  Visibility visibility = Visibility::All();
  std::optional<std::string> site_id;
  std::optional<DeviceType> type;
};

// A listed device with the latest value of each metric it reported (name order).
struct ListedDevice {
  Device device;
  std::vector<LatestMetric> latest;
};

// What the ingest path needs to know of a device to store its telemetry.
struct DeviceContext {
  std::string device_id;
  std::string site_id;
  DeviceType type = DeviceType::kSolarPanel;
  std::string site_timezone;  // IANA name; rollups of 1d and 1mo follow it
};

class DeviceRepository {
 public:
  virtual ~DeviceRepository() = default;

  // Discovery (docs/contract.md §4.1): creates the site when new (SiteRepository::Ensure with name
  // = meta.site_name or the site id, zone = meta.site_timezone or "UTC"), then creates the device
  // or updates its type, name and properties (updated_at = now only when one changed). Rejects
  // kDeviceSiteMismatch when the device id already belongs to another site, and kInvalidMeta
  // for bad ids, a spec that breaks ValidateDeviceSpec or an unknown zone.
  virtual Result<MetaOutcome> UpsertFromMeta(const std::string& site_id,
                                             const std::string& device_id, const DeviceMeta& meta,
                                             Timestamp now) = 0;

  // REST create: rejects kInvalidDevice (bad id or spec), kNotFound (no such site) and
  // kConflict (the id is taken, on any site: ids are unique across sites; the sentence is the
  // same whichever site holds it).
  virtual Result<Device> Create(const std::string& site_id, const std::string& device_id,
                                const DeviceSpec& spec, Timestamp now) = 0;
  // REST update of type, name and properties: rejects kInvalidDevice and kNotFound.
  virtual Result<Device> Update(const std::string& device_id, const DeviceSpec& spec,
                                Timestamp now) = 0;
  // REST delete; its telemetry, latest values, rollups and schedule go with it. False when not
  // found.
  virtual bool Delete(const std::string& device_id) = 0;

  // Ids of the site's devices of `type`, sorted.
  virtual std::vector<std::string> IdsOfSite(const std::string& site_id, DeviceType type) = 0;
  // Deletes every device of the site, as Delete does each; how many.
  virtual int DeleteBySite(const std::string& site_id) = 0;

  // The device, when it exists and its site is visible.
  virtual std::optional<Device> Get(const std::string& device_id, const Visibility& visibility) = 0;
  // The devices `filter` selects, in id order after `after` ("" = from the start), with their
  // latest metrics, in one query for the page; `limit` is clamped. Ids are unique across sites,
  // so one order and one cursor serve a site's list and the fleet's.
  virtual Page<ListedDevice, std::string> List(const DeviceFilter& filter, const std::string& after,
                                               int limit) = 0;

  // The device, its site and the site's zone in one lookup; std::nullopt when the device was
  // never discovered nor registered.
  virtual std::optional<DeviceContext> Context(const std::string& device_id) = 0;
  // The site the device belongs to (existing stations, docs/contract.md §4.2).
  virtual std::optional<std::string> SiteOf(const std::string& device_id) = 0;

  // After telemetry stamped `ts`: last_seen = max(last_seen, ts); when `ts` is not older than
  // last_seen, `state`'s keys are merged into the stored state (RFC 7396 merge patch: a newer
  // message wins, an older one never overwrites). False when the device does not exist.
  virtual bool RecordTelemetry(const std::string& device_id, Timestamp ts,
                               const nlohmann::json& state) = 0;
  // Sets `at_home` in the stored state as a user reports it (docs/contract.md §6.6), keeping the
  // other keys. False when the device does not exist.
  virtual bool SetAtHome(const std::string& device_id, bool at_home) = 0;
};

}  // namespace ems::store
