// Derived state the listener publishes back to MQTT, retained (docs/contract.md §4.3): energy
// summaries per site and EV charging schedules. Each publisher recomputes from stored data after a
// batch is committed — never before, so what is published is always what the API would answer.
//
// All calls happen on the writer thread, with the writer's Store; publishers are not thread-safe
// and need not be.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ems/domain/time.h"
#include "ems/store/store.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

// Publishes `payload` retained at QoS 1 on `topic`; never blocks (Paho buffers when offline).
using PublishFn = std::function<void(const std::string& topic, const std::string& payload)>;

class DerivedPublisher {
 public:
  virtual ~DerivedPublisher() = default;
  // After each committed batch, with what it changed.
  virtual void AfterCommit(const BatchEffects& effects, Timestamp now) = 0;
  // At least every kTickPeriod, for publications that are throttled (summary: ≤ 1/s per site).
  virtual void Tick(Timestamp now) { (void)now; }
  // Everything this publisher keeps retained is published again (Home Assistant came online).
  virtual void Republish(Timestamp now) { (void)now; }
};

inline constexpr std::chrono::milliseconds kTickPeriod{200};
// A publisher's Tick stops once it has worked this long; what is left stays due for the next
// Tick. The writer ticks at most once a kTickPeriod, so derived state takes at most about
// kTickBudget / kTickPeriod of the writer's time per publisher: with many sites (docs/SCALING.md)
// it lags behind instead of stopping ingestion.
inline constexpr std::chrono::milliseconds kTickBudget{20};

// Calls `visit` on the items of `due` round-robin from `cursor` (where the last call stopped, so
// none starves) until each was visited once or kTickBudget has passed; an item for which `visit`
// returns true leaves `due`. `visit` must not change `due` itself.
template <typename Visit>
void VisitWithinBudget(std::set<std::string>& due, std::string& cursor, Visit visit) {
  const auto started = std::chrono::steady_clock::now();
  auto it = due.lower_bound(cursor);
  for (std::size_t left = due.size(); left > 0; --left) {
    if (it == due.end()) it = due.begin();
    if (std::chrono::steady_clock::now() - started > kTickBudget) break;
    const auto next = std::next(it);
    if (visit(*it)) due.erase(it);
    it = next;
  }
  cursor = it == due.end() ? std::string() : *it;
}

// Several listeners (EMS_LISTENER_SHARED, docs/contract.md §9) store one site's messages, and each
// publishes the site's derived state after its own commits, so a value computed by one listener
// before another's commit can reach the broker after that other listener's newer one. With
// `shared`, a publisher that refreshed a site publishes it once more, unconditionally, when the
// site has had no refresh of its own for kSettle: the last of these settling publications is
// computed after the last commit anywhere (each listener refreshes after its commits), so the
// retained value ends as the stored data's unless a publication waits more than kSettle in a
// listener. While a site's messages keep coming, nothing extra is published.
inline constexpr std::chrono::seconds kSettle{2};

// Every derived publisher of the listener, bound to the writer's Store.
std::vector<std::unique_ptr<DerivedPublisher>> MakeDerivedPublishers(store::Store& store,
                                                                     const IngestOptions& options,
                                                                     PublishFn publish);

}  // namespace ems::listener
