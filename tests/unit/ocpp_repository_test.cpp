// OcppRepository and `ems-api charger add|remove` (api/cli/chargers.h) against a real SQLite file
// with every migration: registration, credentials, transaction ids that are never given twice,
// a retried StartTransaction that finds its transaction, tags of EVs.
#include <gtest/gtest.h>

#include "api/cli/chargers.h"
#include "ems/auth/password.h"
#include "ems/store/store.h"
#include "support.h"

namespace ems::store {
namespace {

using ems::testing::At;

class OcppRepositoryTest : public testing::TempDbTest {
 protected:
  OcppTransaction Start(const char* ts, std::int64_t meter = 0, const char* tag = "TAG") {
    return repo_.Start({"st-1", 0, 1, tag, std::nullopt, meter, At(ts)});
  }

  OcppRepository& repo_ = store().Ocpp();
  const Timestamp now_ = At("2026-11-21T10:00:00Z");
};

TEST_F(OcppRepositoryTest, AddCreatesTheSiteTheStationAndAPasswordOnlyItsHashKnows) {
  const auto password = api::AddCharger(store(), "home", "st-1", {2, 11000, true}, now_);
  ASSERT_TRUE(password.has_value()) << password.error().message;
  const auto device = store().Devices().Get("st-1", Visibility::All());
  ASSERT_TRUE(device.has_value());
  EXPECT_EQ(device->site_id, "home");
  EXPECT_EQ(device->type, DeviceType::kChargingStation);
  EXPECT_EQ(device->properties["connectors"], 2);
  const auto credentials = repo_.Credentials("st-1");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->site_id, "home");
  EXPECT_NE(credentials->password_hash.find("argon2id"), std::string::npos);
  EXPECT_TRUE(auth::VerifyPassword(*password, credentials->password_hash));
  EXPECT_TRUE(repo_.Get("st-1")->free_vend);

  EXPECT_EQ(api::AddCharger(store(), "home", "st-1", {}, now_).error().code, ErrorCode::kConflict);
  // A station of another site is not taken over.
  EXPECT_EQ(api::AddCharger(store(), "cabin", "st-1", {}, now_).error().code,
            ErrorCode::kDeviceSiteMismatch);
  EXPECT_FALSE(repo_.Credentials("nobody").has_value());
}

TEST_F(OcppRepositoryTest, TransactionIdsAreNeverGivenTwiceEvenToAChargerRegisteredAgain) {
  ASSERT_TRUE(api::AddCharger(store(), "home", "st-1", {}, now_));
  const auto first = Start("2026-11-21T08:00:00Z");
  const auto second = Start("2026-11-21T09:00:00Z");
  EXPECT_EQ(first.transaction_id, 1);
  EXPECT_EQ(second.transaction_id, 2);
  // The same start sent again (its answer was lost) is the same transaction.
  EXPECT_EQ(Start("2026-11-21T08:00:00Z").transaction_id, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM ocpp_transactions"), 2);

  ASSERT_TRUE(api::RemoveCharger(store(), "st-1"));
  EXPECT_FALSE(repo_.Credentials("st-1").has_value());
  EXPECT_TRUE(store().Devices().Get("st-1", Visibility::All()).has_value());  // history stays
  EXPECT_EQ(api::RemoveCharger(store(), "st-1").error().code, ErrorCode::kNotFound);
  Reopen();
  ASSERT_TRUE(api::AddCharger(store(), "home", "st-1", {}, now_));
  EXPECT_EQ(store()
                .Ocpp()
                .Start({"st-1", 0, 1, "TAG", std::nullopt, 0, At("2026-11-22T08:00:00Z")})
                .transaction_id,
            3);
}

TEST_F(OcppRepositoryTest, RunningTransactionsAndEvTags) {
  ASSERT_TRUE(api::AddCharger(store(), "home", "st-1", {}, now_));
  Exec(
      "INSERT INTO devices (id, site_id, type, name, properties, created_at, updated_at) VALUES "
      "('ev-1', 'home', 'ev', 'Car', '{\"id_tag\": \"TAG-1\"}', 0, 0)");
  EXPECT_EQ(repo_.VehicleWithIdTag("home", "TAG-1"), "ev-1");
  EXPECT_FALSE(repo_.VehicleWithIdTag("home", "TAG-2").has_value());
  EXPECT_FALSE(repo_.VehicleWithIdTag("cabin", "TAG-1").has_value());

  const auto a = Start("2026-11-21T08:00:00Z", 100);
  const auto b = Start("2026-11-21T09:00:00Z", 200);
  EXPECT_EQ(repo_.Running("st-1", std::nullopt)->transaction_id, b.transaction_id);
  repo_.Stop("st-1", b.transaction_id, now_);
  EXPECT_EQ(repo_.Running("st-1", 1)->transaction_id, a.transaction_id);
  EXPECT_EQ(repo_.Transaction("st-1", a.transaction_id)->meter_start_wh, 100);
  repo_.Stop("st-1", a.transaction_id, now_);
  EXPECT_FALSE(repo_.Running("st-1", std::nullopt).has_value());
}

TEST_F(OcppRepositoryTest, ConnectionsAndBootsAreRecorded) {
  ASSERT_TRUE(api::AddCharger(store(), "home", "st-1", {}, now_));
  repo_.RecordBoot("st-1", {"ABB", "Terra", "SN1", std::nullopt}, now_);
  repo_.SetConnected("st-1", true, now_);
  auto c = repo_.Get("st-1");
  EXPECT_TRUE(c->connected);
  EXPECT_EQ(c->last_seen, now_);
  EXPECT_EQ(c->vendor, "ABB");
  EXPECT_FALSE(c->firmware.has_value());
  repo_.DisconnectAll();
  EXPECT_FALSE(repo_.List().at(0).connected);
}

}  // namespace
}  // namespace ems::store
