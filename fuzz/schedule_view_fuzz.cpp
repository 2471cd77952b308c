// The retained schedule the publisher's simulated EVs follow,
// {p}/sites/{site}/devices/{ev}/schedule (docs/contract.md §4.3, §6.6).
#include "ems/codec/schedule_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  if (const auto view = codec::DecodeScheduleView(fuzz::Text(data, size))) {
    fuzz::Require(codec::DecodeScheduleView(codec::EncodeScheduleView(*view).dump()).has_value());
  }
  return 0;
}
