// JsonWriter (codec/json_writer.h): what it writes reads back as the document meant, with the
// numbers and escapes nlohmann writes, so answers written with it and answers built as nlohmann
// values look alike to a client.
#include "ems/codec/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "support.h"

namespace ems::codec {
namespace {

using testing::At;
using Json = nlohmann::json;

TEST(JsonWriterTest, WritesNestedDocumentsWithCommasWhereTheyBelong) {
  JsonWriter w;
  w.BeginObject()
      .Field("a", 1)
      .Key("list")
      .BeginArray()
      .Value(1.5)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .Value(nullptr)
      .EndArray()
      .Field("flag", true)
      .Field("none", std::optional<int>())
      .Field("some", std::optional<std::string>("x"))
      .Field("at", At("2026-11-21T10:00:00.250Z"))
      .EndObject();
  EXPECT_EQ(w.Take(), R"({"a":1,"list":[1.5,{},[],null],"flag":true,"none":null,"some":"x",)"
                      R"("at":"2026-11-21T10:00:00.250Z"})");
}

TEST(JsonWriterTest, NumbersAreWrittenAsNlohmannWritesThem) {
  for (const double d : {0.0, -0.0, 1.0, 3000.0, -1830.5, 0.1, 1e-7, 1e21, 123456789.125,
                         std::numeric_limits<double>::max(), 5e-324, 0.30000000000000004}) {
    JsonWriter w;
    w.Value(d);
    EXPECT_EQ(w.Take(), Json(d).dump()) << d;
  }
  for (const std::int64_t n :
       {std::int64_t{0}, std::int64_t{-42}, std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::int64_t>::max()}) {
    JsonWriter w;
    w.Value(n);
    EXPECT_EQ(w.Take(), Json(n).dump()) << n;
  }
  JsonWriter w;
  w.BeginArray().Value(std::nan("")).Value(INFINITY).EndArray();
  EXPECT_EQ(w.Take(), "[null,null]");
}

TEST(JsonWriterTest, StringsAreEscapedAsNlohmannEscapesThem) {
  const std::string text = std::string("quote\" backslash\\ tab\t nl\n cr\r bs\b ff\f ") +
                           std::string("\x01\x1f", 2) + " nul" + std::string(1, '\0') +
                           " utf8 °C €";
  JsonWriter w;
  w.Value(text);
  const auto written = w.Take();
  EXPECT_EQ(written, Json(text).dump());
  EXPECT_EQ(Json::parse(written), text);
}

TEST(JsonWriterTest, EmbedsNlohmannValues) {
  const Json properties = {{"rated_power_w", 5000}, {"tilt", {{"deg", 35}}}};
  JsonWriter w;
  w.BeginObject().Field("properties", properties).EndObject();
  EXPECT_EQ(Json::parse(w.Take())["properties"], properties);
}

}  // namespace
}  // namespace ems::codec
