// MQTT tariff payloads, {p}/sites/{site}/tariff (docs/contract.md §4.1).
#include "ems/codec/tariff_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  if (const auto tariff = codec::DecodeTariff(fuzz::Text(data, size))) {
    const auto again = codec::DecodeTariff(codec::EncodeTariff(*tariff).dump());
    fuzz::Require(again && again->prices.size() == tariff->prices.size());
  }
  return 0;
}
