#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "ems/auth/password.h"
#include "ems/store/store.h"

namespace ems::testing {

namespace {

bool CanBind(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

}  // namespace

// Below the kernel's ephemeral range (32768-60999): a port the kernel picked for us could be taken
// by an outgoing connection of a test running beside this one before our server binds it. Each
// test process (ctest runs one per test) starts in its own block, by its pid.
int FreePort() {
  constexpr int kFirst = 20000, kBlocks = 1000, kBlock = 12;
  static int next = kFirst + static_cast<int>(::getpid() % kBlocks) * kBlock;
  while (true) {
    const int port = next;
    next = next + 1 < kFirst + kBlocks * kBlock ? next + 1 : kFirst;
    if (CanBind(port)) return port;
  }
}

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env,
                 std::string cwd, std::string log_path)
    : log_path_(std::move(log_path)) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
}

Process::~Process() {
  if (Running()) Stop(SIGKILL);
}

bool Process::Running() {
  if (pid_ <= 0 || status_ != -1) return false;
  int st = 0;
  if (::waitpid(pid_, &st, WNOHANG) == pid_) {
    status_ = st;
    return false;
  }
  return true;
}

int Process::Wait(std::chrono::milliseconds timeout) {
  WaitFor([&] { return !Running(); }, timeout);
  if (Running()) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  return 128 + WTERMSIG(status_);
}

int Process::Stop(int signal, std::chrono::milliseconds timeout) {
  if (Running()) ::kill(pid_, signal);
  return Wait(timeout);
}

std::string Process::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

long PeakResidentKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double CpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command's closing parenthesis: state is the 3rd, utime and stime the 14th
  // and 15th of the whole line.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long TreeResidentKiB(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (command) state ppid ...": the command may hold anything, so read after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    std::string state;
    pid_t ppid = 0;
    if (rest >> state >> ppid) children.emplace(ppid, std::stoi(name));
  }
  long total = 0;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long kib = 0;
    while (status >> key) {
      if (key == "VmRSS:" && status >> kib) total += kib;
    }
    const auto [first, last] = children.equal_range(pid);
    for (auto it = first; it != last; ++it) todo.push_back(it->second);
  }
  return total;
}

bool WaitFor(const std::function<bool()>& check, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

HttpAnswer RawHttp(int port, const std::string& request) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return {};
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos && out.find('}') != std::string::npos) break;
  }
  ::close(fd);
  HttpAnswer a{0, Json(), out};
  if (out.rfind("HTTP/1.", 0) == 0 && out.size() > 12) a.status = std::atoi(out.c_str() + 9);
  const auto body = out.find("\r\n\r\n");
  if (body != std::string::npos) a.body = Json::parse(out.substr(body + 4), nullptr, false);
  static const std::regex content_type(R"(\r\nContent-Type: *([^\r]*)\r\n)", std::regex::icase);
  std::smatch m;
  const std::string head = out.substr(0, body);
  if (std::regex_search(head, m, content_type)) a.content_type = m[1];
  return a;
}

namespace {

bool PortOpen(int port) {
  const int fd = ConnectLoopback(port);
  if (fd >= 0) ::close(fd);
  return fd >= 0;
}

std::string Sh(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[512];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p == nullptr || ::pclose(p) != 0) throw std::runtime_error("command failed: " + cmd);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

Stack::Stack()
    : broker_port_(FreePort()),
      tls_port_(FreePort()),
      api_port_(FreePort()),
      edge_port_(FreePort()),
      graphql_port_(FreePort()),
      ocpp_port_(FreePort()),
      ocpp_control_port_(FreePort()) {
  for (const char* service : {"listener", "api", "publisher", "ocpp"}) {
    metrics_ports_[service] = FreePort();
  }
  passwords_ = {{"ems-publisher", "pub-secret"},
                {"ems-listener", "listener-secret"},
                {"ems-api", "api-secret"},
                {"ems-ocpp", "ocpp-secret"}};
  std::filesystem::create_directories(dir() + "/data");
  // A server may close a connection while the client still sends (413): no SIGPIPE death.
  ::signal(SIGPIPE, SIG_IGN);
}

Stack::~Stack() {
  const bool failed = ::testing::Test::HasFailure();
  if (device_client_ && device_client_->is_connected()) {
    try {
      device_client_->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (...) {
    }
  }
  for (auto* p : {edge_.get(), graphql_.get(), publisher_.get(), ocpp_.get(), api_.get(),
                  listener_.get(), broker_.get()}) {
    if (p == nullptr) continue;
    p->Stop();
    if (failed) std::cerr << "---- " << p->log_path() << "\n" << p->Log() << "\n";
  }
}

std::string SessionJson(const std::string& id, const std::string& station,
                        const std::string& started, const std::string& status, double energy) {
  Json j = {{"session_id", id},     {"station_id", station}, {"connector", 1},
            {"vehicle_id", "ev-1"}, {"status", status},      {"started_at", started},
            {"energy_kwh", energy}, {"cost", 5.71},          {"currency", "EUR"}};
  j["ended_at"] = status == "completed" ? Json("2026-11-21T09:10:00Z") : Json(nullptr);
  return j.dump();
}

std::string SessionTopic(const std::string& site, const std::string& station) {
  return std::string(Stack::kPrefix) + "/sites/" + site + "/devices/" + station + "/sessions";
}

void Stack::StartBroker() {
  const std::string prepare = "EMS_PUBLISHER_MQTT_PASSWORD=" + passwords_["ems-publisher"] +
                              " EMS_LISTENER_MQTT_PASSWORD=" + passwords_["ems-listener"] +
                              " EMS_API_MQTT_PASSWORD=" + passwords_["ems-api"] +
                              " EMS_OCPP_MQTT_PASSWORD=" + passwords_["ems-ocpp"] +
                              " EMS_BROKER_PORT=" + std::to_string(broker_port_) +
                              " EMS_BROKER_TLS_PORT=" + std::to_string(tls_port_) + " " +
                              SourcePath("broker-config/prepare-broker.sh") + " " + dir() +
                              "/broker";
  const auto conf = Sh(prepare);
  broker_ =
      std::make_unique<Process>(std::vector<std::string>{Sh("command -v mosquitto"), "-c", conf},
                                std::map<std::string, std::string>{}, dir(), dir() + "/broker.log");
  if (!WaitFor([&] { return PortOpen(broker_port_) && PortOpen(tls_port_); })) {
    throw std::runtime_error("mosquitto did not start: " + broker_->Log());
  }
}

void Stack::StopBroker(int signal) {
  if (device_client_) device_client_.reset();
  broker_->Stop(signal);
}

std::map<std::string, std::string> Stack::ServiceEnv(const std::string& service) const {
  return {{"PATH", "/usr/bin:/bin"},
          {"EMS_MQTT_URL", "mqtt://127.0.0.1:" + std::to_string(broker_port_)},
          {"EMS_MQTT_USERNAME", "ems-" + service},
          {"EMS_MQTT_PASSWORD", passwords_.at("ems-" + service)},
          {"EMS_DB_PATH", db_path()},
          {"EMS_DB_URL", pg_ ? pg_->url() : ""},
          {"EMS_LOG_LEVEL", "debug"},
          {"EMS_API_LISTEN", "127.0.0.1:" + std::to_string(api_port_)},
          {"EMS_OCPP_LISTEN", "127.0.0.1:" + std::to_string(ocpp_port_)},
          {"EMS_OCPP_CONTROL_LISTEN", "127.0.0.1:" + std::to_string(ocpp_control_port_)},
          {"EMS_OCPP_CONTROL_URL", "http://127.0.0.1:" + std::to_string(ocpp_control_port_)},
          {"EMS_OCPP_CONTROL_SECRET", "ocpp-control-secret-for-tests"},
          {"EMS_METRICS_LISTEN", metrics_ports_.contains(service)
                                     ? "127.0.0.1:" + std::to_string(metrics_ports_.at(service))
                                     : ""},
          {"EMS_JWT_SECRET", "test-secret-that-is-at-least-32-bytes-long"},
          {"EMS_ADMIN_USER", kAdminUser},
          {"EMS_ADMIN_PASSWORD", kAdminPassword},
          // Nothing suppressed, Paho included: every service publishes through mqtt::Outbox.
          {"ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1"},
          {"UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1"}};
}

std::string Stack::BinPath(const std::string& name) const {
  return std::string(EMS_BIN_DIR) + "/" + name;
}

std::string Stack::SourcePath(const std::string& relative) const {
  return std::string(EMS_SOURCE_DIR) + "/" + relative;
}

long Stack::ServingResidentKiB() const {
  return TreeResidentKiB(api_->pid()) + TreeResidentKiB(edge_->pid());
}

namespace {

std::unique_ptr<Process> StartService(const Stack& s, const std::string& service,
                                      std::map<std::string, std::string> extra) {
  auto env = s.ServiceEnv(service);
  for (auto& [k, v] : extra) env[k] = v;
  return std::make_unique<Process>(std::vector<std::string>{s.BinPath("ems-" + service)}, env,
                                   s.dir(), s.dir() + "/" + service + ".log");
}

}  // namespace

void Stack::StartListener(std::map<std::string, std::string> extra_env) {
  listener_ = StartService(*this, "listener", std::move(extra_env));
  // The listener is ready once it announced itself on the status topic; give it that moment.
  if (!WaitFor([&] { return listener_->Log().find("listening on") != std::string::npos; })) {
    throw std::runtime_error("ems-listener did not connect: " + listener_->Log());
  }
}

void Stack::StartOcpp(std::map<std::string, std::string> extra_env) {
  // The log is appended to across restarts: wait for one more connection than it shows now.
  static const std::string kConnected = "connected to the broker";
  const auto connections = [&] {
    const auto log = ocpp_ ? ocpp_->Log() : std::string();
    std::size_t n = 0;
    for (auto at = log.find(kConnected); at != std::string::npos;
         at = log.find(kConnected, at + 1)) {
      ++n;
    }
    return n;
  };
  const auto before = connections();
  ocpp_ = StartService(*this, "ocpp", std::move(extra_env));
  if (!WaitFor([&] { return connections() > before; })) {
    throw std::runtime_error("ems-ocpp did not connect: " + ocpp_->Log());
  }
}

void Stack::StartApi(std::map<std::string, std::string> extra_env) {
  api_ = StartService(*this, "api", std::move(extra_env));
  if (!WaitFor([&] { return PortOpen(api_port_); })) {
    throw std::runtime_error("ems-api did not start: " + api_->Log());
  }
  if (!edge_ || !edge_->Running()) StartEdge();
}

void Stack::StartEdge(std::map<std::string, std::string> extra_env) {
  std::string settings = "EMS_EDGE_LISTEN=127.0.0.1:" + std::to_string(edge_port_) +
                         " EMS_API_LISTEN=127.0.0.1:" + std::to_string(api_port_) +
                         " EMS_GRAPHQL_LISTEN=127.0.0.1:" + std::to_string(graphql_port_) +
                         " EMS_OCPP_LISTEN=127.0.0.1:" + std::to_string(ocpp_port_);
  for (const auto& [k, v] : extra_env) settings += " " + k + "=" + v;
  const auto conf = Sh(settings + " " + SourcePath("edge/prepare-edge.sh") + " " + dir() + "/edge");
  edge_ = std::make_unique<Process>(
      std::vector<std::string>{Sh("command -v nginx"), "-e", "stderr", "-c", conf},
      std::map<std::string, std::string>{}, dir(), dir() + "/edge.log");
  if (!WaitFor([&] { return PortOpen(edge_port_); })) {
    throw std::runtime_error("the edge (nginx) did not start: " + edge_->Log());
  }
}

void Stack::StartPublisher(std::map<std::string, std::string> extra_env) {
  publisher_ = StartService(*this, "publisher", std::move(extra_env));
}

void Stack::StartGraphql(std::map<std::string, std::string> extra_env) {
  if (!std::filesystem::exists(SourcePath("graphql/node_modules/graphql-http"))) {
    throw std::runtime_error("graphql/node_modules is missing: run scripts/graphql-deps.sh");
  }
  std::map<std::string, std::string> env = {
      {"PATH", "/usr/bin:/bin"},
      {"EMS_API_URL", "http://127.0.0.1:" + std::to_string(api_port_)},
      {"EMS_GRAPHQL_LISTEN", "127.0.0.1:" + std::to_string(graphql_port_)},
      {"EMS_LOG_LEVEL", "debug"}};
  for (auto& [k, v] : extra_env) env[k] = v;
  graphql_ = std::make_unique<Process>(
      std::vector<std::string>{Sh("command -v node"), SourcePath("graphql/server.js")}, env, dir(),
      dir() + "/graphql.log");
  if (!WaitFor([&] { return PortOpen(graphql_port_); })) {
    throw std::runtime_error("ems-graphql did not start: " + graphql_->Log());
  }
}

::mqtt::async_client& Stack::DeviceClient() {
  if (!device_client_ || !device_client_->is_connected()) {
    // Paho counts in-flight publishes against the buffer too: room for PublishAll's window.
    device_client_ = std::make_unique<::mqtt::async_client>(
        "tcp://127.0.0.1:" + std::to_string(broker_port_), "test-device",
        ::mqtt::create_options_builder().max_buffered_messages(2000).finalize(), nullptr);
    auto opts = ::mqtt::connect_options_builder()
                    .clean_session(true)
                    .max_inflight(1000)
                    .user_name("ems-publisher")
                    .password(passwords_.at("ems-publisher"))
                    .finalize();
    device_client_->connect(opts)->wait();
  }
  return *device_client_;
}

void Stack::Publish(const std::string& topic, const std::string& payload, bool retained) {
  DeviceClient().publish(topic, payload.data(), payload.size(), 1, retained)->wait();
}

void Stack::PublishAll(const std::vector<std::pair<std::string, std::string>>& messages) {
  auto& client = DeviceClient();
  std::deque<::mqtt::delivery_token_ptr> window;
  for (const auto& [topic, payload] : messages) {
    window.push_back(client.publish(topic, payload.data(), payload.size(), 1, false));
    if (window.size() >= 500) {
      window.front()->wait();
      window.pop_front();
    }
  }
  for (auto& token : window) token->wait();
}

std::shared_ptr<::mqtt::async_client> Stack::Subscribe(
    const std::string& user, const std::string& filter,
    std::vector<std::pair<std::string, std::string>>* out, std::mutex* mu, bool persistent) {
  auto client =
      std::make_shared<::mqtt::async_client>("tcp://127.0.0.1:" + std::to_string(broker_port_),
                                             "test-sub-" + std::to_string(FreePort()), nullptr);
  client->set_message_callback([out, mu](::mqtt::const_message_ptr m) {
    std::lock_guard lock(*mu);
    out->emplace_back(m->get_topic(), m->to_string());
  });
  auto opts = ::mqtt::connect_options_builder()
                  .clean_session(!persistent)
                  .automatic_reconnect(persistent)
                  .user_name(user)
                  .password(passwords_.at(user))
                  .finalize();
  client->connect(opts)->wait();
  client->subscribe(filter, 1)->wait();
  return client;
}

HttpAnswer Stack::Request(const std::string& method, const std::string& path,
                          const std::string& body, const std::string& token,
                          const std::string& content_type) {
  httplib::Client cli("127.0.0.1", edge_port_);
  cli.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  auto r = method == "GET"    ? cli.Get(path, headers)
           : method == "POST" ? cli.Post(path, headers, body, content_type)
           : method == "PUT"  ? cli.Put(path, headers, body, content_type)
                              : cli.Delete(path, headers, body, content_type);
  if (!r) throw std::runtime_error("HTTP " + method + " " + path + " failed");
  HttpAnswer a{r->status, Json::parse(r->body, nullptr, false), r->body,
               r->get_header_value("Content-Type")};
  return a;
}

HttpAnswer Stack::Get(const std::string& path, const std::string& token) {
  return Request("GET", path, "", token.empty() ? AdminToken() : token);
}

HttpAnswer Stack::Post(const std::string& path, const Json& body, const std::string& token) {
  return Request("POST", path, body.dump(), token.empty() ? AdminToken() : token);
}

std::vector<Json> Stack::GetAllItems(const std::string& path) {
  const auto limit_pos = path.find("limit=");
  const std::size_t limit =
      limit_pos == std::string::npos ? 1000 : std::stoul(path.substr(limit_pos + 6));
  const char sep = path.find('?') == std::string::npos ? '?' : '&';
  std::vector<Json> items;
  std::string page_path = path;
  while (true) {
    const auto a = Get(page_path);
    EXPECT_EQ(a.status, 200) << page_path << ": " << a.raw;
    if (a.status != 200) break;
    EXPECT_LE(a.body["items"].size(), limit) << page_path;
    for (const auto& item : a.body["items"]) items.push_back(item);
    if (a.body["next_cursor"].is_null()) break;
    page_path = path + sep + "cursor=" + a.body["next_cursor"].get<std::string>();
  }
  return items;
}

std::string Stack::Login(const std::string& user, const std::string& password) {
  const auto a = Request("POST", "/api/v1/auth/login",
                         Json{{"username", user}, {"password", password}}.dump(), "");
  if (a.status != 200) throw std::runtime_error("login failed: " + a.raw);
  return a.body["token"].get<std::string>();
}

bool Stack::AddUser(const std::string& user, const std::string& password, const std::string& role,
                    std::vector<std::string> site_ids) {
  auto store = store::OpenStore(database());
  auto tx = store->Begin(store::TxMode::kWrite);
  const bool created = store->Users().Create(
      store::User{user, auth::HashPassword(password), *ParseRole(role), std::move(site_ids), {}},
      Now());
  tx.Commit();
  return created;
}

std::string Stack::AdminToken() {
  if (admin_token_.empty()) admin_token_ = Login(kAdminUser, kAdminPassword);
  return admin_token_;
}

std::string PrintedPassword(const std::string& output) {
  static const std::string kMark = "Password (shown only now): ";
  const auto at = output.find(kMark);
  if (at == std::string::npos) return "";
  const auto start = at + kMark.size();
  return output.substr(start, output.find('\n', start) - start);
}

CommandResult Stack::EmsApiCommand(const std::string& args, const std::string& input) {
  auto env = ServiceEnv("api");
  env["EMS_BROKER_STATE_DIR"] = dir() + "/broker";
  env["EMS_INPUT"] = input;
  Process p(
      {"/bin/sh", "-c", "printf '%s' \"$EMS_INPUT\" | exec " + BinPath("ems-api") + " " + args},
      env, dir(), dir() + "/command-" + std::to_string(++commands_run_) + ".log");
  CommandResult r;
  r.code = p.Wait();
  r.output = p.Log();
  return r;
}

bool Stack::WaitForReceived(long n, std::chrono::milliseconds timeout) {
  return WaitFor(
      [&] {
        const auto a = Get("/api/v1/ingest/stats");
        return a.status == 200 && a.body["received"].get<long>() >= n;
      },
      timeout);
}

}  // namespace ems::testing
