// The OCPP-J frame codec (ocpp/frame.h): what a charger's text becomes, and what the central
// system answers to a frame it cannot accept.
#include <gtest/gtest.h>

#include "ocpp/frame.h"

namespace ems::ocpp {
namespace {

TEST(OcppFrame, DecodesACall) {
  const auto frame = DecodeFrame(R"([2,"19223201","BootNotification",{"chargePointVendor":"V"}])");
  const auto* call = std::get_if<Call>(&frame);
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->id, "19223201");
  EXPECT_EQ(call->action, "BootNotification");
  EXPECT_EQ(call->payload["chargePointVendor"], "V");
}

TEST(OcppFrame, DecodesResultsAndErrors) {
  const auto result = DecodeFrame(R"([3,"a1",{"status":"Accepted"}])");
  ASSERT_TRUE(std::holds_alternative<CallResult>(result));
  EXPECT_EQ(std::get<CallResult>(result).payload["status"], "Accepted");
  const auto error = DecodeFrame(R"([4,"a2","NotSupported","no",{}])");
  ASSERT_TRUE(std::holds_alternative<CallError>(error));
  EXPECT_EQ(std::get<CallError>(error).code, "NotSupported");
  EXPECT_EQ(std::get<CallError>(error).id, "a2");
}

FrameError ErrorOf(std::string_view text) {
  const auto frame = DecodeFrame(text);
  EXPECT_TRUE(std::holds_alternative<FrameError>(frame)) << text;
  return std::holds_alternative<FrameError>(frame) ? std::get<FrameError>(frame) : FrameError{};
}

TEST(OcppFrame, WithoutAReadableIdIsAFormationViolationOfIdMinusOne) {
  for (const char* text :
       {"", "not json", "[2,", "{}", "[2]", "[2,17,\"Heartbeat\",{}]", "[2,\"\",\"Heartbeat\",{}]",
        "[2,\"0123456789012345678901234567890123456\",\"Heartbeat\",{}]"}) {
    const auto e = ErrorOf(text);
    EXPECT_EQ(e.id, "-1") << text;
    EXPECT_EQ(e.code, "FormationViolation") << text;
  }
}

TEST(OcppFrame, AWrongEnvelopeWithAReadableIdIsAProtocolErrorOfThatId) {
  for (const char* text :
       {R"([2,"x"])", R"([2,"x","Heartbeat"])", R"([2,"x",5,{}])", R"([2,"x","Heartbeat",[]])",
        R"([2,"x","Heartbeat",{},1])", R"([9,"x","Heartbeat",{}])", R"(["2","x","Heartbeat",{}])",
        R"([3,"x","no object"])", R"([4,"x",1,"d",{}])"}) {
    const auto e = ErrorOf(text);
    EXPECT_EQ(e.id, "x") << text;
    EXPECT_EQ(e.code, "ProtocolError") << text;
  }
}

TEST(OcppFrame, RefusesTextOverTheFrameLimitAndNestingBeyondTheDepthLimit) {
  std::string big = R"([2,"x","DataTransfer",{"data":")";
  big.append(kMaxFrameBytes, 'a').append("\"}]");
  EXPECT_EQ(ErrorOf(big).code, "FormationViolation");
  std::string deep = R"([2,"x","DataTransfer",{"data":)";
  deep.append(100, '[').append(100, ']').append("}]");
  EXPECT_EQ(ErrorOf(deep).code, "FormationViolation");
}

TEST(OcppFrame, EncodesWhatItDecodes) {
  EXPECT_EQ(EncodeCall("7", "Reset", {{"type", "Soft"}}), R"([2,"7","Reset",{"type":"Soft"}])");
  EXPECT_EQ(EncodeCallResult("7", codec::Json::object()), R"([3,"7",{}])");
  EXPECT_EQ(EncodeCallError("7", "NotImplemented", "no \"Foo\""),
            R"([4,"7","NotImplemented","no \"Foo\"",{}])");
  const auto again = DecodeFrame(EncodeCallError("-1", "FormationViolation", "x"));
  EXPECT_TRUE(std::holds_alternative<CallError>(again));
}

}  // namespace
}  // namespace ems::ocpp
