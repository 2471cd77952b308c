// Users and roles (docs/contract.md §5): the three roles, what each may do on a site it sees, and
// the rules a new password must meet. Which sites a user sees is the store's visibility rule
// (ems/store/visibility.h); this header decides what a role may change there.
//
// Pure: no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "ems/domain/result.h"

namespace ems {

enum class Role {
  kAdmin,       // everything, on every site
  kTechnician,  // reads the assigned sites and changes their devices and contracts
  kViewer,      // reads the assigned sites
};

// "admin", "technician", "viewer".
std::string_view ToString(Role role);
std::optional<Role> ParseRole(std::string_view name);

// What a user may do on a site they see, beyond reading it.
enum class SiteAction {
  kOperateEvs,       // schedule PUT, pause, resume, override, at-home state (the household's)
  kChangeDevices,    // create, update, delete devices
  kChangeContracts,  // create and delete contracts, post their events
};

// True when `role` may do `action` on a site it sees: admins everything; technicians everything
// listed; viewers operate EVs only.
bool Allows(Role role, SiteAction action);

// Passwords have at least this many characters (UTF-8 code points) and at most kMaxPasswordBytes.
inline constexpr std::size_t kMinPasswordCharacters = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The rules of a new password: long enough, not too long to hash, and not containing the
// username (case-insensitive; usernames of one or two characters are not looked for, or they
// would rule out most passwords). Rejects kInvalidUser with a sentence naming the rule.
Result<void> CheckPassword(std::string_view username, std::string_view password);

}  // namespace ems
