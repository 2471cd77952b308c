// Versioned schema migrations, compiled in from shared/store/sql/NNNN_name.sql.
#pragma once

#include <vector>

namespace ems::store::sqlite {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// All migrations, ascending by version.
const std::vector<Migration>& Migrations();

}  // namespace ems::store::sqlite
