#include "webdriver.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace ems::testing {
namespace {

constexpr const char* kElement = "element-6066-11e4-a52e-4f735466cecf";

std::string Base64Decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (const char c : text) {
    const auto pos = kAlphabet.find(c);
    if (pos == std::string::npos) continue;  // padding, line breaks
    value = (value << 6) | static_cast<int>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

bool ChromiumInstalled() {
  return std::filesystem::exists("/usr/bin/chromium") &&
         std::filesystem::exists("/usr/bin/chromedriver");
}

Browser::Browser(const std::string& dir, bool javascript) : port_(FreePort()) {
  driver_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/bin/chromedriver", "--port=" + std::to_string(port_)},
      std::map<std::string, std::string>{{"PATH", "/usr/bin:/bin"},
                                         {"HOME", profile_.path().string()}},
      dir, dir + "/chromedriver.log");
  client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client_->set_read_timeout(std::chrono::seconds(60));
  const bool up = WaitFor([&] {
    const auto r = client_->Get("/status");
    return r && r->status == 200;
  });
  if (!up) throw std::runtime_error("chromedriver did not start: " + driver_->Log());
  nlohmann::json options = {
      {"binary", "/usr/bin/chromium"},
      {"args",
       {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,1600",
        "--user-data-dir=" + (profile_.path() / "profile").string()}}};
  if (!javascript) {
    options["prefs"] = {{"profile.managed_default_content_settings.javascript", 2}};
  }
  try {
    const auto answer =
        Call("POST", "/session",
             {{"capabilities",
               {{"alwaysMatch", {{"browserName", "chrome"}, {"goog:chromeOptions", options}}}}}});
    session_ = answer["value"]["sessionId"].get<std::string>();
  } catch (...) {
    driver_->Stop();
    EndBrowser();
    throw;
  }
}

void Browser::EndBrowser() {
  const std::string profile = profile_.path().string();
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    if (cmdline.find(profile) != std::string::npos) ::kill(std::stoi(name), SIGKILL);
  }
}

Browser::~Browser() {
  if (!session_.empty()) client_->Delete("/session/" + session_);
  driver_->Stop();
  EndBrowser();
}

nlohmann::json Browser::Call(const std::string& method, const std::string& path,
                             const nlohmann::json& body, bool may_fail) {
  const std::string full = path == "/session" ? path : "/session/" + session_ + path;
  httplib::Result r =
      method == "GET" ? client_->Get(full)
      : method == "DELETE"
          ? client_->Delete(full)
          : client_->Post(full, (body.is_null() ? nlohmann::json::object() : body).dump(),
                          "application/json");
  if (!r) throw std::runtime_error("chromedriver did not answer " + method + " " + path);
  auto doc = nlohmann::json::parse(r->body, nullptr, false);
  if (r->status != 200 && !may_fail) {
    throw std::runtime_error(method + " " + path + " failed: " + r->body.substr(0, 500));
  }
  if (r->status != 200) return nullptr;
  return doc.is_object() && doc.contains("value") ? doc : nlohmann::json{{"value", nullptr}};
}

void Browser::Go(const std::string& url) { Call("POST", "/url", {{"url", url}}); }
std::string Browser::Url() { return Call("GET", "/url")["value"].get<std::string>(); }
std::string Browser::Title() { return Call("GET", "/title")["value"].get<std::string>(); }
std::string Browser::Source() { return Call("GET", "/source")["value"].get<std::string>(); }

std::vector<std::string> Browser::FindAll(const std::string& css) {
  std::vector<std::string> ids;
  const auto answer = Call("POST", "/elements", {{"using", "css selector"}, {"value", css}});
  for (const auto& e : answer["value"]) ids.push_back(e[kElement].get<std::string>());
  return ids;
}

std::string Browser::Find(const std::string& css) {
  const auto ids = FindAll(css);
  if (ids.empty()) throw std::runtime_error("no element matches " + css + " on " + Url());
  return ids.front();
}

std::string Browser::Text(const std::string& css) {
  return Call("GET", "/element/" + Find(css) + "/text")["value"].get<std::string>();
}

std::string Browser::Attribute(const std::string& css, const std::string& name) {
  const auto v = Call("GET", "/element/" + Find(css) + "/attribute/" + name)["value"];
  return v.is_string() ? v.get<std::string>() : "";
}

void Browser::Type(const std::string& css, const std::string& text) {
  Call("POST", "/element/" + Find(css) + "/value", {{"text", text}});
}

void Browser::Click(const std::string& css) { Call("POST", "/element/" + Find(css) + "/click"); }

void Browser::Follow(const std::string& css) {
  const auto button = Find(css);
  Call("POST", "/element/" + button + "/click");
  // The button's element goes stale once the next page replaced this one.
  const bool left = WaitFor([&] {
    return Call("GET", "/element/" + button + "/name", nullptr, /*may_fail=*/true).is_null();
  });
  if (!left) throw std::runtime_error("the page did not change after clicking " + css);
}

std::optional<std::string> Browser::AlertText() {
  const auto answer = Call("GET", "/alert/text", nullptr, /*may_fail=*/true);
  if (answer.is_null()) return std::nullopt;
  return answer["value"].is_string() ? answer["value"].get<std::string>() : "";
}

void Browser::Screenshot(const std::string& png_path) {
  std::filesystem::create_directories(std::filesystem::path(png_path).parent_path());
  const auto png = Base64Decode(Call("GET", "/screenshot")["value"].get<std::string>());
  std::ofstream(png_path, std::ios::binary) << png;
}

void Browser::SetWindowSize(int width, int height) {
  Call("POST", "/window/rect", {{"width", width}, {"height", height}});
}

}  // namespace ems::testing
