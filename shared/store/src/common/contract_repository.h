// Every statement on the contracts, contract_components and contract_events tables.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace contract_sql {

inline Reject UnknownContract(const std::string& contract_number) {
  return NotFound("Contract", contract_number);
}

// Columns of an event row, shared by every query that reads events.
inline std::string SelectEvents(const std::string& where) {
  return "SELECT seq, contract_number, type, event_date, created_at, status, reason "
         "FROM contract_events WHERE " +
         where;
}

template <class Query>
ContractEventRecord ReadEventRecord(const Query& q) {
  return ContractEventRecord{
      .event = ContractEvent{.contract_number = q.template Get<std::string>(1),
                             .type = q.template Get<std::string>(2),
                             .date = q.template Get<Date>(3),
                             .created_at = q.template Get<Timestamp>(4),
                             .seq = q.template Get<std::int64_t>(0)},
      .outcome = EventOutcome{q.template Get<EventStatus>(5), q.template Get<std::string>(6)}};
}

template <class Statement, class Db>
class ContractRepositoryOn final : public ContractRepository {
 public:
  explicit ContractRepositoryOn(Db& db)
      : db_(db),
        insert_contract_(db,
                         "INSERT INTO contracts (contract_number, created_at, site_id) "
                         "VALUES (?1, ?2, ?3) ON CONFLICT (contract_number) DO NOTHING"),
        insert_component_(db,
                          "INSERT INTO contract_components (contract_number, component) "
                          "VALUES (?1, ?2)"),
        load_contract_(db,
                       "SELECT c.created_at, cc.component, c.site_id FROM contracts c "
                       "LEFT JOIN contract_components cc ON cc.contract_number = c.contract_number "
                       "WHERE c.contract_number = ?1 AND " +
                           VisibleSite("c.site_id", 2)),
        list_contracts_(db,
                        "SELECT c.contract_number, c.created_at, cc.component, c.site_id FROM "
                        "(SELECT contract_number, created_at, site_id FROM contracts WHERE " +
                            VisibleSite("site_id", 1) +
                            " AND contract_number > ?2 ORDER BY contract_number LIMIT ?3) c "
                            "JOIN contract_components cc ON cc.contract_number = "
                            "c.contract_number ORDER BY c.contract_number"),
        delete_events_(db, "DELETE FROM contract_events WHERE contract_number = ?1"),
        delete_components_(db, "DELETE FROM contract_components WHERE contract_number = ?1"),
        delete_contract_(db, "DELETE FROM contracts WHERE contract_number = ?1"),
        // Events and components go with their contracts (ON DELETE CASCADE).
        delete_by_site_(db, "DELETE FROM contracts WHERE site_id = ?1"),
        load_timeline_(db,
                       "SELECT cc.component, cc.start_date, cc.end_date FROM contracts c "
                       "LEFT JOIN contract_components cc ON cc.contract_number = c.contract_number "
                       "WHERE c.contract_number = ?1 AND " +
                           VisibleSite("c.site_id", 2)),
        find_duplicate_(db,
                        "SELECT seq, status, reason FROM contract_events WHERE contract_number = "
                        "?1 AND type = ?2 AND event_date = ?3 AND created_at = ?4"),
        insert_event_(db,
                      "INSERT INTO contract_events (contract_number, type, component, event_date, "
                      "created_at, received_at, status, reason) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING seq"),
        // Events of one component that replay after an event created at ?3 that arrives now
        // (equal created_at replays earlier: those arrived before it).
        component_tail_(db, SelectEvents("contract_number = ?1 AND component = ?2 AND "
                                         "created_at > ?3 ORDER BY created_at, seq")),
        // The date of the last accepted event of one type replaying before an event created at
        // ?3 that arrives now; uses the partial index contract_events_accepted.
        last_accepted_(db,
                       "SELECT event_date FROM contract_events WHERE contract_number = ?1 AND "
                       "type = ?2 AND status = 'accepted' AND created_at <= ?3 "
                       "ORDER BY created_at DESC, seq DESC LIMIT 1"),
        update_status_(db, "UPDATE contract_events SET status = ?2, reason = ?3 WHERE seq = ?1"),
        write_span_(db,
                    "UPDATE contract_components SET start_date = ?3, end_date = ?4 "
                    "WHERE contract_number = ?1 AND component = ?2"),
        list_events_(db, SelectEvents("contract_number = ?1 AND (created_at, seq) > (?2, ?3) "
                                      "ORDER BY created_at, seq LIMIT ?4")),
        all_events_(db, SelectEvents("contract_number = ?1 ORDER BY created_at, seq")) {}

  Result<Contract> CreateContract(const Contract& contract) override {
    RequireTransaction("CreateContract");
    auto valid = ValidateContract(contract);
    if (!valid) return valid;
    if (insert_contract_.Run(valid->contract_number, valid->created_at, valid->site_id).Exec() ==
        0) {
      return Rejected(ErrorCode::kConflict,
                      "Contract " + valid->contract_number + " already exists.");
    }
    for (const ContractComponent c : valid->components) {
      insert_component_.Run(valid->contract_number, c).Exec();
    }
    return valid;
  }

  Result<Contract> GetContract(const std::string& contract_number,
                               const Visibility& visibility) override {
    Contract contract{
        .contract_number = contract_number, .components = {}, .created_at = {}, .site_id = {}};
    bool found = false;
    auto q = load_contract_.Run(contract_number, visibility);
    while (q.Next()) {
      found = true;
      contract.created_at = q.template Get<Timestamp>(0);
      contract.site_id = q.template Get<std::optional<std::string>>(2);
      if (!q.IsNull(1)) contract.components.push_back(q.template Get<ContractComponent>(1));
    }
    if (!found) return Unexpected(UnknownContract(contract_number));
    std::ranges::sort(contract.components);
    return contract;
  }

  Page<Contract, std::string> ListContracts(const Visibility& visibility, int limit,
                                            const std::optional<std::string>& after) override {
    limit = ClampPageLimit(limit);
    std::vector<Contract> rows;
    // Every id is non-empty, so "" sorts before all of them.
    auto q = list_contracts_.Run(visibility, after.value_or(""), limit + 1);
    while (q.Next()) {
      auto number = q.template Get<std::string>(0);
      if (rows.empty() || rows.back().contract_number != number) {
        rows.push_back(Contract{.contract_number = std::move(number),
                                .components = {},
                                .created_at = q.template Get<Timestamp>(1),
                                .site_id = q.template Get<std::optional<std::string>>(3)});
      }
      rows.back().components.push_back(q.template Get<ContractComponent>(2));
    }
    for (Contract& c : rows) std::ranges::sort(c.components);
    return MakePage<std::string>(std::move(rows), limit,
                                 [](const Contract& c) { return c.contract_number; });
  }

  Result<void> DeleteContract(const std::string& contract_number) override {
    RequireTransaction("DeleteContract");
    delete_events_.Run(contract_number).Exec();
    delete_components_.Run(contract_number).Exec();
    if (delete_contract_.Run(contract_number).Exec() == 0) {
      return Unexpected(UnknownContract(contract_number));
    }
    return {};
  }

  int DeleteBySite(const std::string& site_id) override {
    RequireTransaction("DeleteBySite");
    return delete_by_site_.Run(site_id).Exec();
  }

  Result<AppendResult> AppendEvent(const ContractEvent& event, Timestamp arrival) override;

  Result<Page<ContractEventRecord, ContractEventCursor>> ListEvents(
      const std::string& contract_number, const Visibility& visibility, int limit,
      const std::optional<ContractEventCursor>& after) override {
    if (!LoadTimeline(contract_number, visibility)) {
      return Unexpected(UnknownContract(contract_number));
    }
    limit = ClampPageLimit(limit);
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    std::vector<ContractEventRecord> rows;
    auto q = list_events_.Run(contract_number, after ? ToMillis(after->created_at) : kMin,
                              after ? after->seq : kMin, limit + 1);
    while (q.Next()) rows.push_back(ReadEventRecord(q));
    return MakePage<ContractEventCursor>(std::move(rows), limit, [](const auto& r) {
      return ContractEventCursor{r.event.created_at, r.event.seq};
    });
  }

  Result<ContractTimeline> GetTimeline(const std::string& contract_number,
                                       const Visibility& visibility) override {
    auto timeline = LoadTimeline(contract_number, visibility);
    if (!timeline) return Unexpected(UnknownContract(contract_number));
    return std::move(*timeline);
  }

  Result<std::size_t> RebuildContract(const std::string& contract_number) override {
    RequireTransaction("RebuildContract");
    auto contract = GetContract(contract_number, Visibility::All());
    if (!contract) return Unexpected(contract.error());
    std::vector<ContractEvent> events;
    std::vector<EventOutcome> stored;
    {
      auto q = all_events_.Run(contract_number);
      while (q.Next()) {
        ContractEventRecord r = ReadEventRecord(q);
        events.push_back(std::move(r.event));
        stored.push_back(std::move(r.outcome));
      }
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

 private:
  void RequireTransaction(const char* operation) const {
    if (!Statement::InTransaction(db_)) {
      throw std::logic_error(std::string("ContractRepository::") + operation +
                             " must run inside a transaction owned by the caller.");
    }
  }

  std::optional<ContractTimeline> LoadTimeline(const std::string& contract_number,
                                               const Visibility& visibility) {
    std::optional<ContractTimeline> timeline;
    auto q = load_timeline_.Run(contract_number, visibility);
    while (q.Next()) {
      if (!timeline) {
        timeline = ContractTimeline{.contract_number = contract_number, .components = {}};
      }
      if (q.IsNull(0)) continue;
      timeline->components.emplace(q.template Get<ContractComponent>(0),
                                   ComponentSpan{q.template Get<std::optional<Date>>(1),
                                                 q.template Get<std::optional<Date>>(2)});
    }
    return timeline;
  }

  // True when events of `component` replay after `incoming` (it arrives late).
  bool HasLaterEvents(const ContractEvent& incoming, ContractComponent component) {
    return component_tail_.Run(incoming.contract_number, component, incoming.created_at).Next();
  }

  std::optional<Date> LastAcceptedDate(const std::string& contract_number, const std::string& type,
                                       Timestamp up_to) {
    auto q = last_accepted_.Run(contract_number, type, up_to);
    if (!q.Next()) return std::nullopt;
    return q.template Get<Date>(0);
  }

  std::int64_t InsertEvent(const ContractEvent& event, std::optional<ContractComponent> component,
                           const EventOutcome& outcome, Timestamp arrival) {
    auto q = insert_event_.Run(event.contract_number, event.type, component, event.date,
                               event.created_at, arrival, outcome.status, outcome.message);
    q.Next();
    return q.template Get<std::int64_t>(0);
  }

  void UpdateStatus(std::int64_t seq, const EventOutcome& outcome) {
    update_status_.Run(seq, outcome.status, outcome.message).Exec();
  }

  void WriteSpan(const std::string& contract_number, ContractComponent component,
                 const ComponentSpan& span) {
    write_span_.Run(contract_number, component, span.start, span.end).Exec();
  }

  Db& db_;
  Statement insert_contract_;
  Statement insert_component_;
  Statement load_contract_;
  Statement list_contracts_;
  Statement delete_events_;
  Statement delete_components_;
  Statement delete_contract_;
  Statement delete_by_site_;
  Statement load_timeline_;
  Statement find_duplicate_;
  Statement insert_event_;
  Statement component_tail_;
  Statement last_accepted_;
  Statement update_status_;
  Statement write_span_;
  Statement list_events_;
  Statement all_events_;
};

template <class Statement, class Db>
Result<AppendResult> ContractRepositoryOn<Statement, Db>::AppendEvent(const ContractEvent& event,
                                                                      Timestamp arrival) {
  RequireTransaction("AppendEvent");
  std::optional<ContractTimeline> timeline = LoadTimeline(event.contract_number, Visibility::All());
  if (!timeline) return Unexpected(UnknownContract(event.contract_number));

  {
    auto q = find_duplicate_.Run(event.contract_number, event.type, event.date, event.created_at);
    if (q.Next()) {
      return AppendResult{
          .outcome = EventOutcome{q.template Get<EventStatus>(1), q.template Get<std::string>(2)},
          .duplicate = true,
          .seq = q.template Get<std::int64_t>(0),
          .rederived = 0};
    }
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

  if (!HasLaterEvents(incoming, *component)) {
    // In order for its component: the projection is the state just before it.
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
  {
    auto tail = component_tail_.Run(incoming.contract_number, *component, incoming.created_at);
    while (!converged && tail.Next()) {
      ContractEventRecord later = ReadEventRecord(tail);
      EventOutcome now = ApplyContractEvent(replayed, later.event);
      ApplyContractEvent(stored, later.event);
      if (now != later.outcome) changes.emplace_back(later.event.seq, std::move(now));
      converged = replayed == stored;
    }
  }

  const std::int64_t seq = InsertEvent(incoming, component, outcome, arrival);
  for (const auto& [changed_seq, changed] : changes) UpdateStatus(changed_seq, changed);
  if (!converged) {
    WriteSpan(incoming.contract_number, *component, replayed.components.at(*component));
  }
  return AppendResult{
      .outcome = outcome, .duplicate = false, .seq = seq, .rederived = changes.size()};
}

}  // namespace contract_sql

using contract_sql::ContractRepositoryOn;

}  // namespace ems::store
