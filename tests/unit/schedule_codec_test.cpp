#include "ems/codec/schedule_codec.h"

#include <gtest/gtest.h>

#include <limits>

#include "ems/codec/tariff_codec.h"
#include "support.h"

namespace ems::codec {
namespace {

using ems::testing::At;
ChargingSlot Slot(const char* start, const char* end) { return {At(start), At(end)}; }

// ---- Tariff ----

TEST(TariffCodecTest, DecodesSortedPricesIncludingNegativeOnes) {
  const auto t = DecodeTariff(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "2026-11-21T23:00:00Z", "price_per_kwh": 0.27},
      {"start": "2026-11-22T00:00:00+01:00", "end": "2026-11-22T01:00:00Z", "price_per_kwh": -0.05}]})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->currency, "EUR");
  ASSERT_EQ(t->prices.size(), 2u);
  EXPECT_EQ(t->prices[0],
            (TariffPrice{At("2026-11-21T22:00:00Z"), At("2026-11-21T23:00:00Z"), 0.27}));
  // Touching the previous price is fine; the offset is normalised to UTC.
  EXPECT_EQ(t->prices[1],
            (TariffPrice{At("2026-11-21T23:00:00Z"), At("2026-11-22T01:00:00Z"), -0.05}));
}

TEST(TariffCodecTest, EncodesTheSameShapeInUtcAndRoundTrips) {
  const Tariff tariff{"EUR",
                      {{At("2026-11-21T22:00:00Z"), At("2026-11-21T23:00:00Z"), 0.27},
                       {At("2026-11-21T23:30:00Z"), At("2026-11-22T00:00:00Z"), -0.05}}};
  const Json json = EncodeTariff(tariff);
  EXPECT_EQ(
      json.dump(),
      R"({"currency":"EUR","prices":[)"
      R"({"end":"2026-11-21T23:00:00Z","price_per_kwh":0.27,"start":"2026-11-21T22:00:00Z"},)"
      R"({"end":"2026-11-22T00:00:00Z","price_per_kwh":-0.05,"start":"2026-11-21T23:30:00Z"}]})");
  const auto back = DecodeTariff(json.dump());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, tariff);
}

TEST(TariffCodecTest, EmptyPricesIsAValidTariff) {
  const auto t = DecodeTariff(R"({"currency": "SEK", "prices": []})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->prices.empty());
}

TEST(TariffCodecTest, RejectsBrokenTariffsNamingTheField) {
  const auto message = [](const char* text) {
    const auto t = DecodeTariff(text);
    if (t) return std::string("accepted");
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidTariff) << text;
    return t.error().message;
  };
  EXPECT_EQ(message(R"({"prices": []})"), "Field 'currency' is required.");
  EXPECT_EQ(message(R"({"currency": "eur", "prices": []})"),
            "Field 'currency' must be a three-letter upper-case code such as EUR.");
  EXPECT_EQ(message(R"({"currency": "EUR"})"), "Field 'prices' is required.");
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": {}})"), "Field 'prices' must be an array.");
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [1]})"),
            "Field 'prices[0]' must be an object.");
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "2026-11-21T23:00:00Z"}]})"),
            "Field 'prices[0].price_per_kwh' is required.");
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "2026-11-21T23:00:00Z", "price_per_kwh": "low"}]})"),
            "Field 'prices[0].price_per_kwh' must be a number.");
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "tonight", "price_per_kwh": 0.2}]})"),
            "Field 'prices[0].end' must be an RFC 3339 timestamp.");
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "2026-11-21T22:00:00Z", "price_per_kwh": 0.2}]})"),
            "Field 'prices[0].end' must be after 'prices[0].start'.");
  // Overlapping, and unsorted.
  const char* kOverlap =
      "Field 'prices[1].start' must not be before the end of 'prices[0]': "
      "prices are sorted and do not overlap.";
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "2026-11-21T23:00:00Z", "price_per_kwh": 0.2},
      {"start": "2026-11-21T22:59:00Z", "end": "2026-11-22T00:00:00Z", "price_per_kwh": 0.3}]})"),
            kOverlap);
  EXPECT_EQ(message(R"({"currency": "EUR", "prices": [
      {"start": "2026-11-21T22:00:00Z", "end": "2026-11-21T23:00:00Z", "price_per_kwh": 0.2},
      {"start": "2026-11-21T20:00:00Z", "end": "2026-11-21T21:00:00Z", "price_per_kwh": 0.3}]})"),
            kOverlap);
}

TEST(TariffCodecTest, RejectsNonFinitePricesInAnAlreadyParsedPayload) {
  // JSON text cannot carry NaN or infinity, but a Json value built in code can.
  Json payload = {{"currency", "EUR"},
                  {"prices",
                   {{{"start", "2026-11-21T22:00:00Z"},
                     {"end", "2026-11-21T23:00:00Z"},
                     {"price_per_kwh", std::numeric_limits<double>::infinity()}}}}};
  const auto t = DecodeTariffJson(payload);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kInvalidTariff);
  EXPECT_EQ(t.error().message, "Field 'prices[0].price_per_kwh' must be a finite number.");
  payload["prices"][0]["price_per_kwh"] = 0.25;
  EXPECT_TRUE(DecodeTariffJson(payload));
}

TEST(TariffCodecTest, TextThatIsNotAnObjectIsInvalidJson) {
  for (const char* text : {"", "[]", "{\"currency\": "}) {
    const auto t = DecodeTariff(text);
    ASSERT_FALSE(t) << text;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidJson) << text;
  }
}

// ---- Schedule PUT body ----

TEST(ScheduleRequestCodecTest, DecodesManualSlotsSorted) {
  const auto r = DecodeScheduleRequest(R"({"slots": [
      {"start": "2026-11-22T01:00:00Z", "end": "2026-11-22T02:00:00Z"},
      {"start": "2026-11-21T23:00:00+01:00", "end": "2026-11-22T00:30:00Z"}]})");
  ASSERT_TRUE(r) << r.error().message;
  const auto* manual = std::get_if<ManualScheduleRequest>(&*r);
  ASSERT_NE(manual, nullptr);
  EXPECT_EQ(manual->slots, (std::vector{Slot("2026-11-21T22:00:00Z", "2026-11-22T00:30:00Z"),
                                        Slot("2026-11-22T01:00:00Z", "2026-11-22T02:00:00Z")}));
}

TEST(ScheduleRequestCodecTest, DecodesAPlannedGoal) {
  const auto r =
      DecodeScheduleRequest(R"({"target_soc": 0.8, "ready_by": "2026-11-22T07:00:00Z"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(std::get<ChargingGoal>(*r), (ChargingGoal{0.8, At("2026-11-22T07:00:00Z")}));

  const auto full =
      DecodeScheduleRequest(R"({"target_soc": 1, "ready_by": "2026-11-22T07:00:00"})");
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(std::get<ChargingGoal>(*full).target_soc, 1.0);
}

TEST(ScheduleRequestCodecTest, RejectsMixedEmptyAndBrokenBodies) {
  const auto message = [](const char* text) {
    const auto r = DecodeScheduleRequest(text);
    if (r) return std::string("accepted");
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidSchedule) << text;
    return r.error().message;
  };
  const std::string kMixed =
      "Send one of 'slots', 'repeat', 'target_soc' with 'ready_by', or 'target_soc' with "
      "'within_hours'.";
  EXPECT_EQ(message(R"({"slots": [{"start": "2026-11-22T01:00:00Z", "end": "2026-11-22T02:00:00Z"}],
                        "target_soc": 0.8, "ready_by": "2026-11-22T07:00:00Z"})"),
            kMixed);
  EXPECT_EQ(message(R"({"slots": [], "ready_by": "2026-11-22T07:00:00Z"})"), kMixed);
  const std::string kNeither =
      "The schedule needs one of 'slots', 'repeat', 'target_soc' with 'ready_by', or "
      "'target_soc' with 'within_hours'.";
  EXPECT_EQ(message("{}"), kNeither);
  EXPECT_EQ(message(R"({"slots": null, "target_soc": null})"), kNeither);
  EXPECT_EQ(message(R"({"slots": []})"), "A manual schedule needs at least one slot.");
  EXPECT_EQ(message(R"({"slots": {}})"), "Field 'slots' must be an array.");
  EXPECT_EQ(message(R"({"slots": ["x"]})"), "Field 'slots[0]' must be an object.");
  EXPECT_EQ(message(R"({"slots": [{"start": "2026-11-22T01:00:00Z", "end": "2026-11-22T02:00:00Z"},
                                  {"start": "2026-11-22T03:00:00Z", "end": 7}]})"),
            "Field 'slots[1].end' must be a string.");
  EXPECT_EQ(message(R"({"slots": [{"end": "2026-11-22T02:00:00Z"}]})"),
            "Field 'slots[0].start' is required.");
  EXPECT_EQ(message(R"({"slots": [{"start": "2026-11-22T01:00:00Z", "end": "2026-11-22T02:00:00Z"},
                                  {"start": "2026-11-22T01:30:00Z", "end": "2026-11-22T03:00:00Z"}]})"),
            "Slots 'slots[0]' and 'slots[1]' overlap.");
  EXPECT_EQ(
      message(R"({"slots": [{"start": "2026-11-22T02:00:00Z", "end": "2026-11-22T01:00:00Z"}]})"),
      "Slot 'slots[0]' must end after it starts.");
  const std::string kTarget = "Field 'target_soc' must be a fraction greater than 0 and at most 1.";
  EXPECT_EQ(message(R"({"target_soc": 0, "ready_by": "2026-11-22T07:00:00Z"})"), kTarget);
  EXPECT_EQ(message(R"({"target_soc": 1.01, "ready_by": "2026-11-22T07:00:00Z"})"), kTarget);
  EXPECT_EQ(message(R"({"target_soc": 80, "ready_by": "2026-11-22T07:00:00Z"})"), kTarget);
  EXPECT_EQ(message(R"({"target_soc": "0.8", "ready_by": "2026-11-22T07:00:00Z"})"),
            "Field 'target_soc' must be a number.");
  EXPECT_EQ(message(R"({"target_soc": 0.8})"), "Field 'ready_by' is required.");
  EXPECT_EQ(message(R"({"ready_by": "2026-11-22T07:00:00Z"})"), "Field 'target_soc' is required.");
  EXPECT_EQ(message(R"({"target_soc": 0.8, "ready_by": "tomorrow"})"),
            "Field 'ready_by' must be an RFC 3339 timestamp.");

  const auto not_json = DecodeScheduleRequest("{slots}");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidJson);
}

// ---- Schedule GET answer ----

TEST(ScheduleViewCodecTest, EncodesAManualScheduleWithNullsForNoPauseAndNoOverride) {
  ScheduleView view;
  view.device_id = "ev-1";
  view.soc = 0.5;
  view.projected_soc = 0.7 + 0.1;  // 0.7999999999999999: shown rounded
  view.is_at_home = true;
  view.slots = {{Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z"), 0.1 + 0.2}};
  EXPECT_EQ(EncodeScheduleView(view), Json::parse(R"({
      "device_id": "ev-1", "soc": 0.5, "projected_soc": 0.8, "is_at_home": true,
      "is_paused": false, "paused_until": null, "override": null, "mode": "manual",
      "slots": [{"start": "2026-11-21T01:00:00Z", "end": "2026-11-21T02:00:00Z",
                 "soc_gained": 0.3}]})"));
}

// A planned schedule, paused, with an override, its target out of reach.
ScheduleView PlannedPausedView() {
  ScheduleView view;
  view.device_id = "ev-2";
  view.soc = 0.14;
  view.projected_soc = 0.64;
  view.is_at_home = false;
  view.is_paused = true;
  view.paused_until = At("2026-11-21T23:00:00Z");
  view.override_window = Slot("2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
  view.mode = ScheduleMode::kPlanned;
  view.slots = {{Slot("2026-11-22T05:00:00Z", "2026-11-22T07:00:00Z"), 0.5}};
  view.goal = ChargingGoal{0.8, At("2026-11-22T07:00:00Z")};
  view.target_reachable = false;
  view.plan_message = "Target 80% cannot be reached by 2026-11-22T07:00:00Z; projected 64%.";
  view.next_start = At("2026-11-22T05:00:00Z");
  view.expected_soc_at_ready_by = 0.64;
  view.explanation = PlanExplanation{.charge_power_w = 7'400,
                                     .power_measured = true,
                                     .efficiency = 0.9,
                                     .expected_cost = 2.35,
                                     .currency = "EUR",
                                     .reason = "needs 4.2 h at 7.4 kW, 2 h left"};
  return view;
}

TEST(ScheduleViewCodecTest, EncodesAPlannedPausedScheduleWithItsExtraFields) {
  EXPECT_EQ(EncodeScheduleView(PlannedPausedView()), Json::parse(R"({
      "device_id": "ev-2", "soc": 0.14, "projected_soc": 0.64, "is_at_home": false,
      "is_paused": true, "paused_until": "2026-11-21T23:00:00Z",
      "override": {"start": "2026-11-21T10:00:00Z", "end": "2026-11-21T11:00:00Z"},
      "mode": "planned",
      "slots": [{"start": "2026-11-22T05:00:00Z", "end": "2026-11-22T07:00:00Z", "soc_gained": 0.5}],
      "target_soc": 0.8, "ready_by": "2026-11-22T07:00:00Z", "target_reachable": false,
      "plan_message": "Target 80% cannot be reached by 2026-11-22T07:00:00Z; projected 64%.",
      "next_start": "2026-11-22T05:00:00Z", "expected_cost": 2.35, "currency": "EUR",
      "expected_soc_at_ready_by": 0.64, "reason": "needs 4.2 h at 7.4 kW, 2 h left",
      "charge_power_w": 7400, "power_source": "measured", "efficiency": 0.9,
      "recurring": null, "rolling": null})"));
}

TEST(ScheduleViewCodecTest, EncodesARecurringPlanAndARollingGoalAsSet) {
  ScheduleView view;
  view.device_id = "ev-3";
  view.mode = ScheduleMode::kPlanned;
  view.recurring = RecurringPlan{{{0b0011111, 7 * 60, 0.8}, {0b1000000, 9 * 60 + 5, 0.5}},
                                 {*ParseDate("2026-12-24")}};
  Json json = EncodeScheduleView(view);
  EXPECT_EQ(json.at("recurring"), Json::parse(R"({"repeat": [
      {"days": ["mon", "tue", "wed", "thu", "fri"], "ready_by": "07:00", "target_soc": 0.8},
      {"days": ["sun"], "ready_by": "09:05", "target_soc": 0.5}], "skip": ["2026-12-24"]})"));
  EXPECT_TRUE(json.at("next_start").is_null());
  view.recurring.reset();
  view.rolling = RollingGoal{0.6, std::chrono::hours(12)};
  json = EncodeScheduleView(view);
  EXPECT_EQ(json.at("rolling"), Json::parse(R"({"target_soc": 0.6, "within_hours": 12})"));
}

TEST(ScheduleRequestCodecTest, DecodesARecurringPlanAndARollingGoal) {
  const auto recurring = DecodeScheduleRequest(
      R"({"repeat": [{"days": ["mon", "fri", "mon"], "ready_by": "07:30", "target_soc": 0.8}],
          "skip": ["2026-12-25", "2026-12-24", "2026-12-25"]})");
  ASSERT_TRUE(recurring) << recurring.error().message;
  EXPECT_EQ(std::get<RecurringPlan>(*recurring),
            (RecurringPlan{{{0b0010001, 7 * 60 + 30, 0.8}},
                           {*ParseDate("2026-12-24"), *ParseDate("2026-12-25")}}));
  const auto rolling = DecodeScheduleRequest(R"({"target_soc": 0.6, "within_hours": 12})");
  ASSERT_TRUE(rolling) << rolling.error().message;
  EXPECT_EQ(std::get<RollingGoal>(*rolling), (RollingGoal{0.6, std::chrono::hours(12)}));
}

TEST(ScheduleRequestCodecTest, RejectsBrokenRecurringPlansNamingTheField) {
  const auto message = [](const char* body) {
    const auto r = DecodeScheduleRequest(body);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(message(R"({"repeat": []})"), "Field 'repeat' must be an array of 1 to 14 rules.");
  EXPECT_EQ(
      message(R"({"repeat": [{"days": ["monday"], "ready_by": "07:00", "target_soc": 0.8}]})"),
      "Field 'repeat[0].days' must list 1 to 7 of mon, tue, wed, thu, fri, sat, sun.");
  EXPECT_EQ(message(R"({"repeat": [{"days": ["mon"], "ready_by": "7:00", "target_soc": 0.8}]})"),
            "Field 'repeat[0].ready_by' must be a local time HH:MM.");
  EXPECT_EQ(message(R"({"repeat": [{"days": ["mon"], "ready_by": "24:00", "target_soc": 0.8}]})"),
            "Field 'repeat[0].ready_by' must be a local time HH:MM.");
  EXPECT_EQ(message(R"({"repeat": [{"days": ["mon"], "ready_by": "07:00", "target_soc": 1.2}]})"),
            "Field 'repeat[0].target_soc' must be a fraction greater than 0 and at most 1.");
  EXPECT_EQ(message(R"({"repeat": [{"days": ["mon"], "ready_by": "07:00", "target_soc": 0.8}],
                        "skip": ["24.12.2026"]})"),
            "Field 'skip[0]' must be a date YYYY-MM-DD.");
  EXPECT_EQ(message(R"({"target_soc": 0.6, "within_hours": 0})"),
            "Field 'within_hours' must be greater than 0 and at most 168.");
  EXPECT_EQ(
      message(R"({"target_soc": 0.6, "within_hours": 12, "ready_by": "2026-11-22T07:00:00Z"})"),
      "Send one of 'slots', 'repeat', 'target_soc' with 'ready_by', or 'target_soc' with "
      "'within_hours'.");
}

TEST(ScheduleViewCodecTest, PlannedScheduleBeforeItsFirstPlanHasNullReachability) {
  ScheduleView view;
  view.device_id = "ev-3";
  view.mode = ScheduleMode::kPlanned;
  view.goal = ChargingGoal{0.9, At("2026-11-22T07:00:00Z")};
  const Json json = EncodeScheduleView(view);
  EXPECT_EQ(json.at("slots"), Json::array());
  EXPECT_EQ(json.at("target_soc"), 0.9);
  EXPECT_TRUE(json.at("target_reachable").is_null());
  EXPECT_TRUE(json.at("plan_message").is_null());
}

TEST(ScheduleViewCodecTest, EncodesWhatViewScheduleComputes) {
  // End to end through the domain: slot 01:00–02:00 seen at 01:30 gains half of 0.25.
  const ChargingSchedule schedule{.slots = {Slot("2026-11-21T01:00:00Z", "2026-11-21T02:00:00Z")}};
  const ScheduleView view = ViewSchedule("ev-1", schedule, EvState{0.5, true},
                                         EvParams{40'000, 10'000}, At("2026-11-21T01:30:00Z"));
  const Json json = EncodeScheduleView(view);
  EXPECT_EQ(json.at("projected_soc"), 0.625);
  EXPECT_EQ(json.at("slots")[0].at("soc_gained"), 0.125);
  EXPECT_FALSE(json.contains("target_soc"));
}

TEST(ScheduleViewCodecTest, DecodesWhatItEncodes) {
  // A client of the schedule topic (the simulated EV) reads back every field.
  ScheduleView planned = PlannedPausedView();
  planned.override_window->end += Millis(500);  // milliseconds survive
  ScheduleView manual;
  manual.device_id = "ev-1";
  manual.soc = 0.5;
  manual.is_at_home = false;
  for (const ScheduleView& view : {planned, manual}) {
    const auto decoded = DecodeScheduleView(EncodeScheduleView(view).dump());
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, view);
  }
}

TEST(ScheduleViewCodecTest, RejectsAViewWithoutItsFieldsNamingThem) {
  EXPECT_EQ(DecodeScheduleView("[]").error().code, ErrorCode::kInvalidJson);
  Json view = EncodeScheduleView(ScheduleView{.device_id = "ev-1"});
  view["slots"] = Json::array({{{"start", "2026-11-21T01:00:00Z"}, {"end", "soon"}}});
  const auto bad_slot = DecodeScheduleView(view.dump());
  ASSERT_FALSE(bad_slot);
  EXPECT_EQ(bad_slot.error().code, ErrorCode::kInvalidSchedule);
  EXPECT_NE(bad_slot.error().message.find("slots[0].end"), std::string::npos);
  view = EncodeScheduleView(ScheduleView{.device_id = "ev-1"});
  view["mode"] = "eco";
  EXPECT_NE(DecodeScheduleView(view.dump()).error().message.find("'mode'"), std::string::npos);
  view.erase("mode");
  EXPECT_EQ(DecodeScheduleView(view.dump()).error().message, "Field 'mode' is required.");
}

// ---- EV properties ----

TEST(EvParamsCodecTest, ReadsCapacityAndPowerFromDeviceProperties) {
  const auto ev = DecodeEvParams(Json::parse(
      R"({"battery_capacity_wh": 60000, "max_charge_w": 11000, "max_discharge_w": 0})"));
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(*ev, (EvParams{60'000, 11'000}));

  const auto missing = DecodeEvParams(Json::parse(R"({"battery_capacity_wh": 60000})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidDevice);
  EXPECT_EQ(missing.error().message, "Field 'max_charge_w' is required.");

  const auto zero =
      DecodeEvParams(Json::parse(R"({"battery_capacity_wh": 0, "max_charge_w": 11000})"));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message, "Field 'battery_capacity_wh' must be greater than 0.");
}

}  // namespace
}  // namespace ems::codec
