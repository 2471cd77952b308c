// Every statement on the sites table.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace site_sql {

// A site row with its device count; ?1 is the caller's Visibility.
inline std::string SelectSites(const std::string& where) {
  return "SELECT s.id, s.name, s.timezone, "
         "(SELECT count(*) FROM devices d WHERE d.site_id = s.id) FROM sites s WHERE " +
         VisibleSite("s.id", 1) + " AND " + where;
}

template <class Query>
Site ReadSite(const Query& q) {
  return Site{q.template Get<std::string>(0), q.template Get<std::string>(1),
              q.template Get<std::string>(2), q.template Get<std::int64_t>(3)};
}

template <class Statement>
class SiteRepositoryOn final : public SiteRepository {
 public:
  template <class Db>
  explicit SiteRepositoryOn(Db& db)
      : ensure_(db,
                "INSERT INTO sites (id, name, timezone, created_at) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (id) DO NOTHING"),
        update_(db, "UPDATE sites SET name = ?2, timezone = ?3 WHERE id = ?1"),
        delete_(db, "DELETE FROM sites WHERE id = ?1"),
        contents_(db,
                  "SELECT (SELECT count(*) FROM devices WHERE site_id = ?1), "
                  "(SELECT count(*) FROM sessions WHERE site_id = ?1), "
                  "(SELECT count(*) FROM contracts WHERE site_id = ?1)"),
        get_(db, SelectSites("s.id = ?2")),
        list_(db, SelectSites("s.id > ?2 ORDER BY s.id LIMIT ?3")),
        timezone_(db, "SELECT timezone FROM sites WHERE id = ?1"),
        all_ids_(db, "SELECT id FROM sites ORDER BY id") {}

  bool Ensure(const std::string& id, const std::string& name, const std::string& timezone,
              Timestamp now) override {
    return ensure_.Run(id, name, timezone, now).Exec() > 0;
  }

  bool Update(const std::string& id, const std::string& name,
              const std::string& timezone) override {
    return update_.Run(id, name, timezone).Exec() > 0;
  }

  bool Delete(const std::string& id) override { return delete_.Run(id).Exec() > 0; }

  SiteContents Contents(const std::string& id) override {
    auto q = contents_.Run(id);
    q.Next();
    return SiteContents{q.template Get<std::int64_t>(0), q.template Get<std::int64_t>(1),
                        q.template Get<std::int64_t>(2)};
  }

  std::optional<Site> Get(const std::string& id, const Visibility& visibility) override {
    auto q = get_.Run(visibility, id);
    if (!q.Next()) return std::nullopt;
    return ReadSite(q);
  }

  Page<Site, std::string> List(const Visibility& visibility, const std::string& after,
                               int limit) override {
    limit = ClampPageLimit(limit);
    std::vector<Site> rows;
    auto q = list_.Run(visibility, after, limit + 1);
    while (q.Next()) rows.push_back(ReadSite(q));
    return MakePage<std::string>(std::move(rows), limit, [](const Site& s) { return s.id; });
  }

  std::optional<std::string> Timezone(const std::string& id) override {
    auto q = timezone_.Run(id);
    if (!q.Next()) return std::nullopt;
    return q.template Get<std::string>(0);
  }

  std::vector<std::string> AllIds() override {
    std::vector<std::string> ids;
    auto q = all_ids_.Run();
    while (q.Next()) ids.push_back(q.template Get<std::string>(0));
    return ids;
  }

 private:
  Statement ensure_;
  Statement update_;
  Statement delete_;
  Statement contents_;
  Statement get_;
  Statement list_;
  Statement timezone_;
  Statement all_ids_;
};

}  // namespace site_sql

using site_sql::SiteRepositoryOn;

}  // namespace ems::store
