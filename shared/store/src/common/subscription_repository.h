// Every statement on the subscriptions and subscription_metrics tables. A subscription's metrics
// travel as one JSON array of [device_id, metric] pairs, read as rows by the backend's
// SubscriptionSql::kPairs, so any number of them costs one statement.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace subscription_sql {

inline constexpr const char* kColumns =
    "s.id, s.owner, s.name, s.created_at, s.updated_at, m.device_id, m.metric";

// [[device_id, metric], ...]
inline nlohmann::json MetricPairs(std::span<const SubscribedMetric> metrics) {
  auto pairs = nlohmann::json::array();
  for (const auto& m : metrics) pairs.push_back({m.device_id, m.metric});
  return pairs;
}

// Subscriptions from rows of kColumns, one row per metric (metric columns NULL for none), rows of
// a subscription together and in position order.
template <class Query>
std::vector<Subscription> ReadSubscriptions(Query& q) {
  std::vector<Subscription> out;
  while (q.Next()) {
    auto id = q.template Get<std::string>(0);
    if (out.empty() || out.back().id != id) {
      out.push_back(Subscription{std::move(id),
                                 q.template Get<std::string>(1),
                                 q.template Get<std::string>(2),
                                 {},
                                 q.template Get<Timestamp>(3),
                                 q.template Get<Timestamp>(4)});
    }
    if (!q.IsNull(5))
      out.back().metrics.push_back(
          {q.template Get<std::string>(5), q.template Get<std::string>(6)});
  }
  return out;
}

// `Sql::kPairs`: the backend's rows (key, device_id, metric) of the JSON pairs bound as ?2.
template <class Statement, class Sql>
class SubscriptionRepositoryOn final : public SubscriptionRepository {
 public:
  template <class Db>
  explicit SubscriptionRepositoryOn(Db& db)
      : insert_(db,
                "INSERT INTO subscriptions (id, owner, name, created_at, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (id) DO NOTHING"),
        update_(db,
                "UPDATE subscriptions SET name = ?3, updated_at = ?4 WHERE id = ?1 AND owner = ?2"),
        delete_(db, "DELETE FROM subscriptions WHERE id = ?1 AND owner = ?2"),
        insert_metrics_(db,
                        "INSERT INTO subscription_metrics (subscription_id, position, device_id, "
                        "metric) SELECT ?1, p.key, p.device_id, p.metric FROM (" +
                            std::string(Sql::kPairs) + ") AS p"),
        delete_metrics_(db, "DELETE FROM subscription_metrics WHERE subscription_id = ?1"),
        get_(db, std::string("SELECT ") + kColumns +
                     " FROM subscriptions s LEFT JOIN subscription_metrics m "
                     "ON m.subscription_id = s.id WHERE s.id = ?1 AND s.owner = ?2 "
                     "ORDER BY m.position"),
        list_(db, std::string("WITH s AS (SELECT * FROM subscriptions WHERE owner = ?1 AND id > ?2 "
                              "ORDER BY id LIMIT ?3) SELECT ") +
                      kColumns +
                      " FROM s LEFT JOIN subscription_metrics m ON m.subscription_id = s.id "
                      "ORDER BY s.id, m.position"),
        resolve_(db,
                 "SELECT d.site_id, s.timezone, d.type, EXISTS (SELECT 1 FROM metric_latest l "
                 "WHERE l.device_id = d.id AND l.metric = p.metric) FROM (" +
                     std::string(Sql::kPairs) +
                     ") AS p LEFT JOIN devices d ON d.id = p.device_id AND " +
                     VisibleSite("d.site_id", 1) +
                     " LEFT JOIN sites s ON s.id = d.site_id ORDER BY p.key") {}

  Result<Subscription> Create(const std::string& id, const std::string& owner,
                              const SubscriptionSpec& spec, Timestamp now) override {
    if (auto ok = ValidateSubscriptionSpec(spec); !ok) return Unexpected(ok.error());
    if (insert_.Run(id, owner, spec.name, now).Exec() == 0) {
      return Rejected(ErrorCode::kConflict, "Subscription '" + id + "' already exists.");
    }
    insert_metrics_.Run(id, MetricPairs(spec.metrics)).Exec();
    return Subscription{id, owner, spec.name, spec.metrics, now, now};
  }

  Result<Subscription> Update(const std::string& id, const std::string& owner,
                              const SubscriptionSpec& spec, Timestamp now) override {
    if (auto ok = ValidateSubscriptionSpec(spec); !ok) return Unexpected(ok.error());
    if (update_.Run(id, owner, spec.name, now).Exec() == 0) {
      return Unexpected(NotFound("Subscription", id));
    }
    delete_metrics_.Run(id).Exec();
    insert_metrics_.Run(id, MetricPairs(spec.metrics)).Exec();
    return *Get(id, owner);
  }

  bool Delete(const std::string& id, const std::string& owner) override {
    return delete_.Run(id, owner).Exec() > 0;
  }

  std::optional<Subscription> Get(const std::string& id, const std::string& owner) override {
    auto q = get_.Run(id, owner);
    auto found = ReadSubscriptions(q);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  }

  Page<Subscription, std::string> List(const std::string& owner, const std::string& after,
                                       int limit) override {
    limit = ClampPageLimit(limit);
    auto q = list_.Run(owner, after, limit + 1);
    return MakePage<std::string>(ReadSubscriptions(q), limit,
                                 [](const Subscription& s) { return s.id; });
  }

  std::vector<std::optional<MetricTarget>> Resolve(std::span<const SubscribedMetric> metrics,
                                                   const Visibility& visibility) override {
    std::vector<std::optional<MetricTarget>> out;
    auto q = resolve_.Run(visibility, MetricPairs(metrics));
    while (q.Next()) {
      if (q.IsNull(0)) {
        out.emplace_back();
      } else {
        out.push_back(MetricTarget{q.template Get<std::string>(0), q.template Get<std::string>(1),
                                   q.template Get<DeviceType>(2), q.template Get<bool>(3)});
      }
    }
    return out;
  }

 private:
  Statement insert_;
  Statement update_;
  Statement delete_;
  Statement insert_metrics_;
  Statement delete_metrics_;
  Statement get_;
  Statement list_;
  Statement resolve_;
};

}  // namespace subscription_sql

using subscription_sql::SubscriptionRepositoryOn;

}  // namespace ems::store
