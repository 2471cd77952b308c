// Bounded JSON (docs/contract.md §4.4: no single message can stop ingestion, however it is built):
// every decoder of an MQTT payload or a request body refuses text over its size or nesting limit
// with ErrorCode::kInvalidJson and one sentence, before any value is built, and survives the shapes
// an attacker with publish rights would send.
#include <gtest/gtest.h>

#include <string>

#include "ems/codec/contract_codec.h"
#include "ems/codec/device_codec.h"
#include "ems/codec/json_fields.h"
#include "ems/codec/schedule_codec.h"
#include "ems/codec/session_codec.h"
#include "ems/codec/tariff_codec.h"
#include "support.h"

namespace ems::codec {
namespace {

using ems::testing::ErrorOf;

// Concatenation by append (GCC 12 warns falsely on `"literal" + std::string` at -O2).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto p : parts) out.append(p);
  return out;
}

// {"a": [[[ ... ]]]} nested `depth` levels in all (the object counts as one).
std::string Nested(int depth, const std::string& key = "a") {
  return Cat({"{\"", key, "\":", std::string(depth - 1, '['), std::string(depth - 1, ']'), "}"});
}

TEST(JsonLimitsTest, AcceptsTheDeepestAllowedNesting) {
  const auto doc = ParseObject(Nested(kMaxJsonDepth), 1 << 20);
  ASSERT_TRUE(doc) << doc.error().message;
}

TEST(JsonLimitsTest, RefusesOneLevelDeeperWithAClearSentence) {
  const auto doc = ParseObject(Nested(kMaxJsonDepth + 1), 1 << 20);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidJson);
  EXPECT_EQ(doc.error().message, "The payload nests deeper than 32 levels.");
}

TEST(JsonLimitsTest, RefusesHundredsOfKibibytesOfOpenBracketsWithoutRecursion) {
  // The message that crashed the listener: a few hundred KiB of '[' (nlohmann copies recurse).
  // Closed, it is valid JSON but too deep; left open, it is not JSON at all.
  const std::string attack =
      Cat({"{\"metrics\":", std::string(400 << 10, '['), std::string(400 << 10, ']'), "}"});
  const auto doc = ParseObject(attack, 1 << 20);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "The payload nests deeper than 32 levels.");
  const auto open = ParseObject(attack.substr(0, attack.size() / 2), 1 << 20);
  ASSERT_FALSE(open);
  EXPECT_EQ(open.error().code, ErrorCode::kInvalidJson);
}

TEST(JsonLimitsTest, RefusesTextOverTheSizeLimitBeforeParsing) {
  const std::string big = Cat({"{\"a\":\"", std::string(2000, 'x'), "\"}"});
  const auto doc = ParseObject(big, 1024);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kInvalidJson);
  EXPECT_EQ(doc.error().message, "The payload is larger than 1 KiB.");
}

TEST(JsonLimitsTest, RefusesInvalidUtf8HugeNumbersAndTrailingBytes) {
  for (const std::string& text :
       {std::string("{\"a\":\"\xff\xfe\"}"), std::string("{\"a\":1e999}"),
        std::string("{\"a\":123456789012345678901234}"), std::string("{\"a\":1} {"),
        std::string("{\"a\":"), std::string(""), std::string("\"\\ud800\"")}) {
    const auto doc = ParseJson(text, 1 << 20);
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().message, "The payload is not valid JSON.") << text;
  }
}

TEST(JsonLimitsTest, AByteOrderMarkBeforeTheTextIsSkipped) {
  const auto doc = ParseObject("\xEF\xBB\xBF{\"a\": 1}", 1024);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ((*doc)["a"], 1);
}

TEST(JsonLimitsTest, NumbersKeepTheirKindAndPrecision) {
  const auto doc = ParseObject(
      R"({"u": 7, "i": -7, "f": 7.0, "e": 1E2, "max": 18446744073709551615, "min": -9223372036854775808, "d": 0.1})",
      1024);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_TRUE((*doc)["u"].is_number_unsigned());
  EXPECT_TRUE((*doc)["i"].is_number_integer());
  EXPECT_TRUE((*doc)["f"].is_number_float());
  EXPECT_EQ((*doc)["max"].get<std::uint64_t>(), 18446744073709551615u);
  EXPECT_EQ((*doc)["min"].get<std::int64_t>(), INT64_MIN);
  EXPECT_EQ(
      doc->dump(),
      R"({"d":0.1,"e":100.0,"f":7.0,"i":-7,"max":18446744073709551615,"min":-9223372036854775808,"u":7})");
}

TEST(JsonLimitsTest, StringsKeepEscapesNulAndUnicode) {
  const auto doc = ParseObject(R"({"s": "a\u0000b \"q\" \u00e9 \ud83d\ude00"})", 1024);
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ((*doc)["s"].get<std::string>(),
            std::string("a\0b \"q\" \xC3\xA9 \xF0\x9F\x98\x80", 15));
}

// A thread reuses its parser for documents up to 64 KiB and parses larger ones apart: either way
// the nesting limit holds, also after the reused parser has grown.
TEST(JsonLimitsTest, LargeDocumentsParseAndTheNestingLimitOutlivesThem) {
  for (const std::size_t size : {std::size_t{60} << 10, std::size_t{200} << 10}) {
    const auto doc = ParseObject(Cat({"{\"x\":\"", std::string(size, 'x'), "\"}"}), 1 << 20);
    ASSERT_TRUE(doc) << size;
    EXPECT_EQ((*doc)["x"].get<std::string>().size(), size);
    EXPECT_TRUE(ParseObject(Nested(kMaxJsonDepth), 1 << 20));
    const auto deep = ParseObject(Nested(kMaxJsonDepth + 1), 1 << 20);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().message, "The payload nests deeper than 32 levels.");
  }
}

TEST(JsonLimitsTest, DuplicateKeysKeepTheLastValue) {
  const auto doc = ParseObject(R"({"a": 1, "a": 2})", 1024);
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["a"], 2);
}

TEST(JsonLimitsTest, NonObjectsAreRefusedByParseObject) {
  EXPECT_TRUE(ParseJson("[1, 2]", 1024));
  const auto doc = ParseObject("[1, 2]", 1024);
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().message, "The payload must be a JSON object.");
}

// Every payload family, MQTT and REST, with a field nested past the limit, and with a payload
// just over its size limit.
TEST(JsonLimitsTest, EveryDecoderRefusesDeepAndOversizedPayloads) {
  const Timestamp now = *ParseTimestamp("2026-11-21T10:00:00Z");
  struct Family {
    const char* name;
    std::function<Reject(const std::string&)> decode;
    std::size_t max_bytes;
  };
  const std::vector<Family> families = {
      {"session",
       [&](const std::string& t) { return ErrorOf(DecodeSession(t, "home", "st-1", "EUR")); },
       kMaxSessionBytes},
      {"legacy session",
       [&](const std::string& t) {
         return ErrorOf(DecodeLegacySession(t, "st-1", 1, "home", now, "EUR"));
       },
       kMaxSessionBytes},
      {"meta", [&](const std::string& t) { return ErrorOf(DecodeMeta(t)); }, kMaxDeviceBytes},
      {"telemetry", [&](const std::string& t) { return ErrorOf(DecodeTelemetry(t)); },
       kMaxDeviceBytes},
      {"device body", [&](const std::string& t) { return ErrorOf(DecodeDeviceBody(t)); },
       kMaxDeviceBytes},
      {"tariff", [&](const std::string& t) { return ErrorOf(DecodeTariff(t)); }, kMaxTariffBytes},
      {"contract event", [&](const std::string& t) { return ErrorOf(DecodeContractEvent(t, now)); },
       kMaxContractBytes},
      {"contract", [&](const std::string& t) { return ErrorOf(DecodeContract(t, now)); },
       kMaxContractBytes},
      {"schedule", [&](const std::string& t) { return ErrorOf(DecodeScheduleRequest(t)); },
       kMaxScheduleBytes},
  };
  for (const auto& f : families) {
    SCOPED_TRACE(f.name);
    const auto deep = f.decode(Nested(kMaxJsonDepth + 1, "properties"));
    EXPECT_EQ(deep.code, ErrorCode::kInvalidJson);
    EXPECT_EQ(deep.message, "The payload nests deeper than 32 levels.");
    const auto big = f.decode(Cat({"{\"x\":\"", std::string(f.max_bytes, 'x'), "\"}"}));
    EXPECT_EQ(big.code, ErrorCode::kInvalidJson);
    EXPECT_TRUE(big.message.starts_with("The payload is larger than ")) << big.message;
  }
}

}  // namespace
}  // namespace ems::codec
