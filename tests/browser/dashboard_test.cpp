// The dashboard as a person uses it (docs/contract.md §7, docs/dashboard.md): a stack with
// simulated data (broker, listener, ems-api behind the nginx edge, a day of history from
// ems-publisher's backfill), a headless Chromium driven through chromedriver, the numbers on the
// pages compared with the JSON API's answers, the EV buttons pressed, once with JavaScript and once
// without; stored markup shown as text; forms without their CSRF token refused; other sites' pages
// 404; pages and series answering conditional requests. Screenshots go to <build>/screenshots/.
// Without Chromium the browser tests skip with one line; the others run anyway.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "api/api_app.h"
#include "api/pages/chart.h"
#include "api/pages/page.h"
#include "harness.h"
#include "webdriver.h"

namespace ems::testing {
namespace {

using api::chart::FormatNumber;
using api::pages::Power;

#define SKIP_WITHOUT_CHROMIUM()                                                  \
  if (!ChromiumInstalled()) {                                                    \
    GTEST_SKIP() << "chromium and chromium-driver are not installed; skipping."; \
  }

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    stack_.StartListener();
    // The backfill's readings stay "live" for the whole test.
    stack_.StartApi({{"EMS_STALE_AFTER_S", "86400"}});
  }

  // A home and a charging hub with a day of history, every message stored.
  void Simulate() {
    stack_.StartPublisher({{"EMS_PUBLISHER_SITES", "1"},
                           {"EMS_PUBLISHER_HUB_STATIONS", "1"},
                           {"EMS_PUBLISHER_INTERVAL_S", "300"},
                           {"EMS_PUBLISHER_SESSION_INTERVAL_S", "3600"},
                           {"EMS_PUBLISHER_BACKFILL", "1d"}});
    ASSERT_EQ(stack_.publisher().Wait(std::chrono::seconds(120)), 0);
    long last = -1;
    ASSERT_TRUE(WaitFor(
        [&] {
          const long now = stack_.Get("/api/v1/ingest/stats").body.value("received", 0L);
          const bool settled = now > 0 && now == last;
          last = now;
          if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(500));
          return settled;
        },
        std::chrono::seconds(60)));
    const auto evs = stack_.Get("/api/v1/devices?type=ev").body["items"];
    ASSERT_FALSE(evs.empty());
    ev_ = evs[0]["id"].get<std::string>();
    site_ = evs[0]["site_id"].get<std::string>();
    const auto batteries =
        stack_.Get("/api/v1/devices?type=battery&site_id=" + site_).body["items"];
    ASSERT_FALSE(batteries.empty());
    battery_ = batteries[0]["id"].get<std::string>();
  }

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(stack_.edge_port()); }
  std::string Shot(const std::string& name) const {
    return std::string(EMS_SCREENSHOT_DIR) + "/" + name + ".png";
  }

  void SignIn(Browser& b, const std::string& user, const std::string& password) {
    b.Type("input[name=username]", user);
    b.Type("input[name=password]", password);
    b.Follow("main form button[type=submit]");
  }

  Json Schedule() { return stack_.Get("/api/v1/devices/" + ev_ + "/charging-schedule").body; }

  // The site page's figures are the energy summary's, formatted as the page formats them.
  void ExpectFiguresOfTheApi(Browser& b) {
    const auto s = stack_.Get("/api/v1/sites/" + site_ + "/energy/summary").body;
    EXPECT_EQ(b.Text("section.flow [data-field=produced_w]"), Power(s["produced_w"].get<double>()));
    EXPECT_EQ(b.Text("section.flow [data-field=consumed_w]"), Power(s["consumed_w"].get<double>()));
    EXPECT_EQ(b.Text("section.flow [data-field=net_w]"), Power(s["net_w"].get<double>()));
    EXPECT_GT(s["produced_w"].get<double>() + s["consumed_w"].get<double>(), 0);
    int socs = 0;
    for (const auto& st : s["storage"]) {
      if (st["soc_pct"].is_null()) continue;
      ++socs;
      EXPECT_EQ(b.Text("[data-soc=\"" + st["device_id"].get<std::string>() + "\"]"),
                FormatNumber(st["soc_pct"].get<double>()) + "%");
    }
    EXPECT_GE(socs, 2);  // the home's battery and EV
    const auto devices = stack_.GetAllItems("/api/v1/sites/" + site_ + "/devices");
    EXPECT_EQ(b.FindAll("table.devices tbody tr").size(), devices.size());
    // Charts with data: power per type (lines), energy per day (bars), and the price today and
    // tomorrow (steps) when the API answers prices for then.
    EXPECT_FALSE(b.FindAll("figure.chart polyline").empty());
    EXPECT_FALSE(b.FindAll("figure.chart rect").empty());
    ExpectThePricesOfTheApi(b);
  }

  // The price chart draws each price the tariff route answers for today and tomorrow (site-local
  // days) as one step: two points, at its start and its end, so a quarter-hour price is a quarter
  // hour wide.
  void ExpectThePricesOfTheApi(Browser& b) {
    const auto zone = stack_.Get("/api/v1/sites/" + site_).body["timezone"].get<std::string>();
    const auto today = LocalPeriodStart(Now(), CalendarUnit::kDay, zone);
    const auto tomorrow =
        LocalPeriodStart(today + std::chrono::hours(36), CalendarUnit::kDay, zone);
    const auto end = LocalPeriodStart(tomorrow + std::chrono::hours(36), CalendarUnit::kDay, zone);
    const auto tariff =
        stack_
            .Get("/api/v1/sites/" + site_ + "/tariff?from=" + FormatTimestamp(today) +
                 "&to=" + FormatTimestamp(end))
            .body;
    const std::size_t prices = tariff["prices"].size();
    EXPECT_EQ(b.FindAll("figure.chart svg").size(), prices > 0 ? 3u : 2u);
    if (prices == 0) return;
    const std::string chart = "section.charts figure.chart:nth-of-type(3)";
    EXPECT_EQ(b.Text(chart + " figcaption"), "Energy price, today and tomorrow");
    EXPECT_EQ(b.Text(chart + " text.unit"), tariff["currency"].get<std::string>() + "/kWh");
    ASSERT_EQ(b.FindAll(chart + " polyline").size(), 1u);  // the sim's prices leave no gap
    std::size_t points = 0;
    const auto drawn = b.Attribute(chart + " polyline", "points");
    for (const char c : drawn) points += c == ',' ? 1 : 0;
    EXPECT_EQ(points, 2 * prices) << drawn;
  }

  // The device page's latest values are the metrics route's.
  void ExpectDeviceMetricsOfTheApi(Browser& b) {
    const auto metrics = stack_.Get("/api/v1/devices/" + battery_ + "/metrics").body["items"];
    int shown = 0;
    for (const auto& m : metrics) {
      if (m["value"].is_null()) continue;
      ++shown;
      EXPECT_EQ(b.Text("tr[data-metric=\"" + m["name"].get<std::string>() + "\"] td.num"),
                FormatNumber(m["value"].get<double>()));
    }
    EXPECT_GE(shown, 2);  // power_w, soc_pct
    EXPECT_GE(b.FindAll("figure.chart svg").size(), 2u);
  }

  // Presses an EV button on the site page, which comes back to it.
  void Press(Browser& b, const std::string& action) {
    b.Follow("#ev-" + ev_ + " form[action$=\"" + action + "\"] button");
    EXPECT_EQ(b.Url(), Base() + "/sites/" + site_);
  }

  void OperateTheEv(Browser& b) {
    if (!Schedule()["is_at_home"].get<bool>()) {
      Press(b, "/at-home");
      EXPECT_TRUE(Schedule()["is_at_home"].get<bool>());
    }
    Press(b, "/schedule/pause");
    EXPECT_TRUE(Schedule()["is_paused"].get<bool>());
    EXPECT_NE(b.Text("#ev-" + ev_ + " dl").find("paused until"), std::string::npos);
    Press(b, "/schedule/resume");
    EXPECT_FALSE(Schedule()["is_paused"].get<bool>());
    Press(b, "/schedule/override");
    EXPECT_FALSE(Schedule()["override"].is_null());
    EXPECT_NE(b.Text("#ev-" + ev_ + " dl").find("now, until"), std::string::npos);
    // A recurring plan is explained on the page as in the API: charge power and expected cost.
    const Json recurring = {
        {"repeat", Json::array({{{"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                 {"ready_by", "07:00"},
                                 {"target_soc", 0.8}}})}};
    ASSERT_EQ(stack_
                  .Request("PUT", "/api/v1/devices/" + ev_ + "/charging-schedule", recurring.dump(),
                           stack_.AdminToken())
                  .status,
              200);
    b.Go(Base() + "/sites/" + site_);
    const std::string text = b.Text("#ev-" + ev_ + " dl");
    const Json plan = Schedule();
    EXPECT_NE(text.find("Charge power"), std::string::npos) << text;
    EXPECT_NE(text.find(FormatNumber(plan["charge_power_w"].get<double>() / 1000) + " kW (" +
                        plan["power_source"].get<std::string>() + ")"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Expected cost"), std::string::npos) << text;
  }

  Stack stack_;
  std::string site_, ev_, battery_;
};

TEST_F(DashboardTest, APersonSignsInReadsTheSiteOperatesTheEvAndSignsOut) {
  SKIP_WITHOUT_CHROMIUM();
  Simulate();
  Browser b(stack_.dir(), /*javascript=*/true);
  b.Go(Base() + "/sites/" + site_);
  EXPECT_EQ(b.Url(), Base() + "/login?next=%2Fsites%2F" + site_);
  SignIn(b, Stack::kAdminUser, Stack::kAdminPassword);
  ASSERT_EQ(b.Url(), Base() + "/sites/" + site_);
  b.Screenshot(Shot("site"));
  ExpectFiguresOfTheApi(b);

  b.Follow("a[href=\"/devices/" + battery_ + "\"]");
  EXPECT_EQ(b.Url(), Base() + "/devices/" + battery_);
  ExpectDeviceMetricsOfTheApi(b);
  b.Screenshot(Shot("device"));
  // The interval choice: 30 local days at 1d.
  b.Click("select[name=interval] option[value=\"1d\"]");
  b.Follow("form.filters button");
  EXPECT_EQ(b.Url(), Base() + "/devices/" + battery_ + "?interval=1d");
  EXPECT_GE(b.FindAll("figure.chart svg").size(), 2u);

  b.Go(Base() + "/sites/" + site_);
  OperateTheEv(b);
  b.Screenshot(Shot("site-after-override"));
  EXPECT_EQ(b.AlertText(), std::nullopt);

  b.Go(Base() + "/fleet?type=ev");
  EXPECT_EQ(b.FindAll("table.devices tbody tr").size(),
            stack_.GetAllItems("/api/v1/devices?type=ev").size());

  b.Follow("header form button");  // log out
  EXPECT_EQ(b.Url(), Base() + "/login");
  b.Go(Base() + "/sites/" + site_);
  EXPECT_EQ(b.Url(), Base() + "/login?next=%2Fsites%2F" + site_);
}

TEST_F(DashboardTest, EverythingWorksWithoutJavaScript) {
  SKIP_WITHOUT_CHROMIUM();
  Simulate();
  Browser b(stack_.dir(), /*javascript=*/false);
  b.Go(Base() + "/");
  SignIn(b, Stack::kAdminUser, Stack::kAdminPassword);
  ASSERT_EQ(b.Url(), Base() + "/");
  b.Follow("a[href=\"/sites/" + site_ + "\"]");
  ASSERT_EQ(b.Url(), Base() + "/sites/" + site_);
  ExpectFiguresOfTheApi(b);
  // Without the script the page reloads itself to stay live.
  EXPECT_NE(b.Source().find("http-equiv=\"refresh\""), std::string::npos);
  b.Screenshot(Shot("site-without-javascript"));
  OperateTheEv(b);
  b.Go(Base() + "/devices/" + battery_);
  ExpectDeviceMetricsOfTheApi(b);
}

TEST_F(DashboardTest, StoredMarkupIsShownAsTextAndNeverRuns) {
  SKIP_WITHOUT_CHROMIUM();
  const std::string site_name = "\"><img src=x onerror=alert(1)>";
  const std::string device_name = "<script>alert(1)</script>";
  ASSERT_EQ(stack_.Post("/api/v1/sites", {{"id", "odd"}, {"name", site_name}}).status, 201);
  ASSERT_EQ(
      stack_
          .Post(
              "/api/v1/sites/odd/devices",
              {{"id", "odd-ev"},
               {"type", "ev"},
               {"name", device_name},
               {"properties",
                {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}}}})
          .status,
      201);
  Browser b(stack_.dir(), /*javascript=*/true);
  b.Go(Base() + "/login");
  SignIn(b, Stack::kAdminUser, Stack::kAdminPassword);
  EXPECT_EQ(b.AlertText(), std::nullopt);
  EXPECT_EQ(b.Text("table.sites a[href=\"/sites/odd\"]"), site_name);
  for (const std::string path : {"/sites/odd", "/devices/odd-ev", "/fleet"}) {
    b.Go(Base() + path);
    EXPECT_EQ(b.AlertText(), std::nullopt) << path;
    EXPECT_TRUE(b.FindAll("img").empty()) << path;
    EXPECT_TRUE(b.FindAll("main script").empty()) << path;
  }
  b.Go(Base() + "/sites/odd");
  EXPECT_EQ(b.Text("h1"), site_name);
  EXPECT_EQ(b.Text("#ev-odd-ev h3"), device_name);
  b.Go(Base() + "/devices/odd-ev");
  EXPECT_EQ(b.Text("h1"), device_name);
  EXPECT_EQ(b.Title(), device_name + " · ems");
  b.Screenshot(Shot("escaping"));
}

// Without a browser: what a forged form, another site's user and an anonymous caller get.
TEST_F(DashboardTest, FormsNeedTheirTokenAndOtherSitesPagesAreNotFound) {
  ASSERT_EQ(stack_.Post("/api/v1/sites", {{"id", "home"}, {"name", "Home"}}).status, 201);
  ASSERT_EQ(stack_.Post("/api/v1/sites", {{"id", "other"}, {"name", "Other"}}).status, 201);
  ASSERT_EQ(
      stack_
          .Post(
              "/api/v1/sites/home/devices",
              {{"id", "car"},
               {"type", "ev"},
               {"name", "Car"},
               {"properties",
                {{"battery_capacity_wh", 60000}, {"max_charge_w", 11000}, {"max_discharge_w", 0}}}})
          .status,
      201);
  ASSERT_TRUE(stack_.AddUser("viewer-other", "viewer-other-password", "viewer", {"other"}));
  httplib::Client edge("127.0.0.1", stack_.edge_port());
  const auto cookie = [&](const std::string& token) {
    return httplib::Headers{{"Cookie", "ems_session=" + token}};
  };
  const auto admin = cookie(stack_.AdminToken());

  // A form post without its token, or with another session's, changes nothing.
  const auto forged = edge.Post("/devices/car/schedule/pause", admin, "back=%2F",
                                "application/x-www-form-urlencoded");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_NE(forged->body.find("did not come from this site"), std::string::npos);
  const auto viewer = cookie(stack_.Login("viewer-other", "viewer-other-password"));
  const auto viewer_page = edge.Get("/", viewer);
  const std::string field = "name=\"csrf\" value=\"";
  const auto at = viewer_page->body.find(field);
  ASSERT_NE(at, std::string::npos);
  const auto start = at + field.size();
  const auto viewer_csrf =
      viewer_page->body.substr(start, viewer_page->body.find('"', start) - start);
  EXPECT_EQ(edge.Post("/devices/car/schedule/pause", admin, "csrf=" + viewer_csrf,
                      "application/x-www-form-urlencoded")
                ->status,
            403);
  EXPECT_FALSE(stack_.Get("/api/v1/devices/car/charging-schedule").body["is_paused"].get<bool>());
  // The login form needs its own token too.
  EXPECT_EQ(
      edge.Post("/login", "username=admin&password=x", "application/x-www-form-urlencoded")->status,
      403);

  // Another site's user: every page of this site answers 404, as the JSON API does, even a
  // form with a valid token.
  for (const std::string path : {"/sites/home", "/devices/car", "/sites/nowhere"}) {
    const auto r = edge.Get(path, viewer);
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  }
  EXPECT_EQ(edge.Post("/devices/car/schedule/pause", viewer, "csrf=" + viewer_csrf,
                      "application/x-www-form-urlencoded")
                ->status,
            404);
  EXPECT_EQ(edge.Get("/fleet", viewer)->body.find("/devices/car"), std::string::npos);

  // Cookies: HttpOnly and SameSite=Lax always; Secure when the edge says the client came over
  // HTTPS (asked of ems-api directly, as an HTTPS edge would).
  const auto plain = edge.Get("/login");
  EXPECT_NE(plain->get_header_value("Set-Cookie").find("; HttpOnly; SameSite=Lax"),
            std::string::npos);
  EXPECT_EQ(plain->get_header_value("Set-Cookie").find("Secure"), std::string::npos);
  httplib::Client api("127.0.0.1", stack_.api_port());
  EXPECT_NE(api.Get("/login", {{"X-Forwarded-Proto", "https"}})
                ->get_header_value("Set-Cookie")
                .find("; Secure"),
            std::string::npos);

  // Every page the server registers (ApiApp::pages()) but the login form and the assets needs
  // a session: without one, GET and POST alike go to the login form.
  const std::string db = "--db-path=" + stack_.dir() + "/pages.db";
  const char* argv[] = {"ems-api", db.c_str(), "--jwt-secret=0123456789abcdef0123456789abcdef"};
  const config::Settings settings("ems-api", api::ApiOptions(), 3, argv, "/nonexistent/.env");
  const auto pages = api::ApiApp(settings).pages();
  EXPECT_GE(pages.size(), 10u);
  const std::set<std::string> open = {"GET /", "GET /login", "POST /login",
                                      "GET /static/([a-z0-9.-]+)", "GET /favicon.ico"};
  for (const auto& page : pages) {
    if (open.count(page)) continue;
    const auto space = page.find(' ');
    const auto path =
        std::regex_replace(page.substr(space + 1), std::regex(R"(\(\[\^/\]\+\))"), "car");
    const auto r = page.substr(0, space) == "GET"
                       ? edge.Get(path)
                       : edge.Post(path, "", "application/x-www-form-urlencoded");
    EXPECT_EQ(r->status, 303) << page;
    EXPECT_EQ(r->get_header_value("Location").rfind("/login?next=", 0), 0u) << page;
  }

  // No session: to the login form, which returns to the page.
  const auto anonymous = edge.Get("/sites/home");
  EXPECT_EQ(anonymous->status, 303);
  // cpp-httplib's client hands the header over percent-decoded; the browser test sees the
  // encoded form.
  EXPECT_EQ(anonymous->get_header_value("Location"), "/login?next=/sites/home");
}

TEST_F(DashboardTest, PagesAndSeriesAnswerConditionalRequestsCheaply) {
  Simulate();
  httplib::Client edge("127.0.0.1", stack_.edge_port());
  const httplib::Headers admin{{"Cookie", "ems_session=" + stack_.AdminToken()}};
  const auto page = edge.Get("/sites/" + site_, admin);
  ASSERT_EQ(page->status, 200);
  // Security headers, through the edge.
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(page->get_header_value("Content-Security-Policy").find("unsafe-inline"),
            std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Referrer-Policy"), "same-origin");
  // The page and everything it loads stay under 200 KiB.
  std::size_t weight = page->body.size();
  for (const char* asset : {"/static/app.css", "/static/app.js", "/static/favicon.svg"}) {
    const auto a = edge.Get(asset);
    ASSERT_EQ(a->status, 200) << asset;
    weight += a->body.size();
  }
  EXPECT_LT(weight, 200u * 1024);
  std::printf("site page: %zu bytes of HTML, %zu bytes with its assets\n", page->body.size(),
              weight);

  const auto etag = page->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  httplib::Headers again = admin;
  again.emplace("If-None-Match", etag);
  const auto unchanged = edge.Get("/sites/" + site_, again);
  EXPECT_EQ(unchanged->status, 304);
  EXPECT_TRUE(unchanged->body.empty());
  // What a refresh costs, rendered and revalidated (printed, not asserted: shared machines vary).
  for (const bool conditional : {false, true}) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) edge.Get("/sites/" + site_, conditional ? again : admin);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count() /
        20;
    std::printf("site page %s: %.1f ms a request\n", conditional ? "304" : "200", ms);
  }

  // JSON series: ETag, 304, and a cache life that fits the range.
  const auto token = stack_.AdminToken();
  const httplib::Headers bearer{{"Authorization", "Bearer " + token}};
  const std::string today = "/api/v1/devices/" + battery_ + "/metrics/power_w/series";
  const auto past_to = FormatTimestamp(Now() - std::chrono::hours(48));
  const auto past_from = FormatTimestamp(Now() - std::chrono::hours(72));
  for (const std::string& path : {today, "/api/v1/sites/" + site_ + "/energy/series",
                                  "/api/v1/sites/" + site_ + "/energy/summary"}) {
    const auto first = edge.Get(path, bearer);
    ASSERT_EQ(first->status, 200) << path;
    EXPECT_EQ(first->get_header_value("Cache-Control"), "private, no-cache") << path;
    httplib::Headers conditional = bearer;
    conditional.emplace("If-None-Match", first->get_header_value("ETag"));
    EXPECT_EQ(edge.Get(path, conditional)->status, 304) << path;
  }
  const auto past = edge.Get(today + "?from=" + past_from + "&to=" + past_to, bearer);
  EXPECT_EQ(past->status, 200);
  EXPECT_EQ(past->get_header_value("Cache-Control"), "private, max-age=86400");
}

}  // namespace
}  // namespace ems::testing
