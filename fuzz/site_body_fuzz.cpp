// The body of POST /api/v1/sites and PUT /api/v1/sites/{site} (docs/contract.md §6.1).
#include "ems/codec/site_codec.h"
#include "ems/domain/device.h"
#include "ems/domain/ids.h"
#include "ems/domain/time.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  if (const auto site = codec::DecodeSiteBody(fuzz::Text(data, size))) {
    fuzz::Require(!site->id || IsValidId(*site->id));
    fuzz::Require(ValidateName(site->name, ErrorCode::kInvalidSite).has_value());
    fuzz::Require(!site->timezone || IsValidTimeZone(*site->timezone));
  }
  return 0;
}
