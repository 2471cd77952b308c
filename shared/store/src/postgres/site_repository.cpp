#include "common/site_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<SiteRepository> MakeSiteRepository(Connection& db) {
  return std::make_unique<SiteRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
