// Every statement on the users and user_sites tables.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace user_sql {

template <class Statement>
class UserRepositoryOn final : public UserRepository {
 public:
  template <class Db>
  explicit UserRepositoryOn(Db& db)
      : get_(db, "SELECT username, password_hash, role, changed_at FROM users WHERE username = ?1"),
        list_(db,
              "SELECT username, password_hash, role, changed_at FROM users WHERE username > ?1 "
              "ORDER BY username LIMIT ?2"),
        sites_of_(db, "SELECT site_id FROM user_sites WHERE username = ?1 ORDER BY site_id"),
        insert_(db,
                "INSERT INTO users (username, password_hash, role, created_at, changed_at) "
                "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (username) DO NOTHING"),
        update_(db,
                "UPDATE users SET password_hash = COALESCE(?2, password_hash), "
                "role = COALESCE(?3, role), changed_at = ?4 WHERE username = ?1"),
        delete_(db, "DELETE FROM users WHERE username = ?1"),
        assign_site_(db,
                     "INSERT INTO user_sites (username, site_id) VALUES (?1, ?2) "
                     "ON CONFLICT DO NOTHING"),
        unassign_all_(db, "DELETE FROM user_sites WHERE username = ?1"),
        count_admins_(db, "SELECT count(*) FROM users WHERE role = 'admin'"),
        touch_site_users_(db,
                          "UPDATE users SET changed_at = ?2 WHERE username IN "
                          "(SELECT username FROM user_sites WHERE site_id = ?1)"),
        unassign_site_(db, "DELETE FROM user_sites WHERE site_id = ?1") {}

  std::optional<User> Get(const std::string& username) override {
    std::optional<User> user;
    {
      auto q = get_.Run(username);
      if (!q.Next()) return std::nullopt;
      user = ReadUser(q);
    }
    ReadSites(*user);
    return user;
  }

  Page<User, std::string> List(const std::string& after, int limit) override {
    limit = ClampPageLimit(limit);
    std::vector<User> rows;
    {
      auto q = list_.Run(after, limit + 1);
      while (q.Next()) rows.push_back(ReadUser(q));
    }
    auto page =
        MakePage<std::string>(std::move(rows), limit, [](const User& u) { return u.username; });
    for (auto& user : page.items) ReadSites(user);
    return page;
  }

  bool Create(const User& user, Timestamp now) override {
    if (insert_.Run(user.username, user.password_hash, user.role, now).Exec() == 0) return false;
    for (const auto& site : user.site_ids) assign_site_.Run(user.username, site).Exec();
    return true;
  }

  bool Update(const std::string& username, const UserChange& change, Timestamp now) override {
    if (update_.Run(username, change.password_hash, change.role, now).Exec() == 0) return false;
    if (change.site_ids) {
      unassign_all_.Run(username).Exec();
      for (const auto& site : *change.site_ids) assign_site_.Run(username, site).Exec();
    }
    return true;
  }

  bool Delete(const std::string& username) override {
    return delete_.Run(username).Exec() > 0;  // user_sites rows go with it (ON DELETE CASCADE)
  }

  std::int64_t CountAdmins() override {
    auto q = count_admins_.Run();
    q.Next();
    return q.template Get<std::int64_t>(0);
  }

  int UnassignSite(const std::string& site_id, Timestamp now) override {
    touch_site_users_.Run(site_id, now).Exec();
    return unassign_site_.Run(site_id).Exec();
  }

 private:
  template <class Query>
  static User ReadUser(const Query& q) {
    return User{q.template Get<std::string>(0),
                q.template Get<std::string>(1),
                q.template Get<Role>(2),
                {},
                q.template Get<Timestamp>(3)};
  }
  void ReadSites(User& user) {
    auto q = sites_of_.Run(user.username);
    while (q.Next()) user.site_ids.push_back(q.template Get<std::string>(0));
  }

  Statement get_;
  Statement list_;
  Statement sites_of_;
  Statement insert_;
  Statement update_;
  Statement delete_;
  Statement assign_site_;
  Statement unassign_all_;
  Statement count_admins_;
  Statement touch_site_users_;
  Statement unassign_site_;
};

}  // namespace user_sql

using user_sql::UserRepositoryOn;

}  // namespace ems::store
