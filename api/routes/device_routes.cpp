// Devices (SPEC §6.2) and their metrics and series (§6.3).
//
// - GET /api/v1/sites/{site}/devices (paged by `limit` / `cursor`, id order) and
//   GET /api/v1/devices/{device}: the device with its state, latest metrics and last_seen.
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
// - GET /api/v1/devices/{device}/metrics: latest value of each metric.
// - GET /api/v1/devices/{device}/metrics/{name}/series?from=&to=&interval=&agg=: defaults
//   the last 24 hours (QuerySeriesRange), interval from the range (DefaultInterval),
//   agg avg. from ≥ to or more than 400 days at raw → 422; an unparsable value → 400; a metric
//   the device never reported → 404.
// Anything of a site the caller may not see answers 404, exactly like what does not exist.
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/device_codec.h"
#include "ems/domain/device.h"
#include "ems/domain/rollup.h"
#include "ems/mqtt/topics.h"

namespace ems::api {
namespace {

// A write transaction on the device `id`, once the caller is known to see it (else kNotFound) and
// to be allowed to change it (else kForbidden), with the device as it was.
struct DeviceWrite {
  store::Transaction tx;
  Device device;
};
DeviceWrite BeginDeviceWrite(store::Store& store, const std::string& id, const Principal& caller) {
  auto tx = store.Begin(store::TxMode::kWrite);
  auto device = VisibleDevice(store, id, caller);
  caller.Require(SiteAction::kChangeDevices);
  return {std::move(tx), std::move(device)};
}

void ListDevices(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto site_id = PathId(req, 1);
  const auto after = QueryCursor<std::string>(req).value_or("");
  const int limit = QueryLimit(req);
  auto& store = ctx.Store();
  auto snapshot = store.Begin(store::TxMode::kRead);  // devices and metrics from one read
  VisibleSite(store, site_id, caller);
  const auto page = store.Devices().ListBySite(site_id, after, limit);
  const auto answer = PageAnswer(
      page, [&](const Device& d) { return codec::EncodeDevice(d, store.Readings().Latest(d.id)); });
  snapshot.Commit();
  SendJson(res, 200, answer);
}

// Answers `encode(device, store)` for the path's device the caller sees, from one consistent read.
template <class Encode>
void AnswerDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller, Encode encode) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  auto snapshot = store.Begin(store::TxMode::kRead);
  const Json answer = encode(VisibleDevice(store, id, caller), store);
  snapshot.Commit();
  SendJson(res, 200, answer);
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
  auto tx = store.Begin(store::TxMode::kWrite);
  VisibleSite(store, site_id, caller);
  caller.Require(SiteAction::kChangeDevices);
  const auto body = ValueOrFail(codec::DecodeDeviceBody(req.body));
  const auto created = ValueOrFail(
      store.Devices().Create(site_id, body.id.value_or(NewId("dev")), body.spec, Now()));
  tx.Commit();
  SendJson(res, 201, codec::EncodeDevice(created, {}));
}

void UpdateDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  auto write = BeginDeviceWrite(store, id, caller);
  const auto body = ValueOrFail(codec::DecodeDeviceBody(req.body));
  if (body.id && *body.id != id) {
    Fail(ErrorCode::kInvalidDevice,
         "Field 'id' must be the id of the device in the path (" + id + ").");
  }
  const auto updated = ValueOrFail(store.Devices().Update(id, body.spec, Now()));
  const auto answer = codec::EncodeDevice(updated, store.Readings().Latest(id));
  write.tx.Commit();
  SendJson(res, 200, answer);
}

void DeleteDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  auto write = BeginDeviceWrite(store, id, caller);
  store.Devices().Delete(id);
  write.tx.Commit();
  const Device& device = write.device;
  // An EV's schedule was published retained (SPEC §4.3): an empty retained message clears it,
  // so neither the car nor a later subscriber follows the schedule of a device that is gone.
  if (device.type == DeviceType::kEv) {
    ctx.publish_retained(mqtt::ScheduleTopic(ctx.topic_prefix, device.site_id, id), "");
  }
  res.status = 204;
}

void LatestMetrics(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller) {
  AnswerDevice(ctx, req, res, caller, [](const Device& device, store::Store& store) {
    return codec::EncodeLatestMetrics(store.Readings().Latest(device.id));
  });
}

void MetricSeries(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  const std::string metric = req.matches.size() > 2 ? req.matches[2].str() : std::string();
  auto& store = ctx.Store();
  auto snapshot = store.Begin(store::TxMode::kRead);
  const auto device = VisibleDevice(store, id, caller);
  if (!IsValidMetricName(metric) || !store.Readings().Latest(id, metric)) {
    Fail(ErrorCode::kNotFound, "Device " + id + " has no metric " + metric + ".");
  }
  const auto [from, to] = QuerySeriesRange(req);
  const auto interval = QueryInterval(req);
  Agg agg = Agg::kAvg;
  if (const auto text = QueryString(req, "agg")) {
    const auto parsed = ParseAgg(*text);
    if (!parsed) {
      Fail(ErrorCode::kInvalidParameter,
           "Query parameter 'agg' must be one of avg, min, max, sum, last.");
    }
    agg = *parsed;
  }
  store::SeriesQuery q;
  q.device_id = id;
  q.metric = metric;
  q.timezone = store.Sites().Timezone(device.site_id).value_or("UTC");
  q.from = from;
  q.to = to;
  q.interval = interval.value_or(DefaultInterval(from, to));
  q.agg = agg;
  const auto points = ValueOrFail(store.Readings().Series(q));
  snapshot.Commit();
  SendJson(res, 200, codec::EncodeSeries(id, metric, q.interval, q.agg, points));
}

}  // namespace

void RegisterDeviceRoutes(Router& router) {
  router.Get(R"(/api/v1/sites/([^/]+)/devices)", Access::kAnyUser, ListDevices);
  router.Post(R"(/api/v1/sites/([^/]+)/devices)", Access::kAnyUser, CreateDevice);
  router.Get(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, GetDevice);
  router.Put(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, UpdateDevice);
  router.Delete(R"(/api/v1/devices/([^/]+))", Access::kAnyUser, DeleteDevice);
  router.Get(R"(/api/v1/devices/([^/]+)/metrics)", Access::kAnyUser, LatestMetrics);
  router.Get(R"(/api/v1/devices/([^/]+)/metrics/([^/]+)/series)", Access::kAnyUser, MetricSeries);
}

}  // namespace ems::api
