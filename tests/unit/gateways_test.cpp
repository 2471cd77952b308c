// The files behind `ems-api gateway` (docs/contract.md §5): gateway users recorded apart from the
// broker's password file, merged into it without touching the services' users, hashed by
// mosquitto_passwd.
#include "api/cli/gateways.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support.h"

namespace ems::api {
namespace {

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class GatewayRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "passwd") << "ems-publisher:$7$hash-of-the-publisher\n"
                                          << "ems-api:$7$hash-of-the-api\n";
  }
  testing::TempDir dir_;
  GatewayRegistry registry_{dir_.path().string()};
};

TEST_F(GatewayRegistryTest, AddsHashedUsersBesideTheServicesAndRemovesThem) {
  EXPECT_EQ(GatewayUsername("home-1"), "sites/home-1");
  const auto password = registry_.Add("home-1");
  ASSERT_TRUE(password) << password.error().message;
  EXPECT_EQ(password->size(), 24u);
  ASSERT_TRUE(registry_.Add("barn"));
  EXPECT_EQ(registry_.Sites(), (std::vector<std::string>{"barn", "home-1"}));

  const auto passwd = Read(dir_.path() / "passwd");
  EXPECT_EQ(passwd.rfind("ems-publisher:$7$hash-of-the-publisher\nems-api:$7$hash-of-the-api\n"
                         "sites/home-1:$7$",
                         0),
            0u)
      << passwd;
  EXPECT_NE(passwd.find("\nsites/barn:$7$"), std::string::npos);
  EXPECT_EQ(passwd.find(*password), std::string::npos);  // hashed, never kept in clear
  EXPECT_NE(Read(dir_.path() / "gateways").find("sites/home-1:$7$"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "gateway-hash.tmp"));

  EXPECT_EQ(registry_.Add("home-1").error().code, ErrorCode::kConflict);
  EXPECT_EQ(registry_.Add("../etc").error().code, ErrorCode::kInvalidParameter);

  ASSERT_TRUE(registry_.Remove("home-1"));
  EXPECT_EQ(registry_.Sites(), std::vector<std::string>{"barn"});
  EXPECT_EQ(Read(dir_.path() / "passwd").find("sites/home-1"), std::string::npos);
  EXPECT_NE(Read(dir_.path() / "passwd").find("ems-api:$7$hash-of-the-api\n"), std::string::npos);
  EXPECT_EQ(registry_.Remove("home-1").error().code, ErrorCode::kNotFound);
}

TEST_F(GatewayRegistryTest, HomeAssistantsUserLivesBesideTheGatewaysAndTheServices) {
  ASSERT_TRUE(registry_.Add("home-1"));
  const auto ha = HomeAssistantUsers(dir_.path().string());
  const auto password = ha.Add("homeassistant", "taken");
  ASSERT_TRUE(password) << password.error().message;
  EXPECT_EQ(ha.Add("homeassistant", "taken").error().message, "taken");
  EXPECT_EQ(ha.Users(), std::vector<std::string>{"homeassistant"});
  EXPECT_NE(Read(dir_.path() / "ha-users").find("homeassistant:$7$"), std::string::npos);
  // A gateway change keeps Home Assistant's line in passwd, and the other way round.
  ASSERT_TRUE(registry_.Add("barn"));
  auto passwd = Read(dir_.path() / "passwd");
  for (const char* user :
       {"ems-publisher:", "ems-api:", "sites/home-1:", "sites/barn:", "homeassistant:"}) {
    EXPECT_NE(passwd.find(user), std::string::npos) << user << " in\n" << passwd;
  }
  ASSERT_TRUE(ha.Remove("homeassistant", "none"));
  passwd = Read(dir_.path() / "passwd");
  EXPECT_EQ(passwd.find("homeassistant:"), std::string::npos);
  EXPECT_NE(passwd.find("sites/barn:"), std::string::npos);
  EXPECT_EQ(registry_.Sites(), (std::vector<std::string>{"barn", "home-1"}));
  EXPECT_EQ(ha.Remove("homeassistant", "none").error().code, ErrorCode::kNotFound);
}

TEST_F(GatewayRegistryTest, ReloadsOnlyARunningBroker) {
  EXPECT_FALSE(registry_.ReloadBroker());  // no pid file
  // A pid file left behind, now naming a process that is no broker (this test).
  std::ofstream(dir_.path() / "mosquitto.pid") << ::getpid() << "\n";
  EXPECT_FALSE(registry_.ReloadBroker());
}

}  // namespace
}  // namespace ems::api
