// The session ledger's JSON and CSV (ems/codec/ledger_codec.h): the columns, nulls and unknown
// shares, RFC 4180 quoting and the guard against spreadsheet formulas.
#include "ems/codec/ledger_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "support.h"

namespace ems::codec {
namespace {

using ems::testing::At;

std::vector<LedgerEntry> Entries() {
  ChargingSession done;
  done.session_id = "s-1";
  done.station_id = "st-1";
  done.site_id = "home";
  done.vehicle_id = "-ev.1";
  done.started_at = At("2026-11-02T09:00:00Z");
  done.ended_at = At("2026-11-02T13:00:00Z");
  done.energy_kwh = 18.5;
  done.cost = 5.25;
  done.currency = "EUR";
  ChargingSession active = done;
  active.session_id = "s-2";
  active.vehicle_id.reset();
  active.status = SessionStatus::kActive;
  active.ended_at.reset();
  active.cost.reset();
  return {{done, 1.0 / 3}, {active, std::nullopt}};
}

std::string Csv(std::string_view cell) {
  std::string out;
  AppendCsvCell(out, cell);
  return out;
}

TEST(LedgerCodecTest, JsonNamesTheRangeAndEveryColumn) {
  const auto json =
      nlohmann::json::parse(EncodeLedgerJson({2026, 11, 1}, {2026, 11, 30}, Entries()));
  EXPECT_EQ(json["from"], "2026-11-01");
  EXPECT_EQ(json["to"], "2026-11-30");
  ASSERT_EQ(json["items"].size(), 2u);
  EXPECT_EQ(json["items"][0],
            nlohmann::json::parse(R"({"session_id": "s-1", "site_id": "home", "station_id": "st-1",
              "vehicle_id": "-ev.1", "started_at": "2026-11-02T09:00:00Z",
              "ended_at": "2026-11-02T13:00:00Z", "status": "completed", "energy_kwh": 18.5,
              "cost": 5.25, "currency": "EUR", "solar_share": 0.3333})"));
  const auto& active = json["items"][1];
  EXPECT_EQ(active["status"], "active");
  EXPECT_TRUE(active["ended_at"].is_null());
  EXPECT_TRUE(active["vehicle_id"].is_null());
  EXPECT_TRUE(active["cost"].is_null());
  EXPECT_TRUE(active["solar_share"].is_null());
}

TEST(LedgerCodecTest, CsvHasAHeaderAndARowPerSession) {
  EXPECT_EQ(EncodeLedgerCsv(Entries()),
            "session_id,site_id,station_id,vehicle_id,started_at,ended_at,status,energy_kwh,cost,"
            "currency,solar_share\r\n"
            "s-1,home,st-1,'-ev.1,2026-11-02T09:00:00Z,2026-11-02T13:00:00Z,completed,18.5,5.25,"
            "EUR,0.3333\r\n"
            "s-2,home,st-1,,2026-11-02T09:00:00Z,,active,18.5,,EUR,unknown\r\n");
  EXPECT_EQ(EncodeLedgerCsv({}),
            "session_id,site_id,station_id,vehicle_id,started_at,ended_at,status,energy_kwh,cost,"
            "currency,solar_share\r\n");
}

TEST(LedgerCodecTest, CellsAreQuotedPerRfc4180) {
  EXPECT_EQ(Csv("ev-1"), "ev-1");
  EXPECT_EQ(Csv(""), "");
  EXPECT_EQ(Csv("ev,1"), "\"ev,1\"");
  EXPECT_EQ(Csv("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Csv("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Csv("cr\rlf"), "\"cr\rlf\"");
}

TEST(LedgerCodecTest, CellsThatASpreadsheetWouldRunAreText) {
  EXPECT_EQ(Csv("=1+2"), "'=1+2");
  EXPECT_EQ(Csv("+49"), "'+49");
  EXPECT_EQ(Csv("-2"), "'-2");
  EXPECT_EQ(Csv("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(Csv("\tx"), "'\tx");
  EXPECT_EQ(Csv("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
  EXPECT_EQ(Csv("a=b"), "a=b");  // only the first character counts
}

}  // namespace
}  // namespace ems::codec
