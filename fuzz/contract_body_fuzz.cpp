// The body of POST /api/v1/contracts (docs/contract.md §6.7).
#include "ems/codec/contract_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  const auto now = FromMillis(1'795'000'000'000);
  if (const auto contract = codec::DecodeContract(fuzz::Text(data, size), now)) {
    fuzz::Require(codec::DecodeContract(codec::EncodeContract(*contract).dump(), now).has_value());
  }
  return 0;
}
