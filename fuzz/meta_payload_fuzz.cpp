// MQTT device discovery payloads, {p}/sites/{site}/devices/{device}/meta (docs/contract.md §4.1).
#include "ems/codec/device_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  if (const auto meta = codec::DecodeMeta(fuzz::Text(data, size))) {
    // What was accepted encodes to a payload that is accepted again.
    fuzz::Require(codec::DecodeMeta(codec::EncodeMeta(*meta).dump()).has_value());
  }
  return 0;
}
