#include "common/device_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {
namespace {

// The device state is jsonb: merged with ||, nulls stripped (as SQLite's json_patch).
struct DeviceSql {
  static constexpr const char* kRecord =
      "UPDATE devices SET "
      "state = CASE WHEN last_seen IS NULL OR ?2 >= last_seen "
      "THEN jsonb_strip_nulls(state || ?3) ELSE state END, "
      "last_seen = CASE WHEN last_seen IS NULL OR ?2 > last_seen THEN ?2 ELSE last_seen "
      "END WHERE id = ?1";
  static constexpr const char* kSetAtHome =
      "UPDATE devices SET state = jsonb_set(CASE WHEN jsonb_typeof(state) = "
      "'object' THEN state ELSE '{}' END, '{at_home}', to_jsonb(?2 = 1)) WHERE id = ?1";
};

}  // namespace

std::unique_ptr<DeviceRepository> MakeDeviceRepository(Connection& db, SiteRepository& sites) {
  return std::make_unique<DeviceRepositoryOn<Statement, DeviceSql>>(db, sites);
}

}  // namespace ems::store::postgres
