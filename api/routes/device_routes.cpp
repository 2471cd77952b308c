// Devices (SPEC §6.2) and their metrics and series (§6.3).
//
// - GET /api/v1/sites/{site}/devices (paged by `limit` / `cursor`, id order) and
//   GET /api/v1/devices/{device}: the device with its state, latest metrics and last_seen.
// - POST /api/v1/sites/{site}/devices {"id"?, "type", "name", "properties"} → 201 with the device
//   (an id "dev-<16 hex>" is made when none is given); PUT /api/v1/devices/{device} replaces
//   type, name and properties (same body; an "id" in it must be the path's); DELETE → 204, its
//   telemetry, latest values and rollups go with it. Allowed to admins and to technicians
//   assigned to the device's site; a viewer of the site gets 403. Unknown type, missing or
//   non-positive property → 422 naming the field; an id in use → 409; unknown site → 404.
//   A device registered here is known to the listener at once: its telemetry is accepted.
// - GET /api/v1/devices/{device}/metrics: latest value of each metric.
// - GET /api/v1/devices/{device}/metrics/{name}/series?from=&to=&interval=&agg=: defaults
//   the last 24 hours (QuerySeriesRange), interval from the range (DefaultInterval),
//   agg avg. from ≥ to or more than 400 days at raw → 422; an unparsable value → 400; a metric
//   the device never reported → 404.
// Anything of a site the caller may not see answers 404, exactly like what does not exist.
#include <random>

#include "api/routes/routes.h"
#include "ems/codec/device_codec.h"
#include "ems/domain/device.h"
#include "ems/domain/rollup.h"

namespace ems::api {
namespace {

[[noreturn]] void DeviceNotFound(const std::string& id) {
  Fail(ErrorCode::kNotFound, "Device " + id + " not found.");
}

[[noreturn]] void SiteNotFound(const std::string& id) {
  Fail(ErrorCode::kNotFound, "Site " + id + " not found.");
}

// Who may change the devices of a site: admins, and technicians assigned to it. Call after the
// visibility check (a site the caller cannot see is a 404, not a 403).
void RequireDeviceWriter(const Principal& caller) {
  if (caller.is_admin() || caller.role == "technician") return;
  Fail(ErrorCode::kForbidden,
       "Changing devices needs the admin role or the technician role of the site.");
}

// The device `id` the caller may see, else kNotFound.
Device VisibleDevice(store::Store& store, const std::string& id, const Principal& caller) {
  auto device = store.Devices().Get(id, caller.visibility());
  if (!device) DeviceNotFound(id);
  return std::move(*device);
}

// A write transaction on the device `id`, once the caller is known to see it (else kNotFound) and
// to be allowed to change it (else kForbidden).
store::Transaction BeginDeviceWrite(store::Store& store, const std::string& id,
                                    const Principal& caller) {
  auto tx = store.Begin(store::TxMode::kWrite);
  VisibleDevice(store, id, caller);
  RequireDeviceWriter(caller);
  return tx;
}

// The site `id` the caller may see, else kNotFound.
void RequireVisibleSite(store::Store& store, const std::string& id, const Principal& caller) {
  if (!store.Sites().Get(id, caller.visibility())) SiteNotFound(id);
}

// A fresh device id when the body names none: "dev-" and 16 random hex digits.
std::string NewDeviceId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "dev-";
  for (auto bits = random(); id.size() < 20; bits >>= 4) id += kHex[bits & 15];
  return id;
}

void ListDevices(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto site_id = PathId(req, 1);
  const auto after = QueryCursor<std::string>(req).value_or("");
  const int limit = QueryLimit(req);
  auto& store = ctx.Store();
  auto snapshot = store.Begin(store::TxMode::kRead);  // devices and metrics from one read
  RequireVisibleSite(store, site_id, caller);
  const auto page = store.Devices().ListBySite(site_id, after, limit);
  const auto answer = PageAnswer(
      page, [&](const Device& d) { return codec::EncodeDevice(d, store.Readings().Latest(d.id)); });
  snapshot.Commit();
  SendJsonText(res, 200, answer);
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
  RequireVisibleSite(store, site_id, caller);
  RequireDeviceWriter(caller);
  const auto body = ValueOrFail(codec::DecodeDeviceBody(req.body));
  const auto created = ValueOrFail(
      store.Devices().Create(site_id, body.id.value_or(NewDeviceId()), body.spec, Now()));
  tx.Commit();
  SendJson(res, 201, codec::EncodeDevice(created, {}));
}

void UpdateDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  auto tx = BeginDeviceWrite(store, id, caller);
  const auto body = ValueOrFail(codec::DecodeDeviceBody(req.body));
  if (body.id && *body.id != id) {
    Fail(ErrorCode::kInvalidDevice,
         "Field 'id' must be the id of the device in the path (" + id + ").");
  }
  const auto updated = ValueOrFail(store.Devices().Update(id, body.spec, Now()));
  const auto answer = codec::EncodeDevice(updated, store.Readings().Latest(id));
  tx.Commit();
  SendJson(res, 200, answer);
}

void DeleteDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  auto tx = BeginDeviceWrite(store, id, caller);
  if (!store.Devices().Delete(id)) DeviceNotFound(id);
  tx.Commit();
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
  codec::JsonWriter w;
  codec::WriteSeries(w, id, metric, q.interval, q.agg, points);
  SendJsonText(res, 200, w.Take());
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
