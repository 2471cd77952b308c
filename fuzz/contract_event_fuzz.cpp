// Contract events: the MQTT payload of {p}/contracts/events and the body of
// POST /api/v1/contracts/events and POST /event (docs/contract.md §6.7).
#include "ems/codec/contract_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  (void)codec::DecodeContractEvent(fuzz::Text(data, size), FromMillis(1'795'000'000'000));
  return 0;
}
