// Ingest statistics and dead letters (docs/contract.md §4.4, §6), for admins.
//
// - GET /api/v1/ingest/stats: the stored totals and rejections by reason, plus each listener's
//   storage condition and queue from its status file (the database cannot tell that it fails).
// - GET /api/v1/ingest/dead-letters?reason=: newest first, paged by `limit` / `cursor`.
#include "api/routes/routes.h"
#include "ems/store/listener_status.h"

namespace ems::api {
namespace {

// A listener whose status file is older than this is not running: its figures are history.
constexpr auto kStatusFresh = std::chrono::seconds(30);

// Each listener's storage condition and queue, from the status files beside the database
// (docs/contract.md §4.4): the database cannot tell that it is failing.
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

void Stats(ApiContext& ctx, const httplib::Request&, httplib::Response& res, const Principal&) {
  const auto t = ctx.Store().Ingest().Totals();
  Json storage_error = nullptr;
  Json listeners = ListenerStatuses(ctx.db_path, storage_error);
  SendJson(res, 200,
           {{"received", t.received},
            {"stored", t.stored},
            {"duplicates", t.duplicates},
            {"rejected", t.rejected},
            {"rejected_by_reason", t.rejected_by_reason},
            {"last_message_at",
             t.last_message_at ? Json(FormatTimestamp(*t.last_message_at)) : Json(nullptr)},
            {"storage_error", std::move(storage_error)},
            {"listeners", std::move(listeners)}});
}

void DeadLetters(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal&) {
  const auto before = QueryCursor<std::int64_t>(req);
  const auto page =
      ctx.Store().Ingest().ListDeadLetters(QueryLimit(req), before, QueryString(req, "reason"));
  SendJsonText(res, 200, PageAnswer(page, [](const store::DeadLetter& d) {
                 return Json{{"id", d.id},         {"received_at", FormatTimestamp(d.received_at)},
                             {"topic", d.topic},   {"payload", d.payload},
                             {"reason", d.reason}, {"message", d.message}};
               }));
}

}  // namespace

void RegisterIngestRoutes(Router& router) {
  router.Get("/api/v1/ingest/stats", Access::kAdmin, Stats);
  router.Get("/api/v1/ingest/dead-letters", Access::kAdmin, DeadLetters);
}

}  // namespace ems::api
