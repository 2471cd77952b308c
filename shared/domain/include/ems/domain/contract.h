// Contracts and their component timelines (docs/contract.md §6.7): which components a contract has,
// the start/end events that move each component's dates, and the rules that accept or reject them.
//
// Pure and deterministic: no I/O, no clock. The timeline of a contract is, by definition, the
// replay of all its stored events ordered by (created_at, seq), where `seq` is the arrival order
// assigned by storage. Callers can rely on:
//   - ReplayContract(contract, events) gives the same statuses and timeline for the same events,
//     whatever order they are passed in;
//   - appending an event that sorts after every event already applied with ApplyContractEvent
//     gives exactly what a full replay would (so in-order arrivals cost O(1));
//   - the rules are per component: an event's outcome depends only on the event and its own
//     component's span, and it writes only that span. So a late event can change the statuses of
//     later events of its component only, and two histories whose spans of a component are equal
//     at some point give the same outcomes for that component from there on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems {

// --- components and event types ---

enum class ContractComponent { kEnergySupply, kBatteryOptimization, kHeatpumpOptimization };

// Every component, in canonical order (the order of encoded lists and timelines).
inline constexpr std::array<ContractComponent, 3> kContractComponents = {
    ContractComponent::kEnergySupply, ContractComponent::kBatteryOptimization,
    ContractComponent::kHeatpumpOptimization};

// "energy_supply", "battery_optimization", "heatpump_optimization".
std::string_view ToString(ContractComponent c);
std::optional<ContractComponent> ParseContractComponent(std::string_view name);

enum class ContractEventKind { kStart, kEnd };

// A known event type, e.g. "supply_energy_start" = {kEnergySupply, kStart}.
struct ContractEventType {
  ContractComponent component = ContractComponent::kEnergySupply;
  ContractEventKind kind = ContractEventKind::kStart;
  friend bool operator==(const ContractEventType&, const ContractEventType&) = default;
};

// "supply_energy_start|end", "battery_optimization_start|end", "heatpump_optimization_start|end";
// std::nullopt for anything else (such events are stored and answered as rejected).
std::optional<ContractEventType> ParseContractEventType(std::string_view type);
std::string ToString(ContractEventType type);

// --- contracts ---

struct Contract {
  std::string contract_number;                // an id (docs/contract.md §3)
  std::vector<ContractComponent> components;  // non-empty, distinct, canonical order
  Timestamp created_at;
  std::optional<std::string>
      site_id;  // the site it belongs to (docs/contract.md §5); none: admins only
  friend bool operator==(const Contract&, const Contract&) = default;
};

// The rules of a contract: a valid id, a valid site id when there is one, at least one
// component, none listed twice. Returns the contract with its components in canonical order.
// Rejects carry kInvalidContract.
Result<Contract> ValidateContract(Contract contract);

// True when `contract` has component `c`.
bool HasComponent(const Contract& contract, ContractComponent c);

// --- events ---

// Arrival order of an event not stored yet: it arrives after every stored event.
inline constexpr std::int64_t kUnassignedSeq = std::numeric_limits<std::int64_t>::max();

struct ContractEvent {
  std::string contract_number;
  std::string type;  // as received; unknown types are kept so they can be listed as rejected
  Date date;
  Timestamp created_at;               // the sender's time, or the arrival time when it sent none
  std::int64_t seq = kUnassignedSeq;  // arrival order, assigned by storage; breaks created_at ties
  friend bool operator==(const ContractEvent&, const ContractEvent&) = default;
};

// The replay order: by created_at, ties by seq.
bool ReplaysBefore(const ContractEvent& a, const ContractEvent& b);

enum class EventStatus { kAccepted, kRejected };
std::string_view ToString(EventStatus s);  // "accepted", "rejected"
std::optional<EventStatus> ParseEventStatus(std::string_view s);

// What the rules made of one event. `message` is one sentence: "Event processed successfully."
// when accepted, otherwise why it was rejected (it is the event's `reason` in listings).
struct EventOutcome {
  EventStatus status = EventStatus::kAccepted;
  std::string message;
  friend bool operator==(const EventOutcome&, const EventOutcome&) = default;
};

inline constexpr std::string_view kEventAcceptedMessage = "Event processed successfully.";

// An event together with its derived status, as listed by GET /api/v1/contracts/{n}/events.
struct ContractEventRecord {
  ContractEvent event;
  EventOutcome outcome;
  friend bool operator==(const ContractEventRecord&, const ContractEventRecord&) = default;
};

// --- timelines ---

// One component's dates; null until an accepted start (resp. end) set them.
struct ComponentSpan {
  std::optional<Date> start;
  std::optional<Date> end;
  friend bool operator==(const ComponentSpan&, const ComponentSpan&) = default;
};

struct ContractTimeline {
  std::string contract_number;
  // Exactly the contract's components (a component missing here is "not part of the contract"),
  // iterated in canonical order.
  std::map<ContractComponent, ComponentSpan> components;
  friend bool operator==(const ContractTimeline&, const ContractTimeline&) = default;
};

// The timeline of a contract before any event: every component with null dates.
ContractTimeline EmptyTimeline(const Contract& contract);

// Applies one event to `timeline` and says whether it was accepted. Rules (docs/contract.md §6.7),
// in order:
//   - an event of another contract, an unknown type, or a component the contract does not have
//     (not a key of timeline.components) is rejected;
//   - start: sets the start date, overwriting an earlier one; rejected when the component has an
//     end date earlier than the new start (a terminated component cannot be restarted);
//   - end: sets the end date, overwriting an earlier one; rejected when the component has no
//     start date, or when the new end is earlier than the start.
// A rejected event leaves `timeline` unchanged. Precondition (not checked): `event` replays after
// every event already applied to `timeline`; otherwise use ReplayContract.
EventOutcome ApplyContractEvent(ContractTimeline& timeline, const ContractEvent& event);

struct ContractReplay {
  ContractTimeline timeline;           // after the last event
  std::vector<EventOutcome> outcomes;  // outcomes[i] is the outcome of events[i] (input order)
  std::vector<std::size_t> order;      // indices into events, in replay order
};

// The timeline of `contract` as the replay of `events` (in any order; sorted here by
// ReplaysBefore, a stable sort, so equal keys keep their input order). O(n log n).
ContractReplay ReplayContract(const Contract& contract, std::span<const ContractEvent> events);

// Continues a replay from `initial`, the timeline reached by events that all replay before every
// one of `events`. This is how storage re-derives the tail of a component's history after a late
// arrival without replaying its whole past.
ContractReplay ReplayContract(ContractTimeline initial, std::span<const ContractEvent> events);

}  // namespace ems
