#include "common/contract_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<ContractRepository> MakeContractRepository(Connection& db) {
  return std::make_unique<ContractRepositoryOn<Statement, Connection>>(db);
}

}  // namespace ems::store::postgres
