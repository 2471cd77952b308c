// Integration harness: a real Mosquitto on free ports configured from broker-config/ (password
// file, ACL, TLS), the real ems-listener / ems-api / ems-publisher processes, the nginx edge in
// front of ems-api started from edge/ as run.sh starts it, ems-graphql (graphql/server.js on
// Node, behind the same edge at /graphql) when a test asks for it, a REST client (through the
// edge) and an MQTT client. Everything lives in a temporary folder removed afterwards; on a failed
// test the process logs are printed.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <mqtt/async_client.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ems/domain/time.h"
#include "support.h"

namespace ems::testing {

using Json = nlohmann::json;

int FreePort();

// A child process with its own environment (not the test's), output to `log_path`.
class Process {
 public:
  Process(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string cwd,
          std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool Running();
  // Sends `signal` and waits up to `timeout`; returns the exit code (128+n if killed by n).
  int Stop(int signal = 15, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Waits for the process to exit by itself.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

// Polls `check` every 50 ms until it is true or `timeout` passes; returns the last result.
bool WaitFor(const std::function<bool()>& check,
             std::chrono::milliseconds timeout = std::chrono::seconds(15));

// Resident memory of a process and all its descendants (nginx's master and workers), in KiB.
long TreeResidentKiB(pid_t root);
// Peak resident memory of one process (VmHWM) in KiB, -1 when it cannot be read.
long PeakResidentKiB(pid_t pid);
// CPU time (user + system) one process has used so far, in seconds.
double CpuSeconds(pid_t pid);

struct HttpAnswer {
  int status = 0;
  Json body;
  std::string raw;
  std::string content_type;  // the answer's Content-Type header
};

// A session payload of docs/contract.md §4.1 (completed ones end at 2026-11-21T09:10:00Z) and its
// topic.
std::string SessionJson(const std::string& id, const std::string& station,
                        const std::string& started, const std::string& status = "completed",
                        double energy = 18.42);
std::string SessionTopic(const std::string& site, const std::string& station);

// What a command printed (stdout and stderr) and its exit code.
struct CommandResult {
  int code = -1;
  std::string output;
};

// The password an `ems-api user|gateway` command printed once, or "".
std::string PrintedPassword(const std::string& output);

// A TCP connection to 127.0.0.1:port (a file descriptor), or -1.
int ConnectLoopback(int port);

// Sends `request` as it is on a fresh loopback connection and returns the answer: status,
// Content-Type and JSON body, raw = everything read (up to the end of the first JSON body, or
// 5 s).
HttpAnswer RawHttp(int port, const std::string& request);

class Stack {
 public:
  static constexpr const char* kAdminUser = "admin";
  static constexpr const char* kAdminPassword = "stack-secret-for-tests";
  static constexpr const char* kPrefix = "ems/v1";

  Stack();
  ~Stack();

  void StartBroker();
  void StopBroker(int signal = 15);
  void StartListener(std::map<std::string, std::string> extra_env = {});
  // Starts ems-api on loopback and, unless it runs already, the edge in front of it.
  void StartApi(std::map<std::string, std::string> extra_env = {});
  // Starts the edge as run.sh does (edge/prepare-edge.sh, then nginx), with these EMS_EDGE_*
  // settings on top of its address and ems-api's.
  void StartEdge(std::map<std::string, std::string> extra_env = {});
  void StartPublisher(std::map<std::string, std::string> extra_env = {});
  // Starts ems-graphql (node graphql/server.js) resolving through ems-api, on graphql_port(),
  // where the edge sends /graphql.
  void StartGraphql(std::map<std::string, std::string> extra_env = {});
  // Starts ems-ocpp: chargers on 127.0.0.1:ocpp_port(), its control endpoint (which ems-api
  // reaches through the EMS_OCPP_CONTROL_* settings every service gets) on ocpp_control_port().
  void StartOcpp(std::map<std::string, std::string> extra_env = {});
  Process& ocpp() { return *ocpp_; }
  int ocpp_port() const { return ocpp_port_; }
  int ocpp_control_port() const { return ocpp_control_port_; }
  Process& broker() { return *broker_; }
  Process& listener() { return *listener_; }
  Process& api() { return *api_; }
  Process& edge() { return *edge_; }
  Process& publisher() { return *publisher_; }
  Process& graphql() { return *graphql_; }
  void StopListener(int signal = 15) { listener_->Stop(signal); }

  // Environment every ems process gets (broker URL, credentials of `service`, db path, …).
  std::map<std::string, std::string> ServiceEnv(const std::string& service) const;
  std::string BinPath(const std::string& name) const;
  std::string SourcePath(const std::string& relative) const;

  int broker_port() const { return broker_port_; }
  int tls_port() const { return tls_port_; }
  // The edge: the address users reach. ems-api itself listens on loopback at api_port().
  int edge_port() const { return edge_port_; }
  int api_port() const { return api_port_; }
  int graphql_port() const { return graphql_port_; }
  // Resident memory of everything that serves HTTP: ems-api and the edge's processes, in KiB.
  long ServingResidentKiB() const;
  std::string ca_file() const { return dir() + "/broker/certs/ca.crt"; }
  std::string db_path() const { return dir() + "/data/ems.db"; }
  // What the stack's processes open: db_path(), or with EMS_TEST_BACKEND=postgres a database of
  // its own on EMS_TEST_PG_URL (EMS_DB_URL).
  std::string database() const { return pg_ ? pg_->url() : db_path(); }
  const std::string& dir() const { return dir_path_; }
  std::string password(const std::string& user) const { return passwords_.at(user); }
  // A broker user made during the test (`ems-api ha-user add`), for Subscribe.
  void AddPassword(const std::string& user, const std::string& password) {
    passwords_[user] = password;
  }
  // The loopback port of a service's /metrics (EMS_METRICS_LISTEN): "listener", "api",
  // "publisher".
  int metrics_port(const std::string& service) const { return metrics_ports_.at(service); }

  // MQTT as a device would publish (user ems-publisher), QoS 1, waiting for the PUBACK.
  void Publish(const std::string& topic, const std::string& payload, bool retained = false);
  // As Publish, for many messages in order, keeping up to 500 in flight; returns once the broker
  // acknowledged every one (a quick way to load a stack with data).
  void PublishAll(const std::vector<std::pair<std::string, std::string>>& messages);
  // Subscribes as `user` and collects messages of `filter` (retained ones included).
  // `persistent`: a persistent session that reconnects by itself and so misses nothing across
  // a broker restart.
  std::shared_ptr<::mqtt::async_client> Subscribe(
      const std::string& user, const std::string& filter,
      std::vector<std::pair<std::string, std::string>>* out, std::mutex* mu,
      bool persistent = false);

  // REST through the edge with the admin's token (logs in once).
  HttpAnswer Get(const std::string& path, const std::string& token = "");
  HttpAnswer Post(const std::string& path, const Json& body, const std::string& token = "");
  HttpAnswer Request(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& token,
                     const std::string& content_type = "application/json");
  // Every item of a list route, following next_cursor page by page (admin token). Each page
  // must answer 200 and hold at most the `limit` in `path`, if any.
  std::vector<Json> GetAllItems(const std::string& path);
  std::string AdminToken();
  std::string Login(const std::string& user, const std::string& password);
  // A user straight into the stack's database, bypassing the account rules (any password, sites
  // that do not exist yet); false when the name is taken. `role` is a role's name.
  bool AddUser(const std::string& user, const std::string& password, const std::string& role,
               std::vector<std::string> site_ids);

  // `ems-api ARGS` as an operator runs it on this stack (its database, its broker's state
  // folder), with `input` on standard input.
  CommandResult EmsApiCommand(const std::string& args, const std::string& input = "");

  // Waits until GET /api/v1/ingest/stats shows at least `n` received messages, all applied.
  bool WaitForReceived(long n, std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  TempDir dir_;
  std::string dir_path_ = dir_.path().string();
  std::unique_ptr<TempPgDatabase> pg_ =
      TestOnPostgres() ? std::make_unique<TempPgDatabase>() : nullptr;
  int broker_port_, tls_port_, api_port_, edge_port_, graphql_port_, ocpp_port_, ocpp_control_port_;
  std::map<std::string, int> metrics_ports_;
  std::map<std::string, std::string> passwords_;
  std::unique_ptr<Process> broker_, listener_, api_, publisher_, edge_, graphql_, ocpp_;
  ::mqtt::async_client& DeviceClient();

  std::unique_ptr<::mqtt::async_client> device_client_;
  std::string admin_token_;
  int commands_run_ = 0;
};

// A test with a running broker, listener and API (the edge in front of the API).
class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.StartBroker();
    stack_.StartListener();
    stack_.StartApi();
  }
  Stack stack_;
};

}  // namespace ems::testing
