#include <charconv>

#include "ems/store/contract_repository.h"

namespace ems::store {

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

}  // namespace ems::store
