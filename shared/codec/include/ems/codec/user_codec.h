// JSON request bodies of user accounts (docs/contract.md §5, §6.1): POST /api/v1/users, PUT
// /api/v1/users/{username} and PUT /api/v1/me/password, decoded field by field.
//
// Decoding checks shape and types only: that a username and site ids are ids, that a role is
// one of the three. The account rules (CheckPassword, sites that exist, the last admin) are
// applied where accounts change (api/accounts.h). Unparsable JSON or a non-object is rejected
// with kInvalidJson (answer 400), anything else with kInvalidUser (422) naming the field.
// Unknown fields are ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/codec/json_fields.h"
#include "ems/domain/result.h"
#include "ems/domain/user.h"

namespace ems::codec {

// Largest user body accepted: room for a thousand site ids.
inline constexpr std::size_t kMaxUserBytes = 96 << 10;

// {"username", "password"?, "role", "site_ids"?: [...]}. `site_ids` default to none; they come
// back sorted, each once.
struct NewUserBody {
  std::string username;
  std::optional<std::string> password;  // none: the server makes one
  Role role = Role::kViewer;
  std::vector<std::string> site_ids;
};
Result<NewUserBody> DecodeNewUser(std::string_view body);

// {"username"?, "password"?, "role"?, "site_ids"?}: what is present changes, the rest stays.
// A `username` present must be the path's (the caller checks): usernames never change.
struct UserChangeBody {
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<Role> role;
  std::optional<std::vector<std::string>> site_ids;  // sorted, each once
};
Result<UserChangeBody> DecodeUserChange(std::string_view body);

// {"current", "new"}: both required strings.
struct PasswordChangeBody {
  std::string current;
  std::string replacement;
};
Result<PasswordChangeBody> DecodePasswordChange(std::string_view body);

}  // namespace ems::codec
