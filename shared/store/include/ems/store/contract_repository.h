// ContractRepository: contracts, their append-only event history and the stored timeline
// projection (docs/contract.md §6.7, §4.4), the only writer of the tables of
// store/sql/0003_contracts.sql.
//
// What callers can rely on:
//   - Stored statuses and timelines always equal ReplayContract over the contract's stored events
//     (ems/domain/contract.h): AppendEvent keeps them so incrementally. An event that replays
//     last for its component costs O(log n); a late one re-derives only the later events of its
//     own component (O(log n + k), k = those events) and reports how many statuses changed.
//   - Idempotent: an event equal in (contract_number, type, date, created_at) to a stored one is
//     stored once; appending it again changes nothing and answers the stored status.
//   - GetTimeline reads the projection: O(components), independent of the history's length.
//   - Operations on one contract reject kNotFound ("Contract 9999 not found.") when it
//     does not exist, or when the caller's Visibility does not include its site (docs/contract.md
//     §5: a contract without a site is seen only with Visibility::All()). Writes take no
//     Visibility: the caller first checks that it may see (GetContract) and change the contract.
//   - The writes that touch several rows (CreateContract, DeleteContract, DeleteBySite,
//     AppendEvent, RebuildContract) throw std::logic_error outside a transaction, because a crash
//     between their statements would leave statuses or the projection out of step with the history.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/contract.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"
#include "ems/store/page.h"
#include "ems/store/visibility.h"

namespace ems::store {

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
  virtual ~ContractRepository() = default;

  // Stores a new contract (validated by ValidateContract: kInvalidContract) with an empty
  // timeline. Rejects kConflict ("Contract 1001 already exists.") when the number is taken.
  virtual Result<Contract> CreateContract(const Contract& contract) = 0;

  // The contract, components in canonical order.
  virtual Result<Contract> GetContract(const std::string& contract_number,
                                       const Visibility& visibility) = 0;

  // Visible contracts ascending by contract_number after `after` (exclusive); `limit` is
  // clamped.
  virtual Page<Contract, std::string> ListContracts(const Visibility& visibility, int limit,
                                                    const std::optional<std::string>& after) = 0;

  // Removes the contract, its events and its timeline.
  virtual Result<void> DeleteContract(const std::string& contract_number) = 0;
  // Removes every contract of the site as DeleteContract does; how many.
  virtual int DeleteBySite(const std::string& site_id) = 0;

  // Stores `event` (its seq is ignored: arrival order is assigned here) received at `arrival`,
  // and returns its status in the replay. Unknown types and components the contract lacks are
  // stored as rejected, so they are listed with their reason. When the event replays before
  // already stored events of its component, their statuses and the timeline are re-derived.
  // kNotFound stores nothing.
  virtual Result<AppendResult> AppendEvent(const ContractEvent& event, Timestamp arrival) = 0;

  // The contract's events in replay order (created_at, then arrival), each with its seq and
  // current status, after `after`; `limit` is clamped.
  virtual Result<Page<ContractEventRecord, ContractEventCursor>> ListEvents(
      const std::string& contract_number, const Visibility& visibility, int limit,
      const std::optional<ContractEventCursor>& after) = 0;

  // The stored timeline projection, one entry per component of the contract.
  virtual Result<ContractTimeline> GetTimeline(const std::string& contract_number,
                                               const Visibility& visibility) = 0;

  // Replays the whole stored history and rewrites every status and the projection that differ
  // (a repair and verification tool; O(n log n)). Returns how many event statuses changed,
  // which is 0 whenever the invariant above holds.
  virtual Result<std::size_t> RebuildContract(const std::string& contract_number) = 0;
};

}  // namespace ems::store
