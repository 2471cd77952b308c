#include "ems/codec/site_codec.h"

#include <utility>

#include "ems/domain/ids.h"
#include "ems/domain/time.h"

namespace ems::codec {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidSite;

Result<SiteBody> DecodeSiteJson(const Json& obj) {
  EMS_TRY(id, OptionalId(obj, "id", kCode));
  EMS_TRY(name, RequiredString(obj, "name", kCode));
  if (auto ok = ValidateName(name, kCode); !ok) return Unexpected(ok.error());
  EMS_TRY(timezone, OptionalString(obj, "timezone", kCode));
  if (timezone && !IsValidTimeZone(*timezone)) {
    return Rejected(kCode, "Field 'timezone' must be an IANA time zone such as Europe/Berlin.");
  }
  return SiteBody{std::move(id), std::move(name), std::move(timezone)};
}

}  // namespace

Result<SiteBody> DecodeSiteBody(std::string_view body) {
  return DecodeObject(body, kMaxSiteBytes, DecodeSiteJson);
}

}  // namespace ems::codec
