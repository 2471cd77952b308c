// Sites (SPEC §6.1, reads only) and their energy (§6.4).
//
// - GET /api/v1/sites: the sites the caller may see (admin: all; others: those assigned), in id
//   order, {"id", "name", "timezone", "device_count"} each, paged by `limit` / `cursor`.
// - GET /api/v1/sites/{site}: one of them; a site the caller may not see answers 404 like an
//   unknown one.
// - GET /api/v1/sites/{site}/energy/summary: ComputeEnergySummary over the stored latest
//   readings, now, with EMS_STALE_AFTER_S — the body the listener publishes retained on
//   `{p}/sites/{site}/summary`.
// - GET /api/v1/energy/summary: the fleet's (SumEnergySummaries of the per-site summaries, each
//   computed as above, of every site the caller may see, read in one query), with "sites", their
//   count, in place of "site_id".
// - GET /api/v1/sites/{site}/energy/series?from=&to=&interval=: energy per bucket integrated
//   from power_w (TelemetryReader::EnergySeries). Defaults: the last 24 hours (QuerySeriesRange),
//   interval chosen from the range (DefaultInterval). interval=raw and from ≥ to answer 422,
//   unparsable values 400.
#include "api/routes/routes.h"
#include "ems/codec/energy_codec.h"
#include "ems/domain/energy.h"
#include "ems/domain/rollup.h"

namespace ems::api {
namespace {

Json SiteJson(const store::Site& site) {
  return {{"id", site.id},
          {"name", site.name},
          {"timezone", site.timezone},
          {"device_count", site.device_count}};
}

// The site `id` the caller may see, else kNotFound.
store::Site VisibleSite(ApiContext& ctx, const std::string& id, const Principal& caller) {
  auto site = ctx.Store().Sites().Get(id, caller.visibility());
  if (!site) Fail(ErrorCode::kNotFound, "Site " + id + " not found.");
  return std::move(*site);
}

void ListSites(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& caller) {
  const auto after = QueryCursor<std::string>(req).value_or("");
  const auto page = ctx.Store().Sites().List(caller.visibility(), after, QueryLimit(req));
  SendJsonText(res, 200, PageAnswer(page, SiteJson));
}

void GetSite(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
             const Principal& caller) {
  SendJson(res, 200, SiteJson(VisibleSite(ctx, PathId(req, 1), caller)));
}

void EnergySummary(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller) {
  const auto id = PathId(req, 1);
  VisibleSite(ctx, id, caller);
  const auto readings = ctx.Store().Readings().SiteReadings(id);
  SendJson(res, 200,
           codec::EncodeEnergySummary(ComputeEnergySummary(id, readings, Now(), ctx.stale_after)));
}

void FleetEnergySummary(ApiContext& ctx, const httplib::Request&, httplib::Response& res,
                        const Principal& caller) {
  const auto now = Now();
  std::vector<ems::EnergySummary> per_site;
  for (const auto& site : ctx.Store().Readings().VisibleSiteReadings(caller.visibility())) {
    per_site.push_back(ComputeEnergySummary(site.site_id, site.devices, now, ctx.stale_after));
  }
  SendJson(res, 200, codec::EncodeFleetEnergySummary(SumEnergySummaries(per_site, now)));
}

void EnergySeries(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto site = VisibleSite(ctx, id, caller);
  const auto [from, to] = QuerySeriesRange(req);
  const auto interval = QueryInterval(req);
  if (interval == Interval::kRaw) {
    Fail(ErrorCode::kInvalidQuery, "Energy series need an interval of 1m or coarser, not raw.");
  }
  const Interval chosen = interval.value_or(DefaultInterval(from, to));
  const auto buckets =
      ValueOrFail(ctx.Store().Readings().EnergySeries(id, site.timezone, from, to, chosen));
  SendJson(res, 200, codec::EncodeEnergySeries(id, chosen, buckets));
}

}  // namespace

void RegisterSiteRoutes(Router& router) {
  router.Get("/api/v1/sites", Access::kAnyUser, ListSites);
  router.Get(R"(/api/v1/sites/([^/]+))", Access::kAnyUser, GetSite);
  router.Get(R"(/api/v1/sites/([^/]+)/energy/summary)", Access::kAnyUser, EnergySummary);
  router.Get(R"(/api/v1/sites/([^/]+)/energy/series)", Access::kAnyUser, EnergySeries);
  router.Get("/api/v1/energy/summary", Access::kAnyUser, FleetEnergySummary);
}

}  // namespace ems::api
