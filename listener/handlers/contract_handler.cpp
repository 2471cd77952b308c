#include "listener/handlers/contract_handler.h"

#include "ems/codec/contract_codec.h"

namespace ems::listener {

Result<Outcome> ContractHandler::Handle(const mqtt::ContractEventMsg&, const InboxRecord& r,
                                        BatchEffects&) {
  const auto event = codec::DecodeContractEvent(r.payload, r.arrival);
  if (!event) return Unexpected(event.error());
  const auto appended = store_.Contracts().AppendEvent(*event, r.arrival);
  if (!appended) {
    // Nothing stored. A contract the store does not know is the listener's unknown_contract.
    auto reject = appended.error();
    if (reject.code == ErrorCode::kNotFound) reject.code = ErrorCode::kUnknownContract;
    return Unexpected(std::move(reject));
  }
  if (appended->duplicate) return Outcome::kDuplicate;
  if (appended->outcome.status == EventStatus::kRejected) {
    // Stored as rejected (listed with its reason); the ingestor keeps the transaction and
    // dead-letters the message.
    return Rejected(ErrorCode::kContractRule, appended->outcome.message);
  }
  return Outcome::kStored;
}

}  // namespace ems::listener
