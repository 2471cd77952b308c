// The bodies of user accounts (docs/contract.md §5, §6.1): POST /api/v1/users, PUT
// /api/v1/users/{username} and PUT /api/v1/me/password, which share one parser and the same field
// readers.
#include <algorithm>

#include "ems/codec/user_codec.h"
#include "ems/domain/ids.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems;
  const auto text = fuzz::Text(data, size);
  if (const auto user = codec::DecodeNewUser(text)) {
    fuzz::Require(IsValidId(user->username));
    fuzz::Require(
        std::ranges::is_sorted(user->site_ids) &&
        std::ranges::adjacent_find(user->site_ids) == user->site_ids.end() &&
        std::ranges::all_of(user->site_ids, [](const auto& id) { return IsValidId(id); }));
  }
  if (const auto change = codec::DecodeUserChange(text)) {
    fuzz::Require(!change->username || IsValidId(*change->username));
  }
  (void)codec::DecodePasswordChange(text);
  return 0;
}
