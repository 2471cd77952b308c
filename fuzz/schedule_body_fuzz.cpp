// The body of PUT /api/v1/devices/{ev}/charging-schedule (docs/contract.md §6.6).
#include "ems/codec/schedule_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  (void)codec::DecodeScheduleRequest(fuzz::Text(data, size));
  return 0;
}
