#include "common/telemetry_reader.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"
#include "postgres/telemetry_sql.h"

namespace ems::store::postgres {

std::unique_ptr<TelemetryReader> MakeTelemetryReader(Connection& db) {
  return std::make_unique<TelemetryReaderOn<Statement, telemetry_sql::ReaderSql>>(db);
}

}  // namespace ems::store::postgres
