#include "ems/domain/contract.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "ems/domain/ids.h"

namespace ems {
namespace {

// Event type prefixes; note that energy_supply's events say "supply_energy".
std::string_view EventPrefix(ContractComponent c) {
  switch (c) {
    case ContractComponent::kEnergySupply:
      return "supply_energy";
    case ContractComponent::kBatteryOptimization:
      return "battery_optimization";
    case ContractComponent::kHeatpumpOptimization:
      return "heatpump_optimization";
  }
  return "";
}

EventOutcome Accepted() { return {EventStatus::kAccepted, std::string(kEventAcceptedMessage)}; }

EventOutcome RejectedEvent(std::string message) {
  return {EventStatus::kRejected, std::move(message)};
}

}  // namespace

std::string_view ToString(ContractComponent c) {
  switch (c) {
    case ContractComponent::kEnergySupply:
      return "energy_supply";
    case ContractComponent::kBatteryOptimization:
      return "battery_optimization";
    case ContractComponent::kHeatpumpOptimization:
      return "heatpump_optimization";
  }
  return "";
}

std::optional<ContractComponent> ParseContractComponent(std::string_view name) {
  for (const ContractComponent c : kContractComponents) {
    if (ToString(c) == name) return c;
  }
  return std::nullopt;
}

std::optional<ContractEventType> ParseContractEventType(std::string_view type) {
  for (const ContractComponent c : kContractComponents) {
    const std::string_view prefix = EventPrefix(c);
    if (!type.starts_with(prefix)) continue;
    const std::string_view suffix = type.substr(prefix.size());
    if (suffix == "_start") return ContractEventType{c, ContractEventKind::kStart};
    if (suffix == "_end") return ContractEventType{c, ContractEventKind::kEnd};
  }
  return std::nullopt;
}

std::string ToString(ContractEventType type) {
  std::string out(EventPrefix(type.component));
  out += type.kind == ContractEventKind::kStart ? "_start" : "_end";
  return out;
}

Result<Contract> ValidateContract(Contract contract) {
  if (!IsValidId(contract.contract_number)) {
    return Rejected(ErrorCode::kInvalidContract,
                    "Field 'contract_number' must be 1 to 64 characters of letters, digits, '_', "
                    "'.' or '-'.");
  }
  if (contract.site_id && !IsValidId(*contract.site_id)) {
    return Rejected(ErrorCode::kInvalidContract,
                    "Field 'site_id' must be 1 to 64 characters of letters, digits, '_', '.' or "
                    "'-'.");
  }
  if (contract.components.empty()) {
    return Rejected(ErrorCode::kInvalidContract, "A contract needs at least one component.");
  }
  std::ranges::sort(contract.components);
  const auto dup = std::ranges::adjacent_find(contract.components);
  if (dup != contract.components.end()) {
    return Rejected(ErrorCode::kInvalidContract,
                    "Component " + std::string(ToString(*dup)) + " is listed more than once.");
  }
  return contract;
}

bool HasComponent(const Contract& contract, ContractComponent c) {
  return std::ranges::find(contract.components, c) != contract.components.end();
}

bool ReplaysBefore(const ContractEvent& a, const ContractEvent& b) {
  if (a.created_at != b.created_at) return a.created_at < b.created_at;
  return a.seq < b.seq;
}

std::string_view ToString(EventStatus s) {
  return s == EventStatus::kAccepted ? "accepted" : "rejected";
}

std::optional<EventStatus> ParseEventStatus(std::string_view s) {
  if (s == "accepted") return EventStatus::kAccepted;
  if (s == "rejected") return EventStatus::kRejected;
  return std::nullopt;
}

ContractTimeline EmptyTimeline(const Contract& contract) {
  ContractTimeline timeline{.contract_number = contract.contract_number, .components = {}};
  for (const ContractComponent c : contract.components)
    timeline.components.emplace(c, ComponentSpan{});
  return timeline;
}

EventOutcome ApplyContractEvent(ContractTimeline& timeline, const ContractEvent& event) {
  if (event.contract_number != timeline.contract_number) {
    return RejectedEvent("The event is for contract " + event.contract_number + ", not " +
                         timeline.contract_number + ".");
  }
  const std::optional<ContractEventType> type = ParseContractEventType(event.type);
  if (!type) return RejectedEvent("Unknown event type '" + event.type + "'.");

  const std::string_view component = ToString(type->component);
  const auto it = timeline.components.find(type->component);
  if (it == timeline.components.end()) {
    return RejectedEvent("Component " + std::string(component) + " is not part of contract " +
                         timeline.contract_number + ".");
  }
  ComponentSpan& span = it->second;

  if (type->kind == ContractEventKind::kStart) {
    if (span.end && *span.end < event.date) {
      return RejectedEvent("Cannot restart " + std::string(component) + ": it ended on " +
                           FormatDate(*span.end) + ", before the new start " +
                           FormatDate(event.date) + ".");
    }
    span.start = event.date;
    return Accepted();
  }

  if (!span.start) {
    return RejectedEvent("Cannot end " + std::string(component) + ": it has no start date.");
  }
  if (event.date < *span.start) {
    return RejectedEvent("End date " + FormatDate(event.date) + " is before the start date " +
                         FormatDate(*span.start) + ".");
  }
  span.end = event.date;
  return Accepted();
}

ContractReplay ReplayContract(ContractTimeline initial, std::span<const ContractEvent> events) {
  ContractReplay replay{.timeline = std::move(initial), .outcomes = {}, .order = {}};
  replay.order.resize(events.size());
  std::iota(replay.order.begin(), replay.order.end(), std::size_t{0});
  const auto before = [&](std::size_t a, std::size_t b) {
    return ReplaysBefore(events[a], events[b]);
  };
  // Storage hands events over already in replay order; checking is O(n), sorting O(n log n).
  if (!std::ranges::is_sorted(replay.order, before)) std::ranges::stable_sort(replay.order, before);
  replay.outcomes.resize(events.size());
  for (const std::size_t i : replay.order) {
    replay.outcomes[i] = ApplyContractEvent(replay.timeline, events[i]);
  }
  return replay;
}

ContractReplay ReplayContract(const Contract& contract, std::span<const ContractEvent> events) {
  return ReplayContract(EmptyTimeline(contract), events);
}

}  // namespace ems
