// Charging sessions and stations (SPEC §6.5). Only sessions of sites the caller may see are
// listed or counted (a station's list row and summary included), and a session or station of
// another site answers 404 like an unknown one.
//
// - GET /api/v1/sessions?site_id=&station_id=&vehicle_id=&status=&from=&to=: newest first by
//   started_at (from/to filter on it), paged by `limit` / `cursor`.
// - GET /api/v1/sessions/{session_id}.
// - GET /api/v1/stations: {"id", "site_id", "sessions", "last_session_at"} in id order, paged.
// - GET /api/v1/stations/{station}/sessions/summary?from=&to=: {"station_id", "sessions",
//   "energy_kwh", "cost", "currency"}; with no session in range, cost 0 in EMS_DEFAULT_CURRENCY;
//   mixed currencies give null cost and currency.
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

void ListStations(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto after = QueryCursor<std::string>(req);
  const auto page =
      ctx.Store().Sessions().ListStations(caller.visibility(), QueryLimit(req), after);
  SendJsonText(res, 200, PageAnswer(page, [](const store::StationRow& r) {
                 return Json{{"id", r.id},
                             {"site_id", r.site_id},
                             {"sessions", r.sessions},
                             {"last_session_at", FormatTimestamp(r.last_session_at)}};
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

}  // namespace

void RegisterSessionRoutes(Router& router) {
  router.Get("/api/v1/sessions", Access::kAnyUser, ListSessions);
  router.Get(R"(/api/v1/sessions/([^/]+))", Access::kAnyUser, GetSession);
  router.Get("/api/v1/stations", Access::kAnyUser, ListStations);
  router.Get(R"(/api/v1/stations/([^/]+)/sessions/summary)", Access::kAnyUser, StationSummary);
}

}  // namespace ems::api
