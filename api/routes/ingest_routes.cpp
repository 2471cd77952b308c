#include "api/routes/routes.h"
#include "ems/store/ingest_repository.h"
#include "ems/store/listener_status.h"

namespace ems::api {
namespace {

// A listener whose status file is older than this is not running: its figures are history.
constexpr auto kStatusFresh = std::chrono::seconds(30);

// Each listener's storage condition and queue, from the status files beside the database
// (SPEC §4.4): the database cannot tell that it is failing.
Json ListenerStatuses(const std::string& db_path, Json& storage_error) {
  Json listeners = Json::array();
  const auto now = Now();
  for (const auto& s : store::ReadListenerStatuses(db_path)) {
    const bool running = now - s.updated_at < kStatusFresh;
    Json error = nullptr;
    if (s.storage_error_since) {
      error = {{"since", FormatTimestamp(*s.storage_error_since)}, {"message", s.storage_error}};
      if (running && storage_error.is_null()) {
        storage_error = error;
        storage_error["listener"] = s.listener;
      }
    }
    listeners.push_back({{"id", s.listener},
                         {"running", running},
                         {"updated_at", FormatTimestamp(s.updated_at)},
                         {"queue_messages", s.queue_messages},
                         {"queue_bytes", s.queue_bytes},
                         {"storage_error", std::move(error)}});
  }
  return listeners;
}

}  // namespace

void RegisterIngestRoutes(Router& router, ApiContext& ctx) {
  router.Get("/api/v1/ingest/stats",
             Authed(ctx, Access::kAdmin,
                    [&ctx](const httplib::Request&, httplib::Response& res, const Principal&) {
                      store::IngestRepository ingest(ctx.Db());
                      const auto t = ingest.Totals();
                      Json storage_error = nullptr;
                      Json listeners = ListenerStatuses(ctx.db_path, storage_error);
                      SendJson(res, 200,
                               {{"received", t.received},
                                {"stored", t.stored},
                                {"duplicates", t.duplicates},
                                {"rejected", t.rejected},
                                {"rejected_by_reason", t.rejected_by_reason},
                                {"last_message_at", t.last_message_at
                                                        ? Json(FormatTimestamp(*t.last_message_at))
                                                        : Json(nullptr)},
                                {"storage_error", std::move(storage_error)},
                                {"listeners", std::move(listeners)}});
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
