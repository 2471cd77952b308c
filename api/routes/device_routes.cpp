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
//   the last 24 hours (as the site energy series), interval from the range (DefaultInterval),
//   agg avg. from ≥ to or more than 400 days at raw → 422; an unparsable value → 400; a metric
//   the device never reported → 404.
// Anything of a site the caller may not see answers 404, exactly like what does not exist.
#include <SQLiteCpp/Transaction.h>

#include <random>

#include "api/routes/routes.h"
#include "ems/codec/device_codec.h"
#include "ems/domain/device.h"
#include "ems/domain/rollup.h"
#include "ems/store/device_repository.h"
#include "ems/store/site_repository.h"
#include "ems/store/telemetry_repository.h"

namespace ems::api {
namespace {

[[noreturn]] void DeviceNotFound(const std::string& id) {
  throw HttpError{404, "Device " + id + " not found."};
}

[[noreturn]] void SiteNotFound(const std::string& id) {
  throw HttpError{404, "Site " + id + " not found."};
}

// Who may change the devices of a site: admins, and technicians assigned to it. Call after the
// visibility check (a site the caller cannot see is a 404, not a 403).
void RequireDeviceWriter(const Principal& p) {
  if (p.is_admin() || p.role == "technician") return;
  throw HttpError{403, "Changing devices needs the admin role or the technician role of the site."};
}

// The visible device `id`, else HttpError 404.
Device VisibleDevice(store::DeviceRepository& devices, const std::string& id, const Principal& p) {
  auto device = devices.Get(id);
  if (!device || !p.CanSee(device->site_id)) DeviceNotFound(id);
  return std::move(*device);
}

// A fresh device id when the body names none: "dev-" and 16 random hex digits.
std::string NewDeviceId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "dev-";
  for (auto bits = random(); id.size() < 20; bits >>= 4) id += kHex[bits & 15];
  return id;
}

// from/to with the defaults above; from ≥ to → 422.
std::pair<Timestamp, Timestamp> SeriesRange(const httplib::Request& req) {
  auto [from, to] = QueryRange(req);
  const auto now = Now();
  if (!to) to = !from || *from < now ? now : *from + std::chrono::hours(24);
  if (!from) from = *to - std::chrono::hours(24);
  if (*from >= *to) throw HttpError{422, "'from' must be before 'to'."};
  return {*from, *to};
}

void ListDevices(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& p) {
  const auto site_id = PathId(req, 1);
  std::string after;
  if (const auto cursor = QueryStringCursor(req)) after = *cursor;
  const int limit = QueryLimit(req);
  auto& db = ctx.Db();
  SQLite::Transaction snapshot(db);  // devices and their metrics from one consistent read
  store::SiteRepository sites(db);
  if (!p.CanSee(site_id) || !sites.Get(site_id)) SiteNotFound(site_id);
  store::DeviceRepository devices(db);
  store::TelemetryRepository telemetry(db);
  const auto page = devices.ListBySite(site_id, after, limit);
  Json items = Json::array();
  for (const auto& d : page.items) items.push_back(codec::EncodeDevice(d, telemetry.Latest(d.id)));
  snapshot.commit();
  std::optional<Json> next;
  if (page.next_cursor) next = *page.next_cursor;
  SendJson(res, 200, ListAnswer(std::move(items), next));
}

void GetDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& p) {
  const auto id = PathId(req, 1);
  auto& db = ctx.Db();
  SQLite::Transaction snapshot(db);
  store::DeviceRepository devices(db);
  const auto device = VisibleDevice(devices, id, p);
  store::TelemetryRepository telemetry(db);
  const auto body = codec::EncodeDevice(device, telemetry.Latest(id));
  snapshot.commit();
  SendJson(res, 200, body);
}

void CreateDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& p) {
  const auto site_id = PathId(req, 1);
  auto& db = ctx.Db();
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  store::SiteRepository sites(db);
  if (!p.CanSee(site_id) || !sites.Get(site_id)) SiteNotFound(site_id);
  RequireDeviceWriter(p);
  const auto body = codec::DecodeDeviceBody(req.body);
  if (!body) ThrowReject(body.error());
  store::DeviceRepository devices(db);
  const auto created = devices.Create(site_id, body->id.value_or(NewDeviceId()), body->spec, Now());
  if (!created) {
    if (created.error().reason == "unknown_site") SiteNotFound(site_id);
    ThrowReject(created.error());
  }
  tx.commit();
  SendJson(res, 201, codec::EncodeDevice(*created, {}));
}

void UpdateDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& p) {
  const auto id = PathId(req, 1);
  auto& db = ctx.Db();
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  store::DeviceRepository devices(db);
  VisibleDevice(devices, id, p);
  RequireDeviceWriter(p);
  const auto body = codec::DecodeDeviceBody(req.body);
  if (!body) ThrowReject(body.error());
  if (body->id && *body->id != id) {
    throw HttpError{422, "Field 'id' must be the id of the device in the path (" + id + ")."};
  }
  const auto updated = devices.Update(id, body->spec, Now());
  if (!updated) ThrowReject(updated.error());
  store::TelemetryRepository telemetry(db);
  const auto answer = codec::EncodeDevice(*updated, telemetry.Latest(id));
  tx.commit();
  SendJson(res, 200, answer);
}

void DeleteDevice(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& p) {
  const auto id = PathId(req, 1);
  auto& db = ctx.Db();
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  store::DeviceRepository devices(db);
  VisibleDevice(devices, id, p);
  RequireDeviceWriter(p);
  if (!devices.Delete(id)) DeviceNotFound(id);
  tx.commit();
  res.status = 204;
}

void LatestMetrics(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& p) {
  const auto id = PathId(req, 1);
  auto& db = ctx.Db();
  SQLite::Transaction snapshot(db);
  store::DeviceRepository devices(db);
  VisibleDevice(devices, id, p);
  store::TelemetryRepository telemetry(db);
  const auto body = codec::EncodeLatestMetrics(telemetry.Latest(id));
  snapshot.commit();
  SendJson(res, 200, body);
}

void MetricSeries(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& p) {
  const auto id = PathId(req, 1);
  const std::string metric = req.matches.size() > 2 ? req.matches[2].str() : std::string();
  auto& db = ctx.Db();
  SQLite::Transaction snapshot(db);
  store::DeviceRepository devices(db);
  const auto device = VisibleDevice(devices, id, p);
  store::TelemetryRepository telemetry(db);
  if (!IsValidMetricName(metric) || !telemetry.Latest(id, metric)) {
    throw HttpError{404, "Device " + id + " has no metric " + metric + "."};
  }

  const auto [from, to] = SeriesRange(req);
  std::optional<Interval> interval;
  if (const auto text = QueryString(req, "interval")) {
    interval = ParseInterval(*text);
    if (!interval) {
      throw HttpError{400,
                      "Query parameter 'interval' must be one of raw, 1m, 15m, 1h, 1d, 1w, 1mo."};
    }
  }
  Agg agg = Agg::kAvg;
  if (const auto text = QueryString(req, "agg")) {
    const auto parsed = ParseAgg(*text);
    if (!parsed) {
      throw HttpError{400, "Query parameter 'agg' must be one of avg, min, max, sum, last."};
    }
    agg = *parsed;
  }
  store::SeriesQuery q;
  q.device_id = id;
  q.metric = metric;
  q.timezone = devices.SiteTimezone(device.site_id).value_or("UTC");
  q.from = from;
  q.to = to;
  q.interval = interval.value_or(DefaultInterval(from, to));
  q.agg = agg;
  const auto points = telemetry.Series(q);
  if (!points) ThrowReject(points.error());
  snapshot.commit();
  SendJson(res, 200, codec::EncodeSeries(id, metric, q.interval, q.agg, *points));
}

// Binds a handler taking the context to a route.
template <class F>
httplib::Server::Handler Route(ApiContext& ctx, F f) {
  return Authed(ctx, Access::kAnyUser,
                [&ctx, f](const httplib::Request& req, httplib::Response& res, const Principal& p) {
                  f(ctx, req, res, p);
                });
}

}  // namespace

void RegisterDeviceRoutes(Router& router, ApiContext& ctx) {
  router.Get(R"(/api/v1/sites/([^/]+)/devices)", Route(ctx, ListDevices));
  router.Post(R"(/api/v1/sites/([^/]+)/devices)", Route(ctx, CreateDevice));
  router.Get(R"(/api/v1/devices/([^/]+))", Route(ctx, GetDevice));
  router.Put(R"(/api/v1/devices/([^/]+))", Route(ctx, UpdateDevice));
  router.Delete(R"(/api/v1/devices/([^/]+))", Route(ctx, DeleteDevice));
  router.Get(R"(/api/v1/devices/([^/]+)/metrics)", Route(ctx, LatestMetrics));
  router.Get(R"(/api/v1/devices/([^/]+)/metrics/([^/]+)/series)", Route(ctx, MetricSeries));
}

}  // namespace ems::api
