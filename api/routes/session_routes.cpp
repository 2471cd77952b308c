// Charging sessions and stations (docs/contract.md §6.5). Only sessions of sites the caller may see
// are listed or counted (a station's list row and summary included), and a session or station of
// another site answers 404 like an unknown one.
//
// - GET /api/v1/sessions?site_id=&station_id=&vehicle_id=&status=&from=&to=: newest first by
//   started_at (from/to filter on it), paged by `limit` / `cursor`.
// - GET /api/v1/sessions/{session_id}.
// - GET /api/v1/stations: {"id", "site_id", "sessions", "last_session_at"} in id order, paged;
//   an OCPP charger's row adds "ocpp": {"connected", "last_seen", "vendor", "model", "firmware"}.
// - GET /api/v1/stations/{station}/sessions/summary?from=&to=: {"station_id", "sessions",
//   "energy_kwh", "cost", "currency"}; with no session in range, cost 0 in EMS_DEFAULT_CURRENCY;
//   mixed currencies give null cost and currency.
// - POST /api/v1/stations/{station}/remote-start {"connector"?, "id_tag"?} and
//   POST /api/v1/stations/{station}/remote-stop {"connector"?} (docs/contract.md §4.5): whoever
//   sees the station's site may, as with its EVs' schedules. ems-api asks ems-ocpp on its control
//   endpoint (docs/ocpp.md) and answers 202 {"status": "Accepted"|"Rejected"} with the charger's
//   answer, 409 when the charger is not connected (or nothing runs to stop), 404 for a station that
//   is no OCPP charger of a visible site, 504 when the charger does not answer.
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/session_codec.h"

namespace ems::api {
namespace {

void ListSessions(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  store::SessionFilter filter;
  filter.site_id = QueryId(req, "site_id");
  filter.station_id = QueryId(req, "station_id");
  filter.vehicle_id = QueryId(req, "vehicle_id");
  if (const auto status = QueryString(req, "status")) {
    filter.status = ParseSessionStatus(*status);
    if (!filter.status) {
      Fail(ErrorCode::kInvalidParameter,
           "Query parameter 'status' must be 'active' or 'completed'.");
    }
  }
  std::tie(filter.from, filter.to) = QueryRange(req);
  filter.visibility = caller.visibility();
  const auto after = QueryCursor<store::SessionCursor>(req);
  const auto page = ctx.Store().Sessions().List(filter, QueryLimit(req), after);
  SendJsonText(res, 200, PageAnswer(page, codec::WriteSession));
}

void GetSession(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto session = ctx.Store().Sessions().Get(id, caller.visibility());
  if (!session) Fail(NotFound("Session", id));
  codec::JsonWriter w;
  codec::WriteSession(w, *session);
  SendJsonText(res, 200, w.Take());
}

Json Optional(const std::optional<std::string>& v) { return v ? Json(*v) : Json(nullptr); }

Json OcppStatus(const store::OcppCharger& c) {
  return {{"connected", c.connected},
          {"last_seen", c.last_seen ? Json(FormatTimestamp(*c.last_seen)) : Json(nullptr)},
          {"vendor", Optional(c.vendor)},
          {"model", Optional(c.model)},
          {"firmware", Optional(c.firmware)}};
}

void ListStations(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto after = QueryCursor<std::string>(req);
  const auto page =
      ctx.Store().Sessions().ListStations(caller.visibility(), QueryLimit(req), after);
  auto& chargers = ctx.Store().Ocpp();
  SendJsonText(res, 200, PageAnswer(page, [&chargers](const store::StationRow& r) {
                 Json row{{"id", r.id},
                          {"site_id", r.site_id},
                          {"sessions", r.sessions},
                          {"last_session_at", FormatTimestamp(r.last_session_at)}};
                 const auto c = chargers.Get(r.id);
                 if (c && c->site_id == r.site_id) row["ocpp"] = OcppStatus(*c);
                 return row;
               }));
}

void StationSummary(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto [from, to] = QueryRange(req);
  auto& sessions = ctx.Store().Sessions();
  if (!sessions.GetStation(id, caller.visibility())) {
    Fail(NotFound("Station", id));
  }
  const auto sum = sessions.Summarize(id, caller.visibility(), from, to);
  SendJson(
      res, 200,
      {{"station_id", id},
       {"sessions", sum.sessions},
       {"energy_kwh", sum.energy_kwh},
       {"cost", sum.cost ? Json(*sum.cost) : Json(nullptr)},
       {"currency", sum.sessions == 0 ? Json(ctx.default_currency)
                                      : (sum.currency ? Json(*sum.currency) : Json(nullptr))}});
}

void RemoteCommand(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller, const std::string& command) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  InSnapshot(store, [&] { return VisibleStation(store, id, caller); });
  caller.Require(SiteAction::kOperateEvs);
  const Json body = req.body.empty() ? Json::object() : BodyObject(req);
  httplib::Client ocpp(ctx.ocpp_control_url);
  ocpp.set_connection_timeout(std::chrono::seconds(2));
  ocpp.set_read_timeout(std::chrono::seconds(40));  // the charger has 30 s to answer
  const auto answer = ocpp.Post("/stations/" + id + "/" + command,
                                {{"Authorization", "Bearer " + ctx.ocpp_control_secret}},
                                body.dump(), "application/json");
  if (!answer || ctx.ocpp_control_secret.empty()) {
    Fail(ErrorCode::kConflict, "Station " + id + " is not connected (ems-ocpp is not reachable).");
  }
  auto parsed = codec::ParseObject(answer->body, 4 << 10);
  const int status = answer->status;
  if (!parsed || (status != 202 && status != 409 && status != 422 && status != 504)) {
    SendError(res, 502, "ems-ocpp gave an unexpected answer (" + std::to_string(status) + ").");
    return;
  }
  SendJson(res, status, *parsed);
}

void RemoteStart(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  RemoteCommand(ctx, req, res, caller, "remote-start");
}

void RemoteStop(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  RemoteCommand(ctx, req, res, caller, "remote-stop");
}

}  // namespace

void RegisterSessionRoutes(Router& router) {
  router.Get("/api/v1/sessions", Access::kAnyUser, ListSessions);
  router.Get(R"(/api/v1/sessions/([^/]+))", Access::kAnyUser, GetSession);
  router.Get("/api/v1/stations", Access::kAnyUser, ListStations);
  router.Get(R"(/api/v1/stations/([^/]+)/sessions/summary)", Access::kAnyUser, StationSummary);
  router.Post(R"(/api/v1/stations/([^/]+)/remote-start)", Access::kAnyUser, RemoteStart);
  router.Post(R"(/api/v1/stations/([^/]+)/remote-stop)", Access::kAnyUser, RemoteStop);
}

}  // namespace ems::api
