// Contracts and component timelines (SPEC §6.7) over REST: the contract resource, its event log
// and timeline, and the event operation on two routes — POST /api/v1/contracts/events (HTTP
// status carries the outcome) and POST /event (existing clients' convention: always 200, the
// outcome in `status`).
//
// Access: reads need any authenticated user; writes (create and delete contracts, events) need
// admin until roles are mapped to contracts. Every write runs in one IMMEDIATE transaction on
// this thread's connection; the rules live in ems/domain/contract.h and the storage in
// ems/store/contract_repository.h, so the listener (MQTT {p}/contracts/events) applies the very
// same operation.
#include <SQLiteCpp/Transaction.h>

#include "api/routes/routes.h"
#include "ems/codec/contract_codec.h"
#include "ems/store/contract_repository.h"

namespace ems::api {
namespace {

constexpr std::string_view kUnknownContract = "unknown_contract";

// Like ThrowReject, but an unknown contract is a 404 (the repository's reason is specific).
[[noreturn]] void ThrowContractReject(const Reject& r) {
  if (r.reason == kUnknownContract) throw HttpError{404, r.message};
  ThrowReject(r);
}

// What one event POST did: the outcome in the replay, or why nothing was stored.
struct EventPost {
  // Set when the event was stored (or was a duplicate of a stored one).
  std::optional<EventOutcome> outcome;
  // Set when nothing was stored: a body that is not a JSON object ("invalid_json"), a body with
  // missing or mistyped fields ("invalid_contract_event"), or an unknown contract.
  std::optional<Reject> reject;
};

// The event operation both routes share: decode, then append in one transaction. A rule-rejected
// event is stored (and committed) too, so it is listed with its reason.
EventPost PostEvent(ApiContext& ctx, const httplib::Request& req) {
  const Timestamp arrival = Now();
  auto event = codec::DecodeContractEvent(req.body, arrival);
  if (!event) return EventPost{std::nullopt, event.error()};
  SQLite::Database& db = ctx.Db();
  store::ContractRepository contracts(db);
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  const auto appended = contracts.AppendEvent(*event, arrival);
  if (!appended) return EventPost{std::nullopt, appended.error()};
  tx.commit();
  return EventPost{appended->outcome, std::nullopt};
}

Json RejectedAnswer(const std::string& message) {
  return codec::EncodeEventOutcome(EventOutcome{EventStatus::kRejected, message});
}

}  // namespace

void RegisterContractRoutes(Router& router, ApiContext& ctx) {
  router.Post(
      "/api/v1/contracts",
      Authed(ctx, Access::kAdmin,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
               const auto contract = codec::DecodeContract(req.body, Now());
               if (!contract)
                 ThrowReject(contract.error());  // invalid_json → 400, invalid_contract → 422
               SQLite::Database& db = ctx.Db();
               store::ContractRepository contracts(db);
               SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
               const auto created = contracts.CreateContract(*contract);
               if (!created) ThrowReject(created.error());  // conflict → 409
               tx.commit();
               SendJson(res, 201, codec::EncodeContract(*created));
             }));

  router.Get("/api/v1/contracts",
             Authed(ctx, Access::kAnyUser,
                    [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
                      const auto after = QueryStringCursor(req);
                      store::ContractRepository contracts(ctx.Db());
                      const auto page = contracts.ListContracts(QueryLimit(req), after);
                      Json items = Json::array();
                      for (const auto& c : page.items) items.push_back(codec::EncodeContract(c));
                      std::optional<Json> next;
                      if (page.next_after) next = Json(*page.next_after);
                      SendJson(res, 200, ListAnswer(std::move(items), next));
                    }));

  // Registered before /api/v1/contracts/{n} only for readability: no GET shares this path.
  router.Post("/api/v1/contracts/events",
              Authed(ctx, Access::kAdmin,
                     [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
                       const auto post = PostEvent(ctx, req);
                       if (post.reject) {
                         if (post.reject->reason == "invalid_json") {
                           throw HttpError{400, post.reject->message};
                         }
                         const int status = post.reject->reason == kUnknownContract ? 404 : 422;
                         SendJson(res, status, RejectedAnswer(post.reject->message));
                         return;
                       }
                       SendJson(res, post.outcome->status == EventStatus::kAccepted ? 200 : 422,
                                codec::EncodeEventOutcome(*post.outcome));
                     }));

  // The original contract-timeline service's route: every outcome is HTTP 200 with "accepted" or
  // "rejected" in `status` (also an unknown contract or a field error); only a body that is not
  // a JSON object (400) and authentication (401/403) answer otherwise.
  router.Post("/event",
              Authed(ctx, Access::kAdmin,
                     [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
                       const auto post = PostEvent(ctx, req);
                       if (post.reject) {
                         if (post.reject->reason == "invalid_json")
                           throw HttpError{400, post.reject->message};
                         SendJson(res, 200, RejectedAnswer(post.reject->message));
                         return;
                       }
                       SendJson(res, 200, codec::EncodeEventOutcome(*post.outcome));
                     }));

  router.Get(R"(/api/v1/contracts/([^/]+))",
             Authed(ctx, Access::kAnyUser,
                    [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
                      const auto number = PathId(req, 1);
                      store::ContractRepository contracts(ctx.Db());
                      const auto contract = contracts.GetContract(number);
                      if (!contract) ThrowContractReject(contract.error());
                      SendJson(res, 200, codec::EncodeContract(*contract));
                    }));

  router.Delete(
      R"(/api/v1/contracts/([^/]+))",
      Authed(ctx, Access::kAdmin,
             [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
               const auto number = PathId(req, 1);
               SQLite::Database& db = ctx.Db();
               store::ContractRepository contracts(db);
               SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
               const auto deleted = contracts.DeleteContract(number);
               if (!deleted) ThrowContractReject(deleted.error());
               tx.commit();
               res.status = 204;
             }));

  router.Get(R"(/api/v1/contracts/([^/]+)/events)",
             Authed(ctx, Access::kAnyUser,
                    [&ctx](const httplib::Request& req, httplib::Response& res, const Principal&) {
                      const auto number = PathId(req, 1);
                      std::optional<store::ContractEventCursor> after;
                      if (const auto text = QueryStringCursor(req)) {
                        after = store::ParseContractEventCursor(*text);
                        if (!after) BadCursor();
                      }
                      const int limit = QueryLimit(req);
                      store::ContractRepository contracts(ctx.Db());
                      const auto page = contracts.ListEvents(number, limit, after);
                      if (!page) ThrowContractReject(page.error());
                      Json items = Json::array();
                      for (const auto& r : page->items) {
                        items.push_back(codec::EncodeContractEventRecord(r));
                      }
                      std::optional<Json> next;
                      if (page->next) next = Json(store::FormatContractEventCursor(*page->next));
                      SendJson(res, 200, ListAnswer(std::move(items), next));
                    }));

  const auto timeline = [&ctx](const httplib::Request& req, httplib::Response& res,
                               const Principal&) {
    const auto number = PathId(req, 1);
    store::ContractRepository contracts(ctx.Db());
    const auto t = contracts.GetTimeline(number);
    if (!t) ThrowContractReject(t.error());
    SendJson(res, 200, codec::EncodeTimeline(*t));
  };
  router.Get(R"(/api/v1/contracts/([^/]+)/timeline)", Authed(ctx, Access::kAnyUser, timeline));
  // The original service's route for the same timeline.
  router.Get(R"(/([^/]+)/contract_timeline)", Authed(ctx, Access::kAnyUser, timeline));
}

}  // namespace ems::api
