// ErrorCode: the closed set of reasons an operation is refused for, and Reject, a code with the
// one human sentence that explains it (leveldb's Status, without the success case: Result<T>
// carries that).
//
// Every expected failure of the product is one of these codes, whichever layer finds it: a
// codec (invalid_json), a rule (contract_rule), a repository (conflict), the listener
// (unknown_topic) or the API (forbidden). The processes each map codes once: the API to an HTTP
// status (api/http.h HttpStatus), the listener to the reason of a dead letter, which is the
// code's name (ToString) — the names are stored in the database and shown in ingest stats, so
// they never change. Infrastructure failures (disk, broker, a corrupt stored row) are exceptions,
// not codes.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace ems {

enum class ErrorCode {
  // The input cannot be read at all: not JSON, too large, too deep, a malformed parameter.
  kInvalidJson,
  kInvalidParameter,  // a query parameter or cursor of a request that cannot be parsed
  // The input is readable but breaks a rule of its payload family or request.
  kInvalidMeta,
  kInvalidTelemetry,
  kInvalidSession,
  kInvalidTariff,
  kInvalidContract,
  kInvalidContractEvent,
  kInvalidDevice,
  kInvalidSchedule,
  kInvalidState,
  kInvalidSubscription,
  kInvalidQuery,  // a series or summary range the rules refuse
  kInvalidLogin,
  kInvalidUser,   // a user body or password the account rules refuse (docs/contract.md §5, §6.1)
  kInvalidSite,   // a site body the rules refuse (docs/contract.md §6.1)
  kContractRule,  // a contract event the timeline rules refuse (docs/contract.md §6.7)
  kDeviceSiteMismatch,  // a device addressed on a site it does not belong to
  kTooOld,              // telemetry older than the raw-retention cutoff
  kTooNew,              // telemetry stamped too far after the receiver's clock
  // What the operation names does not exist, or the caller may not see it: one code and one
  // sentence for both (NotFound), so no answer tells a hidden object from a missing one.
  kNotFound,
  // The listener's own names for what a message names and nothing stores: dead-letter reasons.
  kUnknownDevice,
  kUnknownContract,
  kUnknownTopic,
  kUnsupportedTopic,
  // The operation conflicts with the stored state (an id taken, an EV away from home).
  kConflict,
  // Who is asking: no valid credentials, too little role, too many failed logins.
  kUnauthorized,
  kForbidden,
  kThrottled,
  // The listener's own: applying the message failed, or crashed the process twice.
  kProcessingError,
  kPoison,
};

// The code's stable snake_case name, e.g. "invalid_json": what dead letters, ingest stats and
// logs show.
std::string_view ToString(ErrorCode code);
std::ostream& operator<<(std::ostream& out, ErrorCode code);

struct Reject {
  ErrorCode code;
  std::string message;  // one human sentence, ends with a period
};

// kNotFound with the one sentence every layer uses for it: "<Kind> <id> not found."
// (NotFound("Device", "ev-1") → "Device ev-1 not found.").
Reject NotFound(std::string_view kind, std::string_view id);

}  // namespace ems
