// Handing out accounts and sites end to end (docs/contract.md §5, §6.1): users over REST and with
// the offline `ems-api user` command, the tokens that stop working when a user changes, and sites
// created, renamed and deleted over REST with what belongs to them and their retained topics.
#include <gtest/gtest.h>

#include <mutex>

#include "harness.h"

namespace ems::testing {
namespace {

class AccountsTest : public StackTest {
 protected:
  HttpAnswer Admin(const std::string& method, const std::string& path, const Json& body = {}) {
    return stack_.Request(method, path, body.is_null() ? "" : body.dump(), stack_.AdminToken());
  }
  int StatusOf(const std::string& token) {
    return stack_.Request("GET", "/api/v1/me", "", token).status;
  }
  // The EV "car" on `site`, registered over REST.
  void AddCar(const std::string& site) {
    auto car = EvMeta();
    car["id"] = "car";
    ASSERT_EQ(Admin("POST", "/api/v1/sites/" + site + "/devices", car).status, 201);
  }
  int LoginStatus(const std::string& user, const std::string& password) {
    return stack_
        .Request("POST", "/api/v1/auth/login",
                 Json{{"username", user}, {"password", password}}.dump(), "")
        .status;
  }
};

TEST_F(AccountsTest, AdminsHandOutAccountsOverRest) {
  ASSERT_EQ(Admin("POST", "/api/v1/sites", {{"id", "home"}, {"name", "Home"}}).status, 201);
  // A password chosen by the admin, checked by the rules.
  const Json rita = {
      {"username", "rita"}, {"role", "viewer"}, {"site_ids", {"home"}}, {"password", "short"}};
  const auto too_short = Admin("POST", "/api/v1/users", rita);
  EXPECT_EQ(too_short.status, 422);
  EXPECT_EQ(too_short.body["message"], "A password needs at least 12 characters.");
  auto with_name = rita;
  with_name["password"] = "my-name-is-RITA-ok";
  EXPECT_EQ(Admin("POST", "/api/v1/users", with_name).body["message"],
            "A password must not contain the username.");
  auto unknown_site = rita;
  unknown_site["password"] = "a-good-long-password";
  unknown_site["site_ids"] = {"home", "nowhere"};
  EXPECT_EQ(Admin("POST", "/api/v1/users", unknown_site).body["message"],
            "Site nowhere does not exist.");
  EXPECT_EQ(Admin("POST", "/api/v1/users", Json{{"username", "x/y"}, {"role", "viewer"}}).status,
            422);
  EXPECT_EQ(Admin("POST", "/api/v1/users", Json{{"username", "rita"}, {"role", "boss"}}).status,
            422);

  auto good = rita;
  good["password"] = "a-good-long-password";
  const auto created = Admin("POST", "/api/v1/users", good);
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body, (Json{{"username", "rita"}, {"role", "viewer"}, {"site_ids", {"home"}}}));
  EXPECT_EQ(Admin("POST", "/api/v1/users", good).status, 409);

  // Without a password the server makes one and shows it once.
  const auto generated =
      Admin("POST", "/api/v1/users", {{"username", "gil"}, {"role", "technician"}});
  ASSERT_EQ(generated.status, 201) << generated.raw;
  const auto gil_password = generated.body["password"].get<std::string>();
  EXPECT_GE(gil_password.size(), 12u);
  EXPECT_EQ(stack_.Login("gil", gil_password).empty(), false);
  EXPECT_FALSE(Admin("GET", "/api/v1/users/gil").body.contains("password"));

  const auto listed = Admin("GET", "/api/v1/users?limit=2");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["items"].size(), 2u);
  EXPECT_EQ(listed.body["items"][0]["username"], "admin");
  EXPECT_FALSE(listed.body["next_cursor"].is_null());

  // A body may name the user, but not another one; usernames do not change.
  EXPECT_EQ(Admin("PUT", "/api/v1/users/rita", {{"username", "rina"}}).status, 422);
  EXPECT_EQ(Admin("PUT", "/api/v1/users/nobody", {{"role", "viewer"}}).status, 404);
  EXPECT_EQ(Admin("DELETE", "/api/v1/users/nobody").status, 404);

  // There is always an admin.
  const auto demote = Admin("PUT", "/api/v1/users/admin", {{"role", "viewer"}});
  EXPECT_EQ(demote.status, 409);
  EXPECT_EQ(demote.body["message"], "This would leave no admin; make another user admin first.");
  EXPECT_EQ(Admin("DELETE", "/api/v1/users/admin").status, 409);
  EXPECT_EQ(Admin("GET", "/api/v1/users/admin").body["role"], "admin");
}

// docs/contract.md §5: a token stops working when its user is deleted, changes password, or has
// role or sites changed; one issued right after the change works at once (tokens carry
// milliseconds).
TEST_F(AccountsTest, TokensStopWorkingWhenTheirUserChanges) {
  ASSERT_EQ(Admin("POST", "/api/v1/sites", {{"id", "home"}, {"name", "Home"}}).status, 201);
  ASSERT_EQ(Admin("POST", "/api/v1/users",
                  {{"username", "rita"}, {"role", "viewer"}, {"password", "first-password-1"}})
                .status,
            201);
  auto token = stack_.Login("rita", "first-password-1");
  EXPECT_EQ(StatusOf(token), 200);

  // Naming what the user already has is no change.
  ASSERT_EQ(
      Admin("PUT", "/api/v1/users/rita", {{"role", "viewer"}, {"site_ids", Json::array()}}).status,
      200);
  EXPECT_EQ(StatusOf(token), 200);

  const auto changes = std::vector<Json>{
      {{"site_ids", {"home"}}}, {{"role", "technician"}}, {{"password", "second-password-2"}}};
  std::string password = "first-password-1";
  for (const auto& change : changes) {
    ASSERT_EQ(Admin("PUT", "/api/v1/users/rita", change).status, 200) << change;
    EXPECT_EQ(StatusOf(token), 401) << change;
    if (change.contains("password")) {
      EXPECT_EQ(LoginStatus("rita", password), 401);
      password = change["password"];
    }
    token = stack_.Login("rita", password);  // within the same second as the change, mostly
    EXPECT_EQ(StatusOf(token), 200) << change;
  }
  const auto me = stack_.Request("GET", "/api/v1/me", "", token).body;
  EXPECT_EQ(me, (Json{{"username", "rita"}, {"role", "technician"}, {"site_ids", {"home"}}}));

  // The user's own change: the current password proves it is them; the answer is a new token.
  const auto mine = [&](const Json& body) {
    return stack_.Request("PUT", "/api/v1/me/password", body.dump(), token);
  };
  EXPECT_EQ(mine({{"current", "not-it"}, {"new", "third-password-3"}}).status, 403);
  EXPECT_EQ(mine({{"current", password}, {"new", "short"}}).status, 422);
  EXPECT_EQ(mine({{"current", password}, {"new", "rita-password-3"}}).status, 422);
  EXPECT_EQ(StatusOf(token), 200);  // refused changes change nothing
  const auto changed = mine({{"current", password}, {"new", "third-password-3"}});
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(changed.body["role"], "technician");
  EXPECT_EQ(StatusOf(token), 401);
  token = changed.body["token"].get<std::string>();
  EXPECT_EQ(StatusOf(token), 200);
  EXPECT_EQ(LoginStatus("rita", password), 401);
  EXPECT_EQ(LoginStatus("rita", "third-password-3"), 200);

  // Deleted: its tokens end at once.
  EXPECT_EQ(Admin("DELETE", "/api/v1/users/rita").status, 204);
  EXPECT_EQ(StatusOf(token), 401);
  EXPECT_EQ(LoginStatus("rita", "third-password-3"), 401);
}

// `ems-api user ...` works on the database alone, with or without the API running.
TEST_F(AccountsTest, TheUserCommandManagesAccountsOffline) {
  const auto no_site = stack_.EmsApiCommand("user add carol --role technician --sites site-x");
  EXPECT_EQ(no_site.code, 1) << no_site.output;
  EXPECT_NE(no_site.output.find("Site site-x does not exist."), std::string::npos);
  ASSERT_EQ(Admin("POST", "/api/v1/sites", {{"id", "site-x"}, {"name", "X"}}).status, 201);

  const auto added = stack_.EmsApiCommand("user add carol --role technician --sites site-x");
  ASSERT_EQ(added.code, 0) << added.output;
  const auto password = PrintedPassword(added.output);
  ASSERT_FALSE(password.empty()) << added.output;
  const auto token = stack_.Login("carol", password);
  EXPECT_EQ(stack_.Request("GET", "/api/v1/me", "", token).body,
            (Json{{"username", "carol"}, {"role", "technician"}, {"site_ids", {"site-x"}}}));

  // A password of one's own comes on standard input and is not printed.
  const auto weak = stack_.EmsApiCommand("user add dave --password-stdin", "dave-1234567\n");
  EXPECT_EQ(weak.code, 1);
  EXPECT_NE(weak.output.find("must not contain the username"), std::string::npos) << weak.output;
  const auto own =
      stack_.EmsApiCommand("user add dave --password-stdin", "a-password-of-his-own\n");
  ASSERT_EQ(own.code, 0) << own.output;
  EXPECT_EQ(PrintedPassword(own.output), "");
  EXPECT_EQ(LoginStatus("dave", "a-password-of-his-own"), 200);
  EXPECT_EQ(stack_.EmsApiCommand("user add dave").code, 1);  // taken

  const auto listed = stack_.EmsApiCommand("user list");
  ASSERT_EQ(listed.code, 0);
  EXPECT_NE(listed.output.find("admin\tadmin\t-\n"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("carol\ttechnician\tsite-x\n"), std::string::npos);
  EXPECT_NE(listed.output.find("dave\tviewer\t-\n"), std::string::npos);

  // A new password ends the old one and the tokens issued with it.
  const auto reset = stack_.EmsApiCommand("user set-password carol");
  ASSERT_EQ(reset.code, 0) << reset.output;
  const auto new_password = PrintedPassword(reset.output);
  ASSERT_FALSE(new_password.empty());
  EXPECT_EQ(StatusOf(token), 401);
  EXPECT_EQ(LoginStatus("carol", password), 401);
  EXPECT_EQ(LoginStatus("carol", new_password), 200);
  EXPECT_EQ(stack_.EmsApiCommand("user set-password nobody").code, 1);

  EXPECT_EQ(stack_.EmsApiCommand("user delete carol").code, 0);
  EXPECT_EQ(LoginStatus("carol", new_password), 401);
  const auto last_admin = stack_.EmsApiCommand("user delete admin");
  EXPECT_EQ(last_admin.code, 1);
  EXPECT_NE(last_admin.output.find("no admin"), std::string::npos) << last_admin.output;

  EXPECT_EQ(stack_.EmsApiCommand("user frobnicate").code, 2);
  EXPECT_EQ(stack_.EmsApiCommand("user add").code, 2);
  EXPECT_EQ(stack_.EmsApiCommand("user add erin --role boss").code, 1);
  EXPECT_EQ(stack_.EmsApiCommand("user list --no-such-flag").code, 2);
  const auto help = stack_.EmsApiCommand("user --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("ems-api gateway add SITE"), std::string::npos);
}

// docs/contract.md §6.1: a site made over REST takes devices at once; a site with devices, sessions
// or contracts is deleted only with ?cascade=true, and its retained topics are cleared.
TEST_F(AccountsTest, SitesAreCreatedRenamedAndDeletedWithWhatBelongsToThem) {
  const auto created = Admin("POST", "/api/v1/sites",
                             {{"id", "farm"}, {"name", "Farm"}, {"timezone", "Asia/Tokyo"}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(
      created.body,
      (Json{{"id", "farm"}, {"name", "Farm"}, {"timezone", "Asia/Tokyo"}, {"device_count", 0}}));
  EXPECT_EQ(Admin("POST", "/api/v1/sites", {{"id", "farm"}, {"name", "Again"}}).status, 409);
  EXPECT_EQ(Admin("POST", "/api/v1/sites", {{"name", "Zone"}, {"timezone", "Mars/Olympus"}}).status,
            422);
  EXPECT_EQ(Admin("POST", "/api/v1/sites", {{"name", " "}}).status, 422);
  const auto generated = Admin("POST", "/api/v1/sites", {{"name", "Somewhere"}});
  ASSERT_EQ(generated.status, 201);
  EXPECT_EQ(generated.body["id"].get<std::string>().rfind("site-", 0), 0u);
  EXPECT_EQ(generated.body["timezone"], "UTC");

  const auto renamed = Admin("PUT", "/api/v1/sites/farm", {{"name", "The farm"}});
  EXPECT_EQ(renamed.body["name"], "The farm");
  EXPECT_EQ(renamed.body["timezone"], "Asia/Tokyo");  // kept when not given
  EXPECT_EQ(Admin("PUT", "/api/v1/sites/farm", {{"id", "other"}, {"name", "X"}}).status, 422);
  EXPECT_EQ(Admin("PUT", "/api/v1/sites/nowhere", {{"name", "X"}}).status, 404);

  // Devices at once, and their telemetry is taken.
  AddCar("farm");
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;
  auto sub = stack_.Subscribe("ems-api", std::string(Stack::kPrefix) + "/sites/farm/#", &seen, &mu);
  stack_.Publish(DeviceTopic("farm", "car", "telemetry"),
                 TelemetryPayload(Now(), {{"power_w", -7000.0}, {"soc_pct", 30.0}}));
  ASSERT_TRUE(stack_.WaitForReceived(1));
  ASSERT_EQ(Admin("POST", "/api/v1/devices/car/charging-schedule/pause").status, 200);
  const auto summary_topic = std::string(Stack::kPrefix) + "/sites/farm/summary";
  const auto schedule_topic = std::string(Stack::kPrefix) + "/sites/farm/devices/car/schedule";
  const auto has = [&](const std::string& topic, bool empty) {
    std::lock_guard lock(mu);
    return std::any_of(seen.begin(), seen.end(), [&](const auto& m) {
      return m.first == topic && m.second.empty() == empty;
    });
  };
  ASSERT_TRUE(WaitFor([&] { return has(summary_topic, false) && has(schedule_topic, false); }));
  ASSERT_TRUE(stack_.AddUser("fred", "fred-password-1", "viewer", {"farm"}));
  const auto fred = stack_.Login("fred", "fred-password-1");

  const auto refused = Admin("DELETE", "/api/v1/sites/farm");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["message"],
            "Site farm still has 1 device, 0 charging sessions and 0 contracts; delete them first "
            "or add ?cascade=true.");
  EXPECT_EQ(Admin("DELETE", "/api/v1/sites/farm?cascade=maybe").status, 400);
  EXPECT_EQ(Admin("DELETE", "/api/v1/sites/farm?cascade=true").status, 204);
  EXPECT_EQ(Admin("GET", "/api/v1/sites/farm").status, 404);
  EXPECT_EQ(Admin("GET", "/api/v1/devices/car").status, 404);
  EXPECT_TRUE(WaitFor([&] { return has(summary_topic, true) && has(schedule_topic, true); }));
  // Its users lose it, and with it their tokens.
  EXPECT_EQ(StatusOf(fred), 401);
  EXPECT_EQ(stack_.Request("GET", "/api/v1/me", "", stack_.Login("fred", "fred-password-1"))
                .body["site_ids"],
            Json::array());
  EXPECT_EQ(Admin("DELETE", "/api/v1/sites/" + generated.body["id"].get<std::string>()).status,
            204);  // empty: no cascade needed
  sub->disconnect()->wait();
}

// Deleting an EV clears its retained schedule, so neither the car nor a later subscriber follows
// the schedule of a device that is gone.
TEST_F(AccountsTest, DeletingAnEvClearsItsRetainedSchedule) {
  ASSERT_EQ(Admin("POST", "/api/v1/sites", {{"id", "home"}, {"name", "Home"}}).status, 201);
  AddCar("home");
  ASSERT_EQ(Admin("POST", "/api/v1/devices/car/charging-schedule/override").status, 200);
  const auto topic = std::string(Stack::kPrefix) + "/sites/home/devices/car/schedule";
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;
  auto sub = stack_.Subscribe("ems-api", topic, &seen, &mu);
  const auto count = [&](bool empty) {
    std::lock_guard lock(mu);
    return std::count_if(seen.begin(), seen.end(),
                         [&](const auto& m) { return m.second.empty() == empty; });
  };
  ASSERT_TRUE(WaitFor([&] { return count(false) == 1; }));  // the retained schedule
  ASSERT_EQ(Admin("DELETE", "/api/v1/devices/car").status, 204);
  EXPECT_TRUE(WaitFor([&] { return count(true) == 1; }));
  sub->disconnect()->wait();

  std::vector<std::pair<std::string, std::string>> later;
  auto fresh = stack_.Subscribe("ems-api", topic, &later, &mu);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(later.empty());
  }
  fresh->disconnect()->wait();
}

}  // namespace
}  // namespace ems::testing
