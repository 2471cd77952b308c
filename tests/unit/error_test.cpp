// The closed set of error codes (docs/contract.md §4.4, §6): the names dead letters and ingest
// stats store, which never change, and the one mapping of a code to an HTTP status.
#include "ems/domain/error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "api/http.h"

namespace ems {
namespace {

TEST(ErrorCodeTest, DeadLetterReasonsKeepTheirStoredNames) {
  const std::vector<std::pair<ErrorCode, std::string>> stored = {
      {ErrorCode::kInvalidJson, "invalid_json"},
      {ErrorCode::kInvalidSession, "invalid_session"},
      {ErrorCode::kInvalidMeta, "invalid_meta"},
      {ErrorCode::kInvalidTelemetry, "invalid_telemetry"},
      {ErrorCode::kUnknownDevice, "unknown_device"},
      {ErrorCode::kDeviceSiteMismatch, "device_site_mismatch"},
      {ErrorCode::kTooOld, "too_old"},
      {ErrorCode::kTooNew, "too_new"},
      {ErrorCode::kInvalidTariff, "invalid_tariff"},
      {ErrorCode::kInvalidContractEvent, "invalid_contract_event"},
      {ErrorCode::kContractRule, "contract_rule"},
      {ErrorCode::kUnknownContract, "unknown_contract"},
      {ErrorCode::kUnknownTopic, "unknown_topic"},
      {ErrorCode::kProcessingError, "processing_error"},
      {ErrorCode::kPoison, "poison"},
  };
  for (const auto& [code, name] : stored) EXPECT_EQ(ToString(code), name);
}

TEST(ErrorCodeTest, EveryCodeHasItsOwnName) {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(ErrorCode::kPoison); ++c) {
    const auto name = ToString(static_cast<ErrorCode>(c));
    EXPECT_NE(name, "unknown_error") << c;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
}

TEST(ErrorCodeTest, TheApiMapsEachCodeToOneStatus) {
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidJson), 400);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidParameter), 400);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kUnauthorized), 401);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kForbidden), 403);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kThrottled), 429);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidDevice), 422);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidQuery), 422);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidSubscription), 422);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kContractRule), 422);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidUser), 422);
  EXPECT_EQ(api::HttpStatus(ErrorCode::kInvalidSite), 422);
}

TEST(ErrorCodeTest, TheListenersOwnCodesAreNoAnswerOfTheApi) {
  for (const auto code :
       {ErrorCode::kUnknownDevice, ErrorCode::kUnknownContract, ErrorCode::kUnknownTopic,
        ErrorCode::kInvalidTelemetry, ErrorCode::kTooNew, ErrorCode::kPoison}) {
    EXPECT_EQ(api::HttpStatus(code), 500) << code;
  }
}

TEST(ErrorCodeTest, NotFoundHasOneSentenceForEveryKind) {
  const auto r = NotFound("Device", "ev-1");
  EXPECT_EQ(r.code, ErrorCode::kNotFound);
  EXPECT_EQ(r.message, "Device ev-1 not found.");
}

}  // namespace
}  // namespace ems
