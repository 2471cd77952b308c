// Contracts and component timelines (docs/contract.md §6.7) over REST: the contract resource, its
// event log and timeline, and the event operation on two routes — POST /api/v1/contracts/events
// (HTTP status carries the outcome) and POST /event (existing clients' convention: always 200, the
// outcome in `status`).
//
// Access (docs/contract.md §5): a contract may belong to a site (`site_id`). Reads answer only
// contracts of sites the caller sees; a contract without a site is seen by admins alone, and one
// the caller may not see answers exactly as an unknown contract ("Contract 9999 not found.", 404;
// on the event routes the event convention's rejection). Writes — create, delete, events — need
// admin or a technician of the contract's site (SiteAction::kChangeContracts, else 403); a contract
// without a site is written by admins only. Every write runs in one write transaction on this
// thread's Store; the rules live in ems/domain/contract.h and the storage in
// ems/store/contract_repository.h, so the listener (MQTT {p}/contracts/events, a topic no site
// gateway may write) applies the very same operation.
#include "api/routes/lookup.h"
#include "api/routes/routes.h"
#include "ems/codec/contract_codec.h"

namespace ems::api {
namespace {

// The event operation both event routes share: decode, check the caller, then append in one
// transaction. A rule-rejected event is stored (and committed) too, so it is listed with its
// reason. Rejects: kInvalidJson (not a JSON object), kInvalidContractEvent (missing or mistyped
// fields), kNotFound (unknown or not visible: nothing stored). Fails kForbidden (403) for
// a caller who sees the contract but may not change it.
Result<EventOutcome> PostEvent(ApiContext& ctx, const httplib::Request& req,
                               const Principal& caller) {
  const Timestamp arrival = Now();
  EMS_TRY(event, codec::DecodeContractEvent(req.body, arrival));
  auto& store = ctx.Store();
  // The ChangeVisible steps, with a missing or hidden contract answered in the event convention.
  return InWriteTransaction(store, [&]() -> Result<EventOutcome> {
    const auto contract = store.Contracts().GetContract(event.contract_number, caller.visibility());
    if (!contract) return Unexpected(contract.error());
    caller.Require(SiteAction::kChangeContracts);
    EMS_TRY(appended, store.Contracts().AppendEvent(event, arrival));
    return appended.outcome;
  });
}

// The answer of an event route that stored nothing: a body that is not JSON is the usual 400
// error; anything else is answered in the event convention, {"status": "rejected", "message"}.
void SendEventReject(httplib::Response& res, const Reject& reject, int status) {
  if (reject.code == ErrorCode::kInvalidJson) Fail(reject);
  SendJson(res, status,
           codec::EncodeEventOutcome(EventOutcome{EventStatus::kRejected, reject.message}));
}

void CreateContract(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const Principal& caller) {
  const auto contract = ValueOrFail(codec::DecodeContract(req.body, Now()));
  auto& store = ctx.Store();
  const auto created = InWriteTransaction(store, [&] {
    if (contract.site_id) {
      VisibleSite(store, *contract.site_id, caller);
      caller.Require(SiteAction::kChangeContracts);
    } else if (!caller.is_admin()) {
      Fail(ErrorCode::kForbidden, "A contract without a site_id needs the admin role.");
    }
    return ValueOrFail(store.Contracts().CreateContract(contract));
  });
  SendJson(res, 201, codec::EncodeContract(created));
}

void ListContracts(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const Principal& caller) {
  const auto after = QueryCursor<std::string>(req);
  const auto page =
      ctx.Store().Contracts().ListContracts(caller.visibility(), QueryLimit(req), after);
  SendJsonText(res, 200, PageAnswer(page, codec::EncodeContract));
}

// POST /api/v1/contracts/events: the HTTP status carries the outcome (200 accepted, 422
// rejected, 404 unknown contract).
void PostContractEvent(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                       const Principal& caller) {
  const auto outcome = PostEvent(ctx, req, caller);
  if (!outcome) return SendEventReject(res, outcome.error(), HttpStatus(outcome.error().code));
  SendJson(res, outcome->status == EventStatus::kAccepted ? 200 : 422,
           codec::EncodeEventOutcome(*outcome));
}

// POST /event, the original contract-timeline service's route: every outcome is HTTP 200 with
// "accepted" or "rejected" in `status` (also an unknown contract or a field error); only a body
// that is not a JSON object (400) and authentication (401/403) answer otherwise.
void PostLegacyEvent(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                     const Principal& caller) {
  const auto outcome = PostEvent(ctx, req, caller);
  if (!outcome) return SendEventReject(res, outcome.error(), 200);
  SendJson(res, 200, codec::EncodeEventOutcome(*outcome));
}

void GetContract(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto contract =
      ValueOrFail(ctx.Store().Contracts().GetContract(PathId(req, 1), caller.visibility()));
  SendJson(res, 200, codec::EncodeContract(contract));
}

void DeleteContract(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                    const Principal& caller) {
  const auto number = PathId(req, 1);
  auto& store = ctx.Store();
  ChangeVisible(
      store, caller, SiteAction::kChangeContracts,
      [&] { return VisibleContract(store, number, caller); },
      [&](const Contract&) { ValueOrFail(store.Contracts().DeleteContract(number)); });
  res.status = 204;
}

void ListContractEvents(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                        const Principal& caller) {
  const auto number = PathId(req, 1);
  const auto after = QueryCursor<store::ContractEventCursor>(req);
  const auto page = ValueOrFail(
      ctx.Store().Contracts().ListEvents(number, caller.visibility(), QueryLimit(req), after));
  SendJsonText(res, 200, PageAnswer(page, codec::EncodeContractEventRecord));
}

void GetTimeline(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                 const Principal& caller) {
  const auto timeline =
      ValueOrFail(ctx.Store().Contracts().GetTimeline(PathId(req, 1), caller.visibility()));
  SendJson(res, 200, codec::EncodeTimeline(timeline));
}

}  // namespace

void RegisterContractRoutes(Router& router) {
  router.Post("/api/v1/contracts", Access::kAnyUser, CreateContract);
  router.Get("/api/v1/contracts", Access::kAnyUser, ListContracts);
  // Registered before /api/v1/contracts/{n} only for readability: no GET shares this path.
  router.Post("/api/v1/contracts/events", Access::kAnyUser, PostContractEvent);
  router.Post("/event", Access::kAnyUser, PostLegacyEvent);
  router.Get(R"(/api/v1/contracts/([^/]+))", Access::kAnyUser, GetContract);
  router.Delete(R"(/api/v1/contracts/([^/]+))", Access::kAnyUser, DeleteContract);
  router.Get(R"(/api/v1/contracts/([^/]+)/events)", Access::kAnyUser, ListContractEvents);
  router.Get(R"(/api/v1/contracts/([^/]+)/timeline)", Access::kAnyUser, GetTimeline);
  // The original service's route for the same timeline.
  router.Get(R"(/([^/]+)/contract_timeline)", Access::kAnyUser, GetTimeline);
}

}  // namespace ems::api
