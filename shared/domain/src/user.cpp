#include "ems/domain/user.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace ems {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// UTF-8 code points: the bytes that start one.
std::size_t CountCharacters(std::string_view text) {
  return static_cast<std::size_t>(std::ranges::count_if(
      text, [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string_view ToString(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kTechnician:
      return "technician";
    case Role::kViewer:
      return "viewer";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const Role r : {Role::kAdmin, Role::kTechnician, Role::kViewer}) {
    if (ToString(r) == name) return r;
  }
  return std::nullopt;
}

bool Allows(Role role, SiteAction action) {
  switch (role) {
    case Role::kAdmin:
    case Role::kTechnician:
      return true;
    case Role::kViewer:
      return action == SiteAction::kOperateEvs;
  }
  return false;
}

Result<void> CheckPassword(std::string_view username, std::string_view password) {
  if (CountCharacters(password) < kMinPasswordCharacters) {
    return Rejected(
        ErrorCode::kInvalidUser,
        "A password needs at least " + std::to_string(kMinPasswordCharacters) + " characters.");
  }
  if (password.size() > kMaxPasswordBytes) {
    return Rejected(ErrorCode::kInvalidUser,
                    "A password may have at most " + std::to_string(kMaxPasswordBytes) + " bytes.");
  }
  if (username.size() >= 3 && Lower(password).find(Lower(username)) != std::string::npos) {
    return Rejected(ErrorCode::kInvalidUser, "A password must not contain the username.");
  }
  return {};
}

}  // namespace ems
