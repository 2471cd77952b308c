#include "ems/config/settings.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support.h"

namespace ems::config {
namespace {

std::vector<Option> Options() {
  return {{"EMS_TEST_URL", "mqtt://127.0.0.1:1883", "url"},
          {"EMS_TEST_SECRET", "", "secret", true},
          {"EMS_TEST_COUNT", "3", "count"},
          {"EMS_TEST_CURRENCY", "EUR", "currency"}};
}

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(env_file_) << "# comment\nEMS_TEST_COUNT=7\nEMS_TEST_SECRET=\"s3cret\"\n";
    ::unsetenv("EMS_TEST_COUNT");
  }
  void TearDown() override { ::unsetenv("EMS_TEST_COUNT"); }
  testing::TempDir dir_;
  std::string env_file_ = (dir_.path() / ".env").string();
};

TEST_F(SettingsTest, FlagBeatsEnvironmentBeatsDotEnvBeatsDefault) {
  const char* argv0[] = {"x"};
  EXPECT_EQ(Settings("x", Options(), 1, argv0, env_file_).Get("EMS_TEST_COUNT"), "7");
  EXPECT_EQ(Settings("x", Options(), 1, argv0, env_file_).Get("EMS_TEST_URL"),
            "mqtt://127.0.0.1:1883");
  ::setenv("EMS_TEST_COUNT", "8", 1);
  EXPECT_EQ(Settings("x", Options(), 1, argv0, env_file_).GetInt("EMS_TEST_COUNT", 0, 10), 8);
  const char* argv[] = {"x", "--test-count=9"};
  EXPECT_EQ(Settings("x", Options(), 2, argv, env_file_).Get("EMS_TEST_COUNT"), "9");
  const char* argv2[] = {"x", "--test-count", "10"};
  EXPECT_EQ(Settings("x", Options(), 3, argv2, env_file_).Get("EMS_TEST_COUNT"), "10");
}

TEST_F(SettingsTest, SecretsAreMaskedAndHelpListsEveryVariable) {
  const char* argv[] = {"x", "--help"};
  const Settings s("x", Options(), 2, argv, env_file_);
  EXPECT_TRUE(s.help_requested());
  for (const auto& o : Options()) EXPECT_NE(s.HelpText().find(o.name), std::string::npos);
  bool masked = false;
  for (const auto& line : s.Describe()) {
    EXPECT_EQ(line.find("s3cret"), std::string::npos);
    masked = masked || line == "EMS_TEST_SECRET=***";
  }
  EXPECT_TRUE(masked);
}

TEST_F(SettingsTest, BadValuesAndFlagsNameTheVariable) {
  const char* argv[] = {"x", "--test-count=abc"};
  const Settings s("x", Options(), 2, argv, env_file_);
  try {
    s.GetInt("EMS_TEST_COUNT", 0, 10);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("EMS_TEST_COUNT"), std::string::npos);
  }
  const char* unknown[] = {"x", "--nope=1"};
  EXPECT_THROW(Settings("x", Options(), 2, unknown, env_file_), ConfigError);
  const char* dangling[] = {"x", "--test-count"};
  EXPECT_THROW(Settings("x", Options(), 2, dangling, env_file_), ConfigError);
}

TEST_F(SettingsTest, AnAddressIsHostAndPort) {
  const auto address = [&](const std::string& value) {
    const std::string flag = "--test-url=" + value;
    const char* argv[] = {"x", flag.c_str()};
    return Settings("x", Options(), 2, argv, env_file_).GetHostPort("EMS_TEST_URL");
  };
  EXPECT_EQ(address("127.0.0.1:9101"), (std::pair<std::string, int>{"127.0.0.1", 9101}));
  EXPECT_EQ(address("[::1]:0"), (std::pair<std::string, int>{"[::1]", 0}));
  for (const char* bad : {"127.0.0.1", ":9101", "host:", "host:99999", "host:12ab", "host:-1"}) {
    try {
      address(bad);
      FAIL() << "accepted '" << bad << "'";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("EMS_TEST_URL: must be host:port", 0), 0u) << e.what();
    }
  }
}

TEST_F(SettingsTest, PlaceholderSecretsOfTheExampleFileAreRefused) {
  const char* argv[] = {"x"};
  Settings("x", Options(), 1, argv, env_file_).RefusePlaceholderSecrets();  // s3cret is fine
  std::ofstream(env_file_) << "EMS_TEST_SECRET=change-me\nEMS_TEST_URL=change-me-too\n";
  try {
    Settings("x", Options(), 1, argv, env_file_).RefusePlaceholderSecrets();
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("EMS_TEST_SECRET: ", 0), 0u) << e.what();
  }
}

TEST_F(SettingsTest, ADefaultCurrencyFollowsTheCurrencyRuleOfSessionsAndTariffs) {
  for (const char* bad : {"eur", "EURO", "E1R"}) {
    const std::string flag = std::string("--test-currency=") + bad;
    const char* argv[] = {"x", flag.c_str()};
    const Settings s("x", Options(), 2, argv, env_file_);
    try {
      s.GetCurrency("EMS_TEST_CURRENCY");
      FAIL() << "accepted '" << bad << "'";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("EMS_TEST_CURRENCY: ", 0), 0u) << e.what();
    }
  }
  const char* argv[] = {"x", "--test-currency=CHF"};
  EXPECT_EQ(Settings("x", Options(), 2, argv, env_file_).GetCurrency("EMS_TEST_CURRENCY"), "CHF");
}

}  // namespace
}  // namespace ems::config
