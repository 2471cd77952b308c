// Opening the SQLite database every process shares (SPEC §1): WAL mode, a busy timeout so the
// listener (ingest writer) and the API (reader, command writer) never fail on each other's
// locks, foreign keys on, and versioned migrations applied at open by whichever process
// starts first. A database whose schema is newer than this build is refused.
//
// A SQLite::Database is not thread-safe: each thread opens its own connection.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace ems::store {

// The storage itself failed (disk full, read-only, I/O error, locked for too long), not the data
// being written: a caller keeps its data and tries again later (SPEC §4.4).
class StorageFault : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for SQLite errors that are StorageFaults; false for those a statement's data causes
// (constraints, type mismatches, too big).
bool IsStorageFault(const SQLite::Exception& e);

// Opens (creating the file and its folder if needed) and migrates. Throws std::runtime_error
// with one clear sentence when the path is not writable or the schema is from a newer build.
std::unique_ptr<SQLite::Database> OpenDatabase(const std::string& path);

// The schema version recorded in the database (PRAGMA user_version).
int SchemaVersion(SQLite::Database& db);

}  // namespace ems::store
