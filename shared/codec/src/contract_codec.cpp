#include "ems/codec/contract_codec.h"

#include <string>
#include <utility>
#include <vector>

namespace ems::codec {
namespace {

constexpr ErrorCode kEventCode = ErrorCode::kInvalidContractEvent;
constexpr ErrorCode kContractCode = ErrorCode::kInvalidContract;

// A contract number as a string id, or as a JSON integer normalized to its decimal string.
Result<std::string> RequiredContractNumber(const Json& obj, ErrorCode code) {
  const auto it = obj.find("contract_number");
  if (it != obj.end() && it->is_number()) {
    auto n = RequiredInteger(obj, "contract_number", code);
    if (!n) {
      return Rejected(code, "Field 'contract_number' must be a string or an integer.");
    }
    return std::to_string(*n);
  }
  if (it != obj.end() && !it->is_null() && !it->is_string()) {
    return Rejected(code, "Field 'contract_number' must be a string or an integer.");
  }
  return RequiredId(obj, "contract_number", code);
}

Json DateOrNull(const std::optional<Date>& d) { return d ? Json(FormatDate(*d)) : Json(nullptr); }

Result<ContractEvent> DecodeEventObject(const Json& body, Timestamp arrival) {
  auto type = RequiredString(body, "type", kEventCode);
  if (!type) return Unexpected(type.error());
  if (type->empty()) return Rejected(kEventCode, "Field 'type' must not be empty.");
  if (type->size() > kMaxContractEventTypeLength) {
    return Rejected(kEventCode, "Field 'type' must be at most " +
                                    std::to_string(kMaxContractEventTypeLength) + " characters.");
  }
  auto number = RequiredContractNumber(body, kEventCode);
  if (!number) return Unexpected(number.error());
  auto date_text = RequiredString(body, "date", kEventCode);
  if (!date_text) return Unexpected(date_text.error());
  const std::optional<Date> date = ParseDate(*date_text);
  if (!date) {
    return Rejected(kEventCode, "Field 'date' must be a date YYYY-MM-DD.");
  }
  auto created_at = OptionalTimestamp(body, "created_at", kEventCode);
  if (!created_at) return Unexpected(created_at.error());
  return ContractEvent{.contract_number = std::move(*number),
                       .type = std::move(*type),
                       .date = *date,
                       .created_at = created_at->value_or(arrival),
                       .seq = kUnassignedSeq};
}

Result<Contract> DecodeContractObject(const Json& body, Timestamp now) {
  auto number = RequiredContractNumber(body, kContractCode);
  if (!number) return Unexpected(number.error());

  const auto it = body.find("components");
  if (it == body.end() || it->is_null()) {
    return Rejected(kContractCode, "Field 'components' is required.");
  }
  if (!it->is_array()) {
    return Rejected(kContractCode, "Field 'components' must be an array of component names.");
  }
  std::vector<ContractComponent> components;
  components.reserve(it->size());
  for (const Json& item : *it) {
    if (!item.is_string()) {
      return Rejected(kContractCode, "Field 'components' must be an array of component names.");
    }
    const auto& name = item.get_ref<const std::string&>();
    const std::optional<ContractComponent> c = ParseContractComponent(name);
    if (!c) {
      return Rejected(kContractCode, "Unknown component '" + name +
                                         "': expected energy_supply, battery_optimization or "
                                         "heatpump_optimization.");
    }
    components.push_back(*c);
  }

  auto created_at = OptionalTimestamp(body, "created_at", kContractCode);
  if (!created_at) return Unexpected(created_at.error());
  auto site_id = OptionalId(body, "site_id", kContractCode);
  if (!site_id) return Unexpected(site_id.error());
  return ValidateContract(Contract{.contract_number = std::move(*number),
                                   .components = std::move(components),
                                   .created_at = created_at->value_or(now),
                                   .site_id = std::move(*site_id)});
}

}  // namespace

Result<ContractEvent> DecodeContractEvent(std::string_view body, Timestamp arrival) {
  auto doc = ParseObject(body, kMaxContractBytes);
  if (!doc) return Unexpected(doc.error());
  return DecodeEventObject(*doc, arrival);
}

Result<Contract> DecodeContract(std::string_view body, Timestamp now) {
  auto doc = ParseObject(body, kMaxContractBytes);
  if (!doc) return Unexpected(doc.error());
  return DecodeContractObject(*doc, now);
}

Json EncodeContract(const Contract& contract) {
  Json components = Json::array();
  for (const ContractComponent c : contract.components) components.push_back(ToString(c));
  return Json{{"contract_number", contract.contract_number},
              {"components", std::move(components)},
              {"created_at", FormatTimestamp(contract.created_at)},
              {"site_id", contract.site_id ? Json(*contract.site_id) : Json(nullptr)}};
}

Json EncodeTimeline(const ContractTimeline& timeline) {
  Json components = Json::object();
  for (const auto& [component, span] : timeline.components) {
    components[std::string(ToString(component))] =
        Json{{"start", DateOrNull(span.start)}, {"end", DateOrNull(span.end)}};
  }
  return Json{{"contract_number", timeline.contract_number}, {"components", std::move(components)}};
}

Json EncodeContractEventRecord(const ContractEventRecord& record) {
  return Json{{"type", record.event.type},
              {"contract_number", record.event.contract_number},
              {"date", FormatDate(record.event.date)},
              {"created_at", FormatTimestamp(record.event.created_at)},
              {"status", ToString(record.outcome.status)},
              {"reason", record.outcome.message}};
}

Json EncodeEventOutcome(const EventOutcome& outcome) {
  return Json{{"status", ToString(outcome.status)}, {"message", outcome.message}};
}

}  // namespace ems::codec
