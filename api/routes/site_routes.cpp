// Sites (docs/contract.md §6.1) and their energy (§6.4).
//
// - GET /api/v1/sites: the sites the caller may see (admin: all; others: those assigned), in id
//   order, {"id", "name", "timezone", "device_count"} each, paged by `limit` / `cursor`.
// - GET /api/v1/sites/{site}: one of them; a site the caller may not see answers 404 like an
//   unknown one.
// - POST /api/v1/sites {"id"?, "name", "timezone"?} (admin) → 201 with the site; an id
//   "site-<16 hex>" is made when none is given, the zone defaults to UTC; a taken id → 409. The
//   site takes devices (POST /api/v1/sites/{site}/devices) and users at once.
// - PUT /api/v1/sites/{site} (admin), same body: renames the site, and sets its zone when one is
//   given (an "id" in it must be the path's). Stored 1d/1mo rollups keep the zone they were built
//   in.
// - DELETE /api/v1/sites/{site}[?cascade=true] (admin) → 204: a site that still holds devices,
//   charging sessions or contracts answers 409 naming them unless cascade=true, which deletes
//   them with it (RemoveSite). Afterwards the site's retained summary and its EVs' retained
//   schedules are cleared on the broker.
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
// - GET /api/v1/sites/{site}/tariff?from=&to=: the site's prices with validity (docs/contract.md
//   §4.1) that overlap [from, to), {"site_id", "currency", "prices": [{"start", "end",
//   "price_per_kwh"}]}; currency null and no prices when no tariff ever arrived. Defaults: 72
//   hours from 24 hours ago (yesterday's, today's and tomorrow's prices), or 72 hours from or to
//   the one bound given; from ≥ to or a range over 400 days answer 422.
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/energy_codec.h"
#include "ems/codec/site_codec.h"
#include "ems/codec/tariff_codec.h"
#include "ems/domain/energy.h"
#include "ems/domain/rollup.h"
#include "ems/mqtt/topics.h"
#include "ems/store/site_removal.h"

namespace ems::api {
namespace {

Json SiteJson(const store::Site& site) {
  return {{"id", site.id},
          {"name", site.name},
          {"timezone", site.timezone},
          {"device_count", site.device_count}};
}

void ListSites(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
               const Principal& caller) {
  const auto after = QueryCursor<std::string>(req).value_or("");
  const auto page = ctx.Store().Sites().List(caller.visibility(), after, QueryLimit(req));
  SendJsonText(res, 200, PageAnswer(page, SiteJson));
}

void GetSite(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
             const Principal& caller) {
  SendJson(res, 200, SiteJson(VisibleSite(ctx.Store(), PathId(req, 1), caller)));
}

void CreateSite(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto body = ValueOrFail(codec::DecodeSiteBody(req.body));
  const auto id = body.id.value_or(RandomId("site-"));
  auto& store = ctx.Store();
  const auto site = InWriteTransaction(store, [&] {
    if (!store.Sites().Ensure(id, body.name, body.timezone.value_or("UTC"), Now())) {
      Fail(ErrorCode::kConflict, "Site " + id + " already exists.");
    }
    return VisibleSite(store, id, caller);
  });
  SendJson(res, 201, SiteJson(site));
}

void UpdateSite(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto site = InWriteTransaction(store, [&] {
    const auto stored = VisibleSite(store, id, caller);
    const auto body = ValueOrFail(codec::DecodeSiteBody(req.body));
    if (body.id && *body.id != id) {
      Fail(ErrorCode::kInvalidSite,
           "Field 'id' must be the id of the site in the path (" + id + ").");
    }
    store.Sites().Update(id, body.name, body.timezone.value_or(stored.timezone));
    return VisibleSite(store, id, caller);
  });
  SendJson(res, 200, SiteJson(site));
}

void DeleteSite(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal&) {
  const auto id = PathId(req, 1);
  const auto cascade = QueryString(req, "cascade").value_or("false");
  if (cascade != "true" && cascade != "false") {
    Fail(ErrorCode::kInvalidParameter, "Query parameter 'cascade' must be true or false.");
  }
  auto& store = ctx.Store();
  const auto removed = InWriteTransaction(
      store, [&] { return ValueOrFail(store::RemoveSite(store, id, cascade == "true", Now())); });
  // Its derived state was published retained (docs/contract.md §4.3): empty retained messages clear
  // it.
  ctx.publish_retained(mqtt::SummaryTopic(ctx.topic_prefix, id), "");
  for (const auto& ev : removed.ev_ids) {
    ctx.publish_retained(mqtt::ScheduleTopic(ctx.topic_prefix, id, ev), "");
  }
  for (const auto& device : removed.device_ids) ClearDeviceTopics(ctx, id, device);
  ClearSiteTopics(ctx, id);
  res.status = 204;
}

void EnergySummary(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto readings = ReadVisible(
      store, [&] { return VisibleSite(store, id, caller); },
      [&](const store::Site&) { return store.Readings().SiteReadings(id); });
  SendSummary(
      req, res,
      codec::EncodeEnergySummary(ComputeEnergySummary(id, readings, Now(), ctx.stale_after)));
}

void FleetEnergySummary(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const Principal& caller) {
  const auto now = Now();
  std::vector<ems::EnergySummary> per_site;
  for (const auto& site : ctx.Store().Readings().VisibleSiteReadings(caller.visibility())) {
    per_site.push_back(ComputeEnergySummary(site.site_id, site.devices, now, ctx.stale_after));
  }
  SendSummary(req, res, codec::EncodeFleetEnergySummary(SumEnergySummaries(per_site, now)));
}

void EnergySeries(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const Principal& caller) {
  const auto id = PathId(req, 1);
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  const auto range = QuerySeriesRange(req);
  const Timestamp from = range.first, to = range.second;
  const auto interval = QueryInterval(req);
  if (interval == Interval::kRaw) {
    Fail(ErrorCode::kInvalidQuery, "Energy series need an interval of 1m or coarser, not raw.");
  }
  const Interval chosen = interval.value_or(DefaultInterval(from, to));
  auto& store = ctx.Store();
  const auto buckets = ReadVisible(
      store, [&] { return VisibleSite(store, id, caller); },
      [&](const store::Site& site) {
        return ValueOrFail(store.Readings().EnergySeries(id, site.timezone, from, to, chosen));
      });
  SendCached(req, res, codec::EncodeEnergySeries(id, chosen, buckets).dump(), "application/json",
             RangeCacheControl(to, Now()));
}

void SiteTariff(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                const Principal& caller) {
  const auto id = PathId(req, 1);
  // Defaults span 72 hours: yesterday, today and tomorrow, or from the one bound given.
  constexpr auto kSpan = std::chrono::hours(72);
  const auto [from_param, to_param] = QueryRange(req);
  const Timestamp from =
      from_param.value_or(to_param ? *to_param - kSpan : Now() - std::chrono::hours(24));
  const Timestamp to = to_param.value_or(from + kSpan);
  if (to - from > kMaxRawRange) {
    Fail(ErrorCode::kInvalidQuery, "A tariff range may span at most 400 days.");
  }
  auto& store = ctx.Store();
  const auto tariff = ReadVisible(
      store, [&] { return VisibleSite(store, id, caller); },
      [&](const store::Site&) { return store.Tariffs().Get(id, from, to); });
  Json answer = tariff ? codec::EncodeTariff(*tariff)
                       : Json{{"currency", nullptr}, {"prices", Json::array()}};
  answer["site_id"] = id;
  SendCached(req, res, answer.dump(), "application/json", kRevalidate);
}

}  // namespace

void RegisterSiteRoutes(Router& router) {
  router.Get("/api/v1/sites", Access::kAnyUser, ListSites);
  router.Post("/api/v1/sites", Access::kAdmin, CreateSite);
  router.Get(R"(/api/v1/sites/([^/]+))", Access::kAnyUser, GetSite);
  router.Put(R"(/api/v1/sites/([^/]+))", Access::kAdmin, UpdateSite);
  router.Delete(R"(/api/v1/sites/([^/]+))", Access::kAdmin, DeleteSite);
  router.Get(R"(/api/v1/sites/([^/]+)/energy/summary)", Access::kAnyUser, EnergySummary);
  router.Get(R"(/api/v1/sites/([^/]+)/energy/series)", Access::kAnyUser, EnergySeries);
  router.Get(R"(/api/v1/sites/([^/]+)/tariff)", Access::kAnyUser, SiteTariff);
  router.Get("/api/v1/energy/summary", Access::kAnyUser, FleetEnergySummary);
}

}  // namespace ems::api
