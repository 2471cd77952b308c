#include "common/device_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {
namespace {

// The device state is JSON text: merged with json_patch (RFC 7396: null removes a key).
struct DeviceSql {
  static constexpr const char* kRecord =
      "UPDATE devices SET "
      "state = CASE WHEN last_seen IS NULL OR ?2 >= last_seen "
      "THEN json_patch(state, ?3) ELSE state END, "
      "last_seen = CASE WHEN last_seen IS NULL OR ?2 > last_seen THEN ?2 ELSE last_seen "
      "END WHERE id = ?1";
  static constexpr const char* kSetAtHome =
      "UPDATE devices SET state = json_set(CASE WHEN json_type(state) = 'object' "
      "THEN state ELSE '{}' END, '$.at_home', json(CASE WHEN ?2 = 1 THEN 'true' ELSE 'false' "
      "END)) WHERE id = ?1";
};

}  // namespace

std::unique_ptr<DeviceRepository> MakeDeviceRepository(SQLite::Database& db,
                                                       SiteRepository& sites) {
  return std::make_unique<DeviceRepositoryOn<Statement, DeviceSql>>(db, sites);
}

}  // namespace ems::store::sqlite
