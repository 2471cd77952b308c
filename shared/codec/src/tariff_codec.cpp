#include "ems/codec/tariff_codec.h"

#include <string>

#include "ems/domain/ids.h"

namespace ems::codec {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidTariff;

}  // namespace

Result<Tariff> DecodeTariff(std::string_view text) {
  return DecodeObject(text, kMaxTariffBytes, DecodeTariffJson);
}

Result<Tariff> DecodeTariffJson(const Json& obj) {
  if (!obj.is_object()) {
    return Rejected(kCode, "The tariff must be a JSON object.");
  }
  Tariff tariff;
  auto currency = RequiredString(obj, "currency", kCode);
  if (!currency) return Unexpected(currency.error());
  if (!IsCurrencyCode(*currency)) {
    return Rejected(kCode, "Field 'currency' must be a three-letter upper-case code such as EUR.");
  }
  tariff.currency = std::move(*currency);

  const auto prices = obj.find("prices");
  if (prices == obj.end() || prices->is_null()) {
    return Rejected(kCode, "Field 'prices' is required.");
  }
  if (!prices->is_array()) {
    return Rejected(kCode, "Field 'prices' must be an array.");
  }
  tariff.prices.reserve(prices->size());
  for (std::size_t i = 0; i < prices->size(); ++i) {
    const std::string path = "prices[" + std::to_string(i) + "]";
    const Json& item = (*prices)[i];
    if (!item.is_object()) {
      return Rejected(kCode, "Field '" + path + "' must be an object.");
    }
    auto start = RequiredTimestamp(item, "start", kCode);
    if (!start) return Unexpected(AtPath(start.error(), path));
    auto end = RequiredTimestamp(item, "end", kCode);
    if (!end) return Unexpected(AtPath(end.error(), path));
    auto price = RequiredNumber(item, "price_per_kwh", kCode);
    if (!price) return Unexpected(AtPath(price.error(), path));
    if (*end <= *start) {
      return Rejected(kCode, "Field '" + path + ".end' must be after '" + path + ".start'.");
    }
    if (!tariff.prices.empty() && *start < tariff.prices.back().end) {
      return Rejected(kCode, "Field '" + path + ".start' must not be before the end of 'prices[" +
                                 std::to_string(i - 1) +
                                 "]': prices are sorted and do not overlap.");
    }
    tariff.prices.push_back({*start, *end, *price});
  }
  return tariff;
}

Json EncodeTariff(const Tariff& tariff) {
  Json prices = Json::array();
  for (const TariffPrice& p : tariff.prices) {
    prices.push_back({{"start", FormatTimestamp(p.start)},
                      {"end", FormatTimestamp(p.end)},
                      {"price_per_kwh", p.price_per_kwh}});
  }
  return {{"currency", tariff.currency}, {"prices", std::move(prices)}};
}

}  // namespace ems::codec
