// Opening the SQLite database every process shares (SPEC §1): WAL mode, a busy timeout so the
// listener (ingest writer) and the API (reader, command writer) never fail on each other's
// locks, foreign keys on, and versioned migrations applied at open by whichever process
// starts first. A database whose schema is newer than this build is refused.
//
// A SQLite::Database is not thread-safe: each thread opens its own connection.
#pragma once

#include <SQLiteCpp/Database.h>

#include <memory>
#include <string>

namespace ems::store {

// Opens (creating the file and its folder if needed) and migrates. Throws std::runtime_error
// with one clear sentence when the path is not writable or the schema is from a newer build.
std::unique_ptr<SQLite::Database> OpenDatabase(const std::string& path);

// The schema version recorded in the database (PRAGMA user_version).
int SchemaVersion(SQLite::Database& db);

}  // namespace ems::store
