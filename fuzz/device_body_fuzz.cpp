// The body of POST /api/v1/sites/{site}/devices and PUT /api/v1/devices/{device} (docs/contract.md
// §6.2).
#include "ems/codec/device_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  (void)codec::DecodeDeviceBody(fuzz::Text(data, size));
  return 0;
}
