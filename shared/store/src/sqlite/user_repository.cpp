// Every statement on the users and user_sites tables.
#include "sqlite/sqlite_store.h"
#include "sqlite/statement.h"

namespace ems::store::sqlite {
namespace {

class SqliteUserRepository final : public UserRepository {
 public:
  explicit SqliteUserRepository(SQLite::Database& db)
      : get_(db, "SELECT username, password_hash, role FROM users WHERE username = ?1"),
        sites_of_(db, "SELECT site_id FROM user_sites WHERE username = ?1 ORDER BY site_id"),
        insert_(db,
                "INSERT INTO users (username, password_hash, role, created_at) "
                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (username) DO NOTHING"),
        assign_site_(db,
                     "INSERT INTO user_sites (username, site_id) VALUES (?1, ?2) "
                     "ON CONFLICT DO NOTHING") {}

  std::optional<User> Get(const std::string& username) override {
    User user;
    {
      auto q = get_.Run(username);
      if (!q.Next()) return std::nullopt;
      user = User{q.Get<std::string>(0), q.Get<std::string>(1), q.Get<std::string>(2), {}};
    }
    auto q = sites_of_.Run(username);
    while (q.Next()) user.site_ids.push_back(q.Get<std::string>(0));
    return user;
  }

  bool Create(const User& user, Timestamp now) override {
    if (insert_.Run(user.username, user.password_hash, user.role, now).Exec() == 0) return false;
    for (const auto& site : user.site_ids) assign_site_.Run(user.username, site).Exec();
    return true;
  }

 private:
  Statement get_;
  Statement sites_of_;
  Statement insert_;
  Statement assign_site_;
};

}  // namespace

std::unique_ptr<UserRepository> MakeUserRepository(SQLite::Database& db) {
  return std::make_unique<SqliteUserRepository>(db);
}

}  // namespace ems::store::sqlite
