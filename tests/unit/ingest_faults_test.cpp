// Storage faults are not message faults (docs/contract.md §4.4), on a real SQLite file: a full or
// read-only database makes the ingestor throw store::StorageFault with nothing dead-lettered and
// the checkpoint where it was, and the same records apply once storage works again; a redelivery
// the inbox recognised is counted, not applied; a poison record is dead-lettered unapplied.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "listener/ingestor.h"
#include "support.h"

namespace ems::listener {
namespace {

using ems::testing::At;
using ems::testing::SpecSession;

class IngestFaultsTest : public ems::testing::TempDbTest {
 protected:
  InboxRecord Session(const std::string& id, const std::string& site = "home") {
    auto s = SpecSession(id);
    s["vehicle_id"] = std::string(60, 'v');
    ++seq_;
    return InboxRecord{seq_, At("2026-11-21T09:00:00Z"),
                       "ems/v1/sites/" + site + "/devices/st-1/sessions", s.dump()};
  }
  std::vector<InboxRecord> Sessions(int n, const std::string& prefix,
                                    const std::string& site = "home") {
    std::vector<InboxRecord> out;
    for (int i = 0; i < n; ++i) out.push_back(Session(prefix + std::to_string(i), site));
    return out;
  }
  std::int64_t Rows(const std::string& table) { return Count("SELECT count(*) FROM " + table); }

  std::int64_t seq_ = 0;
};

TEST_F(IngestFaultsTest, AFullDatabaseKeepsTheBatchAndDeadLettersNothing) {
  Ingestor ingestor(store(), IngestOptions{});
  ASSERT_EQ(ingestor.ApplyBatch(Sessions(10, "before-")).counts.stored, 10);
  // Disk full on demand: the database may not grow past its current size.
  const int pages = db().execAndGet("PRAGMA page_count").getInt();
  db().exec("PRAGMA max_page_count = " + std::to_string(pages));
  const auto burst = Sessions(2000, "burst-");
  EXPECT_THROW(ingestor.ApplyBatch(burst), store::StorageFault);
  EXPECT_THROW(ingestor.ApplyBatch(burst), store::StorageFault) << "and again while it lasts";
  EXPECT_EQ(ingestor.Checkpoint(), 10);
  EXPECT_EQ(Rows("dead_letters"), 0);

  db().exec("PRAGMA max_page_count = 1073741823");
  const auto effects = ingestor.ApplyBatch(burst);
  EXPECT_EQ(effects.counts.stored, 2000);
  EXPECT_EQ(effects.counts.rejected, 0);
  EXPECT_EQ(Rows("sessions"), 2010);
  EXPECT_EQ(Rows("dead_letters"), 0);
  EXPECT_EQ(ingestor.Checkpoint(), 2010);
  EXPECT_EQ(store().Ingest().Totals().received, 2010) << "nothing counted twice by the retries";
}

// A site that a failed batch created went with its rollback: the retry creates it again.
TEST_F(IngestFaultsTest, ASiteCreatedByAFailedBatchIsCreatedAgainByItsRetry) {
  Ingestor ingestor(store(), IngestOptions{});
  ASSERT_EQ(ingestor.ApplyBatch(Sessions(1, "before-")).counts.stored, 1);
  const int pages = db().execAndGet("PRAGMA page_count").getInt();
  db().exec("PRAGMA max_page_count = " + std::to_string(pages));
  const auto burst = Sessions(2000, "burst-", "fresh");
  EXPECT_THROW(ingestor.ApplyBatch(burst), store::StorageFault);
  EXPECT_FALSE(store().Sites().Get("fresh", store::Visibility::All()).has_value());

  db().exec("PRAGMA max_page_count = 1073741823");
  EXPECT_EQ(ingestor.ApplyBatch(burst).counts.stored, 2000);
  EXPECT_TRUE(store().Sites().Get("fresh", store::Visibility::All()).has_value());
}

TEST_F(IngestFaultsTest, AReadOnlyDatabaseIsAStorageFaultToo) {
  Ingestor ingestor(store(), IngestOptions{});
  const auto batch = Sessions(3, "s-");
  db().exec("PRAGMA query_only = ON");
  EXPECT_THROW(ingestor.ApplyBatch(batch), store::StorageFault);
  db().exec("PRAGMA query_only = OFF");
  EXPECT_EQ(Rows("dead_letters"), 0);
  EXPECT_EQ(ingestor.ApplyBatch(batch).counts.stored, 3);
}

TEST_F(IngestFaultsTest, RecordsAlreadyAppliedAreSkippedWhenABatchIsRetried) {
  Ingestor ingestor(store(), IngestOptions{});
  const auto batch = Sessions(5, "s-");
  ASSERT_EQ(ingestor.ApplyBatch({batch.begin(), batch.begin() + 3}).counts.received, 3);
  const auto effects = ingestor.ApplyBatch(batch);
  EXPECT_EQ(effects.counts.received, 2);
  EXPECT_EQ(effects.counts.stored, 2);
}

TEST_F(IngestFaultsTest, ARecognisedRedeliveryIsCountedAsDuplicateAndNotApplied) {
  Ingestor ingestor(store(), IngestOptions{});
  auto record = Session("redelivered");
  record.redelivered = true;
  const auto effects = ingestor.ApplyBatch({record});
  EXPECT_EQ(effects.counts.received, 1);
  EXPECT_EQ(effects.counts.duplicates, 1);
  EXPECT_EQ(Rows("sessions"), 0);
}

TEST_F(IngestFaultsTest, APoisonRecordIsDeadLetteredWithoutBeingApplied) {
  Ingestor ingestor(store(), IngestOptions{});
  const auto record = Session("poison");
  ingestor.Quarantine(record);
  EXPECT_EQ(ingestor.Checkpoint(), record.seq);
  EXPECT_EQ(Rows("sessions"), 0);
  auto& ingest = store().Ingest();
  const auto letters = ingest.ListDeadLetters(10, std::nullopt, std::string("poison")).items;
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].topic, record.topic);
  EXPECT_EQ(letters[0].payload, record.payload);
  EXPECT_EQ(ingest.Totals().rejected_by_reason.at("poison"), 1);
}

}  // namespace
}  // namespace ems::listener
