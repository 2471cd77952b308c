#include "common/ocpp_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<OcppRepository> MakeOcppRepository(Connection& db) {
  return std::make_unique<OcppRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
