#include "ems/store/ingest_repository.h"

namespace ems::store {
namespace {

// Cuts at most kMaxPayload bytes without splitting a UTF-8 sequence.
std::string_view Truncate(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace

IngestRepository::IngestRepository(SQLite::Database& db)
    : db_(db),
      add_totals_(db,
                  "UPDATE ingest_stats SET received = received + ?1, stored = stored + ?2, "
                  "duplicates = duplicates + ?3, rejected = rejected + ?4, "
                  "last_message_at = MAX(COALESCE(last_message_at, 0), COALESCE(?5, 0)) "
                  "WHERE id = 1"),
      add_reason_(db,
                  "INSERT INTO ingest_rejections (reason, count) VALUES (?1, ?2) "
                  "ON CONFLICT(reason) DO UPDATE SET count = count + excluded.count"),
      add_dead_letter_(db,
                       "INSERT INTO dead_letters (received_at, topic, payload, reason, message) "
                       "VALUES (?, ?, ?, ?, ?)"),
      set_checkpoint_(db,
                      "INSERT INTO inbox_checkpoints (listener_id, applied_seq) VALUES (?1, ?2) "
                      "ON CONFLICT(listener_id) DO UPDATE SET applied_seq = excluded.applied_seq") {
}

void IngestRepository::Add(const IngestCounts& d) {
  add_totals_.reset();
  add_totals_.bind(1, static_cast<int64_t>(d.received));
  add_totals_.bind(2, static_cast<int64_t>(d.stored));
  add_totals_.bind(3, static_cast<int64_t>(d.duplicates));
  add_totals_.bind(4, static_cast<int64_t>(d.rejected));
  if (d.last_message_at) {
    add_totals_.bind(5, static_cast<int64_t>(ToMillis(*d.last_message_at)));
  } else {
    add_totals_.bind(5);
  }
  add_totals_.exec();
  for (const auto& [reason, count] : d.rejected_by_reason) {
    add_reason_.reset();
    add_reason_.bind(1, reason);
    add_reason_.bind(2, static_cast<int64_t>(count));
    add_reason_.exec();
  }
}

IngestCounts IngestRepository::Totals() {
  IngestCounts c;
  SQLite::Statement q(db_,
                      "SELECT received, stored, duplicates, rejected, last_message_at "
                      "FROM ingest_stats WHERE id = 1");
  if (q.executeStep()) {
    c.received = q.getColumn(0).getInt64();
    c.stored = q.getColumn(1).getInt64();
    c.duplicates = q.getColumn(2).getInt64();
    c.rejected = q.getColumn(3).getInt64();
    if (!q.getColumn(4).isNull() && q.getColumn(4).getInt64() > 0) {
      c.last_message_at = FromMillis(q.getColumn(4).getInt64());
    }
  }
  SQLite::Statement r(db_, "SELECT reason, count FROM ingest_rejections ORDER BY reason");
  while (r.executeStep())
    c.rejected_by_reason[r.getColumn(0).getString()] = r.getColumn(1).getInt64();
  return c;
}

void IngestRepository::AddDeadLetter(Timestamp received_at, const std::string& topic,
                                     std::string_view payload, const std::string& reason,
                                     const std::string& message) {
  add_dead_letter_.reset();
  add_dead_letter_.bind(1, static_cast<int64_t>(ToMillis(received_at)));
  add_dead_letter_.bind(2, topic);
  const auto kept = Truncate(payload, kMaxPayload);
  add_dead_letter_.bind(3, kept.data(), static_cast<int>(kept.size()));
  add_dead_letter_.bind(4, reason);
  add_dead_letter_.bind(5, message);
  add_dead_letter_.exec();
}

std::vector<DeadLetter> IngestRepository::ListDeadLetters(
    int limit, std::optional<std::int64_t> before_id, const std::optional<std::string>& reason) {
  SQLite::Statement q(db_,
                      "SELECT id, received_at, topic, payload, reason, message FROM dead_letters "
                      "WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR reason = ?2) "
                      "ORDER BY id DESC LIMIT ?3");
  if (before_id) q.bind(1, static_cast<int64_t>(*before_id));
  if (reason) q.bind(2, *reason);
  q.bind(3, limit);
  std::vector<DeadLetter> out;
  while (q.executeStep()) {
    out.push_back(DeadLetter{q.getColumn(0).getInt64(), FromMillis(q.getColumn(1).getInt64()),
                             q.getColumn(2).getString(), q.getColumn(3).getString(),
                             q.getColumn(4).getString(), q.getColumn(5).getString()});
  }
  return out;
}

std::int64_t IngestRepository::Checkpoint(const std::string& listener_id) {
  SQLite::Statement q(db_, "SELECT applied_seq FROM inbox_checkpoints WHERE listener_id = ?");
  q.bind(1, listener_id);
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

void IngestRepository::SetCheckpoint(const std::string& listener_id, std::int64_t applied_seq) {
  set_checkpoint_.reset();
  set_checkpoint_.bind(1, listener_id);
  set_checkpoint_.bind(2, static_cast<int64_t>(applied_seq));
  set_checkpoint_.exec();
}

}  // namespace ems::store
