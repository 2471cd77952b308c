// Sites (SPEC §6.1, reads only) and their energy (§6.4).
//
// - GET /api/v1/sites: the sites the caller may see (admin: all; others: those assigned), in id
//   order, {"id", "name", "timezone", "device_count"} each, paged by `limit` / `cursor`.
// - GET /api/v1/sites/{site}: one of them; a site the caller may not see answers 404 like an
//   unknown one.
// - GET /api/v1/sites/{site}/energy/summary: ComputeEnergySummary over the stored latest
//   readings, now, with EMS_STALE_AFTER_S — the body the listener publishes retained on
//   `{p}/sites/{site}/summary`.
// - GET /api/v1/sites/{site}/energy/series?from=&to=&interval=: energy per bucket integrated
//   from power_w (TelemetryRepository::EnergySeries). Defaults: the last 24 hours (to = now, or
//   from + 24 h when from is in the future; from = to − 24 h), interval chosen from the range
//   (DefaultInterval). interval=raw and from ≥ to answer 422, unparsable values 400.

#include "api/routes/routes.h"
#include "ems/codec/energy_codec.h"
#include "ems/config/settings.h"
#include "ems/domain/energy.h"
#include "ems/domain/rollup.h"
#include "ems/store/site_repository.h"
#include "ems/store/telemetry_repository.h"
#include "ems/util/log.h"

namespace ems::api {
namespace {

// Site rows with their device count; filtered to the sites of `user` (null = every site).
constexpr const char* kSiteColumns =
    "SELECT s.id, s.name, s.timezone, "
    "(SELECT count(*) FROM devices d WHERE d.site_id = s.id) FROM sites s ";
constexpr const char* kVisible =
    "(?1 IS NULL OR EXISTS (SELECT 1 FROM user_sites u WHERE u.username = ?1 AND "
    "u.site_id = s.id))";

Json SiteJson(SQLite::Statement& row) {
  return {{"id", row.getColumn(0).getString()},
          {"name", row.getColumn(1).getString()},
          {"timezone", row.getColumn(2).getString()},
          {"device_count", row.getColumn(3).getInt64()}};
}

void BindUser(SQLite::Statement& stmt, const std::optional<std::string>& user) {
  if (user) {
    stmt.bind(1, *user);
  } else {
    stmt.bind(1);  // NULL
  }
}

// The visible site `id`, else HttpError 404.
store::Site VisibleSite(SQLite::Database& db, const std::string& id, const Principal& p) {
  if (p.CanSee(id)) {
    store::SiteRepository sites(db);
    if (auto site = sites.Get(id)) return std::move(*site);
  }
  throw HttpError{404, "Site " + id + " not found."};
}

}  // namespace

void RegisterSiteRoutes(Router& router, ApiContext& ctx) {
  router.Get(
      "/api/v1/sites",
      Authed(ctx, Access::kAnyUser,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               std::string after;
               if (const auto cursor = QueryStringCursor(req)) after = *cursor;
               const int limit = QueryLimit(req);
               SQLite::Statement rows(ctx.Db(), std::string(kSiteColumns) + "WHERE s.id > ?2 AND " +
                                                    kVisible + " ORDER BY s.id LIMIT ?3");
               BindUser(rows, p.VisibilityUser());
               rows.bind(2, after);
               rows.bind(3, limit + 1);
               Json items = Json::array();
               while (rows.executeStep()) items.push_back(SiteJson(rows));
               std::optional<Json> next;
               if (static_cast<int>(items.size()) > limit) {
                 items.erase(items.end() - 1);
                 next = items.back()["id"];
               }
               SendJson(res, 200, ListAnswer(std::move(items), next));
             }));

  router.Get(
      R"(/api/v1/sites/([^/]+))",
      Authed(ctx, Access::kAnyUser,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               const auto id = PathId(req, 1);
               SQLite::Statement row(ctx.Db(),
                                     std::string(kSiteColumns) + "WHERE s.id = ?2 AND " + kVisible);
               BindUser(row, p.VisibilityUser());
               row.bind(2, id);
               if (!row.executeStep()) throw HttpError{404, "Site " + id + " not found."};
               SendJson(res, 200, SiteJson(row));
             }));

  router.Get(
      R"(/api/v1/sites/([^/]+)/energy/summary)",
      Authed(ctx, Access::kAnyUser,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
               const auto id = PathId(req, 1);
               auto& db = ctx.Db();
               VisibleSite(db, id, p);
               store::TelemetryRepository telemetry(db);
               const auto readings = telemetry.SiteReadings(id);
               SendJson(res, 200,
                        codec::EncodeEnergySummary(
                            ComputeEnergySummary(id, readings, Now(), ctx.stale_after)));
             }));

  router.Get(
      R"(/api/v1/sites/([^/]+)/energy/series)",
      Authed(
          ctx, Access::kAnyUser,
          [&ctx](const httplib::Request& req, httplib::Response& res, const Principal& p) {
            const auto id = PathId(req, 1);
            auto& db = ctx.Db();
            const auto site = VisibleSite(db, id, p);
            auto [from, to] = QueryRange(req);
            std::optional<Interval> interval;
            if (const auto text = QueryString(req, "interval")) {
              interval = ParseInterval(*text);
              if (!interval) {
                throw HttpError{400,
                                "Query parameter 'interval' must be one of 1m, 15m, 1h, 1d, "
                                "1w, 1mo."};
              }
              if (*interval == Interval::kRaw) {
                throw HttpError{422, "Energy series need an interval of 1m or coarser, not raw."};
              }
            }
            const auto now = Now();
            if (!to) to = !from || *from < now ? now : *from + std::chrono::hours(24);
            if (!from) from = *to - std::chrono::hours(24);
            const Interval chosen = interval.value_or(DefaultInterval(*from, *to));
            store::TelemetryRepository telemetry(db);
            const auto buckets = telemetry.EnergySeries(id, site.timezone, *from, *to, chosen);
            if (!buckets) ThrowReject(buckets.error());
            SendJson(res, 200, codec::EncodeEnergySeries(id, chosen, *buckets));
          }));
}

}  // namespace ems::api
