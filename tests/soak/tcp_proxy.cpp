#include "tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <stdexcept>

namespace ems::testing {
namespace {

int ConnectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool WriteAll(int fd, const char* data, ssize_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, static_cast<size_t>(n), MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= w;
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("the proxy cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  acceptor_.join();
  while (pumps_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::close(listen_fd_);
}

void TcpProxy::Cut() {
  mode_ = Mode::kCut;
  ++generation_;
}
void TcpProxy::Blackhole() { mode_ = Mode::kBlackhole; }
void TcpProxy::Restore() { mode_ = Mode::kPass; }

void TcpProxy::AcceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (mode_ == Mode::kCut) {
      ::close(client);  // refused: the connection ends at once
      continue;
    }
    ++pumps_;
    std::thread([this, client, g = generation_.load()] {
      Pump(client, g);
      --pumps_;
    }).detach();
  }
}

void TcpProxy::Pump(int client, int generation) {
  // A connection accepted during a blackhole is forwarded once the route is back.
  while (mode_ == Mode::kBlackhole && !stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int server = generation == generation_ && !stop_ ? ConnectTo(target_port_) : -1;
  std::array<char, 65536> buffer{};
  while (server >= 0 && !stop_ && generation == generation_) {
    if (mode_ == Mode::kBlackhole) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    std::array<pollfd, 2> fds{pollfd{client, POLLIN, 0}, pollfd{server, POLLIN, 0}};
    if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
    bool open = true;
    for (int i = 0; i < 2 && open; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::recv(fds[i].fd, buffer.data(), buffer.size(), 0);
      open = n > 0 && WriteAll(i == 0 ? server : client, buffer.data(), n);
    }
    if (!open) break;
  }
  if (server >= 0) ::close(server);
  ::close(client);
}

}  // namespace ems::testing
