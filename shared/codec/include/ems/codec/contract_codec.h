// JSON <-> contract values (docs/contract.md §6.7): the contract event body (REST `POST
// /api/v1/contracts/ events`, `POST /event` and MQTT `{p}/contracts/events` share it), the contract
// create body, and the encoders of contracts, timelines and event list items.
//
// Pure: the arrival time is a parameter. Decoding only checks shape and types; the rules of
// §6.7 (unknown event type, component not in the contract, date order) are applied by
// ApplyContractEvent / ReplayContract, so an event with an unknown `type` decodes fine and is
// then stored and answered as rejected. Reject reasons: kInvalidJson (not a JSON object),
// kInvalidContractEvent (event body), kInvalidContract (contract body).
//
// `contract_number` may arrive as a JSON string or integer (existing clients send 1001); it is
// normalized to the string id "1001" and always encoded as a string.
#pragma once

#include <string_view>

#include "ems/codec/json_fields.h"
#include "ems/domain/contract.h"
#include "ems/domain/result.h"
#include "ems/domain/time.h"

namespace ems::codec {

// Longest accepted event `type`; longer ones are malformed rather than "unknown".
inline constexpr std::size_t kMaxContractEventTypeLength = 64;
// Largest contract or contract event accepted (each is well under 1 KiB).
inline constexpr std::size_t kMaxContractBytes = 16 << 10;

// `{"type", "contract_number", "date": "YYYY-MM-DD", "created_at"?}`. A missing or null
// `created_at` becomes `arrival`. The returned event has seq = kUnassignedSeq (storage assigns
// it). Unknown fields are ignored.
Result<ContractEvent> DecodeContractEvent(std::string_view body, Timestamp arrival);

// `{"contract_number", "components": ["energy_supply", ...], "created_at"?, "site_id"?}`:
// components must be a non-empty array of known component names without duplicates. A missing
// `created_at` becomes `now`; a missing `site_id` makes a contract of no site. The contract is
// validated (ValidateContract) and its components in canonical order.
Result<Contract> DecodeContract(std::string_view body, Timestamp now);

// `{"contract_number": "1001", "components": ["energy_supply", ...], "created_at": "...",
// "site_id": "home-1" | null}`.
Json EncodeContract(const Contract& contract);

// `{"contract_number": "1001", "components": {"energy_supply": {"start": "2024-12-01",
// "end": null}, ...}}` with one entry per component of the contract.
Json EncodeTimeline(const ContractTimeline& timeline);

// `{"type", "contract_number", "date", "created_at", "status": "accepted"|"rejected",
// "reason": "<one sentence>"}` — one item of GET /api/v1/contracts/{n}/events.
Json EncodeContractEventRecord(const ContractEventRecord& record);

// `{"status": "accepted"|"rejected", "message": "..."}` — the answer to an event POST.
Json EncodeEventOutcome(const EventOutcome& outcome);

}  // namespace ems::codec
