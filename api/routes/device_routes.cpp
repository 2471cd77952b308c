// Devices (docs/contract.md §6.2) and their metrics and series (§6.3).
//
// - GET /api/v1/sites/{site}/devices and GET /api/v1/devices?type=&site_id= (the fleet view:
//   every device the caller may see, across sites; a site or type filter matching nothing, or a
//   site the caller may not see, lists nothing), both in id order, paged by `limit` / `cursor`,
//   and GET /api/v1/devices/{device}: the device with its state, metrics and last_seen. Its
//   metrics are the latest value of each it reported, and from the start the typical metrics of
//   its type (TypicalMetrics) with value and ts null until their first telemetry.
// - POST /api/v1/sites/{site}/devices {"id"?, "type", "name", "properties"} → 201 with the device
//   (an id "dev-<16 hex>" is made when none is given); PUT /api/v1/devices/{device} replaces
//   type, name and properties (same body; an "id" in it must be the path's); DELETE → 204, its
//   telemetry, latest values and rollups go with it, and an EV's retained schedule topic is
//   cleared. Allowed to admins and to technicians of the device's site (SiteAction::
//   kChangeDevices); a viewer of the site gets 403. Unknown type, missing or non-positive
//   property → 422 naming the field; unknown site → 404. Device ids are unique across sites, so
//   an id in use answers 409 whichever site holds it, with the same sentence for every site: it
//   tells that the id is taken, nothing about the device.
//   A device registered here is known to the listener at once: its telemetry is accepted.
// - GET /api/v1/devices/{device}/metrics: the same metrics as a list.
// - GET /api/v1/devices/{device}/metrics/{name}/series?from=&to=&interval=&agg=: defaults
//   the last 24 hours, interval from the range, agg avg (QuerySeriesWindow). from ≥ to, more
//   than 400 days at raw, or more than 100 000 points → 422; an unparsable value → 400; a metric
//   the device does not expose (neither reported nor typical of its type) → 404.
// Anything of a site the caller may not see answers 404, exactly like what does not exist.
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/device_codec.h"
#include "ems/domain/device.h"
#include "ems/domain/rollup.h"
#include "ems/mqtt/topics.h"

namespace ems::api {
namespace {

// The page of `filter`'s devices, each encoded with its metrics.
std::string DevicePage(store::Store& store, const store::DeviceFilter& filter,
                       const httplib::Request& req) {
  const auto after = QueryCursor<std::string>(req).value_or("");
  return PageAnswer(
      store.Devices().List(filter, after, QueryLimit(req)),
      [](const store::ListedDevice& d) { return codec::EncodeDevice(d.device, d.latest); });
}

void ListSiteDevices(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                     const Principal& caller) {
  const auto site_id = PathId(req, 1);
  auto& store = ctx.Store();
  SendJsonText(res, 200,
               ReadVisible(
                   store, [&] { return VisibleSite(store, site_id, caller); },
                   [&](const store::Site&) {
                     return DevicePage(store, {caller.visibility(), site_id, std::nullopt}, req);
                   }));
}

void ListFleetDevices(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const Principal& caller) {
  const store::DeviceFilter filter{caller.visibility(), QueryId(req, "site_id"),
                                   QueryNamed(req, "type", ParseDeviceType, DeviceTypeList())};
  SendJsonText(res, 200, DevicePage(ctx.Store(), filter, req));
}

// Answers `encode(device, store)` for the path's device the caller sees, from one consistent read.
template <class Encode>
void AnswerDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller, Encode encode) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  SendJson(res, 200,
           ReadVisible(
               store, [&] { return VisibleDevice(store, id, caller); },
               [&](const Device& device) -> Json { return encode(device, store); }));
}

void GetDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& caller) {
  AnswerDevice(ctx, req, res, caller, [](const Device& device, store::Store& store) {
    return codec::EncodeDevice(device, store.Readings().Latest(device.id));
  });
}

void CreateDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto site_id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto created = ChangeVisible(
      store, caller, SiteAction::kChangeDevices,
      [&] { return VisibleSite(store, site_id, caller); },
      [&](const store::Site&) {
        const auto body = ValueOrFail(codec::DecodeDeviceBody(req.body));
        return ValueOrFail(
            store.Devices().Create(site_id, body.id.value_or(RandomId("dev-")), body.spec, Now()));
      });
  SendJson(res, 201, codec::EncodeDevice(created, {}));
}

void UpdateDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  SendJson(res, 200,
           ChangeVisible(
               store, caller, SiteAction::kChangeDevices,
               [&] { return VisibleDevice(store, id, caller); },
               [&](const Device&) {
                 const auto body = ValueOrFail(codec::DecodeDeviceBody(req.body));
                 if (body.id && *body.id != id) {
                   Fail(ErrorCode::kInvalidDevice,
                        "Field 'id' must be the id of the device in the path (" + id + ").");
                 }
                 const auto updated = ValueOrFail(store.Devices().Update(id, body.spec, Now()));
                 return codec::EncodeDevice(updated, store.Readings().Latest(id));
               }));
}

void DeleteDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const Device device = ChangeVisible(
      store, caller, SiteAction::kChangeDevices, [&] { return VisibleDevice(store, id, caller); },
      [&](const Device& found) {
        store.Devices().Delete(id);
        return found;
      });
  // An EV's schedule was published retained (docs/contract.md §4.3): an empty retained message
  // clears it, so neither the car nor a later subscriber follows the schedule of a device that is
  // gone.
  if (device.type == DeviceType::kEv) {
    ctx.publish_retained(mqtt::ScheduleTopic(ctx.topic_prefix, device.site_id, id), "");
  }
  ClearDeviceTopics(ctx, device.site_id, id);
  res.status = 204;
}

void LatestMetrics(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller) {
  AnswerDevice(ctx, req, res, caller, [](const Device& device, store::Store& store) {
    return codec::EncodeLatestMetrics(device.type, store.Readings().Latest(device.id));
  });
}

void MetricSeries(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto metric = PathMetric(req, 2);
  const auto window = QuerySeriesWindow(req);
  auto& store = ctx.Store();
  const auto points = ReadVisible(
      store, [&] { return VisibleDevice(store, id, caller); },
      [&](const Device& device) {
        ValueOrFail(RequireExposedMetric(id, device.type, metric,
                                         store.Readings().Latest(id, metric).has_value()));
        const auto tz = store.Sites().Timezone(device.site_id).value_or("UTC");
        return ValueOrFail(store.Readings().Series({id, metric, tz}, window));
      });
  codec::JsonWriter w;
  w.BeginObject();
  codec::WriteSeriesMembers(w, id, metric, window.interval, window.agg, points);
  SendCached(req, res, w.EndObject().Take(), "application/json",
             RangeCacheControl(window.to, Now()));
}

}  // namespace

void RegisterDeviceRoutes(Router& router) {
  router.Get(R"(/api/v1/sites/([^/]+)/devices)", Access::kAnyUser, ListSiteDevices);
  router.Get("/api/v1/devices", Access::kAnyUser, ListFleetDevices);
  router.Post(R"(/api/v1/sites/([^/]+)/devices)", Access::kAnyUser, CreateDevice);
  router.Get(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, GetDevice);
  router.Put(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, UpdateDevice);
  router.Delete(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, DeleteDevice);
  router.Get(R"(/api/v1/devices/([^/]+)/metrics)", Access::kAnyUser, LatestMetrics);
  router.Get(R"(/api/v1/devices/([^/]+)/metrics/([^/]+)/series)", Access::kAnyUser, MetricSeries);
}

}  // namespace ems::api
