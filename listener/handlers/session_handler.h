// Charging sessions from {p}/sites/{site}/devices/{station}/sessions (docs/contract.md §4.1) and
// from the existing stations' charger/... tree (§4.2). The site is created if new (name = id, zone
// UTC).
#pragma once

#include <string>
#include <unordered_set>

#include "ems/mqtt/topics.h"
#include "ems/store/store.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

// Enlisted in `store`'s write transactions for its life (store::ScopedTransactionState).
class SessionHandler : public store::ScopedTransactionState {
 public:
  SessionHandler(store::Store& store, const IngestOptions& options)
      : ScopedTransactionState(store), store_(store), options_(options) {}
  Result<Outcome> Handle(const mqtt::SessionMsg& topic, const InboxRecord& r, BatchEffects& e);
  Result<Outcome> Handle(const mqtt::LegacySessionMsg& topic, const InboxRecord& r,
                         BatchEffects& e);
  // A write transaction begins, or rolled back: the sites made sure of are forgotten.
  void Begin() override { Discard(); }
  void Flush() override {}
  void Discard() noexcept override { sites_.clear(); }

 private:
  Result<Outcome> Store(const Result<ChargingSession>& s, const InboxRecord& r, BatchEffects& e);

  store::Store& store_;
  const IngestOptions& options_;
  // Sites that exist in the open write transaction: nothing in it deletes a site and no other
  // connection writes while it is open, so each is made sure of once per transaction.
  std::unordered_set<std::string> sites_;
};

}  // namespace ems::listener
