// Metric subscriptions (docs/contract.md §6.3): a user's named sets of metrics of any devices they
// can see, across sites. A subscription belongs to the user who created it, whatever their role;
// another user's answers 404 exactly like a missing one.
//
// - POST /api/v1/subscriptions {"name", "metrics": [{"device_id", "metric"}]} → 201 with the
//   subscription {"id", "name", "metrics", "created_at", "updated_at"}, id "sub-<16 hex>".
//   1 to 100 metrics, none twice; a body breaking that → 422 naming the field, not JSON → 400.
//   A device the caller may not see → 404 "Device x not found.", exactly as a missing device;
//   a metric the device does not expose (neither reported nor typical of its type) → 404.
// - GET /api/v1/subscriptions: the caller's own, in id order, paged by `limit` / `cursor`.
// - GET /api/v1/subscriptions/{id}; PUT (the same body and rules as POST) replaces name and
//   metrics → 200; DELETE → 204.
// - GET /api/v1/subscriptions/{id}/series?from=&to=&interval=&agg=: one series per metric, in
//   the subscription's order, from the stored rollups exactly as the device series answers it
//   (QuerySeriesWindow, TelemetryReader::Series), each in its own site's zone. The point
//   limit counts the whole answer: more than 100 000 points over all series → 422 naming a
//   coarser interval. A metric whose device was deleted, or which the caller may no longer see,
//   is answered with "status": "unavailable" (no site, zone or points) instead of failing the
//   request or showing its data.
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/subscription_codec.h"
#include "ems/domain/subscription.h"

namespace ems::api {
namespace {

[[noreturn]] void SubscriptionNotFound(const std::string& id) {
  Fail(NotFound("Subscription", id));
}

// The caller's subscription `id`, else kNotFound.
Subscription OwnSubscription(store::Store& store, const std::string& id, const Principal& caller) {
  auto subscription = store.Subscriptions().Get(id, caller.username);
  if (!subscription) SubscriptionNotFound(id);
  return std::move(*subscription);
}

// The body of POST and PUT, once the caller may subscribe every metric in it.
SubscriptionSpec SubscribableBody(store::Store& store, const httplib::Request& req,
                                  const Principal& caller) {
  auto spec = ValueOrFail(codec::DecodeSubscriptionBody(req.body));
  ValueOrFail(RequireSubscribable(
      spec.metrics, store.Subscriptions().Resolve(spec.metrics, caller.visibility())));
  return spec;
}

void CreateSubscription(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const Principal& caller) {
  auto& store = ctx.Store();
  const auto created = InWriteTransaction(store, [&] {
    const auto spec = SubscribableBody(store, req, caller);
    return ValueOrFail(
        store.Subscriptions().Create(RandomId("sub-"), caller.username, spec, Now()));
  });
  SendJson(res, 201, codec::EncodeSubscription(created));
}

void ListSubscriptions(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                       const Principal& caller) {
  const auto after = QueryCursor<std::string>(req).value_or("");
  const auto page = ctx.Store().Subscriptions().List(caller.username, after, QueryLimit(req));
  SendJsonText(res, 200, PageAnswer(page, codec::EncodeSubscription));
}

void GetSubscription(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                     const Principal& caller) {
  SendJson(res, 200,
           codec::EncodeSubscription(OwnSubscription(ctx.Store(), PathId(req, 1), caller)));
}

void UpdateSubscription(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const Principal& caller) {
  const auto id = PathId(req, 1);
  auto& store = ctx.Store();
  const auto updated = InWriteTransaction(store, [&] {
    OwnSubscription(store, id, caller);
    const auto spec = SubscribableBody(store, req, caller);
    return ValueOrFail(store.Subscriptions().Update(id, caller.username, spec, Now()));
  });
  SendJson(res, 200, codec::EncodeSubscription(updated));
}

void DeleteSubscription(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const Principal& caller) {
  const auto id = PathId(req, 1);
  if (!ctx.Store().Subscriptions().Delete(id, caller.username)) SubscriptionNotFound(id);
  res.status = 204;
}

void SubscriptionSeries(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const Principal& caller) {
  const auto id = PathId(req, 1);
  const auto window = QuerySeriesWindow(req);
  auto& store = ctx.Store();
  Subscription subscription;
  std::vector<std::optional<MetricTarget>> targets;
  auto points = InSnapshot(store, [&] {
    subscription = OwnSubscription(store, id, caller);
    // One target per metric (Resolve's contract); only the available ones are read.
    targets = store.Subscriptions().Resolve(subscription.metrics, caller.visibility());
    std::vector<store::SeriesKey> keys;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (targets[i]) {
        const auto& m = subscription.metrics[i];
        keys.push_back(store::SeriesKey{m.device_id, m.metric, targets[i]->timezone});
      }
    }
    return ValueOrFail(store.Readings().Series(keys, window));
  });
  std::vector<codec::SubscriptionSeries> series(targets.size());
  auto next = points.begin();
  for (std::size_t i = 0; i < targets.size(); ++i) {
    series[i].metric = subscription.metrics[i];
    if (targets[i]) {
      series[i].site_id = targets[i]->site_id;
      series[i].timezone = targets[i]->timezone;
      series[i].points = std::move(*next++);
    }
  }
  SendCached(req, res, codec::EncodeSubscriptionSeries(subscription, window, series),
             "application/json", RangeCacheControl(window.to, Now()));
}

}  // namespace

void RegisterSubscriptionRoutes(Router& router) {
  router.Post("/api/v1/subscriptions", Access::kAnyUser, CreateSubscription);
  router.Get("/api/v1/subscriptions", Access::kAnyUser, ListSubscriptions);
  router.Get(R"(/api/v1/subscriptions/([^/]+))", Access::kAnyUser, GetSubscription);
  router.Put(R"(/api/v1/subscriptions/([^/]+))", Access::kAnyUser, UpdateSubscription);
  router.Delete(R"(/api/v1/subscriptions/([^/]+))", Access::kAnyUser, DeleteSubscription);
  router.Get(R"(/api/v1/subscriptions/([^/]+)/series)", Access::kAnyUser, SubscriptionSeries);
}

}  // namespace ems::api
