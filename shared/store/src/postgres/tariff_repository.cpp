#include "common/tariff_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<TariffRepository> MakeTariffRepository(Connection& db) {
  return std::make_unique<TariffRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
