// Every statement on the ingest_stats, ingest_rejections, dead_letters and inbox_checkpoints
// tables.
// Written once for both backends, over the backend's Statement (common/sql.h).
#pragma once

#include "common/sql.h"
#include "ems/store/store.h"

namespace ems::store {
namespace ingest_sql {

// Cuts at most `max` bytes without splitting a UTF-8 sequence.
inline std::string_view Truncate(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

template <class Statement>
class IngestRepositoryOn final : public IngestRepository {
 public:
  template <class Db>
  explicit IngestRepositoryOn(Db& db)
      : add_totals_(
            db,
            "UPDATE ingest_stats SET received = received + ?1, stored = stored + ?2, "
            "duplicates = duplicates + ?3, rejected = rejected + ?4, "
            "last_message_at = CASE WHEN COALESCE(?5, 0) > COALESCE(last_message_at, 0) THEN ?5 "
            "ELSE COALESCE(last_message_at, 0) END "
            "WHERE id = 1"),
        add_reason_(
            db,
            "INSERT INTO ingest_rejections (reason, count) VALUES (?1, ?2) "
            "ON CONFLICT (reason) DO UPDATE SET count = ingest_rejections.count + excluded.count"),
        totals_(db,
                "SELECT received, stored, duplicates, rejected, last_message_at "
                "FROM ingest_stats WHERE id = 1"),
        reasons_(db, "SELECT reason, count FROM ingest_rejections ORDER BY reason"),
        add_dead_letter_(db,
                         "INSERT INTO dead_letters (received_at, topic, payload, reason, message) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)"),
        list_dead_letters_(db,
                           "SELECT id, received_at, topic, payload, reason, message "
                           "FROM dead_letters WHERE (?1 IS NULL OR id < ?1) "
                           "AND (?2 IS NULL OR reason = ?2) ORDER BY id DESC LIMIT ?3"),
        checkpoint_(db, "SELECT applied_seq FROM inbox_checkpoints WHERE listener_id = ?1"),
        set_checkpoint_(db,
                        "INSERT INTO inbox_checkpoints (listener_id, applied_seq) VALUES (?1, ?2) "
                        "ON CONFLICT (listener_id) DO UPDATE SET "
                        "applied_seq = excluded.applied_seq") {}

  void Add(const IngestCounts& d) override {
    add_totals_.Run(d.received, d.stored, d.duplicates, d.rejected, d.last_message_at).Exec();
    for (const auto& [reason, count] : d.rejected_by_reason) add_reason_.Run(reason, count).Exec();
  }

  IngestCounts Totals() override {
    IngestCounts c;
    {
      auto q = totals_.Run();
      if (q.Next()) {
        c.received = q.template Get<std::int64_t>(0);
        c.stored = q.template Get<std::int64_t>(1);
        c.duplicates = q.template Get<std::int64_t>(2);
        c.rejected = q.template Get<std::int64_t>(3);
        // 0 is the "never" the totals start with.
        const auto last = q.template Get<std::optional<Timestamp>>(4);
        if (last && ToMillis(*last) > 0) c.last_message_at = last;
      }
    }
    auto q = reasons_.Run();
    while (q.Next())
      c.rejected_by_reason[q.template Get<std::string>(0)] = q.template Get<std::int64_t>(1);
    return c;
  }

  void AddDeadLetter(Timestamp received_at, const std::string& topic, std::string_view payload,
                     std::string_view reason, const std::string& message) override {
    add_dead_letter_.Run(received_at, topic, Blob{Truncate(payload, kMaxPayload)}, reason, message)
        .Exec();
  }

  Page<DeadLetter, std::int64_t> ListDeadLetters(
      int limit, std::optional<std::int64_t> before_id,
      const std::optional<std::string>& reason) override {
    limit = ClampPageLimit(limit);
    std::vector<DeadLetter> rows;
    auto q = list_dead_letters_.Run(before_id, reason, limit + 1);
    while (q.Next()) {
      rows.push_back(DeadLetter{q.template Get<std::int64_t>(0), q.template Get<Timestamp>(1),
                                q.template Get<std::string>(2), q.template Get<std::string>(3),
                                q.template Get<std::string>(4), q.template Get<std::string>(5)});
    }
    return MakePage<std::int64_t>(std::move(rows), limit, [](const DeadLetter& d) { return d.id; });
  }

  std::int64_t Checkpoint(const std::string& listener_id) override {
    auto q = checkpoint_.Run(listener_id);
    return q.Next() ? q.template Get<std::int64_t>(0) : 0;
  }

  void SetCheckpoint(const std::string& listener_id, std::int64_t applied_seq) override {
    set_checkpoint_.Run(listener_id, applied_seq).Exec();
  }

 private:
  Statement add_totals_;
  Statement add_reason_;
  Statement totals_;
  Statement reasons_;
  Statement add_dead_letter_;
  Statement list_dead_letters_;
  Statement checkpoint_;
  Statement set_checkpoint_;
};

}  // namespace ingest_sql

using ingest_sql::IngestRepositoryOn;

}  // namespace ems::store
