// What unit tests share: time literals, a per-test temporary folder, and a fixture holding a real
// migrated SQLite database in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "ems/domain/time.h"
#include "ems/store/database.h"

namespace ems::testing {

// An RFC 3339 literal as a Timestamp (the test fails loudly on a typo).
inline Timestamp At(const char* text) {
  const auto t = ParseTimestamp(text);
  if (!t) throw std::invalid_argument(std::string("bad timestamp literal ") + text);
  return *t;
}

// An empty folder named after the running test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("ems-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A fixture with a real, migrated database file in a TempDir.
class TempDbTest : public ::testing::Test {
 protected:
  std::string db_path() const { return (dir_.path() / "ems.db").string(); }

  TempDir dir_;
  std::unique_ptr<SQLite::Database> db_ = store::OpenDatabase(db_path());
};

}  // namespace ems::testing
