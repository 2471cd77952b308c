#include "ems/codec/user_codec.h"

#include <algorithm>
#include <utility>

#include "ems/domain/ids.h"

namespace ems::codec {
namespace {

constexpr ErrorCode kCode = ErrorCode::kInvalidUser;

Result<std::optional<Role>> OptionalRole(const Json& obj) {
  EMS_TRY(name, OptionalString(obj, "role", kCode));
  if (!name) return std::optional<Role>();
  const auto role = ParseRole(*name);
  if (!role) return Rejected(kCode, "Field 'role' must be admin, technician or viewer.");
  return std::optional<Role>(*role);
}

// The ids of `site_ids`, sorted and each once, into `out`; `out` stays empty when the field is
// absent or null.
Result<void> ReadSiteIds(const Json& obj, std::optional<std::vector<std::string>>& out) {
  const auto it = obj.find("site_ids");
  if (it == obj.end() || it->is_null()) return {};
  const auto bad = [] { return Rejected(kCode, "Field 'site_ids' must be an array of site ids."); };
  if (!it->is_array()) return bad();
  auto& ids = out.emplace();
  ids.reserve(it->size());
  for (const Json& item : *it) {
    if (!item.is_string() || !IsValidId(item.get_ref<const std::string&>())) return bad();
    ids.push_back(item.get<std::string>());
  }
  std::ranges::sort(ids);
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return {};
}

Result<NewUserBody> DecodeNewUserJson(const Json& obj) {
  NewUserBody body;
  EMS_TRY(username, RequiredId(obj, "username", kCode));
  EMS_TRY(password, OptionalString(obj, "password", kCode));
  EMS_TRY(role, OptionalRole(obj));
  if (!role) return Rejected(kCode, "Field 'role' is required.");
  std::optional<std::vector<std::string>> site_ids;
  if (auto ok = ReadSiteIds(obj, site_ids); !ok) return Unexpected(ok.error());
  body.username = std::move(username);
  body.password = std::move(password);
  body.role = *role;
  if (site_ids) body.site_ids = std::move(*site_ids);
  return body;
}

Result<UserChangeBody> DecodeUserChangeJson(const Json& obj) {
  UserChangeBody change;
  EMS_TRY(username, OptionalId(obj, "username", kCode));
  EMS_TRY(password, OptionalString(obj, "password", kCode));
  EMS_TRY(role, OptionalRole(obj));
  if (auto ok = ReadSiteIds(obj, change.site_ids); !ok) return Unexpected(ok.error());
  change.username = std::move(username);
  change.password = std::move(password);
  change.role = role;
  return change;
}

Result<PasswordChangeBody> DecodePasswordChangeJson(const Json& obj) {
  EMS_TRY(current, RequiredString(obj, "current", kCode));
  EMS_TRY(replacement, RequiredString(obj, "new", kCode));
  return PasswordChangeBody{std::move(current), std::move(replacement)};
}

}  // namespace

Result<NewUserBody> DecodeNewUser(std::string_view body) {
  return DecodeObject(body, kMaxUserBytes, DecodeNewUserJson);
}

Result<UserChangeBody> DecodeUserChange(std::string_view body) {
  return DecodeObject(body, kMaxUserBytes, DecodeUserChangeJson);
}

Result<PasswordChangeBody> DecodePasswordChange(std::string_view body) {
  return DecodeObject(body, kMaxUserBytes, DecodePasswordChangeJson);
}

}  // namespace ems::codec
