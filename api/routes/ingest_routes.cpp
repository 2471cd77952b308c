#include "api/routes/routes.h"
#include "ems/store/ingest_repository.h"

namespace ems::api {

void RegisterIngestRoutes(Router& router, ApiContext& ctx) {
  router.Get("/api/v1/ingest/stats",
             Authed(ctx, Access::kAdmin,
                    [&ctx](const httplib::Request&, httplib::Response& res, const Principal&) {
                      store::IngestRepository ingest(ctx.Db());
                      const auto t = ingest.Totals();
                      SendJson(res, 200,
                               {{"received", t.received},
                                {"stored", t.stored},
                                {"duplicates", t.duplicates},
                                {"rejected", t.rejected},
                                {"rejected_by_reason", t.rejected_by_reason},
                                {"last_message_at", t.last_message_at
                                                        ? Json(FormatTimestamp(*t.last_message_at))
                                                        : Json(nullptr)}});
                    }));

  router.Get("/api/v1/ingest/dead-letters",
             Authed(ctx, Access::kAdmin,
                    [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
                      std::optional<std::int64_t> before;
                      if (const auto cursor = QueryCursor(req)) {
                        if (!cursor->is_number_integer()) {
                          BadCursor();
                        }
                        before = cursor->get<std::int64_t>();
                      }
                      const int limit = QueryLimit(req);
                      store::IngestRepository ingest(ctx.Db());
                      auto rows =
                          ingest.ListDeadLetters(limit + 1, before, QueryString(req, "reason"));
                      std::optional<Json> next;
                      if (static_cast<int>(rows.size()) > limit) {
                        rows.pop_back();
                        next = rows.back().id;
                      }
                      Json items = Json::array();
                      for (const auto& d : rows) {
                        items.push_back({{"id", d.id},
                                         {"received_at", FormatTimestamp(d.received_at)},
                                         {"topic", d.topic},
                                         {"payload", d.payload},
                                         {"reason", d.reason},
                                         {"message", d.message}});
                      }
                      SendJson(res, 200, ListAnswer(std::move(items), next));
                    }));
}

}  // namespace ems::api
