#include "common/energy_counter_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<EnergyCounterRepository> MakeEnergyCounterRepository(Connection& db) {
  return std::make_unique<EnergyCounterRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
