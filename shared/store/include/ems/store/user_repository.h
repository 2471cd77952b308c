// UserRepository: users and their assigned sites (SPEC §5, §6.1), the only writer of the users
// and user_sites tables. Contract of the store's repositories: ems/store/store.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ems/domain/time.h"

namespace ems::store {

struct User {
  std::string username;
  std::string password_hash;
  std::string role;  // admin, technician, viewer
  std::vector<std::string> site_ids;
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;

  virtual std::optional<User> Get(const std::string& username) = 0;
  // False when the username is taken. Writes several rows: run it inside a transaction.
  virtual bool Create(const User& user, Timestamp now) = 0;
};

}  // namespace ems::store
