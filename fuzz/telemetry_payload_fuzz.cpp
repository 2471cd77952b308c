// MQTT telemetry payloads, {p}/sites/{site}/devices/{device}/telemetry (docs/contract.md §4.1),
// checked against every device type's rules as the listener does.
#include "ems/codec/device_codec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  const auto telemetry = codec::DecodeTelemetry(fuzz::Text(data, size));
  if (!telemetry) return 0;
  for (const auto type : AllDeviceTypes())
    (void)ValidateTelemetryFor(type, *telemetry, ErrorCode::kInvalidTelemetry);
  const auto again = codec::DecodeTelemetry(codec::EncodeTelemetry(*telemetry));
  fuzz::Require(again && again->metrics.size() == telemetry->metrics.size());
  return 0;
}
