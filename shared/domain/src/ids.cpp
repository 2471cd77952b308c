#include "ems/domain/ids.h"

#include <algorithm>

namespace ems {

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

bool IsCurrencyCode(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

Result<void> ValidateName(std::string_view name, ErrorCode code) {
  const auto first = name.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return Rejected(code, "Field 'name' must not be empty.");
  }
  std::size_t characters = 0;  // UTF-8 code points: count every byte that starts one
  for (char c : name) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (characters > 200) {
    return Rejected(code, "Field 'name' must be at most 200 characters.");
  }
  return {};
}

}  // namespace ems
