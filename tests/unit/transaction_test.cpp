// The one lifecycle of a unit of work (store/store.h): what a caller keeps per write transaction
// (a TransactionState) is begun with it, written right before its commit, in the reverse order of
// enlisting, and discarded when it rolls back; a read snapshot does no write work; a transaction
// that already ended refuses a second commit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ems/store/store.h"
#include "support.h"

namespace ems::store {
namespace {

// Records what the store asks of it into `log`, prefixed with its name.
class RecordingState : public ScopedTransactionState {
 public:
  RecordingState(Store& store, std::string name, std::vector<std::string>& log)
      : ScopedTransactionState(store), name_(std::move(name)), log_(log) {}
  void Begin() override { log_.push_back(name_ + ".begin"); }
  void Flush() override { log_.push_back(name_ + ".flush"); }
  void Discard() noexcept override { log_.push_back(name_ + ".discard"); }

 private:
  std::string name_;
  std::vector<std::string>& log_;
};

using TransactionTest = testing::TempDbTest;

TEST_F(TransactionTest, AWriteTransactionBeginsAndFlushesItsStatesLastEnlistedFirst) {
  std::vector<std::string> log;
  RecordingState first(store(), "first", log);
  RecordingState second(store(), "second", log);
  auto tx = store().Begin(TxMode::kWrite);
  tx.Commit();
  EXPECT_EQ(log, (std::vector<std::string>{"first.begin", "second.begin", "second.flush",
                                           "first.flush"}));
}

TEST_F(TransactionTest, ARollbackDiscardsInsteadOfFlushing) {
  std::vector<std::string> log;
  RecordingState state(store(), "state", log);
  { auto tx = store().Begin(TxMode::kWrite); }
  EXPECT_EQ(log, (std::vector<std::string>{"state.begin", "state.discard"}));
}

TEST_F(TransactionTest, AReadSnapshotDoesNoWriteWork) {
  std::vector<std::string> log;
  RecordingState state(store(), "state", log);
  store().Begin(TxMode::kRead).Commit();
  { auto snapshot = store().Begin(TxMode::kRead); }
  EXPECT_TRUE(log.empty());
}

TEST_F(TransactionTest, AStateThatWasDestroyedTakesNoPartAnyMore) {
  std::vector<std::string> log;
  { RecordingState gone(store(), "gone", log); }
  store().Begin(TxMode::kWrite).Commit();
  EXPECT_TRUE(log.empty());
}

TEST_F(TransactionTest, ASecondCommitFailsLoudly) {
  auto tx = store().Begin(TxMode::kWrite);
  tx.Commit();
  EXPECT_THROW(tx.Commit(), std::logic_error);
  // The store is usable again: the failed call neither committed nor left a transaction open.
  EXPECT_NO_THROW(store().Begin(TxMode::kWrite).Commit());
}

TEST_F(TransactionTest, AMovedFromTransactionCannotCommit) {
  auto tx = store().Begin(TxMode::kWrite);
  auto moved = std::move(tx);
  EXPECT_THROW(tx.Commit(), std::logic_error);  // NOLINT(bugprone-use-after-move): the point
  moved.Commit();
}

}  // namespace
}  // namespace ems::store
