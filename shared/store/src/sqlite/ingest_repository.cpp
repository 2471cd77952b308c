#include "common/ingest_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {

std::unique_ptr<IngestRepository> MakeIngestRepository(SQLite::Database& db) {
  return std::make_unique<IngestRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::sqlite
