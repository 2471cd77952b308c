#include "common/subscription_repository.h"

#include "postgres/pg_store.h"
#include "postgres/statement.h"

namespace ems::store::postgres {
namespace {

struct SubscriptionSql {
  static constexpr const char* kPairs =
      "SELECT j.key - 1 AS key, j.value ->> 0 AS device_id, j.value ->> 1 AS metric "
      "FROM jsonb_array_elements(?2) WITH ORDINALITY AS j(value, key)";
};

}  // namespace

std::unique_ptr<SubscriptionRepository> MakeSubscriptionRepository(Connection& db) {
  return std::make_unique<SubscriptionRepositoryOn<Statement, SubscriptionSql>>(db);
}

}  // namespace ems::store::postgres
