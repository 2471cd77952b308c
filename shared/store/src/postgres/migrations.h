// Versioned schema migrations of the PostgreSQL backend, compiled in from
// shared/store/sql/postgres/NNNN_name.sql (numbered like the SQLite schema they match).
#pragma once

#include <vector>

#include "sqlite/migrations.h"

namespace ems::store::postgres {

using sqlite::Migration;

// All migrations, ascending by version.
const std::vector<Migration>& Migrations();

}  // namespace ems::store::postgres
