// Users, their roles and assigned sites (SPEC §5, §6.1). One repository per connection.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

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
  explicit UserRepository(SQLite::Database& db) : db_(db) {}

  std::optional<User> Get(const std::string& username);
  // False when the username is taken. Runs in its own transaction.
  bool Create(const User& user, Timestamp now);

 private:
  SQLite::Database& db_;
};

}  // namespace ems::store
