#include "common/subscription_repository.h"

#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {
namespace {

struct SubscriptionSql {
  static constexpr const char* kPairs =
      "SELECT key, json_extract(value, '$[0]') AS device_id, json_extract(value, '$[1]') "
      "AS metric FROM json_each(?2)";
};

}  // namespace

std::unique_ptr<SubscriptionRepository> MakeSubscriptionRepository(SQLite::Database& db) {
  return std::make_unique<SubscriptionRepositoryOn<Statement, SubscriptionSql>>(db);
}

}  // namespace ems::store::sqlite
