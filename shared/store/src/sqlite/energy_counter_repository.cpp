#include "common/energy_counter_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<EnergyCounterRepository> MakeEnergyCounterRepository(SQLite::Database& db) {
  return std::make_unique<EnergyCounterRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
