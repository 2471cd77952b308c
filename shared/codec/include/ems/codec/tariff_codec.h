// JSON codec of a site tariff (docs/contract.md §4.1, topic `{p}/sites/{site}/tariff`, retained):
//   {"currency": "EUR", "prices": [{"start": "...", "end": "...", "price_per_kwh": 0.27}, ...]}
//
// A decoded Tariff always satisfies what the planner relies on: a three-letter upper-case
// currency, prices sorted by start, each ending after it starts, none overlapping the next
// (touching is fine, gaps are fine), every price a finite number. Negative prices are valid:
// they happen on real markets. An empty `prices` array is a valid tariff that prices nothing.
// Rejects carry kInvalidTariff (kInvalidJson for text that is not a JSON object) and
// name the field, e.g. "Field 'prices[1].end' must be after 'prices[1].start'.".
#pragma once

#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/domain/result.h"
#include "ems/domain/tariff.h"

namespace ems::codec {

// Largest tariff accepted: room for a week of 15-minute prices several times over.
inline constexpr std::size_t kMaxTariffBytes = 256 << 10;

Result<Tariff> DecodeTariff(std::string_view text);
Result<Tariff> DecodeTariffJson(const Json& obj);  // an already parsed payload

// The same shape back; timestamps in UTC with 'Z' (docs/contract.md §3).
// DecodeTariff(EncodeTariff(t)) == t for every decoded t.
Json EncodeTariff(const Tariff& tariff);

}  // namespace ems::codec
