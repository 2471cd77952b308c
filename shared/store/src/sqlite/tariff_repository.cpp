#include "common/tariff_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<TariffRepository> MakeTariffRepository(SQLite::Database& db) {
  return std::make_unique<TariffRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
