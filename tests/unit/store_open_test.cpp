// How a store opens its SQLite connection (store/store.h, StoreOptions), on a real file: WAL
// with a busy timeout for the processes that share the file, synchronous NORMAL unless every
// commit must survive a power cut, and the page cache a writer asks for.
#include <gtest/gtest.h>

#include "ems/store/store.h"
#include "sqlite/sqlite_store.h"
#include "support.h"

namespace ems::store {
namespace {

class StoreOpenTest : public ::testing::Test {
 protected:
  std::unique_ptr<sqlite::SqliteStore> Open(const StoreOptions& options) {
    return std::make_unique<sqlite::SqliteStore>((dir_.path() / "ems.db").string(), options);
  }
  static std::int64_t Pragma(sqlite::SqliteStore& s, const std::string& name) {
    return s.db().execAndGet("PRAGMA " + name).getInt64();
  }

  testing::TempDir dir_;
};

TEST_F(StoreOpenTest, DefaultsAreWalNormalSyncAndSqlitesOwnCache) {
  auto s = Open({});
  EXPECT_EQ(s->db().execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(Pragma(*s, "synchronous"), 1);  // NORMAL
  EXPECT_EQ(Pragma(*s, "foreign_keys"), 1);
  EXPECT_EQ(Pragma(*s, "cache_size"), -2000);  // SQLite's default: 2 000 KiB
}

TEST_F(StoreOpenTest, AWriterGetsTheCacheAndTheSyncItAsksFor) {
  auto s = Open({.sync_every_commit = true, .cache_mib = 16});
  EXPECT_EQ(Pragma(*s, "synchronous"), 2);          // FULL
  EXPECT_EQ(Pragma(*s, "cache_size"), -16 * 1024);  // in KiB when negative
}

}  // namespace
}  // namespace ems::store
