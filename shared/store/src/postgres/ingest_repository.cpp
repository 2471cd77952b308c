#include "common/ingest_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<IngestRepository> MakeIngestRepository(Connection& db) {
  return std::make_unique<IngestRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
