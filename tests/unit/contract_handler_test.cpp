// The listener's contract-event handler (docs/contract.md §4.1, §4.4, §6.7) on a real temporary
// SQLite database: outcomes of the handler itself, and what the ingestor makes of them (counts,
// dead letters, the stored event log).
#include "listener/handlers/contract_handler.h"

#include <gtest/gtest.h>

#include <string>

#include "ems/codec/contract_codec.h"
#include "listener/ingestor.h"
#include "support.h"

namespace ems::listener {
namespace {

constexpr const char* kTopic = "ems/v1/contracts/events";

class ContractHandlerTest : public testing::TempDbTest {
 protected:
  void SetUp() override {
    auto tx = store().Begin(store::TxMode::kWrite);
    ASSERT_TRUE(store().Contracts().CreateContract(
        Contract{"1001",
                 {ContractComponent::kEnergySupply, ContractComponent::kBatteryOptimization},
                 *ParseTimestamp("2024-01-01T00:00:00Z")}));
    tx.Commit();
  }

  InboxRecord Record(const std::string& payload) {
    return InboxRecord{++seq_, *ParseTimestamp("2024-11-30T12:00:00Z") + std::chrono::seconds(seq_),
                       kTopic, payload};
  }

  // Handles one record in its own transaction, as the ingestor's writer would.
  Result<Outcome> Handle(ContractHandler& handler, const InboxRecord& record) {
    auto tx = store().Begin(store::TxMode::kWrite);
    BatchEffects effects;
    auto outcome = handler.Handle(mqtt::ContractEventMsg{}, record, effects);
    tx.Commit();
    return outcome;
  }

  std::vector<ContractEventRecord> Events() {
    auto page =
        store().Contracts().ListEvents("1001", store::Visibility::All(), 1000, std::nullopt);
    EXPECT_TRUE(page.has_value());
    return page ? page->items : std::vector<ContractEventRecord>{};
  }

  std::int64_t seq_ = 0;
};

TEST_F(ContractHandlerTest, OutcomesOfEachKindOfEvent) {
  ContractHandler handler(store());
  const std::string start =
      R"({"type": "supply_energy_start", "contract_number": 1001, "date": "2024-12-01",
          "created_at": "2024-11-20T10:00:00"})";
  EXPECT_EQ(Handle(handler, Record(start)), Outcome::kStored);
  EXPECT_EQ(Handle(handler, Record(start)), Outcome::kDuplicate);  // redelivery

  const auto rule = Handle(handler, Record(R"({"type": "supply_energy_end",
      "contract_number": "1001", "date": "2024-11-01", "created_at": "2024-11-21T10:00:00Z"})"));
  ASSERT_FALSE(rule.has_value());
  EXPECT_EQ(rule.error().code, ErrorCode::kContractRule);
  EXPECT_FALSE(rule.error().message.empty());
  // A redelivered rejected event is a duplicate too: it is dead-lettered once.
  EXPECT_EQ(Handle(handler, Record(R"({"type": "supply_energy_end",
      "contract_number": "1001", "date": "2024-11-01", "created_at": "2024-11-21T10:00:00Z"})")),
            Outcome::kDuplicate);

  const auto unknown = Handle(handler, Record(R"({"type": "supply_energy_start",
      "contract_number": "9999", "date": "2024-12-01"})"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnknownContract);
  EXPECT_EQ(unknown.error().message, "Contract 9999 not found.");

  EXPECT_EQ(Handle(handler, Record("[1, 2]")).error().code, ErrorCode::kInvalidJson);
  EXPECT_EQ(Handle(handler, Record(R"({"type": "supply_energy_start", "contract_number": "1001"})"))
                .error()
                .code,
            ErrorCode::kInvalidContractEvent);

  const auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.type, "supply_energy_start");
  EXPECT_EQ(events[0].outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(events[1].outcome.status, EventStatus::kRejected);
  EXPECT_EQ(events[1].outcome.message, rule.error().message);
}

TEST_F(ContractHandlerTest, MissingCreatedAtIsTheInboxArrivalSoReplaysAreDuplicates) {
  ContractHandler handler(store());
  const auto record = Record(
      R"({"type": "battery_optimization_start", "contract_number": "1001", "date": "2024-12-01"})");
  EXPECT_EQ(Handle(handler, record), Outcome::kStored);
  EXPECT_EQ(Handle(handler, record), Outcome::kDuplicate);  // the inbox replayed after a crash
  const auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.created_at, record.arrival);
}

TEST_F(ContractHandlerTest, IngestorStoresRuleRejectsAndDeadLettersThem) {
  Ingestor ingestor(store(), IngestOptions{});
  std::vector<InboxRecord> batch = {
      // The end arrives before the start that happened earlier: rejected, then re-derived.
      Record(R"({"type": "supply_energy_end", "contract_number": "1001", "date": "2024-12-31",
                 "created_at": "2024-11-21T10:00:00Z"})"),
      Record(R"({"type": "supply_energy_start", "contract_number": "1001", "date": "2024-12-01",
                 "created_at": "2024-11-20T10:00:00Z"})"),
      Record(R"({"type": "heatpump_optimization_start", "contract_number": "1001",
                 "date": "2024-12-01", "created_at": "2024-11-22T10:00:00Z"})"),
      Record(R"({"type": "supply_energy_start", "contract_number": "42", "date": "2024-12-01"})"),
  };
  batch.push_back(batch[1]);
  batch.back().seq = ++seq_;
  const auto effects = ingestor.ApplyBatch(batch);
  EXPECT_EQ(effects.counts.received, 5);
  EXPECT_EQ(effects.counts.stored, 1);
  EXPECT_EQ(effects.counts.duplicates, 1);
  EXPECT_EQ(effects.counts.rejected, 3);
  EXPECT_EQ(effects.counts.rejected_by_reason.at("contract_rule"), 2);
  EXPECT_EQ(effects.counts.rejected_by_reason.at("unknown_contract"), 1);

  auto& ingest = store().Ingest();
  const auto dead = ingest.ListDeadLetters(10, std::nullopt, std::string("contract_rule")).items;
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].topic, kTopic);
  EXPECT_EQ(ingest.Totals().rejected, 3);

  // Stored in replay order, the late start having re-derived the end.
  const auto events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event.type, "supply_energy_start");
  EXPECT_EQ(events[0].outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(events[1].event.type, "supply_energy_end");
  EXPECT_EQ(events[1].outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(events[2].outcome.status, EventStatus::kRejected);

  const auto timeline = store().Contracts().GetTimeline("1001", store::Visibility::All());
  ASSERT_TRUE(timeline.has_value());
  EXPECT_EQ(codec::EncodeTimeline(*timeline)["components"]["energy_supply"],
            (codec::Json{{"start", "2024-12-01"}, {"end", "2024-12-31"}}));
}

}  // namespace
}  // namespace ems::listener
