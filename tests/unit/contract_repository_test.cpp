// ContractRepository against a real SQLite file with every migration.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ems/store/store.h"
#include "support.h"

namespace ems::store {
namespace {

constexpr ContractComponent kSupply = ContractComponent::kEnergySupply;
constexpr ContractComponent kBattery = ContractComponent::kBatteryOptimization;
constexpr ContractComponent kHeatpump = ContractComponent::kHeatpumpOptimization;

Timestamp T(int minute) {
  return *ParseTimestamp("2024-11-01T00:00:00Z") + std::chrono::minutes(minute);
}
const Timestamp kArrival = *ParseTimestamp("2025-02-01T12:00:00Z");

ContractEvent Ev(const char* type, const char* date, int minute, const char* contract = "1001") {
  return ContractEvent{.contract_number = contract,
                       .type = type,
                       .date = *ParseDate(date),
                       .created_at = T(minute),
                       .seq = kUnassignedSeq};
}

ComponentSpan Span(const char* start, const char* end) {
  return ComponentSpan{start ? ParseDate(start) : std::nullopt,
                       end ? ParseDate(end) : std::nullopt};
}

// Compact view of a listed event for table comparisons: "type date status: reason".
std::string Line(const ContractEventRecord& r) {
  return r.event.type + " " + FormatDate(r.event.date) + " " +
         std::string(ToString(r.outcome.status)) + ": " + r.outcome.message;
}

using ems::testing::ErrorOf;

class ContractRepositoryTest : public ems::testing::TempDbTest {
 protected:
  ContractRepository& repo() { return store().Contracts(); }

  Contract Create(const char* number, std::vector<ContractComponent> components) {
    auto tx = store().Begin(TxMode::kWrite);
    auto c = repo().CreateContract(Contract{
        .contract_number = number, .components = std::move(components), .created_at = T(0)});
    EXPECT_TRUE(c.has_value()) << c.error().message;
    tx.Commit();
    return *c;
  }

  // Appends in its own transaction, like one REST request.
  Result<AppendResult> Append(const ContractEvent& e) {
    auto tx = store().Begin(TxMode::kWrite);
    auto r = repo().AppendEvent(e, kArrival);
    tx.Commit();
    return r;
  }

  std::vector<std::string> Lines(const char* number = "1001") {
    auto page = repo().ListEvents(number, Visibility::All(), kMaxPageLimit, std::nullopt);
    EXPECT_TRUE(page.has_value());
    std::vector<std::string> lines;
    for (const auto& r : page->items) lines.push_back(Line(r));
    return lines;
  }

  ComponentSpan TimelineOf(ContractComponent c, const char* number = "1001") {
    auto t = repo().GetTimeline(number, Visibility::All());
    EXPECT_TRUE(t.has_value());
    return t->components.at(c);
  }
};

TEST_F(ContractRepositoryTest, CreatesAndReadsAContract) {
  Create("1001", {kHeatpump, kSupply});
  const auto c = repo().GetContract("1001", Visibility::All());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->contract_number, "1001");
  EXPECT_EQ(c->components, (std::vector<ContractComponent>{kSupply, kHeatpump}));
  EXPECT_EQ(c->created_at, T(0));

  const auto t = repo().GetTimeline("1001", Visibility::All());
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->contract_number, "1001");
  EXPECT_EQ(t->components,
            (std::map<ContractComponent, ComponentSpan>{{kSupply, Span(nullptr, nullptr)},
                                                        {kHeatpump, Span(nullptr, nullptr)}}));
}

TEST_F(ContractRepositoryTest, CreatingAnExistingContractIsAConflict) {
  Create("1001", {kSupply});
  auto tx = store().Begin(TxMode::kWrite);
  const auto again = repo().CreateContract(
      Contract{.contract_number = "1001", .components = {kBattery}, .created_at = T(5)});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, "Contract 1001 already exists.");
  tx.Commit();
  EXPECT_EQ(repo().GetContract("1001", Visibility::All())->components,
            std::vector<ContractComponent>{kSupply});
}

TEST_F(ContractRepositoryTest, CreateValidatesTheContract) {
  auto tx = store().Begin(TxMode::kWrite);
  const auto c = repo().CreateContract(
      Contract{.contract_number = "1001", .components = {}, .created_at = T(0)});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidContract);
  EXPECT_FALSE(repo().GetContract("1001", Visibility::All()).has_value());
}

TEST_F(ContractRepositoryTest, UnknownContractIsADistinctOutcomeEverywhere) {
  auto tx = store().Begin(TxMode::kWrite);
  const std::vector<Reject> rejects = {
      ErrorOf(repo().GetContract("9999", Visibility::All())),
      ErrorOf(repo().GetTimeline("9999", Visibility::All())),
      ErrorOf(repo().ListEvents("9999", Visibility::All(), 10, std::nullopt)),
      ErrorOf(repo().DeleteContract("9999")),
      ErrorOf(repo().AppendEvent(Ev("supply_energy_start", "2024-12-01", 1, "9999"), kArrival)),
      ErrorOf(repo().RebuildContract("9999")),
  };
  for (const Reject& r : rejects) {
    EXPECT_EQ(r.code, ErrorCode::kNotFound);
    EXPECT_EQ(r.message, "Contract 9999 not found.");
  }
  tx.Commit();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contract_events"), 0);
}

TEST_F(ContractRepositoryTest, WritesRefuseToRunOutsideATransaction) {
  Create("1001", {kSupply});
  EXPECT_THROW(repo().AppendEvent(Ev("supply_energy_start", "2024-12-01", 1), kArrival),
               std::logic_error);
  EXPECT_THROW(repo().DeleteContract("1001"), std::logic_error);
  EXPECT_THROW(repo().CreateContract(Contract{
                   .contract_number = "1002", .components = {kSupply}, .created_at = T(0)}),
               std::logic_error);
  EXPECT_EQ(Lines(), std::vector<std::string>{});
}

TEST_F(ContractRepositoryTest, AppendsInOrderAndKeepsTheTimeline) {
  Create("1001", {kSupply, kBattery});
  const auto a = Append(Ev("supply_energy_start", "2024-12-01", 1));
  const auto b = Append(Ev("supply_energy_end", "2024-11-30", 2));
  const auto c = Append(Ev("supply_energy_end", "2024-12-31", 3));
  const auto d = Append(Ev("battery_optimization_end", "2024-12-31", 4));
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->outcome, (EventOutcome{EventStatus::kAccepted, "Event processed successfully."}));
  EXPECT_EQ(b->outcome, (EventOutcome{EventStatus::kRejected,
                                      "End date 2024-11-30 is before the start date 2024-12-01."}));
  EXPECT_EQ(c->outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(d->outcome.message, "Cannot end battery_optimization: it has no start date.");
  EXPECT_FALSE(a->duplicate);
  EXPECT_LT(a->seq, b->seq);
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-12-01", "2024-12-31"));
  EXPECT_EQ(TimelineOf(kBattery), Span(nullptr, nullptr));
}

TEST_F(ContractRepositoryTest, ARedeliveredEventIsStoredOnce) {
  Create("1001", {kSupply});
  const ContractEvent start = Ev("supply_energy_start", "2024-12-01", 1);
  const ContractEvent bad_end = Ev("supply_energy_end", "2024-11-01", 2);
  const auto first = Append(start);
  const auto first_bad = Append(bad_end);
  const auto again = Append(start);
  const auto again_bad = Append(bad_end);
  ASSERT_TRUE(first && first_bad && again && again_bad);
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->outcome, first->outcome);
  EXPECT_TRUE(again_bad->duplicate);
  EXPECT_EQ(again_bad->outcome.message, "End date 2024-11-01 is before the start date 2024-12-01.");
  EXPECT_EQ(Lines(), (std::vector<std::string>{
                         "supply_energy_start 2024-12-01 accepted: Event processed successfully.",
                         "supply_energy_end 2024-11-01 rejected: End date 2024-11-01 is before "
                         "the start date 2024-12-01."}));
}

TEST_F(ContractRepositoryTest, SameContentWithAnotherCreatedAtIsANewEvent) {
  Create("1001", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 1)));
  const auto second = Append(Ev("supply_energy_start", "2024-12-01", 2));
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->duplicate);
  EXPECT_EQ(Lines().size(), 2u);
}

TEST_F(ContractRepositoryTest, ALateStartRederivesALaterEnd) {
  Create("1001", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 10)));
  ASSERT_EQ(Append(Ev("supply_energy_end", "2024-11-30", 30))->outcome.status,
            EventStatus::kRejected);
  ASSERT_EQ(TimelineOf(kSupply), Span("2024-12-01", nullptr));

  const auto late = Append(Ev("supply_energy_start", "2024-11-01", 20));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(late->rederived, 1u);
  EXPECT_EQ(Lines(), (std::vector<std::string>{
                         "supply_energy_start 2024-12-01 accepted: Event processed successfully.",
                         "supply_energy_start 2024-11-01 accepted: Event processed successfully.",
                         "supply_energy_end 2024-11-30 accepted: Event processed successfully."}));
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-11-01", "2024-11-30"));
}

TEST_F(ContractRepositoryTest, ALateEndTurnsALaterStartIntoARejectedRestart) {
  Create("1001", {kSupply, kBattery});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 10)));
  ASSERT_TRUE(Append(Ev("battery_optimization_start", "2024-12-01", 25)));
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2025-01-10", 30)));
  ASSERT_EQ(TimelineOf(kSupply), Span("2025-01-10", nullptr));

  const auto late = Append(Ev("supply_energy_end", "2024-12-31", 20));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(late->rederived, 1u);
  EXPECT_EQ(Lines(), (std::vector<std::string>{
                         "supply_energy_start 2024-12-01 accepted: Event processed successfully.",
                         "supply_energy_end 2024-12-31 accepted: Event processed successfully.",
                         "battery_optimization_start 2024-12-01 accepted: Event processed "
                         "successfully.",
                         "supply_energy_start 2025-01-10 rejected: Cannot restart energy_supply: "
                         "it ended on 2024-12-31, before the new start 2025-01-10."}));
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-12-01", "2024-12-31"));
  EXPECT_EQ(TimelineOf(kBattery), Span("2024-12-01", nullptr));
}

TEST_F(ContractRepositoryTest, ALateEventAnswersItsOwnStatusInTheReplay) {
  Create("1001", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 10)));
  const auto late = Append(Ev("supply_energy_end", "2024-12-31", 5));
  ASSERT_TRUE(late);
  EXPECT_EQ(late->outcome.message, "Cannot end energy_supply: it has no start date.");
  EXPECT_EQ(late->rederived, 0u);
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-12-01", nullptr));
}

TEST_F(ContractRepositoryTest, TiesOnCreatedAtReplayInArrivalOrder) {
  Create("1001", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_end", "2024-12-31", 10)));
  const auto start = Append(Ev("supply_energy_start", "2024-12-01", 10));
  ASSERT_TRUE(start);
  EXPECT_EQ(start->outcome.status, EventStatus::kAccepted);
  EXPECT_EQ(start->rederived, 0u);  // the end arrived first, so it stays before the start
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-12-01", nullptr));
  EXPECT_EQ(Lines()[0],
            "supply_energy_end 2024-12-31 rejected: Cannot end energy_supply: it has no start "
            "date.");
}

TEST_F(ContractRepositoryTest, StoresAndListsRejectedTypesAndComponents) {
  Create("1001", {kSupply});
  const auto foo = Append(Ev("foo", "2024-12-01", 1));
  const auto battery = Append(Ev("battery_optimization_start", "2024-12-01", 2));
  ASSERT_TRUE(foo && battery);
  EXPECT_EQ(foo->outcome.message, "Unknown event type 'foo'.");
  EXPECT_EQ(battery->outcome.message,
            "Component battery_optimization is not part of contract 1001.");
  EXPECT_EQ(Lines(),
            (std::vector<std::string>{"foo 2024-12-01 rejected: Unknown event type 'foo'.",
                                      "battery_optimization_start 2024-12-01 rejected: Component "
                                      "battery_optimization is not part of contract 1001."}));
  EXPECT_TRUE(Append(Ev("foo", "2024-12-01", 1))->duplicate);
}

TEST_F(ContractRepositoryTest, DeleteRemovesEventsAndTimeline) {
  Create("1001", {kSupply});
  Create("1002", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 1)));
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-05", 1, "1002")));
  {
    auto tx = store().Begin(TxMode::kWrite);
    ASSERT_TRUE(repo().DeleteContract("1001").has_value());
    tx.Commit();
  }
  EXPECT_EQ(ErrorOf(repo().GetTimeline("1001", Visibility::All())).code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contract_events WHERE contract_number = '1001'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contract_components WHERE contract_number = '1001'"), 0);
  // The other contract is untouched, and the number can be reused from a clean slate.
  EXPECT_EQ(TimelineOf(kSupply, "1002"), Span("2024-12-05", nullptr));
  Create("1001", {kSupply});
  EXPECT_EQ(Lines(), std::vector<std::string>{});
  EXPECT_EQ(TimelineOf(kSupply), Span(nullptr, nullptr));
  EXPECT_FALSE(Append(Ev("supply_energy_start", "2024-12-01", 1))->duplicate);
}

TEST_F(ContractRepositoryTest, ListsContractsByKeysetPages) {
  for (const char* n : {"1003", "1001", "A-7", "1002", "0999"}) Create(n, {kSupply, kBattery});
  std::vector<std::vector<std::string>> pages;
  std::optional<std::string> after;
  do {
    const auto page = repo().ListContracts(Visibility::All(), 2, after);
    std::vector<std::string> numbers;
    for (const Contract& c : page.items) {
      numbers.push_back(c.contract_number);
      EXPECT_EQ(c.components, (std::vector<ContractComponent>{kSupply, kBattery}));
    }
    pages.push_back(numbers);
    after = page.next_cursor;
  } while (after && pages.size() < 10);
  EXPECT_EQ(pages,
            (std::vector<std::vector<std::string>>{{"0999", "1001"}, {"1002", "1003"}, {"A-7"}}));
  // Exactly a full last page: no next cursor.
  EXPECT_EQ(repo().ListContracts(Visibility::All(), 5, std::nullopt).next_cursor, std::nullopt);
  EXPECT_EQ(repo().ListContracts(Visibility::All(), 4, std::nullopt).next_cursor, "1003");
  // Limits are clamped to at least one item.
  EXPECT_EQ(repo().ListContracts(Visibility::All(), 0, std::nullopt).items.size(), 1u);
}

TEST_F(ContractRepositoryTest, ListsEventsByKeysetPagesInReplayOrder) {
  Create("1001", {kSupply});
  for (const int minute : {50, 10, 40, 20, 30}) {
    ASSERT_TRUE(Append(Ev("supply_energy_end", "2024-12-31", minute)));
  }
  std::vector<Timestamp> seen;
  std::optional<ContractEventCursor> after;
  int pages = 0;
  do {
    const auto page = repo().ListEvents("1001", Visibility::All(), 2, after);
    ASSERT_TRUE(page.has_value());
    for (const auto& r : page->items) seen.push_back(r.event.created_at);
    after = page->next_cursor;
    if (after) {
      // The cursor survives its text form, as a REST cursor would carry it.
      after = ParseContractEventCursor(FormatContractEventCursor(*after));
      ASSERT_TRUE(after.has_value());
    }
    ++pages;
  } while (after && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<Timestamp>{T(10), T(20), T(30), T(40), T(50)}));
}

TEST(ContractEventCursorTest, ParsesOnlyItsOwnTextForm) {
  const ContractEventCursor c{T(3), 42};
  EXPECT_EQ(FormatContractEventCursor(c), std::to_string(ToMillis(T(3))) + ".42");
  EXPECT_EQ(ParseContractEventCursor(FormatContractEventCursor(c)), c);
  EXPECT_EQ(ParseContractEventCursor("-5.-1"), (ContractEventCursor{FromMillis(-5), -1}));
  for (const char* bad : {"", ".", "12", "12.", ".3", "1x.2", "1.2.3", "a.b", "1.2 "}) {
    EXPECT_FALSE(ParseContractEventCursor(bad).has_value()) << bad;
  }
}

TEST_F(ContractRepositoryTest, TimelineSurvivesReopening) {
  Create("1001", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 1)));
  ASSERT_TRUE(Append(Ev("supply_energy_end", "2025-06-30", 2)));
  Reopen();
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-12-01", "2025-06-30"));
  EXPECT_EQ(Lines().size(), 2u);
}

TEST_F(ContractRepositoryTest, ARolledBackAppendLeavesNoTrace) {
  Create("1001", {kSupply});
  {
    auto tx = store().Begin(TxMode::kWrite);
    ASSERT_TRUE(repo().AppendEvent(Ev("supply_energy_start", "2024-12-01", 1), kArrival));
  }  // no commit
  EXPECT_EQ(Lines(), std::vector<std::string>{});
  EXPECT_EQ(TimelineOf(kSupply), Span(nullptr, nullptr));
}

// Whatever the arrival order, redeliveries and lateness, the stored statuses and timeline equal
// the pure replay of the stored history.
TEST_F(ContractRepositoryTest, StoredStateAlwaysEqualsAFullReplay) {
  const Contract contract = Create("1001", {kSupply, kBattery});
  const std::vector<const char*> types = {"supply_energy_start",         "supply_energy_end",
                                          "battery_optimization_start",  "battery_optimization_end",
                                          "heatpump_optimization_start", "bogus"};
  const std::vector<const char*> dates = {"2024-11-30", "2024-12-01", "2024-12-15", "2024-12-31",
                                          "2025-01-10"};
  std::mt19937 rng(20241201);
  std::vector<ContractEvent> sent;
  std::size_t rederived = 0;
  for (int i = 0; i < 400; ++i) {
    ContractEvent e;
    if (!sent.empty() && rng() % 10 == 0) {
      e = sent[rng() % sent.size()];  // redelivery
    } else {
      // Mostly advancing in time, one in four from the past, some ties.
      const int minute = rng() % 4 == 0 ? static_cast<int>(rng() % (i + 1)) : i;
      e = Ev(types[rng() % types.size()], dates[rng() % dates.size()], minute);
    }
    sent.push_back(e);
    const auto r = Append(e);
    ASSERT_TRUE(r.has_value());
    rederived += r->rederived;

    if (i % 50 == 49 || i == 399) {
      const auto page = repo().ListEvents("1001", Visibility::All(), kMaxPageLimit, std::nullopt);
      ASSERT_TRUE(page.has_value());
      std::vector<ContractEvent> stored;
      for (const auto& rec : page->items) stored.push_back(rec.event);
      const ContractReplay replay = ReplayContract(contract, stored);
      for (std::size_t k = 0; k < stored.size(); ++k) {
        ASSERT_EQ(page->items[k].outcome, replay.outcomes[k]) << "after " << i << ", event " << k;
      }
      ASSERT_EQ(*repo().GetTimeline("1001", Visibility::All()), replay.timeline) << "after " << i;
    }
  }
  EXPECT_GT(rederived, 0u);  // the history really exercised late re-derivation
  auto tx = store().Begin(TxMode::kWrite);
  EXPECT_EQ(repo().RebuildContract("1001"), 0u);
}

TEST_F(ContractRepositoryTest, RebuildRepairsTamperedStatuses) {
  Create("1001", {kSupply});
  ASSERT_TRUE(Append(Ev("supply_energy_start", "2024-12-01", 1)));
  ASSERT_TRUE(Append(Ev("supply_energy_end", "2024-12-31", 2)));
  Exec("UPDATE contract_events SET status = 'rejected', reason = 'x'");
  Exec("UPDATE contract_components SET start_date = NULL, end_date = NULL");
  auto tx = store().Begin(TxMode::kWrite);
  EXPECT_EQ(repo().RebuildContract("1001"), 2u);
  tx.Commit();
  EXPECT_EQ(TimelineOf(kSupply), Span("2024-12-01", "2024-12-31"));
  EXPECT_EQ(Lines()[1], "supply_energy_end 2024-12-31 accepted: Event processed successfully.");
}

}  // namespace
}  // namespace ems::store
