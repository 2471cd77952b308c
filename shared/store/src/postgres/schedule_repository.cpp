#include "common/schedule_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {

std::unique_ptr<ScheduleRepository> MakeScheduleRepository(Connection& db) {
  return std::make_unique<ScheduleRepositoryOn<Statement>>(db);
}

}  // namespace ems::store::postgres
