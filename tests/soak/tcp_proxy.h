// A TCP proxy of the soak (tests/soak/soak_test.cpp) between two services on loopback, to cut and
// blackhole their connection without root: Cut() closes every connection it carries and refuses
// new ones until Restore(); Blackhole() keeps the connections but moves no byte either way (and
// accepts new connections without forwarding them) until Restore(), as a dropped route does.
#pragma once

#include <atomic>
#include <thread>

namespace ems::testing {

class TcpProxy {
 public:
  // Listens on a free loopback port and forwards to 127.0.0.1:target_port.
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  void Cut();
  void Blackhole();
  void Restore();

 private:
  enum class Mode { kPass, kCut, kBlackhole };
  void AcceptLoop();
  void Pump(int client, int generation);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<Mode> mode_{Mode::kPass};
  std::atomic<int> generation_{0};  // a Cut() ends the connections of earlier generations
  std::atomic<bool> stop_{false};
  std::atomic<int> pumps_{0};  // connections being carried, one detached thread each
  std::thread acceptor_;
};

}  // namespace ems::testing
