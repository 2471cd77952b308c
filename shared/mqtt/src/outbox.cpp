#include "ems/mqtt/outbox.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "ems/util/log.h"

namespace ems::mqtt {

struct Outbox::State {
  struct Item {
    ::mqtt::const_message_ptr message;
    Done done;
  };

  State(::mqtt::async_client& c, std::size_t queued, std::size_t w)
      : client(c), max_queued(queued), window(w == 0 ? 1 : w) {}

  bool Publish(std::string topic, std::string payload, bool retained, Done done) {
    {
      std::lock_guard lock(mu);
      if (!closed && queue.size() < max_queued) {
        queue.push_back({::mqtt::make_message(std::move(topic), std::move(payload), 1, retained),
                         std::move(done)});
        changed.notify_all();
        return true;
      }
    }
    log::WarnThrottled("outbox", "cannot queue a message for the broker: " +
                                     std::string(closed ? "closing" : "the queue is full"));
    if (done) done(false);
    return false;
  }

  ::mqtt::async_client& client;
  const std::size_t max_queued;
  const std::size_t window;
  mutable std::mutex mu;
  // Notified when a message is queued, one is acknowledged, or the outbox closes.
  mutable std::condition_variable changed;
  std::deque<Item> queue;
  std::size_t unacknowledged = 0;  // taken off the queue, not acknowledged yet
  std::size_t handing_over = 0;    // taken off the queue, not in Paho yet
  bool closed = false;
};

Outbox::Outbox(::mqtt::async_client& client, std::size_t max_queued, std::size_t window)
    : state_(std::make_shared<State>(client, max_queued, window)) {
  thread_ = std::thread([state = state_] { Run(state); });
}

Outbox::~Outbox() {
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
  }
  state_->changed.notify_all();
  thread_.join();
}

bool Outbox::Publish(std::string topic, std::string payload, bool retained, Done done) {
  return state_->Publish(std::move(topic), std::move(payload), retained, std::move(done));
}

Outbox::Poster Outbox::MakePoster() const {
  return [state = state_](std::string topic, std::string payload, bool retained) {
    return state->Publish(std::move(topic), std::move(payload), retained, {});
  };
}

bool Outbox::WaitUntilAtMost(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mu);
  return state_->changed.wait_for(
      lock, timeout, [&] { return state_->queue.size() + state_->unacknowledged <= n; });
}

bool Outbox::WaitUntilHandedOver(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mu);
  return state_->changed.wait_for(
      lock, timeout, [&] { return state_->queue.empty() && state_->handing_over == 0; });
}

std::size_t Outbox::pending() const {
  std::lock_guard lock(state_->mu);
  return state_->queue.size() + state_->unacknowledged;
}

void Outbox::Run(const std::shared_ptr<State>& s) {
  struct InFlight {
    State::Item item;
    ::mqtt::delivery_token_ptr token;
  };
  std::deque<InFlight> in_flight;  // in the order handed to Paho, which is the order acknowledged
  // Hands a message to Paho; false once the outbox closes while Paho refuses it (buffer full).
  auto submit = [&s](const ::mqtt::const_message_ptr& message) -> ::mqtt::delivery_token_ptr {
    while (true) {
      try {
        return s->client.publish(message);
      } catch (const ::mqtt::exception& e) {
        log::WarnThrottled("outbox-submit", std::string("Paho refused a message: ") + e.what());
      }
      std::unique_lock lock(s->mu);
      if (s->changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return s->closed; })) {
        return nullptr;
      }
    }
  };
  while (true) {
    std::vector<State::Item> to_send;
    {
      std::unique_lock lock(s->mu);
      if (in_flight.empty()) {
        s->changed.wait(lock, [&] { return s->closed || !s->queue.empty(); });
      }
      if (s->closed) break;
      while (!s->queue.empty() && in_flight.size() + to_send.size() < s->window) {
        to_send.push_back(std::move(s->queue.front()));
        s->queue.pop_front();
        ++s->unacknowledged;
      }
      s->handing_over = to_send.size();
    }
    for (auto& item : to_send) {
      auto token = submit(item.message);
      if (!token) {
        if (item.done) item.done(false);
        continue;  // closed: the loop ends at its next turn
      }
      in_flight.push_back({std::move(item), std::move(token)});
    }
    if (!to_send.empty()) {
      {
        std::lock_guard lock(s->mu);
        s->handing_over = 0;
      }
      s->changed.notify_all();
    }
    if (in_flight.empty()) continue;
    auto& oldest = in_flight.front();
    bool acknowledged = false;
    try {
      // Short while there is room for more, so queued messages are not held back.
      const bool room = in_flight.size() < s->window;
      acknowledged = oldest.token->wait_for(std::chrono::milliseconds(room ? 10 : 100));
    } catch (const ::mqtt::exception& e) {
      // Paho gave up on it (a lost session, a failed write): again, at least once.
      log::WarnThrottled("outbox-again", std::string("publishing a message again: ") + e.what());
      if (auto token = submit(oldest.item.message)) oldest.token = std::move(token);
      continue;
    }
    if (!acknowledged) continue;
    auto done = std::move(oldest.item.done);
    in_flight.pop_front();
    if (done) done(true);
    {
      std::lock_guard lock(s->mu);
      --s->unacknowledged;
    }
    s->changed.notify_all();
  }
  // Closed: what was not acknowledged is reported as such (Paho may still deliver it).
  std::deque<State::Item> left;
  {
    std::lock_guard lock(s->mu);
    left = std::exchange(s->queue, {});
    s->unacknowledged = 0;
  }
  for (auto& f : in_flight) {
    if (f.item.done) f.item.done(false);
  }
  for (auto& item : left) {
    if (item.done) item.done(false);
  }
  s->changed.notify_all();
}

}  // namespace ems::mqtt
