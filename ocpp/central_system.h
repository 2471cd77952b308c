// CentralSystem: the OCPP 1.6J central system of ems-ocpp (docs/contract.md §4.5, docs/ocpp.md),
// one Boost.Asio event loop on one thread: the WebSocket endpoint chargers connect to, the loopback
// control endpoint ems-api reaches for remote commands, and the EV schedules it turns into
// charging profiles.
//
// Threads: every member runs on the loop's thread. What the MQTT client reports on its own
// threads reaches this object only as handlers posted to the loop (PublishFn's `done` is posted
// here; the caller posts OnSchedule).
//
// Bounds: a handshake's headers 8 KiB and 10 s; a frame 64 KiB (1009 beyond); per connection
// 16 calls awaiting their broker acknowledgement, 1 MiB of queued output (then it is closed);
// at most `max_connections` connections (more are refused with 503 before the upgrade).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "ems/codec/json_fields.h"
#include "ems/domain/charging_schedule.h"
#include "ems/domain/session.h"
#include "ems/store/store.h"

namespace ems::ocpp {

struct CentralSystemOptions {
  std::string prefix = "ems/v1";
  std::string default_currency = "EUR";
  std::chrono::seconds heartbeat{300};
  std::size_t max_connections = 5000;
  std::string control_secret;  // the bearer token of the control endpoint; empty: it refuses all
  // Told, on the loop thread, of every call a charger makes (its action) and of the number of
  // chargers connected whenever it changes: what ems-ocpp's metrics count (docs/monitoring.md).
  std::function<void(const std::string& action)> on_call = [](const std::string&) {};
  std::function<void(std::size_t connected)> on_connected = [](std::size_t) {};
};

// Publishes one QoS-1 message; `done(true)` once the broker acknowledged it (PUBACK), `done(false)`
// when it cannot be delivered. `done` may run on any thread.
using PublishFn = std::function<void(const std::string& topic, const std::string& payload,
                                     bool retained, std::function<void(bool)> done)>;

class Connection;
class ControlRequest;

class CentralSystem {
 public:
  CentralSystem(boost::asio::io_context& io, std::unique_ptr<store::Store> store,
                CentralSystemOptions options, PublishFn publish);
  ~CentralSystem();

  // Starts accepting on `ocpp` (chargers) and `control` (ems-api). Throws when a bind fails.
  void Listen(const boost::asio::ip::tcp::endpoint& ocpp,
              const boost::asio::ip::tcp::endpoint& control);
  boost::asio::ip::tcp::endpoint ocpp_endpoint() const;
  // Closes the acceptors and every connection.
  void Shutdown();

  // A retained schedule of EV `ev` arrived (empty payload: cleared). Loop thread.
  void OnSchedule(const std::string& ev, const std::string& payload);

 private:
  friend class Connection;
  friend class ControlRequest;

  void Accept();
  void AcceptControl();
  // Handshake: station and password checked (on the hashing pool), then the upgrade.
  void Authenticate(std::shared_ptr<Connection> c, std::string station, std::string password);
  void Attach(const std::shared_ptr<Connection>& c);
  void Detach(Connection* c);
  // Records a charger as (dis)connected; a failing storage is logged, never thrown.
  void MarkConnected(const std::string& station, bool connected);

  void OnCall(const std::shared_ptr<Connection>& c, const std::string& id,
              const std::string& action, const codec::Json& payload);
  // Answers `id` once every message of `messages` was acknowledged by the broker.
  struct Message {
    std::string topic, payload;
    bool retained = false;
  };
  void PublishThenAnswer(const std::shared_ptr<Connection>& c, const std::string& id,
                         std::vector<Message> messages, codec::Json answer);
  void Publish(Message m);

  bool Accepts(Connection& c, const std::string& id_tag, std::optional<std::string>* vehicle);
  ChargingSession Session(const std::string& site, const store::OcppTransaction& tx,
                          double meter_wh, std::optional<Timestamp> ended_at);

  // Sends `ev`'s plan (or a clear) to its station, when connected.
  void SendProfile(const std::string& ev);
  void SendProfilesOf(const std::string& station);

  // Remote commands from the control endpoint: `answer(http_status, body)`.
  void RemoteCommand(const std::string& station, const std::string& command,
                     const codec::Json& body, std::function<void(int, const codec::Json&)> answer);

  void Tick();

  boost::asio::io_context& io_;
  std::unique_ptr<store::Store> store_;
  CentralSystemOptions options_;
  PublishFn publish_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::acceptor control_acceptor_;
  boost::asio::thread_pool hashing_{2};
  boost::asio::steady_timer tick_;
  // Connections of any state, for max_connections. Shared with each connection, which counts
  // itself out when destroyed, possibly after this object (handlers left in the loop).
  std::shared_ptr<std::size_t> open_ = std::make_shared<std::size_t>(0);
  std::map<std::string, std::shared_ptr<Connection>> connections_;  // by station, once upgraded
  std::map<std::string, ScheduleView> schedules_;                   // by EV, as last published
  std::map<std::string, std::set<std::string>> remote_tags_;        // by station: remote-start tags
  bool stopping_ = false;
};

}  // namespace ems::ocpp
