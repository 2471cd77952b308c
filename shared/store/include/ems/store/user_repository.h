// UserRepository: users and their assigned sites (docs/contract.md §5, §6.1), the only writer of
// the users and user_sites tables.
//
// Every write that changes what a user's tokens stand for (password, role, sites) sets the
// user's `changed_at`; the API refuses tokens issued before it. Writes of several rows (Create,
// Update, UnassignSite) must run inside the caller's transaction.
// Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ems/domain/time.h"
#include "ems/domain/user.h"
#include "ems/store/page.h"

namespace ems::store {

struct User {
  std::string username;
  std::string password_hash;
  Role role = Role::kViewer;
  std::vector<std::string> site_ids;  // sorted
  Timestamp changed_at;               // last change of password, role or sites (or creation)
};

// What an update changes; absent fields stay as they are.
struct UserChange {
  std::optional<std::string> password_hash;
  std::optional<Role> role;
  std::optional<std::vector<std::string>> site_ids;
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;

  virtual std::optional<User> Get(const std::string& username) = 0;
  // Users in username order after `after` ("" = from the start); `limit` is clamped.
  virtual Page<User, std::string> List(const std::string& after, int limit) = 0;
  // Stores `user` with changed_at = now (its own changed_at is ignored). False when the username
  // is taken.
  virtual bool Create(const User& user, Timestamp now) = 0;
  // Applies `change` and sets changed_at = now. False when there is no such user.
  virtual bool Update(const std::string& username, const UserChange& change, Timestamp now) = 0;
  // False when there is no such user.
  virtual bool Delete(const std::string& username) = 0;
  // How many users have the admin role.
  virtual std::int64_t CountAdmins() = 0;
  // Removes the site from every user assigned to it (their changed_at = now); how many.
  virtual int UnassignSite(const std::string& site_id, Timestamp now) = 0;
};

}  // namespace ems::store
