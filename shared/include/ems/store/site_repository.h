// Sites (SPEC §3, §6.1). One repository per connection; never begins a transaction.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>
#include <string>

#include "ems/domain/time.h"

namespace ems::store {

struct Site {
  std::string id, name, timezone;
};

class SiteRepository {
 public:
  explicit SiteRepository(SQLite::Database& db);

  // Creates the site (name = id, timezone UTC) unless it exists; existing sites are untouched.
  void Ensure(const std::string& id, Timestamp now);
  std::optional<Site> Get(const std::string& id);

 private:
  SQLite::Database& db_;
  SQLite::Statement ensure_;
};

}  // namespace ems::store
