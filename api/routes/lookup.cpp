#include "api/routes/lookup.h"

namespace ems::api {

store::Site VisibleSite(store::Store& store, const std::string& id, const Principal& caller) {
  auto site = store.Sites().Get(id, caller.visibility());
  if (!site) Fail(ErrorCode::kNotFound, "Site " + id + " not found.");
  return std::move(*site);
}

Device VisibleDevice(store::Store& store, const std::string& id, const Principal& caller) {
  auto device = store.Devices().Get(id, caller.visibility());
  if (!device) Fail(ErrorCode::kNotFound, "Device " + id + " not found.");
  return std::move(*device);
}

store::StoredEv VisibleEv(store::Store& store, const std::string& id, const Principal& caller) {
  return ValueOrFail(store::LoadEv(store, id, caller.visibility()));
}

}  // namespace ems::api
