#include "ems/codec/contract_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support.h"

namespace ems::codec {
namespace {

constexpr ContractComponent kSupply = ContractComponent::kEnergySupply;
constexpr ContractComponent kBattery = ContractComponent::kBatteryOptimization;
constexpr ContractComponent kHeatpump = ContractComponent::kHeatpumpOptimization;

using ems::testing::At;
const Timestamp kArrival = At("2024-12-01T08:30:00Z");

TEST(ContractEventCodecTest, DecodesAFullBody) {
  const auto e = DecodeContractEvent(
      R"({"type": "supply_energy_start", "contract_number": "1001", "date": "2024-12-01",
          "created_at": "2024-11-30T10:00:00+01:00"})",
      kArrival);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(e->type, "supply_energy_start");
  EXPECT_EQ(e->contract_number, "1001");
  EXPECT_EQ(FormatDate(e->date), "2024-12-01");
  EXPECT_EQ(FormatTimestamp(e->created_at), "2024-11-30T09:00:00Z");
  EXPECT_EQ(e->seq, kUnassignedSeq);
}

TEST(ContractEventCodecTest, MissingOrNullCreatedAtIsTheArrivalTime) {
  for (const char* body :
       {R"({"type": "supply_energy_end", "contract_number": "1001", "date": "2024-12-31"})",
        R"({"type": "supply_energy_end", "contract_number": "1001", "date": "2024-12-31",
            "created_at": null})"}) {
    const auto e = DecodeContractEvent(body, kArrival);
    ASSERT_TRUE(e.has_value()) << e.error().message;
    EXPECT_EQ(FormatTimestamp(e->created_at), "2024-12-01T08:30:00Z") << body;
  }
}

TEST(ContractEventCodecTest, CreatedAtWithoutOffsetIsUtc) {
  const auto e = DecodeContractEvent(
      R"({"type": "x", "contract_number": "1", "date": "2024-12-31",
          "created_at": "2024-03-03T10:00:00"})",
      kArrival);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(FormatTimestamp(e->created_at), "2024-03-03T10:00:00Z");
}

TEST(ContractEventCodecTest, ContractNumberMayBeAStringOrAnInteger) {
  struct Row {
    const char* json_number;
    const char* normalized;
  };
  for (const Row& r : {Row{"1001", "1001"}, Row{"\"1001\"", "1001"}, Row{"\"C-17.b\"", "C-17.b"},
                       Row{"1001.0", "1001"}, Row{"0", "0"}, Row{"\"0042\"", "0042"}}) {
    const std::string body = std::string(R"({"type": "supply_energy_start", "contract_number": )") +
                             r.json_number + R"(, "date": "2024-12-01"})";
    const auto e = DecodeContractEvent(body, kArrival);
    ASSERT_TRUE(e.has_value()) << body << ": " << e.error().message;
    EXPECT_EQ(e->contract_number, r.normalized) << body;
  }
}

TEST(ContractEventCodecTest, KeepsUnknownTypesForTheRulesToReject) {
  const auto e = DecodeContractEvent(
      R"({"type": "foo", "contract_number": 1001, "date": "2024-12-01"})", kArrival);
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(e->type, "foo");
}

struct BadBody {
  const char* name;
  std::string body;
  ErrorCode code;
  const char* message;
};

class ContractEventCodecRejectTest : public ::testing::TestWithParam<BadBody> {};

TEST_P(ContractEventCodecRejectTest, NamesTheField) {
  const auto e = DecodeContractEvent(GetParam().body, kArrival);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().code, GetParam().code);
  EXPECT_EQ(e.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, ContractEventCodecRejectTest,
    ::testing::Values(
        BadBody{"NotJson", "{", ErrorCode::kInvalidJson, "The payload is not valid JSON."},
        BadBody{"NotAnObject", "[1]", ErrorCode::kInvalidJson,
                "The payload must be a JSON object."},
        BadBody{"MissingType", R"({"contract_number": "1001", "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent, "Field 'type' is required."},
        BadBody{"TypeNotString", R"({"type": 3, "contract_number": "1001", "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent, "Field 'type' must be a string."},
        BadBody{"EmptyType", R"({"type": "", "contract_number": "1001", "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent, "Field 'type' must not be empty."},
        BadBody{"OverlongType",
                R"({"type": ")" + std::string(65, 'a') +
                    R"(", "contract_number": "1001", "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent, "Field 'type' must be at most 64 characters."},
        BadBody{"MissingContract", R"({"type": "supply_energy_start", "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent, "Field 'contract_number' is required."},
        BadBody{"FractionalContract",
                R"({"type": "supply_energy_start", "contract_number": 10.5, "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent,
                "Field 'contract_number' must be a string or an integer."},
        BadBody{"BoolContract",
                R"({"type": "supply_energy_start", "contract_number": true, "date": "2024-12-01"})",
                ErrorCode::kInvalidContractEvent,
                "Field 'contract_number' must be a string or an integer."},
        BadBody{
            "SlashInContract",
            R"({"type": "supply_energy_start", "contract_number": "10/01", "date": "2024-12-01"})",
            ErrorCode::kInvalidContractEvent,
            "Field 'contract_number' must be 1 to 64 characters of letters, digits, '_', '.' "
            "or '-'."},
        BadBody{"MissingDate", R"({"type": "supply_energy_start", "contract_number": "1001"})",
                ErrorCode::kInvalidContractEvent, "Field 'date' is required."},
        BadBody{"DateWithTime",
                R"({"type": "supply_energy_start", "contract_number": "1001",
                    "date": "2024-12-01T00:00:00Z"})",
                ErrorCode::kInvalidContractEvent, "Field 'date' must be a date YYYY-MM-DD."},
        BadBody{
            "ImpossibleDate",
            R"({"type": "supply_energy_start", "contract_number": "1001", "date": "2023-02-29"})",
            ErrorCode::kInvalidContractEvent, "Field 'date' must be a date YYYY-MM-DD."},
        BadBody{"BadCreatedAt",
                R"({"type": "supply_energy_start", "contract_number": "1001", "date": "2024-12-01",
                    "created_at": "yesterday"})",
                ErrorCode::kInvalidContractEvent,
                "Field 'created_at' must be an RFC 3339 timestamp."}),
    [](const ::testing::TestParamInfo<BadBody>& info) { return std::string(info.param.name); });

TEST(ContractCodecTest, DecodesAContractInCanonicalComponentOrder) {
  const auto c = DecodeContract(
      R"({"contract_number": 1001, "components": ["heatpump_optimization", "energy_supply"],
          "created_at": "2024-11-01T00:00:00Z"})",
      kArrival);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->contract_number, "1001");
  EXPECT_EQ(c->components, (std::vector<ContractComponent>{kSupply, kHeatpump}));
  EXPECT_EQ(FormatTimestamp(c->created_at), "2024-11-01T00:00:00Z");
}

TEST(ContractCodecTest, MissingCreatedAtIsNow) {
  const auto c =
      DecodeContract(R"({"contract_number": "A1", "components": ["energy_supply"]})", kArrival);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->created_at, kArrival);
}

TEST(ContractCodecTest, RejectsBrokenContractBodies) {
  struct Row {
    const char* body;
    const char* message;
  };
  for (const Row& r : {
           Row{R"({"components": ["energy_supply"]})", "Field 'contract_number' is required."},
           Row{R"({"contract_number": "1"})", "Field 'components' is required."},
           Row{R"({"contract_number": "1", "components": "energy_supply"})",
               "Field 'components' must be an array of component names."},
           Row{R"({"contract_number": "1", "components": [1]})",
               "Field 'components' must be an array of component names."},
           Row{R"({"contract_number": "1", "components": []})",
               "A contract needs at least one component."},
           Row{R"({"contract_number": "1", "components": ["solar"]})",
               "Unknown component 'solar': expected energy_supply, battery_optimization or "
               "heatpump_optimization."},
           Row{R"({"contract_number": "1", "components": ["energy_supply", "energy_supply"]})",
               "Component energy_supply is listed more than once."},
           Row{R"({"contract_number": "1", "components": ["energy_supply"], "created_at": 5})",
               "Field 'created_at' must be a string."},
           Row{R"({"contract_number": "1", "components": ["energy_supply"], "site_id": "a/b"})",
               "Field 'site_id' must be 1 to 64 characters of letters, digits, '_', '.' or '-'."},
       }) {
    const auto c = DecodeContract(r.body, kArrival);
    ASSERT_FALSE(c.has_value()) << r.body;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidContract) << r.body;
    EXPECT_EQ(c.error().message, r.message) << r.body;
  }
}

TEST(ContractCodecTest, EncodesAContract) {
  const Contract c{.contract_number = "1001",
                   .components = {kSupply, kBattery},
                   .created_at = At("2024-11-01T00:00:00Z")};
  EXPECT_EQ(EncodeContract(c), Json::parse(R"({"contract_number": "1001",
      "components": ["energy_supply", "battery_optimization"],
      "created_at": "2024-11-01T00:00:00Z", "site_id": null})"));
}

TEST(ContractCodecTest, EncodedContractDecodesToItself) {
  Contract c{.contract_number = "C-9",
             .components = {kSupply, kBattery, kHeatpump},
             .created_at = At("2024-11-01T00:00:00.250Z")};
  const auto back = DecodeContract(EncodeContract(c).dump(), kArrival);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, c);
  c.site_id = "home-1";  // a contract of a site (docs/contract.md §5)
  const auto of_site = DecodeContract(EncodeContract(c).dump(), kArrival);
  ASSERT_TRUE(of_site.has_value()) << of_site.error().message;
  EXPECT_EQ(*of_site, c);
}

TEST(ContractCodecTest, EncodesATimelineWithNullDates) {
  ContractTimeline t{.contract_number = "1001", .components = {}};
  t.components[kSupply] = ComponentSpan{ParseDate("2024-12-01"), std::nullopt};
  t.components[kHeatpump] = ComponentSpan{ParseDate("2024-12-01"), ParseDate("2025-06-30")};
  t.components[kBattery] = ComponentSpan{};
  EXPECT_EQ(EncodeTimeline(t), Json::parse(R"({"contract_number": "1001", "components": {
      "energy_supply": {"start": "2024-12-01", "end": null},
      "battery_optimization": {"start": null, "end": null},
      "heatpump_optimization": {"start": "2024-12-01", "end": "2025-06-30"}}})"));
}

TEST(ContractCodecTest, EncodesAnEventListItem) {
  const ContractEventRecord r{
      .event = ContractEvent{.contract_number = "1001",
                             .type = "supply_energy_end",
                             .date = *ParseDate("2024-11-30"),
                             .created_at = At("2024-12-02T10:00:00Z"),
                             .seq = 7},
      .outcome = {EventStatus::kRejected,
                  "End date 2024-11-30 is before the start date 2024-12-01."}};
  EXPECT_EQ(EncodeContractEventRecord(r), Json::parse(R"({"type": "supply_energy_end",
      "contract_number": "1001", "date": "2024-11-30", "created_at": "2024-12-02T10:00:00Z",
      "status": "rejected", "reason": "End date 2024-11-30 is before the start date 2024-12-01."})"));
}

TEST(ContractCodecTest, EncodesTheAnswerToAnEvent) {
  EXPECT_EQ(EncodeEventOutcome({EventStatus::kAccepted, "Event processed successfully."}),
            Json::parse(R"({"status": "accepted", "message": "Event processed successfully."})"));
}

}  // namespace
}  // namespace ems::codec
