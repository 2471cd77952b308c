#include "ems/store/user_repository.h"

#include <SQLiteCpp/Transaction.h>

namespace ems::store {

std::optional<User> UserRepository::Get(const std::string& username) {
  SQLite::Statement q(db_, "SELECT username, password_hash, role FROM users WHERE username = ?");
  q.bind(1, username);
  if (!q.executeStep()) return std::nullopt;
  User u{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(), {}};
  SQLite::Statement s(db_, "SELECT site_id FROM user_sites WHERE username = ? ORDER BY site_id");
  s.bind(1, username);
  while (s.executeStep()) u.site_ids.push_back(s.getColumn(0).getString());
  return u;
}

bool UserRepository::Create(const User& user, Timestamp now) {
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement q(db_,
                      "INSERT INTO users (username, password_hash, role, created_at) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT(username) DO NOTHING");
  q.bind(1, user.username);
  q.bind(2, user.password_hash);
  q.bind(3, user.role);
  q.bind(4, static_cast<int64_t>(ToMillis(now)));
  if (q.exec() == 0) return false;
  for (const auto& site : user.site_ids) {
    SQLite::Statement s(db_, "INSERT OR IGNORE INTO user_sites (username, site_id) VALUES (?, ?)");
    s.bind(1, user.username);
    s.bind(2, site);
    s.exec();
  }
  tx.commit();
  return true;
}

}  // namespace ems::store
