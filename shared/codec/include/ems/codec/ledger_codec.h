// The session ledger's two answers (docs/contract.md §6.5, GET /api/v1/sessions/export): JSON and
// CSV, the same columns in the same order.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ems/domain/session_ledger.h"

namespace ems::codec {

// {"from", "to", "items": [{"session_id", "site_id", "station_id", "vehicle_id", "started_at",
// "ended_at", "status", "energy_kwh", "cost", "currency", "solar_share"}]}: vehicle_id, ended_at
// (while active), cost and solar_share (unknown) null when unset; solar_share rounded to 4
// decimals.
std::string EncodeLedgerJson(const Date& from, const Date& to, std::span<const LedgerEntry> rows);

// RFC 4180 text: a header row of the JSON's item names, then a row per entry, lines ending in
// CRLF. An unset value is an empty cell, an unknown solar_share the word `unknown`. Each cell goes
// through AppendCsvCell.
std::string EncodeLedgerCsv(std::span<const LedgerEntry> rows);

// One cell appended to `out`: quoted (quotes doubled) when it holds a comma, a quote, CR or LF;
// a cell starting with = + - @, tab or CR gets a leading ' first, so a spreadsheet opening the
// file shows it as text instead of running it as a formula (CSV injection).
void AppendCsvCell(std::string& out, std::string_view cell);

}  // namespace ems::codec
