// Contracts, their append-only event history and the stored timeline projection in SQLite
// (SPEC §6.7, §4.4). Schema: shared/sql/0003_contracts.sql.
//
// What callers can rely on:
//   - Stored statuses and timelines always equal ReplayContract over the contract's stored events
//     (ems/domain/contract.h): AppendEvent keeps them so incrementally. An event that replays
//     last for its component costs O(log n); a late one re-derives only the later events of its
//     own component (O(log n + k), k = those events) and reports how many statuses changed.
//   - Idempotent: an event equal in (contract_number, type, date, created_at) to a stored one is
//     stored once; appending it again changes nothing and answers the stored status.
//   - GetTimeline reads the projection: O(components), independent of the history's length.
//   - Operations on one contract answer Rejected("unknown_contract", "Contract 9999 not
//     found.") when it does not exist (REST: 404).
//
// Transactions: the repository never BEGINs or COMMITs; the caller owns the transaction (the
// listener wraps a whole batch in one, the API one per request), so several calls commit or roll
// back together. The writes that touch several rows (CreateContract, DeleteContract, AppendEvent,
// RebuildContract) throw std::logic_error when called outside a transaction, because a crash
// between their statements would leave statuses or the projection out of step with the history.
//
// Thread-safety: none. One repository per connection, one connection per thread. Statements are
// prepared once in the constructor, so the repository must not outlive `db`. SQLite errors are
// thrown as SQLite::Exception (infrastructure failures, caught at the process edge).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/contract.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::store {

// Page sizes are clamped to [1, kMaxContractPageLimit] (SPEC §6: max 1000).
inline constexpr int kMaxContractPageLimit = 1000;

struct ContractPage {
  std::vector<Contract> items;  // ascending by contract_number
  // The contract_number to pass as `after` for the next page; null on the last page.
  std::optional<std::string> next_after;
};

// Keyset position in a contract's replay order: the last event of a page.
struct ContractEventCursor {
  Timestamp created_at;
  std::int64_t seq = 0;
  friend bool operator==(const ContractEventCursor&, const ContractEventCursor&) = default;
};
// Text form "<created_at ms>.<seq>" for building opaque REST cursors, and its parser (std::nullopt
// for anything malformed).
std::string FormatContractEventCursor(const ContractEventCursor& cursor);
std::optional<ContractEventCursor> ParseContractEventCursor(std::string_view text);

struct ContractEventPage {
  std::vector<ContractEventRecord> items;   // replay order, each with its seq and current status
  std::optional<ContractEventCursor> next;  // null on the last page
};

struct AppendResult {
  // The event's status and message in the replay of the contract's history. For a duplicate:
  // the stored event's current ones.
  EventOutcome outcome;
  bool duplicate = false;
  std::int64_t seq = 0;       // arrival order of the stored event
  std::size_t rederived = 0;  // later events whose stored status changed (late arrivals only)
};

class ContractRepository {
 public:
  explicit ContractRepository(SQLite::Database& db);

  // Stores a new contract (validated by ValidateContract: "invalid_contract") with an empty
  // timeline. Rejected("conflict", "Contract 1001 already exists.") when the number is taken.
  // Needs a transaction.
  Result<Contract> CreateContract(const Contract& contract);

  // The contract, components in canonical order.
  Result<Contract> GetContract(const std::string& contract_number);

  // Keyset page of contracts ascending by contract_number, starting after `after` (exclusive).
  ContractPage ListContracts(int limit, const std::optional<std::string>& after);

  // Removes the contract, its events and its timeline. Needs a transaction.
  Result<void> DeleteContract(const std::string& contract_number);

  // Stores `event` (its seq is ignored: arrival order is assigned here) received at `arrival`,
  // and returns its status in the replay. Unknown types and components the contract lacks are
  // stored as rejected, so they are listed with their reason. When the event replays before
  // already stored events of its component, their statuses and the timeline are re-derived.
  // Rejected("unknown_contract", ...) stores nothing. Needs a transaction.
  Result<AppendResult> AppendEvent(const ContractEvent& event, Timestamp arrival);

  // The contract's events in replay order (created_at, then arrival), after `after`.
  Result<ContractEventPage> ListEvents(const std::string& contract_number, int limit,
                                       const std::optional<ContractEventCursor>& after);

  // The stored timeline projection, one entry per component of the contract.
  Result<ContractTimeline> GetTimeline(const std::string& contract_number);

  // Replays the whole stored history and rewrites every status and the projection that differ
  // (a repair and verification tool; O(n log n)). Returns how many event statuses changed,
  // which is 0 whenever the invariant above holds. Needs a transaction.
  Result<std::size_t> RebuildContract(const std::string& contract_number);

 private:
  void RequireTransaction(const char* operation) const;
  std::optional<ContractTimeline> LoadTimeline(const std::string& contract_number);
  std::optional<Date> LastAcceptedDate(const std::string& contract_number, const std::string& type,
                                       Timestamp up_to);
  std::int64_t InsertEvent(const ContractEvent& event, std::optional<ContractComponent> component,
                           const EventOutcome& outcome, Timestamp arrival);
  void UpdateStatus(std::int64_t seq, const EventOutcome& outcome);
  void WriteSpan(const std::string& contract_number, ContractComponent component,
                 const ComponentSpan& span);

  SQLite::Database& db_;
  SQLite::Statement insert_contract_;
  SQLite::Statement insert_component_;
  SQLite::Statement load_contract_;
  SQLite::Statement list_contracts_;
  SQLite::Statement delete_events_;
  SQLite::Statement delete_components_;
  SQLite::Statement delete_contract_;
  SQLite::Statement load_timeline_;
  SQLite::Statement find_duplicate_;
  SQLite::Statement insert_event_;
  SQLite::Statement component_tail_;
  SQLite::Statement last_accepted_;
  SQLite::Statement update_status_;
  SQLite::Statement write_span_;
  SQLite::Statement list_events_;
  SQLite::Statement all_events_;
};

}  // namespace ems::store
