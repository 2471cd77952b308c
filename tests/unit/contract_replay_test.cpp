#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "ems/domain/contract.h"

namespace ems {

// Readable failure output.
void PrintTo(const EventOutcome& o, std::ostream* os) {
  *os << ToString(o.status) << " \"" << o.message << "\"";
}
void PrintTo(const ComponentSpan& s, std::ostream* os) {
  *os << "{" << (s.start ? FormatDate(*s.start) : "null") << ", "
      << (s.end ? FormatDate(*s.end) : "null") << "}";
}

namespace {

constexpr ContractComponent kSupply = ContractComponent::kEnergySupply;
constexpr ContractComponent kBattery = ContractComponent::kBatteryOptimization;
constexpr ContractComponent kHeatpump = ContractComponent::kHeatpumpOptimization;

Date D(const char* text) { return *ParseDate(text); }

// Minute `minute` of 2024-11-01, as created_at.
Timestamp T(int minute) {
  return *ParseTimestamp("2024-11-01T00:00:00Z") + std::chrono::minutes(minute);
}

ContractEvent Ev(const char* type, const char* date, int minute, std::int64_t seq,
                 const char* contract = "1001") {
  return ContractEvent{.contract_number = contract,
                       .type = type,
                       .date = D(date),
                       .created_at = T(minute),
                       .seq = seq};
}

Contract MakeContract(std::vector<ContractComponent> components) {
  return Contract{
      .contract_number = "1001", .components = std::move(components), .created_at = T(0)};
}

EventOutcome Ok() { return {EventStatus::kAccepted, "Event processed successfully."}; }
EventOutcome No(const char* message) { return {EventStatus::kRejected, message}; }

ComponentSpan Span(const char* start, const char* end) {
  return ComponentSpan{start ? std::optional(D(start)) : std::nullopt,
                       end ? std::optional(D(end)) : std::nullopt};
}

struct ReplayCase {
  const char* name;
  std::vector<ContractComponent> components;
  std::vector<ContractEvent> events;   // in arrival (input) order
  std::vector<EventOutcome> expected;  // per event, input order
  std::map<ContractComponent, ComponentSpan> timeline;
};

class ReplayRulesTest : public testing::TestWithParam<ReplayCase> {};

TEST_P(ReplayRulesTest, GivesStatusesAndTimeline) {
  const ReplayCase& c = GetParam();
  const ContractReplay replay = ReplayContract(MakeContract(c.components), c.events);
  ASSERT_EQ(replay.outcomes.size(), c.expected.size());
  for (std::size_t i = 0; i < c.expected.size(); ++i) {
    EXPECT_EQ(ToString(replay.outcomes[i].status), ToString(c.expected[i].status)) << "event " << i;
    EXPECT_EQ(replay.outcomes[i].message, c.expected[i].message) << "event " << i;
  }
  EXPECT_EQ(replay.timeline.contract_number, "1001");
  EXPECT_EQ(replay.timeline.components, c.timeline);
}

INSTANTIATE_TEST_SUITE_P(
    Section6_7, ReplayRulesTest,
    testing::Values(
        ReplayCase{"StartSetsStartDate",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1)},
                   {Ok()},
                   {{kSupply, Span("2024-12-01", nullptr)}}},
        ReplayCase{"LaterStartOverwritesStart",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_start", "2024-12-05", 2, 2)},
                   {Ok(), Ok()},
                   {{kSupply, Span("2024-12-05", nullptr)}}},
        ReplayCase{"StartAfterEndIsARestartAndRejected",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_end", "2024-12-31", 2, 2),
                    Ev("supply_energy_start", "2025-01-10", 3, 3)},
                   {Ok(), Ok(),
                    No("Cannot restart energy_supply: it ended on 2024-12-31, before the new "
                       "start 2025-01-10.")},
                   {{kSupply, Span("2024-12-01", "2024-12-31")}}},
        ReplayCase{"StartMovedEarlierWhileEndedIsAccepted",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_end", "2024-12-31", 2, 2),
                    Ev("supply_energy_start", "2024-11-15", 3, 3)},
                   {Ok(), Ok(), Ok()},
                   {{kSupply, Span("2024-11-15", "2024-12-31")}}},
        ReplayCase{"StartOnTheEndDateIsAccepted",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_end", "2024-12-31", 2, 2),
                    Ev("supply_energy_start", "2024-12-31", 3, 3)},
                   {Ok(), Ok(), Ok()},
                   {{kSupply, Span("2024-12-31", "2024-12-31")}}},
        ReplayCase{"EndWithoutStartIsRejected",
                   {kSupply},
                   {Ev("supply_energy_end", "2024-12-31", 1, 1)},
                   {No("Cannot end energy_supply: it has no start date.")},
                   {{kSupply, Span(nullptr, nullptr)}}},
        ReplayCase{"EndBeforeStartIsRejected",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_end", "2024-11-30", 2, 2)},
                   {Ok(), No("End date 2024-11-30 is before the start date 2024-12-01.")},
                   {{kSupply, Span("2024-12-01", nullptr)}}},
        ReplayCase{"EndOnTheStartDateIsAccepted",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_end", "2024-12-01", 2, 2)},
                   {Ok(), Ok()},
                   {{kSupply, Span("2024-12-01", "2024-12-01")}}},
        ReplayCase{"LaterEndOverwritesEndEitherWay",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1),
                    Ev("supply_energy_end", "2024-12-31", 2, 2),
                    Ev("supply_energy_end", "2024-12-15", 3, 3),
                    Ev("supply_energy_end", "2025-03-01", 4, 4)},
                   {Ok(), Ok(), Ok(), Ok()},
                   {{kSupply, Span("2024-12-01", "2025-03-01")}}},
        ReplayCase{"UnknownTypeIsRejected",
                   {kSupply},
                   {Ev("foo", "2024-12-01", 1, 1), Ev("supply_energy", "2024-12-01", 2, 2),
                    Ev("energy_supply_start", "2024-12-01", 3, 3)},
                   {No("Unknown event type 'foo'."), No("Unknown event type 'supply_energy'."),
                    No("Unknown event type 'energy_supply_start'.")},
                   {{kSupply, Span(nullptr, nullptr)}}},
        ReplayCase{"ComponentNotInContractIsRejected",
                   {kSupply},
                   {Ev("battery_optimization_start", "2024-12-01", 1, 1),
                    Ev("heatpump_optimization_end", "2024-12-31", 2, 2)},
                   {No("Component battery_optimization is not part of contract 1001."),
                    No("Component heatpump_optimization is not part of contract 1001.")},
                   {{kSupply, Span(nullptr, nullptr)}}},
        ReplayCase{"EventOfAnotherContractIsRejected",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 1, "1002")},
                   {No("The event is for contract 1002, not 1001.")},
                   {{kSupply, Span(nullptr, nullptr)}}},
        ReplayCase{
            "ComponentsAreIndependent",
            {kSupply, kBattery, kHeatpump},
            {Ev("supply_energy_start", "2024-12-01", 1, 1),
             Ev("battery_optimization_end", "2024-12-31", 2, 2),
             Ev("heatpump_optimization_start", "2025-01-01", 3, 3),
             Ev("heatpump_optimization_end", "2025-06-30", 4, 4),
             Ev("supply_energy_end", "2024-12-02", 5, 5)},
            {Ok(), No("Cannot end battery_optimization: it has no start date."), Ok(), Ok(), Ok()},
            {{kSupply, Span("2024-12-01", "2024-12-02")},
             {kBattery, Span(nullptr, nullptr)},
             {kHeatpump, Span("2025-01-01", "2025-06-30")}}},
        // Input order is arrival order; created_at decides the replay.
        ReplayCase{"ReplaysByCreatedAtNotByArrival",
                   {kSupply},
                   {Ev("supply_energy_end", "2024-12-31", 5, 1),
                    Ev("supply_energy_start", "2024-12-01", 2, 2)},
                   {Ok(), Ok()},
                   {{kSupply, Span("2024-12-01", "2024-12-31")}}},
        ReplayCase{"EndCreatedBeforeAnyStartIsRejectedEvenIfItArrivedLast",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 5, 1),
                    Ev("supply_energy_end", "2024-12-31", 2, 2)},
                   {Ok(), No("Cannot end energy_supply: it has no start date.")},
                   {{kSupply, Span("2024-12-01", nullptr)}}},
        // Same created_at: the one that arrived first (smaller seq) replays first.
        ReplayCase{"TiesOnCreatedAtGoByArrivalStartFirst",
                   {kSupply},
                   {Ev("supply_energy_end", "2024-12-31", 1, 2),
                    Ev("supply_energy_start", "2024-12-01", 1, 1)},
                   {Ok(), Ok()},
                   {{kSupply, Span("2024-12-01", "2024-12-31")}}},
        ReplayCase{"TiesOnCreatedAtGoByArrivalEndFirst",
                   {kSupply},
                   {Ev("supply_energy_end", "2024-12-31", 1, 1),
                    Ev("supply_energy_start", "2024-12-01", 1, 2)},
                   {No("Cannot end energy_supply: it has no start date."), Ok()},
                   {{kSupply, Span("2024-12-01", nullptr)}}},
        ReplayCase{"EqualKeysKeepInputOrder",
                   {kSupply},
                   {Ev("supply_energy_start", "2024-12-01", 1, 7),
                    Ev("supply_energy_start", "2024-12-09", 1, 7)},
                   {Ok(), Ok()},
                   {{kSupply, Span("2024-12-09", nullptr)}}}),
    [](const testing::TestParamInfo<ReplayCase>& info) { return std::string(info.param.name); });

// A late arrival takes its place in history and re-derives the statuses of later events.
struct LateCase {
  const char* name;
  std::vector<ContractEvent> before;          // stored history
  std::vector<EventOutcome> before_expected;  // its statuses without the late event
  ContractEvent late;                         // arrives last (largest seq), created earlier
  std::vector<EventOutcome> after_expected;   // statuses of `before` once `late` is in history
  EventOutcome late_expected;
  ComponentSpan final_span;
};

class LateArrivalTest : public testing::TestWithParam<LateCase> {};

TEST_P(LateArrivalTest, RederivesLaterStatuses) {
  const LateCase& c = GetParam();
  const Contract contract = MakeContract({kSupply});
  EXPECT_EQ(ReplayContract(contract, c.before).outcomes, c.before_expected);

  std::vector<ContractEvent> all = c.before;
  all.push_back(c.late);
  const ContractReplay replay = ReplayContract(contract, all);
  std::vector<EventOutcome> after(replay.outcomes.begin(), replay.outcomes.end() - 1);
  EXPECT_EQ(after, c.after_expected);
  EXPECT_EQ(replay.outcomes.back(), c.late_expected);
  EXPECT_EQ(replay.timeline.components.at(kSupply), c.final_span);
}

INSTANTIATE_TEST_SUITE_P(
    Section6_7, LateArrivalTest,
    testing::Values(
        LateCase{"LateStartMakesARejectedEndAccepted",
                 {Ev("supply_energy_start", "2024-12-01", 10, 1),
                  Ev("supply_energy_end", "2024-11-30", 30, 2)},
                 {Ok(), No("End date 2024-11-30 is before the start date 2024-12-01.")},
                 Ev("supply_energy_start", "2024-11-01", 20, 3),
                 {Ok(), Ok()},
                 Ok(),
                 Span("2024-11-01", "2024-11-30")},
        LateCase{
            "LateEndMakesAnAcceptedStartARestart",
            {Ev("supply_energy_start", "2024-12-01", 10, 1),
             Ev("supply_energy_start", "2025-01-10", 30, 2)},
            {Ok(), Ok()},
            Ev("supply_energy_end", "2024-12-31", 20, 3),
            {Ok(), No("Cannot restart energy_supply: it ended on 2024-12-31, before the new start "
                      "2025-01-10.")},
            Ok(),
            Span("2024-12-01", "2024-12-31")},
        LateCase{"LateEndBeforeEveryStartIsItselfRejected",
                 {Ev("supply_energy_start", "2024-12-01", 10, 1),
                  Ev("supply_energy_end", "2024-12-31", 30, 2)},
                 {Ok(), Ok()},
                 Ev("supply_energy_end", "2024-12-20", 5, 3),
                 {Ok(), Ok()},
                 No("Cannot end energy_supply: it has no start date."),
                 Span("2024-12-01", "2024-12-31")},
        LateCase{"LateEventTiedOnCreatedAtReplaysAfterTheEarlierArrival",
                 {Ev("supply_energy_start", "2024-12-01", 10, 1),
                  Ev("supply_energy_end", "2024-12-31", 30, 2)},
                 {Ok(), Ok()},
                 // Same created_at as the start, arrives later: replays after it, before the end.
                 Ev("supply_energy_start", "2025-01-05", 10, 3),
                 {Ok(), No("End date 2024-12-31 is before the start date 2025-01-05.")},
                 Ok(),
                 Span("2025-01-05", nullptr)}),
    [](const testing::TestParamInfo<LateCase>& info) { return std::string(info.param.name); });

TEST(ContractReplayTest, OrderListsEventsInReplayOrder) {
  const std::vector<ContractEvent> events = {Ev("supply_energy_end", "2024-12-31", 9, 1),
                                             Ev("supply_energy_start", "2024-12-01", 3, 2),
                                             Ev("supply_energy_start", "2024-12-02", 3, 3)};
  EXPECT_EQ(ReplayContract(MakeContract({kSupply}), events).order,
            (std::vector<std::size_t>{1, 2, 0}));
}

// A seeded random history: several components, created_at often out of arrival order and tied.
std::vector<ContractEvent> RandomHistory(std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  const std::vector<const char*> types = {"supply_energy_start",
                                          "supply_energy_end",
                                          "battery_optimization_start",
                                          "battery_optimization_end",
                                          "heatpump_optimization_start",
                                          "heatpump_optimization_end",
                                          "foo"};
  const std::vector<const char*> dates = {"2024-11-30", "2024-12-01", "2024-12-15", "2024-12-31",
                                          "2025-01-10"};
  std::vector<ContractEvent> events;
  for (int i = 0; i < n; ++i) {
    events.push_back(Ev(types[rng() % types.size()], dates[rng() % dates.size()],
                        static_cast<int>(rng() % 40), i + 1));
  }
  return events;
}

TEST(ContractReplayTest, IsIndependentOfInputOrder) {
  const Contract contract = MakeContract({kSupply, kBattery});
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const std::vector<ContractEvent> events = RandomHistory(seed, 60);
    const ContractReplay reference = ReplayContract(contract, events);

    std::vector<std::size_t> perm(events.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::shuffle(perm.begin(), perm.end(), std::mt19937(seed * 7));
    std::vector<ContractEvent> shuffled;
    for (const std::size_t i : perm) shuffled.push_back(events[i]);
    const ContractReplay replay = ReplayContract(contract, shuffled);

    EXPECT_EQ(replay.timeline, reference.timeline) << "seed " << seed;
    for (std::size_t k = 0; k < perm.size(); ++k) {
      EXPECT_EQ(replay.outcomes[k], reference.outcomes[perm[k]]) << "seed " << seed;
    }
  }
}

TEST(ContractReplayTest, ApplyingInReplayOrderEqualsReplay) {
  const Contract contract = MakeContract({kSupply, kHeatpump});
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const std::vector<ContractEvent> events = RandomHistory(seed, 80);
    const ContractReplay reference = ReplayContract(contract, events);
    ContractTimeline timeline = EmptyTimeline(contract);
    for (const std::size_t i : reference.order) {
      EXPECT_EQ(ApplyContractEvent(timeline, events[i]), reference.outcomes[i]) << "seed " << seed;
    }
    EXPECT_EQ(timeline, reference.timeline) << "seed " << seed;
  }
}

TEST(ContractReplayTest, ContinuingFromAnIntermediateTimelineEqualsFullReplay) {
  const Contract contract = MakeContract({kSupply, kBattery, kHeatpump});
  std::vector<ContractEvent> events = RandomHistory(42, 100);
  std::ranges::sort(events, ReplaysBefore);
  const ContractReplay full = ReplayContract(contract, events);
  for (const std::size_t split : {0, 1, 37, 99, 100}) {
    const std::span<const ContractEvent> head(events.data(), split);
    const std::span<const ContractEvent> tail(events.data() + split, events.size() - split);
    const ContractReplay first = ReplayContract(contract, head);
    const ContractReplay rest = ReplayContract(first.timeline, tail);
    EXPECT_EQ(rest.timeline, full.timeline) << "split " << split;
    for (std::size_t i = 0; i < tail.size(); ++i) {
      EXPECT_EQ(rest.outcomes[i], full.outcomes[split + i]) << "split " << split;
    }
  }
}

TEST(ContractReplayTest, ARejectedEventLeavesTheTimelineUnchanged) {
  const Contract contract = MakeContract({kSupply});
  ContractTimeline timeline = EmptyTimeline(contract);
  ASSERT_EQ(ApplyContractEvent(timeline, Ev("supply_energy_start", "2024-12-01", 1, 1)), Ok());
  ASSERT_EQ(ApplyContractEvent(timeline, Ev("supply_energy_end", "2024-12-31", 2, 2)), Ok());
  const ContractTimeline before = timeline;
  EXPECT_EQ(ApplyContractEvent(timeline, Ev("supply_energy_start", "2025-02-01", 3, 3)).status,
            EventStatus::kRejected);
  EXPECT_EQ(ApplyContractEvent(timeline, Ev("supply_energy_end", "2024-11-01", 4, 4)).status,
            EventStatus::kRejected);
  EXPECT_EQ(timeline, before);
}

TEST(ContractTypesTest, EventTypesMapToComponentsAndBack) {
  struct Row {
    const char* type;
    ContractComponent component;
    ContractEventKind kind;
  };
  for (const Row& r : {Row{"supply_energy_start", kSupply, ContractEventKind::kStart},
                       Row{"supply_energy_end", kSupply, ContractEventKind::kEnd},
                       Row{"battery_optimization_start", kBattery, ContractEventKind::kStart},
                       Row{"battery_optimization_end", kBattery, ContractEventKind::kEnd},
                       Row{"heatpump_optimization_start", kHeatpump, ContractEventKind::kStart},
                       Row{"heatpump_optimization_end", kHeatpump, ContractEventKind::kEnd}}) {
    const auto parsed = ParseContractEventType(r.type);
    ASSERT_TRUE(parsed.has_value()) << r.type;
    EXPECT_EQ(*parsed, (ContractEventType{r.component, r.kind})) << r.type;
    EXPECT_EQ(ToString(*parsed), r.type);
  }
  for (const char* bad : {"", "supply_energy", "supply_energy_start ", "SUPPLY_ENERGY_START",
                          "energy_supply_start", "supply_energy_startx", "battery_optimization"}) {
    EXPECT_FALSE(ParseContractEventType(bad).has_value()) << bad;
  }
}

TEST(ContractTypesTest, ComponentNamesRoundTrip) {
  EXPECT_EQ(ToString(kSupply), "energy_supply");
  EXPECT_EQ(ToString(kBattery), "battery_optimization");
  EXPECT_EQ(ToString(kHeatpump), "heatpump_optimization");
  for (const ContractComponent c : kContractComponents) {
    EXPECT_EQ(ParseContractComponent(ToString(c)), c);
  }
  EXPECT_FALSE(ParseContractComponent("supply_energy").has_value());
}

TEST(ContractValidationTest, SortsComponentsIntoCanonicalOrder) {
  const auto c = ValidateContract(MakeContract({kHeatpump, kSupply, kBattery}));
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->components, (std::vector<ContractComponent>{kSupply, kBattery, kHeatpump}));
}

TEST(ContractValidationTest, RejectsBrokenContracts) {
  struct Row {
    Contract contract;
    const char* message;
  };
  Contract bad_id = MakeContract({kSupply});
  bad_id.contract_number = "10/01";
  for (const Row& r :
       {Row{MakeContract({}), "A contract needs at least one component."},
        Row{MakeContract({kBattery, kSupply, kBattery}),
            "Component battery_optimization is listed more than once."},
        Row{bad_id,
            "Field 'contract_number' must be 1 to 64 characters of letters, digits, '_', '.' or "
            "'-'."}}) {
    const auto result = ValidateContract(r.contract);
    ASSERT_FALSE(result.has_value()) << r.message;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidContract);
    EXPECT_EQ(result.error().message, r.message);
  }
}

}  // namespace
}  // namespace ems
