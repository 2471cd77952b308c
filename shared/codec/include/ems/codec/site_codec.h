// The JSON request body of POST /api/v1/sites and PUT /api/v1/sites/{site} (docs/contract.md §3,
// §6.1):
// {"id"?, "name", "timezone"?}, decoded with every rule that needs only the body. Unparsable
// JSON or a non-object is rejected with kInvalidJson (answer 400), anything else with
// kInvalidSite (422) naming the field. Unknown fields are ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/domain/result.h"

namespace ems::codec {

// Largest site body accepted (a site is well under 1 KiB).
inline constexpr std::size_t kMaxSiteBytes = 16 << 10;

struct SiteBody {
  std::optional<std::string> id;        // a valid id when present
  std::string name;                     // ValidateName's rules
  std::optional<std::string> timezone;  // an IANA zone cctz knows, when present
};
Result<SiteBody> DecodeSiteBody(std::string_view body);

}  // namespace ems::codec
