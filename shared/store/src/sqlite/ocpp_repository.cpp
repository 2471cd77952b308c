#include "common/ocpp_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<OcppRepository> MakeOcppRepository(SQLite::Database& db) {
  return std::make_unique<OcppRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
