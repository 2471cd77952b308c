// Contract events from {p}/contracts/events (docs/contract.md §4.1, §6.7): the same operation as
// the API's POST /api/v1/contracts/events, applied inside the writer's open transaction.
//
// Outcomes: an accepted event is kStored; a redelivered identical event (same contract, type,
// date and created_at; docs/contract.md §4.4) is kDuplicate whatever its status. A rule-rejected
// event (unknown type, component not in the contract, date order) is stored in the contract's event
// log with its reason, so it is listed like one posted over REST, and is also answered as
// kContractRule so ingest counts and dead-letters it. An unknown contract stores nothing:
// kUnknownContract. Undecodable bodies: kInvalidJson / kInvalidContractEvent. A missing created_at
// is the inbox arrival time, which a replay of the inbox keeps, so replays stay idempotent.
#pragma once

#include "ems/mqtt/topics.h"
#include "ems/store/store.h"
#include "listener/handlers/handler.h"

namespace ems::listener {

class ContractHandler {
 public:
  explicit ContractHandler(store::Store& store) : store_(store) {}
  Result<Outcome> Handle(const mqtt::ContractEventMsg& topic, const InboxRecord& r,
                         BatchEffects& e);

 private:
  store::Store& store_;
};

}  // namespace ems::listener
