#include "ems/codec/session_codec.h"

#include <gtest/gtest.h>

#include "support.h"

namespace ems::codec {
namespace {

constexpr const char* kSite = "home";
constexpr const char* kStation = "st-1";

using testing::Written;

Json Valid() { return testing::SpecSession(); }

TEST(SessionCodecTest, DecodesTheSpecExample) {
  const auto s = DecodeSession(Valid().dump(), kSite, kStation, "EUR");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->session_id, "s-7f3a");
  EXPECT_EQ(s->site_id, "home");
  EXPECT_EQ(s->connector, 1);
  EXPECT_EQ(s->status, SessionStatus::kCompleted);
  EXPECT_EQ(FormatTimestamp(*s->ended_at), "2026-11-21T09:10:00Z");
  EXPECT_DOUBLE_EQ(s->energy_kwh, 18.42);
  EXPECT_EQ(s->cost, 5.71);
  EXPECT_EQ(Written([&](JsonWriter& w) { WriteSession(w, *s); })["ended_at"],
            "2026-11-21T09:10:00Z");
}

TEST(SessionCodecTest, ActiveSessionHasNoEndAndCurrencyDefaults) {
  auto j = Valid();
  j["status"] = "active";
  j["ended_at"] = nullptr;
  j.erase("currency");
  j.erase("cost");
  const auto s = DecodeSession(j.dump(), kSite, kStation, "CHF");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_FALSE(s->ended_at);
  EXPECT_EQ(s->currency, "CHF");
  EXPECT_FALSE(s->cost);
  EXPECT_TRUE(Written([&](JsonWriter& w) { WriteSession(w, *s); })["cost"].is_null());
}

struct BadCase {
  const char* name;
  std::function<void(Json&)> mutate;
  ErrorCode code;
  const char* message_part;
};

TEST(SessionCodecTest, RejectsBrokenRulesNamingTheField) {
  const std::vector<BadCase> cases = {
      {"not json", nullptr, ErrorCode::kInvalidJson, "JSON"},
      {"missing id", [](Json& j) { j.erase("session_id"); }, ErrorCode::kInvalidSession,
       "session_id"},
      {"id with slash", [](Json& j) { j["session_id"] = "a/b"; }, ErrorCode::kInvalidSession,
       "session_id"},
      {"id too long", [](Json& j) { j["session_id"] = std::string(65, 'a'); },
       ErrorCode::kInvalidSession, "session_id"},
      {"station mismatch", [](Json& j) { j["station_id"] = "st-2"; }, ErrorCode::kInvalidSession,
       "topic"},
      {"unknown status", [](Json& j) { j["status"] = "paused"; }, ErrorCode::kInvalidSession,
       "status"},
      {"completed without end", [](Json& j) { j["ended_at"] = nullptr; },
       ErrorCode::kInvalidSession, "ended_at"},
      {"active with end", [](Json& j) { j["status"] = "active"; }, ErrorCode::kInvalidSession,
       "active"},
      {"end before start", [](Json& j) { j["ended_at"] = "2026-11-21T07:00:00Z"; },
       ErrorCode::kInvalidSession, "before"},
      {"negative energy", [](Json& j) { j["energy_kwh"] = -1; }, ErrorCode::kInvalidSession,
       "energy_kwh"},
      {"energy as text", [](Json& j) { j["energy_kwh"] = "18"; }, ErrorCode::kInvalidSession,
       "energy_kwh"},
      {"negative cost", [](Json& j) { j["cost"] = -0.01; }, ErrorCode::kInvalidSession, "cost"},
      {"lower-case currency", [](Json& j) { j["currency"] = "eur"; }, ErrorCode::kInvalidSession,
       "currency"},
      {"connector zero", [](Json& j) { j["connector"] = 0; }, ErrorCode::kInvalidSession,
       "connector"},
      {"bad timestamp", [](Json& j) { j["started_at"] = "yesterday"; }, ErrorCode::kInvalidSession,
       "started_at"},
  };
  for (const auto& c : cases) {
    std::string payload = "{oops";
    if (c.mutate) {
      auto j = Valid();
      c.mutate(j);
      payload = j.dump();
    }
    const auto s = DecodeSession(payload, kSite, kStation, "EUR");
    ASSERT_FALSE(s) << c.name;
    EXPECT_EQ(s.error().code, c.code) << c.name;
    EXPECT_NE(s.error().message.find(c.message_part), std::string::npos)
        << c.name << ": " << s.error().message;
  }
}

TEST(SessionCodecTest, EndEqualToStartIsAZeroLengthSession) {
  auto j = Valid();
  j["ended_at"] = j["started_at"];
  EXPECT_TRUE(DecodeSession(j.dump(), kSite, kStation, "EUR"));
}

TEST(LegacySessionCodecTest, MapsExistingStationPayload) {
  const auto arrival = *ParseTimestamp("2026-11-21T10:00:00Z");
  const auto s = DecodeLegacySession(
      R"({"session_id": 1, "energy_delivered_in_kWh": 30, "duration_in_seconds": 45,
          "session_cost_in_cents": 70})",
      "st-9", 2, "garage", arrival, "EUR");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->session_id, "st-9-2-1");
  EXPECT_EQ(s->station_id, "st-9");
  EXPECT_EQ(s->site_id, "garage");
  EXPECT_EQ(s->status, SessionStatus::kCompleted);
  EXPECT_EQ(*s->ended_at, arrival);
  EXPECT_EQ(FormatTimestamp(s->started_at), "2026-11-21T09:59:15Z");
  EXPECT_DOUBLE_EQ(*s->cost, 0.70);
  EXPECT_EQ(s->currency, "EUR");
}

TEST(LegacySessionCodecTest, LowerCaseSpellingAndTimestamp) {
  const auto s = DecodeLegacySession(
      R"({"session_id": 5, "energy_delivered_in_kwh": 7.5, "duration_in_seconds": 600,
          "session_cost_in_cents": 199, "timestamp": 1763719200})",
      "st-1", 1, "unassigned", Now(), "EUR");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(FormatTimestamp(*s->ended_at), "2025-11-21T10:00:00Z");
  EXPECT_EQ(FormatTimestamp(s->started_at), "2025-11-21T09:50:00Z");
  EXPECT_DOUBLE_EQ(s->energy_kwh, 7.5);
}

TEST(LegacySessionCodecTest, RejectsMissingOrNegativeFields) {
  for (const char* bad :
       {R"({"session_id": 1, "duration_in_seconds": 45, "session_cost_in_cents": 70})",
        R"({"session_id": 1, "energy_delivered_in_kWh": 30, "duration_in_seconds": -5,
            "session_cost_in_cents": 70})",
        R"({"session_id": "one", "energy_delivered_in_kWh": 30, "duration_in_seconds": 5,
            "session_cost_in_cents": 70})",
        R"({"session_id": 1, "energy_delivered_in_kWh": 30, "duration_in_seconds": 5,
            "session_cost_in_cents": -70})",
        R"([1, 2])"}) {
    const auto s = DecodeLegacySession(bad, "st-1", 1, "unassigned", Now(), "EUR");
    EXPECT_FALSE(s) << bad;
  }
}

TEST(SessionMergeTest, CompletedIsFinalAndDuplicatesAreDetected) {
  auto active = *DecodeSession(
      R"({"session_id":"s","station_id":"st-1","status":"active","started_at":"2026-11-21T08:00:00Z","energy_kwh":1})",
      kSite, kStation, "EUR");
  auto later = active;
  later.energy_kwh = 2;
  auto done = later;
  done.status = SessionStatus::kCompleted;
  done.ended_at = *ParseTimestamp("2026-11-21T09:00:00Z");
  EXPECT_EQ(MergeSession(std::nullopt, active), SessionMerge::kInsert);
  EXPECT_EQ(MergeSession(active, active), SessionMerge::kDuplicate);
  EXPECT_EQ(MergeSession(active, later), SessionMerge::kReplace);
  EXPECT_EQ(MergeSession(later, done), SessionMerge::kReplace);
  EXPECT_EQ(MergeSession(done, later), SessionMerge::kIgnoreFinal);
  EXPECT_EQ(MergeSession(done, done), SessionMerge::kDuplicate);

  // A message on another site's topic cannot move a session there, nor touch a final one.
  auto elsewhere = later;
  elsewhere.site_id = "other-site";
  const auto moved = MergeSession(active, elsewhere);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kDeviceSiteMismatch);
  EXPECT_NE(moved.error().message.find("other-site"), std::string::npos);
  EXPECT_FALSE(MergeSession(done, elsewhere));
}

}  // namespace
}  // namespace ems::codec
