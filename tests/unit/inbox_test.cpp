// The listener's inbox journal (docs/contract.md §4.4) on real files: what was appended is replayed
// after a restart (also after a kill, and from an earlier version's records), a full disk is an
// error and not a crash, a torn or corrupt record never hides the records after it, stray files are
// ignored, replay holds one bounded batch at a time, MQTT redeliveries of held messages are
// recognised (also across a restart), and the poison-quarantine mark and its recovery plan.
#include "listener/inbox.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "support.h"

namespace ems::listener {
namespace {

namespace fs = std::filesystem;

class InboxTest : public ::testing::Test {
 protected:
  // A fresh Inbox on the folder, as a restart of the listener makes one.
  std::unique_ptr<Inbox> Open(std::int64_t after_seq = 0,
                              std::vector<InboxRecord>* replayed = nullptr) {
    auto inbox = std::make_unique<Inbox>(dir_.string(), Inbox::Sync::kOff);
    std::vector<InboxRecord> all;
    EXPECT_TRUE(inbox->Replay(after_seq, 1 << 20, 5000, [&](std::vector<InboxRecord>&& batch) {
      for (auto& r : batch) all.push_back(std::move(r));
      return true;
    }));
    if (replayed) *replayed = std::move(all);
    return inbox;
  }

  static std::vector<std::string> Payloads(const std::vector<InboxRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.payload);
    return out;
  }

  std::vector<fs::path> Segments() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().extension() == ".log") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  const Timestamp t0_ = *ParseTimestamp("2026-11-21T10:00:00Z");
  testing::TempDir tmp_;
  fs::path dir_ = tmp_.path() / "inbox";  // the Inbox makes it
};

TEST_F(InboxTest, WhatWasAppendedIsReplayedAfterARestartInOrder) {
  {
    auto inbox = Open();
    for (int i = 1; i <= 3; ++i) {
      const auto r = inbox->Append(t0_ + std::chrono::seconds(i), "t/" + std::to_string(i),
                                   "p" + std::to_string(i), false);
      EXPECT_EQ(r.seq, i);
      EXPECT_FALSE(r.redelivered);
    }
  }
  std::vector<InboxRecord> replayed;
  Open(1, &replayed);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[0].seq, 2);
  EXPECT_EQ(replayed[0].topic, "t/2");
  EXPECT_EQ(replayed[0].payload, "p2");
  EXPECT_EQ(replayed[0].arrival, t0_ + std::chrono::seconds(2));
  EXPECT_EQ(replayed[1].payload, "p3");
}

TEST_F(InboxTest, ATornTailNeverHidesTheRecordsWrittenAfterIt) {
  {
    auto inbox = Open();
    inbox->Append(t0_, "t", "before-1", false);
    inbox->Append(t0_, "t", "before-2", false);
  }
  {
    // Power loss in the middle of a write: half a record at the end of the segment.
    std::ofstream torn(Segments().back(), std::ios::binary | std::ios::app);
    torn << std::string("\x45\x4d\x53\x52\x40\x00\x00\x00garbage", 15);
  }
  {
    std::vector<InboxRecord> replayed;
    auto inbox = Open(0, &replayed);
    EXPECT_EQ(Payloads(replayed), (std::vector<std::string>{"before-1", "before-2"}));
    const auto r = inbox->Append(t0_, "t", "after", false);
    EXPECT_EQ(r.seq, 3);
  }
  EXPECT_EQ(Segments().size(), 2u) << "a restart writes to a fresh segment";
  std::vector<InboxRecord> replayed;
  Open(0, &replayed);
  EXPECT_EQ(Payloads(replayed), (std::vector<std::string>{"before-1", "before-2", "after"}));
}

TEST_F(InboxTest, ACorruptRecordIsSkippedAndReadingGoesOn) {
  {
    auto inbox = Open();
    for (const char* p : {"one", "two-two-two", "three"}) inbox->Append(t0_, "t", p, false);
  }
  {
    std::fstream f(Segments().back(), std::ios::binary | std::ios::in | std::ios::out);
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto at = data.find("two-two-two");
    ASSERT_NE(at, std::string::npos);
    f.seekp(static_cast<std::streamoff>(at));
    f << "TWO";  // the checksum no longer matches
  }
  std::vector<InboxRecord> replayed;
  Open(0, &replayed);
  EXPECT_EQ(Payloads(replayed), (std::vector<std::string>{"one", "three"}));
}

// Several MiB of records of every size, so records straddle the reader's 1 MiB windows and the
// resync after a corrupt record searches across them.
TEST_F(InboxTest, ALongSegmentIsReplayedIntactAcrossReadWindows) {
  std::vector<std::string> expected;
  std::string corrupt;
  {
    auto inbox = Open();
    for (int i = 0; i < 6000; ++i) {
      std::string payload(static_cast<std::size_t>(1 + (i * 7919) % 1500),
                          static_cast<char>('a' + i % 26));
      payload += std::to_string(i);
      inbox->Append(t0_, "t/" + std::to_string(i), payload, false);
      if (i == 4000) {
        corrupt = payload;
      } else {
        expected.push_back(payload);
      }
    }
  }
  ASSERT_EQ(Segments().size(), 1u);
  ASSERT_GT(fs::file_size(Segments().back()), 4u << 20);
  {
    std::fstream f(Segments().back(), std::ios::binary | std::ios::in | std::ios::out);
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto at = data.find(corrupt);
    ASSERT_NE(at, std::string::npos);
    f.seekp(static_cast<std::streamoff>(at));
    f << "#";  // the checksum no longer matches
  }
  std::vector<InboxRecord> replayed;
  Open(0, &replayed);
  EXPECT_EQ(Payloads(replayed), expected);
}

// The listener killed (SIGKILL, a crash): the segment keeps the space allocated ahead of its
// records, as zeros. Every record is replayed, the zeros are not reported as torn records, and
// the next start goes on after them.
TEST_F(InboxTest, ASegmentLeftByAKilledListenerReplaysWholeWithoutComplaint) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // appends, then dies without closing anything
    auto inbox = Open();
    for (const char* p : {"one", "two", "three"}) inbox->Append(t0_, "t", p, false);
    std::_Exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(Segments().size(), 1u);
  EXPECT_GE(fs::file_size(Segments().back()), Inbox::kReserveBytes)
      << "the allocated space is still there, so this is what a killed listener leaves";
  std::vector<InboxRecord> replayed;
  ::testing::internal::CaptureStderr();
  auto inbox = Open(0, &replayed);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(Payloads(replayed), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(log.find("torn or corrupt"), std::string::npos) << log;
  EXPECT_EQ(inbox->Append(t0_, "t", "four", false).seq, 4);
}

// A full disk (here: the file size limit) is an error the listener waits out, with nothing
// acknowledged; records are written through a file mapping, where running out of space at the
// copy would be a SIGBUS that ends the process.
TEST_F(InboxTest, RunningOutOfSpaceIsAnErrorNotACrash) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const rlimit limit{3u << 20, 3u << 20};
    ::signal(SIGXFSZ, SIG_IGN);  // so growing past the limit fails with EFBIG
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) std::_Exit(10);
    auto inbox = Open();
    const std::string payload(1000, 'x');
    for (int i = 0; i < 10000; ++i) {
      try {
        inbox->Append(t0_, "t", payload, false);
      } catch (const std::runtime_error& e) {
        const bool named = std::string(e.what()).starts_with("cannot append to the inbox");
        std::_Exit(named && i > 1000 ? 0 : 11);  // up to the limit, then a named error
      }
    }
    std::_Exit(12);  // never stopped by the limit
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::vector<InboxRecord> replayed;
  Open(0, &replayed);
  EXPECT_GT(replayed.size(), 1000u) << "what was appended before the error is kept";
}

// A segment written by an earlier version (records checksummed with FNV-1a) is still replayed
// after an upgrade.
TEST_F(InboxTest, RecordsOfAnEarlierVersionAreStillReplayed) {
  const auto fnv1a = [](std::string_view data) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
    return h;
  };
  const auto put = [](std::string& out, auto v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  };
  std::string segment;
  for (std::int64_t seq : {1, 2}) {
    const std::string topic = "ems/v1/contracts/events", payload = "old-" + std::to_string(seq);
    std::string body;
    put(body, seq);
    put(body, ToMillis(t0_));
    put(body, std::uint32_t{0});
    put(body, static_cast<std::uint32_t>(topic.size()));
    body += topic + payload;
    put(segment, std::uint32_t{0x52534d45});  // "EMSR"
    put(segment, static_cast<std::uint32_t>(body.size()));
    put(segment, fnv1a(body));
    segment += body;
  }
  fs::create_directories(dir_);
  std::ofstream(dir_ / "inbox-1.log", std::ios::binary) << segment;
  std::vector<InboxRecord> replayed;
  auto inbox = Open(0, &replayed);
  EXPECT_EQ(Payloads(replayed), (std::vector<std::string>{"old-1", "old-2"}));
  EXPECT_EQ(replayed[1].topic, "ems/v1/contracts/events");
  EXPECT_EQ(replayed[1].arrival, t0_);
  EXPECT_EQ(inbox->Append(t0_, "t", "new", false).seq, 3);
  EXPECT_TRUE(inbox->Append(t0_, "ems/v1/contracts/events", "old-2", true).redelivered)
      << "the old records count among the recent ones";
}

TEST_F(InboxTest, StrayFilesAreIgnored) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "notes.txt") << "hello";
  std::ofstream(dir_ / "inbox-abc.log") << "not a segment";
  std::ofstream(dir_ / "inbox-.log") << "";
  {
    auto inbox = Open();
    inbox->Append(t0_, "t", "kept", false);
  }
  std::vector<InboxRecord> replayed;
  Open(0, &replayed);
  EXPECT_EQ(Payloads(replayed), (std::vector<std::string>{"kept"}));
  EXPECT_TRUE(fs::exists(dir_ / "notes.txt"));
}

TEST_F(InboxTest, ReplayHandsOverBatchesBoundedInBytes) {
  const std::string payload(10 << 10, 'x');
  {
    auto inbox = Open();
    for (int i = 0; i < 50; ++i) inbox->Append(t0_, "t", payload, false);
  }
  Inbox inbox(dir_.string(), Inbox::Sync::kOff);
  std::vector<std::size_t> sizes;
  std::size_t largest_bytes = 0;
  ASSERT_TRUE(inbox.Replay(0, 100 << 10, 5000, [&](std::vector<InboxRecord>&& batch) {
    std::size_t bytes = 0;
    for (const auto& r : batch) bytes += r.bytes();
    largest_bytes = std::max(largest_bytes, bytes);
    sizes.push_back(batch.size());
    return true;
  }));
  std::size_t total = 0;
  for (auto n : sizes) total += n;
  EXPECT_EQ(total, 50u);
  EXPECT_GT(sizes.size(), 4u);
  EXPECT_LT(largest_bytes, (100u << 10) + payload.size() + 1024);
}

TEST_F(InboxTest, ReplayStopsWhenAsked) {
  {
    auto inbox = Open();
    for (int i = 0; i < 10; ++i) inbox->Append(t0_, "t", "p", false);
  }
  Inbox inbox(dir_.string(), Inbox::Sync::kOff);
  int batches = 0;
  EXPECT_FALSE(inbox.Replay(0, 1 << 20, 3, [&](std::vector<InboxRecord>&&) {
    ++batches;
    return false;
  }));
  EXPECT_EQ(batches, 1);
  EXPECT_THROW(inbox.Append(t0_, "t", "p", false), std::logic_error);
}

TEST_F(InboxTest, ARedeliveryOfAHeldMessageIsRecognisedAlsoAfterARestart) {
  {
    auto inbox = Open();
    inbox->Append(t0_, "ems/v1/contracts/events", "event-a", false);
    EXPECT_TRUE(inbox->Append(t0_, "ems/v1/contracts/events", "event-a", true).redelivered);
    EXPECT_FALSE(inbox->Append(t0_, "ems/v1/contracts/events", "event-b", true).redelivered)
        << "a DUP flag alone is not enough: the inbox never saw event-b";
    EXPECT_FALSE(inbox->Append(t0_, "ems/v1/contracts/events", "event-a", false).redelivered)
        << "the same bytes sent anew by a client are a new message";
    EXPECT_FALSE(inbox->Append(t0_, "other/topic", "event-a", true).redelivered);
  }
  std::vector<InboxRecord> replayed;
  auto inbox = Open(0, &replayed);
  ASSERT_EQ(replayed.size(), 5u);
  EXPECT_TRUE(replayed[1].redelivered) << "the flag is stored with the record";
  EXPECT_TRUE(inbox->Append(t0_, "ems/v1/contracts/events", "event-b", true).redelivered);
}

TEST_F(InboxTest, ApplyingMarkSurvivesARestart) {
  {
    auto inbox = Open();
    EXPECT_EQ(inbox->Applying(), std::nullopt);
    inbox->MarkApplying({5, 9, 1});
    inbox->MarkApplying({7, 7, 2});
  }
  auto inbox = Open();
  EXPECT_EQ(inbox->Applying(), (ApplyingMark{7, 7, 2}));
}

TEST_F(InboxTest, ReleaseDeletesSegmentsWhoseRecordsAreAllApplied) {
  {
    auto inbox = Open();
    inbox->Append(t0_, "t", "a", false);
    inbox->Append(t0_, "t", "b", false);
  }
  auto inbox = Open();
  inbox->Append(t0_, "t", "c", false);
  ASSERT_EQ(Segments().size(), 2u);
  inbox->Release(1);
  EXPECT_EQ(Segments().size(), 2u) << "record 2 of the first segment is not applied yet";
  inbox->Release(2);
  EXPECT_EQ(Segments().size(), 1u);
}

TEST(RecoveryPlanTest, WhatTheStartUpReplayDoesAfterEachKindOfStop) {
  // Nothing was being applied, or it committed: replay as usual.
  EXPECT_EQ(PlanRecovery(std::nullopt, 10), RecoveryPlan{});
  EXPECT_EQ(PlanRecovery(ApplyingMark{5, 10, 1}, 10), RecoveryPlan{});
  // Died during a batch: its uncommitted records one at a time, first attempt each.
  EXPECT_EQ(PlanRecovery(ApplyingMark{5, 10, 1}, 4), (RecoveryPlan{std::nullopt, 10, 1}));
  // Died applying one record alone, once: try it alone again, second attempt.
  EXPECT_EQ(PlanRecovery(ApplyingMark{7, 7, 1}, 6), (RecoveryPlan{std::nullopt, 7, 2}));
  // Died applying it alone twice: quarantine it.
  EXPECT_EQ(PlanRecovery(ApplyingMark{7, 7, 2}, 6), (RecoveryPlan{7, 0, 1}));
}

}  // namespace
}  // namespace ems::listener
