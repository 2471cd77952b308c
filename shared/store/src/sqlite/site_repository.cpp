#include "common/site_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<SiteRepository> MakeSiteRepository(SQLite::Database& db) {
  return std::make_unique<SiteRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
