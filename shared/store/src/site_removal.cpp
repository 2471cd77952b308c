#include "ems/store/site_removal.h"

namespace ems::store {
namespace {

// "3 devices", "1 charging session".
std::string Count(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Result<RemovedSite> RemoveSite(Store& store, const std::string& site_id, bool cascade,
                               Timestamp now) {
  if (!store.Sites().Timezone(site_id)) {
    return Unexpected(NotFound("Site", site_id));
  }
  const SiteContents held = store.Sites().Contents(site_id);
  if (!held.empty() && !cascade) {
    return Rejected(ErrorCode::kConflict,
                    "Site " + site_id + " still has " + Count(held.devices, "device", "devices") +
                        ", " + Count(held.sessions, "charging session", "charging sessions") +
                        " and " + Count(held.contracts, "contract", "contracts") +
                        "; delete them first or add ?cascade=true.");
  }
  RemovedSite removed{store.Devices().IdsOfSite(site_id, DeviceType::kEv), {}};
  for (const DeviceType type : AllDeviceTypes()) {
    for (auto& id : store.Devices().IdsOfSite(site_id, type)) {
      removed.device_ids.push_back(std::move(id));
    }
  }
  store.Devices().DeleteBySite(site_id);
  store.Sessions().DeleteBySite(site_id);
  store.Contracts().DeleteBySite(site_id);
  store.Users().UnassignSite(site_id, now);
  store.Sites().Delete(site_id);
  return removed;
}

}  // namespace ems::store
