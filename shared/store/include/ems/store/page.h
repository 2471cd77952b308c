// Page: one page of a keyset-paginated list (docs/contract.md §6 `limit`, `cursor`, `next_cursor`),
// the one shape every list of the store answers. `Cursor` is the keyset position of the last item:
// the next page starts after it, so pages stay stable while rows are added.
#pragma once

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace ems::store {

// Page sizes are clamped to [1, kMaxPageLimit] (docs/contract.md §6: at most 1000).
inline constexpr int kMaxPageLimit = 1000;
inline int ClampPageLimit(int limit) { return std::clamp(limit, 1, kMaxPageLimit); }

template <class T, class Cursor>
struct Page {
  std::vector<T> items;
  std::optional<Cursor> next_cursor;  // pass back to get the next page; null on the last page
};

// The page of `rows`, which were read with a limit of `limit` + 1: the extra row only says that
// another page exists. `cursor_of(item)` is the keyset position of an item.
template <class Cursor, class T, class CursorOf>
Page<T, Cursor> MakePage(std::vector<T> rows, int limit, CursorOf cursor_of) {
  Page<T, Cursor> page{std::move(rows), std::nullopt};
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.erase(page.items.begin() + limit, page.items.end());
    page.next_cursor = cursor_of(page.items.back());
  }
  return page;
}

}  // namespace ems::store
