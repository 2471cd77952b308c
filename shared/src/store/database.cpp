#include "ems/store/database.h"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "ems/store/migrations.h"

namespace ems::store {

bool IsStorageFault(const SQLite::Exception& e) {
  switch (e.getErrorCode() & 0xff) {
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_INTERRUPT:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

int SchemaVersion(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

std::unique_ptr<SQLite::Database> OpenDatabase(const std::string& path) {
  const std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
  }
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX);
    db->setBusyTimeout(10000);
    db->exec("PRAGMA journal_mode=WAL");
    // A committed transaction survives a process crash at NORMAL; only power loss can undo the
    // last commits, the same bound as the broker's own persistence.
    db->exec("PRAGMA synchronous=NORMAL");
    db->exec("PRAGMA foreign_keys=ON");
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("Cannot open the database at '" + path + "' (" + e.what() +
                             "): check EMS_DB_PATH.");
  }

  const auto& migrations = Migrations();
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  // BEGIN IMMEDIATE takes the write lock first, so two processes starting together migrate
  // once: the second waits and then sees the new version.
  SQLite::Transaction tx(*db, SQLite::TransactionBehavior::IMMEDIATE);
  const int current = SchemaVersion(*db);
  if (current > latest) {
    throw std::runtime_error("The database at '" + path + "' has schema version " +
                             std::to_string(current) + ", newer than this build knows (" +
                             std::to_string(latest) + ").");
  }
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    db->exec(m.sql);
    db->exec("PRAGMA user_version = " + std::to_string(m.version));
  }
  tx.commit();
  return db;
}

}  // namespace ems::store
