// The one way a service publishes QoS-1 messages (docs/contract.md §4.4): a queue in front of
// Paho and a thread that hands Paho at most `window` messages the broker has not acknowledged yet.
//
// Why (docs/architecture.md, Libraries): when writing a QoS-1 message into a connection the broker
// has just closed fails, Debian's Paho C 1.3.12 frees the message's topic and payload but keeps it
// in flight; after the reconnect it resends the freed memory and at exit frees it again. A write
// fails only from the second write into the dead connection on, so with one message
// unacknowledged at a time (window 1, the default) the one written is resent intact. A window
// above 1 is only for a bulk load that runs across no outage (the publisher's backfill).
//
// Delivery is at least once: a message Paho gives up on is published again. `done(true)` runs on
// the outbox's thread once the broker acknowledged the message; `done(false)` when it was dropped:
// the queue was full, or the outbox closed before the acknowledgement.
#pragma once

#include <mqtt/async_client.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace ems::mqtt {

class Outbox {
 public:
  using Done = std::function<void(bool acknowledged)>;
  // A handle that publishes through the outbox while it lives and refuses (false) afterwards:
  // for Paho's callbacks, which may run after the outbox is gone.
  using Poster = std::function<bool(std::string topic, std::string payload, bool retained)>;

  // `client` must outlive the outbox. `max_queued`: messages waiting, past which Publish refuses.
  Outbox(::mqtt::async_client& client, std::size_t max_queued, std::size_t window = 1);
  ~Outbox();  // closes: what is still queued or unacknowledged gets done(false)
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Never blocks. False (and done(false)) when the queue is full or the outbox closed.
  bool Publish(std::string topic, std::string payload, bool retained, Done done = {});
  Poster MakePoster() const;

  // Blocks until at most `n` messages are queued or unacknowledged; false when `timeout` passed.
  bool WaitUntilAtMost(std::size_t n, std::chrono::milliseconds timeout) const;
  // Blocks until Paho holds every message published so far (and so its persistence, if any);
  // false when `timeout` passed.
  bool WaitUntilHandedOver(std::chrono::milliseconds timeout) const;
  // Messages queued or unacknowledged now.
  std::size_t pending() const;

 private:
  struct State;
  static void Run(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace ems::mqtt
