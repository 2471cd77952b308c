#include "api/routes/routes.h"
#include "ems/codec/session_codec.h"
#include "ems/store/session_repository.h"

namespace ems::api {

void RegisterSessionRoutes(Router& router, ApiContext& ctx) {
  router.Get(
      "/api/v1/sessions",
      Authed(
          ctx, Access::kAnyUser,
          [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
            store::SessionFilter filter;
            filter.site_id = QueryId(req, "site_id");
            filter.station_id = QueryId(req, "station_id");
            filter.vehicle_id = QueryId(req, "vehicle_id");
            if (const auto status = QueryString(req, "status")) {
              filter.status = ParseSessionStatus(*status);
              if (!filter.status) {
                throw HttpError{400, "Query parameter 'status' must be 'active' or 'completed'."};
              }
            }
            std::tie(filter.from, filter.to) = QueryRange(req);
            filter.visible_to_user = p.VisibilityUser();
            std::optional<store::SessionCursor> after;
            if (const auto cursor = QueryCursor(req)) {
              if (!cursor->is_array() || cursor->size() != 2 || !(*cursor)[0].is_number_integer() ||
                  !(*cursor)[1].is_string()) {
                BadCursor();
              }
              after = store::SessionCursor{FromMillis((*cursor)[0].get<std::int64_t>()),
                                           (*cursor)[1].get<std::string>()};
            }
            store::SessionRepository sessions(ctx.Db());
            const auto page = sessions.List(filter, QueryLimit(req), after);
            Json items = Json::array();
            for (const auto& s : page.items) items.push_back(codec::EncodeSession(s));
            std::optional<Json> next;
            if (page.next)
              next = Json::array({ToMillis(page.next->started_at), page.next->session_id});
            SendJson(res, 200, ListAnswer(std::move(items), next));
          }));

  router.Get(
      R"(/api/v1/sessions/([^/]+))",
      Authed(ctx, Access::kAnyUser,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               const auto id = PathId(req, 1);
               store::SessionRepository sessions(ctx.Db());
               const auto s = sessions.Get(id);
               if (!s || !p.CanSee(s->site_id)) {
                 throw HttpError{404, "Session " + id + " not found."};
               }
               SendJson(res, 200, codec::EncodeSession(*s));
             }));

  router.Get(
      "/api/v1/stations",
      Authed(ctx, Access::kAnyUser,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               std::optional<std::string> after;
               if (const auto cursor = QueryStringCursor(req)) after = *cursor;
               const int limit = QueryLimit(req);
               store::SessionRepository sessions(ctx.Db());
               auto rows = sessions.ListStations(p.VisibilityUser(), limit + 1, after);
               std::optional<Json> next;
               if (static_cast<int>(rows.size()) > limit) {
                 rows.pop_back();
                 next = rows.back().id;
               }
               Json items = Json::array();
               for (const auto& r : rows) {
                 items.push_back({{"id", r.id},
                                  {"site_id", r.site_id},
                                  {"sessions", r.sessions},
                                  {"last_session_at", FormatTimestamp(r.last_session_at)}});
               }
               SendJson(res, 200, ListAnswer(std::move(items), next));
             }));

  router.Get(
      R"(/api/v1/stations/([^/]+)/sessions/summary)",
      Authed(ctx, Access::kAnyUser,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               const auto id = PathId(req, 1);
               const auto [from, to] = QueryRange(req);
               store::SessionRepository sessions(ctx.Db());
               if (!sessions.GetStation(id, p.VisibilityUser())) {
                 throw HttpError{404, "Station " + id + " not found."};
               }
               const auto sum = sessions.Summarize(id, from, to);
               SendJson(res, 200,
                        {{"station_id", id},
                         {"sessions", sum.sessions},
                         {"energy_kwh", sum.energy_kwh},
                         {"cost", sum.cost ? Json(*sum.cost) : Json(nullptr)},
                         {"currency", sum.sessions == 0
                                          ? Json(ctx.default_currency)
                                          : (sum.currency ? Json(*sum.currency) : Json(nullptr))}});
             }));
}

}  // namespace ems::api
