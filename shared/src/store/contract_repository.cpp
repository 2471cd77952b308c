#include "ems/store/contract_repository.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <utility>

namespace ems::store {
namespace {

Reject UnknownContract(const std::string& contract_number) {
  return Reject{"unknown_contract", "Contract " + contract_number + " not found."};
}

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxContractPageLimit); }

// Stored values are written only by this repository; anything unreadable is corruption.
Date ReadDate(const SQLite::Column& column) {
  const std::optional<Date> d = ParseDate(column.getString());
  if (!d) throw std::runtime_error("contract_events: unreadable date '" + column.getString() + "'");
  return *d;
}

std::optional<Date> ReadOptionalDate(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return ReadDate(column);
}

ContractComponent ReadComponent(const SQLite::Column& column) {
  const auto c = ParseContractComponent(column.getString());
  if (!c) throw std::runtime_error("contracts: unreadable component '" + column.getString() + "'");
  return *c;
}

EventOutcome ReadOutcome(const SQLite::Column& status, const SQLite::Column& reason) {
  const auto s = ParseEventStatus(status.getString());
  if (!s)
    throw std::runtime_error("contract_events: unreadable status '" + status.getString() + "'");
  return EventOutcome{*s, reason.getString()};
}

void BindOptionalDate(SQLite::Statement& q, int index, const std::optional<Date>& d) {
  if (d) {
    q.bind(index, FormatDate(*d));
  } else {
    q.bind(index);
  }
}

void Reset(SQLite::Statement& q) {
  q.reset();
  q.clearBindings();
}

// Columns of an event row, shared by every query that reads events.
constexpr const char* kEventColumns =
    "seq, contract_number, type, event_date, created_at, status, reason";

ContractEventRecord ReadEventRecord(SQLite::Statement& q) {
  return ContractEventRecord{
      .event = ContractEvent{.contract_number = q.getColumn(1).getString(),
                             .type = q.getColumn(2).getString(),
                             .date = ReadDate(q.getColumn(3)),
                             .created_at = FromMillis(q.getColumn(4).getInt64()),
                             .seq = q.getColumn(0).getInt64()},
      .outcome = ReadOutcome(q.getColumn(5), q.getColumn(6))};
}

std::string Sql(std::string_view head, std::string_view tail) {
  return std::string(head) + kEventColumns + std::string(tail);
}

}  // namespace

std::string FormatContractEventCursor(const ContractEventCursor& cursor) {
  return std::to_string(ToMillis(cursor.created_at)) + "." + std::to_string(cursor.seq);
}

std::optional<ContractEventCursor> ParseContractEventCursor(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::int64_t ms = 0;
  std::int64_t seq = 0;
  const std::string_view ms_text = text.substr(0, dot);
  const std::string_view seq_text = text.substr(dot + 1);
  const auto a = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
  const auto b = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (ms_text.empty() || seq_text.empty() || a.ec != std::errc() ||
      a.ptr != ms_text.data() + ms_text.size() || b.ec != std::errc() ||
      b.ptr != seq_text.data() + seq_text.size()) {
    return std::nullopt;
  }
  return ContractEventCursor{FromMillis(ms), seq};
}

ContractRepository::ContractRepository(SQLite::Database& db)
    : db_(db),
      insert_contract_(db,
                       "INSERT INTO contracts (contract_number, created_at) VALUES (?, ?) "
                       "ON CONFLICT (contract_number) DO NOTHING"),
      insert_component_(db,
                        "INSERT INTO contract_components (contract_number, component) "
                        "VALUES (?, ?)"),
      load_contract_(db,
                     "SELECT c.created_at, cc.component FROM contracts c "
                     "LEFT JOIN contract_components cc ON cc.contract_number = c.contract_number "
                     "WHERE c.contract_number = ?"),
      list_contracts_(db,
                      "SELECT c.contract_number, c.created_at, cc.component FROM "
                      "(SELECT contract_number, created_at FROM contracts "
                      " WHERE contract_number > ? ORDER BY contract_number LIMIT ?) c "
                      "JOIN contract_components cc ON cc.contract_number = c.contract_number "
                      "ORDER BY c.contract_number"),
      delete_events_(db, "DELETE FROM contract_events WHERE contract_number = ?"),
      delete_components_(db, "DELETE FROM contract_components WHERE contract_number = ?"),
      delete_contract_(db, "DELETE FROM contracts WHERE contract_number = ?"),
      load_timeline_(db,
                     "SELECT cc.component, cc.start_date, cc.end_date FROM contracts c "
                     "LEFT JOIN contract_components cc ON cc.contract_number = c.contract_number "
                     "WHERE c.contract_number = ?"),
      find_duplicate_(db,
                      "SELECT seq, status, reason FROM contract_events WHERE contract_number = ? "
                      "AND type = ? AND event_date = ? AND created_at = ?"),
      insert_event_(db,
                    "INSERT INTO contract_events (contract_number, type, component, event_date, "
                    "created_at, received_at, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      // Events of one component that replay after an event created at ?3 that arrives now
      // (equal created_at replays earlier: those arrived before it).
      component_tail_(db, Sql("SELECT ",
                              " FROM contract_events WHERE contract_number = ? AND component = ? "
                              "AND created_at > ? ORDER BY created_at, seq")),
      // The date of the last accepted event of one type replaying before an event created at ?3
      // that arrives now; uses the partial index contract_events_accepted.
      last_accepted_(db,
                     "SELECT event_date FROM contract_events WHERE contract_number = ? AND "
                     "type = ? AND status = 'accepted' AND created_at <= ? "
                     "ORDER BY created_at DESC, seq DESC LIMIT 1"),
      update_status_(db, "UPDATE contract_events SET status = ?, reason = ? WHERE seq = ?"),
      write_span_(db,
                  "UPDATE contract_components SET start_date = ?, end_date = ? "
                  "WHERE contract_number = ? AND component = ?"),
      list_events_(db, Sql("SELECT ",
                           " FROM contract_events WHERE contract_number = ? "
                           "AND (created_at, seq) > (?, ?) ORDER BY created_at, seq LIMIT ?")),
      all_events_(db, Sql("SELECT ",
                          " FROM contract_events WHERE contract_number = ? "
                          "ORDER BY created_at, seq")) {}

void ContractRepository::RequireTransaction(const char* operation) const {
  if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
    throw std::logic_error(std::string("ContractRepository::") + operation +
                           " must run inside a transaction owned by the caller.");
  }
}

Result<Contract> ContractRepository::CreateContract(const Contract& contract) {
  RequireTransaction("CreateContract");
  auto valid = ValidateContract(contract);
  if (!valid) return valid;
  Reset(insert_contract_);
  insert_contract_.bind(1, valid->contract_number);
  insert_contract_.bind(2, static_cast<std::int64_t>(ToMillis(valid->created_at)));
  if (insert_contract_.exec() == 0) {
    return Rejected("conflict", "Contract " + valid->contract_number + " already exists.");
  }
  for (const ContractComponent c : valid->components) {
    Reset(insert_component_);
    insert_component_.bind(1, valid->contract_number);
    insert_component_.bind(2, std::string(ToString(c)));
    insert_component_.exec();
  }
  return valid;
}

Result<Contract> ContractRepository::GetContract(const std::string& contract_number) {
  Reset(load_contract_);
  load_contract_.bind(1, contract_number);
  Contract contract{.contract_number = contract_number, .components = {}, .created_at = {}};
  bool found = false;
  while (load_contract_.executeStep()) {
    found = true;
    contract.created_at = FromMillis(load_contract_.getColumn(0).getInt64());
    if (!load_contract_.getColumn(1).isNull()) {
      contract.components.push_back(ReadComponent(load_contract_.getColumn(1)));
    }
  }
  if (!found) return Unexpected(UnknownContract(contract_number));
  std::ranges::sort(contract.components);
  return contract;
}

ContractPage ContractRepository::ListContracts(int limit, const std::optional<std::string>& after) {
  limit = ClampLimit(limit);
  Reset(list_contracts_);
  // Every id is non-empty, so "" sorts before all of them.
  list_contracts_.bind(1, after.value_or(""));
  list_contracts_.bind(2, limit + 1);  // one more tells whether a next page exists
  ContractPage page;
  bool more = false;
  while (list_contracts_.executeStep()) {
    std::string number = list_contracts_.getColumn(0).getString();
    if (page.items.empty() || page.items.back().contract_number != number) {
      if (static_cast<int>(page.items.size()) == limit) {
        more = true;
        break;
      }
      page.items.push_back(
          Contract{.contract_number = std::move(number),
                   .components = {},
                   .created_at = FromMillis(list_contracts_.getColumn(1).getInt64())});
    }
    page.items.back().components.push_back(ReadComponent(list_contracts_.getColumn(2)));
  }
  list_contracts_.reset();
  for (Contract& c : page.items) std::ranges::sort(c.components);
  if (more) page.next_after = page.items.back().contract_number;
  return page;
}

Result<void> ContractRepository::DeleteContract(const std::string& contract_number) {
  RequireTransaction("DeleteContract");
  for (SQLite::Statement* q : {&delete_events_, &delete_components_}) {
    Reset(*q);
    q->bind(1, contract_number);
    q->exec();
  }
  Reset(delete_contract_);
  delete_contract_.bind(1, contract_number);
  if (delete_contract_.exec() == 0) return Unexpected(UnknownContract(contract_number));
  return {};
}

std::optional<ContractTimeline> ContractRepository::LoadTimeline(
    const std::string& contract_number) {
  Reset(load_timeline_);
  load_timeline_.bind(1, contract_number);
  std::optional<ContractTimeline> timeline;
  while (load_timeline_.executeStep()) {
    if (!timeline)
      timeline = ContractTimeline{.contract_number = contract_number, .components = {}};
    if (load_timeline_.getColumn(0).isNull()) continue;
    timeline->components.emplace(ReadComponent(load_timeline_.getColumn(0)),
                                 ComponentSpan{ReadOptionalDate(load_timeline_.getColumn(1)),
                                               ReadOptionalDate(load_timeline_.getColumn(2))});
  }
  return timeline;
}

Result<ContractTimeline> ContractRepository::GetTimeline(const std::string& contract_number) {
  auto timeline = LoadTimeline(contract_number);
  if (!timeline) return Unexpected(UnknownContract(contract_number));
  return std::move(*timeline);
}

std::optional<Date> ContractRepository::LastAcceptedDate(const std::string& contract_number,
                                                         const std::string& type, Timestamp up_to) {
  Reset(last_accepted_);
  last_accepted_.bind(1, contract_number);
  last_accepted_.bind(2, type);
  last_accepted_.bind(3, static_cast<std::int64_t>(ToMillis(up_to)));
  std::optional<Date> date;
  if (last_accepted_.executeStep()) date = ReadDate(last_accepted_.getColumn(0));
  last_accepted_.reset();
  return date;
}

std::int64_t ContractRepository::InsertEvent(const ContractEvent& event,
                                             std::optional<ContractComponent> component,
                                             const EventOutcome& outcome, Timestamp arrival) {
  Reset(insert_event_);
  insert_event_.bind(1, event.contract_number);
  insert_event_.bind(2, event.type);
  if (component) {
    insert_event_.bind(3, std::string(ToString(*component)));
  } else {
    insert_event_.bind(3);
  }
  insert_event_.bind(4, FormatDate(event.date));
  insert_event_.bind(5, static_cast<std::int64_t>(ToMillis(event.created_at)));
  insert_event_.bind(6, static_cast<std::int64_t>(ToMillis(arrival)));
  insert_event_.bind(7, std::string(ToString(outcome.status)));
  insert_event_.bind(8, outcome.message);
  insert_event_.exec();
  return db_.getLastInsertRowid();
}

void ContractRepository::UpdateStatus(std::int64_t seq, const EventOutcome& outcome) {
  Reset(update_status_);
  update_status_.bind(1, std::string(ToString(outcome.status)));
  update_status_.bind(2, outcome.message);
  update_status_.bind(3, seq);
  update_status_.exec();
}

void ContractRepository::WriteSpan(const std::string& contract_number, ContractComponent component,
                                   const ComponentSpan& span) {
  Reset(write_span_);
  BindOptionalDate(write_span_, 1, span.start);
  BindOptionalDate(write_span_, 2, span.end);
  write_span_.bind(3, contract_number);
  write_span_.bind(4, std::string(ToString(component)));
  write_span_.exec();
}

Result<AppendResult> ContractRepository::AppendEvent(const ContractEvent& event,
                                                     Timestamp arrival) {
  RequireTransaction("AppendEvent");
  std::optional<ContractTimeline> timeline = LoadTimeline(event.contract_number);
  if (!timeline) return Unexpected(UnknownContract(event.contract_number));

  Reset(find_duplicate_);
  find_duplicate_.bind(1, event.contract_number);
  find_duplicate_.bind(2, event.type);
  find_duplicate_.bind(3, FormatDate(event.date));
  find_duplicate_.bind(4, static_cast<std::int64_t>(ToMillis(event.created_at)));
  if (find_duplicate_.executeStep()) {
    AppendResult stored{
        .outcome = ReadOutcome(find_duplicate_.getColumn(1), find_duplicate_.getColumn(2)),
        .duplicate = true,
        .seq = find_duplicate_.getColumn(0).getInt64(),
        .rederived = 0};
    find_duplicate_.reset();
    return stored;
  }

  ContractEvent incoming = event;
  incoming.seq = kUnassignedSeq;  // arrives after every stored event
  const std::optional<ContractEventType> type = ParseContractEventType(incoming.type);
  const std::optional<ContractComponent> component =
      type ? std::optional(type->component) : std::nullopt;

  // Unknown type or a component the contract lacks: rejected whatever the history, and it
  // affects no other event.
  if (!component || !timeline->components.contains(*component)) {
    const EventOutcome outcome = ApplyContractEvent(*timeline, incoming);
    const std::int64_t seq = InsertEvent(incoming, component, outcome, arrival);
    return AppendResult{.outcome = outcome, .duplicate = false, .seq = seq, .rederived = 0};
  }

  const std::string component_name(ToString(*component));
  Reset(component_tail_);
  component_tail_.bind(1, incoming.contract_number);
  component_tail_.bind(2, component_name);
  component_tail_.bind(3, static_cast<std::int64_t>(ToMillis(incoming.created_at)));
  if (!component_tail_.executeStep()) {
    // In order for its component: the projection is the state just before it.
    component_tail_.reset();
    const EventOutcome outcome = ApplyContractEvent(*timeline, incoming);
    const std::int64_t seq = InsertEvent(incoming, component, outcome, arrival);
    if (outcome.status == EventStatus::kAccepted) {
      WriteSpan(incoming.contract_number, *component, timeline->components.at(*component));
    }
    return AppendResult{.outcome = outcome, .duplicate = false, .seq = seq, .rederived = 0};
  }

  // Late: the component's state just before the new event is its last accepted start and end
  // before it. From there, replay two histories side by side over the later events of the
  // component: `replayed` with the new event, `stored` without it (the history as stored).
  // Outcomes depend only on the component's span, so once the two spans are equal every later
  // status and the projection are already right and the scan stops: a late event costs the
  // events up to that point, not the rest of the history. A rejected late event changes nothing.
  const ComponentSpan before{
      LastAcceptedDate(incoming.contract_number,
                       ToString(ContractEventType{*component, ContractEventKind::kStart}),
                       incoming.created_at),
      LastAcceptedDate(incoming.contract_number,
                       ToString(ContractEventType{*component, ContractEventKind::kEnd}),
                       incoming.created_at)};
  ContractTimeline replayed{.contract_number = incoming.contract_number,
                            .components = {{*component, before}}};
  ContractTimeline stored = replayed;
  const EventOutcome outcome = ApplyContractEvent(replayed, incoming);
  std::vector<std::pair<std::int64_t, EventOutcome>> changes;  // rows are updated after the scan
  bool converged = replayed == stored;
  while (!converged) {
    ContractEventRecord later = ReadEventRecord(component_tail_);
    EventOutcome now = ApplyContractEvent(replayed, later.event);
    ApplyContractEvent(stored, later.event);
    if (now != later.outcome) changes.emplace_back(later.event.seq, std::move(now));
    converged = replayed == stored;
    if (converged || !component_tail_.executeStep()) break;
  }
  component_tail_.reset();

  const std::int64_t seq = InsertEvent(incoming, component, outcome, arrival);
  for (const auto& [changed_seq, changed] : changes) UpdateStatus(changed_seq, changed);
  if (!converged) {
    WriteSpan(incoming.contract_number, *component, replayed.components.at(*component));
  }
  return AppendResult{
      .outcome = outcome, .duplicate = false, .seq = seq, .rederived = changes.size()};
}

Result<ContractEventPage> ContractRepository::ListEvents(
    const std::string& contract_number, int limit,
    const std::optional<ContractEventCursor>& after) {
  if (!LoadTimeline(contract_number)) return Unexpected(UnknownContract(contract_number));
  limit = ClampLimit(limit);
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  Reset(list_events_);
  list_events_.bind(1, contract_number);
  list_events_.bind(2, after ? static_cast<std::int64_t>(ToMillis(after->created_at)) : kMin);
  list_events_.bind(3, after ? after->seq : kMin);
  list_events_.bind(4, limit + 1);  // one more tells whether a next page exists
  ContractEventPage page;
  while (list_events_.executeStep()) {
    if (static_cast<int>(page.items.size()) == limit) {
      const ContractEvent& last = page.items.back().event;
      page.next = ContractEventCursor{last.created_at, last.seq};
      break;
    }
    page.items.push_back(ReadEventRecord(list_events_));
  }
  list_events_.reset();
  return page;
}

Result<std::size_t> ContractRepository::RebuildContract(const std::string& contract_number) {
  RequireTransaction("RebuildContract");
  auto contract = GetContract(contract_number);
  if (!contract) return Unexpected(contract.error());

  Reset(all_events_);
  all_events_.bind(1, contract_number);
  std::vector<ContractEvent> events;
  std::vector<EventOutcome> stored;
  while (all_events_.executeStep()) {
    ContractEventRecord r = ReadEventRecord(all_events_);
    events.push_back(std::move(r.event));
    stored.push_back(std::move(r.outcome));
  }

  const ContractReplay replay = ReplayContract(*contract, events);
  std::size_t changed = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (replay.outcomes[i] == stored[i]) continue;
    UpdateStatus(events[i].seq, replay.outcomes[i]);
    ++changed;
  }
  for (const auto& [component, span] : replay.timeline.components) {
    WriteSpan(contract_number, component, span);
  }
  return changed;
}

}  // namespace ems::store
