#include "ems/codec/ledger_codec.h"

#include <array>
#include <charconv>
#include <cmath>

#include "ems/codec/json_writer.h"

namespace ems::codec {
namespace {

constexpr std::array<std::string_view, 11> kColumns = {
    "session_id", "site_id",    "station_id", "vehicle_id", "started_at", "ended_at",
    "status",     "energy_kwh", "cost",       "currency",   "solar_share"};

std::optional<double> Rounded(std::optional<double> share) {
  if (!share) return std::nullopt;
  return std::round(*share * 1e4) / 1e4;
}

std::string Number(double d) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, end);
}

}  // namespace

std::string EncodeLedgerJson(const Date& from, const Date& to, std::span<const LedgerEntry> rows) {
  JsonWriter w;
  w.BeginObject().Field("from", FormatDate(from)).Field("to", FormatDate(to));
  w.Key("items").BeginArray();
  for (const auto& [s, share] : rows) {
    w.BeginObject()
        .Field(kColumns[0], s.session_id)
        .Field(kColumns[1], s.site_id)
        .Field(kColumns[2], s.station_id)
        .Field(kColumns[3], s.vehicle_id)
        .Field(kColumns[4], s.started_at)
        .Field(kColumns[5], s.ended_at)
        .Field(kColumns[6], ToString(s.status))
        .Field(kColumns[7], s.energy_kwh)
        .Field(kColumns[8], s.cost)
        .Field(kColumns[9], s.currency)
        .Field(kColumns[10], Rounded(share))
        .EndObject();
  }
  return w.EndArray().EndObject().Take();
}

std::string EncodeLedgerCsv(std::span<const LedgerEntry> rows) {
  std::string out;
  out.reserve(64 + rows.size() * 160);
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvCell(out, kColumns[i]);
  }
  out += "\r\n";
  for (const auto& [s, share] : rows) {
    const auto rounded = Rounded(share);
    const std::array<std::string, 11> cells = {s.session_id,
                                               s.site_id,
                                               s.station_id,
                                               s.vehicle_id.value_or(""),
                                               FormatTimestamp(s.started_at),
                                               s.ended_at ? FormatTimestamp(*s.ended_at) : "",
                                               std::string(ToString(s.status)),
                                               Number(s.energy_kwh),
                                               s.cost ? Number(*s.cost) : "",
                                               s.currency,
                                               rounded ? Number(*rounded) : "unknown"};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      AppendCsvCell(out, cells[i]);
    }
    out += "\r\n";
  }
  return out;
}

void AppendCsvCell(std::string& out, std::string_view cell) {
  const bool formula =
      !cell.empty() && std::string_view("=+-@\t\r").find(cell[0]) != std::string_view::npos;
  const bool quoted = cell.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quoted) out += '"';
  if (formula) out += '\'';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quoted) out += '"';
}

}  // namespace ems::codec
