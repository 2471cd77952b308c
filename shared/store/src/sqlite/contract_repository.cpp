#include "common/contract_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<ContractRepository> MakeContractRepository(SQLite::Database& db) {
  return std::make_unique<ContractRepositoryOn<Statement, SQLite::Database>>(db);
}

}  // namespace ems::store::sqlite
