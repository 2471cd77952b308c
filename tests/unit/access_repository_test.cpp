// The store's side of access control (docs/contract.md §5, §6.1) on a real SQLite file: users and
// the instant their tokens end, sites created, renamed and removed with what they hold, and the
// visibility rule on contracts and stations.
#include <gtest/gtest.h>

#include "ems/store/site_removal.h"
#include "ems/store/store.h"
#include "support.h"

namespace ems::store {
namespace {

using testing::At;
using testing::ErrorOf;

const Timestamp kT0 = At("2026-11-21T10:00:00.250Z");

class AccessRepositoryTest : public testing::TempDbTest {
 protected:
  void SetUp() override {
    for (const char* site : {"site-a", "site-b"}) {
      ASSERT_TRUE(store().Sites().Ensure(site, site, "UTC", kT0));
    }
  }
  void AddUser(const std::string& name, Role role, std::vector<std::string> sites) {
    ASSERT_TRUE(store().Users().Create(User{name, "hash", role, std::move(sites), {}}, kT0));
  }
  void AddContract(const std::string& number, std::optional<std::string> site) {
    auto tx = store().Begin(TxMode::kWrite);
    ASSERT_TRUE(store().Contracts().CreateContract(
        Contract{.contract_number = number,
                 .components = {ContractComponent::kEnergySupply},
                 .created_at = kT0,
                 .site_id = std::move(site)}));
    tx.Commit();
  }
  void AddSession(const std::string& id, const std::string& station, const std::string& site,
                  const char* started, double energy) {
    ChargingSession s;
    s.session_id = id;
    s.station_id = station;
    s.site_id = site;
    s.status = SessionStatus::kCompleted;
    s.started_at = At(started);
    s.ended_at = s.started_at + std::chrono::hours(1);
    s.energy_kwh = energy;
    s.currency = "EUR";
    ASSERT_TRUE(store().Sessions().Store(s, kT0));
  }
};

TEST_F(AccessRepositoryTest, UsersKeepWhenTheyLastChanged) {
  auto& users = store().Users();
  AddUser("rita", Role::kViewer, {"site-b", "site-a"});
  AddUser("adam", Role::kAdmin, {});
  EXPECT_FALSE(users.Create(User{"rita", "other", Role::kAdmin, {}, {}}, kT0));
  auto rita = users.Get("rita");
  ASSERT_TRUE(rita);
  EXPECT_EQ(rita->role, Role::kViewer);
  EXPECT_EQ(rita->site_ids, (std::vector<std::string>{"site-a", "site-b"}));
  EXPECT_EQ(rita->changed_at, kT0);  // milliseconds kept

  const auto later = kT0 + std::chrono::milliseconds(1);
  ASSERT_TRUE(
      users.Update("rita", UserChange{std::nullopt, Role::kTechnician, std::nullopt}, later));
  rita = users.Get("rita");
  EXPECT_EQ(rita->role, Role::kTechnician);
  EXPECT_EQ(rita->password_hash, "hash");
  EXPECT_EQ(rita->site_ids.size(), 2u);  // not named: kept
  EXPECT_EQ(rita->changed_at, later);
  ASSERT_TRUE(users.Update("rita", UserChange{"new-hash", std::nullopt, std::vector<std::string>{}},
                           later));
  rita = users.Get("rita");
  EXPECT_EQ(rita->password_hash, "new-hash");
  EXPECT_TRUE(rita->site_ids.empty());
  EXPECT_FALSE(users.Update("nobody", UserChange{}, later));

  EXPECT_EQ(users.CountAdmins(), 1);
  const auto page = users.List("", 1);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].username, "adam");
  EXPECT_EQ(users.List(*page.next_cursor, 10).items[0].username, "rita");

  EXPECT_TRUE(users.Delete("rita"));
  EXPECT_FALSE(users.Get("rita"));
  EXPECT_FALSE(users.Delete("rita"));
  EXPECT_EQ(Count("SELECT count(*) FROM user_sites"), 0);
}

TEST_F(AccessRepositoryTest, ContractsAreSeenThroughTheirSite) {
  AddUser("va", Role::kViewer, {"site-a"});
  AddContract("c-a", "site-a");
  AddContract("c-b", "site-b");
  AddContract("c-none", std::nullopt);
  auto& contracts = store().Contracts();
  const auto va = Visibility::SitesOf("va");
  EXPECT_EQ(contracts.GetContract("c-a", va)->site_id, "site-a");
  EXPECT_EQ(ErrorOf(contracts.GetContract("c-b", va)).message, "Contract c-b not found.");
  EXPECT_EQ(ErrorOf(contracts.GetContract("c-none", va)).code, ErrorCode::kNotFound);
  EXPECT_FALSE(contracts.GetTimeline("c-b", va));
  EXPECT_FALSE(contracts.ListEvents("c-none", va, 10, std::nullopt));
  EXPECT_TRUE(contracts.GetTimeline("c-none", Visibility::All()));
  const auto listed = contracts.ListContracts(va, 10, std::nullopt);
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(listed.items[0].contract_number, "c-a");
  EXPECT_EQ(contracts.ListContracts(Visibility::All(), 10, std::nullopt).items.size(), 3u);
}

TEST_F(AccessRepositoryTest, StationsCountOnlyVisibleSessions) {
  AddUser("va", Role::kViewer, {"site-a"});
  AddSession("s1", "st", "site-a", "2026-11-20T08:00:00Z", 10);
  AddSession("s2", "st", "site-b", "2026-11-21T08:00:00Z", 4);
  auto& sessions = store().Sessions();
  const auto va = Visibility::SitesOf("va");
  const auto station = sessions.GetStation("st", va);
  ASSERT_TRUE(station);
  EXPECT_EQ(station->site_id, "site-a");  // its latest session the viewer may see
  EXPECT_EQ(station->sessions, 1);
  EXPECT_EQ(sessions.GetStation("st", Visibility::All())->site_id, "site-b");
  EXPECT_DOUBLE_EQ(sessions.Summarize("st", va, std::nullopt, std::nullopt).energy_kwh, 10);
  EXPECT_DOUBLE_EQ(
      sessions.Summarize("st", Visibility::All(), std::nullopt, std::nullopt).energy_kwh, 14);
}

TEST_F(AccessRepositoryTest, ASiteIsRemovedOnlyEmptyOrWithWhatItHolds) {
  auto& devices = store().Devices();
  ASSERT_TRUE(devices.Create(
      "site-a", "car",
      DeviceSpec{DeviceType::kEv,
                 "Car",
                 {{"battery_capacity_wh", 50000}, {"max_charge_w", 10000}, {"max_discharge_w", 0}}},
      kT0));
  ASSERT_TRUE(
      devices.Create("site-a", "bat",
                     DeviceSpec{DeviceType::kBattery,
                                "Battery",
                                {{"capacity_wh", 1}, {"max_charge_w", 1}, {"max_discharge_w", 1}}},
                     kT0));
  store().Telemetry().Insert("car", "soc_pct", kT0, 50, "UTC");
  AddSession("s1", "st", "site-a", "2026-11-20T08:00:00Z", 10);
  AddContract("c-a", "site-a");
  AddUser("va", Role::kViewer, {"site-a", "site-b"});
  EXPECT_EQ(store().Sites().Contents("site-a").devices, 2);

  {
    auto tx = store().Begin(TxMode::kWrite);
    const auto refused = RemoveSite(store(), "site-a", false, kT0);
    EXPECT_EQ(ErrorOf(refused).code, ErrorCode::kConflict);
    EXPECT_EQ(ErrorOf(refused).message,
              "Site site-a still has 2 devices, 1 charging session and 1 contract; delete them "
              "first or add ?cascade=true.");
    EXPECT_EQ(ErrorOf(RemoveSite(store(), "nowhere", true, kT0)).code, ErrorCode::kNotFound);
    const auto later = kT0 + std::chrono::seconds(1);
    const auto removed = RemoveSite(store(), "site-a", true, later);
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->ev_ids, std::vector<std::string>{"car"});
    tx.Commit();
    EXPECT_EQ(store().Users().Get("va")->site_ids, std::vector<std::string>{"site-b"});
    EXPECT_EQ(store().Users().Get("va")->changed_at, later);  // its tokens end
  }
  EXPECT_FALSE(store().Sites().Timezone("site-a"));
  for (const char* table :
       {"devices", "telemetry", "sessions", "contracts", "contract_components"}) {
    EXPECT_EQ(Count(std::string("SELECT count(*) FROM ") + table), 0) << table;
  }
  auto tx = store().Begin(TxMode::kWrite);
  EXPECT_TRUE(RemoveSite(store(), "site-b", false, kT0));  // empty: no cascade needed
}

}  // namespace
}  // namespace ems::store
