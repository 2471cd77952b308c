#include "api/routes/lookup.h"

namespace ems::api {

store::Site VisibleSite(store::Store& store, const std::string& id, const Principal& caller) {
  auto site = store.Sites().Get(id, caller.visibility());
  if (!site) Fail(NotFound("Site", id));
  return std::move(*site);
}

Device VisibleDevice(store::Store& store, const std::string& id, const Principal& caller) {
  auto device = store.Devices().Get(id, caller.visibility());
  if (!device) Fail(NotFound("Device", id));
  return std::move(*device);
}

store::StoredEv VisibleEv(store::Store& store, const std::string& id, const Principal& caller) {
  return ValueOrFail(store::LoadEv(store, id, caller.visibility(), Now()));
}

Device VisibleStation(store::Store& store, const std::string& id, const Principal& caller) {
  auto device = store.Devices().Get(id, caller.visibility());
  if (!device || !store.Ocpp().Get(id)) Fail(NotFound("Station", id));
  return std::move(*device);
}

Contract VisibleContract(store::Store& store, const std::string& number, const Principal& caller) {
  return ValueOrFail(store.Contracts().GetContract(number, caller.visibility()));
}

}  // namespace ems::api
