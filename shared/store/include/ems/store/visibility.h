// Visibility: which sites a caller may see (docs/contract.md §5) — every site (admins, and the
// processes themselves) or the sites assigned to one user. Repositories take it with every query
// that answers a caller and apply it in the query itself, with one rule: a row is visible when its
// site is, and a site is visible to a user when the user is assigned to it. What the caller may
// not see is answered as if it did not exist.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ems::store {

class Visibility {
 public:
  static Visibility All() { return Visibility(std::nullopt); }
  static Visibility SitesOf(std::string username) { return Visibility(std::move(username)); }

  // The user whose sites are visible; std::nullopt when every site is.
  const std::optional<std::string>& username() const { return username_; }

 private:
  explicit Visibility(std::optional<std::string> username) : username_(std::move(username)) {}

  std::optional<std::string> username_;
};

}  // namespace ems::store
